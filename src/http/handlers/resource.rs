//! Dereferenceable URIs: any GET under the base URI that names a record or a resource inside
//! one answers with its description, negotiated between RDF syntaxes and HTML.
use crate::http::extract::Path;
use crate::http::pages;
use crate::http::respond::{
    Conditional, RDF_OFFERS, accept_header, offered_types, rdf_response, split_extension,
};
use crate::http::{AppError, SharedState};
use crate::rdf::{GraphFormat, negotiate, sort_triples};
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::{IntoResponse, Response};
use oxigraph::model::{NamedNode, Triple};

/// Read one dataset
///
/// The dataset as published, with its distributions, in the syntax `Accept` asks for
/// (Turtle, RDF/XML, JSON-LD, N-Triples; browsers get the HTML page), or by extension
/// (`/datasets/{id}.ttl`). The `ETag` is what `If-Match` of a `PUT` or `DELETE` takes.
#[utoipa::path(get, path = "/datasets/{id}", tag = "linked data",
    params(("id" = String, Path, description = "The dataset's id (last segment of its IRI)")),
    responses(
        (status = 200, description = "The dataset", content(("text/turtle"), ("application/rdf+xml"), ("application/ld+json"), ("application/n-triples"), ("text/html"))),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such dataset", body = crate::http::openapi::ErrorBody),
        (status = 406, description = "No acceptable syntax", body = crate::http::openapi::ErrorBody),
        (status = 410, description = "The dataset was deleted", body = crate::http::openapi::ErrorBody),
    ))]
pub async fn read_dataset(
    state: State<SharedState>,
    _id: Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    dereference(state, Method::GET, uri, headers).await
}

/// Read one data service
///
/// As `GET /datasets/{id}`, for a `dcat:DataService`.
#[utoipa::path(get, path = "/dataservices/{id}", tag = "linked data",
    params(("id" = String, Path, description = "The data service's id")),
    responses(
        (status = 200, description = "The data service", content(("text/turtle"), ("application/rdf+xml"), ("application/ld+json"), ("application/n-triples"), ("text/html"))),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such data service", body = crate::http::openapi::ErrorBody),
        (status = 406, description = "No acceptable syntax", body = crate::http::openapi::ErrorBody),
        (status = 410, description = "The data service was deleted", body = crate::http::openapi::ErrorBody),
    ))]
pub async fn read_dataservice(
    state: State<SharedState>,
    _id: Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    dereference(state, Method::GET, uri, headers).await
}

/// Read an organisation's catalogue
///
/// The organisation's `dcat:Catalog` with its records, as a harvester following
/// `dcterms:hasPart` from the site catalogue reads it.
#[utoipa::path(get, path = "/organisations/{key}/catalog", tag = "linked data",
    params(("key" = String, Path, description = "Organisation number or publisher slug")),
    responses(
        (status = 200, description = "The catalogue", content(("text/turtle"), ("application/rdf+xml"), ("application/ld+json"), ("application/n-triples"), ("text/html"))),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No publisher with this key", body = crate::http::openapi::ErrorBody),
        (status = 406, description = "No acceptable syntax", body = crate::http::openapi::ErrorBody),
    ))]
pub async fn read_organisation_catalog(
    state: State<SharedState>,
    _key: Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    dereference(state, Method::GET, uri, headers).await
}

#[derive(Clone, Copy, PartialEq)]
enum View {
    Rdf(GraphFormat),
    /// The page, in a language (`sv` or `en`).
    Html(&'static str),
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
    offers.insert(1, ("text/html", View::Html("sv")));
    offers.push(("application/xhtml+xml", View::Html("sv")));
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
                let view = match choose_view(&headers, extension.as_deref())? {
                    View::Html(_) => {
                        View::Html(pages::record::page_language(uri.query(), &headers))
                    }
                    rdf => rdf,
                };
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
        if iri == state.feeds.catalog_iri() {
            let triples = state.feeds.site_description()?;
            return Ok(Some(Found { iri, triples }));
        }
        if let Some(triples) = state.feeds.org_catalog_resource(&iri)? {
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

fn respond(
    state: &SharedState,
    mut found: Found,
    view: View,
    headers: &HeaderMap,
) -> Result<Response, AppError> {
    sort_triples(&mut found.triples);
    let format_name = match view {
        View::Rdf(f) => f.extension(),
        View::Html(lang) => lang,
    };
    let hash = crate::rdf::canonical_hash(&found.triples);
    let validators = Conditional::new(&[&hash, format_name], None);
    if validators.is_fresh(headers) {
        return Ok(validators.not_modified());
    }
    let mut response = match view {
        View::Rdf(format) => rdf_response(&found.triples, format, Some(&validators))?,
        View::Html(lang) => {
            let mut response =
                pages::resource_page(state, &found.iri, &found.triples, lang)?.into_response();
            validators.apply(response.headers_mut());
            response
        }
    };
    // One IRI answers RDF by `Accept` and its page by `Accept-Language`: caches key on both.
    response.headers_mut().insert(
        axum::http::header::VARY,
        axum::http::HeaderValue::from_static("Accept, Accept-Language"),
    );
    Ok(response)
}
