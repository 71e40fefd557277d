//! `POST /validate`: publishers check metadata against the active shapes before publishing.
//! Nothing is stored; the answer is the report (Turtle, or JSON by `Accept`), sent while the
//! records are checked.
use super::publish::report_syntax;
use crate::http::respond::content_type;
use crate::http::{AppError, ReportSyntax, SharedState};
use crate::publish::{body_format, parse_body, validate_document};
use crate::rdf::{Document, GraphFormat};
use crate::shacl::{ReportStream, Shapes};
use crate::store::RecordIndex;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use std::convert::Infallible;
use std::sync::Arc;
use tokio::sync::mpsc::Sender;

/// Bytes of report gathered before they are sent on.
const CHUNK: usize = 64 * 1024;

/// Validate metadata without storing it
///
/// Checks RDF against the active DCAT-AP-SE shapes, as every write is checked. Nothing is
/// stored; the answer is the SHACL report, Turtle or JSON by `Accept`. The report is sent
/// while the records are checked, so its counts (`sh:conforms`; in JSON `conforms`,
/// `violations` and `warnings`) come after its results.
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
    let document = parse_body(body, format, &base, state.config.parse_limits).await?;
    let Some(shapes) = state.shapes.clone() else {
        return Err(AppError::Unavailable(
            "validation is switched off on this server".into(),
        ));
    };
    let json = report_syntax(&headers) == ReportSyntax::Json;
    let stored = state.catalogue.index()?;
    let (sender, mut receiver) = tokio::sync::mpsc::channel(4);
    tokio::task::spawn_blocking(move || {
        send_report(&shapes, document, &base, &stored, json, &sender)
    });
    let chunks = futures_util::stream::poll_fn(move |cx| {
        receiver
            .poll_recv(cx)
            .map(|chunk| chunk.map(Ok::<_, Infallible>))
    });
    let media_type = match json {
        true => "application/json",
        false => GraphFormat::Turtle.content_type(),
    };
    Ok((
        [(header::CONTENT_TYPE, media_type)],
        Body::from_stream(chunks),
    )
        .into_response())
}

/// Validates the document and sends the report in chunks; stops when the client is gone.
fn send_report(
    shapes: &Shapes,
    document: Document,
    base: &str,
    stored: &Arc<RecordIndex>,
    json: bool,
    sender: &Sender<Vec<u8>>,
) {
    let mut out = Vec::with_capacity(CHUNK);
    let Ok(mut stream) = ReportStream::start(json, &mut out) else {
        return;
    };
    validate_document(shapes, document, base, stored, |part| {
        // Writing to memory cannot fail.
        let _ = stream.add(part, &mut out);
        out.len() < CHUNK || sender.blocking_send(std::mem::take(&mut out)).is_ok()
    });
    let _ = stream.finish(&mut out);
    let _ = sender.blocking_send(out);
}
