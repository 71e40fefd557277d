//! Answering a search: the query (words ANDed, quotes for phrases, Swedish and English
//! stemming), the facet filters (values of one facet ORed, facets ANDed), the facet counts
//! with labels in the reader's language, the sort and the page.
use super::entry::{FACETS, Shown};
use super::{Search, SearchError};
use crate::store::RecordIndex;
use crate::vocab::Labels;
use oxigraph::model::NamedNode;
use serde::Serialize;
use std::collections::BTreeMap;
use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, QueryParser, TermQuery};
use tantivy::schema::{Facet, IndexRecordOption, Value};
use tantivy::{DocAddress, Order, Searcher, TantivyDocument, Term};

/// Results on a page.
pub const PAGE_SIZE: usize = 20;
/// The deepest result reachable by paging.
pub const MAX_RESULTS: usize = 10_000;
/// Values listed per facet.
const FACET_VALUES: usize = 50;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    #[default]
    Relevance,
    Title,
    Modified,
}

impl Sort {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "relevance" | "" => Some(Self::Relevance),
            "title" => Some(Self::Title),
            "modified" => Some(Self::Modified),
            _ => None,
        }
    }
}

/// A search as the API and the page ask it.
#[derive(Clone, Debug, Default)]
pub struct SearchRequest {
    pub text: String,
    /// From 1.
    pub page: usize,
    pub sort: Sort,
    /// (facet, value) pairs; unknown facets are refused by the caller.
    pub filters: Vec<(String, String)>,
    /// `sv` or `en`: the language of titles and labels.
    pub lang: String,
}

#[derive(Debug, Serialize)]
pub struct Hit {
    pub iri: String,
    pub title: String,
    pub description: Option<String>,
    pub publisher: Option<String>,
    #[serde(rename = "publisherName")]
    pub publisher_name: Option<String>,
    pub modified: Option<String>,
    pub kind: String,
}

#[derive(Debug, Serialize)]
pub struct FacetValue {
    pub value: String,
    pub label: String,
    pub count: u64,
    /// The request filters on it.
    pub selected: bool,
}

#[derive(Debug, Serialize)]
pub struct SearchResults {
    pub total: usize,
    pub page: usize,
    pub pages: usize,
    pub results: Vec<Hit>,
    pub facets: BTreeMap<&'static str, Vec<FacetValue>>,
}

impl Search {
    /// Answers `request`; results the store no longer serves (written since the last
    /// catch-up) are left out.
    pub fn search(
        &self,
        request: &SearchRequest,
        served: &RecordIndex,
        labels: &Labels,
    ) -> Result<SearchResults, SearchError> {
        let searcher = self.reader.searcher();
        let query = self.query(request);
        let mut facets = FacetCollector::for_field("facet");
        for facet in FACETS {
            facets.add_facet(Facet::from_path([facet]));
        }
        let (total, counts) = searcher.search(&*query, &(Count, facets))?;
        let page = request.page.max(1);
        let offset = (page - 1).saturating_mul(PAGE_SIZE).min(MAX_RESULTS);
        let addresses = self.top(&searcher, &*query, request.sort, offset)?;
        let mut results = Vec::new();
        for address in addresses {
            let doc: TantivyDocument = searcher.doc(address)?;
            let Some(iri) = doc.get_first(self.fields.iri).and_then(|v| v.as_str()) else {
                continue;
            };
            let live = served
                .get(&NamedNode::new_unchecked(iri))
                .is_some_and(|info| !info.invalid);
            if !live {
                continue;
            }
            let shown: Shown = doc
                .get_first(self.fields.shown)
                .and_then(|v| v.as_str())
                .and_then(|s| serde_json::from_str(s).ok())
                .unwrap_or_default();
            results.push(hit(iri, shown, &request.lang));
        }
        let mut by_facet = BTreeMap::new();
        for facet in FACETS {
            let mut values: Vec<FacetValue> = counts
                .top_k(Facet::from_path([facet]), FACET_VALUES)
                .into_iter()
                .filter_map(|(f, count)| {
                    let value = f.to_path().get(1)?.to_string();
                    let selected = request
                        .filters
                        .iter()
                        .any(|(k, v)| k == facet && *v == value);
                    let label = self.label(&searcher, facet, &value, labels, &request.lang);
                    Some(FacetValue {
                        value,
                        label,
                        count,
                        selected,
                    })
                })
                .collect();
            values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
            by_facet.insert(facet, values);
        }
        Ok(SearchResults {
            total,
            page,
            pages: total.min(MAX_RESULTS).div_ceil(PAGE_SIZE),
            results,
            facets: by_facet,
        })
    }

    fn query(&self, request: &SearchRequest) -> Box<dyn Query> {
        let f = &self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let text = request.text.trim();
        if !text.is_empty() {
            let fields: Vec<_> = f.title.iter().chain(&f.text).copied().collect();
            let mut parser = QueryParser::for_index(&self.index, fields);
            parser.set_conjunction_by_default();
            for title in f.title {
                parser.set_field_boost(title, 3.0);
            }
            // A stray quote or bracket is read as well as it can be, never refused.
            let (parsed, _) = parser.parse_query_lenient(text);
            clauses.push((Occur::Must, parsed));
        }
        let mut by_facet: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (facet, value) in &request.filters {
            by_facet.entry(facet).or_default().push(value);
        }
        for (facet, values) in by_facet {
            let any: Vec<(Occur, Box<dyn Query>)> = values
                .into_iter()
                .map(|value| {
                    let term = Term::from_facet(f.facet, &Facet::from_path([facet, value]));
                    let query: Box<dyn Query> =
                        Box::new(TermQuery::new(term, IndexRecordOption::Basic));
                    (Occur::Should, query)
                })
                .collect();
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        match clauses.is_empty() {
            true => Box::new(AllQuery),
            false => Box::new(BooleanQuery::new(clauses)),
        }
    }

    fn top(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        sort: Sort,
        offset: usize,
    ) -> Result<Vec<DocAddress>, SearchError> {
        let top = TopDocs::with_limit(PAGE_SIZE).and_offset(offset);
        let addresses = match sort {
            Sort::Relevance => searcher
                .search(query, &top.order_by_score())?
                .into_iter()
                .map(|(_, a)| a)
                .collect(),
            Sort::Title => searcher
                .search(
                    query,
                    &top.order_by_string_fast_field("sort_title", Order::Asc),
                )?
                .into_iter()
                .map(|(_, a)| a)
                .collect(),
            Sort::Modified => searcher
                .search(
                    query,
                    &top.order_by_fast_field::<i64>("modified", Order::Desc),
                )?
                .into_iter()
                .map(|(_, a)| a)
                .collect(),
        };
        Ok(addresses)
    }

    /// A facet value by its label: vocabulary concepts by theirs, publishers by their
    /// names, media types by their names.
    fn label(
        &self,
        searcher: &Searcher,
        facet: &str,
        value: &str,
        labels: &Labels,
        lang: &str,
    ) -> String {
        let en = lang == "en";
        let text = match facet {
            "kind" => Some(
                match (value, en) {
                    ("dataset", false) => "Datamängd",
                    ("dataset", true) => "Dataset",
                    ("series", false) => "Datamängdsserie",
                    ("series", true) => "Dataset series",
                    ("service", false) => "Datatjänst (API)",
                    ("service", true) => "Data service (API)",
                    _ => value,
                }
                .to_owned(),
            ),
            "api" => Some(if en { "Has an API" } else { "Har API" }.to_owned()),
            "format" => labels.of_notation(value, lang).map(str::to_owned),
            "publisher" => self.publisher_name(searcher, value, lang),
            _ => labels.of(value, lang).map(str::to_owned),
        };
        text.unwrap_or_else(|| value.to_owned())
    }

    /// The publisher's name, as the records that name it describe it.
    fn publisher_name(&self, searcher: &Searcher, publisher: &str, lang: &str) -> Option<String> {
        let term = Term::from_facet(
            self.fields.facet,
            &Facet::from_path(["publisher", publisher]),
        );
        let query = TermQuery::new(term, IndexRecordOption::Basic);
        let top = searcher
            .search(&query, &TopDocs::with_limit(1).order_by_score())
            .ok()?;
        let (_, address) = top.first()?;
        let doc: TantivyDocument = searcher.doc(*address).ok()?;
        let shown: Shown =
            serde_json::from_str(doc.get_first(self.fields.shown)?.as_str()?).ok()?;
        match lang {
            "en" => shown.publisher_name_en.or(shown.publisher_name_sv),
            _ => shown.publisher_name_sv.or(shown.publisher_name_en),
        }
    }
}

fn hit(iri: &str, shown: Shown, lang: &str) -> Hit {
    let (title, other_title, description, other_description, name, other_name) = match lang {
        "en" => (
            shown.title_en,
            shown.title_sv,
            shown.description_en,
            shown.description_sv,
            shown.publisher_name_en,
            shown.publisher_name_sv,
        ),
        _ => (
            shown.title_sv,
            shown.title_en,
            shown.description_sv,
            shown.description_en,
            shown.publisher_name_sv,
            shown.publisher_name_en,
        ),
    };
    Hit {
        iri: iri.to_owned(),
        title: title.or(other_title).unwrap_or_else(|| iri.to_owned()),
        description: description.or(other_description),
        publisher: shown.publisher,
        publisher_name: name.or(other_name),
        modified: shown.modified,
        kind: shown.kind,
    }
}
