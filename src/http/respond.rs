//! Building RDF responses: syntax negotiation, validators and conditional requests.
use super::AppError;
use crate::rdf::{GraphFormat, negotiate, serialize_graph};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use oxigraph::model::Triple;
use std::time::SystemTime;
use time::OffsetDateTime;

pub use crate::rdf::RDF_OFFERS;

pub fn offered_types() -> Vec<&'static str> {
    RDF_OFFERS.iter().take(4).map(|(m, _)| *m).collect()
}

/// A SHACL report as a Turtle response: the body of a `422` and of `POST /validate`.
pub fn report_turtle(status: StatusCode, report: &crate::shacl::ValidationReport) -> Response {
    let content_type = [(header::CONTENT_TYPE, GraphFormat::Turtle.content_type())];
    (status, content_type, report.to_turtle()).into_response()
}

pub fn accept_header(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok())
}

pub fn content_type(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
}

/// The syntax for a request: the extension if one was given, else the `Accept` header.
pub fn choose_format(
    headers: &HeaderMap,
    extension: Option<&str>,
) -> Result<GraphFormat, AppError> {
    if let Some(ext) = extension {
        return GraphFormat::from_extension(ext).ok_or(AppError::NotFound);
    }
    negotiate(accept_header(headers), &RDF_OFFERS)
        .ok_or_else(|| AppError::NotAcceptable(offered_types()))
}

/// Validators of a representation, checked against the request's conditional headers.
pub struct Conditional {
    pub etag: String,
    pub last_modified: Option<OffsetDateTime>,
}

impl Conditional {
    /// A strong ETag over the inputs that determine the representation's bytes.
    pub fn new(parts: &[&str], last_modified: Option<OffsetDateTime>) -> Self {
        Self {
            etag: crate::rdf::entity_tag(parts),
            last_modified,
        }
    }

    /// True when the client's copy is current (RFC 9110 section 13.2.2: If-None-Match wins).
    pub fn is_fresh(&self, headers: &HeaderMap) -> bool {
        if let Some(tags) = headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
        {
            return tags
                .split(',')
                .map(|t| t.trim().trim_start_matches("W/"))
                .any(|t| t == "*" || t == self.etag);
        }
        let since = headers
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| httpdate::parse_http_date(v).ok());
        match (since, self.last_modified) {
            // HTTP dates have whole seconds; stored times have milliseconds.
            (Some(since), Some(modified)) => {
                SystemTime::from(modified.replace_nanosecond(0).unwrap_or(modified)) <= since
            }
            _ => false,
        }
    }

    pub fn apply(&self, headers: &mut HeaderMap) {
        if let Ok(v) = HeaderValue::from_str(&self.etag) {
            headers.insert(header::ETAG, v);
        }
        if let Some(modified) = self.last_modified {
            let date = httpdate::fmt_http_date(SystemTime::from(modified));
            if let Ok(v) = HeaderValue::from_str(&date) {
                headers.insert(header::LAST_MODIFIED, v);
            }
        }
    }

    pub fn not_modified(&self) -> Response {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        self.apply(response.headers_mut());
        response
            .headers_mut()
            .insert(header::VARY, HeaderValue::from_static("Accept"));
        response
    }
}

/// Serialises triples (already sorted) as a response with `Vary: Accept` and validators.
pub fn rdf_response(
    triples: &[Triple],
    format: GraphFormat,
    conditional: Option<&Conditional>,
) -> Result<Response, AppError> {
    let body = serialize_graph(triples, format).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut response = ([(header::CONTENT_TYPE, format.content_type())], body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::VARY, HeaderValue::from_static("Accept"));
    if let Some(c) = conditional {
        c.apply(headers);
    }
    Ok(response)
}

/// Splits `name.ext` into the name and a known RDF extension.
pub fn split_extension(path: &str) -> (&str, Option<&str>) {
    if let Some((stem, ext)) = path.rsplit_once('.')
        && !stem.is_empty()
        && !ext.contains('/')
        && GraphFormat::from_extension(ext).is_some()
    {
        return (stem, Some(ext));
    }
    (path, None)
}
