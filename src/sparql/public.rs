//! The dataset the public endpoint queries: the store's named graphs (the records) only.
//!
//! Oxigraph's own store view treats "any graph" as including the default graph, where
//! katalog keeps its bookkeeping and change log. This view answers "any graph" with the
//! named graphs alone, as the SPARQL dataset contract says, so nothing private can leak
//! through the union default graph, `GRAPH ?g` or a protocol dataset.
use oxigraph::model::{GraphNameRef, NamedOrBlankNodeRef, Term};
use oxigraph::store::{StorageError, Store};
use spareval::{InternalQuad, QueryableDataset};

pub struct RecordGraphs<'a> {
    store: &'a Store,
}

impl<'a> RecordGraphs<'a> {
    pub fn new(store: &'a Store) -> Self {
        Self { store }
    }
}

fn as_subject(term: &Term) -> Option<NamedOrBlankNodeRef<'_>> {
    match term {
        Term::NamedNode(n) => Some(n.into()),
        Term::BlankNode(b) => Some(b.into()),
        Term::Literal(_) => None,
    }
}

impl<'a> QueryableDataset<'a> for RecordGraphs<'a> {
    type InternalTerm = Term;
    type Error = StorageError;

    fn internal_quads_for_pattern(
        &self,
        subject: Option<&Term>,
        predicate: Option<&Term>,
        object: Option<&Term>,
        graph_name: Option<Option<&Term>>,
    ) -> impl Iterator<Item = Result<InternalQuad<Term>, StorageError>> + use<'a> {
        // A literal can never be a subject, predicate or graph name: nothing matches.
        let subject = match subject.map(as_subject) {
            Some(None) => return Box::new(std::iter::empty()) as Box<dyn Iterator<Item = _>>,
            other => other.flatten(),
        };
        let predicate = match predicate {
            Some(Term::NamedNode(n)) => Some(n.as_ref()),
            Some(_) => return Box::new(std::iter::empty()),
            None => None,
        };
        let graph = match graph_name {
            // The store's default graph is private: the public dataset has none of its own.
            Some(None) => return Box::new(std::iter::empty()),
            Some(Some(g)) => match as_subject(g) {
                Some(g) => Some(GraphNameRef::from(g)),
                None => return Box::new(std::iter::empty()),
            },
            None => None,
        };
        let quads =
            self.store
                .quads_for_pattern(subject, predicate, object.map(Term::as_ref), graph);
        Box::new(quads.filter_map(|quad| match quad {
            Err(e) => Some(Err(e)),
            Ok(q) if q.graph_name.is_default_graph() => None,
            Ok(q) => Some(Ok(InternalQuad {
                subject: q.subject.into(),
                predicate: q.predicate.into(),
                object: q.object,
                graph_name: Some(match q.graph_name {
                    oxigraph::model::GraphName::NamedNode(n) => n.into(),
                    oxigraph::model::GraphName::BlankNode(b) => b.into(),
                    oxigraph::model::GraphName::DefaultGraph => unreachable!("filtered above"),
                }),
            })),
        }))
    }

    fn internal_named_graphs(&self) -> impl Iterator<Item = Result<Term, StorageError>> + use<'a> {
        self.store.named_graphs().map(|g| g.map(Term::from))
    }

    fn contains_internal_graph_name(&self, graph_name: &Term) -> Result<bool, StorageError> {
        match as_subject(graph_name) {
            Some(g) => self.store.contains_named_graph(g),
            None => Ok(false),
        }
    }

    fn internalize_term(&self, term: Term) -> Result<Term, StorageError> {
        Ok(term)
    }

    fn externalize_term(&self, term: Term) -> Result<Term, StorageError> {
        Ok(term)
    }
}
