//! Hosted data: files uploaded to a dataset's distributions, kept beside the store, and the
//! distribution metadata katalog fills from them.
mod dictionary;
mod distribution;
mod files;
pub mod place;
pub mod query;
pub mod table;

pub use distribution::{FILE_SEGMENT, distribution_iri, file_url, with_distribution};
/// The media type of a data file named with this extension, for files that come without one.
pub fn media_type_of_extension(extension: &str) -> Option<&'static str> {
    Some(match extension.to_ascii_lowercase().as_str() {
        "csv" => "text/csv",
        "tsv" => "text/tab-separated-values",
        "json" => "application/json",
        "geojson" => "application/geo+json",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "txt" => "text/plain",
        _ => return None,
    })
}

/// The folder of hosted files in a data directory.
pub const HOSTED_DIR: &str = "hosted";

pub use dictionary::{Dictionary, Entry};
pub use files::{Connected, DataError, Files, Stored, Upload, Version, check_name};
