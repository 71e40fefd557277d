//! Search over the records: a tantivy index in the data directory (`search-index/`), kept in
//! step with the store by following its change log (every write, delete and harvest is an
//! event there). The index notes, with each commit, how many events it has applied, so after
//! a crash it catches up from the store; `katalog reindex` builds it anew. Titles,
//! descriptions and keywords are analysed by their language tag (Swedish and English
//! stemming, so "skola" finds "skolor"); words are ANDed, quotes make phrases; facets count
//! themes, publishers, formats, licences and the rest dataportal.se offers.
pub mod entry;
mod query;

pub use entry::FACETS;
pub use query::{FacetValue, Hit, SearchRequest, SearchResults, Sort};

use crate::rdf::ns::dcat;
use crate::store::{Catalogue, RecordIndex, RecordKind, StoreError};
use entry::Entry;
use oxigraph::model::NamedNode;
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use tantivy::collector::DocSetCollector;
use tantivy::query::TermQuery;
use tantivy::schema::{
    FAST, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions, Value,
};
use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

/// The folder of the index in the data directory.
pub const INDEX_DIR: &str = "search-index";

/// Changes when the schema or what is indexed changes: the index is then built anew.
const VERSION: u32 = 1;

/// Events applied per commit while catching up.
const EVENTS_PER_READ: usize = 1000;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index folder: {0}")]
    Folder(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

struct Fields {
    iri: Field,
    title: [Field; 3],
    text: [Field; 3],
    facet: Field,
    sort_title: Field,
    modified: Field,
    served_by: Field,
    shown: Field,
}

/// The language groups of the text fields, in the order of `Fields::title` and `text`.
const GROUPS: [(&str, &str); 3] = [("sv", "sv_stem"), ("en", "en_stem"), ("", "plain")];

pub struct Search {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    /// Events of the change log applied, as of the last commit.
    applied: AtomicU64,
}

/// What the index notes with each commit.
#[derive(serde::Serialize, serde::Deserialize)]
struct Payload {
    version: u32,
    /// Events of the store's change log applied (the next one to apply).
    applied: u64,
}

impl Search {
    /// Opens the index in `data_dir`, creating it (empty, to be caught up) when it is
    /// missing or of another version.
    pub fn open(data_dir: &Path) -> Result<Self, SearchError> {
        let dir = data_dir.join(INDEX_DIR);
        let (schema, fields) = schema();
        let index = match open_index(&dir, &schema) {
            Ok(index) if payload(&index).is_some_and(|p| p.version == VERSION) => index,
            _ => {
                // Missing, unreadable, or of another version: built anew.
                if dir.exists() {
                    std::fs::remove_dir_all(&dir)
                        .map_err(|e| SearchError::Folder(e.to_string()))?;
                }
                std::fs::create_dir_all(&dir).map_err(|e| SearchError::Folder(e.to_string()))?;
                let index = Index::create_in_dir(&dir, schema)?;
                register_tokenizers(&index);
                let mut writer: IndexWriter = index.writer_with_num_threads(1, 50_000_000)?;
                commit(&mut writer, 0)?;
                index
            }
        };
        register_tokenizers(&index);
        let writer = index.writer_with_num_threads(1, 50_000_000)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let applied = AtomicU64::new(payload(&index).map_or(0, |p| p.applied));
        Ok(Self {
            index,
            reader,
            writer: Mutex::new(writer),
            fields,
            applied,
        })
    }

    /// How many events of the change log the index has applied.
    pub fn applied(&self) -> u64 {
        self.applied.load(Ordering::Acquire)
    }

    /// Applies the events written since the last commit; how many it applied. A store
    /// with fewer events than the index has applied (a restored backup) is indexed anew.
    pub fn catch_up(&self, catalogue: &Catalogue) -> Result<u64, SearchError> {
        let end = catalogue.event_count()?;
        if end == self.applied() {
            return Ok(0);
        }
        let mut writer = self.writer.lock().expect("search writer");
        // Another caller may have caught up meanwhile.
        let start = self.applied();
        if end < start || (start == 0 && end > 0) {
            // A restored older store, or a new index: every record, not every event.
            drop(writer);
            self.rebuild(catalogue)?;
            return Ok(end);
        }
        let mut touched = BTreeSet::new();
        let mut next = start;
        while next < end {
            let (after, records) = catalogue.changed_records(next, EVENTS_PER_READ)?;
            if after == next {
                break;
            }
            next = after;
            touched.extend(records);
        }
        let index = catalogue.index()?;
        for iri in &touched {
            self.reindex(&writer, catalogue, &index, iri)?;
            if self.is_service(&index, iri) {
                // The datasets it serves gain or lose their API.
                for dataset in self.served_by(catalogue, iri)? {
                    if !touched.contains(&dataset) {
                        self.reindex(&writer, catalogue, &index, &dataset)?;
                    }
                }
            }
        }
        self.commit(&mut writer, next)?;
        Ok(next - start)
    }

    /// Builds the index anew from every record the store serves; how many it indexed.
    pub fn rebuild(&self, catalogue: &Catalogue) -> Result<usize, SearchError> {
        // Events written meanwhile are applied again by the next catch-up.
        let applied = catalogue.event_count()?;
        let index = catalogue.index()?;
        let mut writer = self.writer.lock().expect("search writer");
        writer.delete_all_documents()?;
        let mut count = 0;
        for info in &index.records {
            if self.add(&writer, catalogue, &index, &info.iri)? {
                count += 1;
            }
        }
        self.commit(&mut writer, applied)?;
        Ok(count)
    }

    /// Commits what the writer holds with the number of events applied, and lets searches
    /// see it.
    fn commit(&self, writer: &mut IndexWriter, applied: u64) -> Result<(), SearchError> {
        commit(writer, applied)?;
        self.reader.reload()?;
        self.applied.store(applied, Ordering::Release);
        Ok(())
    }

    fn is_service(&self, index: &RecordIndex, iri: &NamedNode) -> bool {
        index
            .get(iri)
            .is_none_or(|i| i.kind == RecordKind::DataService)
    }

    /// The datasets a service serves now and those the index has as served by it.
    fn served_by(
        &self,
        catalogue: &Catalogue,
        service: &NamedNode,
    ) -> Result<BTreeSet<NamedNode>, SearchError> {
        let mut datasets = BTreeSet::new();
        if let Some(triples) = catalogue.record(service.as_ref())? {
            let node = oxigraph::model::NamedOrBlankNode::from(service.clone());
            let d = crate::rdf::Descriptions::new(&triples);
            datasets.extend(d.iris(&node, dcat::SERVES_DATASET).into_iter().cloned());
        }
        let searcher = self.reader.searcher();
        let term = Term::from_field_text(self.fields.served_by, service.as_str());
        let query = TermQuery::new(term, IndexRecordOption::Basic);
        for address in searcher.search(&query, &DocSetCollector)? {
            let doc: TantivyDocument = searcher.doc(address)?;
            if let Some(iri) = doc.get_first(self.fields.iri).and_then(|v| v.as_str()) {
                datasets.insert(NamedNode::new_unchecked(iri));
            }
        }
        Ok(datasets)
    }

    /// Replaces the record's entry with its current state (none if it is gone).
    fn reindex(
        &self,
        writer: &IndexWriter,
        catalogue: &Catalogue,
        index: &RecordIndex,
        iri: &NamedNode,
    ) -> Result<(), SearchError> {
        writer.delete_term(Term::from_field_text(self.fields.iri, iri.as_str()));
        self.add(writer, catalogue, index, iri)?;
        Ok(())
    }

    /// Adds the record's entry if it is a dataset, series or data service the feeds serve.
    fn add(
        &self,
        writer: &IndexWriter,
        catalogue: &Catalogue,
        index: &RecordIndex,
        iri: &NamedNode,
    ) -> Result<bool, SearchError> {
        let Some(info) = index.get(iri) else {
            return Ok(false);
        };
        if info.kind == RecordKind::Catalog || info.invalid {
            return Ok(false);
        }
        let Some(triples) = catalogue.record(iri.as_ref())? else {
            return Ok(false);
        };
        let services = catalogue.linking_to(dcat::SERVES_DATASET, iri.as_ref())?;
        let entry = entry::entry(
            iri,
            info.kind,
            &triples,
            !services.is_empty(),
            info.modified.unix_timestamp(),
        );
        writer.add_document(self.document(&entry, &services))?;
        Ok(true)
    }

    fn document(&self, entry: &Entry, services: &[NamedNode]) -> TantivyDocument {
        let f = &self.fields;
        let mut doc = TantivyDocument::new();
        doc.add_text(f.iri, &entry.iri);
        for text in &entry.texts {
            let group = GROUPS
                .iter()
                .position(|(l, _)| *l == text.lang)
                .unwrap_or(2);
            let field = if text.title {
                f.title[group]
            } else {
                f.text[group]
            };
            doc.add_text(field, &text.value);
        }
        for (facet, value) in &entry.facets {
            doc.add_facet(
                f.facet,
                tantivy::schema::Facet::from_path([*facet, value.as_str()]),
            );
        }
        doc.add_text(f.sort_title, &entry.sort_title);
        doc.add_i64(f.modified, entry.modified);
        for service in services {
            doc.add_text(f.served_by, service.as_str());
        }
        let shown = serde_json::to_string(&entry.shown).unwrap_or_default();
        doc.add_text(f.shown, shown);
        doc
    }
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = |tokenizer: &str| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
    };
    let iri = builder.add_text_field("iri", STRING | STORED);
    let title =
        GROUPS.map(|(l, t)| builder.add_text_field(&format!("title_{}", or_any(l)), text(t)));
    let body = GROUPS.map(|(l, t)| builder.add_text_field(&format!("text_{}", or_any(l)), text(t)));
    let facet = builder.add_facet_field("facet", FacetOptions::default());
    let sort_title = builder.add_text_field("sort_title", STRING | FAST);
    let modified = builder.add_i64_field("modified", INDEXED | FAST);
    let served_by = builder.add_text_field("served_by", STRING);
    let shown = builder.add_text_field("shown", STORED);
    let fields = Fields {
        iri,
        title,
        text: body,
        facet,
        sort_title,
        modified,
        served_by,
        shown,
    };
    (builder.build(), fields)
}

fn or_any(lang: &str) -> &str {
    if lang.is_empty() { "any" } else { lang }
}

fn register_tokenizers(index: &Index) {
    let analyser = |language: Option<Language>| {
        let base = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(40))
            .filter(LowerCaser);
        match language {
            Some(l) => base.filter(Stemmer::new(l)).build(),
            None => base.build(),
        }
    };
    let tokenizers = index.tokenizers();
    tokenizers.register("sv_stem", analyser(Some(Language::Swedish)));
    tokenizers.register("en_stem", analyser(Some(Language::English)));
    tokenizers.register("plain", analyser(None));
}

fn open_index(dir: &Path, schema: &Schema) -> Result<Index, SearchError> {
    let index = Index::open_in_dir(dir)?;
    if index.schema() != *schema {
        return Err(SearchError::Folder("another schema".into()));
    }
    Ok(index)
}

fn payload(index: &Index) -> Option<Payload> {
    let metas = index.load_metas().ok()?;
    serde_json::from_str(metas.payload.as_deref()?).ok()
}

fn commit(writer: &mut IndexWriter, applied: u64) -> Result<(), SearchError> {
    let mut prepared = writer.prepare_commit()?;
    let payload = Payload {
        version: VERSION,
        applied,
    };
    prepared.set_payload(&serde_json::to_string(&payload).expect("payload serialises"));
    prepared.commit()?;
    Ok(())
}

/// Keeps the index in step with the store until the task is dropped: every half second the
/// events written since are applied, unless a write is still going on (searches also catch
/// up before they answer, so the lag shows only to what reads the index itself).
pub async fn follow(search: std::sync::Arc<Search>, catalogue: std::sync::Arc<Catalogue>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_millis(500));
    loop {
        tick.tick().await;
        if catalogue.is_writing() {
            // The next tick applies it all, once the write is done.
            continue;
        }
        let (search, catalogue) = (search.clone(), catalogue.clone());
        match tokio::task::spawn_blocking(move || search.catch_up(&catalogue)).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::error!(error = %e, "the search index could not catch up"),
            Err(e) => tracing::error!(error = %e, "the search index task failed"),
        }
    }
}
