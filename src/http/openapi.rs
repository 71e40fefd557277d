//! The OpenAPI 3.1 description of the HTTP API: the operations from the handlers'
//! annotations (`utoipa`), collected by the router's one list of routes
//! ([`super::router::api`]), the answer bodies, the security schemes and the answers of the
//! request guards. Served at `/api/openapi.json`; `/api/docs` renders it as a page.
use axum::Json;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::sync::LazyLock;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

/// The description of every route of [`super::router::api`], as served.
pub fn openapi() -> &'static utoipa::openapi::OpenApi {
    static DESCRIPTION: LazyLock<utoipa::openapi::OpenApi> = LazyLock::new(|| {
        let (_, mut description) = super::router::api().split_for_parts();
        Guards.modify(&mut description);
        description
    });
    &DESCRIPTION
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "katalog",
        description = "Open-data catalogue and linked-data endpoint for Swedish public bodies (DCAT-AP-SE 3.0.1). \
            Publishing needs `Authorization: Bearer <token>` (an organisation's API token) or a login session with the \
            `X-CSRF-Token` header; everything else is public and read-only.",
        license(name = "EUPL-1.2")
    ),
    components(schemas(super::handlers::admin::BackupRequest, super::handlers::sources::SourceRequest, SparqlForm, WriteSummary, WrittenRecord, ErrorBody, ReportBody, ReportResult)),
    modifiers(&Security),
    tags(
        (name = "publishing", description = "Writing records (token or session)"),
        (name = "feeds", description = "Harvestable catalogue feeds"),
        (name = "data", description = "Hosted data: the files of distributions katalog keeps, and the open data API over their rows"),
        (name = "sparql", description = "The public, read-only SPARQL endpoint"),
        (name = "sources", description = "Connected sources an organisation's records are harvested from (its admins)"),
        (name = "api", description = "This description"),
    )
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An organisation's API token (`katalog token create`)"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "katalog_session",
                "Login session of the publisher pages (with the X-CSRF-Token header)",
            ))),
        );
    }
}

/// The answers every route may give because of the request guards (`http::guard`), added
/// to each operation here so that the description cannot miss one: 429 on the public side,
/// 503 and 413 on writes.
struct Guards;

impl Modify for Guards {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use axum::http::Method;
        use utoipa::openapi::{Ref, ResponseBuilder};
        let answer = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    utoipa::openapi::ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build()
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            let operations = [
                (Method::GET, item.get.as_mut()),
                (Method::HEAD, item.head.as_mut()),
                (Method::POST, item.post.as_mut()),
                (Method::PUT, item.put.as_mut()),
                (Method::DELETE, item.delete.as_mut()),
            ];
            for (method, operation) in operations {
                let Some(operation) = operation else { continue };
                let responses = &mut operation.responses.responses;
                if super::is_rate_limited(&method, path) {
                    responses.entry("429".into()).or_insert_with(|| {
                        answer("Too many requests from this address (`--rate-limit`); `Retry-After` says when to come back").into()
                    });
                }
                if super::takes_write_slot(&method, path) {
                    responses.entry("503".into()).or_insert_with(|| {
                        answer("Too many writes and validations at once (`--max-concurrent-writes`); `Retry-After`").into()
                    });
                    // Replaces a route's own 413: beyond `--max-body` the answer is plain
                    // text (before the body is read), beyond a parse limit it is JSON.
                    let mut too_large = answer(
                        "The body is larger than `--max-body` (plain text), or beyond a parse limit (`--max-triples`, `--max-literal-bytes`, `--max-depth`, `--max-entity-expansion`), which the message names",
                    );
                    too_large.content.insert(
                        "text/plain".into(),
                        utoipa::openapi::ContentBuilder::new().build(),
                    );
                    responses.insert("413".into(), too_large.into());
                }
            }
        }
    }
}

/// A SPARQL query sent as a form (SPARQL 1.1 Protocol, query via URL-encoded POST).
#[derive(Serialize, ToSchema)]
pub struct SparqlForm {
    pub query: String,
    #[serde(rename = "default-graph-uri")]
    #[schema(rename = "default-graph-uri")]
    pub default_graph_uri: Option<String>,
}

/// What a write did.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WriteSummary {
    pub records: Vec<WrittenRecord>,
    /// Triples reachable from no record (not stored).
    pub unattached_triples: u64,
    /// Warnings kept beside the records.
    pub warnings: u64,
    /// The validation report (warnings only, since violations refuse the write): the first
    /// thousand warnings, `unlisted` saying how many more there are (each record's own are
    /// on its page).
    #[schema(value_type = Option<ReportBody>)]
    pub report: Option<serde_json::Value>,
}

#[derive(Serialize, ToSchema)]
pub struct WrittenRecord {
    pub record: String,
    /// created, updated or unchanged.
    pub change: String,
}

/// Every error answer in JSON: what [`super::AppError`] serialises.
#[derive(Serialize, ToSchema, Default)]
pub struct ErrorBody {
    pub status: u16,
    pub error: String,
    /// Malformed RDF: the parser's message, with 1-based line and column where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u64>,
    /// 415: the media types accepted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted: Option<Vec<String>>,
    /// 406: the media types available.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub available: Option<Vec<String>>,
    /// 422: the SHACL validation report.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<ReportBody>)]
    pub report: Option<serde_json::Value>,
}

/// A SHACL validation report.
#[derive(Serialize, ToSchema)]
pub struct ReportBody {
    pub conforms: bool,
    pub violations: u64,
    pub warnings: u64,
    pub results: Vec<ReportResult>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReportResult {
    pub focus_node: String,
    pub path: Option<String>,
    pub value: Option<String>,
    pub source_shape: String,
    pub component: String,
    /// Violation, Warning or Info.
    pub severity: String,
    pub message: Option<String>,
}

/// The OpenAPI description
#[utoipa::path(get, path = "/api/openapi.json", tag = "api",
    responses((status = 200, description = "OpenAPI 3.1 description of this API", content_type = "application/json")))]
pub async fn openapi_json() -> Response {
    Json(openapi()).into_response()
}
