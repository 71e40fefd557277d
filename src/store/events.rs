//! The change log behind the LDES feed: every create, update and delete of a record appends
//! an event in the same ledger transaction as the change; each event keeps the record's
//! state (N-Triples, as published) so the feed can be replayed.
use super::ledger::{RawEvent, StoredEvent};
use super::{Catalogue, StoreError};
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

/// Events as the change log keeps them, undecoded: a feed page hashes these bytes for its
/// validator and decodes them only when it is rendered.
#[derive(Debug, Clone)]
pub struct StoredRun {
    /// How many events the log held when these were read.
    pub count: u64,
    /// (event number, the event as stored).
    pub events: Vec<RawEvent>,
}

impl StoredRun {
    /// The events, decoded; those of an activity katalog does not know are left out.
    pub fn decode(&self) -> Result<Vec<Event>, StoreError> {
        let mut out = Vec::with_capacity(self.events.len());
        for (seq, bytes) in &self.events {
            out.extend(Event::from_stored(*seq, StoredEvent::decode(*seq, bytes)?));
        }
        Ok(out)
    }
}

impl Catalogue {
    /// The records that at most `limit` events from event `seq` on changed, in order, and
    /// the number of the event after the last one read.
    pub fn changed_records(
        &self,
        seq: u64,
        limit: usize,
    ) -> Result<(u64, Vec<NamedNode>), StoreError> {
        let events = self.ledger.event_objects(seq, limit)?;
        let next = events.last().map_or(seq, |(last, _)| last + 1);
        let records = events
            .into_iter()
            .filter_map(|(_, object)| NamedNode::new(object).ok())
            .collect();
        Ok((next, records))
    }

    /// At most `limit` events from event `seq` on, as stored, with the log's length at the
    /// same moment (one read transaction).
    pub fn stored_events(&self, seq: u64, limit: usize) -> Result<StoredRun, StoreError> {
        let (count, events) = self.ledger.event_run(seq, limit)?;
        Ok(StoredRun { count, events })
    }
}
