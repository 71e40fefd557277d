//! `POST /validate`: publishers check metadata against the active shapes before publishing.
//! Nothing is stored; the answer is the report (Turtle, or JSON by `Accept`).
use super::publish::report_syntax;
use crate::http::respond::{content_type, report_turtle};
use crate::http::{AppError, ReportSyntax, SharedState};
use crate::publish::{Members, body_format, parse_body};
use crate::store::split_records;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};

/// Validate metadata without storing it
///
/// Checks RDF against the active DCAT-AP-SE shapes, as every write is checked. Nothing is
/// stored; the answer is the SHACL report, Turtle or JSON by `Accept`.
#[utoipa::path(post, path = "/validate", tag = "publishing",
    request_body(description = "RDF to check", content((String = "text/turtle"), (String = "application/rdf+xml"), (String = "application/ld+json"), (String = "application/n-triples"))),
    responses(
        (status = 200, description = "The validation report (it may contain violations)",
            content((crate::http::openapi::ReportBody = "application/json"), (String = "text/turtle"))),
        (status = 400, description = "Malformed RDF", body = crate::http::openapi::ErrorBody),
        (status = 413, description = "The body is too large", content_type = "text/plain"),
        (status = 415, description = "Unsupported Content-Type", body = crate::http::openapi::ErrorBody),
        (status = 503, description = "Validation is switched off", body = crate::http::openapi::ErrorBody),
    ))]
pub async fn validate(
    State(state): State<SharedState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let content_type = content_type(&headers);
    let base = state.config.base_uri.clone();
    let format = body_format(content_type)?;
    let triples = parse_body(body, format, &base, state.config.parse_limits).await?;
    let Some(shapes) = state.shapes.clone() else {
        return Err(AppError::Unavailable(
            "validation is switched off on this server".into(),
        ));
    };
    let report = tokio::task::spawn_blocking(move || -> Result<_, AppError> {
        let split = split_records(triples, &base);
        let members = Members::of(&split.records, &*state.catalogue.index()?);
        Ok(crate::publish::validate(&shapes, &split.records, &members))
    })
    .await??;
    if report_syntax(&headers) == ReportSyntax::Json {
        let mut body = Vec::new();
        report
            .write_json(&mut body)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        return Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response());
    }
    Ok(report_turtle(axum::http::StatusCode::OK, &report))
}
