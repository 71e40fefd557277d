//! The store SHACL-SPARQL queries run on: the data graph (default graph) and the shapes
//! graph (a named graph bound to `$shapesGraph`), loaded once per validation; pre-bound
//! variables are substituted into the prepared query.

use super::query::{Query, SHAPES_GRAPH};
use crate::shacl::ShaclError;
use oxigraph::sparql::{QueryResults, QuerySolution, Variable};
use oxigraph::store::Store;
use oxrdf::{Graph, GraphNameRef, Term};

/// What SPARQL validation needs from the shapes graph.
pub(crate) struct SparqlSetup {
    shapes_graph: Graph,
}

impl SparqlSetup {
    pub fn new(shapes_graph: &Graph) -> Self {
        Self {
            shapes_graph: shapes_graph.clone(),
        }
    }
}

/// The store queries run on during one validation.
pub(crate) struct SparqlRuntime {
    store: Store,
}

impl SparqlRuntime {
    pub fn new<'a>(
        setup: &SparqlSetup,
        data: impl Iterator<Item = oxrdf::TripleRef<'a>>,
    ) -> Result<Self, ShaclError> {
        let error = |e: oxigraph::store::StorageError| ShaclError::SparqlEvaluation {
            node: SHAPES_GRAPH.to_string(),
            message: format!("cannot build the SPARQL store: {e}"),
        };
        let store = Store::new().map_err(error)?;
        let mut transaction = store.start_transaction().map_err(error)?;
        for triple in data {
            transaction.insert(triple.in_graph(GraphNameRef::DefaultGraph));
        }
        for triple in &setup.shapes_graph {
            transaction.insert(triple.in_graph(SHAPES_GRAPH));
        }
        transaction.commit().map_err(error)?;
        Ok(Self { store })
    }

    fn execute(
        &self,
        query: &Query,
        bindings: &[(&str, Term)],
    ) -> Result<QueryResults<'static>, String> {
        let mut prepared = query.prepared.clone();
        for (name, value) in bindings {
            if query.variables.contains(*name) {
                prepared =
                    prepared.substitute_variable(Variable::new_unchecked(*name), value.clone());
            }
        }
        prepared
            .on_store(&self.store)
            .execute()
            .map_err(|e| e.to_string())
    }

    pub(super) fn select(
        &self,
        query: &Query,
        bindings: &[(&str, Term)],
    ) -> Result<Vec<QuerySolution>, String> {
        match self.execute(query, bindings)? {
            QueryResults::Solutions(solutions) => {
                solutions.map(|s| s.map_err(|e| e.to_string())).collect()
            }
            _ => Err("the query is not a SELECT query".into()),
        }
    }

    /// Runs an ASK query (compiled to a SELECT, see [`ask_to_select`]).
    pub(super) fn ask(&self, query: &Query, bindings: &[(&str, Term)]) -> Result<bool, String> {
        match self.execute(query, bindings)? {
            QueryResults::Boolean(answer) => Ok(answer),
            QueryResults::Solutions(mut solutions) => match solutions.next() {
                Some(Ok(_)) => Ok(true),
                Some(Err(e)) => Err(e.to_string()),
                None => Ok(false),
            },
            QueryResults::Graph(_) => Err("the query is not an ASK query".into()),
        }
    }
}
