//! The home page is the search page: a search box, the facets as groups of checkboxes, the
//! results with their publisher and date, and paging. Everything works without JavaScript
//! (the form is sent with its button); with it, ticking a facet sends the form at once.
use super::record::page_language;
use super::{local_href, render};
use crate::feeds::organisations::{org_key, publisher_for_key, publisher_triples};
use crate::http::extract::Path;
use crate::http::handlers::search::{run, search_request};
use crate::http::{AppError, SharedState};
use crate::rdf::Descriptions;
use crate::rdf::ns::foaf;
use crate::search::{FacetValue, Hit, SearchRequest, Sort};
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Html;
use minijinja::context;
use oxigraph::model::NamedNode;
use serde::Serialize;
use std::collections::BTreeMap;

/// A facet as the page shows it: its group's name and its values.
#[derive(Serialize)]
struct FacetGroup {
    name: &'static str,
    label: String,
    values: Vec<FacetValue>,
}

#[derive(Serialize)]
struct Shown {
    href: String,
    title: String,
    description: Option<String>,
    publisher: Option<String>,
    modified: Option<String>,
    kind: String,
}

/// The facet groups in the order the page lists them, with their names in both languages.
const GROUPS: [(&str, &str, &str); 12] = [
    ("theme", "Kategori", "Category"),
    ("publisher", "Organisation", "Organisation"),
    ("publisherType", "Organisationstyp", "Type of organisation"),
    ("format", "Format", "Format"),
    ("licence", "Licens", "Licence"),
    ("accessRights", "Åtkomst", "Access"),
    ("frequency", "Uppdateringsfrekvens", "Update frequency"),
    (
        "hvdCategory",
        "Värdefulla datamängder (HVD)",
        "High-value datasets (HVD)",
    ),
    ("subject", "Nationella grunddata", "National base data"),
    ("conformsTo", "Följer specifikation", "Conforms to"),
    ("kind", "Typ", "Type"),
    ("api", "API", "API"),
];

/// A way into the catalogue from the home page: a theme or an organisation with its count.
#[derive(Serialize)]
struct Entry {
    href: String,
    label: String,
    count: u64,
}

/// What the home page shows before anything is asked: counts per theme and per organisation
/// (linking to their pages) and the latest changes.
#[derive(Serialize)]
struct Browse {
    themes: Vec<Entry>,
    organisations: Vec<Entry>,
    latest: Vec<Shown>,
}

/// How many of the latest changes the home page lists.
const LATEST: usize = 5;

/// What a page of the search is limited to: an organisation's records, or a theme's.
struct Scope {
    facet: &'static str,
    value: String,
    heading: String,
}

pub async fn home(
    State(state): State<SharedState>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Html<String>, AppError> {
    search_page(state, uri, headers, None).await
}

/// An organisation's page (`/organisations/{key}`): its records, searchable with the same
/// facets.
pub async fn organisation(
    State(state): State<SharedState>,
    Path(key): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Html<String>, AppError> {
    let lang = page_language(uri.query(), &headers);
    let catalogue = state.catalogue.clone();
    let (publisher, name) = tokio::task::spawn_blocking(move || {
        let index = catalogue.index()?;
        let publisher = publisher_for_key(&index, &key)
            .ok_or(AppError::NotFound)?
            .clone();
        let triples = publisher_triples(&catalogue, &index, &publisher)?;
        let node = publisher.clone().into();
        let name = Descriptions::new(&triples)
            .text(&node, foaf::NAME, lang)
            .map_or_else(|| publisher.to_string(), str::to_owned);
        Ok::<_, AppError>((publisher, name))
    })
    .await??;
    let scope = Scope {
        facet: "publisher",
        value: publisher.into_string(),
        heading: name,
    };
    search_page(state, uri, headers, Some(scope)).await
}

/// A theme's page (`/themes/{code}`, the EU data theme's code, e.g. `ENVI`).
pub async fn theme(
    State(state): State<SharedState>,
    Path(code): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Html<String>, AppError> {
    let lang = page_language(uri.query(), &headers);
    let iri = format!("{THEMES}{}", code.to_ascii_uppercase());
    let heading = state
        .labels
        .of(&iri, lang)
        .ok_or(AppError::NotFound)?
        .to_owned();
    let scope = Scope {
        facet: "theme",
        value: iri,
        heading,
    };
    search_page(state, uri, headers, Some(scope)).await
}

const THEMES: &str = "http://publications.europa.eu/resource/authority/data-theme/";

async fn search_page(
    state: SharedState,
    uri: Uri,
    headers: HeaderMap,
    scope: Option<Scope>,
) -> Result<Html<String>, AppError> {
    let mut request = search_request(uri.query(), &headers)?;
    if let Some(scope) = &scope {
        request
            .filters
            .push((scope.facet.to_owned(), scope.value.clone()));
    }
    let base = state.config.base_uri.clone();
    let lang = request.lang.clone();
    let asks_nothing = scope.is_none()
        && request.text.is_empty()
        && request.filters.is_empty()
        && request.page == 1;
    let mut results = run(state.clone(), request.clone()).await?;
    let browse = if asks_nothing {
        Some(browse(state, &request, &results.facets, &base).await?)
    } else {
        None
    };
    let en = lang == "en";
    let fixed = scope.as_ref().map(|s| s.facet);
    let groups: Vec<FacetGroup> = GROUPS
        .iter()
        .filter(|&&(name, _, _)| Some(name) != fixed)
        .map(|&(name, sv, english)| FacetGroup {
            name,
            label: if en { english } else { sv }.to_string(),
            values: results.facets.remove(name).unwrap_or_default(),
        })
        .filter(|g| !g.values.is_empty())
        .collect();
    let shown: Vec<Shown> = results
        .results
        .into_iter()
        .map(|hit| shown(hit, &base))
        .collect();
    let path = uri.path();
    let pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let link = |key: &str, value: String| {
        let mut query: Vec<(String, String)> =
            pairs.iter().filter(|(k, _)| k != key).cloned().collect();
        query.push((key.to_owned(), value));
        let encoded = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(query)
            .finish();
        format!("{path}?{encoded}")
    };
    let previous = (results.page > 1).then(|| link("page", (results.page - 1).to_string()));
    let next = (results.page < results.pages).then(|| link("page", (results.page + 1).to_string()));
    let other_lang = if en { "sv" } else { "en" };
    render(
        "home.html",
        context! {
            lang => lang,
            other_lang => other_lang,
            switch => link("lang", other_lang.to_owned()),
            action => path,
            heading => scope.map(|s| s.heading),
            q => request.text,
            sort => match request.sort { Sort::Relevance => "relevance", Sort::Title => "title", Sort::Modified => "modified" },
            total => results.total,
            page => results.page,
            pages => results.pages,
            results => shown,
            facets => groups,
            browse => browse,
            previous => previous,
            next => next,
        },
    )
}

fn shown(hit: Hit, base: &str) -> Shown {
    Shown {
        href: local_href(&hit.iri, base),
        title: hit.title,
        description: hit.description.map(|d| excerpt(&d, 300)),
        publisher: hit.publisher_name.or(hit.publisher),
        // The day is what a reader needs of a time stamp.
        modified: hit
            .modified
            .map(|m| m.get(..10).map_or(m.clone(), str::to_owned)),
        kind: hit.kind,
    }
}

/// The home page's ways in: the theme and organisation facets of the whole catalogue as
/// links to their pages, and the records changed last.
async fn browse(
    state: SharedState,
    request: &SearchRequest,
    facets: &BTreeMap<&'static str, Vec<FacetValue>>,
    base: &str,
) -> Result<Browse, AppError> {
    let entries = |name: &str, href: &dyn Fn(&str) -> Option<String>| -> Vec<Entry> {
        facets
            .get(name)
            .into_iter()
            .flatten()
            .filter_map(|v| {
                Some(Entry {
                    href: href(&v.value)?,
                    label: v.label.clone(),
                    count: v.count,
                })
            })
            .collect()
    };
    let themes = entries("theme", &|iri| {
        iri.strip_prefix(THEMES)
            .map(|code| format!("/themes/{code}"))
    });
    let organisations = entries("publisher", &|iri| {
        let publisher = NamedNode::new(iri).ok()?;
        Some(format!("/organisations/{}", org_key(&publisher)))
    });
    let latest_request = SearchRequest {
        sort: Sort::Modified,
        ..request.clone()
    };
    let latest = run(state, latest_request)
        .await?
        .results
        .into_iter()
        .take(LATEST)
        .map(|hit| shown(hit, base))
        .collect();
    Ok(Browse {
        themes,
        organisations,
        latest,
    })
}

/// The first `chars` characters of a text, cut at a word.
fn excerpt(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        return text.to_owned();
    }
    let cut: String = text.chars().take(chars).collect();
    let at_word = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{at_word} …")
}
