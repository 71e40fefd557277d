//! `/sparql`: the SPARQL 1.1 Protocol over HTTP. Queries wait for one of a few slots, run
//! on a blocking thread under a timeout, and are answered only once the whole result is
//! written, so a failure is always an error status, never a 200 with a cut body.
use crate::http::respond::{accept_header, choose_format, content_type, rdf_response};
use crate::http::{AppError, SharedState, pages};
use crate::rdf::negotiate;
use crate::sparql::{ProtocolRequest, QueryError, QueryOutput};
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};
use oxigraph::sparql::CancellationToken;

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
        (status = 400, description = "A malformed query or request", body = crate::http::openapi::ErrorBody),
        (status = 403, description = "An update (the endpoint is read-only)", body = crate::http::openapi::ErrorBody),
        (status = 406, description = "No acceptable result format", body = crate::http::openapi::ErrorBody),
        (status = 413, description = "The body is too large", content_type = "text/plain"),
        (status = 415, description = "Unsupported Content-Type of a POST", body = crate::http::openapi::ErrorBody),
        (status = 503, description = "Timeout or too many queries at once (`Retry-After`)", body = crate::http::openapi::ErrorBody),
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
    request_body(description = "The query (`application/sparql-query`) or a form with `query`", content((String = "application/sparql-query"), (crate::http::openapi::SparqlForm = "application/x-www-form-urlencoded"))),
    params(
        ("default-graph-uri" = Option<String>, Query, description = "Graphs forming the default graph"),
        ("named-graph-uri" = Option<String>, Query, description = "Named graphs")),
    responses(
        (status = 200, description = "Results, or the service description", content(("application/sparql-results+json"), ("application/sparql-results+xml"), ("text/csv"), ("text/tab-separated-values"), ("text/turtle"), ("application/rdf+xml"), ("application/ld+json"), ("application/n-triples"), ("text/html"))),
        (status = 400, description = "A malformed query or request", body = crate::http::openapi::ErrorBody),
        (status = 403, description = "An update (the endpoint is read-only)", body = crate::http::openapi::ErrorBody),
        (status = 406, description = "No acceptable result format", body = crate::http::openapi::ErrorBody),
        (status = 413, description = "The body is too large", content_type = "text/plain"),
        (status = 415, description = "Unsupported Content-Type of a POST", body = crate::http::openapi::ErrorBody),
        (status = 503, description = "Timeout or too many queries at once (`Retry-After`)", body = crate::http::openapi::ErrorBody),
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

/// Every form of the protocol (also `/sparql/`): a query by GET, by form POST or as the
/// body; without one, the service description (the query page for browsers).
pub async fn endpoint(
    State(state): State<SharedState>,
    method: Method,
    RawQuery(query_string): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let content_type = content_type(&headers);
    let post = (method == Method::POST).then_some((content_type, &body[..]));
    let request = ProtocolRequest::parse(query_string.as_deref(), post)?;
    let Some(query) = request.query else {
        return describe(&state, &headers, query_string.as_deref());
    };
    let accept = accept_header(&headers);
    if method == Method::GET && request.format.is_none() && prefers_page(accept) {
        let lang = pages::record::page_language(query_string.as_deref(), &headers);
        return answer_page(&state, query, request.dataset, lang).await;
    }
    let prepared = crate::sparql::prepare(
        &state.config.base_uri,
        &query,
        accept,
        request.format.as_deref(),
    )?;
    let output = run(&state, prepared, request.dataset).await?;
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

/// A browser sending the page's form: the answer as a table on the page.
fn prefers_page(accept: Option<&str>) -> bool {
    let offers = [
        ("application/sparql-results+json", false),
        ("text/html", true),
    ];
    accept.is_some() && negotiate(accept, &offers) == Some(true)
}

/// The query page with the query's answer as a table (solutions as JSON and graphs as
/// N-Triples are read into rows), or with why there is none.
async fn answer_page(
    state: &SharedState,
    query: String,
    dataset: crate::sparql::ProtocolDataset,
    lang: &str,
) -> Result<Response, AppError> {
    const TABLE: &str = "application/sparql-results+json, application/n-triples";
    let prepared = match crate::sparql::prepare(&state.config.base_uri, &query, Some(TABLE), None) {
        Ok(prepared) => prepared,
        Err(e) => {
            let refused = Some(Err(AppError::from(e)));
            return pages::sparql::page(Some(&query), refused, &state.config.base_uri, lang);
        }
    };
    let graph = prepared.is_graph();
    let answered = run(state, prepared, dataset)
        .await
        .map(|output| (output, graph))
        .map_err(AppError::from);
    pages::sparql::page(Some(&query), Some(answered), &state.config.base_uri, lang)
}

/// Runs a query in one of the slots, on a blocking thread, cancelled at the timeout.
async fn run(
    state: &SharedState,
    prepared: crate::sparql::Prepared,
    dataset: crate::sparql::ProtocolDataset,
) -> Result<QueryOutput, QueryError> {
    let limits = state.config.sparql.clone();
    let permit = tokio::time::timeout(
        limits.queue_wait,
        state.sparql_slots.clone().acquire_owned(),
    )
    .await
    .map_err(|_| QueryError::Busy)?
    .map_err(|_| QueryError::Busy)?;
    let token = CancellationToken::new();
    let task = {
        let state = state.clone();
        let token = token.clone();
        tokio::task::spawn_blocking(move || {
            // The permit lives as long as the evaluation, even one already timed out.
            let _permit = permit;
            let store = state.catalogue.oxigraph();
            crate::sparql::run(store, prepared, &dataset, limits.max_rows, token)
        })
    };
    match tokio::time::timeout(limits.timeout, task).await {
        Ok(Ok(done)) => done,
        Ok(Err(joined)) => Err(QueryError::Evaluation(format!(
            "the query did not finish: {joined}"
        ))),
        Err(_) => {
            token.cancel();
            Err(QueryError::Timeout(limits.timeout))
        }
    }
}

/// Browsers get the query page; clients get the service description.
fn describe(
    state: &SharedState,
    headers: &HeaderMap,
    query_string: Option<&str>,
) -> Result<Response, AppError> {
    let accept = accept_header(headers);
    if accept.is_some()
        && negotiate(accept, &[("text/turtle", false), ("text/html", true)]) == Some(true)
    {
        let lang = pages::record::page_language(query_string, headers);
        return pages::sparql::page(None, None, &state.config.base_uri, lang);
    }
    let format = choose_format(headers, None)?;
    let triples = crate::sparql::service_description(&state.config.base_uri);
    rdf_response(&triples, format, None)
}
