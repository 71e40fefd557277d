//! Bounds on concurrent heavy requests: every request that carries a body to parse (writes,
//! validations, uploads, forms) waits for one of a few slots before its body is read, so
//! that memory stays bounded however many arrive at once. SPARQL has its own slots.
use super::{AppError, SharedState};
use axum::body::HttpBody;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use futures_util::StreamExt;
use std::time::Duration;

/// How long a heavy request waits for a slot before it is answered 503 with `Retry-After`.
const QUEUE_WAIT: Duration = Duration::from_secs(5);

/// Whether a request takes a write slot: every one with a body to parse (SPARQL has its
/// own slots). The OpenAPI description documents the 503 by the same rule.
pub fn takes_write_slot(method: &Method, path: &str) -> bool {
    !method.is_safe() && path != "/sparql" && !is_datastore_search(path)
}

/// CKAN's read of a hosted table, which its clients POST (under `/api/3/action/` or
/// `/api/action/`).
fn is_datastore_search(path: &str) -> bool {
    matches!(
        path,
        "/api/3/action/datastore_search" | "/api/action/datastore_search"
    )
}

/// Whether a request counts against its address's rate: the public side (reads, SPARQL,
/// validation), but for static files and `/health`. The OpenAPI description documents the
/// 429 by the same rule.
pub fn is_rate_limited(method: &Method, path: &str) -> bool {
    let public =
        method.is_safe() || path == "/sparql" || path == "/validate" || is_datastore_search(path);
    public && path != "/health" && !path.starts_with("/static/")
}

pub async fn write_slot(
    State(state): State<SharedState>,
    request: Request,
    next: Next,
) -> Result<Response, AppError> {
    if !takes_write_slot(request.method(), request.uri().path()) {
        return Ok(next.run(request).await);
    }
    let slot = tokio::time::timeout(QUEUE_WAIT, state.write_slots.clone().acquire_owned())
        .await
        .map_err(|_| {
            AppError::Unavailable(
                "too many writes and validations at once; try again in a few seconds".into(),
            )
        })?
        .map_err(|_| AppError::Unavailable("the server is shutting down".into()))?;
    let response = next.run(request).await;
    if response.body().size_hint().exact().is_some() {
        return Ok(response);
    }
    // A streamed answer (`POST /validate`'s report) is still being made when the handler
    // returns: the slot is held until its body is done or dropped.
    Ok(response.map(|body| {
        let chunks = body.into_data_stream().map(move |chunk| {
            let _held = &slot;
            chunk
        });
        axum::body::Body::from_stream(chunks)
    }))
}

/// What a browser may do with katalog's pages: scripts, styles and fetches from katalog
/// only, no framing, no plugins, forms only to katalog.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; \
    object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Security headers: `nosniff` on every answer, and on HTML pages the policy above, a
/// referrer policy and the older frame header for browsers without `frame-ancestors`.
pub async fn security_headers(request: Request, next: Next) -> Response {
    use axum::http::{HeaderValue, header};
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    let html = super::respond::content_type(headers).is_some_and(|t| t.starts_with("text/html"));
    if html {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        );
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        );
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    response
}

/// CORS: any site's scripts may read (GET and HEAD of feeds, records and pages, and SPARQL
/// by GET or POST, as browser clients of linked data expect); no cross-origin write is
/// allowed past the preflight, and no credentials are ever shared.
pub fn cors() -> tower_http::cors::CorsLayer {
    use axum::http::header;
    use tower_http::cors::{AllowOrigin, CorsLayer};
    let reads = AllowOrigin::predicate(|_origin, parts| {
        let requested = parts
            .headers
            .get(header::ACCESS_CONTROL_REQUEST_METHOD)
            .and_then(|v| v.to_str().ok());
        let method = match (&parts.method, requested) {
            (&Method::OPTIONS, Some(requested)) => requested,
            (method, _) => method.as_str(),
        };
        matches!(method, "GET" | "HEAD") || parts.uri.path() == "/sparql"
    });
    CorsLayer::new()
        .allow_origin(reads)
        .allow_methods([Method::GET, Method::HEAD, Method::POST])
        .allow_headers([
            header::ACCEPT,
            header::CONTENT_TYPE,
            header::IF_NONE_MATCH,
            header::IF_MODIFIED_SINCE,
        ])
        .expose_headers([
            header::ETAG,
            header::LAST_MODIFIED,
            header::LINK,
            header::LOCATION,
            header::RETRY_AFTER,
            header::CONTENT_LOCATION,
        ])
        .max_age(std::time::Duration::from_secs(86_400))
}

/// Requests per client address on the public side (reads, SPARQL, validation).
#[derive(Clone, Debug)]
pub struct RateLimitConfig {
    /// Requests a minute, sustained; 0 switches the limit off.
    pub per_minute: u32,
    /// Requests allowed at once above the sustained rate.
    pub burst: u32,
    /// Loopback clients are not limited (tests and a local reverse proxy, when asked).
    pub exempt_loopback: bool,
    /// The client is the last address of `X-Forwarded-For` (only behind a proxy that sets
    /// it; otherwise clients could name any address).
    pub forwarded_for: bool,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self {
            per_minute: 600,
            burst: 120,
            exempt_loopback: false,
            forwarded_for: false,
        }
    }
}

pub struct RateLimit {
    limiter: governor::DefaultKeyedRateLimiter<std::net::IpAddr>,
    config: RateLimitConfig,
}

impl RateLimit {
    /// None when the configuration switches the limit off.
    pub fn new(config: &RateLimitConfig) -> Option<Self> {
        let per_minute = std::num::NonZeroU32::new(config.per_minute)?;
        let burst = std::num::NonZeroU32::new(config.burst.max(1)).expect("at least one");
        let quota = governor::Quota::per_minute(per_minute).allow_burst(burst);
        Some(Self {
            limiter: governor::RateLimiter::hashmap(quota),
            config: config.clone(),
        })
    }

    /// Seconds to wait when `client` is over its rate, else None.
    fn over(&self, client: std::net::IpAddr) -> Option<u64> {
        use governor::clock::{Clock, DefaultClock};
        if self.config.exempt_loopback && client.is_loopback() {
            return None;
        }
        let refused = self.limiter.check_key(&client).err()?;
        let wait = refused.wait_time_from(DefaultClock::default().now());
        Some(wait.as_secs().max(1))
    }

    /// Forgets clients whose allowance is full again (run now and then: memory stays
    /// proportional to the clients of the last minute).
    pub fn forget_idle(&self) {
        self.limiter.retain_recent();
    }

    fn client(&self, request: &Request) -> Option<std::net::IpAddr> {
        if self.config.forwarded_for {
            let forwarded = request
                .headers()
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .and_then(|v| v.trim().parse().ok());
            if forwarded.is_some() {
                return forwarded;
            }
        }
        request
            .extensions()
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|info| info.0.ip())
    }
}

/// 429 with `Retry-After` for a client over its rate on the public side. Writes are bounded
/// by the write slots and need an account; static files and `/health` are not counted.
pub async fn rate_limit(
    State(state): State<SharedState>,
    request: Request,
    next: Next,
) -> Result<Response, AppError> {
    let counted = is_rate_limited(request.method(), request.uri().path());
    if let Some(limit) = state.rate_limit.as_ref().filter(|_| counted)
        && let Some(client) = limit.client(&request)
        && let Some(seconds) = limit.over(client)
    {
        return Err(AppError::TooManyRequests(seconds));
    }
    Ok(next.run(request).await)
}
