//! `/api/search`: full-text search over the records with facets, for apps and the home page.
use crate::http::pages::record::page_language;
use crate::http::{AppError, AppState, SharedState};
use crate::search::{FACETS, SearchRequest, SearchResults, Sort};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};

/// Search the records
///
/// Free text over titles, descriptions and keywords (Swedish and English stemming; words
/// are ANDed; quotes make a phrase), filtered by facets: each facet parameter takes a value
/// IRI (or literal, for `format` and `kind`) and may be repeated (values of one facet are
/// ORed, facets ANDed). Answers the page of results and every facet's values with counts and
/// labels in the language asked for (`lang`, else `Accept-Language`).
#[utoipa::path(get, path = "/api/search", tag = "api",
    params(
        ("q" = Option<String>, Query, description = "Words to find; quotes for a phrase"),
        ("page" = Option<usize>, Query, description = "Page, from 1 (20 results a page)"),
        ("sort" = Option<String>, Query, description = "relevance (default), title or modified"),
        ("lang" = Option<String>, Query, description = "sv or en: titles and labels"),
        ("theme" = Option<Vec<String>>, Query, description = "dcat:theme IRI"),
        ("publisher" = Option<Vec<String>>, Query, description = "dcterms:publisher IRI"),
        ("publisherType" = Option<Vec<String>>, Query, description = "The publisher's dcterms:type IRI"),
        ("format" = Option<Vec<String>>, Query, description = "A distribution's media type, e.g. text/csv"),
        ("licence" = Option<Vec<String>>, Query, description = "dcterms:license IRI"),
        ("accessRights" = Option<Vec<String>>, Query, description = "dcterms:accessRights IRI"),
        ("frequency" = Option<Vec<String>>, Query, description = "dcterms:accrualPeriodicity IRI"),
        ("hvdCategory" = Option<Vec<String>>, Query, description = "High-value dataset category IRI"),
        ("subject" = Option<Vec<String>>, Query, description = "dcterms:subject IRI (national base data)"),
        ("conformsTo" = Option<Vec<String>>, Query, description = "dcterms:conformsTo IRI"),
        ("kind" = Option<Vec<String>>, Query, description = "dataset, series or service"),
        ("api" = Option<Vec<String>>, Query, description = "yes: served by a data service"),
    ),
    responses(
        (status = 200, description = "`{\"total\": n, \"page\": n, \"pages\": n, \"results\": [{\"iri\", \"title\", \"description\", \"publisher\", \"publisherName\", \"modified\", \"kind\"}], \"facets\": {\"theme\": [{\"value\", \"label\", \"count\", \"selected\"}], …}}`", content_type = "application/json"),
        (status = 400, description = "An unknown parameter, page or sort", body = crate::http::openapi::ErrorBody),
    ))]
pub async fn search(
    State(state): State<SharedState>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Json<SearchResults>, AppError> {
    let request = search_request(uri.query(), &headers)?;
    Ok(Json(run(state, request).await?))
}

/// The search a query string asks for (the page's form sends the same parameters).
pub fn search_request(query: Option<&str>, headers: &HeaderMap) -> Result<SearchRequest, AppError> {
    let mut request = SearchRequest {
        lang: page_language(query, headers).to_owned(),
        page: 1,
        ..SearchRequest::default()
    };
    let pairs = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes());
    for (key, value) in pairs {
        match key.as_ref() {
            "q" => request.text = value.into_owned(),
            "page" => {
                request.page = value.parse().ok().filter(|p| *p >= 1).ok_or_else(|| {
                    AppError::BadRequest(format!("page {value:?} is not a number from 1"))
                })?;
            }
            "sort" => {
                request.sort = Sort::parse(&value).ok_or_else(|| {
                    AppError::BadRequest(format!("sort {value:?}: relevance, title or modified"))
                })?;
            }
            "lang" => {}
            facet if FACETS.contains(&facet) => {
                if !value.is_empty() {
                    request.filters.push((facet.to_owned(), value.into_owned()));
                }
            }
            other => {
                return Err(AppError::BadRequest(format!(
                    "unknown parameter {other:?}: q, page, sort, lang and the facets {}",
                    FACETS.join(", ")
                )));
            }
        }
    }
    Ok(request)
}

/// Runs a search on a blocking thread, after applying the store's latest changes to the
/// index, so a search never shows a record that is gone.
pub async fn run(state: SharedState, request: SearchRequest) -> Result<SearchResults, AppError> {
    tokio::task::spawn_blocking(move || {
        let search = search_of(&state)?;
        search.catch_up(&state.catalogue)?;
        let served = state.catalogue.index()?;
        Ok(search.search(&request, &served, &state.labels)?)
    })
    .await?
}

fn search_of(state: &AppState) -> Result<&crate::search::Search, AppError> {
    state
        .search
        .as_deref()
        .ok_or_else(|| AppError::Unavailable("search is not enabled here".into()))
}
