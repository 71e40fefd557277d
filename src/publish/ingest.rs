//! From a request body to stored records: parse, split, validate, write.
use super::wants_json;
use crate::accounts::Principal;
use crate::rdf::ns::{dcterms, rdf};
use crate::rdf::{ParseError, input_format_for_media_type, parse_graph};
use crate::shacl::ValidationReport;
use crate::store::{Catalogue, Change, Record, RecordIndex, RecordKind, split_records};
use crate::web::{AppError, AppState};
use axum::http::{HeaderMap, header};
use oxigraph::model::{NamedNode, NamedOrBlankNode, Triple};

pub struct Ingested {
    pub records: Vec<NamedNode>,
    pub changes: Vec<Change>,
    pub unattached: usize,
    pub report: Option<ValidationReport>,
}

impl Ingested {
    pub fn records_and_changes(&self) -> Vec<(&NamedNode, Change)> {
        self.records
            .iter()
            .zip(self.changes.iter().copied())
            .collect()
    }
}

/// Parses the body (syntax from `Content-Type`) against `base`, splits it into records and
/// stores them. With `only`, the body must describe exactly that record, and the request's
/// `If-Match` / `If-None-Match` are checked against it at the moment of writing. With a
/// `principal` (the publishing API), every record must be theirs to write, and
/// `dcterms:modified` is stamped on the records that change.
pub async fn ingest(
    state: &std::sync::Arc<AppState>,
    principal: Option<&Principal>,
    headers: &HeaderMap,
    body: &[u8],
    base: &str,
    only: Option<&NamedNode>,
) -> Result<Ingested, AppError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| AppError::UnsupportedMediaType("no Content-Type given".into()))?;
    let format = input_format_for_media_type(content_type)
        .ok_or_else(|| AppError::UnsupportedMediaType(content_type.to_owned()))?;
    let triples = parse_graph(body, format, Some(base))?;
    let precondition = match only {
        Some(_) => Precondition::from_headers(headers),
        None => Precondition::None,
    };
    let json = wants_json(headers);
    store_triples(state, principal, triples, only, precondition, json).await
}

/// Splits triples into records and stores them, as [`ingest`] does for a request body; a
/// failed validation answers with the report in JSON when `json`.
pub async fn store_triples(
    state: &std::sync::Arc<AppState>,
    principal: Option<&Principal>,
    triples: Vec<Triple>,
    only: Option<&NamedNode>,
    precondition: Precondition,
    json: bool,
) -> Result<Ingested, AppError> {
    let split = split_records(triples, &state.config.base_uri);
    check_records(&split.records, only)?;
    let mut records = split.records;
    let stored = state.catalogue.index()?;
    if let Some(principal) = principal {
        super::auth::authorize_records(principal, &records, &stored, &state.config.base_uri)?;
        records.iter_mut().for_each(prepare_stamp);
    }
    let members = Members::of(&records, &stored);
    let report = state
        .shapes
        .as_ref()
        .map(|shapes| validate_and_note(shapes, &mut records, &members));
    let report = match report {
        Some(r) if r.has_violations() => {
            return Err(AppError::Invalid(Box::new(r), json));
        }
        other => other,
    };
    let names: Vec<NamedNode> = records.iter().map(|r| r.iri.clone()).collect();
    let publishers: Vec<Option<NamedNode>> =
        records.iter().map(|r| r.publisher().cloned()).collect();
    let state2 = state.clone();
    let before_after = tokio::task::spawn_blocking(move || {
        let catalogue = &state2.catalogue;
        let before = hashes(catalogue, &records)?;
        let check = || match records.first() {
            Some(r) => precondition.holds(catalogue, &r.iri),
            None => true,
        };
        let Some(changes) = catalogue.write_if(&records, check)? else {
            return Ok(None);
        };
        let after = hashes(catalogue, &records)?;
        Ok::<_, AppError>(Some((changes, before, after)))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))??;
    let (changes, before, after) = before_after.ok_or(AppError::PreconditionFailed)?;
    if let Some(principal) = principal {
        for (i, iri) in names.iter().enumerate() {
            let action = match changes[i] {
                Change::Unchanged => continue,
                Change::Created => "created",
                Change::Updated => "updated",
            };
            let publisher = publishers[i].as_ref();
            let (before, after) = (before[i].as_deref(), after[i].as_deref());
            super::audit(state, principal, iri, publisher, action, before, after).await?;
        }
    }
    Ok(Ingested {
        records: names,
        changes,
        unattached: split.unattached,
        report,
    })
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

fn hashes(catalogue: &Catalogue, records: &[Record]) -> Result<Vec<Option<String>>, AppError> {
    records
        .iter()
        .map(|r| Ok(catalogue.record_hash(r.iri.as_ref())?))
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
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let list = |name| {
            headers.get(name).and_then(|v| v.to_str().ok()).map(|v| {
                v.split(',')
                    .map(|t| t.trim().trim_start_matches("W/").to_owned())
                    .collect::<Vec<_>>()
            })
        };
        if let Some(tags) = list(header::IF_MATCH) {
            return Self::IfMatch(tags);
        }
        match list(header::IF_NONE_MATCH) {
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
            (Self::IfMatch(tags), Some(triples)) => {
                tags.iter().any(|t| t == "*")
                    || crate::web::record_etags(&triples)
                        .iter()
                        .any(|etag| tags.contains(etag))
            }
        }
    }
}

fn check_records(records: &[Record], only: Option<&NamedNode>) -> Result<(), AppError> {
    if records.is_empty() {
        return Err(AppError::Syntax(ParseError::without_position(
            "no dcat:Dataset, dcat:DataService, dcat:DatasetSeries or dcat:Catalog found in the body",
        )));
    }
    if let Some(iri) = only
        && (records.len() != 1 || &records[0].iri != iri)
    {
        let found: Vec<&str> = records.iter().map(|r| r.iri.as_str()).collect();
        return Err(AppError::BadRequest(format!(
            "the body must describe exactly the record <{iri}> (write `<>` for it); found {found:?}"
        )));
    }
    Ok(())
}

/// The datasets and services a catalogue will list when served: a catalogue record does not
/// store its `dcat:dataset` links (the feeds derive them), so validation adds them back.
#[derive(Default)]
pub struct Members(Vec<(NamedNode, RecordKind)>);

impl Members {
    /// The members of a submission plus those already stored.
    pub fn of(records: &[Record], stored: &RecordIndex) -> Self {
        let mut members: Vec<(NamedNode, RecordKind)> = records
            .iter()
            .filter(|r| r.kind != RecordKind::Catalog)
            .map(|r| (r.iri.clone(), r.kind))
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

/// Validates each record on its own, as it will be stored and served.
pub fn validate(
    shapes: &crate::shacl::Shapes,
    records: &[Record],
    members: &Members,
) -> ValidationReport {
    let mut report = ValidationReport {
        results: Vec::new(),
    };
    for record in records {
        report.merge(validate_record(shapes, record, members));
    }
    report
}

fn validate_record(
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

/// Validates, and keeps each record's warnings beside it with the digest of the shapes it
/// was checked against (a record with violations is never written, so the digest only ever
/// stands beside content that passed).
pub fn validate_and_note(
    shapes: &crate::shacl::Shapes,
    records: &mut [Record],
    members: &Members,
) -> ValidationReport {
    let mut report = ValidationReport {
        results: Vec::new(),
    };
    for record in records.iter_mut() {
        let own = validate_record(shapes, record, members);
        record.warnings = (own.warnings() > 0).then(|| own.to_json().to_string());
        record.checked_with = shapes.digest().map(str::to_owned);
        report.merge(own);
    }
    report
}
