//! The OpenAPI 3.1 description of the HTTP API, generated from the handlers' annotations
//! (`utoipa`), served at `/api/openapi.json`, and rendered without any outside script or CDN
//! at `/api/docs`.
use crate::web::pages::render;
use crate::web::{AppError, SharedState};
use axum::Router;
use axum::extract::Query;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use minijinja::context;
use serde::Serialize;
use std::collections::HashMap;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/api/openapi.json", get(openapi_json))
        .route("/api/docs", get(docs))
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
    paths(
        crate::publish::create_datasets,
        crate::publish::replace_dataset,
        crate::publish::delete_dataset,
        crate::publish::create_dataservices,
        crate::publish::replace_dataservice,
        crate::publish::delete_dataservice,
        crate::publish::replace_catalog,
        crate::publish::replace_organisation_catalog,
        crate::publish::check::validate_handler,
        crate::feeds::catalog,
        crate::feeds::full::site,
        crate::feeds::full::organisation,
        crate::feeds::ldes::feed,
        crate::feeds::void::void_handler,
        crate::sparql::query_get,
        crate::sparql::query_post,
        crate::web::health,
        crate::web::admin::backup,
        openapi_json,
    ),
    components(schemas(crate::web::admin::BackupRequest, SparqlForm, WriteSummary, WrittenRecord, ErrorBody, ReportBody, ReportResult)),
    modifiers(&Security, &Guards),
    tags(
        (name = "publishing", description = "Writing records (token or session)"),
        (name = "feeds", description = "Harvestable catalogue feeds"),
        (name = "sparql", description = "The public, read-only SPARQL endpoint"),
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

/// The answers every route may give because of the request guards (`web::guard`), added
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
                if crate::web::is_rate_limited(&method, path) {
                    responses.entry("429".into()).or_insert_with(|| {
                        answer("Too many requests from this address (`--rate-limit`); `Retry-After` says when to come back").into()
                    });
                }
                if crate::web::takes_write_slot(&method, path) {
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
    /// The validation report (warnings only, since violations refuse the write).
    pub report: Option<ReportBody>,
}

#[derive(Serialize, ToSchema)]
pub struct WrittenRecord {
    pub record: String,
    /// created, updated or unchanged.
    pub change: String,
}

/// Every error answer in JSON.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub status: u16,
    pub error: String,
    /// Malformed RDF: the parser's message, with 1-based line and column where known.
    pub message: Option<String>,
    pub line: Option<u64>,
    pub column: Option<u64>,
    /// 415: the media types accepted.
    pub accepted: Option<Vec<String>>,
    /// 406: the media types available.
    pub available: Option<Vec<String>>,
    /// 422: the SHACL validation report.
    pub report: Option<ReportBody>,
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
    axum::Json(ApiDoc::openapi()).into_response()
}

#[derive(Serialize)]
struct Operation {
    id: String,
    method: String,
    path: String,
    summary: String,
    description: String,
    security: bool,
    parameters: Vec<serde_json::Value>,
    request: Vec<String>,
    responses: Vec<serde_json::Value>,
}

/// The description as a page, rendered on the server (works offline).
async fn docs(Query(params): Query<HashMap<String, String>>) -> Result<Response, AppError> {
    let lang = if params.get("lang").map(String::as_str) == Some("en") {
        "en"
    } else {
        "sv"
    };
    let doc =
        serde_json::to_value(ApiDoc::openapi()).map_err(|e| AppError::Internal(e.to_string()))?;
    let operations = operations(&doc);
    Ok(render(
        "api_docs.html",
        context! {
            lang,
            title => doc["info"]["title"],
            version => doc["info"]["version"],
            description => doc["info"]["description"],
            operations,
        },
    )?
    .into_response())
}

fn operations(doc: &serde_json::Value) -> Vec<Operation> {
    let mut out = Vec::new();
    let Some(paths) = doc["paths"].as_object() else {
        return out;
    };
    for (path, item) in paths {
        let Some(methods) = item.as_object() else {
            continue;
        };
        for (method, op) in methods {
            let keys = |v: &serde_json::Value| -> Vec<String> {
                v.as_object()
                    .map(|m| m.keys().cloned().collect())
                    .unwrap_or_default()
            };
            let responses = op["responses"]
                .as_object()
                .map(|r| {
                    r.iter()
                        .map(|(status, resp)| {
                            serde_json::json!({
                                "status": status,
                                "description": resp["description"],
                                "types": keys(&resp["content"]),
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            out.push(Operation {
                id: format!("{method}-{}", path.replace(['/', '{', '}', '.'], "-")),
                method: method.to_uppercase(),
                path: path.clone(),
                summary: op["summary"].as_str().unwrap_or_default().to_owned(),
                description: op["description"].as_str().unwrap_or_default().to_owned(),
                security: op.get("security").is_some(),
                parameters: op["parameters"].as_array().cloned().unwrap_or_default(),
                request: keys(&op["requestBody"]["content"]),
                responses,
            });
        }
    }
    out
}
