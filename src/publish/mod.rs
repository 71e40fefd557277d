//! The publishing API: create, replace and delete records over HTTP.
//!
//! Every write parses the body, splits it into records, validates them against the active
//! shapes and stores them in one transaction: a request either succeeds whole or changes
//! nothing.
mod auth;
mod check;
mod ingest;
mod revalidate;

pub use ingest::{Ingested, Members, ingest, validate, validate_and_note};
pub use revalidate::revalidate_all;

use crate::store::{Change, RecordKind};
use crate::web::respond::accept_header;
use crate::web::{AppError, SharedState};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{post, put};
use oxigraph::model::NamedNode;
use serde_json::json;

pub fn routes() -> Router<SharedState> {
    let deref = crate::web::dereference;
    Router::new()
        .route("/datasets", post(create))
        .route("/dataservices", post(create))
        .route(
            "/datasets/{id}",
            put(|s, p, h, b| replace(s, p, h, b, RecordKind::Dataset))
                .delete(|s, p, h| remove(s, p, h, RecordKind::Dataset))
                .fallback(deref),
        )
        .route(
            "/dataservices/{id}",
            put(|s, p, h, b| replace(s, p, h, b, RecordKind::DataService))
                .delete(|s, p, h| remove(s, p, h, RecordKind::DataService))
                .fallback(deref),
        )
        .route("/catalog", put(replace_catalog))
        .route("/validate", post(check::validate_handler))
}

fn wants_json(headers: &HeaderMap) -> bool {
    accept_header(headers).is_some_and(|a| a.contains("json"))
}

/// `POST /datasets`: one or many records (a whole catalogue file is split).
async fn create(
    State(state): State<SharedState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    auth::require_admin(&state, &headers)?;
    let base = state.config.base_uri.clone();
    let ingested = ingest(&state, &headers, &body, &base, None).await?;
    let summary = ingested.summary();
    if let [(record, _)] = ingested.records_and_changes().as_slice() {
        let mut response = (StatusCode::CREATED, axum::Json(summary)).into_response();
        if let Ok(location) = HeaderValue::from_str(record.as_str()) {
            response.headers_mut().insert(header::LOCATION, location);
        }
        return Ok(response);
    }
    let status = if ingested.changes.contains(&Change::Created) {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, axum::Json(summary)).into_response())
}

/// `PUT /datasets/{id}`: replaces one record; relative IRIs resolve against its URL, so
/// `<>` is the dataset itself.
async fn replace(
    State(state): State<SharedState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
    kind: RecordKind,
) -> Result<Response, AppError> {
    auth::require_admin(&state, &headers)?;
    let iri = NamedNode::new(
        state
            .config
            .iri_for_path(&format!("{}/{id}", kind.segment())),
    )
    .map_err(|e| AppError::BadRequest(format!("invalid record id: {e}")))?;
    let ingested = ingest(&state, &headers, &body, iri.as_str(), Some(&iri)).await?;
    let status = if ingested.changes.first() == Some(&Change::Created) {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, axum::Json(ingested.summary())).into_response())
}

async fn replace_catalog(
    State(state): State<SharedState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    auth::require_admin(&state, &headers)?;
    let iri = NamedNode::new_unchecked(state.config.catalog_iri());
    let ingested = ingest(&state, &headers, &body, iri.as_str(), Some(&iri)).await?;
    Ok(axum::Json(ingested.summary()).into_response())
}

async fn remove(
    State(state): State<SharedState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    kind: RecordKind,
) -> Result<Response, AppError> {
    auth::require_admin(&state, &headers)?;
    let iri = NamedNode::new(
        state
            .config
            .iri_for_path(&format!("{}/{id}", kind.segment())),
    )
    .map_err(|e| AppError::BadRequest(format!("invalid record id: {e}")))?;
    let deleted = tokio::task::spawn_blocking(move || state.catalogue.delete(iri.as_ref()))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    if deleted {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(AppError::NotFound)
    }
}

impl Ingested {
    pub fn summary(&self) -> serde_json::Value {
        let records: Vec<_> = self
            .records_and_changes()
            .iter()
            .map(|(iri, change)| json!({ "record": iri.as_str(), "change": change }))
            .collect();
        json!({
            "records": records,
            "unattachedTriples": self.unattached,
            "warnings": self.report.as_ref().map(|r| r.warnings()).unwrap_or(0),
            "report": self.report.as_ref().map(|r| r.to_json()),
        })
    }
}
