//! The publishing API: create, replace and delete records, each call one run of the ingest
//! service (`publish::ingest`).
use crate::accounts::Principal;
use crate::http::extract::{Caller, Path};
use crate::http::openapi::{WriteSummary, WrittenRecord};
use crate::http::respond::{accept_header, content_type};
use crate::http::{AppError, AppState, ReportSyntax, SharedState};
use crate::publish::{
    Accepts, Ingested, Precondition, Submission, body_format, delete_record, ingest, parse_body,
};
use crate::store::{Change, RecordKind};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use oxigraph::model::NamedNode;

/// The syntax of a validation report: JSON when the client's `Accept` asks for it.
pub fn report_syntax(headers: &HeaderMap) -> ReportSyntax {
    match accept_header(headers).is_some_and(|a| a.contains("json")) {
        true => ReportSyntax::Json,
        false => ReportSyntax::Turtle,
    }
}

/// `If-Match` / `If-None-Match` of a request.
pub fn precondition(headers: &HeaderMap) -> Precondition {
    let value = |name| headers.get(name).and_then(|v| v.to_str().ok());
    Precondition::from_values(value(header::IF_MATCH), value(header::IF_NONE_MATCH))
}

/// Parses the request body and hands it to the ingest service; a failure becomes HTTP here,
/// with the report in JSON when the client's `Accept` asks for it.
async fn ingest_request(
    state: &AppState,
    principal: &Principal,
    headers: &HeaderMap,
    body: Bytes,
    only: Option<&NamedNode>,
    accepts: Accepts,
) -> Result<Ingested, AppError> {
    let to_http = |e| AppError::from_publish(e, report_syntax(headers));
    let content_type = content_type(headers);
    // Relative IRIs resolve against the record's own URL for a PUT, so `<>` is the record.
    let base = only.map_or(state.config.base_uri.as_str(), NamedNode::as_str);
    let format = body_format(content_type).map_err(to_http)?;
    let triples = parse_body(body, format, base, state.config.parse_limits)
        .await
        .map_err(to_http)?;
    let submission = Submission {
        triples,
        only: only.cloned(),
        accepts,
        precondition: only.map_or(Precondition::None, |_| precondition(headers)),
    };
    ingest(&state.publishing(), Some(principal), submission)
        .await
        .map_err(to_http)
}

/// 201 when the write created the record, else 200, with the write's summary.
fn written(created: bool, ingested: &Ingested) -> Response {
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    (status, Json(summary(ingested))).into_response()
}

/// The IRI of record `id` of `kind`, e.g. `{base}datasets/{id}`.
pub(crate) fn record_iri(
    state: &AppState,
    kind: RecordKind,
    id: &str,
) -> Result<NamedNode, AppError> {
    NamedNode::new(
        state
            .config
            .iri_for_path(&format!("{}/{id}", kind.segment())),
    )
    .map_err(|e| AppError::BadRequest(format!("invalid record id: {e}")))
}

/// Create or update one or many datasets
///
/// The body (Turtle, RDF/XML, JSON-LD, N-Triples, N3 or TriG) may hold a whole catalogue:
/// it is split into records (datasets with their distributions, agents and contact points),
/// blank-node records get stable minted IRIs, every record is validated against the
/// DCAT-AP-SE shapes, and all are stored in one transaction, or none. Each record's
/// `dcterms:publisher` must be the caller's organisation.
#[utoipa::path(post, path = "/datasets", tag = "publishing",
    request_body(description = "RDF describing one or more dcat:Dataset", content((String = "text/turtle"), (String = "application/rdf+xml"), (String = "application/ld+json"), (String = "application/n-triples"))),
    responses(
        (status = 201, description = "Created: `Location` names the record when there was one", body = crate::http::openapi::WriteSummary),
        (status = 200, description = "Stored; nothing new was created", body = crate::http::openapi::WriteSummary),
        (status = 400, description = "Malformed RDF (with line and column) or no record in the body", body = crate::http::openapi::ErrorBody),
        (status = 401, description = "No or unknown token", body = crate::http::openapi::ErrorBody),
        (status = 403, description = "A record belongs to, or names as publisher, another organisation", body = crate::http::openapi::ErrorBody),
        (status = 413, description = "The body is too large", content_type = "text/plain"),
        (status = 415, description = "Unsupported Content-Type", body = crate::http::openapi::ErrorBody),
        (status = 422, description = "SHACL violations (Turtle report, or JSON by `Accept`), or a data service (post it to `/dataservices`); nothing was stored",
            content((crate::http::openapi::ErrorBody = "application/json"), (String = "text/turtle"))),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn create_datasets(
    state: State<SharedState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    create(state, caller, headers, body, Accepts::Datasets).await
}

/// Create or update one or many data services
///
/// As `POST /datasets`, for `dcat:DataService` records.
#[utoipa::path(post, path = "/dataservices", tag = "publishing",
    request_body(description = "RDF describing one or more dcat:DataService", content((String = "text/turtle"), (String = "application/rdf+xml"), (String = "application/ld+json"), (String = "application/n-triples"))),
    responses(
        (status = 201, description = "Created", body = crate::http::openapi::WriteSummary),
        (status = 200, description = "Stored; nothing new was created", body = crate::http::openapi::WriteSummary),
        (status = 400, description = "Malformed RDF or no record in the body", body = crate::http::openapi::ErrorBody),
        (status = 401, description = "No or unknown token", body = crate::http::openapi::ErrorBody),
        (status = 403, description = "Another organisation's record or publisher", body = crate::http::openapi::ErrorBody),
        (status = 413, description = "The body is too large", content_type = "text/plain"),
        (status = 415, description = "Unsupported Content-Type", body = crate::http::openapi::ErrorBody),
        (status = 422, description = "SHACL violations, or a dataset (post it to `/datasets`); nothing was stored",
            content((crate::http::openapi::ErrorBody = "application/json"), (String = "text/turtle"))),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn create_dataservices(
    state: State<SharedState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    create(state, caller, headers, body, Accepts::DataServices).await
}

/// Replace one dataset
///
/// Relative IRIs resolve against the record's URL, so `<>` is the dataset. `If-Match` with
/// an ETag from a `GET` makes the write conditional (412 when the record changed meanwhile);
/// `If-None-Match: *` only creates.
#[utoipa::path(put, path = "/datasets/{id}", tag = "publishing",
    params(("id" = String, Path, description = "The dataset's id (last segment of its IRI)"),
        ("If-Match" = Option<String>, Header, description = "ETag the change is based on"),
        ("If-None-Match" = Option<String>, Header, description = "`*`: create only")),
    request_body(description = "RDF describing exactly this dataset", content((String = "text/turtle"), (String = "application/rdf+xml"), (String = "application/ld+json"), (String = "application/n-triples"))),
    responses(
        (status = 201, description = "Created", body = crate::http::openapi::WriteSummary),
        (status = 200, description = "Replaced (or unchanged)", body = crate::http::openapi::WriteSummary),
        (status = 400, description = "Malformed RDF, an invalid id, or a body about another record", body = crate::http::openapi::ErrorBody),
        (status = 401, description = "No or unknown token", body = crate::http::openapi::ErrorBody),
        (status = 403, description = "Another organisation's record or publisher", body = crate::http::openapi::ErrorBody),
        (status = 412, description = "The record changed since the ETag given", body = crate::http::openapi::ErrorBody),
        (status = 413, description = "The body is too large", content_type = "text/plain"),
        (status = 415, description = "Unsupported Content-Type", body = crate::http::openapi::ErrorBody),
        (status = 422, description = "SHACL violations; nothing was stored",
            content((crate::http::openapi::ErrorBody = "application/json"), (String = "text/turtle"))),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn replace_dataset(
    state: State<SharedState>,
    caller: Caller,
    id: Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    replace(state, caller, id, headers, body, RecordKind::Dataset).await
}

/// Replace one data service
///
/// As `PUT /datasets/{id}`, for a `dcat:DataService`.
#[utoipa::path(put, path = "/dataservices/{id}", tag = "publishing",
    params(("id" = String, Path, description = "The data service's id"),
        ("If-Match" = Option<String>, Header, description = "ETag the change is based on"),
        ("If-None-Match" = Option<String>, Header, description = "`*`: create only")),
    request_body(description = "RDF describing exactly this data service", content((String = "text/turtle"), (String = "application/rdf+xml"), (String = "application/ld+json"), (String = "application/n-triples"))),
    responses(
        (status = 201, description = "Created", body = crate::http::openapi::WriteSummary),
        (status = 200, description = "Replaced (or unchanged)", body = crate::http::openapi::WriteSummary),
        (status = 400, description = "Malformed RDF, an invalid id, or a body about another record", body = crate::http::openapi::ErrorBody),
        (status = 401, description = "No or unknown token", body = crate::http::openapi::ErrorBody),
        (status = 403, description = "Another organisation's record or publisher", body = crate::http::openapi::ErrorBody),
        (status = 412, description = "The record changed since the ETag given", body = crate::http::openapi::ErrorBody),
        (status = 413, description = "The body is too large", content_type = "text/plain"),
        (status = 415, description = "Unsupported Content-Type", body = crate::http::openapi::ErrorBody),
        (status = 422, description = "SHACL violations; nothing was stored",
            content((crate::http::openapi::ErrorBody = "application/json"), (String = "text/turtle"))),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn replace_dataservice(
    state: State<SharedState>,
    caller: Caller,
    id: Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    replace(state, caller, id, headers, body, RecordKind::DataService).await
}

/// Delete one dataset
///
/// The dataset's IRI then answers 410 Gone, and the LDES feed records the deletion.
#[utoipa::path(delete, path = "/datasets/{id}", tag = "publishing",
    params(("id" = String, Path, description = "The dataset's id"),
        ("If-Match" = Option<String>, Header, description = "ETag the deletion is based on")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "An invalid id", body = crate::http::openapi::ErrorBody),
        (status = 401, description = "No or unknown token", body = crate::http::openapi::ErrorBody),
        (status = 403, description = "Another organisation's record", body = crate::http::openapi::ErrorBody),
        (status = 404, description = "No such record", body = crate::http::openapi::ErrorBody),
        (status = 412, description = "The record changed since the ETag given", body = crate::http::openapi::ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn delete_dataset(
    state: State<SharedState>,
    caller: Caller,
    id: Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    remove(state, caller, id, headers, RecordKind::Dataset).await
}

/// Delete one data service
#[utoipa::path(delete, path = "/dataservices/{id}", tag = "publishing",
    params(("id" = String, Path, description = "The data service's id"),
        ("If-Match" = Option<String>, Header, description = "ETag the deletion is based on")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "An invalid id", body = crate::http::openapi::ErrorBody),
        (status = 401, description = "No or unknown token", body = crate::http::openapi::ErrorBody),
        (status = 403, description = "Another organisation's record", body = crate::http::openapi::ErrorBody),
        (status = 404, description = "No such record", body = crate::http::openapi::ErrorBody),
        (status = 412, description = "The record changed since the ETag given", body = crate::http::openapi::ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn delete_dataservice(
    state: State<SharedState>,
    caller: Caller,
    id: Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    remove(state, caller, id, headers, RecordKind::DataService).await
}

/// `POST /datasets` and `POST /dataservices`: one or many records of the kinds the route
/// takes (a whole catalogue file is split).
async fn create(
    State(state): State<SharedState>,
    Caller(principal): Caller,
    headers: HeaderMap,
    body: Bytes,
    accepts: Accepts,
) -> Result<Response, AppError> {
    let ingested = ingest_request(&state, &principal, &headers, body, None, accepts).await?;
    let mut response = written(ingested.created_any(), &ingested);
    if let [(record, Change::Created)] = ingested.records_and_changes().as_slice()
        && let Ok(location) = HeaderValue::from_str(record.as_str())
    {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// `PUT /datasets/{id}`: replaces one record; relative IRIs resolve against its URL, so
/// `<>` is the dataset itself.
async fn replace(
    State(state): State<SharedState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
    kind: RecordKind,
) -> Result<Response, AppError> {
    let iri = record_iri(&state, kind, &id)?;
    let ingested =
        ingest_request(&state, &principal, &headers, body, Some(&iri), Accepts::Any).await?;
    Ok(written(ingested.created_first(), &ingested))
}

/// Describe the site catalogue
///
/// The site catalogue's own title, description, publisher and licence; for the site
/// administrator only. Its `dcat:dataset` links are derived from the records.
#[utoipa::path(put, path = "/catalog", tag = "publishing",
    request_body(description = "RDF describing `<>` as a dcat:Catalog", content((String = "text/turtle"), (String = "application/rdf+xml"), (String = "application/ld+json"), (String = "application/n-triples"))),
    responses(
        (status = 200, description = "Stored", body = crate::http::openapi::WriteSummary),
        (status = 400, description = "Malformed RDF or a body about another resource", body = crate::http::openapi::ErrorBody),
        (status = 401, description = "No or unknown token", body = crate::http::openapi::ErrorBody),
        (status = 403, description = "Not the site administrator", body = crate::http::openapi::ErrorBody),
        (status = 413, description = "The body is too large", content_type = "text/plain"),
        (status = 415, description = "Unsupported Content-Type", body = crate::http::openapi::ErrorBody),
        (status = 422, description = "SHACL violations; nothing was stored",
            content((crate::http::openapi::ErrorBody = "application/json"), (String = "text/turtle"))),
    ),
    security(("bearer" = [])))]
pub async fn replace_catalog(
    State(state): State<SharedState>,
    Caller(principal): Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    if !principal.site_admin {
        return Err(AppError::Forbidden(
            "only the site administrator describes the site catalogue".into(),
        ));
    }
    let iri = NamedNode::new_unchecked(state.config.catalog_iri());
    let ingested =
        ingest_request(&state, &principal, &headers, body, Some(&iri), Accepts::Any).await?;
    Ok(written(false, &ingested))
}

/// Describe an organisation's catalogue
///
/// The title, description and other properties of the organisation's own `dcat:Catalog`
/// (served at `/organisations/{key}/datasets/dcat`), replacing the generated description;
/// its `dcat:dataset` links are derived from the records. `<>` is the catalogue.
#[utoipa::path(put, path = "/organisations/{key}/catalog", tag = "publishing",
    params(("key" = String, Path, description = "The organisation number (or publisher slug)"),
        ("If-Match" = Option<String>, Header, description = "ETag the change is based on")),
    request_body(description = "RDF describing `<>` as a dcat:Catalog", content((String = "text/turtle"), (String = "application/rdf+xml"), (String = "application/ld+json"), (String = "application/n-triples"))),
    responses(
        (status = 201, description = "Created", body = crate::http::openapi::WriteSummary),
        (status = 200, description = "Replaced (or unchanged)", body = crate::http::openapi::WriteSummary),
        (status = 400, description = "Malformed RDF or a body about another resource", body = crate::http::openapi::ErrorBody),
        (status = 401, description = "No or unknown token", body = crate::http::openapi::ErrorBody),
        (status = 403, description = "Another organisation's catalogue or publisher", body = crate::http::openapi::ErrorBody),
        (status = 404, description = "No such organisation", body = crate::http::openapi::ErrorBody),
        (status = 412, description = "The description changed since the ETag given", body = crate::http::openapi::ErrorBody),
        (status = 413, description = "The body is too large", content_type = "text/plain"),
        (status = 415, description = "Unsupported Content-Type", body = crate::http::openapi::ErrorBody),
        (status = 422, description = "SHACL violations; nothing was stored",
            content((crate::http::openapi::ErrorBody = "application/json"), (String = "text/turtle"))),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn replace_organisation_catalog(
    State(state): State<SharedState>,
    Caller(principal): Caller,
    Path(key): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let organisation = organisation_for_key(&state, &key).await?;
    if !principal.may_publish_for(&organisation.publisher_iri) {
        return Err(AppError::Forbidden(format!(
            "you do not publish for {}",
            organisation.name
        )));
    }
    let publisher = NamedNode::new_unchecked(organisation.publisher_iri.clone());
    let iri = crate::feeds::organisations::org_catalog_iri(&state.config.base_uri, &publisher);
    let ingested =
        ingest_request(&state, &principal, &headers, body, Some(&iri), Accepts::Any).await?;
    Ok(written(ingested.created_first(), &ingested))
}

/// The organisation whose URL key (organisation number or publisher slug) is `key`.
async fn organisation_for_key(
    state: &AppState,
    key: &str,
) -> Result<crate::accounts::Organisation, AppError> {
    let organisations = state.accounts()?.organisations().await?;
    organisations
        .into_iter()
        .find(|org| {
            let publisher = NamedNode::new_unchecked(org.publisher_iri.clone());
            org.orgnr == key || crate::feeds::organisations::org_key(&publisher) == key
        })
        .ok_or(AppError::NotFound)
}

async fn remove(
    State(state): State<SharedState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    kind: RecordKind,
) -> Result<Response, AppError> {
    let iri = record_iri(&state, kind, &id)?;
    delete_record(
        &state.publishing(),
        &principal,
        &iri,
        precondition(&headers),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The answer to a write: the records and what happened to each, and the warnings kept.
fn summary(ingested: &Ingested) -> WriteSummary {
    let records = ingested
        .records_and_changes()
        .iter()
        .map(|(iri, change)| WrittenRecord {
            record: iri.as_str().to_owned(),
            change: change.as_str().to_owned(),
        })
        .collect();
    WriteSummary {
        records,
        unattached_triples: ingested.unattached as u64,
        warnings: ingested.report.as_ref().map_or(0, |r| r.warnings as u64),
        report: ingested.report.as_ref().map(|r| r.to_json()),
    }
}
