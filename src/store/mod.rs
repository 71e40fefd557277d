//! The catalogue store: an embedded Oxigraph (RocksDB) database holding one named graph per
//! record, with katalog's bookkeeping in the default graph (never exposed publicly). Each
//! record is also kept there as it was published ([`source`]): every read of a record reads
//! that copy, since the graph holds Oxigraph's normalised literals.
pub mod events;
mod index;
mod records;
mod relabel;
pub mod source;

pub use events::{Activity, Event};
pub use index::{RecordIndex, RecordInfo};
pub use records::{Record, RecordKind, Split, split_records};

use crate::rdf::canonical_hash;
use crate::rdf::ns::{dcterms, kat, xsd};
use oxigraph::model::{
    GraphName, GraphNameRef, Literal, NamedNode, NamedNodeRef, NamedOrBlankNode, Quad, QuadRef,
    Term, Triple,
};
use oxigraph::store::{StorageError, Store, Transaction};
use std::collections::{HashSet, VecDeque};
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("storage: {0}")]
    Storage(#[from] StorageError),
    #[error("bookkeeping query: {0}")]
    Query(#[from] oxigraph::sparql::QueryEvaluationError),
}

/// What one write did to each record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Created,
    Updated,
    Unchanged,
}

pub struct Catalogue {
    store: Store,
    /// Sorted list of live records, rebuilt lazily after a write.
    index: RwLock<Option<Arc<RecordIndex>>>,
    /// One writer at a time: the event sequence is read and advanced inside each write.
    writer: Mutex<()>,
}

impl Catalogue {
    /// Opens (or creates) the store in `dir`. RocksDB allows one process at a time.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir).map_err(StorageError::Io)?;
        Ok(Self::from_store(Store::open(dir)?))
    }

    fn from_store(store: Store) -> Self {
        Self {
            store,
            index: RwLock::new(None),
            writer: Mutex::new(()),
        }
    }

    /// The raw Oxigraph store, for SPARQL evaluation.
    pub fn oxigraph(&self) -> &Store {
        &self.store
    }

    /// Replaces each record's graph, all in one transaction: either every record is written
    /// or none is. Records whose canonical form did not change are left untouched.
    pub fn write(&self, records: &[Record]) -> Result<Vec<Change>, StoreError> {
        Ok(self.write_if(records, || true)?.unwrap_or_default())
    }

    /// Like [`Catalogue::write`], when `precondition` holds at the moment of writing (checked
    /// under the writer lock, so no other write slips in between); None when it does not.
    pub fn write_if(
        &self,
        records: &[Record],
        precondition: impl FnOnce() -> bool,
    ) -> Result<Option<Vec<Change>>, StoreError> {
        let _writer = self.writer.lock().expect("writer lock");
        if !precondition() {
            return Ok(None);
        }
        let now = now_literal();
        // Everything the write must read is read from the committed store first: reads
        // inside a large transaction scan its uncommitted batch, which made big loads
        // quadratic. The writer lock keeps the committed state still meanwhile.
        let plans = records
            .iter()
            .map(|r| self.plan(r))
            .collect::<Result<Vec<_>, _>>()?;
        let mut seq = self.next_seq()?;
        let mut tx = self.store.start_transaction()?;
        let mut changes = Vec::with_capacity(records.len());
        for (record, plan) in records.iter().zip(plans) {
            let change = match plan {
                None => Change::Unchanged,
                Some(plan) => {
                    let change = write_record(&mut tx, record, plan, &now, seq);
                    seq += 1;
                    change
                }
            };
            changes.push(change);
        }
        if changes.iter().any(|c| *c != Change::Unchanged) {
            set_site_value(&mut tx, kat::LAST_CHANGE, now.clone())?;
            set_site_value(&mut tx, kat::EVENT_SEQ, Literal::from(seq as i64))?;
        }
        tx.commit()?;
        self.invalidate();
        Ok(Some(changes))
    }

    /// What writing `record` replaces, or None when its content is unchanged.
    fn plan(&self, record: &Record) -> Result<Option<Plan>, StoreError> {
        let iri = record.iri.as_ref();
        let digest = canonical_hash(&record.triples);
        let existed = self.store.contains_named_graph(iri)?;
        if existed && self.unchanged(record, &digest)? {
            return Ok(None);
        }
        let mut old = Vec::new();
        if existed {
            for quad in self
                .store
                .quads_for_pattern(None, None, None, Some(iri.into()))
            {
                old.push(quad?);
            }
        }
        for quad in self.store.quads_for_pattern(
            Some(iri.into()),
            None,
            None,
            Some(GraphNameRef::DefaultGraph),
        ) {
            let quad = quad?;
            if BOOKKEEPING.contains(&quad.predicate.as_ref()) {
                old.push(quad);
            }
        }
        Ok(Some(Plan {
            digest,
            existed,
            old,
        }))
    }

    /// True when the stored record has the content `digest` names. A record whose
    /// `dcterms:modified` katalog stamps is compared without it: it was written by `load`
    /// with its own date and is now put back through the publishing API.
    fn unchanged(&self, record: &Record, digest: &str) -> Result<bool, StoreError> {
        let iri = record.iri.as_ref();
        if self.bookkeeping_value(iri, kat::HASH)?.as_deref() == Some(digest) {
            return Ok(true);
        }
        if !record.stamp_modified {
            return Ok(false);
        }
        let Some(mut stored) = self.record(iri)? else {
            return Ok(false);
        };
        stored.retain(|t| {
            !(t.subject.as_ref() == iri.into() && t.predicate.as_ref() == dcterms::MODIFIED)
        });
        Ok(canonical_hash(&stored) == digest)
    }

    /// The next event number (the log is append-only, numbered from 0).
    fn next_seq(&self) -> Result<u64, StoreError> {
        let site = NamedNodeRef::new_unchecked(kat::SITE.as_str());
        Ok(self
            .bookkeeping_value(site, kat::EVENT_SEQ)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0))
    }

    /// Records the verdicts of checking stored records against the shapes with digest
    /// `checked_with`.
    pub fn set_checked(
        &self,
        outcomes: &[(NamedNode, Verdict)],
        checked_with: Option<&str>,
    ) -> Result<(), StoreError> {
        if outcomes.is_empty() {
            return Ok(());
        }
        let _writer = self.writer.lock().expect("writer lock");
        let mut tx = self.store.start_transaction()?;
        for (iri, verdict) in outcomes {
            let iri = iri.as_ref();
            for predicate in [kat::INVALID, kat::FAILS_ACTIVE, kat::CHECKED_WITH] {
                remove_values(&mut tx, iri, predicate)?;
            }
            let (left_out, still_served) = match verdict {
                Verdict::Passes => (None, None),
                Verdict::LeftOut(report) => (Some(report.as_str()), None),
                Verdict::StillServed(report) => (None, Some(report.as_str())),
            };
            insert_note(&mut tx, iri, kat::INVALID, left_out);
            insert_note(&mut tx, iri, kat::FAILS_ACTIVE, still_served);
            insert_note(&mut tx, iri, kat::CHECKED_WITH, checked_with);
        }
        tx.commit()?;
        self.invalidate();
        Ok(())
    }

    /// The warnings kept beside a record (JSON), if any.
    pub fn warnings(&self, iri: NamedNodeRef<'_>) -> Result<Option<String>, StoreError> {
        self.bookkeeping_value(iri, kat::WARNINGS)
    }

    /// Why a record is left out of the feeds (JSON report), if it is.
    pub fn invalid_report(&self, iri: NamedNodeRef<'_>) -> Result<Option<String>, StoreError> {
        self.bookkeeping_value(iri, kat::INVALID)
    }

    /// Why a record that is still served fails the active shapes (JSON report), if it does.
    pub fn failing_report(&self, iri: NamedNodeRef<'_>) -> Result<Option<String>, StoreError> {
        self.bookkeeping_value(iri, kat::FAILS_ACTIVE)
    }

    fn bookkeeping_value(
        &self,
        iri: NamedNodeRef<'_>,
        predicate: NamedNodeRef<'_>,
    ) -> Result<Option<String>, StoreError> {
        for quad in self.store.quads_for_pattern(
            Some(iri.into()),
            Some(predicate),
            None,
            Some(GraphNameRef::DefaultGraph),
        ) {
            if let Term::Literal(l) = quad?.object {
                return Ok(Some(l.value().to_owned()));
            }
        }
        Ok(None)
    }

    /// The base URI the store's IRIs were minted under, recorded at first use.
    pub fn base_uri(&self) -> Result<Option<String>, StoreError> {
        self.bookkeeping_value(
            NamedNodeRef::new_unchecked(kat::SITE.as_str()),
            kat::BASE_URI,
        )
    }

    pub fn set_base_uri(&self, base: &str) -> Result<(), StoreError> {
        let _writer = self.writer.lock().expect("writer lock");
        let mut tx = self.store.start_transaction()?;
        set_site_value(&mut tx, kat::BASE_URI, Literal::new_simple_literal(base))?;
        tx.commit()?;
        Ok(())
    }

    /// The change log, oldest first.
    pub fn events(&self) -> Result<Vec<Event>, StoreError> {
        events::list(&self.store)
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
        let now = now_literal();
        let mut tx = self.store.start_transaction()?;
        if !tx.contains_named_graph(iri)? {
            return Ok(Some(false));
        }
        let seq = self.next_seq()?;
        tx.remove_named_graph(iri)?;
        remove_bookkeeping(&mut tx, iri)?;
        tx.insert(QuadRef::new(
            iri,
            kat::DELETED,
            &now,
            GraphNameRef::DefaultGraph,
        ));
        events::append(&mut tx, seq, Activity::Delete, iri, &now, "");
        set_site_value(&mut tx, kat::LAST_CHANGE, now.clone())?;
        set_site_value(&mut tx, kat::EVENT_SEQ, Literal::from((seq + 1) as i64))?;
        tx.commit()?;
        self.invalidate();
        Ok(Some(true))
    }

    /// The canonical hash of a record's content as last written (for the audit log).
    pub fn record_hash(&self, iri: NamedNodeRef<'_>) -> Result<Option<String>, StoreError> {
        self.bookkeeping_value(iri, kat::HASH)
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
            .bookkeeping_value(iri, kat::SOURCE)?
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
            if self
                .bookkeeping_value(info.iri.as_ref(), kat::SOURCE)?
                .is_none()
            {
                missing.push(info.iri.clone());
            }
        }
        Ok(missing)
    }

    /// Keeps these triples as the published form of each record, in one transaction. The
    /// graph is not touched: Oxigraph would normalise the same literals again.
    pub fn keep_sources(&self, sources: &[(NamedNode, Vec<Triple>)]) -> Result<(), StoreError> {
        let _writer = self.writer.lock().expect("writer lock");
        let mut tx = self.store.start_transaction()?;
        for (iri, triples) in sources {
            remove_values(&mut tx, iri.as_ref(), kat::SOURCE)?;
            tx.insert(QuadRef::new(
                iri,
                kat::SOURCE,
                &source::encode(&mut triples.clone()),
                GraphNameRef::DefaultGraph,
            ));
        }
        tx.commit()?;
        Ok(())
    }

    /// True once every record has its published copy: set by the migration, so that later
    /// starts need not look at every record again.
    pub fn sources_complete(&self) -> Result<bool, StoreError> {
        let site = NamedNodeRef::new_unchecked(kat::SITE.as_str());
        Ok(self
            .bookkeeping_value(site, kat::SOURCES_COMPLETE)?
            .is_some())
    }

    pub fn set_sources_complete(&self) -> Result<(), StoreError> {
        let _writer = self.writer.lock().expect("writer lock");
        let mut tx = self.store.start_transaction()?;
        set_site_value(&mut tx, kat::SOURCES_COMPLETE, Literal::from(true))?;
        tx.commit()?;
        Ok(())
    }

    /// True when a record with this IRI existed and was deleted.
    pub fn is_deleted(&self, iri: NamedNodeRef<'_>) -> Result<bool, StoreError> {
        Ok(self
            .store
            .quads_for_pattern(
                Some(iri.into()),
                Some(kat::DELETED),
                None,
                Some(GraphNameRef::DefaultGraph),
            )
            .next()
            .transpose()?
            .is_some())
    }

    /// Everything the records say about `iri`, following blank nodes, as published: how a
    /// distribution, agent or contact point inside a record is dereferenced.
    pub fn describe(&self, iri: NamedNodeRef<'_>) -> Result<Vec<Triple>, StoreError> {
        let mut graphs = Vec::new();
        for quad in self
            .store
            .quads_for_pattern(Some(iri.into()), None, None, None)
        {
            // The default graph holds bookkeeping, which is never public.
            if let GraphName::NamedNode(g) = quad?.graph_name
                && !graphs.contains(&g)
            {
                graphs.push(g);
            }
        }
        let mut out = Vec::new();
        let mut kept: HashSet<Triple> = HashSet::new();
        for graph in graphs {
            let triples = self.record(graph.as_ref())?.unwrap_or_default();
            for t in closure(&triples, iri) {
                if kept.insert(t.clone()) {
                    out.push(t);
                }
            }
        }
        Ok(out)
    }

    /// The records currently live, sorted by IRI.
    pub fn index(&self) -> Result<Arc<RecordIndex>, StoreError> {
        if let Some(index) = self.index.read().expect("index lock").as_ref() {
            return Ok(index.clone());
        }
        let index = Arc::new(RecordIndex::build(&self.store)?);
        *self.index.write().expect("index lock") = Some(index.clone());
        Ok(index)
    }

    fn invalidate(&self) {
        *self.index.write().expect("index lock") = None;
    }

    /// Makes sure everything written is on disk (RocksDB's WAL already survives crashes).
    pub fn flush(&self) -> Result<(), StoreError> {
        Ok(self.store.flush()?)
    }
}

/// What a write replaces: the record's old graph and bookkeeping.
struct Plan {
    digest: String,
    existed: bool,
    old: Vec<Quad>,
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

/// A record's bookkeeping predicates (its events are kept).
const BOOKKEEPING: [NamedNodeRef<'static>; 10] = [
    kat::KIND,
    kat::MODIFIED,
    kat::HASH,
    kat::PUBLISHER,
    kat::WARNINGS,
    kat::INVALID,
    kat::FAILS_ACTIVE,
    kat::CHECKED_WITH,
    kat::DELETED,
    kat::SOURCE,
];

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

fn write_record(
    tx: &mut Transaction<'_>,
    record: &Record,
    plan: Plan,
    now: &Literal,
    seq: u64,
) -> Change {
    let iri = record.iri.as_ref();
    for quad in &plan.old {
        tx.remove(quad);
    }
    let mut triples = record.triples.clone();
    relabel::relabel_blank_nodes(&mut triples, &plan.digest[..8]);
    if record.stamp_modified {
        triples.retain(|t| {
            !(t.subject.as_ref() == iri.into() && t.predicate.as_ref() == dcterms::MODIFIED)
        });
        triples.push(Triple::new(
            iri.into_owned(),
            dcterms::MODIFIED,
            now.clone(),
        ));
    }
    let source = source::encode(&mut triples);
    tx.insert_named_graph(iri);
    for t in &triples {
        tx.insert(t.as_ref().in_graph(iri));
    }
    let default = GraphNameRef::DefaultGraph;
    tx.insert(QuadRef::new(iri, kat::SOURCE, &source, default));
    tx.insert(QuadRef::new(iri, kat::KIND, record.kind.class(), default));
    tx.insert(QuadRef::new(iri, kat::MODIFIED, now, default));
    tx.insert(QuadRef::new(
        iri,
        kat::HASH,
        &Literal::new_simple_literal(&plan.digest),
        default,
    ));
    if let Some(publisher) = record.publisher() {
        tx.insert(QuadRef::new(iri, kat::PUBLISHER, publisher, default));
    }
    insert_note(tx, iri, kat::WARNINGS, record.warnings.as_deref());
    insert_note(tx, iri, kat::CHECKED_WITH, record.checked_with.as_deref());
    let activity = if plan.existed {
        Activity::Update
    } else {
        Activity::Create
    };
    events::append(tx, seq, activity, iri, now, source.value());
    if plan.existed {
        Change::Updated
    } else {
        Change::Created
    }
}

fn remove_values(
    tx: &mut Transaction<'_>,
    iri: NamedNodeRef<'_>,
    predicate: NamedNodeRef<'_>,
) -> Result<(), StoreError> {
    let old: Vec<Quad> = tx
        .quads_for_pattern(
            Some(iri.into()),
            Some(predicate),
            None,
            Some(GraphNameRef::DefaultGraph),
        )
        .collect::<Result<_, _>>()?;
    for q in &old {
        tx.remove(q);
    }
    Ok(())
}

/// Removes a record's bookkeeping (kind, hash, warnings, deletion mark…), not its events.
fn remove_bookkeeping(tx: &mut Transaction<'_>, iri: NamedNodeRef<'_>) -> Result<(), StoreError> {
    for predicate in BOOKKEEPING {
        remove_values(tx, iri, predicate)?;
    }
    Ok(())
}

/// Keeps a text note (warnings, a report, a digest) beside a record, if there is one.
fn insert_note(
    tx: &mut Transaction<'_>,
    iri: NamedNodeRef<'_>,
    predicate: NamedNodeRef<'_>,
    value: Option<&str>,
) {
    if let Some(value) = value {
        tx.insert(QuadRef::new(
            iri,
            predicate,
            &Literal::new_simple_literal(value),
            GraphNameRef::DefaultGraph,
        ));
    }
}

fn set_site_value(
    tx: &mut Transaction<'_>,
    predicate: NamedNodeRef<'_>,
    value: Literal,
) -> Result<(), StoreError> {
    let site = NamedNode::new_unchecked(kat::SITE.as_str());
    remove_values(tx, site.as_ref(), predicate)?;
    tx.insert(Quad::new(site, predicate, value, GraphName::DefaultGraph).as_ref());
    Ok(())
}

fn now_literal() -> Literal {
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

/// Parses an xsd:dateTime lexical form as written by katalog.
pub fn parse_time(value: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(value, &Rfc3339).ok()
}
