//! One page of the catalogue feed: the catalogue description, its member records and Hydra
//! paging controls.
use super::{FeedError, Feeds};
use crate::rdf::ns::{dcat, dcterms, hydra, rdf, xsd};
use crate::rdf::sort_triples;
use crate::store::{RecordIndex, RecordInfo};
use oxigraph::model::{Literal, NamedNode, Triple};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::organisations::CC0;

#[derive(Debug, Clone)]
pub struct PageRequest {
    pub page: usize,
    /// None: everything on one page, without paging controls.
    pub page_size: Option<usize>,
    pub modified_since: Option<OffsetDateTime>,
    modified_since_text: Option<String>,
}

impl PageRequest {
    pub fn everything() -> Self {
        Self {
            page: 1,
            page_size: None,
            modified_since: None,
            modified_since_text: None,
        }
    }

    /// A page from the request's `page`, `pageSize` (at most `max_size`; `default_size`
    /// when absent) and `modified_since`.
    pub fn from_params(
        page: Option<&str>,
        page_size: Option<&str>,
        modified_since: Option<&str>,
        (default_size, max_size): (usize, usize),
    ) -> Result<Self, FeedError> {
        let number = parse_positive(page, "page")?.unwrap_or(1);
        let size = parse_positive(page_size, "pageSize")?
            .unwrap_or(default_size)
            .min(max_size);
        Ok(Self {
            page: number,
            page_size: Some(size),
            modified_since: modified_since.map(parse_since).transpose()?,
            modified_since_text: modified_since.map(str::to_owned),
        })
    }

    pub fn cache_key(&self) -> String {
        format!(
            "{}|{:?}|{:?}",
            self.page, self.page_size, self.modified_since_text
        )
    }

    /// The URL of another page of the same listing.
    fn url(&self, catalog: &str, page: usize) -> NamedNode {
        let mut url = format!("{catalog}?page={page}");
        if let Some(size) = self.page_size {
            url.push_str(&format!("&pageSize={size}"));
        }
        if let Some(since) = &self.modified_since_text {
            let encoded: String = url::form_urlencoded::byte_serialize(since.as_bytes()).collect();
            url.push_str(&format!("&modified_since={encoded}"));
        }
        NamedNode::new_unchecked(url)
    }
}

fn parse_positive(value: Option<&str>, name: &str) -> Result<Option<usize>, FeedError> {
    value
        .map(|v| match v.parse::<usize>() {
            Ok(n) if n >= 1 => Ok(n),
            _ => Err(FeedError::BadParameter(format!(
                "{name} must be a whole number from 1, not {v:?}"
            ))),
        })
        .transpose()
}

/// Accepts a date (`2024-05-01`) or a date-time with offset (`2024-05-01T12:00:00Z`).
fn parse_since(value: &str) -> Result<OffsetDateTime, FeedError> {
    if let Ok(t) = OffsetDateTime::parse(value, &Rfc3339) {
        return Ok(t);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(value, &format)
        .map(|d| d.midnight().assume_utc())
        .map_err(|_| {
            FeedError::BadParameter(format!(
                "modified_since must be an ISO 8601 date or date-time, not {value:?}"
            ))
        })
}

pub struct CatalogPage {
    pub triples: Vec<Triple>,
    pub total: usize,
}

/// The site catalogue's own description: the stored catalogue record at `{base}catalog`, or
/// a minimal valid one until the site administrator writes it. When all records share one
/// publisher (one body running katalog for itself), that is the catalogue's publisher too.
impl Feeds {
    pub fn site_description(&self) -> Result<Vec<Triple>, FeedError> {
        let iri = self.catalog_iri();
        if let Some(triples) = self.catalogue.record(iri.as_ref())? {
            return Ok(triples);
        }
        let lit = |v: &str, lang: &str| Literal::new_language_tagged_literal_unchecked(v, lang);
        let index = self.catalogue.index()?;
        let mut triples = vec![
            Triple::new(iri.clone(), rdf::TYPE, dcat::CATALOG),
            Triple::new(iri.clone(), dcterms::TITLE, lit("Katalog", "sv")),
            Triple::new(iri.clone(), dcterms::TITLE, lit("Catalogue", "en")),
            Triple::new(iri.clone(), dcterms::DESCRIPTION, lit("Öppna data.", "sv")),
            Triple::new(iri.clone(), dcterms::DESCRIPTION, lit("Open data.", "en")),
            Triple::new(iri.clone(), dcterms::LICENSE, NamedNode::new_unchecked(CC0)),
        ];
        if let Some(publisher) = sole_publisher(&index) {
            triples.push(Triple::new(iri, dcterms::PUBLISHER, publisher.clone()));
            triples.extend(super::organisations::publisher_triples(
                &self.catalogue,
                &index,
                publisher,
            )?);
        }
        Ok(triples)
    }

    /// One page of the catalogue (`request`), with paging controls when it is paged.
    pub fn page(
        &self,
        index: &RecordIndex,
        request: &PageRequest,
    ) -> Result<CatalogPage, FeedError> {
        let catalog = self.catalog_iri();
        let members: Vec<&RecordInfo> = index
            .members()
            .filter(|r| {
                request
                    .modified_since
                    .is_none_or(|since| r.modified >= since)
            })
            .collect();
        let total = members.len();
        let (start, end, last_page) = match request.page_size {
            Some(size) => {
                let last = total.div_ceil(size).max(1);
                if request.page > last {
                    return Err(FeedError::NoSuchPage);
                }
                let start = (request.page - 1) * size;
                (start, (start + size).min(total), last)
            }
            None => (0, total, 1),
        };
        let mut triples = self.site_description()?;
        for info in &members[start..end] {
            if let Some(link) = info.kind.catalog_link() {
                triples.push(Triple::new(catalog.clone(), link, info.iri.clone()));
            }
            triples.extend(
                self.catalogue
                    .record(info.iri.as_ref())?
                    .unwrap_or_default(),
            );
        }
        triples.extend(self.other_catalogues(index, &catalog, request.page == 1)?);
        sort_triples(&mut triples);
        triples.dedup();
        if request.page_size.is_some() {
            triples.extend(paging_controls(&catalog, request, total, last_page));
        }
        Ok(CatalogPage { triples, total })
    }
}

/// The one publisher of every listed record, if there is exactly one.
fn sole_publisher(index: &crate::store::RecordIndex) -> Option<&NamedNode> {
    let mut publishers = index.members().map(|r| r.publisher.as_ref());
    let first = publishers.next()??;
    publishers.all(|p| p == Some(first)).then_some(first)
}

fn paging_controls(
    catalog: &NamedNode,
    request: &PageRequest,
    total: usize,
    last: usize,
) -> Vec<Triple> {
    let view = request.url(catalog.as_str(), request.page);
    let mut out = vec![
        Triple::new(catalog.clone(), hydra::VIEW, view.clone()),
        Triple::new(
            catalog.clone(),
            hydra::TOTAL_ITEMS,
            Literal::new_typed_literal(total.to_string(), xsd::INTEGER),
        ),
        Triple::new(view.clone(), rdf::TYPE, hydra::PARTIAL_COLLECTION_VIEW),
        Triple::new(view.clone(), hydra::FIRST, request.url(catalog.as_str(), 1)),
        Triple::new(
            view.clone(),
            hydra::LAST,
            request.url(catalog.as_str(), last),
        ),
    ];
    if request.page > 1 {
        out.push(Triple::new(
            view.clone(),
            hydra::PREVIOUS,
            request.url(catalog.as_str(), request.page - 1),
        ));
    }
    if request.page < last {
        out.push(Triple::new(
            view,
            hydra::NEXT,
            request.url(catalog.as_str(), request.page + 1),
        ));
    }
    out
}
