//! Publishing: the one ingest service that the API, the publisher pages, `katalog load` and
//! a harvest all call, and what it needs (authorisation, migration of older records, the
//! re-check against changed shapes, the dataset form).
//!
//! Every write parses the body, splits it into records, validates them against the active
//! shapes and stores them in one transaction: a request either succeeds whole or changes
//! nothing.
mod authorize;
mod error;
pub mod form;
mod hosting;
mod ingest;
mod migrate;
mod revalidate;

pub use authorize::authorize_stored;
pub use error::PublishError;
pub use hosting::{Hosted, describe_columns, host_file};
pub use ingest::{
    Accepts, Ingested, Members, Precondition, Publishing, Submission, Validation, body_format,
    check_record, delete_record, ingest, parse_body, validate_and_note, validate_document,
};
pub use migrate::{Migration, restore_sources};
pub use revalidate::{Revalidation, revalidate_all};
