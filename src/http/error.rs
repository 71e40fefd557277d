//! Every error a request can meet, and the one place where it becomes an HTTP response:
//! each domain error maps to a status here, and every answer but a Turtle report has the
//! JSON body the OpenAPI description names ([`ErrorBody`]).
use super::openapi::ErrorBody;
use crate::feeds::FeedError;
use crate::publish::PublishError;
use crate::rdf::{INPUT_MEDIA_TYPES, ParseError};
use crate::sparql::{ProtocolError, QueryError};
use crate::store::StoreError;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The syntax a SHACL report is answered in, as the client's `Accept` asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportSyntax {
    Turtle,
    Json,
}

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
    /// The resource is busy or taken (409).
    #[error("{0}")]
    Conflict(String),
    #[error("the record changed since you read it (If-Match / If-None-Match); read it again")]
    PreconditionFailed,
    #[error("too many failed attempts; try again in {0} seconds")]
    TooManyRequests(u64),
    #[error(transparent)]
    Accounts(#[from] crate::accounts::AccountsError),
    #[error("the metadata does not conform to the shapes")]
    Invalid(Box<crate::shacl::ValidationReport>, ReportSyntax),
    #[error("{0}")]
    Unavailable(String),
    /// Well-formed, but not what this resource takes (422).
    #[error("{0}")]
    Unprocessable(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A file past the upload limit (413).
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    Internal(String),
}

impl AppError {
    /// A publishing failure as HTTP, a validation report in the syntax given.
    pub fn from_publish(error: PublishError, report: ReportSyntax) -> Self {
        match error {
            PublishError::Syntax(e) => Self::Syntax(e),
            PublishError::NoRecords => Self::Syntax(ParseError::without_position(
                PublishError::NoRecords.to_string(),
            )),
            PublishError::UnsupportedFormat(f) => Self::UnsupportedMediaType(f),
            e @ PublishError::WrongRecord { .. } => Self::BadRequest(e.to_string()),
            PublishError::WrongKind(message) => Self::Unprocessable(message),
            PublishError::Invalid(found) => Self::Invalid(found, report),
            PublishError::PreconditionFailed => Self::PreconditionFailed,
            PublishError::NotYours(message) => Self::Forbidden(message),
            PublishError::NoSuchRecord => Self::NotFound,
            PublishError::Hosting(e) => e.into(),
            PublishError::Store(e) => Self::Store(e),
            PublishError::Accounts(e) => Self::Accounts(e),
            e @ PublishError::Interrupted(_) => Self::Internal(e.to_string()),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::Syntax(e) if e.limit.is_some() => StatusCode::PAYLOAD_TOO_LARGE,
            Self::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::BadRequest(_) | Self::Syntax(_) => StatusCode::BAD_REQUEST,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Gone => StatusCode::GONE,
            Self::NotAcceptable(_) => StatusCode::NOT_ACCEPTABLE,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::LoginRequired(_) => StatusCode::SEE_OTHER,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Invalid(..) | Self::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Self::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Accounts(e) => accounts_status(e),
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Store(_) | Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn body(&self) -> ErrorBody {
        let mut body = ErrorBody {
            status: self.status().as_u16(),
            error: self.to_string(),
            ..Default::default()
        };
        let names = |types: &[&str]| Some(types.iter().map(|t| (*t).to_owned()).collect());
        match self {
            Self::Syntax(e) => {
                body.message = Some(e.message.clone());
                body.line = e.line;
                body.column = e.column;
            }
            Self::UnsupportedMediaType(_) => body.accepted = names(INPUT_MEDIA_TYPES),
            Self::NotAcceptable(offers) => body.available = names(offers),
            Self::Invalid(report, _) => body.report = Some(report.to_json()),
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
        if let Self::Invalid(report, ReportSyntax::Turtle) = &self {
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
        Self::from_publish(error, ReportSyntax::Turtle)
    }
}

impl From<FeedError> for AppError {
    fn from(error: FeedError) -> Self {
        match error {
            FeedError::Store(e) => Self::Store(e),
            FeedError::BadParameter(message) => Self::BadRequest(message),
            FeedError::NoSuchPage | FeedError::NoSuchOrganisation => Self::NotFound,
            e @ FeedError::NoEuMapping => Self::Unavailable(e.to_string()),
            e @ (FeedError::Write(_) | FeedError::Corrupt(_)) => Self::Internal(e.to_string()),
        }
    }
}

impl From<QueryError> for AppError {
    fn from(error: QueryError) -> Self {
        match error {
            QueryError::NotAcceptable(offers) => Self::NotAcceptable(offers),
            e @ (QueryError::Syntax(_)
            | QueryError::Evaluation(_)
            | QueryError::UnknownFormat(_)) => Self::BadRequest(e.to_string()),
            e @ (QueryError::Timeout(_) | QueryError::Busy) => Self::Unavailable(e.to_string()),
        }
    }
}

impl From<ProtocolError> for AppError {
    fn from(error: ProtocolError) -> Self {
        match error {
            ProtocolError::Malformed(message) => Self::BadRequest(message),
            e @ ProtocolError::ReadOnly => Self::Forbidden(e.to_string()),
            ProtocolError::UnsupportedMediaType(message) => Self::UnsupportedMediaType(message),
        }
    }
}

impl From<crate::harvest::HarvestError> for AppError {
    fn from(error: crate::harvest::HarvestError) -> Self {
        use crate::harvest::HarvestError as E;
        match error {
            E::Invalid(message) => Self::Unprocessable(message),
            E::NotYours(message) => Self::Forbidden(message),
            E::UnknownSource(_) => Self::NotFound,
            e @ E::Running(_) => Self::Conflict(e.to_string()),
            E::Accounts(e) => Self::Accounts(e),
            E::Store(e) => Self::Store(e),
            e @ (E::Database(_) | E::Interrupted(_) | E::Files(_)) => Self::Internal(e.to_string()),
            // Only a run meets these, and a run reports them in its report.
            e @ (E::Fetch(_) | E::Source(_) | E::Ckan(_)) => Self::Internal(e.to_string()),
        }
    }
}

impl From<crate::search::SearchError> for AppError {
    fn from(error: crate::search::SearchError) -> Self {
        match error {
            crate::search::SearchError::Store(e) => Self::Store(e),
            e => Self::Internal(e.to_string()),
        }
    }
}

impl From<crate::data::DataError> for AppError {
    fn from(error: crate::data::DataError) -> Self {
        use crate::data::DataError;
        match error {
            e @ DataError::TooLarge(_) => Self::TooLarge(e.to_string()),
            e @ DataError::BadName(_) => Self::BadRequest(e.to_string()),
            DataError::NotFound => Self::NotFound,
            e @ DataError::Malformed { .. } => Self::Unprocessable(format!(
                "{e}; fix the file, or upload it as text/plain to host it without a table"
            )),
            e @ DataError::BadQuery(_) => Self::BadRequest(e.to_string()),
            e @ DataError::Timeout => Self::Unavailable(e.to_string()),
            e @ (DataError::Io(_) | DataError::Table(_)) => Self::Internal(e.to_string()),
        }
    }
}

impl From<tokio::task::JoinError> for AppError {
    fn from(error: tokio::task::JoinError) -> Self {
        Self::Internal(format!("a task did not finish: {error}"))
    }
}
