//! Every error a request can meet, and the one place where it becomes an HTTP response.
use crate::publish::PublishError;
use crate::rdf::{INPUT_MEDIA_TYPES, ParseError};
use crate::store::StoreError;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    /// Malformed RDF (400), or RDF beyond one of the parse limits (413).
    #[error("{}: {}", if .0.limit.is_some() { "too large to take" } else { "malformed RDF" }, .0)]
    Syntax(#[from] ParseError),
    #[error("unsupported media type {0:?}")]
    UnsupportedMediaType(String),
    #[error("nothing here")]
    NotFound,
    #[error("this resource was deleted")]
    Gone,
    #[error("none of the available media types is acceptable")]
    NotAcceptable(Vec<&'static str>),
    #[error("authentication required")]
    Unauthorized,
    /// A page needs a logged-in user: the browser is sent to the login page, to come back to
    /// the path given.
    #[error("log in first")]
    LoginRequired(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    MethodNotAllowed(String),
    #[error("the record changed since you read it (If-Match / If-None-Match); read it again")]
    PreconditionFailed,
    #[error("too many failed attempts; try again in {0} seconds")]
    TooManyRequests(u64),
    #[error(transparent)]
    Accounts(#[from] crate::accounts::AccountsError),
    #[error("the metadata does not conform to the shapes")]
    Invalid(Box<crate::shacl::ValidationReport>, bool),
    #[error("{0}")]
    Unavailable(String),
    /// Well-formed, but not what this resource takes (422).
    #[error("{0}")]
    Unprocessable(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Internal(String),
}

impl AppError {
    /// A publishing failure as HTTP; a validation report in JSON when `json` (the client's
    /// `Accept` asked for it), else in Turtle.
    pub fn from_publish(error: PublishError, json: bool) -> Self {
        match error {
            PublishError::Syntax(e) => Self::Syntax(e),
            PublishError::NoRecords => Self::Syntax(ParseError::without_position(
                PublishError::NoRecords.to_string(),
            )),
            PublishError::UnsupportedFormat(f) => Self::UnsupportedMediaType(f),
            e @ PublishError::WrongRecord { .. } => Self::BadRequest(e.to_string()),
            PublishError::WrongKind(message) => Self::Unprocessable(message),
            PublishError::Invalid(report) => Self::Invalid(report, json),
            PublishError::PreconditionFailed => Self::PreconditionFailed,
            PublishError::NotYours(message) => Self::Forbidden(message),
            PublishError::NoSuchRecord => Self::NotFound,
            PublishError::Store(e) => Self::Store(e),
            PublishError::Accounts(e) => Self::Accounts(e),
            e @ PublishError::Interrupted(_) => Self::Internal(e.to_string()),
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            Self::Syntax(e) if e.limit.is_some() => StatusCode::PAYLOAD_TOO_LARGE,
            Self::BadRequest(_) | Self::Syntax(_) => StatusCode::BAD_REQUEST,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Gone => StatusCode::GONE,
            Self::NotAcceptable(_) => StatusCode::NOT_ACCEPTABLE,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::LoginRequired(_) => StatusCode::SEE_OTHER,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::Invalid(..) | Self::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Self::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Accounts(e) => accounts_status(e),
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Store(_) | Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn body(&self) -> serde_json::Value {
        let mut body = json!({ "status": self.status().as_u16(), "error": self.to_string() });
        match self {
            Self::Syntax(e) => {
                body["message"] = json!(e.message);
                body["line"] = json!(e.line);
                body["column"] = json!(e.column);
            }
            Self::UnsupportedMediaType(_) => body["accepted"] = json!(INPUT_MEDIA_TYPES),
            Self::NotAcceptable(offers) => body["available"] = json!(offers),
            Self::Invalid(report, _) => body["report"] = report.to_json(),
            _ => {}
        }
        body
    }
}

fn accounts_status(e: &crate::accounts::AccountsError) -> StatusCode {
    use crate::accounts::AccountsError as E;
    match e {
        E::InvalidOrgnr(_) | E::InvalidRole(_) | E::Invalid(_) => StatusCode::BAD_REQUEST,
        E::UnknownOrganisation(_) | E::UnknownUser(_) => StatusCode::NOT_FOUND,
        E::Exists(_) => StatusCode::CONFLICT,
        E::Database(_) | E::Migrate(_) | E::Hash(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        match &self {
            // Overload is expected now and then; the client is told when to come back.
            Self::Unavailable(_) => tracing::warn!(error = %self, "request refused"),
            _ if status.is_server_error() => tracing::error!(error = %self, "request failed"),
            _ => {}
        }
        if let Self::LoginRequired(back_to) = &self {
            let next =
                percent_encoding::utf8_percent_encode(back_to, percent_encoding::NON_ALPHANUMERIC);
            return axum::response::Redirect::to(&format!("/login?next={next}")).into_response();
        }
        // A validation report is RDF: Turtle unless the client asked for JSON.
        if let Self::Invalid(report, false) = &self {
            return super::respond::report_turtle(status, report);
        }
        let mut response = (status, axum::Json(self.body())).into_response();
        if let Self::Unavailable(_) = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        if let Self::TooManyRequests(seconds) = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if let Self::Unauthorized = self {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"katalog\""),
            );
        }
        response
    }
}

impl From<PublishError> for AppError {
    fn from(error: PublishError) -> Self {
        Self::from_publish(error, false)
    }
}

impl From<tokio::task::JoinError> for AppError {
    fn from(error: tokio::task::JoinError) -> Self {
        Self::Internal(format!("a task did not finish: {error}"))
    }
}
