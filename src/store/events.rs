//! The change log behind the LDES feed: every create, update and delete of a record appends
//! an event in the same ledger transaction as the change; each event keeps the record's
//! state (N-Triples, as published) so the feed can be replayed.
use super::ledger::StoredEvent;
use oxigraph::model::{NamedNode, NamedNodeRef};

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

    pub(super) fn from_iri(iri: &str) -> Option<Self> {
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

impl Event {
    pub(super) fn from_stored(seq: u64, stored: StoredEvent) -> Option<Self> {
        Some(Self {
            seq,
            activity: Activity::from_iri(&stored.activity)?,
            object: NamedNode::new(stored.object).ok()?,
            published: stored.published,
            state: stored.state,
        })
    }
}
