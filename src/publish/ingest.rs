//! The ingest service: from triples to stored records: split, authorise, stamp, validate,
//! write (with its LDES event), audit. The publishing API, the publisher pages and
//! `katalog load` call it; it knows nothing of HTTP.
use super::PublishError;
use crate::accounts::{Accounts, Principal};
use crate::rdf::ns::{dcterms, rdf};
use crate::rdf::{Document, Limits, input_format_for_media_type, parse_document_within};
use crate::shacl::{Severity, Shapes, ValidationReport};
use crate::store::{Catalogue, Change, Plan, Record, RecordIndex, RecordKind, plan_records};
use bytes::Bytes;
use oxigraph::io::RdfFormat;
use oxigraph::model::{NamedNode, NamedOrBlankNode, Triple};
use std::collections::HashMap;
use std::sync::Arc;

/// What publishing needs of the running site.
pub struct Publishing<'a> {
    pub catalogue: &'a Arc<Catalogue>,
    pub shapes: Option<Arc<Shapes>>,
    pub base_uri: &'a str,
    /// For the audit log; absent in offline commands.
    pub accounts: Option<&'a Accounts>,
}

/// One submission: the triples, and what they must be.
pub struct Submission {
    pub triples: Document,
    /// The body must describe exactly this record (a `PUT`).
    pub only: Option<NamedNode>,
    /// The kinds of record this way of publishing takes.
    pub accepts: Accepts,
    /// Checked against `only` at the moment of writing.
    pub precondition: Precondition,
}

/// Which kinds of record a submission may hold. A whole catalogue file (one holding a
/// `dcat:Catalog`) is split into its records of every kind, whichever route it is posted to;
/// otherwise each record must be of the route's kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accepts {
    Any,
    /// Datasets and dataset series (`POST /datasets`).
    Datasets,
    /// Data services (`POST /dataservices`).
    DataServices,
}

impl Accepts {
    fn takes(self, kind: RecordKind) -> bool {
        match self {
            Self::Any => true,
            Self::Datasets => matches!(kind, RecordKind::Dataset | RecordKind::DatasetSeries),
            Self::DataServices => kind == RecordKind::DataService,
        }
    }

    fn refusal(self, record: &Plan) -> String {
        let class = match record.kind {
            RecordKind::Dataset => "dcat:Dataset",
            RecordKind::DatasetSeries => "dcat:DatasetSeries",
            RecordKind::DataService => "dcat:DataService",
            RecordKind::Catalog => "dcat:Catalog",
        };
        let (here, there) = match self {
            Self::DataServices => ("/dataservices takes data services", "/datasets"),
            _ => (
                "/datasets takes datasets and dataset series",
                "/dataservices",
            ),
        };
        format!(
            "<{}> is a {class}: POST {here}; post it to {there}, or PUT it at its own URL",
            record.iri
        )
    }
}

pub struct Ingested {
    pub records: Vec<NamedNode>,
    pub changes: Vec<Change>,
    pub unattached: usize,
    pub report: Option<Validation>,
}

impl Ingested {
    pub fn records_and_changes(&self) -> Vec<(&NamedNode, Change)> {
        self.records
            .iter()
            .zip(self.changes.iter().copied())
            .collect()
    }

    /// True when the first record was created (for a one-record write: 201 rather than 200).
    pub fn created_first(&self) -> bool {
        self.changes.first() == Some(&Change::Created)
    }

    /// True when any record was created.
    pub fn created_any(&self) -> bool {
        self.changes.contains(&Change::Created)
    }
}

/// The syntax a body's media type (its `Content-Type`) names.
pub fn body_format(media_type: Option<&str>) -> Result<RdfFormat, PublishError> {
    let media_type = media_type
        .ok_or_else(|| PublishError::UnsupportedFormat("no Content-Type given".into()))?;
    input_format_for_media_type(media_type)
        .ok_or_else(|| PublishError::UnsupportedFormat(media_type.to_owned()))
}

/// Parses a body within the limits, resolving relative IRIs against `base`, on a blocking
/// thread: a large body takes a second, which would otherwise stall every request sharing
/// the async worker.
pub async fn parse_body(
    body: Bytes,
    format: RdfFormat,
    base: &str,
    limits: Limits,
) -> Result<Document, PublishError> {
    let base = base.to_owned();
    tokio::task::spawn_blocking(move || parse_document_within(&body, format, Some(&base), &limits))
        .await
        .map_err(|e| PublishError::Interrupted(e.to_string()))?
        .map_err(PublishError::from)
}

/// Splits the triples into records and stores them in one transaction, or none. With a
/// `principal` (the publishing API and pages), every record must be theirs to write, and
/// `dcterms:modified` is stamped on the records that change.
pub async fn ingest(
    site: &Publishing<'_>,
    principal: Option<&Principal>,
    submission: Submission,
) -> Result<Ingested, PublishError> {
    let catalogue = site.catalogue.clone();
    let shapes = site.shapes.clone();
    let base = site.base_uri.to_owned();
    let caller = principal.cloned();
    // Splitting, checking and writing a large catalogue take seconds: off the async workers.
    let stored = tokio::task::spawn_blocking(move || {
        store(
            &catalogue,
            shapes.as_deref(),
            &base,
            caller.as_ref(),
            submission,
        )
    })
    .await
    .map_err(|e| PublishError::Interrupted(e.to_string()))??;
    if let Some(principal) = principal {
        let mut notes = Vec::new();
        for (i, iri) in stored.names.iter().enumerate() {
            let action = match stored.changes[i] {
                Change::Unchanged => continue,
                Change::Created => "created",
                Change::Updated => "updated",
            };
            let (before, after) = (stored.before[i].as_deref(), stored.after[i].as_deref());
            notes.push((iri, stored.publishers[i].as_ref(), action, before, after));
        }
        audit(site, principal, &notes).await?;
    }
    Ok(Ingested {
        records: stored.names,
        changes: stored.changes,
        unattached: stored.unattached,
        report: stored.report,
    })
}

/// What [`store`] wrote, with the records' hashes before and after for the audit log.
struct Stored {
    names: Vec<NamedNode>,
    publishers: Vec<Option<NamedNode>>,
    changes: Vec<Change>,
    before: Vec<Option<String>>,
    after: Vec<Option<String>>,
    unattached: usize,
    report: Option<Validation>,
}

/// The ingest itself. The document is held once, compactly; each record is made from it
/// twice, one at a time: once to check it (a write with a violation anywhere writes nothing),
/// and once, in the store's batches, to write it with its warnings.
fn store(
    catalogue: &Catalogue,
    shapes: Option<&Shapes>,
    base: &str,
    principal: Option<&Principal>,
    submission: Submission,
) -> Result<Stored, PublishError> {
    let planned = plan_records(submission.triples, base);
    check_records(&planned.plans, submission.only.as_ref(), submission.accepts)?;
    let index = catalogue.index()?;
    let publishers: Vec<Option<NamedNode>> = planned
        .plans
        .iter()
        .map(|plan| planned.publisher(plan).cloned())
        .collect();
    if let Some(principal) = principal {
        let heads = planned.plans.iter().zip(&publishers);
        let heads = heads.map(|(plan, publisher)| (&plan.iri, plan.kind, publisher.as_ref()));
        super::authorize::authorize_records(principal, heads, &index, base)?;
    }
    let stamp = principal.is_some();
    let members = Members::of(planned.plans.iter().map(|p| (&p.iri, p.kind)), &index);
    drop(index);
    let made = |plan| {
        let mut record = planned.record(plan);
        if stamp {
            prepare_stamp(&mut record);
        }
        record
    };
    let report = shapes.map(|shapes| {
        let mut validation = Validation::default();
        for plan in &planned.plans {
            validation.add(check_record(shapes, &made(plan), &members));
        }
        validation
    });
    let report = match report {
        Some(validation) if validation.report.has_violations() => {
            return Err(PublishError::Invalid(Box::new(validation.report)));
        }
        other => other,
    };
    let names: Vec<NamedNode> = planned.plans.iter().map(|p| p.iri.clone()).collect();
    let before = hashes(catalogue, &names)?;
    let records = planned.plans.iter().map(|plan| {
        let mut record = made(plan);
        if let Some(shapes) = shapes {
            note_warnings(shapes, &mut record, &members);
        }
        record
    });
    let precondition = submission.precondition;
    let check = || match names.first() {
        Some(iri) => precondition.holds(catalogue, iri),
        None => true,
    };
    let changes = catalogue
        .write_if(records, check)?
        .ok_or(PublishError::PreconditionFailed)?;
    let after = hashes(catalogue, &names)?;
    Ok(Stored {
        names,
        publishers,
        changes,
        before,
        after,
        unattached: planned.unattached,
        report,
    })
}

/// Deletes one record the principal may write, under its precondition; the IRI then answers
/// 410 Gone.
pub async fn delete_record(
    site: &Publishing<'_>,
    principal: &Principal,
    iri: &NamedNode,
    precondition: Precondition,
) -> Result<(), PublishError> {
    let index = site.catalogue.index()?;
    super::authorize::authorize_stored(principal, &index, iri)?;
    let publisher = index.get(iri).and_then(|r| r.publisher.clone());
    let (catalogue, target) = (site.catalogue.clone(), iri.clone());
    let outcome = tokio::task::spawn_blocking(move || {
        let before = catalogue.record_hash(target.as_ref())?;
        let deleted =
            catalogue.delete_if(target.as_ref(), || precondition.holds(&catalogue, &target))?;
        Ok::<_, PublishError>((deleted, before))
    })
    .await
    .map_err(|e| PublishError::Interrupted(e.to_string()))??;
    match outcome {
        (None, _) => Err(PublishError::PreconditionFailed),
        (Some(false), _) => Err(PublishError::NoSuchRecord),
        (Some(true), before) => {
            let note = (iri, publisher.as_ref(), "deleted", before.as_deref(), None);
            audit(site, principal, &[note]).await
        }
    }
}

/// A write to note: the record, its publisher, the action and the hashes before and after.
type Note<'a> = (
    &'a NamedNode,
    Option<&'a NamedNode>,
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
);

/// Notes writes in the audit log of the organisation that publishes each record.
async fn audit(
    site: &Publishing<'_>,
    principal: &Principal,
    notes: &[Note<'_>],
) -> Result<(), PublishError> {
    let Some(accounts) = site.accounts else {
        return Ok(());
    };
    let mut organisations: HashMap<Option<&NamedNode>, Option<i64>> = HashMap::new();
    let mut entries = Vec::with_capacity(notes.len());
    for &(record, publisher, action, hash_before, hash_after) in notes {
        let org_id = match organisations.get(&publisher) {
            Some(id) => *id,
            None => {
                let org = match publisher {
                    Some(p) => accounts.organisation_by_publisher(p.as_str()).await?,
                    None => principal.memberships.first().map(|(org, _)| org.clone()),
                };
                let id = org.map(|o| o.id);
                organisations.insert(publisher, id);
                id
            }
        };
        entries.push(crate::accounts::AuditNote {
            org_id,
            record: record.as_str(),
            action,
            hash_before,
            hash_after,
        });
    }
    accounts.audit(&principal.actor, &entries).await?;
    Ok(())
}

/// The publishing API stamps `dcterms:modified` itself: a submitted value is dropped, so that
/// posting the same content again is recognised as unchanged.
fn prepare_stamp(record: &mut Record) {
    let root = NamedOrBlankNode::from(record.iri.clone());
    record
        .triples
        .retain(|t| !(t.subject == root && t.predicate.as_ref() == dcterms::MODIFIED));
    record.stamp_modified = true;
}

fn hashes(catalogue: &Catalogue, names: &[NamedNode]) -> Result<Vec<Option<String>>, PublishError> {
    names
        .iter()
        .map(|iri| Ok(catalogue.record_hash(iri.as_ref())?))
        .collect()
}

/// Optimistic concurrency on one record (RFC 9110 section 13.1).
pub enum Precondition {
    None,
    /// `If-Match`: one of these ETags (or `*`: the record exists).
    IfMatch(Vec<String>),
    /// `If-None-Match: *`: the record must not exist yet.
    IfNoneMatchAny,
}

impl Precondition {
    /// From the values of `If-Match` and `If-None-Match`.
    pub fn from_values(if_match: Option<&str>, if_none_match: Option<&str>) -> Self {
        let list = |value: &str| {
            value
                .split(',')
                .map(|t| t.trim().trim_start_matches("W/").to_owned())
                .collect::<Vec<_>>()
        };
        if let Some(tags) = if_match.map(list) {
            return Self::IfMatch(tags);
        }
        match if_none_match.map(list) {
            Some(tags) if tags.iter().any(|t| t == "*") => Self::IfNoneMatchAny,
            _ => Self::None,
        }
    }

    /// Whether the stored record `iri` satisfies the precondition now.
    pub fn holds(&self, catalogue: &Catalogue, iri: &NamedNode) -> bool {
        if let Self::None = self {
            return true;
        }
        let current = match catalogue.record(iri.as_ref()) {
            Ok(current) => current,
            Err(_) => return false,
        };
        match (self, current) {
            (Self::None, _) => true,
            (Self::IfNoneMatchAny, current) => current.is_none(),
            (Self::IfMatch(_), None) => false,
            (Self::IfMatch(tags), Some(mut triples)) => {
                tags.iter().any(|t| t == "*")
                    || crate::rdf::record_tags(&mut triples)
                        .iter()
                        .any(|etag| tags.contains(etag))
            }
        }
    }
}

fn check_records(
    records: &[Plan],
    only: Option<&NamedNode>,
    accepts: Accepts,
) -> Result<(), PublishError> {
    if records.is_empty() {
        return Err(PublishError::NoRecords);
    }
    if let Some(iri) = only
        && (records.len() != 1 || &records[0].iri != iri)
    {
        return Err(PublishError::WrongRecord {
            expected: iri.as_str().to_owned(),
            found: records.iter().map(|r| r.iri.as_str().to_owned()).collect(),
        });
    }
    if records.iter().any(|r| r.kind == RecordKind::Catalog) {
        return Ok(());
    }
    match records.iter().find(|r| !accepts.takes(r.kind)) {
        Some(record) => Err(PublishError::WrongKind(accepts.refusal(record))),
        None => Ok(()),
    }
}

/// The datasets and services a catalogue will list when served: a catalogue record does not
/// store its `dcat:dataset` links (the feeds derive them), so validation adds them back.
#[derive(Default)]
pub struct Members(Vec<(NamedNode, RecordKind)>);

impl Members {
    /// The members of a submission (its records' IRIs and kinds) plus those already stored.
    pub fn of<'a>(
        records: impl IntoIterator<Item = (&'a NamedNode, RecordKind)>,
        stored: &RecordIndex,
    ) -> Self {
        let mut members: Vec<(NamedNode, RecordKind)> = records
            .into_iter()
            .filter(|(_, kind)| *kind != RecordKind::Catalog)
            .map(|(iri, kind)| (iri.clone(), kind))
            .collect();
        members.extend(stored.members().map(|m| (m.iri.clone(), m.kind)));
        members.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
        members.dedup_by(|a, b| a.0 == b.0);
        Self(members)
    }

    fn contains(&self, node: oxrdf::TermRef<'_>) -> bool {
        matches!(node, oxrdf::TermRef::NamedNode(n) if self.0.binary_search_by(|(m, _)| m.as_str().cmp(n.as_str())).is_ok())
    }

    fn links(&self, catalog: &NamedNode) -> Vec<Triple> {
        let mut out = Vec::new();
        for (iri, kind) in &self.0 {
            if let Some(link) = kind.catalog_link() {
                out.push(Triple::new(catalog.clone(), link, iri.clone()));
                out.push(Triple::new(iri.clone(), rdf::TYPE, kind.class()));
            }
        }
        out
    }
}

/// Validates a document as a write of it would be, record by record, storing nothing: `each`
/// gets each record's results as they are found, and stops the work by returning false.
/// Only one record is made at a time, so a whole catalogue is checked in little more memory
/// than its compact form.
pub fn validate_document(
    shapes: &Shapes,
    document: Document,
    base: &str,
    stored: &RecordIndex,
    mut each: impl FnMut(&ValidationReport) -> bool,
) {
    let planned = plan_records(document, base);
    let members = Members::of(planned.plans.iter().map(|p| (&p.iri, p.kind)), stored);
    for plan in &planned.plans {
        if !each(&check_record(shapes, &planned.record(plan), &members)) {
            return;
        }
    }
}

/// Validates one record as it will be stored and served (a catalogue with its members).
pub fn check_record(
    shapes: &crate::shacl::Shapes,
    record: &Record,
    members: &Members,
) -> ValidationReport {
    if record.kind != RecordKind::Catalog {
        return shapes.validate(&record.triples);
    }
    let mut triples = record.triples.clone();
    triples.extend(members.links(&record.iri));
    // The members stand in only as link targets, never as focus nodes (so no result is
    // about them): they are validated as records of their own, and at 100 000 members,
    // validating the stand-ins here took gigabytes.
    let is_focus = |node: oxrdf::TermRef<'_>| !members.contains(node);
    shapes.validate_focus(&triples, &is_focus)
}

/// Warnings the answer to a write lists at most; each record keeps all of its own, shown on
/// its page. A whole catalogue posted at once can have a hundred thousand, and listing them
/// all took several times the body's size in memory.
pub const LISTED_WARNINGS: usize = 1000;

/// Validates, and keeps each record's warnings beside it with the digest of the shapes it
/// was checked against (a record with violations is never written, so the digest only ever
/// stands beside content that passed). The report has every violation and the first
/// [`LISTED_WARNINGS`] warnings; the count is of all.
pub fn validate_and_note(
    shapes: &crate::shacl::Shapes,
    records: &mut [Record],
    members: &Members,
) -> Validation {
    let mut validation = Validation::default();
    for record in records.iter_mut() {
        validation.add(note_warnings(shapes, record, members));
    }
    validation
}

/// Validates one record and keeps its warnings beside it (see [`validate_and_note`]).
fn note_warnings(shapes: &Shapes, record: &mut Record, members: &Members) -> ValidationReport {
    let own = check_record(shapes, record, members);
    record.warnings = (own.warnings() > 0).then(|| own.to_json().to_string());
    record.checked_with = shapes.digest().map(str::to_owned);
    own
}

/// What validating a write found: every violation and the first warnings, and how many
/// warnings there were in all.
#[derive(Debug, Default)]
pub struct Validation {
    pub report: ValidationReport,
    pub warnings: usize,
}

impl Validation {
    /// Adds one record's results: its violations, and its warnings while fewer than
    /// [`LISTED_WARNINGS`] are listed.
    pub fn add(&mut self, mut own: ValidationReport) {
        self.warnings += own.warnings();
        let room = LISTED_WARNINGS.saturating_sub(self.report.warnings());
        let mut listed = 0;
        own.results.retain(|r| {
            let keep = r.severity != Severity::Warning || listed < room;
            listed += usize::from(keep && r.severity == Severity::Warning);
            keep
        });
        self.report.merge(own);
    }

    /// The report as JSON, saying how many warnings it leaves out.
    pub fn to_json(&self) -> serde_json::Value {
        let mut json = self.report.to_json();
        json["warnings"] = self.warnings.into();
        json["unlisted"] = (self.warnings - self.report.warnings()).into();
        json
    }
}
