//! Harvestable catalogue feeds: the paged `/catalog` (Hydra), the unpaged `/datasets/dcat`
//! and the VoID description that tells harvesters where everything is.
pub mod cache;
pub mod eu;
pub(crate) mod full;
pub mod ldes;
pub mod organisations;
mod page;
pub(crate) mod render;
mod stream;
pub(crate) mod void;

pub use full::{Document, Profile, org_document, site_document, write_document};
pub use page::{CatalogPage, PageRequest, build_page, site_description};
pub use render::write_document_in;

use crate::rdf::GraphFormat;
use crate::web::respond::choose_format;
use crate::web::{AppError, Conditional, SharedState, rdf_response};
use axum::Router;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

/// Drops cached renderings of records that are gone and of variants no longer made, then
/// renders what the nightly harvest reads (the site document in RDF/XML), so the first
/// harvest after a start is served from the cache too. Runs in the background at start.
pub fn warm_cache(state: &crate::web::AppState) {
    let Some(cache) = &state.feed_cache else {
        return;
    };
    let started = std::time::Instant::now();
    let warmed = (|| -> Result<usize, Box<dyn std::error::Error>> {
        let index = state.catalogue.index()?;
        let variants = render::current_variants(state);
        let pruned = cache.prune(|variant, iri| {
            variants.iter().any(|v| v == variant)
                && index
                    .get(&oxigraph::model::NamedNode::new_unchecked(iri))
                    .is_some()
        })?;
        let document = site_document(state, index)?;
        write_document(state, document, GraphFormat::RdfXml, &mut std::io::sink())?;
        Ok(pruned)
    })();
    match warmed {
        Ok(pruned) => tracing::info!(pruned, elapsed = ?started.elapsed(), "feed cache ready"),
        Err(e) => tracing::warn!(error = %e, "warming the feed cache failed"),
    }
}

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
    let page = tokio::task::spawn_blocking(move || build_page(&state, &index, &request)).await??;
    rdf_response(&page.triples, format, Some(&validators))
}

/// A browser asking for the catalogue gets the human listing.
fn prefers_html(headers: &HeaderMap) -> bool {
    let offers = [("text/turtle", false), ("text/html", true)];
    crate::web::respond::accept_header(headers)
        .is_some_and(|a| crate::rdf::negotiate(Some(a), &offers) == Some(true))
}
