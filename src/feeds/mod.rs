//! Harvestable catalogue feeds: the paged `/catalog` (Hydra), the unpaged `/datasets/dcat`
//! and the VoID description that tells harvesters where everything is.
pub mod eu;
pub(crate) mod full;
pub mod ldes;
pub mod organisations;
mod page;
mod stream;
pub(crate) mod void;

pub use full::{Document, Profile, org_document, site_document, write_document, write_document_in};
pub use page::{CatalogPage, PageRequest, build_page, site_description};

use crate::rdf::GraphFormat;
use crate::web::respond::choose_format;
use crate::web::{AppError, Conditional, SharedState, rdf_response};
use axum::Router;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

pub fn routes() -> Router<SharedState> {
    let mut router = Router::new()
        .route("/catalog", get(|s, q, h| catalog(s, q, h, None)))
        .route("/datasets/dcat", get(full::site))
        .route(
            "/organisations/{key}/datasets/dcat",
            get(full::organisation),
        )
        .route(
            "/organisations/{key}/problems",
            get(organisations::problems),
        )
        .route("/ldes", get(ldes::feed))
        .route("/.well-known/void", get(void::void_handler));
    for format in GraphFormat::ALL {
        let ext = format.extension();
        router = router.route(
            &format!("/catalog.{ext}"),
            get(move |s, q, h| catalog(s, q, h, Some(ext))),
        );
    }
    router
}

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
        (status = 400, description = "A malformed parameter", body = crate::api::ErrorBody),
        (status = 404, description = "A page past the last", body = crate::api::ErrorBody),
        (status = 406, description = "No acceptable syntax", body = crate::api::ErrorBody),
    ))]
pub async fn catalog(
    State(state): State<SharedState>,
    Query(params): Query<FeedParams>,
    headers: HeaderMap,
    extension: Option<&'static str>,
) -> Result<Response, AppError> {
    if extension.is_none() && prefers_html(&headers) {
        return Ok(crate::web::pages::home(State(state)).await?.into_response());
    }
    let format = choose_format(&headers, extension)?;
    let request = PageRequest::from_params(&params, &state.config)?;
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
    let page = tokio::task::spawn_blocking(move || build_page(&state, &index, &request))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    rdf_response(&page.triples, format, Some(&validators))
}

/// A browser asking for the catalogue gets the human listing.
fn prefers_html(headers: &HeaderMap) -> bool {
    let offers = [("text/turtle", false), ("text/html", true)];
    crate::web::respond::accept_header(headers)
        .is_some_and(|a| crate::rdf::negotiate(Some(a), &offers) == Some(true))
}
