//! The unpaged catalogue documents dataportal.se harvests: `/datasets/dcat` for the whole
//! site and `/organisations/{key}/datasets/dcat` for one organisation. RDF/XML by default,
//! streamed record by record, byte-stable for unchanged data.
use super::organisations::{org_catalog_description, org_catalog_iri, publisher_for_key};
use super::render::write_document_in;
use super::site_description;
use super::stream::stream_body;
use crate::rdf::GraphFormat;
use crate::rdf::ns::dcterms;
use crate::store::{RecordIndex, RecordInfo, RecordKind};
use crate::web::respond::choose_format;
use crate::web::{AppError, AppState, Conditional, SharedState};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
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
pub fn site_document(state: &AppState, index: Arc<RecordIndex>) -> Result<Document, AppError> {
    let site = NamedNode::new_unchecked(state.config.catalog_iri());
    let base = &state.config.base_uri;
    let mut header = site_description(state)?;
    let mut links = vec![(site.clone(), None)];
    let publishers = index.publishers();
    if publishers.len() > 1 {
        for publisher in publishers {
            let org = org_catalog_iri(base, publisher);
            header.push(Triple::new(site.clone(), dcterms::HAS_PART, org.clone()));
            header.extend(org_catalog_description(
                &state.catalogue,
                &index,
                base,
                publisher,
            )?);
            links.push((org, Some(publisher.clone())));
        }
    }
    header.extend(other_catalogues(state, &index, &site, true)?);
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
    state: &AppState,
    index: &RecordIndex,
    site: &NamedNode,
    described: bool,
) -> Result<Vec<Triple>, AppError> {
    let mut out = Vec::new();
    // Organisations' own catalogue descriptions are parts through their publisher.
    let organisations = format!("{}organisations/", state.config.base_uri);
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
                state
                    .catalogue
                    .record(other.iri.as_ref())?
                    .unwrap_or_default(),
            );
        }
    }
    Ok(out)
}

/// One organisation's document.
pub fn org_document(
    state: &AppState,
    index: Arc<RecordIndex>,
    publisher: &NamedNode,
) -> Result<Document, AppError> {
    let base = &state.config.base_uri;
    let org = org_catalog_iri(base, publisher);
    let header = org_catalog_description(&state.catalogue, &index, base, publisher)?;
    Ok(Document {
        header,
        links: vec![(org, Some(publisher.clone()))],
        publisher: Some(publisher.clone()),
        index,
    })
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
    /// `?profile=dcat-ap`, or `Accept-Profile: <http://data.europa.eu/r5r/>` (W3C content
    /// negotiation by profile).
    pub fn requested(query: Option<&str>, headers: &HeaderMap) -> Self {
        let by_query = query.is_some_and(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .any(|(k, v)| k == "profile" && (v == "dcat-ap" || v == DCAT_AP_PROFILE))
        });
        let by_header = headers
            .get("accept-profile")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains(DCAT_AP_PROFILE));
        if by_query || by_header {
            Self::European
        } else {
            Self::Swedish
        }
    }
}

/// Writes a document in DCAT-AP-SE.
pub fn write_document(
    state: &AppState,
    document: Document,
    format: GraphFormat,
    writer: &mut impl std::io::Write,
) -> std::io::Result<()> {
    write_document_in(state, document, format, Profile::Swedish, writer)
}

/// dataportal.se reads RDF/XML and sends no useful Accept header: RDF/XML unless asked.
fn harvest_format(headers: &HeaderMap) -> Result<GraphFormat, AppError> {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if accept.is_empty() || accept.trim() == "*/*" {
        return Ok(GraphFormat::RdfXml);
    }
    choose_format(headers, None)
}

fn respond(
    state: SharedState,
    headers: &HeaderMap,
    profile: Profile,
    key: &str,
    build: DocumentBuilder,
) -> Result<Response, AppError> {
    let format = harvest_format(headers)?;
    if profile == Profile::European && state.eu.is_none() {
        return Err(AppError::Unavailable(
            "the EU mapping (vocab/) is not loaded on this server".into(),
        ));
    }
    let index = state.catalogue.index()?;
    let profile_key = format!("{profile:?}");
    let validators = Conditional::new(
        &[
            &index.last_change.map(|t| t.to_string()).unwrap_or_default(),
            format.extension(),
            key,
            &profile_key,
        ],
        index.last_change,
    );
    if validators.is_fresh(headers) {
        return Ok(validators.not_modified());
    }
    let document = build(&state, index)?;
    let body =
        stream_body(move |writer| write_document_in(&state, document, format, profile, writer));
    let mut response = ([(header::CONTENT_TYPE, format.content_type())], body).into_response();
    validators.apply(response.headers_mut());
    let headers = response.headers_mut();
    headers.insert(
        header::VARY,
        HeaderValue::from_static("Accept, Accept-Profile, Accept-Encoding"),
    );
    if profile == Profile::European {
        headers.insert(
            "content-profile",
            HeaderValue::from_static("<http://data.europa.eu/r5r/>"),
        );
    }
    Ok(response)
}

type DocumentBuilder =
    Box<dyn FnOnce(&AppState, Arc<RecordIndex>) -> Result<Document, AppError> + Send>;

/// The whole catalogue for harvesters (dataportal.se)
///
/// Unpaged and streamed, RDF/XML by default; `?profile=dcat-ap` or
/// `Accept-Profile: <http://data.europa.eu/r5r/>` gives the EU DCAT-AP export for
/// data.europa.eu. Organisations are linked as sub-catalogues with `dcterms:hasPart`.
#[utoipa::path(get, path = "/datasets/dcat", tag = "feeds",
    params(("profile" = Option<String>, Query, description = "`dcat-ap` for the EU profile")),
    responses(
        (status = 200, description = "The catalogue", content(("application/rdf+xml"), ("text/turtle"), ("application/ld+json"), ("application/n-triples"))),
        (status = 304, description = "Not modified"),
        (status = 406, description = "No acceptable syntax", body = crate::api::ErrorBody),
    ))]
pub async fn site(
    State(state): State<SharedState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let profile = Profile::requested(query.as_deref(), &headers);
    let run = move || respond(state, &headers, profile, "site", Box::new(site_document));
    tokio::task::spawn_blocking(run).await?
}

/// One organisation's catalogue for harvesters
///
/// As `/datasets/dcat`, with only the records one publisher publishes; `key` is the ten-digit
/// organisation number of a dataportal.se publisher IRI, or a slug for other publishers.
#[utoipa::path(get, path = "/organisations/{key}/datasets/dcat", tag = "feeds",
    params(("key" = String, Path, description = "Organisation number or publisher slug"),
        ("profile" = Option<String>, Query, description = "`dcat-ap` for the EU profile")),
    responses(
        (status = 200, description = "The organisation's catalogue", content(("application/rdf+xml"), ("text/turtle"), ("application/ld+json"), ("application/n-triples"))),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No publisher with this key", body = crate::api::ErrorBody),
        (status = 406, description = "No acceptable syntax", body = crate::api::ErrorBody),
    ))]
pub async fn organisation(
    State(state): State<SharedState>,
    Path(key): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let profile = Profile::requested(query.as_deref(), &headers);
    let run = move || {
        let index = state.catalogue.index()?;
        let publisher = publisher_for_key(&index, &key)
            .cloned()
            .ok_or(AppError::NotFound)?;
        let build: DocumentBuilder = Box::new(move |s, i| org_document(s, i, &publisher));
        respond(state, &headers, profile, &format!("org {key}"), build)
    };
    tokio::task::spawn_blocking(run).await?
}
