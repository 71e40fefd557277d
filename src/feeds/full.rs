//! The unpaged catalogue documents dataportal.se harvests: `/datasets/dcat` for the whole
//! site and `/organisations/{key}/datasets/dcat` for one organisation. RDF/XML by default,
//! streamed record by record, byte-stable for unchanged data.
use super::organisations::{org_catalog_description, org_catalog_iri, publisher_for_key};
use super::site_description;
use super::stream::stream_body;
use crate::rdf::ns::dcterms;
use crate::rdf::{GraphFormat, PREFIXES, sort_triples};
use crate::store::{RecordIndex, RecordInfo, RecordKind};
use crate::web::respond::choose_format;
use crate::web::{AppError, AppState, Conditional, SharedState};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use oxigraph::io::RdfSerializer;
use oxigraph::model::{NamedNode, Triple};
use std::sync::Arc;

/// What one document holds: catalogue descriptions and links, then the member records.
pub struct Document {
    pub header: Vec<Triple>,
    pub members: Vec<NamedNode>,
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
pub fn site_document(state: &AppState, index: &RecordIndex) -> Result<Document, AppError> {
    let site = NamedNode::new_unchecked(state.config.catalog_iri());
    let base = &state.config.base_uri;
    let mut header = site_description(state)?;
    let publishers = index.publishers();
    let split_by_org = publishers.len() > 1;
    if split_by_org {
        for publisher in &publishers {
            let org = org_catalog_iri(base, publisher);
            header.push(Triple::new(site.clone(), dcterms::HAS_PART, org.clone()));
            header.extend(org_catalog_description(
                &state.catalogue,
                index,
                base,
                publisher,
            )?);
        }
    }
    for member in index.members() {
        header.extend(link(&site, member));
        if let (Some(p), true) = (&member.publisher, split_by_org) {
            header.extend(link(&org_catalog_iri(base, p), member));
        }
    }
    header.extend(other_catalogues(state, index, &site, true)?);
    Ok(Document {
        header,
        members: index.members().map(|m| m.iri.clone()).collect(),
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
    index: &RecordIndex,
    publisher: &NamedNode,
) -> Result<Document, AppError> {
    let base = &state.config.base_uri;
    let org = org_catalog_iri(base, publisher);
    let mut header = org_catalog_description(&state.catalogue, index, base, publisher)?;
    let members: Vec<&RecordInfo> = index
        .members()
        .filter(|m| m.publisher.as_ref() == Some(publisher))
        .collect();
    header.extend(members.iter().filter_map(|m| link(&org, m)));
    Ok(Document {
        header,
        members: members.iter().map(|m| m.iri.clone()).collect(),
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

fn in_profile(state: &AppState, profile: Profile, triples: Vec<Triple>) -> Vec<Triple> {
    match (profile, &state.eu) {
        (Profile::European, Some(mapping)) => super::eu::to_dcat_ap(&triples, mapping),
        _ => triples,
    }
}

/// Writes a document: header first, then each record's sorted triples.
pub fn write_document(
    state: &AppState,
    document: Document,
    format: GraphFormat,
    writer: &mut impl std::io::Write,
) -> std::io::Result<()> {
    write_document_in(state, document, format, Profile::Swedish, writer)
}

/// Writes a document in a profile; the EU mapping is applied record by record, so the
/// document still streams.
pub fn write_document_in(
    state: &AppState,
    mut document: Document,
    format: GraphFormat,
    profile: Profile,
    writer: &mut impl std::io::Write,
) -> std::io::Result<()> {
    let mut serializer = RdfSerializer::from_format(format.rdf_format());
    if format != GraphFormat::NTriples {
        for (prefix, iri) in PREFIXES {
            serializer = serializer.with_prefix(*prefix, *iri).expect("valid prefix");
        }
    }
    let mut out = serializer.for_writer(writer);
    document.header = in_profile(state, profile, std::mem::take(&mut document.header));
    sort_triples(&mut document.header);
    document.header.dedup();
    for t in &document.header {
        out.serialize_triple(t)?;
    }
    for member in &document.members {
        let triples = state
            .catalogue
            .record(member.as_ref())
            .map_err(std::io::Error::other)?
            .unwrap_or_default();
        // Stored order (the store's graph index: grouped by subject, fixed for unchanged
        // data) is already byte-stable; sorting 10 000 records by text costs more than the
        // serialisation itself.
        let mut triples = in_profile(state, profile, triples);
        if profile == Profile::European {
            sort_triples(&mut triples);
            triples.dedup();
        }
        for t in &triples {
            out.serialize_triple(t)?;
        }
    }
    out.finish()?;
    Ok(())
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
    let document = build(&state, &index)?;
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
    Box<dyn FnOnce(&AppState, &Arc<RecordIndex>) -> Result<Document, AppError> + Send>;

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
    let run = move || {
        respond(
            state,
            &headers,
            profile,
            "site",
            Box::new(|s, i| site_document(s, i)),
        )
    };
    tokio::task::spawn_blocking(run)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
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
    tokio::task::spawn_blocking(run)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
}
