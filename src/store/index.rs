//! The in-memory list of live records, sorted by IRI: feeds page through it without
//! sorting the store on every request.
use super::records::RecordKind;
use super::{StoreError, parse_time};
use oxigraph::model::{NamedNode, Term};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::Store;
use time::OffsetDateTime;

const LIST_RECORDS: &str = include_str!("../../queries/list-records.rq");
const LAST_CHANGE: &str = include_str!("../../queries/last-change.rq");

#[derive(Debug, Clone)]
pub struct RecordInfo {
    pub iri: NamedNode,
    pub kind: RecordKind,
    pub modified: OffsetDateTime,
    /// The canonical hash of the record's content; with `modified`, it names the stored
    /// state (the feed cache's key).
    pub hash: String,
    pub publisher: Option<NamedNode>,
    /// The record fails the active shapes: it is left out of the feeds.
    pub invalid: bool,
    /// The record fails the active shapes but passed before: it is still served, as it last
    /// passed, until an administrator applies the new verdicts (`katalog recheck --apply`).
    pub still_served: bool,
    /// The digest of the shapes the stored content was last checked against (see
    /// `Shapes::digest`); None when it was written without validation.
    pub checked_with: Option<String>,
}

impl RecordInfo {
    /// The stored state of the record: its content and when it was written.
    pub fn state(&self) -> String {
        format!("{}@{}", self.hash, self.modified.unix_timestamp_nanos())
    }
}

#[derive(Debug, Default)]
pub struct RecordIndex {
    pub records: Vec<RecordInfo>,
    /// When anything in the catalogue last changed (writes and deletes).
    pub last_change: Option<OffsetDateTime>,
}

impl RecordIndex {
    pub(super) fn build(store: &Store) -> Result<Self, StoreError> {
        let mut records = Vec::new();
        if let QueryResults::Solutions(solutions) = SparqlEvaluator::new()
            .parse_query(LIST_RECORDS)
            .expect("valid query")
            .on_store(store)
            .execute()?
        {
            for solution in solutions {
                let solution = solution?;
                let (
                    Some(Term::NamedNode(iri)),
                    Some(Term::NamedNode(kind)),
                    Some(Term::Literal(modified)),
                    Some(Term::Literal(hash)),
                ) = (
                    solution.get("record"),
                    solution.get("kind"),
                    solution.get("modified"),
                    solution.get("hash"),
                )
                else {
                    continue;
                };
                let (Some(kind), Some(modified)) = (
                    RecordKind::from_class(kind.as_str()),
                    parse_time(modified.value()),
                ) else {
                    continue;
                };
                let publisher = match solution.get("publisher") {
                    Some(Term::NamedNode(p)) => Some(p.clone()),
                    _ => None,
                };
                let invalid = solution.get("invalid").is_some();
                let still_served = solution.get("failing").is_some();
                let checked_with = match solution.get("checked") {
                    Some(Term::Literal(l)) => Some(l.value().to_owned()),
                    _ => None,
                };
                records.push(RecordInfo {
                    iri: iri.clone(),
                    kind,
                    modified,
                    hash: hash.value().to_owned(),
                    publisher,
                    invalid,
                    still_served,
                    checked_with,
                });
            }
        }
        records.sort_by(|a, b| a.iri.as_str().cmp(b.iri.as_str()));
        Ok(Self {
            records,
            last_change: last_change(store)?,
        })
    }

    /// The live record with this IRI (the list is sorted by IRI).
    pub fn get(&self, iri: &NamedNode) -> Option<&RecordInfo> {
        self.records
            .binary_search_by(|r| r.iri.as_str().cmp(iri.as_str()))
            .ok()
            .map(|i| &self.records[i])
    }

    /// Members of the catalogue feeds (datasets, series and data services that pass the
    /// active shapes), in IRI order.
    pub fn members(&self) -> impl Iterator<Item = &RecordInfo> {
        self.records
            .iter()
            .filter(|r| r.kind != RecordKind::Catalog && !r.invalid)
    }

    /// The distinct publishers of the feed members, in IRI order.
    pub fn publishers(&self) -> Vec<&NamedNode> {
        let mut publishers: Vec<&NamedNode> = self
            .members()
            .filter_map(|r| r.publisher.as_ref())
            .collect();
        publishers.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        publishers.dedup();
        publishers
    }
}

fn last_change(store: &Store) -> Result<Option<OffsetDateTime>, StoreError> {
    if let QueryResults::Solutions(mut solutions) = SparqlEvaluator::new()
        .parse_query(LAST_CHANGE)
        .expect("valid query")
        .on_store(store)
        .execute()?
        && let Some(solution) = solutions.next()
        && let Some(Term::Literal(l)) = solution?.get("time")
    {
        return Ok(parse_time(l.value()));
    }
    Ok(None)
}
