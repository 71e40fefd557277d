//! Dereferenceable URIs: any GET under the base URI that names a record or a resource inside
//! one answers with its description, negotiated between RDF syntaxes and HTML.
use super::pages;
use super::respond::{RDF_OFFERS, accept_header, offered_types, split_extension};
use super::{AppError, Conditional, SharedState, rdf_response};
use crate::rdf::{GraphFormat, negotiate, sort_triples};
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::{IntoResponse, Response};
use oxigraph::model::{NamedNode, Triple};

#[derive(Clone, Copy, PartialEq)]
enum View {
    Rdf(GraphFormat),
    Html,
}

fn choose_view(headers: &HeaderMap, extension: Option<&str>) -> Result<View, AppError> {
    if let Some(ext) = extension {
        return GraphFormat::from_extension(ext)
            .map(View::Rdf)
            .ok_or(AppError::NotFound);
    }
    let mut offers: Vec<(&str, View)> = RDF_OFFERS
        .iter()
        .take(4)
        .map(|(m, f)| (*m, View::Rdf(*f)))
        .collect();
    offers.insert(1, ("text/html", View::Html));
    offers.push(("application/xhtml+xml", View::Html));
    negotiate(accept_header(headers), &offers).ok_or_else(|| {
        let mut types = offered_types();
        types.push("text/html");
        AppError::NotAcceptable(types)
    })
}

pub async fn dereference(
    State(state): State<SharedState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    if method != Method::GET && method != Method::HEAD {
        return Err(AppError::MethodNotAllowed(format!(
            "{method} is not allowed here"
        )));
    }
    let path = uri.path().to_owned();
    let (stem, extension) = split_extension(&path);
    let mut candidates = vec![(path.clone(), None)];
    if extension.is_some() {
        candidates.push((stem.to_owned(), extension.map(str::to_owned)));
    }
    for (candidate, extension) in candidates {
        for iri in iri_forms(&state.config.iri_for_path(&candidate)) {
            if let Some(found) = lookup(&state, iri).await? {
                let view = choose_view(&headers, extension.as_deref())?;
                return respond(&state, found, view, &headers);
            }
        }
    }
    Err(AppError::NotFound)
}

/// The IRI as written in the request and, if different, percent-decoded (IRIs may hold
/// non-ASCII letters such as `förskolor`, which arrive encoded).
fn iri_forms(raw: &str) -> Vec<NamedNode> {
    let decoded = percent_encoding::percent_decode_str(raw)
        .decode_utf8_lossy()
        .into_owned();
    let mut forms: Vec<NamedNode> = NamedNode::new(raw).into_iter().collect();
    if decoded != raw {
        forms.extend(NamedNode::new(decoded));
    }
    forms
}

struct Found {
    iri: NamedNode,
    triples: Vec<Triple>,
}

async fn lookup(state: &SharedState, iri: NamedNode) -> Result<Option<Found>, AppError> {
    let state = state.clone();
    tokio::task::spawn_blocking(move || {
        let catalogue = &state.catalogue;
        if iri.as_str() == state.config.catalog_iri() {
            let triples = crate::feeds::site_description(&state)?;
            return Ok(Some(Found { iri, triples }));
        }
        if let Some(triples) = organisation_catalog(&state, &iri)? {
            return Ok(Some(Found { iri, triples }));
        }
        if let Some(triples) = catalogue.record(iri.as_ref())? {
            return Ok(Some(Found { iri, triples }));
        }
        let triples = catalogue.describe(iri.as_ref())?;
        if !triples.is_empty() {
            return Ok(Some(Found { iri, triples }));
        }
        if catalogue.is_deleted(iri.as_ref())? {
            return Err(AppError::Gone);
        }
        Ok(None)
    })
    .await?
}

/// `{base}organisations/{key}/catalog`: the generated catalogue of one organisation with its
/// records, so a harvester following `dcterms:hasPart` gets the whole sub-catalogue.
fn organisation_catalog(
    state: &SharedState,
    iri: &NamedNode,
) -> Result<Option<Vec<Triple>>, AppError> {
    let Some(key) = iri
        .as_str()
        .strip_prefix(&format!("{}organisations/", state.config.base_uri))
        .and_then(|rest| rest.strip_suffix("/catalog"))
    else {
        return Ok(None);
    };
    let index = state.catalogue.index()?;
    let Some(publisher) = crate::feeds::organisations::publisher_for_key(&index, key) else {
        return Ok(None);
    };
    let publisher = publisher.clone();
    let mut document = crate::feeds::org_document(state, index, &publisher)?;
    let mut triples = std::mem::take(&mut document.header);
    triples.extend(document.link_triples(0));
    for member in document.members() {
        triples.extend(
            state
                .catalogue
                .record(member.iri.as_ref())?
                .unwrap_or_default(),
        );
    }
    triples.dedup();
    Ok(Some(triples))
}

fn respond(
    state: &SharedState,
    mut found: Found,
    view: View,
    headers: &HeaderMap,
) -> Result<Response, AppError> {
    sort_triples(&mut found.triples);
    let format_name = match view {
        View::Rdf(f) => f.extension(),
        View::Html => "html",
    };
    let hash = crate::rdf::canonical_hash(&found.triples);
    let validators = Conditional::new(&[&hash, format_name], None);
    if validators.is_fresh(headers) {
        return Ok(validators.not_modified());
    }
    match view {
        View::Rdf(format) => rdf_response(&found.triples, format, Some(&validators)),
        View::Html => {
            let mut response =
                pages::resource_page(state, &found.iri, &found.triples)?.into_response();
            validators.apply(response.headers_mut());
            response.headers_mut().insert(
                axum::http::header::VARY,
                axum::http::HeaderValue::from_static("Accept"),
            );
            Ok(response)
        }
    }
}

/// Every ETag a record's current state is served with (one per syntax, and HTML): what a
/// client may send back in `If-Match`.
pub fn record_etags(triples: &[Triple]) -> Vec<String> {
    let mut triples = triples.to_vec();
    sort_triples(&mut triples);
    let hash = crate::rdf::canonical_hash(&triples);
    GraphFormat::ALL
        .iter()
        .map(|f| f.extension())
        .chain(["html"])
        .map(|ext| Conditional::new(&[&hash, ext], None).etag)
        .collect()
}
