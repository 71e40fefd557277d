//! Hosted data: files uploaded to a dataset's distributions, kept beside the store, and the
//! distribution metadata katalog fills from them.
mod dictionary;
mod distribution;
mod files;
pub mod place;
pub mod query;
pub mod table;

pub use distribution::{
    FILE_SEGMENT, distribution_iri, distribution_of, file_url, with_distribution,
};
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

/// The media type of a file that arrives with `given` (a `Content-Type`, perhaps with
/// parameters, perhaps none) and is named `name` (a file name, path or URL): a specific
/// type as given; else, for a generic one (`application/octet-stream`, `text/plain`) or
/// none, what the name's extension says; else the generic one given, or
/// `application/octet-stream`.
pub fn media_type_of(given: Option<&str>, name: &str) -> String {
    let given = given
        .and_then(|g| g.split(';').next())
        .map(|g| g.trim().to_ascii_lowercase())
        .filter(|g| !g.is_empty());
    if let Some(given) = &given
        && given != "application/octet-stream"
        && given != "text/plain"
    {
        return given.clone();
    }
    let path = name.split(['?', '#']).next().unwrap_or_default();
    let by_name = path
        .rsplit_once('.')
        .and_then(|(_, extension)| media_type_of_extension(extension));
    by_name
        .map(str::to_owned)
        .or(given)
        .unwrap_or_else(|| "application/octet-stream".into())
}

/// The folder of hosted files in a data directory.
pub const HOSTED_DIR: &str = "hosted";

pub use dictionary::{Dictionary, Entry};
pub use files::{Connected, DataError, Files, Stored, Upload, Version, check_name};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_specific_type_is_taken_and_a_generic_one_read_from_the_name() {
        assert_eq!(
            media_type_of(Some("text/csv; charset=utf-8"), "x.json"),
            "text/csv"
        );
        assert_eq!(
            media_type_of(Some("text/plain"), "https://e.se/k.csv?v=2"),
            "text/csv"
        );
        assert_eq!(media_type_of(Some("text/plain"), "README"), "text/plain");
        assert_eq!(media_type_of(None, "karta.geojson"), "application/geo+json");
        assert_eq!(media_type_of(None, "okänd"), "application/octet-stream");
    }

    #[test]
    fn a_distribution_iri_gives_its_dataset_and_name_back() {
        let dataset = oxigraph::model::NamedNode::new_unchecked("http://k.se/datasets/bad");
        let iri = distribution_iri(&dataset, "csv");
        let found = distribution_of("http://k.se/", iri.as_str());
        assert_eq!(found, Some(("bad".into(), "csv".into())));
        assert_eq!(
            distribution_of("http://k.se/", "http://k.se/datasets/../distributions/x"),
            None
        );
    }
}
