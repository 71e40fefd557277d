//! What can go wrong when publishing, whoever asks (the API, the pages, `katalog load`, a
//! harvest): the HTTP layer turns these into statuses in one place.
use crate::rdf::ParseError;
use crate::shacl::ValidationReport;

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("malformed RDF: {0}")]
    Syntax(#[from] ParseError),
    /// The media type (or file name) names no RDF syntax katalog reads.
    #[error("unsupported media type {0:?}")]
    UnsupportedFormat(String),
    #[error(
        "no dcat:Dataset, dcat:DataService, dcat:DatasetSeries or dcat:Catalog found in the body"
    )]
    NoRecords,
    /// A body for one record (`PUT`) describes another record, or several.
    #[error(
        "the body must describe exactly the record <{expected}> (write `<>` for it); found {found:?}"
    )]
    WrongRecord {
        expected: String,
        found: Vec<String>,
    },
    /// A record of a kind this way of publishing does not take (a data service posted to
    /// `/datasets`, say).
    #[error("{0}")]
    WrongKind(String),
    #[error("the metadata does not conform to the shapes")]
    Invalid(Box<ValidationReport>),
    #[error("the record changed since you read it (If-Match / If-None-Match); read it again")]
    PreconditionFailed,
    /// Another organisation's record or publisher.
    #[error("{0}")]
    NotYours(String),
    #[error("no such record")]
    NoSuchRecord,
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Accounts(#[from] crate::accounts::AccountsError),
    /// Keeping or listing a hosted file.
    #[error(transparent)]
    Hosting(#[from] crate::data::DataError),
    /// A blocking task that did not finish (it panicked).
    #[error("the write did not finish: {0}")]
    Interrupted(String),
}
