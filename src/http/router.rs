//! The router: the API routes from one list ([`api`], which the OpenAPI description is made
//! from too), the pages and linked data outside it, the request guards around all, and
//! serving until a signal.
use super::handlers::{admin, feeds, health, publish, resource, sparql, validate};
use super::{Config, SharedState, guard, pages};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
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
        .routes(routes!(validate::validate))
        .routes(routes!(feeds::site))
        .routes(routes!(feeds::organisation))
        .routes(routes!(feeds::problems))
        .routes(routes!(feeds::ldes))
        .routes(routes!(feeds::void))
        .routes(routes!(sparql::query_get, sparql::query_post))
        .routes(routes!(health::health))
        .routes(routes!(admin::backup))
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
        .merge(pages::routes())
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

/// Serves until Ctrl-C or SIGTERM, then lets requests in flight finish for at most `grace`
/// before it stops waiting for them, and flushes the store.
pub async fn serve(
    listener: TcpListener,
    state: SharedState,
    grace: Duration,
) -> std::io::Result<()> {
    let app = router(state.clone());
    if state.rate_limit.is_some() {
        let state = state.clone();
        tokio::spawn(async move {
            let mut every_minute = tokio::time::interval(Duration::from_secs(60));
            loop {
                every_minute.tick().await;
                if let Some(limit) = &state.rate_limit {
                    limit.forget_idle();
                }
            }
        });
    }
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    });
    let signalled = |mut stopped: tokio::sync::watch::Receiver<bool>| async move {
        let _ = stopped.wait_for(|stop| *stop).await;
    };
    let server = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(signalled(stopped.clone()));
    let deadline = async {
        signalled(stopped).await;
        tokio::time::sleep(grace).await;
    };
    tokio::select! {
        served = server => served?,
        () = deadline => tracing::warn!(?grace, "requests still running after the grace period are cut off"),
    }
    if let Err(e) = state.catalogue.flush() {
        tracing::error!(error = %e, "flushing the store failed");
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
