//! The unpaged harvest documents: the whole site (`/datasets/dcat`) and one organisation
//! (`/organisations/{key}/datasets/dcat`), as what they hold; [`super::render`] writes them.
use super::organisations::{org_catalog_description, org_catalog_iri, publisher_for_key};
use super::{FeedError, Feeds};
use crate::rdf::ns::dcterms;
use crate::store::{RecordIndex, RecordInfo, RecordKind};
use oxigraph::model::{NamedNode, Triple};
use std::sync::Arc;

/// What one document holds: catalogue descriptions, the catalogues' links to their
/// members, then the member records (links and members are read from the index as they are
/// written, never collected).
pub struct Document {
    pub header: Vec<Triple>,
    /// Each catalogue, with the publisher whose records it links (None: every member).
    pub links: Vec<(NamedNode, Option<NamedNode>)>,
    /// The publisher whose records the document holds (None: every member).
    pub publisher: Option<NamedNode>,
    pub index: Arc<RecordIndex>,
}

impl Document {
    pub fn members(&self) -> impl Iterator<Item = &RecordInfo> {
        members_of(&self.index, &self.publisher)
    }

    /// The link triples of the `i`th catalogue of `links`.
    pub fn link_triples(&self, i: usize) -> impl Iterator<Item = Triple> + '_ {
        let (catalog, publisher) = &self.links[i];
        members_of(&self.index, publisher).filter_map(move |m| link(catalog, m))
    }
}

fn members_of<'a>(
    index: &'a RecordIndex,
    publisher: &'a Option<NamedNode>,
) -> impl Iterator<Item = &'a RecordInfo> {
    index
        .members()
        .filter(move |m| publisher.is_none() || m.publisher == *publisher)
}

fn link(catalog: &NamedNode, member: &RecordInfo) -> Option<Triple> {
    member
        .kind
        .catalog_link()
        .map(|p| Triple::new(catalog.clone(), p, member.iri.clone()))
}

/// The site document. With several publishers each organisation also has a sub-catalogue
/// (`dcterms:hasPart`) listing its own records; the site catalogue still lists every record,
/// since DCAT-AP-SE requires a catalogue to have datasets.
impl Feeds {
    pub fn site_document(&self, index: Arc<RecordIndex>) -> Result<Document, FeedError> {
        let site = self.catalog_iri();
        let base = &self.base_uri;
        let mut header = self.site_description()?;
        let mut links = vec![(site.clone(), None)];
        let publishers = index.publishers();
        if publishers.len() > 1 {
            for publisher in publishers {
                let org = org_catalog_iri(base, publisher);
                header.push(Triple::new(site.clone(), dcterms::HAS_PART, org.clone()));
                header.extend(org_catalog_description(
                    &self.catalogue,
                    &index,
                    base,
                    publisher,
                )?);
                links.push((org, Some(publisher.clone())));
            }
        }
        header.extend(self.other_catalogues(&index, &site, true)?);
        Ok(Document {
            header,
            links,
            publisher: None,
            index,
        })
    }

    /// Other stored catalogues (harvested ones, say) are parts of the site catalogue: the
    /// `dcterms:hasPart` links, and with `described` their descriptions too.
    pub fn other_catalogues(
        &self,
        index: &RecordIndex,
        site: &NamedNode,
        described: bool,
    ) -> Result<Vec<Triple>, FeedError> {
        let mut out = Vec::new();
        // Organisations' own catalogue descriptions are parts through their publisher.
        let organisations = format!("{}organisations/", self.base_uri);
        for other in index.records.iter().filter(|r| {
            r.kind == RecordKind::Catalog
                && r.iri != *site
                && !r.iri.as_str().starts_with(&organisations)
        }) {
            out.push(Triple::new(
                site.clone(),
                dcterms::HAS_PART,
                other.iri.clone(),
            ));
            if described {
                out.extend(
                    self.catalogue
                        .record(other.iri.as_ref())?
                        .unwrap_or_default(),
                );
            }
        }
        Ok(out)
    }

    /// One organisation's document.
    pub fn org_document(
        &self,
        index: Arc<RecordIndex>,
        publisher: &NamedNode,
    ) -> Result<Document, FeedError> {
        let base = &self.base_uri;
        let org = org_catalog_iri(base, publisher);
        let header = org_catalog_description(&self.catalogue, &index, base, publisher)?;
        Ok(Document {
            header,
            links: vec![(org, Some(publisher.clone()))],
            publisher: Some(publisher.clone()),
            index,
        })
    }

    /// The document of the organisation whose key (organisation number or slug) is `key`.
    pub fn org_document_for_key(
        &self,
        index: Arc<RecordIndex>,
        key: &str,
    ) -> Result<Document, FeedError> {
        let publisher = publisher_for_key(&index, key)
            .cloned()
            .ok_or(FeedError::NoSuchOrganisation)?;
        self.org_document(index, &publisher)
    }

    /// `{base}organisations/{key}/catalog` as a resource: the generated catalogue of one
    /// organisation with its records, so a harvester following `dcterms:hasPart` gets the
    /// whole sub-catalogue. None when `iri` is no organisation's catalogue.
    pub fn org_catalog_resource(&self, iri: &NamedNode) -> Result<Option<Vec<Triple>>, FeedError> {
        let Some(key) = iri
            .as_str()
            .strip_prefix(&format!("{}organisations/", self.base_uri))
            .and_then(|rest| rest.strip_suffix("/catalog"))
        else {
            return Ok(None);
        };
        let index = self.catalogue.index()?;
        let mut document = match self.org_document_for_key(index, key) {
            Ok(document) => document,
            Err(FeedError::NoSuchOrganisation) => return Ok(None),
            Err(e) => return Err(e),
        };
        let mut triples = std::mem::take(&mut document.header);
        triples.extend(document.link_triples(0));
        for member in document.members() {
            triples.extend(
                self.catalogue
                    .record(member.iri.as_ref())?
                    .unwrap_or_default(),
            );
        }
        triples.dedup();
        Ok(Some(triples))
    }
}

/// Which application profile a document is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    /// DCAT-AP-SE 3.0.1, as stored: what dataportal.se harvests.
    Swedish,
    /// EU DCAT-AP 3.0.1, for data.europa.eu (mapping from `vocab/`).
    European,
}

/// The profile IRI of DCAT-AP (its namespace), as used with `Accept-Profile`.
pub const DCAT_AP_PROFILE: &str = "http://data.europa.eu/r5r/";

impl Profile {
    /// `?profile=dcat-ap` in the query string, or `Accept-Profile:
    /// <http://data.europa.eu/r5r/>` (W3C content negotiation by profile).
    pub fn requested(query: Option<&str>, accept_profile: Option<&str>) -> Self {
        let by_query = query.is_some_and(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .any(|(k, v)| k == "profile" && (v == "dcat-ap" || v == DCAT_AP_PROFILE))
        });
        let by_header = accept_profile.is_some_and(|v| v.contains(DCAT_AP_PROFILE));
        if by_query || by_header {
            Self::European
        } else {
            Self::Swedish
        }
    }
}
