//! The HTTP server: shared state, the router, and turning errors into responses.
pub mod admin;
mod assets;
mod error;
mod guard;
pub use guard::{RateLimitConfig, is_rate_limited, takes_write_slot};
pub mod pages;
mod resource;
pub mod respond;

pub use error::AppError;
pub use resource::{dereference, record_etags};
pub use respond::{Conditional, rdf_response};

use crate::store::Catalogue;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::TraceLayer;

/// Server settings, filled from the command line.
#[derive(Clone, Debug)]
pub struct Config {
    /// Base of every IRI katalog mints, ending with `/`.
    pub base_uri: String,
    /// Largest request body accepted (413 beyond).
    pub max_body_bytes: usize,
    pub sparql: SparqlLimits,
    /// Bounds on each parsed request body (triples, literals, nesting, XML entities).
    pub parse_limits: crate::rdf::Limits,
    /// Most writes, validations and uploads handled at once (503 beyond, after a short wait),
    /// so that concurrent heavy bodies cannot add up to more memory than the machine has.
    pub max_concurrent_writes: usize,
    pub rate_limit: guard::RateLimitConfig,
    /// Bearer token that may write any record (site administration); none disables writes.
    pub admin_token: Option<String>,
    pub page_size: usize,
    pub max_page_size: usize,
    /// Where `POST /admin/backup` writes backups (`--backup-dir`, default `backups` in the
    /// data directory).
    pub backup_dir: std::path::PathBuf,
    /// A folder of data files served under `/files/` (download URLs of hosted data).
    pub files_dir: Option<std::path::PathBuf>,
}

#[derive(Clone, Debug)]
pub struct SparqlLimits {
    pub timeout: Duration,
    pub max_rows: usize,
    pub max_concurrent: usize,
    /// How long a query waits for a free slot before 503.
    pub queue_wait: Duration,
}

impl Default for SparqlLimits {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10),
            max_rows: 10_000,
            max_concurrent: 4,
            queue_wait: Duration::from_secs(2),
        }
    }
}

impl Config {
    pub fn new(base_uri: &str) -> Self {
        Self {
            base_uri: crate::store::base_with_slash(base_uri),
            max_body_bytes: 20 * 1024 * 1024,
            sparql: SparqlLimits::default(),
            parse_limits: crate::rdf::Limits::DEFAULT,
            max_concurrent_writes: 2,
            rate_limit: guard::RateLimitConfig::default(),
            admin_token: None,
            page_size: 100,
            max_page_size: 1000,
            files_dir: None,
            backup_dir: "katalog-data/backups".into(),
        }
    }

    pub fn catalog_iri(&self) -> String {
        format!("{}catalog", self.base_uri)
    }

    /// The IRI a request path names, e.g. `/datasets/x` → `{base}datasets/x`.
    pub fn iri_for_path(&self, path: &str) -> String {
        format!("{}{}", self.base_uri, path.trim_start_matches('/'))
    }
}

pub struct AppState {
    pub catalogue: Arc<Catalogue>,
    pub config: Config,
    pub sparql_slots: Arc<Semaphore>,
    /// Slots for requests with a body to parse (every method but GET and HEAD, SPARQL aside).
    pub write_slots: Arc<Semaphore>,
    /// Requests per client address on the public side (absent: no limit).
    pub rate_limit: Option<guard::RateLimit>,
    pub shapes: Option<Arc<crate::shacl::Shapes>>,
    /// The DCAT-AP-SE → DCAT-AP mapping for the EU export profile.
    pub eu: Option<Arc<crate::feeds::eu::EuMapping>>,
    /// Organisations, users and tokens (absent in offline commands such as `export`).
    pub accounts: Option<crate::accounts::Accounts>,
    pub login_throttle: crate::accounts::Throttle,
    /// The dataset form, generated from the active shapes.
    pub form: Option<Arc<crate::publish::form::FormSpec>>,
    /// Rendered records of the harvest documents (absent: every harvest renders all).
    pub feed_cache: Option<crate::feeds::cache::FeedCache>,
    /// True while the start-up re-check of stored records runs beside the server (feeds
    /// and pages answer from the last verdicts meanwhile).
    pub rechecking: std::sync::atomic::AtomicBool,
}

pub type SharedState = Arc<AppState>;

impl AppState {
    pub fn new(catalogue: Catalogue, config: Config) -> SharedState {
        Arc::new(Self {
            sparql_slots: Arc::new(Semaphore::new(config.sparql.max_concurrent)),
            write_slots: Arc::new(Semaphore::new(config.max_concurrent_writes.max(1))),
            rate_limit: guard::RateLimit::new(&config.rate_limit),
            catalogue: Arc::new(catalogue),
            config,
            shapes: None,
            eu: None,
            accounts: None,
            login_throttle: Default::default(),
            form: None,
            feed_cache: None,
            rechecking: Default::default(),
        })
    }

    /// What the ingest service needs of the site.
    pub fn publishing(&self) -> crate::publish::Publishing<'_> {
        crate::publish::Publishing {
            catalogue: &self.catalogue,
            shapes: self.shapes.as_deref(),
            base_uri: &self.config.base_uri,
            accounts: self.accounts.as_ref(),
        }
    }

    pub fn accounts(&self) -> Result<&crate::accounts::Accounts, AppError> {
        self.accounts
            .as_ref()
            .ok_or_else(|| AppError::Forbidden("accounts are not enabled here".into()))
    }
}

/// Longest pause allowed between two parts of a request body.
const BODY_IDLE_TIMEOUT: Duration = Duration::from_secs(10);

pub fn router(state: SharedState) -> Router {
    let limit = state.config.max_body_bytes;
    let sessions = state
        .accounts
        .as_ref()
        .map(|a| session_layer(a, &state.config));
    let mut router = Router::new();
    if let Some(dir) = &state.config.files_dir {
        router = router.nest_service("/files", tower_http::services::ServeDir::new(dir));
    }
    let router = router
        .route("/", get(pages::home))
        .route("/health", get(health))
        .route("/static/{name}", get(assets::asset))
        .route("/admin/backup", axum::routing::post(admin::backup))
        .merge(crate::feeds::routes())
        .merge(crate::sparql::routes())
        .merge(crate::publish::routes())
        .merge(crate::api::routes())
        .fallback(resource::dereference);
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

/// For load balancers and operators: the server answers, how many records it holds, and
/// whether the start-up re-check is still running.
#[utoipa::path(
    get,
    path = "/health",
    tag = "api",
    responses((status = 200, description = "`{\"status\": \"ok\", \"records\": n, \"recheck\": \"running\" | \"done\"}`"))
)]
pub async fn health(
    axum::extract::State(state): axum::extract::State<SharedState>,
) -> Result<axum::Json<serde_json::Value>, AppError> {
    let records = state.catalogue.index()?.records.len();
    let rechecking = state.rechecking.load(std::sync::atomic::Ordering::Acquire);
    Ok(axum::Json(serde_json::json!({
        "status": "ok",
        "records": records,
        "recheck": if rechecking { "running" } else { "done" },
    })))
}

/// Login sessions: an `HttpOnly`, `SameSite=Lax` cookie (`Secure` when the site is served
/// over TLS), kept in the accounts database for eight hours of inactivity.
fn session_layer(
    accounts: &crate::accounts::Accounts,
    config: &Config,
) -> tower_sessions::SessionManagerLayer<crate::accounts::SqliteSessions> {
    use tower_sessions::cookie::SameSite;
    use tower_sessions::{Expiry, SessionManagerLayer};
    let store = crate::accounts::SqliteSessions::new(accounts.pool().clone());
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
