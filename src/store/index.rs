//! The in-memory list of live records, sorted by IRI: feeds page through it without
//! sorting the store on every request.
use super::ledger::{Ledger, Site};
use super::records::RecordKind;
use super::{StoreError, parse_time};
use oxigraph::model::NamedNode;
use std::sync::Arc;
use time::OffsetDateTime;

#[derive(Debug, Clone)]
pub struct RecordInfo {
    pub iri: NamedNode,
    pub kind: RecordKind,
    pub modified: OffsetDateTime,
    /// The canonical hash of the record's content; with `modified`, it names the stored
    /// state (the feed cache's key).
    pub hash: ContentHash,
    pub publisher: Option<NamedNode>,
    /// The record fails the active shapes: it is left out of the feeds.
    pub invalid: bool,
    /// The record fails the active shapes but passed before: it is still served, as it last
    /// passed, until an administrator applies the new verdicts (`katalog recheck --apply`).
    pub still_served: bool,
    /// The digest of the shapes the stored content was last checked against (see
    /// `Shapes::digest`); None when it was written without validation.
    pub checked_with: Option<Arc<str>>,
    /// The connected source it was harvested from (`source:N`); None when published.
    pub origin: Option<Arc<str>>,
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
    /// From the ledger's entries (kept in IRI order), without reading any record.
    pub(super) fn build(ledger: &Ledger) -> Result<Self, StoreError> {
        let mut records = Vec::with_capacity(ledger.entry_count()?);
        // Most records share their shapes digest and origin: one copy of each is kept.
        let mut shared = SharedText::default();
        ledger.for_each_entry(|iri, entry| {
            let (Some(kind), Some(modified)) = (
                RecordKind::from_class(&entry.kind),
                parse_time(&entry.modified),
            ) else {
                tracing::warn!(record = iri, "ledger entry with an unknown kind or time");
                return;
            };
            records.push(RecordInfo {
                iri: NamedNode::new_unchecked(iri),
                kind,
                modified,
                hash: ContentHash::from_hex(&entry.hash),
                publisher: entry.publisher.map(NamedNode::new_unchecked),
                invalid: entry.invalid,
                still_served: entry.fails_active,
                checked_with: entry.checked_with.map(|d| shared.get(d)),
                origin: entry.origin.map(|o| shared.get(o)),
            });
        })?;
        Ok(Self {
            records,
            last_change: ledger.site(Site::LastChange)?.and_then(|v| parse_time(&v)),
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

/// One copy of each text that many records repeat.
#[derive(Default)]
struct SharedText(std::collections::HashSet<Arc<str>>);

impl SharedText {
    fn get(&mut self, text: String) -> Arc<str> {
        if let Some(shared) = self.0.get(text.as_str()) {
            return shared.clone();
        }
        let shared: Arc<str> = text.into();
        self.0.insert(shared.clone());
        shared
    }
}

/// A record's canonical hash (SHA-256), held as its 32 bytes: a large catalogue's index keeps
/// one per record, and as hex text it took three times the room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContentHash([u8; 32]);

impl ContentHash {
    /// The hash written as hex (`rdf::canonical_hash`). Text that is not such a hash, which
    /// katalog never writes, reads as all zeros: it matches no content, so the record is
    /// taken as changed and written again.
    pub fn from_hex(hex: &str) -> Self {
        let mut bytes = [0; 32];
        if hex::decode_to_slice(hex, &mut bytes).is_err() {
            tracing::warn!(hash = hex, "a ledger entry's hash is not SHA-256 hex");
            bytes = [0; 32];
        }
        Self(bytes)
    }

    /// True when `hex` is this hash written as hex.
    pub fn is(&self, hex: &str) -> bool {
        let mut bytes = [0; 32];
        hex::decode_to_slice(hex, &mut bytes).is_ok() && bytes == self.0
    }
}

impl std::fmt::Display for ContentHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}
