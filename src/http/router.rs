//! The router: the API routes from one list ([`api`], which the OpenAPI description is made
//! from too), the pages and linked data outside it, and the request guards around all.
use super::handlers::{
    admin, data, data_api, feeds, health, publish, resource, search, sources, sparql, validate,
};
use super::{Config, SharedState, guard, pages};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Longest pause allowed between two parts of a request body.
const BODY_IDLE_TIMEOUT: Duration = Duration::from_secs(10);

/// Every route the API description lists: the router serves exactly these, and
/// [`super::openapi`] describes exactly these, from this one list.
pub fn api() -> OpenApiRouter<SharedState> {
    OpenApiRouter::with_openapi(super::openapi::ApiDoc::openapi())
        .routes(routes!(publish::create_datasets))
        .routes(routes!(publish::create_dataservices))
        .routes(routes!(
            resource::read_dataset,
            publish::replace_dataset,
            publish::delete_dataset
        ))
        .routes(routes!(
            resource::read_dataservice,
            publish::replace_dataservice,
            publish::delete_dataservice
        ))
        .routes(routes!(feeds::catalog, publish::replace_catalog))
        .routes(routes!(
            resource::read_organisation_catalog,
            publish::replace_organisation_catalog
        ))
        .routes(routes!(data::download, data::upload))
        .routes(routes!(data::show_source, data::connect_source))
        .routes(routes!(data::run_source))
        .routes(routes!(data_api::rows))
        .routes(routes!(data_api::columns, data_api::describe_columns))
        .routes(routes!(
            data_api::datastore_search,
            data_api::datastore_search_post
        ))
        .routes(routes!(validate::validate))
        .routes(routes!(feeds::site))
        .routes(routes!(feeds::organisation))
        .routes(routes!(feeds::problems))
        .routes(routes!(feeds::ldes))
        .routes(routes!(feeds::void))
        .routes(routes!(sparql::query_get, sparql::query_post))
        .routes(routes!(health::health))
        .routes(routes!(search::search))
        .routes(routes!(admin::backup))
        .routes(routes!(sources::list_sources, sources::add_source))
        .routes(routes!(sources::show_source, sources::remove_source))
        .routes(routes!(sources::run_source))
        .routes(routes!(sources::confirm_removal))
        .routes(routes!(super::openapi::openapi_json))
}

/// What the router serves besides the API: the catalogue in a syntax chosen by extension
/// (`/catalog.ttl`), `/sparql/`, the HTML pages with their style sheet and scripts, the
/// hosted files, and every other IRI under the base dereferenced.
fn outside_the_api(state: &SharedState) -> Router<SharedState> {
    let mut router = Router::new()
        .route("/", get(pages::home))
        .route("/static/{name}", get(pages::assets::asset))
        .route("/sparql/", get(sparql::endpoint).post(sparql::endpoint))
        // CKAN serves its actions under /api/action/ too, where ckanapi calls them.
        .route(
            "/api/action/datastore_search",
            get(data_api::datastore_search).post(data_api::datastore_search_post),
        )
        .merge(pages::routes(state.config.max_upload_bytes))
        .fallback(resource::dereference);
    for format in crate::rdf::GraphFormat::ALL {
        let ext = format.extension();
        router = router.route(
            &format!("/catalog.{ext}"),
            get(move |s, q, h| feeds::catalog_as(s, q, h, ext)),
        );
    }
    if let Some(dir) = &state.config.files_dir {
        router = router.nest_service("/files", tower_http::services::ServeDir::new(dir));
    }
    router
}

pub fn router(state: SharedState) -> Router {
    let limit = state.config.max_body_bytes;
    let sessions = state
        .accounts
        .as_ref()
        .map(|a| session_layer(a, &state.config));
    let (api, _) = api().split_for_parts();
    let router = api
        .merge(outside_the_api(&state))
        .method_not_allowed_fallback(method_not_allowed);
    let router = match sessions {
        Some(layer) => router.layer(layer),
        None => router,
    };
    router
        .layer(DefaultBodyLimit::max(limit))
        // A client that stops sending its body mid-way gives up its write slot after this.
        .layer(RequestBodyTimeoutLayer::new(BODY_IDLE_TIMEOUT))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::write_slot,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::rate_limit,
        ))
        .layer(axum::middleware::from_fn(guard::security_headers))
        .layer(guard::cors())
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// A method a route does not take, answered as JSON like every other error.
async fn method_not_allowed(method: axum::http::Method) -> super::AppError {
    super::AppError::MethodNotAllowed(format!("{method} is not allowed here"))
}

/// Login sessions: an `HttpOnly`, `SameSite=Lax` cookie (`Secure` when the site is served
/// over TLS), kept in the accounts database for eight hours of inactivity.
fn session_layer(
    accounts: &crate::accounts::Accounts,
    config: &Config,
) -> tower_sessions::SessionManagerLayer<super::sessions::SqliteSessions> {
    use tower_sessions::cookie::SameSite;
    use tower_sessions::{Expiry, SessionManagerLayer};
    let store = super::sessions::SqliteSessions::new(accounts.pool().clone());
    SessionManagerLayer::new(store)
        .with_name("katalog_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(config.base_uri.starts_with("https://"))
        .with_expiry(Expiry::OnInactivity(time::Duration::hours(8)))
}
