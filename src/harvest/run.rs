//! One run of a connected source: gather what it serves, split it into records, keep those
//! that are the organisation's, its own and valid, write what changed in batches (each with
//! its LDES event, as publishing does), and remove what vanished, only after a complete run
//! and within the source's share.
use super::ldes_source::{self, Position};
use super::report::{Conflict, RunReport, Skipped};
use super::sources::{Resume, Source, SourceKind, Sources};
use super::spool::{self, Parts, Spooled};
use super::{Fetcher, HarvestError, Validators};
use super::{dcat, ldes};
use crate::accounts::{Accounts, AuditNote, Organisation};
use crate::rdf::{Document, Limits};
use crate::shacl::Shapes;
use crate::store::{
    Catalogue, Change, Planned, Record, RecordIndex, RecordKind, plan_records, split_records,
};
use oxigraph::model::{NamedNode, NamedOrBlankNode, Triple};
use rustc_hash::FxHashSet;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tracing::Instrument;

/// Records written in one store write. Each is all or nothing (a crash leaves every
/// record as it was or as the source has it now, and the next run finishes the work), and
/// holds the store's writer lock: a publisher's write waits for at most one of them.
const WRITE_RECORDS: usize = 10_000;

/// Records checked ahead of the writer: the run checks the next records against the shapes
/// while the store writes the ones before them.
const AHEAD: usize = 500;

/// The records of a run: made one at a time from the source's document (held whole, or in
/// parts on disk), or already made (an incremental LDES run's few).
enum Records<'a> {
    Planned(&'a Planned),
    Parts(&'a Parts),
    Made(Vec<Record>),
}

impl<'a> Records<'a> {
    fn made(self) -> Box<dyn Iterator<Item = Result<Record, HarvestError>> + Send + 'a> {
        match self {
            Self::Planned(planned) => Box::new(planned.plans.iter().map(|p| Ok(planned.record(p)))),
            Self::Parts(parts) => Box::new((0..parts.count()).flat_map(|part| {
                let records: Box<dyn Iterator<Item = _> + Send> = match parts.planned(part) {
                    Ok(planned) => Box::new(PlannedRecords { planned, next: 0 }.map(Ok)),
                    Err(e) => Box::new(std::iter::once(Err(e.into()))),
                };
                records
            })),
            Self::Made(records) => Box::new(records.into_iter().map(Ok)),
        }
    }
}

/// The records of a planned document it owns, made one at a time.
struct PlannedRecords {
    planned: Planned,
    next: usize,
}

impl Iterator for PlannedRecords {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        let plan = self.planned.plans.get(self.next)?;
        self.next += 1;
        Some(self.planned.record(plan))
    }
}

/// What a run needs of the site; the server, the command line and the scheduler build one.
pub struct Harvester {
    pub catalogue: Arc<Catalogue>,
    pub shapes: Option<Arc<Shapes>>,
    pub base_uri: String,
    pub accounts: Accounts,
    pub fetcher: Fetcher,
    /// Bounds on each fetched document.
    pub limits: Limits,
    /// The hosted files, for distributions connected to a URL.
    pub files: Option<Arc<crate::data::Files>>,
}

/// Which of the source's records a run removes, always within the source's share.
enum Removal {
    /// Those it no longer lists, after a complete and clean run.
    IfComplete,
    /// Those the source deleted (an LDES stream's deletes).
    Listed(Vec<NamedNode>),
}

impl Harvester {
    pub fn sources(&self) -> Sources {
        Sources::new(&self.accounts)
    }

    /// Runs source `id` now and keeps its report; `full` reads everything again (no
    /// conditional GET, an LDES stream from its start). Err only when the run could not start
    /// (no such source, one running already, the database); a failed harvest is a report
    /// with `error` set.
    pub async fn run(&self, id: i64, full: bool) -> Result<RunReport, HarvestError> {
        let (source, run) = self.begin(id, full).await?;
        self.finish(source, run).await
    }

    /// Starts a run of source `id` that goes on in the background: refused at once when one
    /// is going on.
    pub async fn spawn_run(self: &Arc<Self>, id: i64, full: bool) -> Result<(), HarvestError> {
        let (source, run) = self.begin(id, full).await?;
        let harvester = self.clone();
        tokio::spawn(async move {
            if let Err(e) = harvester.finish(source, run).await {
                tracing::warn!(source = id, error = %e, "the run could not be recorded");
            }
        });
        Ok(())
    }

    /// Marks a run of the source as started (never two at once) and returns the source as
    /// the run reads it.
    async fn begin(&self, id: i64, full: bool) -> Result<(Source, i64), HarvestError> {
        let sources = self.sources();
        sources.get(id).await?;
        let run = sources.start_run(id).await?;
        if full {
            sources.forget_position(id).await?;
        }
        Ok((sources.get(id).await?, run))
    }

    async fn finish(&self, source: Source, run: i64) -> Result<RunReport, HarvestError> {
        let id = source.id;
        let started = Instant::now();
        let mut report = RunReport {
            source: id,
            kind: source.kind.as_str().to_owned(),
            url: source.url.clone(),
            ..Default::default()
        };
        let budget = Duration::from_secs(source.time_budget.max(1) as u64);
        let last = Resume {
            validators: source.validators(),
            position: source.position.clone(),
        };
        // Every fetch, write and warning of the run is logged inside its span.
        let span = tracing::info_span!("harvest", source = id, kind = source.kind.as_str(), url = %source.url);
        let harvest = self.harvest(&source, &mut report).instrument(span);
        let next = match tokio::time::timeout(budget, harvest).await {
            Ok(Ok(next)) => next,
            Ok(Err(e)) => {
                report.error = Some(e.to_string());
                last
            }
            Err(_) => {
                report.error = Some(format!(
                    "stopped: the run took longer than its time budget of {} s",
                    budget.as_secs()
                ));
                last
            }
        };
        report.duration_ms = started.elapsed().as_millis() as u64;
        self.sources()
            .finish_run(&source, run, &report, &next)
            .await?;
        tracing::info!(source = id, url = %source.url, summary = %report.summary(), "harvested");
        Ok(report)
    }

    async fn harvest(
        &self,
        source: &Source,
        report: &mut RunReport,
    ) -> Result<Resume, HarvestError> {
        let org = self.accounts.organisation_by_id(source.org_id).await?;
        // A confirmed removal needs the document itself, not a 304.
        let last = match source.confirm_removal {
            true => Validators::default(),
            false => source.validators(),
        };
        match source.kind {
            SourceKind::Dcat => {
                let gathered =
                    dcat::gather(&self.fetcher, &source.url, &last, &self.limits, report).await?;
                let Some(spool) = gathered.spool else {
                    report.not_modified = true;
                    report.unchanged = self.owned(source)?.len();
                    return Ok(Resume {
                        validators: last,
                        position: None,
                    });
                };
                let base = self.base_uri.clone();
                let spooled = tokio::task::spawn_blocking(move || spool.finish(&base))
                    .await
                    .map_err(|e| HarvestError::Interrupted(e.to_string()))??;
                let records = match &spooled {
                    Spooled::Held(planned) => Records::Planned(planned),
                    Spooled::Parts(parts) => Records::Parts(parts),
                };
                self.apply(source, &org, records, Removal::IfComplete, report)
                    .await?;
                Ok(Resume {
                    // A partial run, or one that held back a removal, must not make the next
                    // one a 304 that never finishes the work.
                    validators: match report.complete && report.removal_held.is_none() {
                        true => gathered.validators,
                        false => Validators::default(),
                    },
                    position: None,
                })
            }
            SourceKind::Ckan => {
                let mut triples =
                    super::ckan_source::gather(&self.fetcher, &source.url, &org, report).await?;
                triples.extend(self.publisher_description(&org)?);
                self.apply_document(source, &org, triples.into_iter().collect(), report)
                    .await?;
                Ok(Resume::default())
            }
            SourceKind::Ldes => self.harvest_ldes(source, &org, report).await,
        }
    }

    /// Applies the stream's new events to the source's records as stored; a full read
    /// (the first run, one asked for, or one the stream's pruning calls for) replaces them.
    async fn harvest_ldes(
        &self,
        source: &Source,
        org: &Organisation,
        report: &mut RunReport,
    ) -> Result<Resume, HarvestError> {
        let last = Position::parse(source.position.as_deref());
        let gathered = ldes_source::gather(
            &self.fetcher,
            &source.url,
            last.as_ref(),
            &self.limits,
            report,
        )
        .await?;
        let before = match gathered.full {
            true => Vec::new(),
            false => self.touched_triples(source, &gathered.events)?,
        };
        let (after, changed) = ldes::apply(before, &gathered.events);
        let mut records = split_records(after, &self.base_uri).records;
        let removal = match gathered.full {
            true => Removal::IfComplete,
            false => {
                // Only what the events touched: the rest is as stored.
                let touched: HashSet<&NamedNode> =
                    gathered.events.iter().map(|e| &e.object).collect();
                records.retain(|r| {
                    r.triples.iter().any(|t| match &t.subject {
                        NamedOrBlankNode::NamedNode(s) => touched.contains(s),
                        NamedOrBlankNode::BlankNode(_) => false,
                    })
                });
                let deleted = changed.removed_uris.iter().map(NamedNode::new_unchecked);
                Removal::Listed(deleted.collect())
            }
        };
        self.apply(source, org, Records::Made(records), removal, report)
            .await?;
        // Deletes held for a confirmation are applied again by the next run.
        let position = match report.removal_held {
            None => gathered.position.map(|p| p.to_text()),
            Some(_) => source.position.clone(),
        };
        Ok(Resume {
            validators: Validators::default(),
            position,
        })
    }

    /// The triples, as stored, of this source's records that say something of an entity the
    /// events change: all an incremental run needs to read, however large the source.
    fn touched_triples(
        &self,
        source: &Source,
        events: &[ldes::LdesEvent],
    ) -> Result<Vec<Triple>, HarvestError> {
        let owned: HashSet<NamedNode> = self.owned(source)?.into_iter().collect();
        let mut read = HashSet::new();
        let mut triples = Vec::new();
        for event in events {
            for record in self.catalogue.records_about(event.object.as_ref())? {
                if owned.contains(&record) && read.insert(record.clone()) {
                    triples.extend(self.catalogue.record(record.as_ref())?.unwrap_or_default());
                }
            }
        }
        Ok(triples)
    }

    /// The organisation's publisher as its records describe it (a CKAN package names only
    /// the IRI); else a `foaf:Agent` with the organisation's name and the publisher type its
    /// number implies.
    fn publisher_description(
        &self,
        org: &Organisation,
    ) -> Result<Vec<oxigraph::model::Triple>, HarvestError> {
        use crate::rdf::ns::{foaf, rdf};
        use oxigraph::model::{Literal, NamedOrBlankNode, Triple};
        let publisher = NamedNode::new_unchecked(&org.publisher_iri);
        let subject = NamedOrBlankNode::from(publisher.clone());
        let index = self.catalogue.index()?;
        let described = index
            .records
            .iter()
            .find(|r| r.publisher.as_ref() == Some(&publisher));
        if let Some(info) = described {
            let triples = self
                .catalogue
                .record(info.iri.as_ref())?
                .unwrap_or_default();
            let own: Vec<Triple> = triples
                .into_iter()
                .filter(|t| t.subject == subject)
                .collect();
            if !own.is_empty() {
                return Ok(own);
            }
        }
        let mut triples = vec![
            Triple::new(publisher.clone(), rdf::TYPE, foaf::AGENT),
            Triple::new(
                publisher.clone(),
                foaf::NAME,
                Literal::new_language_tagged_literal_unchecked(&org.name, "sv"),
            ),
        ];
        if let Some(kind) = crate::accounts::orgnr::publisher_type(&org.orgnr) {
            let kind = NamedNode::new_unchecked(kind);
            triples.push(Triple::new(publisher, crate::rdf::ns::dcterms::TYPE, kind));
        }
        Ok(triples)
    }

    /// The records this source wrote, as stored.
    fn owned(&self, source: &Source) -> Result<Vec<NamedNode>, HarvestError> {
        let index = self.catalogue.index()?;
        Ok(owned_in(&index, source).cloned().collect())
    }

    /// Applies a whole source document: its records made one at a time, and what it no
    /// longer has removed if the run was complete.
    async fn apply_document(
        &self,
        source: &Source,
        org: &Organisation,
        document: Document,
        report: &mut RunReport,
    ) -> Result<(), HarvestError> {
        let planned = plan_records(document, &self.base_uri);
        let records = Records::Planned(&planned);
        self.apply(source, org, records, Removal::IfComplete, report)
            .await
    }

    /// Decides on each record, writes the accepted ones a batch at a time, and removes what
    /// vanished.
    async fn apply(
        &self,
        source: &Source,
        org: &Organisation,
        records: Records<'_>,
        removal: Removal,
        report: &mut RunReport,
    ) -> Result<(), HarvestError> {
        let index = self.catalogue.index()?;
        // The records the source has, by key: a run of 100 000 records keeps 800 kB, not the
        // IRIs. Two IRIs sharing a key would keep a vanished record (never remove one still
        // there).
        let mut seen: FxHashSet<u64> = FxHashSet::default();
        let Writer {
            records: sender,
            mut notes,
            done: writer,
        } = self.writer(index.clone());
        let mut failed = None;
        for record in records.made() {
            let record = match record {
                Ok(record) => record,
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            };
            if record.kind == RecordKind::Catalog {
                report.warn(format!(
                    "catalogue <{}> is not kept: katalog lists the organisation's records in its own catalogue",
                    record.iri.as_str()
                ));
                continue;
            }
            seen.insert(spool::key(record.iri.as_str()));
            if let Some(record) = self.accept(source, org, record, &index, report)
                && sender.send(record).await.is_err()
            {
                // The writer stopped; its error follows.
                break;
            }
            // Each write's audit notes as it is done, not all at the end.
            while let Ok(written) = notes.try_recv() {
                self.audit(source, org, &written).await?;
            }
        }
        drop(sender);
        let written = writer
            .await
            .map_err(|e| HarvestError::Interrupted(e.to_string()))??;
        while let Some(written) = notes.recv().await {
            self.audit(source, org, &written).await?;
        }
        report.added += written.added;
        report.updated += written.updated;
        report.unchanged += written.unchanged;
        if let Some(e) = failed {
            // What was written before stays, each record whole; nothing is removed.
            return Err(e);
        }
        let origin = source.origin();
        let owned = |iri: &NamedNode| {
            index
                .get(iri)
                .is_some_and(|r| r.origin.as_deref() == Some(origin.as_str()))
        };
        let mut gone: Vec<NamedNode> = match removal {
            Removal::IfComplete => match vanishing_allowed(report) {
                true => owned_in(&index, source)
                    .filter(|iri| !seen.contains(&spool::key(iri.as_str())))
                    .cloned()
                    .collect(),
                false => Vec::new(),
            },
            Removal::Listed(deleted) => deleted.into_iter().filter(|d| owned(d)).collect(),
        };
        gone.sort();
        let count = owned_in(&index, source).count();
        self.remove(source, org, gone, count, report).await
    }

    /// The record ready to write, or None when it is skipped or in conflict (noted).
    fn accept(
        &self,
        source: &Source,
        org: &Organisation,
        mut record: Record,
        index: &RecordIndex,
        report: &mut RunReport,
    ) -> Option<Record> {
        let origin = source.origin();
        let publisher = record.publisher().map(|p| p.as_str().to_owned());
        if publisher.as_deref() != Some(org.publisher_iri.as_str()) {
            let named = publisher.map_or("no dcterms:publisher".to_owned(), |p| {
                format!("dcterms:publisher <{p}>")
            });
            report.skipped += 1;
            report.skipped_records.push(Skipped {
                record: record.iri.as_str().to_owned(),
                reason: format!(
                    "it names {named}, not the organisation's <{}>",
                    org.publisher_iri
                ),
                violations: None,
            });
            return None;
        }
        if let Some(stored) = index.get(&record.iri)
            && stored.origin.as_deref() != Some(origin.as_str())
        {
            let owner = match &stored.origin {
                Some(other) => format!("harvested by {}", other.replace(':', " #")),
                None => "published by hand".to_owned(),
            };
            report.conflicts += 1;
            report.conflict_records.push(Conflict {
                record: record.iri.as_str().to_owned(),
                reason: format!("the record exists, {owner}; it is left as it is"),
            });
            return None;
        }
        if let Some(stored) = index.get(&record.iri)
            && self.unchanged(stored, &record)
        {
            // As stored, and checked with these shapes: nothing to validate or write.
            report.unchanged += 1;
            return None;
        }
        if let Some(shapes) = &self.shapes {
            // Catalogues are not kept, so a record here is checked as it is (a catalogue would
            // also need its members: `publish::check_record`).
            let own = shapes.validate(&record.triples);
            if own.has_violations() {
                report.skipped += 1;
                report.skipped_records.push(Skipped {
                    record: record.iri.as_str().to_owned(),
                    reason: format!("{} violations of the shapes", own.violations()),
                    violations: Some(own.to_json()),
                });
                return None;
            }
            if own.warnings() > 0 {
                record.warnings = Some(own.to_json().to_string());
            }
            record.checked_with = shapes.digest().map(str::to_owned);
        }
        record.origin = Some(origin);
        Some(record)
    }

    /// True when `record` has the content stored for it, last checked with the active shapes
    /// (the second run of an unchanged source validates and writes nothing).
    fn unchanged(&self, stored: &crate::store::RecordInfo, record: &Record) -> bool {
        let shapes = self.shapes.as_ref().and_then(|s| s.digest());
        !stored.invalid
            && stored.checked_with.as_deref() == shapes
            && stored.hash.is(&crate::rdf::canonical_hash(&record.triples))
    }

    /// The store's side of a run, on a thread of its own: it writes the records sent to it
    /// as they come, [`WRITE_RECORDS`] to a write, sends each write's audit notes back, and
    /// answers with what changed once the sender is dropped. `index` is the store as the run
    /// found it (the hashes before).
    fn writer(&self, index: Arc<RecordIndex>) -> Writer {
        let (sender, mut receiver) = tokio::sync::mpsc::channel(AHEAD);
        let (notes, noted) = tokio::sync::mpsc::unbounded_channel();
        let catalogue = self.catalogue.clone();
        let writer = tokio::task::spawn_blocking(move || {
            let mut written = Written::default();
            loop {
                let mut names = Vec::new();
                let records = std::iter::from_fn(|| receiver.blocking_recv())
                    .take(WRITE_RECORDS)
                    .inspect(|r: &Record| names.push(r.iri.clone()));
                let changes = catalogue.write(records)?;
                if names.is_empty() {
                    return Ok(written);
                }
                let mut lines = Vec::new();
                for (iri, change) in names.into_iter().zip(changes) {
                    lines.extend(written.count(&catalogue, &index, iri, change)?);
                }
                // The run reads them as it goes, or once the writer is done.
                let _ = notes.send(lines);
            }
        });
        Writer {
            records: sender,
            notes: noted,
            done: writer,
        }
    }

    /// Removes `gone`, the source's records it no longer has, unless they are more than its
    /// share of the `owned` (an empty but well-formed answer must not wipe a catalogue) and
    /// no admin confirmed.
    async fn remove(
        &self,
        source: &Source,
        org: &Organisation,
        gone: Vec<NamedNode>,
        owned: usize,
        report: &mut RunReport,
    ) -> Result<(), HarvestError> {
        if gone.is_empty() {
            return Ok(());
        }
        let share = gone.len() as f64 / owned as f64;
        if share > source.max_removal {
            if !source.confirm_removal {
                report.removal_held = Some(format!(
                    "{} of the {} records from this source are gone from it ({:.0} %, more than the {:.0} % one run may remove): they are kept until an admin confirms the removal",
                    gone.len(),
                    owned,
                    share * 100.0,
                    source.max_removal * 100.0
                ));
                return Ok(());
            }
            report.removal_confirmed_used = true;
        }
        let catalogue = self.catalogue.clone();
        let removed = tokio::task::spawn_blocking(move || {
            let mut removed = Vec::new();
            for iri in gone {
                let before = catalogue.record_hash(iri.as_ref())?;
                if catalogue.delete(iri.as_ref())? {
                    removed.push((iri, "deleted", before, None));
                }
            }
            Ok::<_, HarvestError>(removed)
        })
        .await
        .map_err(|e| HarvestError::Interrupted(e.to_string()))??;
        report.removed += removed.len();
        self.audit(source, org, &removed).await
    }

    /// Notes the run's writes in the organisation's audit log, as the source's.
    async fn audit(
        &self,
        source: &Source,
        org: &Organisation,
        notes: &[AuditLine],
    ) -> Result<(), HarvestError> {
        if notes.is_empty() {
            return Ok(());
        }
        let actor = format!("source #{} ({})", source.id, org.orgnr);
        let entries: Vec<AuditNote<'_>> = notes
            .iter()
            .map(|(iri, action, before, after)| AuditNote {
                org_id: Some(org.id),
                record: iri.as_str(),
                action,
                hash_before: before.as_deref(),
                hash_after: after.as_deref(),
            })
            .collect();
        self.accounts.audit(&actor, &entries).await?;
        Ok(())
    }
}

/// The records the source wrote, in `index`.
fn owned_in<'a>(index: &'a RecordIndex, source: &Source) -> impl Iterator<Item = &'a NamedNode> {
    let origin = source.origin();
    index
        .records
        .iter()
        .filter(move |r| r.origin.as_deref() == Some(origin.as_str()))
        .map(|r| &r.iri)
}

/// Whether records the source no longer lists may be taken as gone: only after a run that
/// read every page and passed over nothing (a statement passed over may have been a
/// record's type, and its record would look gone).
fn vanishing_allowed(report: &mut RunReport) -> bool {
    if !report.complete {
        report.warn(
            "not every page was read: records the source no longer lists are kept until a complete run",
        );
        return false;
    }
    if report.passed_over > 0 {
        report.warn(
            "the parser passed over statements: records the source no longer lists are kept until a clean run",
        );
        return false;
    }
    true
}

/// The store's side of a run (see [`Harvester::writer`]): where the records to write go,
/// where each write's audit notes come back, and what the writes changed once it is done.
struct Writer {
    records: tokio::sync::mpsc::Sender<Record>,
    notes: tokio::sync::mpsc::UnboundedReceiver<Vec<AuditLine>>,
    done: tokio::task::JoinHandle<Result<Written, HarvestError>>,
}

/// An audit note of a run: the record's IRI, what was done, and its hash before and after.
type AuditLine = (NamedNode, &'static str, Option<String>, Option<String>);

/// What a run's writes changed.
#[derive(Default)]
struct Written {
    added: usize,
    updated: usize,
    unchanged: usize,
}

impl Written {
    /// Counts one record's change; its audit note, if it changed.
    fn count(
        &mut self,
        catalogue: &Catalogue,
        index: &RecordIndex,
        iri: NamedNode,
        change: Change,
    ) -> Result<Option<AuditLine>, HarvestError> {
        match change {
            Change::Created => self.added += 1,
            Change::Updated => self.updated += 1,
            Change::Unchanged => {
                self.unchanged += 1;
                return Ok(None);
            }
        }
        let before = index.get(&iri).map(|r| r.hash.to_string());
        let after = catalogue.record_hash(iri.as_ref())?;
        Ok(Some((iri, change.as_str(), before, after)))
    }
}
