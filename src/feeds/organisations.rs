//! One catalogue per organisation: every distinct publisher of the records gets its own
//! `dcat:Catalog` at `/organisations/{key}/catalog`, harvestable at
//! `/organisations/{key}/datasets/dcat`.
use super::FeedError;
use crate::rdf::ns::{dcat, dcterms, rdf};
use crate::store::{Catalogue, RecordIndex, StoreError};
use oxigraph::model::{Literal, NamedNode, NamedOrBlankNode, Term, Triple};
use sha2::{Digest, Sha256};

const DATAPORTAL_ORG: &str = "http://dataportal.se/organisation/SE";
pub const CC0: &str = "http://creativecommons.org/publicdomain/zero/1.0/";

/// The URL key of a publisher: the ten digits of a dataportal.se organisation IRI, or a
/// readable slug with a short hash for any other IRI.
pub fn org_key(publisher: &NamedNode) -> String {
    if let Some(digits) = publisher.as_str().strip_prefix(DATAPORTAL_ORG)
        && digits.len() == 10
        && digits.bytes().all(|b| b.is_ascii_digit())
    {
        return digits.to_owned();
    }
    let tail = publisher
        .as_str()
        .trim_end_matches('/')
        .rsplit(['/', '#'])
        .next()
        .unwrap_or("org");
    let slug: String = tail
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .take(40)
        .collect();
    let hash = hex::encode(&Sha256::digest(publisher.as_str().as_bytes())[..4]);
    format!("{}-{hash}", slug.trim_matches('-'))
}

pub fn org_catalog_iri(base: &str, publisher: &NamedNode) -> NamedNode {
    NamedNode::new_unchecked(format!(
        "{base}organisations/{}/catalog",
        org_key(publisher)
    ))
}

/// The publisher whose key is `key`, among all records (also those left out of the feeds).
pub fn publisher_for_key<'a>(index: &'a RecordIndex, key: &str) -> Option<&'a NamedNode> {
    index
        .records
        .iter()
        .filter_map(|r| r.publisher.as_ref())
        .find(|p| org_key(p) == key)
}

/// The publisher's name as its records state it.
pub(crate) fn publisher_triples(
    catalogue: &Catalogue,
    index: &RecordIndex,
    publisher: &NamedNode,
) -> Result<Vec<Triple>, StoreError> {
    let Some(record) = index
        .members()
        .find(|r| r.publisher.as_ref() == Some(publisher))
    else {
        return Ok(Vec::new());
    };
    let subject = NamedOrBlankNode::from(publisher.clone());
    Ok(catalogue
        .record(record.iri.as_ref())?
        .unwrap_or_default()
        .into_iter()
        .filter(|t| t.subject == subject)
        .collect())
}

/// A generated catalogue description for one organisation.
pub fn org_catalog_description(
    catalogue: &Catalogue,
    index: &RecordIndex,
    base: &str,
    publisher: &NamedNode,
) -> Result<Vec<Triple>, StoreError> {
    let iri = org_catalog_iri(base, publisher);
    // Written by the organisation (PUT /organisations/{key}/catalog): used as it is.
    if let Some(stored) = catalogue.record(iri.as_ref())? {
        return Ok(stored);
    }
    let agent = publisher_triples(catalogue, index, publisher)?;
    let name = agent
        .iter()
        .find_map(|t| match &t.object {
            Term::Literal(l) if t.predicate.as_str() == "http://xmlns.com/foaf/0.1/name" => {
                Some(l.value().to_owned())
            }
            _ => None,
        })
        .unwrap_or_else(|| org_key(publisher));
    let lit = |v: String, lang: &str| Literal::new_language_tagged_literal_unchecked(v, lang);
    let mut triples = vec![
        Triple::new(iri.clone(), rdf::TYPE, dcat::CATALOG),
        Triple::new(
            iri.clone(),
            dcterms::TITLE,
            lit(format!("Öppna data från {name}"), "sv"),
        ),
        Triple::new(
            iri.clone(),
            dcterms::TITLE,
            lit(format!("Open data from {name}"), "en"),
        ),
        Triple::new(
            iri.clone(),
            dcterms::DESCRIPTION,
            lit(
                format!("Datamängder och datatjänster som {name} publicerar."),
                "sv",
            ),
        ),
        Triple::new(
            iri.clone(),
            dcterms::DESCRIPTION,
            lit(
                format!("Datasets and data services published by {name}."),
                "en",
            ),
        ),
        Triple::new(iri.clone(), dcterms::PUBLISHER, publisher.clone()),
        Triple::new(iri, dcterms::LICENSE, NamedNode::new_unchecked(CC0)),
    ];
    triples.extend(agent);
    Ok(triples)
}

/// The organisation's records that fail the active shapes, with the reasons: those left out
/// of the feeds, and those that passed before and are still served until an administrator
/// applies the new verdicts; and those that pass with warnings.
pub fn problems(catalogue: &Catalogue, key: &str) -> Result<serde_json::Value, FeedError> {
    let index = catalogue.index()?;
    let publisher = publisher_for_key(&index, key).ok_or(FeedError::NoSuchOrganisation)?;
    let theirs = || {
        index
            .records
            .iter()
            .filter(|r| r.publisher.as_ref() == Some(publisher))
    };
    let listed = listing(theirs().filter(|r| r.invalid), |i| {
        catalogue.invalid_report(i)
    })?;
    let still_served = listing(theirs().filter(|r| r.still_served), |i| {
        catalogue.failing_report(i)
    })?;
    // Records that are harvested but miss recommended information.
    let with_warnings = listing(theirs().filter(|r| !r.invalid), |i| catalogue.warnings(i))?;
    Ok(serde_json::json!({
        "publisher": publisher.as_str(),
        "leftOutOfFeeds": listed,
        "failsActiveShapesStillServed": still_served,
        "warnings": with_warnings,
    }))
}

/// `{"record", "report"}` for each record that has a report.
fn listing<'a>(
    records: impl Iterator<Item = &'a crate::store::RecordInfo>,
    report: impl Fn(
        oxigraph::model::NamedNodeRef<'_>,
    ) -> Result<Option<String>, crate::store::StoreError>,
) -> Result<Vec<serde_json::Value>, crate::store::StoreError> {
    let mut listed = Vec::new();
    for info in records {
        if let Some(text) = report(info.iri.as_ref())? {
            let report: serde_json::Value =
                serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
            listed.push(serde_json::json!({ "record": info.iri.as_str(), "report": report }));
        }
    }
    Ok(listed)
}
