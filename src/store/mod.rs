//! The catalogue store: an embedded Oxigraph (RocksDB) database holding one named graph per
//! record and nothing else, so that SPARQL runs on Oxigraph's own evaluation; katalog's
//! bookkeeping, the change log and each record as it was published ([`source`]) live in
//! the [`ledger`] beside it. Every read of a record reads the published copy, since the
//! graph holds Oxigraph's normalised literals.
pub mod events;
mod index;
pub mod ledger;
pub(crate) mod legacy;
mod records;
mod relabel;
pub mod source;

pub use events::{Activity, Event};
pub use index::{ContentHash, RecordIndex, RecordInfo};
pub use ledger::copy_table as copy_redb_table;
pub use records::{
    Plan, Planned, Record, RecordKind, Split, blank_root_iris, plan_records, split_records,
};

use crate::rdf::canonical_hash;
use crate::rdf::ns::{dcterms, xsd};
use ledger::{Batch, Entry, Ledger, LedgerError, Note, Site, Snapshot, StoredEvent};
use oxigraph::model::{
    GraphName, Literal, NamedNode, NamedNodeRef, NamedOrBlankNode, Quad, Term, Triple,
};
use oxigraph::store::{BulkLoader, StorageError, Store};
use redb::Durability;
use std::collections::{HashSet, VecDeque};
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("storage: {0}")]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

/// What one write did to each record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Created,
    Updated,
    Unchanged,
}

impl Change {
    /// `created`, `updated` or `unchanged`, as a write's summary names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Updated => "updated",
            Self::Unchanged => "unchanged",
        }
    }
}

/// Quads changed per Oxigraph transaction when graphs are written (see `write_graphs`).
const GRAPH_CHUNK: usize = 20_000;

/// New quads planned and written together in a large write (see `write_in_batches`), and
/// the bulk loader's share of them it sorts into files at a time: what a large write holds
/// in memory beyond its document is about one such batch.
const WRITE_BATCH_QUADS: usize = 12_000;

/// The ledger's file in the data directory.
pub const LEDGER_FILE: &str = "ledger.redb";

pub struct Catalogue {
    store: Store,
    ledger: Ledger,
    /// Sorted list of live records, rebuilt lazily after a write.
    index: RwLock<Option<Arc<RecordIndex>>>,
    /// One writer at a time: the event sequence is read and advanced inside each write.
    writer: Mutex<()>,
}

impl Catalogue {
    /// Opens (or creates) the store in `dir`. RocksDB and redb allow one process at a time.
    /// Bookkeeping an older katalog kept in the store's default graph is moved to the ledger,
    /// and graphs a crash left behind their ledger entries are rewritten.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir).map_err(StorageError::Io)?;
        let store = Store::open(dir)?;
        let ledger = Ledger::open(&dir.join(LEDGER_FILE))?;
        legacy::move_bookkeeping(&store, &ledger)?;
        // A store that holds no record yet is complete: this version writes every record's
        // published copy with it, so the first start after a load need not look for
        // missing copies in every record.
        if ledger.site(Site::SourcesComplete)?.is_none() && store.is_empty()? {
            ledger.update(Durability::Immediate, |batch| {
                batch.set_site(Site::SourcesComplete, Some("true"))
            })?;
        }
        let catalogue = Self {
            store,
            ledger,
            index: RwLock::new(None),
            writer: Mutex::new(()),
        };
        catalogue.finish_pending()?;
        Ok(catalogue)
    }

    /// The raw Oxigraph store: the records' graphs, for SPARQL evaluation.
    pub fn oxigraph(&self) -> &Store {
        &self.store
    }

    /// Replaces each record's graph, all at once: either every record is written or none
    /// is. Records whose canonical form did not change are left untouched. The records are
    /// taken one at a time, so a caller can make them as they are written rather than hold
    /// a large write whole.
    pub fn write(
        &self,
        records: impl IntoIterator<Item = Record>,
    ) -> Result<Vec<Change>, StoreError> {
        Ok(self.write_if(records, || true)?.unwrap_or_default())
    }

    /// Like [`Catalogue::write`], when `precondition` holds at the moment of writing (checked
    /// under the writer lock, so no other write slips in between); None when it does not.
    pub fn write_if(
        &self,
        records: impl IntoIterator<Item = Record>,
        precondition: impl FnOnce() -> bool,
    ) -> Result<Option<Vec<Change>>, StoreError> {
        let _writer = self.writer.lock().expect("writer lock");
        if !precondition() {
            return Ok(None);
        }
        let now = now_literal();
        let mut changes = Vec::new();
        let mut before: Option<Snapshot> = None;
        let written = self.write_in_batches(records, &now, &mut changes, &mut before);
        match (written, before) {
            (Err(e), Some(before)) => Err(self.undo(before, e)),
            (Err(e), None) => Err(e),
            (Ok(()), Some(_)) => {
                self.settle()?;
                Ok(Some(changes))
            }
            (Ok(()), None) => Ok(Some(changes)),
        }
    }

    /// Plans the records' writes and writes them in batches of about [`WRITE_BATCH_QUADS`]
    /// new quads, so that only one batch's published copies, events and quads are in memory
    /// at a time; `before` gathers what the ledger held about the records written, and the
    /// pending marks keep the batches one write.
    ///
    /// A write of more than one batch adds its quads through one bulk loader, which sorts
    /// each batch into files on its own thread while the next batch is planned, and adds
    /// all the files to the store in one step at the end: RocksDB then merges the write's
    /// files once, not once per batch.
    fn write_in_batches(
        &self,
        records: impl IntoIterator<Item = Record>,
        now: &Literal,
        changes: &mut Vec<Change>,
        before: &mut Option<Snapshot>,
    ) -> Result<(), StoreError> {
        let mut seq = self.next_seq()?;
        let mut batch = Vec::new();
        let mut quads = 0;
        let mut loader: Option<BulkLoader<'_>> = None;
        // The records the loader holds: one written again in the same write is planned
        // against the store once they are in it.
        let mut loading = HashSet::new();
        for mut record in records {
            if loading.contains(&record.iri)
                && let Some(held) = loader.take()
            {
                held.commit()?;
                loading.clear();
            }
            let Some(write) = self.plan(&mut record, now, seq)? else {
                changes.push(Change::Unchanged);
                continue;
            };
            changes.push(write.change);
            quads += write.triples.len();
            batch.push(write);
            seq += 1;
            if quads >= WRITE_BATCH_QUADS {
                let loader = loader.get_or_insert_with(|| self.loader());
                loading.extend(batch.iter().map(|w: &Write| w.iri.clone()));
                self.write_batch(std::mem::take(&mut batch), now, seq, before, Some(loader))?;
                quads = 0;
            }
        }
        if !batch.is_empty() {
            self.write_batch(batch, now, seq, before, loader.as_mut())?;
        }
        match loader {
            Some(loader) => Ok(loader.commit()?),
            None => Ok(()),
        }
    }

    /// Oxigraph's bulk loader as a large write uses it: each batch becomes one set of
    /// files, sorted on the loader's thread while the next batch is planned. Oxigraph takes
    /// the size of the loader's batch as memory, 1 000 quads per megabyte and thread, and
    /// ends a set of files at that size or at the end of each `load_quads`: a quarter more
    /// than [`WRITE_BATCH_QUADS`] holds a batch (which ends with the record that reaches
    /// it) in one set, where a set of the batch's own size left a second, tiny one each
    /// time, and the writer waited for the first to be sorted.
    fn loader(&self) -> BulkLoader<'_> {
        self.store
            .bulk_loader()
            .with_num_threads(2)
            .with_max_memory_size_in_megabytes(2 * WRITE_BATCH_QUADS * 5 / 4 / 1000)
    }

    /// Writes one batch of planned writes, ledger first (with `next_seq`, the event number
    /// after them), then the graphs: through `loader` when the write has one (their old
    /// quads removed now, the new ones added when the loader commits), else at once. The
    /// writes are taken whole: once the ledger has their copies, events and warnings, only
    /// the triples stay, and they move into the store rather than being copied.
    fn write_batch(
        &self,
        writes: Vec<Write>,
        now: &Literal,
        next_seq: u64,
        before: &mut Option<Snapshot>,
        loader: Option<&mut BulkLoader<'_>>,
    ) -> Result<(), StoreError> {
        let iris: Vec<&str> = writes.iter().map(|w| w.iri.as_str()).collect();
        let snapshot = self.ledger.snapshot(&iris)?;
        match before {
            Some(before) => before.absorb(snapshot),
            None => *before = Some(snapshot),
        }
        self.commit(&iris, now.value(), next_seq, |batch| {
            writes.iter().try_for_each(|w| w.record_in(batch))
        })?;
        let graphs: Vec<GraphWrite> = writes
            .into_iter()
            .map(|w| (w.iri, Some(w.triples), w.old))
            .collect();
        match loader {
            Some(loader) => Ok(self.load_graphs(graphs, loader)?),
            None => Ok(self.write_graphs(graphs)?),
        }
    }

    /// What writing `record` as event `seq` does, or None when its content is unchanged.
    /// Everything is read from the committed store: reads inside a large Oxigraph
    /// transaction scan its uncommitted batch, which made big loads quadratic. The writer
    /// lock keeps the committed state still meanwhile.
    fn plan(
        &self,
        record: &mut Record,
        now: &Literal,
        seq: u64,
    ) -> Result<Option<Write>, StoreError> {
        let iri = record.iri.as_ref();
        let digest = canonical_hash(&record.triples);
        let existing = self.ledger.entry(iri.as_str())?;
        if let Some(entry) = &existing
            && self.unchanged(record, &entry.hash, &digest)?
        {
            return Ok(None);
        }
        let old = if existing.is_some() {
            self.graph_quads(iri)?
        } else {
            Vec::new()
        };
        let publisher = record.publisher().map(|p| p.as_str().to_owned());
        let mut triples = std::mem::take(&mut record.triples);
        // Room for the stamp, so that pushing it does not reallocate twice as large.
        triples.reserve_exact(1);
        relabel::relabel_blank_nodes(&mut triples, &digest[..8]);
        if record.stamp_modified {
            triples.retain(|t| !is_root_modified(t, iri));
            triples.push(Triple::new(
                iri.into_owned(),
                dcterms::MODIFIED,
                now.clone(),
            ));
        }
        let source = source::encode(&mut triples).value().to_owned();
        let change = if existing.is_some() {
            Change::Updated
        } else {
            Change::Created
        };
        let activity = match change {
            Change::Updated => Activity::Update,
            _ => Activity::Create,
        };
        Ok(Some(Write {
            iri: record.iri.clone(),
            entry: Entry {
                kind: record.kind.class().as_str().to_owned(),
                modified: now.value().to_owned(),
                hash: digest,
                publisher,
                checked_with: record.checked_with.clone(),
                invalid: false,
                fails_active: false,
                origin: record.origin.clone(),
            },
            warnings: record.warnings.take(),
            activity,
            seq,
            source,
            triples,
            old,
            change,
        }))
    }

    /// True when the stored record, whose content hash is `stored`, has the content `digest`
    /// names. A record whose `dcterms:modified` katalog stamps is compared without it: it
    /// was written by `load` with its own date and is now put back through the publishing API.
    fn unchanged(&self, record: &Record, stored: &str, digest: &str) -> Result<bool, StoreError> {
        let iri = record.iri.as_ref();
        if stored == digest {
            return Ok(true);
        }
        if !record.stamp_modified {
            return Ok(false);
        }
        let Some(mut stored) = self.record(iri)? else {
            return Ok(false);
        };
        stored.retain(|t| !is_root_modified(t, iri));
        Ok(canonical_hash(&stored) == digest)
    }

    /// The next event number (the log is append-only, numbered from 0).
    fn next_seq(&self) -> Result<u64, StoreError> {
        Ok(self
            .ledger
            .site(Site::EventSeq)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0))
    }

    /// The first half of every write: the ledger takes the new state, with `iris` marked
    /// pending, durably, before any graph changes. Returns what it held before.
    fn commit(
        &self,
        iris: &[&str],
        now: &str,
        next_seq: u64,
        changes: impl FnOnce(&mut Batch<'_>) -> Result<(), LedgerError>,
    ) -> Result<(), StoreError> {
        self.ledger.update(Durability::Immediate, |batch| {
            changes(batch)?;
            for iri in iris {
                batch.mark_pending(iri)?;
            }
            batch.set_site(Site::LastChange, Some(now))?;
            batch.set_site(Site::EventSeq, Some(&next_seq.to_string()))
        })?;
        Ok(())
    }

    /// The second half: once the graphs are written the pending marks go.
    fn settle(&self) -> Result<(), StoreError> {
        self.invalidate();
        // Durable too: a mark left on disk would have the next start rewrite the graph.
        Ok(self
            .ledger
            .update(Durability::Immediate, |batch| batch.clear_pending())?)
    }

    /// When a write failed after its first batch reached the ledger: the ledger is put
    /// back as `before` holds it, and so are the graphs (those of the first batches and
    /// chunks may have been committed), rewritten from the restored published copies (or,
    /// if that fails too, left pending for the next start), so a failed write changes
    /// nothing. Returns the write's error.
    fn undo(&self, before: Snapshot, error: StoreError) -> StoreError {
        tracing::error!(error = %error, "a write failed; it is undone");
        self.invalidate();
        let restored = self.ledger.update(Durability::Immediate, |batch| {
            batch.restore(&before)?;
            before.iris().try_for_each(|iri| batch.mark_pending(iri))
        });
        if let Err(e) = restored {
            tracing::error!(error = %e, "restoring the ledger failed");
            return error;
        }
        if let Err(undo) = self.finish_pending() {
            tracing::error!(error = %undo, "putting the graphs back failed; the next start will");
        }
        self.invalidate();
        error
    }

    /// Writes graphs: each record's old quads (read before, from the committed store) go,
    /// its new triples come; None deletes the graph. A small write is one Oxigraph
    /// transaction, so a reader sees each record before or after, never between. A large
    /// one (a load, a harvest, a whole catalogue posted) removes the old quads first, in
    /// transactions of about [`GRAPH_CHUNK`] quads, then adds the new ones with Oxigraph's
    /// bulk loader, which writes sorted files and adds them in one step: its indexed
    /// transactions spent most of a large write's time sorting their batches and RocksDB
    /// compacting what they left. The ledger's pending marks make the steps one write: a
    /// crash between them is finished at the next start, a failure undone by
    /// [`Self::undo`].
    fn write_graphs(&self, graphs: Vec<GraphWrite>) -> Result<(), StorageError> {
        let added: usize = graphs
            .iter()
            .map(|(_, t, _)| t.as_ref().map_or(0, Vec::len))
            .sum();
        if added < GRAPH_CHUNK {
            return self.write_in_transactions(&graphs, true);
        }
        let mut loader = self.loader();
        self.load_graphs(graphs, &mut loader)?;
        loader.commit()
    }

    /// The large write's way: the old quads of `graphs` go now, in transactions, and their
    /// new triples go to `loader`, which adds them when it commits.
    fn load_graphs(
        &self,
        graphs: Vec<GraphWrite>,
        loader: &mut BulkLoader<'_>,
    ) -> Result<(), StorageError> {
        self.write_in_transactions(&graphs, false)?;
        loader.load_quads(new_quads(graphs))
    }

    /// Removes the old quads of `graphs`, and adds their new triples when `add`, in Oxigraph
    /// transactions of about [`GRAPH_CHUNK`] quads, at record boundaries.
    fn write_in_transactions(&self, graphs: &[GraphWrite], add: bool) -> Result<(), StorageError> {
        let mut tx = self.store.start_transaction()?;
        let mut in_chunk = 0;
        for (iri, triples, old) in graphs {
            if in_chunk >= GRAPH_CHUNK {
                tx.commit()?;
                // A large write would otherwise fill RocksDB's memtables (about 1 KB per
                // quad) before they are flushed on their own.
                self.store.flush()?;
                tx = self.store.start_transaction()?;
                in_chunk = 0;
            }
            in_chunk += old.len();
            for quad in old {
                tx.remove(quad);
            }
            match triples {
                Some(triples) if add => {
                    in_chunk += triples.len();
                    tx.insert_named_graph(iri);
                    for t in triples {
                        tx.insert(t.as_ref().in_graph(iri));
                    }
                }
                Some(_) => {}
                None => {
                    tx.remove_named_graph(iri)?;
                }
            }
        }
        tx.commit()
    }

    /// Rewrites the graphs of records a crash left pending, from their published copies
    /// (or removes them, for records deleted meanwhile).
    fn finish_pending(&self) -> Result<(), StoreError> {
        let pending = self.ledger.pending()?;
        if pending.is_empty() {
            return Ok(());
        }
        tracing::warn!(
            records = pending.len(),
            "finishing writes a crash interrupted"
        );
        let mut graphs = Vec::new();
        for iri in pending {
            let iri = NamedNode::new_unchecked(iri);
            let triples = self
                .ledger
                .source(iri.as_str())?
                .map(|text| source::decode(&text).unwrap_or_default());
            let old = self.graph_quads(iri.as_ref())?;
            graphs.push((iri, triples, old));
        }
        self.write_graphs(graphs)?;
        self.ledger
            .update(Durability::Immediate, |batch| batch.clear_pending())?;
        Ok(())
    }

    /// The quads of a record's graph as committed.
    fn graph_quads(&self, iri: NamedNodeRef<'_>) -> Result<Vec<Quad>, StoreError> {
        Ok(self
            .store
            .quads_for_pattern(None, None, None, Some(iri.into()))
            .collect::<Result<_, _>>()?)
    }

    /// Records the verdicts of checking stored records (IRI, content hash checked, verdict)
    /// against the shapes with digest `checked_with`. A verdict on content that has been
    /// replaced or deleted since (the check runs beside the server) is dropped.
    pub fn set_checked(
        &self,
        outcomes: &[(NamedNode, String, Verdict)],
        checked_with: Option<&str>,
    ) -> Result<(), StoreError> {
        if outcomes.is_empty() {
            return Ok(());
        }
        let _writer = self.writer.lock().expect("writer lock");
        self.ledger.update(Durability::Immediate, |batch| {
            for (iri, hash, verdict) in outcomes {
                let iri = iri.as_str();
                let Some(mut entry) = batch.entry(iri)?.filter(|e| e.hash == *hash) else {
                    continue;
                };
                let (left_out, still_served) = match verdict {
                    Verdict::Passes => (None, None),
                    Verdict::LeftOut(report) => (Some(report.as_str()), None),
                    Verdict::StillServed(report) => (None, Some(report.as_str())),
                };
                entry.invalid = left_out.is_some();
                entry.fails_active = still_served.is_some();
                entry.checked_with = checked_with.map(str::to_owned);
                batch.put_entry(iri, &entry)?;
                batch.set_note(iri, Note::Invalid, left_out)?;
                batch.set_note(iri, Note::FailsActive, still_served)?;
            }
            Ok(())
        })?;
        self.invalidate();
        Ok(())
    }

    /// The warnings kept beside a record (JSON), if any.
    pub fn warnings(&self, iri: NamedNodeRef<'_>) -> Result<Option<String>, StoreError> {
        Ok(self.ledger.note(iri.as_str(), Note::Warnings)?)
    }

    /// Why a record is left out of the feeds (JSON report), if it is.
    pub fn invalid_report(&self, iri: NamedNodeRef<'_>) -> Result<Option<String>, StoreError> {
        Ok(self.ledger.note(iri.as_str(), Note::Invalid)?)
    }

    /// Why a record that is still served fails the active shapes (JSON report), if it does.
    pub fn failing_report(&self, iri: NamedNodeRef<'_>) -> Result<Option<String>, StoreError> {
        Ok(self.ledger.note(iri.as_str(), Note::FailsActive)?)
    }

    /// The base URI the store's IRIs were minted under, recorded at first use.
    pub fn base_uri(&self) -> Result<Option<String>, StoreError> {
        Ok(self.ledger.site(Site::BaseUri)?)
    }

    pub fn set_base_uri(&self, base: &str) -> Result<(), StoreError> {
        let _writer = self.writer.lock().expect("writer lock");
        self.ledger.update(Durability::Immediate, |batch| {
            batch.set_site(Site::BaseUri, Some(base))
        })?;
        Ok(())
    }

    /// The change log, oldest first.
    pub fn events(&self) -> Result<Vec<Event>, StoreError> {
        self.stored_events(0, usize::MAX)?.decode()
    }

    /// How many events the change log holds (numbered from 0, without gaps).
    pub fn event_count(&self) -> Result<u64, StoreError> {
        Ok(self.ledger.event_count()?)
    }

    /// Deletes a record; its IRI then answers 410 Gone. False if there was no such record.
    pub fn delete(&self, iri: NamedNodeRef<'_>) -> Result<bool, StoreError> {
        Ok(self.delete_if(iri, || true)?.unwrap_or(false))
    }

    /// Deletes when `precondition` holds under the writer lock; None when it does not.
    pub fn delete_if(
        &self,
        iri: NamedNodeRef<'_>,
        precondition: impl FnOnce() -> bool,
    ) -> Result<Option<bool>, StoreError> {
        let _writer = self.writer.lock().expect("writer lock");
        if !precondition() {
            return Ok(None);
        }
        if self.ledger.entry(iri.as_str())?.is_none() {
            return Ok(Some(false));
        }
        let now = now_literal();
        let seq = self.next_seq()?;
        let old = self.graph_quads(iri)?;
        let event = StoredEvent {
            activity: Activity::Delete.iri().as_str().to_owned(),
            object: iri.as_str().to_owned(),
            published: now.value().to_owned(),
            state: String::new(),
        };
        let iris = [iri.as_str()];
        let before = self.ledger.snapshot(&iris)?;
        self.commit(&iris, now.value(), seq + 1, |batch| {
            batch.remove_record(iri.as_str())?;
            batch.set_deleted(iri.as_str(), Some(now.value()))?;
            batch.push_event(seq, &event)
        })?;
        let iri = iri.into_owned();
        if let Err(e) = self.write_graphs(vec![(iri, None, old)]) {
            return Err(self.undo(before, e.into()));
        }
        self.settle()?;
        Ok(Some(true))
    }

    /// The canonical hash of a record's content as last written (for the audit log).
    pub fn record_hash(&self, iri: NamedNodeRef<'_>) -> Result<Option<String>, StoreError> {
        Ok(self.ledger.entry(iri.as_str())?.map(|e| e.hash))
    }

    /// Loads triples as-is into one named graph that is not a record (used to stage test
    /// data such as the W3C protocol suite's graphs).
    pub fn load_raw_graph(
        &self,
        graph: NamedNodeRef<'_>,
        triples: &[Triple],
    ) -> Result<(), StoreError> {
        let mut tx = self.store.start_transaction()?;
        tx.clear_graph(graph)?;
        tx.insert_named_graph(graph);
        for t in triples {
            tx.insert(t.as_ref().in_graph(graph));
        }
        tx.commit()?;
        Ok(())
    }

    /// The triples of one record as they were published, or None when no record has that
    /// IRI. A graph with no kept copy (not a record, or one that [`Catalogue::keep_sources`]
    /// has not yet migrated) is read from the store.
    pub fn record(&self, iri: NamedNodeRef<'_>) -> Result<Option<Vec<Triple>>, StoreError> {
        if let Some(triples) = self
            .ledger
            .source(iri.as_str())?
            .and_then(|text| source::decode(&text))
        {
            return Ok(Some(triples));
        }
        self.stored_graph(iri)
    }

    /// The triples of a named graph as Oxigraph holds them (literals normalised).
    pub fn stored_graph(&self, iri: NamedNodeRef<'_>) -> Result<Option<Vec<Triple>>, StoreError> {
        if !self.store.contains_named_graph(iri)? {
            return Ok(None);
        }
        let triples = self
            .store
            .quads_for_pattern(None, None, None, Some(iri.into()))
            .map(|q| q.map(Triple::from))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(triples))
    }

    /// Live records with no copy kept as published: stored by a katalog older than the
    /// copies, they are migrated once at start.
    pub fn records_without_source(&self) -> Result<Vec<NamedNode>, StoreError> {
        let mut missing = Vec::new();
        for info in &self.index()?.records {
            if !self.ledger.has_source(info.iri.as_str())? {
                missing.push(info.iri.clone());
            }
        }
        Ok(missing)
    }

    /// Keeps these triples as the published form of each record, at once. The graph is not
    /// touched: Oxigraph would normalise the same literals again.
    pub fn keep_sources(&self, sources: &[(NamedNode, Vec<Triple>)]) -> Result<(), StoreError> {
        let _writer = self.writer.lock().expect("writer lock");
        self.ledger.update(Durability::Immediate, |batch| {
            for (iri, triples) in sources {
                let text = source::encode(&mut triples.clone());
                batch.put_source(iri.as_str(), text.value())?;
            }
            Ok(())
        })?;
        Ok(())
    }

    /// True once every record has its published copy: set by the migration, so that later
    /// starts need not look at every record again.
    pub fn sources_complete(&self) -> Result<bool, StoreError> {
        Ok(self.ledger.site(Site::SourcesComplete)?.is_some())
    }

    pub fn set_sources_complete(&self) -> Result<(), StoreError> {
        let _writer = self.writer.lock().expect("writer lock");
        self.ledger.update(Durability::Immediate, |batch| {
            batch.set_site(Site::SourcesComplete, Some("true"))
        })?;
        Ok(())
    }

    /// True when a record with this IRI existed and was deleted.
    pub fn is_deleted(&self, iri: NamedNodeRef<'_>) -> Result<bool, StoreError> {
        Ok(self.ledger.is_deleted(iri.as_str())?)
    }

    /// Everything the records say about `iri`, following blank nodes, as published: how a
    /// distribution, agent or contact point inside a record is dereferenced.
    pub fn describe(&self, iri: NamedNodeRef<'_>) -> Result<Vec<Triple>, StoreError> {
        let mut out = Vec::new();
        let mut kept: HashSet<Triple> = HashSet::new();
        for graph in self.records_about(iri)? {
            let triples = self.record(graph.as_ref())?.unwrap_or_default();
            for t in closure(&triples, iri) {
                if kept.insert(t.clone()) {
                    out.push(t);
                }
            }
        }
        Ok(out)
    }

    /// The records that say something of `iri` (hold a triple with it as subject), in the
    /// order the store finds them.
    pub fn records_about(&self, iri: NamedNodeRef<'_>) -> Result<Vec<NamedNode>, StoreError> {
        let mut graphs = Vec::new();
        for quad in self
            .store
            .quads_for_pattern(Some(iri.into()), None, None, None)
        {
            if let GraphName::NamedNode(g) = quad?.graph_name
                && !graphs.contains(&g)
            {
                graphs.push(g);
            }
        }
        Ok(graphs)
    }

    /// The records that link to `object` with `predicate` (the data services whose
    /// `dcat:servesDataset` names a dataset), sorted.
    pub fn linking_to(
        &self,
        predicate: NamedNodeRef<'_>,
        object: NamedNodeRef<'_>,
    ) -> Result<Vec<NamedNode>, StoreError> {
        let mut records = Vec::new();
        for quad in self
            .store
            .quads_for_pattern(None, Some(predicate), Some(object.into()), None)
        {
            if let GraphName::NamedNode(g) = quad?.graph_name {
                records.push(g);
            }
        }
        records.sort();
        records.dedup();
        Ok(records)
    }

    /// The records currently live, sorted by IRI.
    pub fn index(&self) -> Result<Arc<RecordIndex>, StoreError> {
        if let Some(index) = self.index.read().expect("index lock").as_ref() {
            return Ok(index.clone());
        }
        let index = Arc::new(RecordIndex::build(&self.ledger)?);
        *self.index.write().expect("index lock") = Some(index.clone());
        Ok(index)
    }

    fn invalidate(&self) {
        *self.index.write().expect("index lock") = None;
    }

    /// Writes a copy of the store and the ledger into `dir` (which must not exist) while
    /// writes wait: the copy is one consistent state, and usable as a data directory.
    /// Oxigraph's backup hard-links its immutable files when `dir` is on the same disk.
    pub fn backup(&self, dir: &Path) -> Result<(), StoreError> {
        let _writer = self.writer.lock().expect("writer lock");
        self.store.backup(dir)?;
        self.ledger.copy_to(&dir.join(LEDGER_FILE))?;
        Ok(())
    }

    /// Makes sure everything written is on disk (RocksDB's WAL already survives crashes,
    /// and the ledger commits durably).
    pub fn flush(&self) -> Result<(), StoreError> {
        Ok(self.store.flush()?)
    }

    /// True while a write holds the store (a catch-up beside a large write would compete
    /// with it for memory and the processor, and can wait for it to end).
    pub fn is_writing(&self) -> bool {
        self.writer.try_lock().is_err()
    }
}

/// A graph to write: its name, its new triples (None deletes it) and its quads before.
type GraphWrite = (NamedNode, Option<Vec<Triple>>, Vec<Quad>);

/// The new quads of `graphs`, moved out of them.
fn new_quads(graphs: Vec<GraphWrite>) -> impl Iterator<Item = Quad> {
    graphs.into_iter().flat_map(|(iri, triples, _)| {
        triples
            .unwrap_or_default()
            .into_iter()
            .map(move |t| t.in_graph(iri.clone()))
    })
}

/// One record's write, planned before anything is written.
struct Write {
    iri: NamedNode,
    entry: Entry,
    warnings: Option<String>,
    /// The change-log event's activity, numbered `seq`; its state is the published copy.
    activity: Activity,
    seq: u64,
    /// The record as published (sorted N-Triples).
    source: String,
    /// Its triples as written to the graph (blank nodes relabelled, date stamped).
    triples: Vec<Triple>,
    /// Its graph's quads before the write.
    old: Vec<Quad>,
    change: Change,
}

impl Write {
    fn record_in(&self, batch: &mut Batch<'_>) -> Result<(), LedgerError> {
        let iri = self.iri.as_str();
        batch.remove_record(iri)?;
        batch.set_deleted(iri, None)?;
        batch.put_entry(iri, &self.entry)?;
        batch.put_source(iri, &self.source)?;
        batch.set_note(iri, Note::Warnings, self.warnings.as_deref())?;
        // The event's copy of the source is made here, one record at a time, not held
        // beside every planned write.
        let event = StoredEvent {
            activity: self.activity.iri().as_str().to_owned(),
            object: iri.to_owned(),
            published: self.entry.modified.clone(),
            state: self.source.clone(),
        };
        batch.push_event(self.seq, &event)
    }
}

fn is_root_modified(t: &Triple, iri: NamedNodeRef<'_>) -> bool {
    t.subject.as_ref() == iri.into() && t.predicate.as_ref() == dcterms::MODIFIED
}

/// What checking a stored record against the active shapes found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Passes,
    /// It fails (the JSON report) and is left out of the feeds.
    LeftOut(String),
    /// It fails (the JSON report) but passed before, and is served as it last passed until
    /// an administrator applies the new verdicts.
    StillServed(String),
}

/// The triples about `node` in `triples`, and about the blank nodes they reach.
fn closure(triples: &[Triple], node: NamedNodeRef<'_>) -> Vec<Triple> {
    let mut out = Vec::new();
    let mut seen: HashSet<NamedOrBlankNode> = HashSet::new();
    let mut queue: VecDeque<NamedOrBlankNode> = VecDeque::from([node.into_owned().into()]);
    while let Some(node) = queue.pop_front() {
        if !seen.insert(node.clone()) {
            continue;
        }
        for t in triples.iter().filter(|t| t.subject == node) {
            if let Term::BlankNode(b) = &t.object {
                queue.push_back(b.clone().into());
            }
            out.push(t.clone());
        }
    }
    out
}

pub fn now_literal() -> Literal {
    // Milliseconds: LDES consumers order events by time, and writes can be close together.
    let now = OffsetDateTime::now_utc();
    let now = now
        .replace_millisecond(now.millisecond())
        .expect("milliseconds are valid");
    Literal::new_typed_literal(
        now.format(&Rfc3339).expect("RFC 3339 formats"),
        xsd::DATE_TIME,
    )
}

/// A base URI as katalog mints record IRIs under it: ending in `/`, so that
/// `{base}datasets/x` is a path below it.
pub fn base_with_slash(base: &str) -> String {
    if base.ends_with('/') {
        base.to_owned()
    } else {
        format!("{base}/")
    }
}

/// Parses an xsd:dateTime lexical form as written by katalog.
pub fn parse_time(value: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(value, &Rfc3339).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "https://data.example.se/";

    fn records() -> Vec<Record> {
        records_of(2)
    }

    /// The records of a generated catalogue of `datasets` datasets.
    fn records_of(datasets: usize) -> Vec<Record> {
        let turtle = crate::generate::catalogue_turtle(datasets);
        let triples = crate::rdf::parse_graph(
            turtle.as_bytes(),
            oxigraph::io::RdfFormat::Turtle,
            Some(BASE),
        )
        .unwrap();
        split_records(triples, BASE).records
    }

    #[test]
    fn a_record_written_twice_in_one_large_write_keeps_only_its_last_content() {
        let dir = tempfile::tempdir().unwrap();
        let catalogue = Catalogue::open(dir.path()).unwrap();
        let mut records = records_of(1500);
        let quads: usize = records.iter().map(|r| r.triples.len()).sum();
        assert!(
            quads > 2 * WRITE_BATCH_QUADS,
            "the write takes several batches"
        );
        let first = records
            .iter()
            .find(|r| r.kind == RecordKind::Dataset)
            .unwrap();
        let mut again = first.clone();
        let title = |t: &Triple| t.predicate.as_ref() == dcterms::TITLE;
        again.triples.retain(|t| !title(t));
        let iri = again.iri.clone();
        again.triples.push(Triple::new(
            iri.clone(),
            dcterms::TITLE,
            Literal::new_language_tagged_literal_unchecked("Andra upplagan", "sv"),
        ));
        records.push(again.clone());
        let changes = catalogue.write(records).unwrap();
        assert_eq!(changes.last(), Some(&Change::Updated));
        let stored = catalogue.stored_graph(iri.as_ref()).unwrap().unwrap();
        assert_eq!(
            stored.len(),
            again.triples.len(),
            "no quad of the first content is left"
        );
        let titles: Vec<_> = stored.iter().filter(|t| title(t)).collect();
        assert_eq!(titles.len(), 1);
        assert_eq!(titles[0].object.to_string(), "\"Andra upplagan\"@sv");
        assert_eq!(catalogue.index().unwrap().records.len(), changes.len() - 1);
    }

    /// The first half of a write, as `write_if` does it, without the graphs.
    fn commit_only(catalogue: &Catalogue, records: &[Record]) -> (Vec<Write>, Snapshot) {
        let now = now_literal();
        let writes: Vec<Write> = records
            .iter()
            .enumerate()
            .map(|(seq, r)| {
                let mut r = r.clone();
                catalogue.plan(&mut r, &now, seq as u64).unwrap().unwrap()
            })
            .collect();
        let iris: Vec<&str> = writes.iter().map(|w| w.iri.as_str()).collect();
        let before = catalogue.ledger.snapshot(&iris).unwrap();
        catalogue
            .commit(&iris, now.value(), writes.len() as u64, |batch| {
                writes.iter().try_for_each(|w| w.record_in(batch))
            })
            .unwrap();
        (writes, before)
    }

    #[test]
    fn a_new_store_needs_no_search_for_missing_published_copies() {
        let dir = tempfile::tempdir().unwrap();
        let catalogue = Catalogue::open(dir.path()).unwrap();
        assert!(catalogue.sources_complete().unwrap());
        catalogue.write(records()).unwrap();
        drop(catalogue);
        let reopened = Catalogue::open(dir.path()).unwrap();
        assert!(reopened.sources_complete().unwrap());
        assert!(reopened.records_without_source().unwrap().is_empty());
    }

    #[test]
    fn a_write_whose_later_graphs_fail_leaves_no_graph_behind() {
        let dir = tempfile::tempdir().unwrap();
        let catalogue = Catalogue::open(dir.path()).unwrap();
        let records = records();
        let (writes, before) = commit_only(&catalogue, &records);
        // The first chunk committed, then the store failed.
        let first = writes.into_iter().next().unwrap();
        catalogue
            .write_graphs(vec![(first.iri, Some(first.triples), first.old)])
            .unwrap();
        assert!(!catalogue.oxigraph().is_empty().unwrap());
        let failed = StorageError::Other("disk gone".into());
        catalogue.undo(before, failed.into());
        assert!(
            catalogue.oxigraph().is_empty().unwrap(),
            "the chunk is undone"
        );
        assert!(catalogue.ledger.pending().unwrap().is_empty());
        assert!(catalogue.index().unwrap().records.is_empty());
    }

    #[test]
    fn a_write_a_crash_interrupted_is_finished_at_the_next_open() {
        let dir = tempfile::tempdir().unwrap();
        let records = records();
        {
            let catalogue = Catalogue::open(dir.path()).unwrap();
            commit_only(&catalogue, &records);
            assert!(
                catalogue.oxigraph().is_empty().unwrap(),
                "no graph written yet"
            );
        }
        let catalogue = Catalogue::open(dir.path()).unwrap();
        assert!(catalogue.ledger.pending().unwrap().is_empty());
        for record in &records {
            let iri = record.iri.as_ref();
            let published = catalogue.record(iri).unwrap().unwrap();
            let stored = catalogue.stored_graph(iri).unwrap().unwrap();
            assert!(!stored.is_empty());
            assert_eq!(
                published.len(),
                stored.len(),
                "the graph is the published copy"
            );
        }
        // Finished once: the records are unchanged when written again.
        assert!(
            catalogue
                .write(records.clone())
                .unwrap()
                .iter()
                .all(|c| *c == Change::Unchanged)
        );
    }

    #[test]
    fn a_write_whose_graphs_fail_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let catalogue = Catalogue::open(dir.path()).unwrap();
        let records = records();
        let (_, before) = commit_only(&catalogue, &records);
        let failed = std::io::Error::other("disk full");
        catalogue.undo(before, StorageError::from(failed).into());
        assert!(catalogue.index().unwrap().records.is_empty());
        assert!(catalogue.events().unwrap().is_empty());
        assert!(catalogue.ledger.pending().unwrap().is_empty());
        assert_eq!(catalogue.next_seq().unwrap(), 0);
        assert!(catalogue.record(records[0].iri.as_ref()).unwrap().is_none());
        // The same write then succeeds as a creation.
        let changes = catalogue.write(records.clone()).unwrap();
        assert!(changes.iter().all(|c| *c == Change::Created));
        assert_eq!(catalogue.events().unwrap().len(), records.len());
    }
}
