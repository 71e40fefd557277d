//! The change log behind the LDES feed: every create, update and delete of a record appends
//! an event in the same transaction as the change. Events live in the private default graph;
//! each event keeps the record's state (N-Triples) so the feed can be replayed.
use super::StoreError;
use crate::rdf::ns::kat;
use oxigraph::model::{GraphNameRef, Literal, NamedNode, NamedNodeRef, QuadRef, Term};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::{Store, Transaction};

const LIST_EVENTS: &str = include_str!("../../queries/list-events.rq");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    Create,
    Update,
    Delete,
}

impl Activity {
    pub fn iri(self) -> NamedNodeRef<'static> {
        match self {
            Self::Create => {
                NamedNodeRef::new_unchecked("https://www.w3.org/ns/activitystreams#Create")
            }
            Self::Update => {
                NamedNodeRef::new_unchecked("https://www.w3.org/ns/activitystreams#Update")
            }
            Self::Delete => {
                NamedNodeRef::new_unchecked("https://www.w3.org/ns/activitystreams#Delete")
            }
        }
    }

    fn from_iri(iri: &str) -> Option<Self> {
        [Self::Create, Self::Update, Self::Delete]
            .into_iter()
            .find(|a| a.iri().as_str() == iri)
    }
}

#[derive(Debug, Clone)]
pub struct Event {
    pub seq: u64,
    pub activity: Activity,
    pub object: NamedNode,
    /// xsd:dateTime with milliseconds.
    pub published: String,
    /// The record's state after the event, as N-Triples (empty for deletes).
    pub state: String,
}

fn event_node(seq: u64) -> NamedNode {
    NamedNode::new_unchecked(format!("urn:katalog:event:{seq:012}"))
}

/// Appends an event; `seq` comes from the caller, who holds the write lock.
pub(super) fn append(
    tx: &mut Transaction<'_>,
    seq: u64,
    activity: Activity,
    object: NamedNodeRef<'_>,
    published: &Literal,
    state: &str,
) {
    let node = event_node(seq);
    let g = GraphNameRef::DefaultGraph;
    tx.insert(QuadRef::new(&node, kat::ACTIVITY, activity.iri(), g));
    tx.insert(QuadRef::new(&node, kat::OBJECT, object, g));
    tx.insert(QuadRef::new(&node, kat::PUBLISHED, published, g));
    tx.insert(QuadRef::new(
        &node,
        kat::STATE,
        &Literal::new_simple_literal(state),
        g,
    ));
}

/// Every event, in order.
pub fn list(store: &Store) -> Result<Vec<Event>, StoreError> {
    let mut events = Vec::new();
    let QueryResults::Solutions(solutions) = SparqlEvaluator::new()
        .parse_query(LIST_EVENTS)
        .expect("valid query")
        .on_store(store)
        .execute()?
    else {
        return Ok(events);
    };
    for solution in solutions {
        let solution = solution?;
        let (
            Some(Term::NamedNode(event)),
            Some(Term::NamedNode(activity)),
            Some(Term::NamedNode(object)),
        ) = (
            solution.get("event"),
            solution.get("activity"),
            solution.get("object"),
        )
        else {
            continue;
        };
        let literal = |name: &str| match solution.get(name) {
            Some(Term::Literal(l)) => l.value().to_owned(),
            _ => String::new(),
        };
        let (Some(seq), Some(activity)) = (
            event
                .as_str()
                .rsplit(':')
                .next()
                .and_then(|s| s.parse().ok()),
            Activity::from_iri(activity.as_str()),
        ) else {
            continue;
        };
        events.push(Event {
            seq,
            activity,
            object: object.clone(),
            published: literal("published"),
            state: literal("state"),
        });
    }
    events.sort_by_key(|e| e.seq);
    Ok(events)
}
