//! The harvest feeds over HTTP: syntax and profile negotiation, conditional requests, and
//! the unpaged documents streamed from a blocking thread.
use crate::feeds::{FeedError, Feeds, PageRequest, Profile, organisations};
use crate::http::extract::{Path, Query};
use crate::http::respond::{Conditional, accept_header, choose_format, rdf_response};
use crate::http::stream::stream_body;
use crate::http::{AppError, SharedState};
use crate::rdf::{GraphFormat, negotiate};
use crate::store::RecordIndex;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::sync::Arc;

#[derive(Debug, Deserialize, Default)]
pub struct FeedParams {
    page: Option<String>,
    #[serde(rename = "pageSize")]
    page_size: Option<String>,
    modified_since: Option<String>,
}

/// The catalogue, paged
///
/// Hydra-paged `dcat:Catalog` (first/next/previous/last, `totalItems`), in the syntax asked
/// for by `Accept` (browsers get the HTML listing). `/catalog.ttl`, `.rdf`, `.jsonld` and `.nt`
/// choose the syntax by extension.
#[utoipa::path(get, path = "/catalog", tag = "feeds",
    params(("page" = Option<String>, Query, description = "Page number, from 1"),
        ("pageSize" = Option<String>, Query, description = "Records per page (capped)"),
        ("modified_since" = Option<String>, Query, description = "Only records changed since this xsd:dateTime or date")),
    responses(
        (status = 200, description = "One page of the catalogue", content(("text/turtle"), ("application/rdf+xml"), ("application/ld+json"), ("application/n-triples"), ("text/html"))),
        (status = 304, description = "Not modified"),
        (status = 400, description = "A malformed parameter", body = crate::http::openapi::ErrorBody),
        (status = 404, description = "A page past the last", body = crate::http::openapi::ErrorBody),
        (status = 406, description = "No acceptable syntax", body = crate::http::openapi::ErrorBody),
    ))]
pub async fn catalog(
    State(state): State<SharedState>,
    Query(params): Query<FeedParams>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    if prefers_html(&headers) {
        // The search page, over the same records; its parameters are not the feed's.
        let uri = axum::http::Uri::from_static("/");
        return Ok(crate::http::pages::home(State(state), uri, headers)
            .await?
            .into_response());
    }
    let format = choose_format(&headers, None)?;
    catalog_page(state, params, headers, format).await
}

/// `/catalog.ttl` and the other extensions: the same pages in the syntax the extension names.
pub async fn catalog_as(
    State(state): State<SharedState>,
    Query(params): Query<FeedParams>,
    headers: HeaderMap,
    extension: &'static str,
) -> Result<Response, AppError> {
    let format = choose_format(&headers, Some(extension))?;
    catalog_page(state, params, headers, format).await
}

async fn catalog_page(
    state: SharedState,
    params: FeedParams,
    headers: HeaderMap,
    format: GraphFormat,
) -> Result<Response, AppError> {
    let request = PageRequest::from_params(
        params.page.as_deref(),
        params.page_size.as_deref(),
        params.modified_since.as_deref(),
        (state.config.page_size, state.config.max_page_size),
    )?;
    let index = state.catalogue.index()?;
    let validators = Conditional::new(
        &[
            &index.last_change.map(|t| t.to_string()).unwrap_or_default(),
            format.extension(),
            &request.cache_key(),
        ],
        index.last_change,
    );
    if validators.is_fresh(&headers) {
        return Ok(validators.not_modified());
    }
    let feeds = state.feeds.clone();
    let page = tokio::task::spawn_blocking(move || feeds.page(&index, &request)).await??;
    rdf_response(&page.triples, format, Some(&validators))
}

/// A browser asking for the catalogue gets the human listing.
fn prefers_html(headers: &HeaderMap) -> bool {
    let offers = [("text/turtle", false), ("text/html", true)];
    accept_header(headers).is_some_and(|a| negotiate(Some(a), &offers) == Some(true))
}

/// dataportal.se reads RDF/XML and sends no useful Accept header: RDF/XML unless asked.
fn harvest_format(headers: &HeaderMap) -> Result<GraphFormat, AppError> {
    let accept = accept_header(headers).unwrap_or("");
    if accept.is_empty() || accept.trim() == "*/*" {
        return Ok(GraphFormat::RdfXml);
    }
    choose_format(headers, None)
}

fn requested_profile(query: Option<&str>, headers: &HeaderMap) -> Profile {
    let accept_profile = headers.get("accept-profile").and_then(|v| v.to_str().ok());
    Profile::requested(query, accept_profile)
}

type DocumentBuilder =
    Box<dyn FnOnce(&Feeds, Arc<RecordIndex>) -> Result<crate::feeds::Document, FeedError> + Send>;

/// An unpaged document, streamed record by record; 304 when the client's copy is current.
fn harvest_document(
    state: SharedState,
    headers: &HeaderMap,
    profile: Profile,
    key: &str,
    build: DocumentBuilder,
) -> Result<Response, AppError> {
    let format = harvest_format(headers)?;
    let feeds = state.feeds.clone();
    if profile == Profile::European && feeds.eu.is_none() {
        return Err(FeedError::NoEuMapping.into());
    }
    let index = feeds.catalogue.index()?;
    let profile_key = format!("{profile:?}");
    let validators = Conditional::new(
        &[
            &index.last_change.map(|t| t.to_string()).unwrap_or_default(),
            format.extension(),
            key,
            &profile_key,
        ],
        index.last_change,
    );
    if validators.is_fresh(headers) {
        return Ok(validators.not_modified());
    }
    let document = build(&feeds, index)?;
    let body = stream_body(move |writer| {
        feeds
            .write_document(document, format, profile, writer)
            .map_err(std::io::Error::other)
    });
    let mut response = ([(header::CONTENT_TYPE, format.content_type())], body).into_response();
    validators.apply(response.headers_mut());
    let headers = response.headers_mut();
    headers.insert(
        header::VARY,
        HeaderValue::from_static("Accept, Accept-Profile, Accept-Encoding"),
    );
    if profile == Profile::European {
        headers.insert(
            "content-profile",
            HeaderValue::from_static("<http://data.europa.eu/r5r/>"),
        );
    }
    Ok(response)
}

/// The whole catalogue for harvesters (dataportal.se)
///
/// Unpaged and streamed, RDF/XML by default; `?profile=dcat-ap` or
/// `Accept-Profile: <http://data.europa.eu/r5r/>` gives the EU DCAT-AP export for
/// data.europa.eu. Organisations are linked as sub-catalogues with `dcterms:hasPart`.
#[utoipa::path(get, path = "/datasets/dcat", tag = "feeds",
    params(("profile" = Option<String>, Query, description = "`dcat-ap` for the EU profile")),
    responses(
        (status = 200, description = "The catalogue", content(("application/rdf+xml"), ("text/turtle"), ("application/ld+json"), ("application/n-triples"))),
        (status = 304, description = "Not modified"),
        (status = 406, description = "No acceptable syntax", body = crate::http::openapi::ErrorBody),
    ))]
pub async fn site(
    State(state): State<SharedState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let profile = requested_profile(query.as_deref(), &headers);
    let build: DocumentBuilder = Box::new(|feeds, index| feeds.site_document(index));
    let run = move || harvest_document(state, &headers, profile, "site", build);
    tokio::task::spawn_blocking(run).await?
}

/// One organisation's catalogue for harvesters
///
/// As `/datasets/dcat`, with only the records one publisher publishes; `key` is the ten-digit
/// organisation number of a dataportal.se publisher IRI, or a slug for other publishers.
#[utoipa::path(get, path = "/organisations/{key}/datasets/dcat", tag = "feeds",
    params(("key" = String, Path, description = "Organisation number or publisher slug"),
        ("profile" = Option<String>, Query, description = "`dcat-ap` for the EU profile")),
    responses(
        (status = 200, description = "The organisation's catalogue", content(("application/rdf+xml"), ("text/turtle"), ("application/ld+json"), ("application/n-triples"))),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No publisher with this key", body = crate::http::openapi::ErrorBody),
        (status = 406, description = "No acceptable syntax", body = crate::http::openapi::ErrorBody),
    ))]
pub async fn organisation(
    State(state): State<SharedState>,
    Path(key): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let profile = requested_profile(query.as_deref(), &headers);
    let run = move || {
        let cache_key = format!("org {key}");
        let build: DocumentBuilder =
            Box::new(move |feeds, index| feeds.org_document_for_key(index, &key));
        harvest_document(state, &headers, profile, &cache_key, build)
    };
    tokio::task::spawn_blocking(run).await?
}

/// What keeps an organisation's records out of the feeds
///
/// The organisation's records that fail the active shapes, with the reports: those left
/// out of the feeds, those that passed before and are still served until an administrator
/// applies the new verdicts, and the warnings of the rest.
#[utoipa::path(get, path = "/organisations/{key}/problems", tag = "feeds",
    params(("key" = String, Path, description = "Organisation number or publisher slug")),
    responses(
        (status = 200, description = "`{\"publisher\", \"leftOutOfFeeds\", \"failsActiveShapesStillServed\", \"warnings\"}`, each a list of `{\"record\", \"report\"}`", content_type = "application/json"),
        (status = 404, description = "No publisher with this key", body = crate::http::openapi::ErrorBody),
    ))]
pub async fn problems(
    State(state): State<SharedState>,
    Path(key): Path<String>,
) -> Result<Json<serde_json::Value>, AppError> {
    let run = move || organisations::problems(&state.catalogue, &key);
    Ok(Json(tokio::task::spawn_blocking(run).await??))
}

#[derive(Deserialize)]
pub struct LdesParams {
    page: Option<usize>,
}

/// Changes as an LDES event stream
///
/// Every create, update and delete as `as:Create`/`as:Update`/`as:Delete` members with
/// `as:published`, each member's state in its named graph, paged as `tree` nodes.
#[utoipa::path(get, path = "/ldes", tag = "feeds",
    params(("page" = Option<u32>, Query, description = "Page number, from 1")),
    responses(
        (status = 200, description = "One page of the event stream", content(("application/trig"), ("application/n-quads"))),
        (status = 304, description = "Not modified"),
        (status = 400, description = "A malformed page number", body = crate::http::openapi::ErrorBody),
        (status = 404, description = "No such page", body = crate::http::openapi::ErrorBody),
        (status = 406, description = "No acceptable syntax", body = crate::http::openapi::ErrorBody),
    ))]
pub async fn ldes(
    State(state): State<SharedState>,
    Query(params): Query<LdesParams>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let offers = crate::feeds::ldes::OFFERS;
    let format = negotiate(accept_header(&headers), &offers)
        .ok_or_else(|| AppError::NotAcceptable(offers.iter().map(|(m, _)| *m).collect()))?;
    let number = params.page.unwrap_or(1).max(1);
    let run = move || -> Result<Response, AppError> {
        // The validator is the page's stamp: a page more pages follow never changes, so its
        // ETag does not change with later events, and caches may keep it for good.
        let page = state.feeds.ldes_page(number)?;
        let validators = Conditional::new(&[page.stamp(), format.file_extension()], None);
        let mut response = match validators.is_fresh(&headers) {
            true => validators.not_modified(),
            false => ldes_page(&state.feeds, &page, format, &validators, &headers)?,
        };
        // A 304 says how long the copy it confirms may be kept, as the 200 did.
        let cache = match page.is_immutable() {
            true => "public, max-age=31536000, immutable",
            false => "public, max-age=0, must-revalidate",
        };
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
        Ok(response)
    };
    tokio::task::spawn_blocking(run).await?
}

fn ldes_page(
    feeds: &Feeds,
    page: &crate::feeds::ldes::LdesPage,
    format: oxigraph::io::RdfFormat,
    validators: &Conditional,
    headers: &HeaderMap,
) -> Result<Response, AppError> {
    let body = feeds.ldes_body(page, format, accepts_gzip(headers))?;
    let mut response = ([(header::CONTENT_TYPE, format.media_type())], body.bytes).into_response();
    validators.apply(response.headers_mut());
    // A page kept compressed goes out as it is kept; the compression layer passes a body
    // with a Content-Encoding by, and compresses the others as it always does.
    if body.gzipped {
        response
            .headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    response.headers_mut().insert(
        header::VARY,
        HeaderValue::from_static("Accept, Accept-Encoding"),
    );
    Ok(response)
}

/// The request's Accept-Encoding admits gzip (by name or `*`, with a weight above 0).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    let codings = headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','));
    let mut gzip = None;
    let mut any = None;
    for coding in codings {
        let mut parts = coding.split(';').map(str::trim);
        let name = parts.next().unwrap_or_default().to_ascii_lowercase();
        let weight = parts
            .find_map(|p| p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")))
            .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok());
        let admitted = weight.is_some_and(|q| q > 0.0);
        match name.as_str() {
            "gzip" | "x-gzip" => gzip = Some(admitted),
            "*" => any = Some(admitted),
            _ => {}
        }
    }
    gzip.or(any).unwrap_or(false)
}

/// VoID description of the site
///
/// The SPARQL endpoint, the data dumps, the URI space and one subset per organisation.
#[utoipa::path(get, path = "/.well-known/void", tag = "feeds",
    responses(
        (status = 200, description = "VoID", content(("text/turtle"), ("application/rdf+xml"), ("application/ld+json"), ("application/n-triples"))),
        (status = 304, description = "Not modified"),
        (status = 406, description = "No acceptable syntax", body = crate::http::openapi::ErrorBody),
    ))]
pub async fn void(
    State(state): State<SharedState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let format = choose_format(&headers, None)?;
    let triples = state.feeds.void()?;
    rdf_response(&triples, format, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepting(value: &str) -> bool {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(value).unwrap(),
        );
        accepts_gzip(&headers)
    }

    #[test]
    fn gzip_is_sent_only_where_accept_encoding_admits_it() {
        assert!(accepting("gzip, deflate, br"));
        assert!(accepting("br;q=1.0, GZIP;q=0.5"));
        assert!(accepting("*"));
        assert!(!accepting("gzip;q=0, *"));
        assert!(!accepting("br, *;q=0"));
        assert!(!accepting("identity"));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }
}
