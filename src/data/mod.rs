//! Hosted data: files uploaded to a dataset's distributions, kept beside the store, and the
//! distribution metadata katalog fills from them.
mod dictionary;
mod distribution;
mod files;
pub mod place;
pub mod query;
pub mod table;

pub use distribution::{FILE_SEGMENT, distribution_iri, file_url, with_distribution};
/// The folder of hosted files in a data directory.
pub const HOSTED_DIR: &str = "hosted";

pub use dictionary::{Dictionary, Entry};
pub use files::{DataError, Files, Stored, Upload, Version, check_name};
