//! From a request body to stored records: parse, split, validate, write.
use super::wants_json;
use crate::rdf::ns::rdf;
use crate::rdf::{ParseError, input_format_for_media_type, parse_graph};
use crate::shacl::ValidationReport;
use crate::store::{Change, Record, RecordIndex, RecordKind, split_records};
use crate::web::{AppError, AppState};
use axum::http::{HeaderMap, header};
use oxigraph::model::{NamedNode, Triple};

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
/// stores them. With `only`, the body must describe exactly that record.
pub async fn ingest(
    state: &std::sync::Arc<AppState>,
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
    let split = split_records(triples, &state.config.base_uri);
    check_records(&split.records, only)?;
    let mut records = split.records;
    let stored = state.catalogue.index()?;
    let members = Members::of(&records, &stored);
    let report = state
        .shapes
        .as_ref()
        .map(|shapes| validate_and_note(shapes, &mut records, &members));
    let report = match report {
        Some(r) if r.has_violations() => {
            return Err(AppError::Invalid(Box::new(r), wants_json(headers)));
        }
        other => other,
    };
    let names = records.iter().map(|r| r.iri.clone()).collect();
    let state = state.clone();
    let changes = tokio::task::spawn_blocking(move || state.catalogue.write(&records))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    Ok(Ingested {
        records: names,
        changes,
        unattached: split.unattached,
        report,
    })
}

fn check_records(records: &[Record], only: Option<&NamedNode>) -> Result<(), AppError> {
    if records.is_empty() {
        return Err(AppError::Syntax(ParseError::without_position(
            "no dcat:Dataset, dcat:DataService, dcat:DatasetSeries or dcat:Catalog found in the body",
        )));
    }
    if let Some(iri) = only {
        if records.len() != 1 || &records[0].iri != iri {
            let found: Vec<&str> = records.iter().map(|r| r.iri.as_str()).collect();
            return Err(AppError::BadRequest(format!(
                "the body must describe exactly the record <{iri}> (write `<>` for it); found {found:?}"
            )));
        }
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

    fn contains(&self, node: &oxrdf::Term) -> bool {
        matches!(node, oxrdf::Term::NamedNode(n) if self.0.binary_search_by(|(m, _)| m.as_str().cmp(n.as_str())).is_ok())
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
    let mut graph: oxrdf::Graph = record.triples.iter().map(Triple::as_ref).collect();
    if record.kind != RecordKind::Catalog {
        return shapes.validate(&graph);
    }
    for t in members.links(&record.iri) {
        graph.insert(&t);
    }
    let mut report = shapes.validate(&graph);
    // The members stand in only as link targets; they are validated as records of their own.
    report.results.retain(|r| !members.contains(&r.focus_node));
    report
}

/// Validates, and keeps each record's warnings beside it.
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
        report.merge(own);
    }
    report
}
