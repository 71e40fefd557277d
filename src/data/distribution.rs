//! The description katalog gives a distribution whose file it hosts: what it knows of the
//! file (where to get it, its size, type and checksum, when it came) replaces what the
//! record said of those; what the publisher said otherwise (title, licence) stays.
use super::Version;
use crate::rdf::ns::{dcat, dcterms, rdf, xsd};
use oxigraph::model::{BlankNode, Literal, NamedNode, NamedOrBlankNode, Term, Triple};

/// The last segment of a hosted file's URL, under its distribution.
pub const FILE_SEGMENT: &str = "file";

const SPDX: &str = "http://spdx.org/rdf/terms#";
const IANA_MEDIA_TYPES: &str = "http://www.iana.org/assignments/media-types/";

/// `{dataset}/distributions/{name}`.
pub fn distribution_iri(dataset: &NamedNode, name: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{}/distributions/{name}", dataset.as_str()))
}

/// The dataset id and distribution name of a distribution IRI under `base`
/// (`{base}datasets/{id}/distributions/{name}`): the inverse of [`distribution_iri`].
pub fn distribution_of(base: &str, iri: &str) -> Option<(String, String)> {
    let path = iri.strip_prefix(base)?.strip_prefix("datasets/")?;
    let (id, name) = path.split_once("/distributions/")?;
    let plain = super::check_name(id).is_ok() && super::check_name(name).is_ok();
    plain.then(|| (id.to_owned(), name.to_owned()))
}

/// Where the distribution's file is served: `{distribution}/file`.
pub fn file_url(distribution: &NamedNode) -> NamedNode {
    NamedNode::new_unchecked(format!("{}/{FILE_SEGMENT}", distribution.as_str()))
}

/// The dataset's triples with distribution `name` described from its current file.
/// `issued` is when its first version came.
pub fn with_distribution(
    triples: Vec<Triple>,
    dataset: &NamedNode,
    name: &str,
    current: &Version,
    issued: &str,
) -> Vec<Triple> {
    let distribution = distribution_iri(dataset, name);
    let subject = NamedOrBlankNode::from(distribution.clone());
    let spdx = |local: &str| NamedNode::new_unchecked(format!("{SPDX}{local}"));
    let checksum_link = spdx("checksum");
    // The checksum nodes katalog wrote before go with the properties it fills.
    let old_checksums: Vec<NamedOrBlankNode> = triples
        .iter()
        .filter(|t| t.subject == subject && t.predicate == checksum_link)
        .filter_map(|t| match &t.object {
            Term::BlankNode(b) => Some(b.clone().into()),
            _ => None,
        })
        .collect();
    let filled = [
        dcat::ACCESS_URL,
        dcat::DOWNLOAD_URL,
        dcat::BYTE_SIZE,
        dcat::MEDIA_TYPE,
        dcterms::FORMAT,
        dcterms::ISSUED,
        dcterms::MODIFIED,
        checksum_link.as_ref(),
    ];
    let mut triples: Vec<Triple> = triples
        .into_iter()
        .filter(|t| !(t.subject == subject && filled.contains(&t.predicate.as_ref())))
        .filter(|t| !old_checksums.contains(&t.subject))
        .collect();
    let link = Triple::new(
        dataset.clone(),
        dcat::DISTRIBUTION_LINK,
        distribution.clone(),
    );
    if !triples.contains(&link) {
        triples.push(link);
    }
    let typed = Triple::new(distribution.clone(), rdf::TYPE, dcat::DISTRIBUTION);
    if !triples.contains(&typed) {
        triples.push(typed);
    }
    let url = file_url(&distribution);
    let date = |value: &str| Literal::new_typed_literal(value, xsd::DATE_TIME);
    let checksum = BlankNode::default();
    let says = |p: NamedNode, o: Term| Triple::new(distribution.clone(), p, o);
    triples.extend([
        says(dcat::ACCESS_URL.into_owned(), url.clone().into()),
        says(dcat::DOWNLOAD_URL.into_owned(), url.into()),
        says(
            dcat::BYTE_SIZE.into_owned(),
            Literal::new_typed_literal(
                current.bytes.to_string(),
                NamedNode::new_unchecked("http://www.w3.org/2001/XMLSchema#nonNegativeInteger"),
            )
            .into(),
        ),
        says(
            dcat::MEDIA_TYPE.into_owned(),
            NamedNode::new_unchecked(format!("{IANA_MEDIA_TYPES}{}", current.media_type)).into(),
        ),
        says(
            dcterms::FORMAT.into_owned(),
            Literal::new_simple_literal(&current.media_type).into(),
        ),
        says(dcterms::ISSUED.into_owned(), date(issued).into()),
        says(
            dcterms::MODIFIED.into_owned(),
            date(&current.uploaded).into(),
        ),
        says(checksum_link, checksum.clone().into()),
        Triple::new(checksum.clone(), rdf::TYPE, spdx("Checksum")),
        Triple::new(
            checksum.clone(),
            spdx("algorithm"),
            spdx("checksumAlgorithm_sha1"),
        ),
        Triple::new(
            checksum,
            spdx("checksumValue"),
            Literal::new_typed_literal(
                &current.sha1,
                NamedNode::new_unchecked("http://www.w3.org/2001/XMLSchema#hexBinary"),
            ),
        ),
    ]);
    triples
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(bytes: u64, sha1: &str, uploaded: &str) -> Version {
        Version {
            sha256: "00".repeat(32),
            sha1: sha1.to_owned(),
            bytes,
            media_type: "text/csv".to_owned(),
            uploaded: uploaded.to_owned(),
        }
    }

    #[test]
    fn a_new_file_replaces_what_katalog_filled_and_keeps_the_rest() {
        let dataset = NamedNode::new_unchecked("https://x.se/datasets/d1");
        let distribution = distribution_iri(&dataset, "csv");
        let title = Triple::new(
            distribution.clone(),
            dcterms::TITLE,
            Literal::new_language_tagged_literal_unchecked("Badplatser", "sv"),
        );
        let first = with_distribution(
            vec![title.clone()],
            &dataset,
            "csv",
            &version(10, "aa", "2026-01-01T00:00:00Z"),
            "2026-01-01T00:00:00Z",
        );
        let second = with_distribution(
            first,
            &dataset,
            "csv",
            &version(20, "bb", "2026-02-01T00:00:00Z"),
            "2026-01-01T00:00:00Z",
        );
        assert!(second.contains(&title));
        let objects = |p: &str| {
            second
                .iter()
                .filter(|t| t.predicate.as_str().ends_with(p))
                .map(|t| t.object.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            objects("byteSize"),
            ["\"20\"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger>"]
        );
        assert_eq!(
            objects("checksumValue"),
            ["\"bb\"^^<http://www.w3.org/2001/XMLSchema#hexBinary>"]
        );
        assert_eq!(objects("issued").len(), 1);
        assert_eq!(objects("#distribution"), [distribution.to_string()]);
        assert_eq!(
            objects("downloadURL"),
            [format!("<{}/file>", distribution.as_str())]
        );
    }
}
