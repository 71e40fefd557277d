//! The public, read-only SPARQL 1.1 Protocol endpoint at `/sparql`.
//!
//! Queries run against the union of the record graphs, under a timeout, a row cap and a
//! bound on concurrent queries. Results are produced completely before the status line is
//! sent, so a failure is always an error status, never a 200 with a cut body.
mod description;
pub mod examples;
mod protocol;
mod run;

pub use protocol::ProtocolRequest;
pub use run::{QueryError, QueryOutput};

use crate::web::{AppError, SharedState};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::cors::{Any, CorsLayer};

pub fn routes() -> Router<SharedState> {
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers(Any);
    Router::new()
        .route("/sparql", get(query_get).post(query_post))
        .route("/sparql/", get(endpoint).post(endpoint))
        .layer(cors)
}

/// SPARQL 1.1 query endpoint (read-only)
///
/// The SPARQL 1.1 Protocol: `query` by GET, by form POST or as a direct POST body
/// (`application/sparql-query`). The default graph is the union of the records. Updates are
/// refused; queries have a timeout and a row cap (`X-SPARQL-MaxRows`, `X-SPARQL-Truncated`).
/// Without a query, the service description.
#[utoipa::path(get, path = "/sparql", tag = "sparql",
    params(("query" = Option<String>, Query, description = "The SPARQL query"),
        ("default-graph-uri" = Option<String>, Query, description = "Graphs forming the default graph"),
        ("named-graph-uri" = Option<String>, Query, description = "Named graphs")),
    responses(
        (status = 200, description = "Results, or the service description", content(("application/sparql-results+json"), ("application/sparql-results+xml"), ("text/csv"), ("text/tab-separated-values"), ("text/turtle"), ("application/rdf+xml"), ("application/ld+json"), ("application/n-triples"), ("text/html"))),
        (status = 400, description = "A malformed query or request", body = crate::api::ErrorBody),
        (status = 403, description = "An update (the endpoint is read-only)", body = crate::api::ErrorBody),
        (status = 406, description = "No acceptable result format", body = crate::api::ErrorBody),
        (status = 413, description = "The body is too large", content_type = "text/plain"),
        (status = 415, description = "Unsupported Content-Type of a POST", body = crate::api::ErrorBody),
        (status = 503, description = "Timeout or too many queries at once (`Retry-After`)", body = crate::api::ErrorBody),
    ))]
pub async fn query_get(
    state: State<SharedState>,
    method: Method,
    query: RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    endpoint(state, method, query, headers, body).await
}

/// SPARQL 1.1 query endpoint (read-only), by POST
///
/// The SPARQL 1.1 Protocol: `query` by GET, by form POST or as a direct POST body
/// (`application/sparql-query`). The default graph is the union of the records. Updates are
/// refused; queries have a timeout and a row cap (`X-SPARQL-MaxRows`, `X-SPARQL-Truncated`).
/// Without a query, the service description.
#[utoipa::path(post, path = "/sparql", tag = "sparql",
    request_body(description = "The query (`application/sparql-query`) or a form with `query`", content((String = "application/sparql-query"), (crate::api::SparqlForm = "application/x-www-form-urlencoded"))),
    params(
        ("default-graph-uri" = Option<String>, Query, description = "Graphs forming the default graph"),
        ("named-graph-uri" = Option<String>, Query, description = "Named graphs")),
    responses(
        (status = 200, description = "Results, or the service description", content(("application/sparql-results+json"), ("application/sparql-results+xml"), ("text/csv"), ("text/tab-separated-values"), ("text/turtle"), ("application/rdf+xml"), ("application/ld+json"), ("application/n-triples"), ("text/html"))),
        (status = 400, description = "A malformed query or request", body = crate::api::ErrorBody),
        (status = 403, description = "An update (the endpoint is read-only)", body = crate::api::ErrorBody),
        (status = 406, description = "No acceptable result format", body = crate::api::ErrorBody),
        (status = 413, description = "The body is too large", content_type = "text/plain"),
        (status = 415, description = "Unsupported Content-Type of a POST", body = crate::api::ErrorBody),
        (status = 503, description = "Timeout or too many queries at once (`Retry-After`)", body = crate::api::ErrorBody),
    ))]
pub async fn query_post(
    state: State<SharedState>,
    method: Method,
    query: RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    endpoint(state, method, query, headers, body).await
}

async fn endpoint(
    State(state): State<SharedState>,
    method: Method,
    RawQuery(query_string): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let request = ProtocolRequest::parse(&method, query_string.as_deref(), &headers, &body)?;
    let Some(query) = request.query else {
        return description::describe(&state, &headers);
    };
    let output = run::run(
        &state,
        &query,
        &request.dataset,
        &headers,
        request.format.as_deref(),
    )
    .await?;
    let mut response = ([(header::CONTENT_TYPE, output.content_type)], output.body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::VARY, HeaderValue::from_static("Accept"));
    headers.insert(
        "x-sparql-maxrows",
        HeaderValue::from(state.config.sparql.max_rows),
    );
    if output.truncated {
        headers.insert("x-sparql-truncated", HeaderValue::from_static("true"));
    }
    Ok(response)
}
