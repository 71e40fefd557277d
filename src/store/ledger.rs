//! The ledger: katalog's private bookkeeping, kept beside the Oxigraph store in redb
//! (`ledger.redb` in the data directory), never in it.
//!
//! Oxigraph's union default graph is the union of *all* its graphs, its default graph
//! included, and its encoded terms are private to it. Anything katalog kept in the store
//! would therefore either show through SPARQL or need a filtering view that decodes every
//! quad. With the bookkeeping here, the Oxigraph store holds the records' graphs and nothing
//! else, so the public endpoint is Oxigraph's own evaluation on its own encoded terms.
//!
//! What lives here: each record's entry (kind, time of writing, content hash, publisher,
//! verdicts), its published copy ([`super::source`]), notes beside it (warnings, reports),
//! deletion marks, the change log behind the LDES feed and a few site values.
//!
//! **Crash consistency with the graphs.** The ledger is the authority; a record's graph is
//! derived from its published copy. A write commits here first, with the records it touches
//! marked *pending*, then writes the graphs, then clears the marks. A crash in between
//! leaves marks, and opening the store rewrites those graphs from their copies (see
//! `Catalogue::open`). A write whose graphs fail is undone here from a [`Snapshot`].
use redb::{
    Database, Durability, ReadableDatabase, ReadableTable, ReadableTableMetadata, Table,
    TableDefinition, WriteTransaction,
};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Record IRI → [`Entry`] (JSON).
const RECORDS: TableDefinition<&str, &[u8]> = TableDefinition::new("records");
/// Record IRI → the record as published (sorted N-Triples).
const SOURCES: TableDefinition<&str, &str> = TableDefinition::new("sources");
/// (record IRI, [`Note`] name) → text (JSON reports and warnings, a digest).
const NOTES: TableDefinition<(&str, &str), &str> = TableDefinition::new("notes");
/// IRI of a deleted record → when it was deleted (it then answers 410 Gone).
const DELETED: TableDefinition<&str, &str> = TableDefinition::new("deleted");
/// Event number → [`StoredEvent`] (JSON): the change log, append-only.
const EVENTS: TableDefinition<u64, &[u8]> = TableDefinition::new("events");
/// [`Site`] name → value.
const SITE: TableDefinition<&str, &str> = TableDefinition::new("site");
/// IRIs whose graphs may lag behind their entry here (a write was interrupted).
const PENDING: TableDefinition<&str, ()> = TableDefinition::new("pending");

/// Pages redb keeps in memory, read and written: a write adds its pages here until the
/// cache is full, so this is memory a large write may take beyond its own. Reads of a
/// record's copy or an event are single lookups, which the operating system's file cache
/// serves nearly as well.
const MEMORY_BYTES: usize = 4 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("ledger: {0}")]
    Redb(#[from] redb::Error),
    #[error("ledger entry {0:?} is not readable: {1}")]
    Corrupt(String, serde_json::Error),
}

macro_rules! redb_errors {
    ($($t:ty),*) => {$(
        impl From<$t> for LedgerError {
            fn from(e: $t) -> Self {
                Self::Redb(e.into())
            }
        }
    )*};
}
redb_errors!(
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError,
    redb::SetDurabilityError
);

type Result<T> = std::result::Result<T, LedgerError>;

/// What the ledger knows of one live record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The record class IRI (`dcat:Dataset`, …).
    pub kind: String,
    /// When katalog wrote it (xsd:dateTime).
    pub modified: String,
    /// The canonical hash of its content.
    pub hash: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    /// The digest of the shapes it was last checked against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked_with: Option<String>,
    /// It fails the active shapes and is left out of the feeds ([`Note::Invalid`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub invalid: bool,
    /// It fails the active shapes but is still served ([`Note::FailsActive`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fails_active: bool,
    /// The connected source it was harvested from (`source:N`); None when published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
}

/// Text kept beside a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Note {
    Warnings,
    Invalid,
    FailsActive,
}

impl Note {
    pub const ALL: [Note; 3] = [Self::Warnings, Self::Invalid, Self::FailsActive];

    fn name(self) -> &'static str {
        match self {
            Self::Warnings => "warnings",
            Self::Invalid => "invalid",
            Self::FailsActive => "failsActive",
        }
    }
}

/// Values about the whole catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Site {
    LastChange,
    EventSeq,
    BaseUri,
    SourcesComplete,
}

impl Site {
    pub const ALL: [Site; 4] = [
        Self::LastChange,
        Self::EventSeq,
        Self::BaseUri,
        Self::SourcesComplete,
    ];

    fn name(self) -> &'static str {
        match self {
            Self::LastChange => "lastChange",
            Self::EventSeq => "eventSeq",
            Self::BaseUri => "baseUri",
            Self::SourcesComplete => "sourcesComplete",
        }
    }
}

/// An event's number and its bytes as stored (JSON).
pub type RawEvent = (u64, Vec<u8>);

/// One change-log event as kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredEvent {
    /// The ActivityStreams activity IRI.
    pub activity: String,
    pub object: String,
    pub published: String,
    /// The record as published after the event (empty for a delete).
    pub state: String,
}

impl StoredEvent {
    /// Event `seq` from what the change log keeps (JSON).
    pub fn decode(seq: u64, bytes: &[u8]) -> Result<Self> {
        serde_json::from_slice(bytes).map_err(|e| LedgerError::Corrupt(format!("event {seq}"), e))
    }
}

/// Everything the ledger holds about some records and the site, before a write: what
/// [`Batch::restore`] puts back when the write's graphs fail.
#[derive(Debug, Default)]
pub struct Snapshot {
    records: Vec<RecordState>,
    site: Vec<(Site, Option<String>)>,
    next_event: u64,
}

impl Snapshot {
    /// The records the snapshot is of.
    pub fn iris(&self) -> impl Iterator<Item = &str> {
        self.records.iter().map(|r| r.iri.as_str())
    }

    /// Adds the records of a later snapshot, taken before a later batch of the same write
    /// (which had not touched them): the site and the event count stay this one's.
    pub fn absorb(&mut self, later: Snapshot) {
        self.records.extend(later.records);
    }
}

#[derive(Debug)]
struct RecordState {
    iri: String,
    entry: Option<Vec<u8>>,
    source: Option<String>,
    notes: Vec<(Note, Option<String>)>,
    deleted: Option<String>,
}

pub struct Ledger {
    db: Database,
}

impl Ledger {
    /// Opens (or creates) the ledger file. redb locks it: one process at a time.
    pub fn open(path: &Path) -> Result<Self> {
        let db = Database::builder()
            .set_cache_size(MEMORY_BYTES)
            .create(path)?;
        let ledger = Self { db };
        ledger.update(Durability::Immediate, |_| Ok(()))?;
        Ok(ledger)
    }

    /// Writes a copy of every table, as of one read transaction, into a new file (backups:
    /// consistent while the server writes).
    pub fn copy_to(&self, path: &Path) -> Result<()> {
        let target = Database::create(path)?;
        let from = self.db.begin_read()?;
        let to = target.begin_write()?;
        copy_table(&from, &to, RECORDS)?;
        copy_table(&from, &to, SOURCES)?;
        copy_table(&from, &to, NOTES)?;
        copy_table(&from, &to, DELETED)?;
        copy_table(&from, &to, EVENTS)?;
        copy_table(&from, &to, SITE)?;
        copy_table(&from, &to, PENDING)?;
        to.commit()?;
        Ok(())
    }

    /// Runs `f` on one write transaction and commits it; nothing is written if `f` fails.
    pub fn update<T>(
        &self,
        durability: Durability,
        f: impl FnOnce(&mut Batch<'_>) -> Result<T>,
    ) -> Result<T> {
        let mut tx = self.db.begin_write()?;
        tx.set_durability(durability)?;
        let out = {
            let mut batch = Batch::open(&tx)?;
            f(&mut batch)?
        };
        tx.commit()?;
        Ok(out)
    }

    pub fn entry(&self, iri: &str) -> Result<Option<Entry>> {
        let tx = self.db.begin_read()?;
        let table = tx.open_table(RECORDS)?;
        let value = table.get(iri)?;
        value.map(|v| parse(iri, v.value())).transpose()
    }

    /// Every live record's entry, in IRI order.
    /// Every live record's entry, in IRI order, handed to `f` one at a time: the index of a
    /// large catalogue is built without a second copy of every entry.
    pub fn for_each_entry(&self, mut f: impl FnMut(&str, Entry)) -> Result<()> {
        let tx = self.db.begin_read()?;
        let table = tx.open_table(RECORDS)?;
        for row in table.iter()? {
            let (k, v) = row?;
            f(k.value(), parse(k.value(), v.value())?);
        }
        Ok(())
    }

    /// How many live records the ledger has.
    pub fn entry_count(&self) -> Result<usize> {
        let tx = self.db.begin_read()?;
        Ok(tx.open_table(RECORDS)?.len()? as usize)
    }

    pub fn source(&self, iri: &str) -> Result<Option<String>> {
        let tx = self.db.begin_read()?;
        let table = tx.open_table(SOURCES)?;
        Ok(table.get(iri)?.map(|v| v.value().to_owned()))
    }

    pub fn has_source(&self, iri: &str) -> Result<bool> {
        let tx = self.db.begin_read()?;
        Ok(tx.open_table(SOURCES)?.get(iri)?.is_some())
    }

    pub fn note(&self, iri: &str, note: Note) -> Result<Option<String>> {
        let tx = self.db.begin_read()?;
        let table = tx.open_table(NOTES)?;
        Ok(table.get((iri, note.name()))?.map(|v| v.value().to_owned()))
    }

    pub fn is_deleted(&self, iri: &str) -> Result<bool> {
        let tx = self.db.begin_read()?;
        Ok(tx.open_table(DELETED)?.get(iri)?.is_some())
    }

    pub fn site(&self, key: Site) -> Result<Option<String>> {
        let tx = self.db.begin_read()?;
        let table = tx.open_table(SITE)?;
        Ok(table.get(key.name())?.map(|v| v.value().to_owned()))
    }

    /// How many events the change log holds and at most `limit` of them from event `from`
    /// on, as stored (JSON), read in one transaction: the count then says truly whether
    /// more follow.
    pub fn event_run(&self, from: u64, limit: usize) -> Result<(u64, Vec<RawEvent>)> {
        let tx = self.db.begin_read()?;
        let table = tx.open_table(EVENTS)?;
        let count = table.last()?.map_or(0, |(k, _)| k.value() + 1);
        let mut out = Vec::new();
        for row in table.range(from..)?.take(limit) {
            let (k, v) = row?;
            out.push((k.value(), v.value().to_vec()));
        }
        Ok((count, out))
    }

    /// The number and the changed record's IRI of at most `limit` events from event `from`
    /// on: each event read in place, its record state (most of its bytes) left undecoded.
    pub fn event_objects(&self, from: u64, limit: usize) -> Result<Vec<(u64, String)>> {
        #[derive(Deserialize)]
        struct EventObject {
            object: String,
        }
        let tx = self.db.begin_read()?;
        let table = tx.open_table(EVENTS)?;
        let mut out = Vec::new();
        for row in table.range(from..)?.take(limit) {
            let (k, v) = row?;
            let seq = k.value();
            let event: EventObject = serde_json::from_slice(v.value())
                .map_err(|e| LedgerError::Corrupt(format!("event {seq}"), e))?;
            out.push((seq, event.object));
        }
        Ok(out)
    }

    /// How many events the change log holds (they are numbered from 0, without gaps).
    pub fn event_count(&self) -> Result<u64> {
        let tx = self.db.begin_read()?;
        let table = tx.open_table(EVENTS)?;
        Ok(table.last()?.map_or(0, |(k, _)| k.value() + 1))
    }

    /// The records marked pending by a write that did not finish.
    pub fn pending(&self) -> Result<Vec<String>> {
        let tx = self.db.begin_read()?;
        let table = tx.open_table(PENDING)?;
        let mut out = Vec::new();
        for row in table.iter()? {
            out.push(row?.0.value().to_owned());
        }
        Ok(out)
    }

    /// What the ledger holds about these records and the site now.
    pub fn snapshot(&self, iris: &[&str]) -> Result<Snapshot> {
        let tx = self.db.begin_read()?;
        let records = tx.open_table(RECORDS)?;
        let sources = tx.open_table(SOURCES)?;
        let notes = tx.open_table(NOTES)?;
        let deleted = tx.open_table(DELETED)?;
        let site = tx.open_table(SITE)?;
        let events = tx.open_table(EVENTS)?;
        let mut snapshot = Snapshot {
            next_event: events.last()?.map_or(0, |(k, _)| k.value() + 1),
            ..Snapshot::default()
        };
        for iri in iris {
            snapshot.records.push(RecordState {
                iri: (*iri).to_owned(),
                entry: records.get(*iri)?.map(|v| v.value().to_vec()),
                source: sources.get(*iri)?.map(|v| v.value().to_owned()),
                notes: Note::ALL
                    .iter()
                    .map(|n| {
                        Ok((
                            *n,
                            notes.get((*iri, n.name()))?.map(|v| v.value().to_owned()),
                        ))
                    })
                    .collect::<Result<_>>()?,
                deleted: deleted.get(*iri)?.map(|v| v.value().to_owned()),
            });
        }
        for key in Site::ALL {
            snapshot
                .site
                .push((key, site.get(key.name())?.map(|v| v.value().to_owned())));
        }
        Ok(snapshot)
    }
}

fn parse(iri: &str, bytes: &[u8]) -> Result<Entry> {
    serde_json::from_slice(bytes).map_err(|e| LedgerError::Corrupt(iri.to_owned(), e))
}

/// The ledger's tables inside one write transaction.
pub struct Batch<'t> {
    records: Table<'t, &'static str, &'static [u8]>,
    sources: Table<'t, &'static str, &'static str>,
    notes: Table<'t, (&'static str, &'static str), &'static str>,
    deleted: Table<'t, &'static str, &'static str>,
    events: Table<'t, u64, &'static [u8]>,
    site: Table<'t, &'static str, &'static str>,
    pending: Table<'t, &'static str, ()>,
}

impl<'t> Batch<'t> {
    fn open(tx: &'t WriteTransaction) -> Result<Self> {
        Ok(Self {
            records: tx.open_table(RECORDS)?,
            sources: tx.open_table(SOURCES)?,
            notes: tx.open_table(NOTES)?,
            deleted: tx.open_table(DELETED)?,
            events: tx.open_table(EVENTS)?,
            site: tx.open_table(SITE)?,
            pending: tx.open_table(PENDING)?,
        })
    }

    pub fn entry(&self, iri: &str) -> Result<Option<Entry>> {
        let value = self.records.get(iri)?;
        value.map(|v| parse(iri, v.value())).transpose()
    }

    pub fn put_entry(&mut self, iri: &str, entry: &Entry) -> Result<()> {
        let json = serde_json::to_vec(entry).expect("an entry serialises");
        self.records.insert(iri, json.as_slice())?;
        Ok(())
    }

    pub fn put_source(&mut self, iri: &str, source: &str) -> Result<()> {
        self.sources.insert(iri, source)?;
        Ok(())
    }

    pub fn set_note(&mut self, iri: &str, note: Note, text: Option<&str>) -> Result<()> {
        match text {
            Some(text) => self.notes.insert((iri, note.name()), text)?,
            None => self.notes.remove((iri, note.name()))?,
        };
        Ok(())
    }

    /// Forgets a live record: its entry, copy and notes (not its events).
    pub fn remove_record(&mut self, iri: &str) -> Result<()> {
        self.records.remove(iri)?;
        self.sources.remove(iri)?;
        for note in Note::ALL {
            self.set_note(iri, note, None)?;
        }
        Ok(())
    }

    pub fn set_deleted(&mut self, iri: &str, when: Option<&str>) -> Result<()> {
        match when {
            Some(when) => self.deleted.insert(iri, when)?,
            None => self.deleted.remove(iri)?,
        };
        Ok(())
    }

    pub fn push_event(&mut self, seq: u64, event: &StoredEvent) -> Result<()> {
        let json = serde_json::to_vec(event).expect("an event serialises");
        self.events.insert(seq, json.as_slice())?;
        Ok(())
    }

    pub fn set_site(&mut self, key: Site, value: Option<&str>) -> Result<()> {
        match value {
            Some(value) => self.site.insert(key.name(), value)?,
            None => self.site.remove(key.name())?,
        };
        Ok(())
    }

    pub fn mark_pending(&mut self, iri: &str) -> Result<()> {
        self.pending.insert(iri, ())?;
        Ok(())
    }

    pub fn clear_pending(&mut self) -> Result<()> {
        self.pending.retain(|_, _| false)?;
        Ok(())
    }

    /// Puts back what `snapshot` holds, and drops the events appended since.
    pub fn restore(&mut self, snapshot: &Snapshot) -> Result<()> {
        for state in &snapshot.records {
            let iri = state.iri.as_str();
            match &state.entry {
                Some(bytes) => self.records.insert(iri, bytes.as_slice())?,
                None => self.records.remove(iri)?,
            };
            match &state.source {
                Some(text) => self.sources.insert(iri, text.as_str())?,
                None => self.sources.remove(iri)?,
            };
            for (note, text) in &state.notes {
                self.set_note(iri, *note, text.as_deref())?;
            }
            self.set_deleted(iri, state.deleted.as_deref())?;
            self.pending.remove(iri)?;
        }
        for (key, value) in &snapshot.site {
            self.set_site(*key, value.as_deref())?;
        }
        let next = snapshot.next_event;
        self.events.retain(|seq, _| seq < next)?;
        Ok(())
    }
}

/// Copies one table of a read transaction into a write transaction of another database.
pub fn copy_table<K: redb::Key + 'static, V: redb::Value + 'static>(
    from: &redb::ReadTransaction,
    to: &WriteTransaction,
    definition: TableDefinition<K, V>,
) -> std::result::Result<(), redb::Error> {
    let source = match from.open_table(definition) {
        Ok(table) => table,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let mut target = to.open_table(definition)?;
    for entry in source.iter()? {
        let (key, value) = entry?;
        target.insert(key.value(), value.value())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(hash: &str) -> Entry {
        Entry {
            kind: "http://www.w3.org/ns/dcat#Dataset".into(),
            modified: "2026-01-01T00:00:00Z".into(),
            hash: hash.into(),
            publisher: None,
            checked_with: None,
            invalid: false,
            fails_active: false,
            origin: None,
        }
    }

    #[test]
    fn a_restored_snapshot_puts_everything_back() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::open(&dir.path().join("l.redb")).unwrap();
        ledger
            .update(Durability::Immediate, |b| {
                b.put_entry("http://x.se/a", &entry("h1"))?;
                b.put_source("http://x.se/a", "old")?;
                b.set_note("http://x.se/a", Note::Warnings, Some("w"))?;
                b.set_site(Site::EventSeq, Some("1"))
            })
            .unwrap();
        let snapshot = ledger
            .snapshot(&["http://x.se/a", "http://x.se/b"])
            .unwrap();
        ledger
            .update(Durability::Immediate, |b| {
                b.remove_record("http://x.se/a")?;
                b.set_deleted("http://x.se/a", Some("now"))?;
                b.put_entry("http://x.se/b", &entry("h2"))?;
                b.push_event(
                    0,
                    &StoredEvent {
                        activity: "a".into(),
                        object: "o".into(),
                        published: "p".into(),
                        state: String::new(),
                    },
                )?;
                b.mark_pending("http://x.se/b")?;
                b.set_site(Site::EventSeq, Some("2"))
            })
            .unwrap();
        ledger
            .update(Durability::Immediate, |b| b.restore(&snapshot))
            .unwrap();
        assert_eq!(ledger.entry("http://x.se/a").unwrap(), Some(entry("h1")));
        assert_eq!(
            ledger.source("http://x.se/a").unwrap().as_deref(),
            Some("old")
        );
        assert_eq!(
            ledger
                .note("http://x.se/a", Note::Warnings)
                .unwrap()
                .as_deref(),
            Some("w")
        );
        assert!(!ledger.is_deleted("http://x.se/a").unwrap());
        assert_eq!(ledger.entry("http://x.se/b").unwrap(), None);
        assert!(ledger.event_run(0, usize::MAX).unwrap().1.is_empty());
        assert_eq!(ledger.event_count().unwrap(), 0);
        assert!(ledger.pending().unwrap().is_empty());
        assert_eq!(ledger.site(Site::EventSeq).unwrap().as_deref(), Some("1"));
    }
}
