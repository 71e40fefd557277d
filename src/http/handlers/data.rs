//! Hosted files: a publisher uploads a distribution's file (`PUT
//! /datasets/{id}/distributions/{name}/file`), katalog keeps it and describes the
//! distribution from it, and anyone downloads it from the same URL.
use super::publish::{record_iri, report_syntax};
use crate::data::Version;
use crate::http::extract::{Caller, Path};
use crate::http::{AppError, ReportSyntax, SharedState};
use crate::publish::{Hosted, authorize_stored, host_file};
use crate::store::RecordKind;
use axum::Json;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use tokio::io::AsyncReadExt;

/// What an upload answers: the distribution and the versions of its file kept.
#[derive(Serialize, utoipa::ToSchema)]
pub struct HostedFile {
    /// The distribution's IRI.
    pub distribution: String,
    /// Where the file is served (`dcat:downloadURL` and `dcat:accessURL`).
    pub download_url: String,
    /// The versions kept, oldest first; the last is served.
    #[schema(value_type = Vec<Object>)]
    pub versions: Vec<Version>,
}

/// Upload a distribution's file
///
/// The body is the file, its media type in `Content-Type`; it is streamed to disk and kept
/// under its SHA-256. The distribution `{dataset}/distributions/{name}` of the caller's
/// dataset is created or replaced: katalog fills `dcat:downloadURL`, `dcat:accessURL`,
/// `dcat:byteSize`, `dcat:mediaType`, `dcterms:format`, `spdx:checksum` (SHA-1, the
/// algorithm DCAT-AP-SE names), `dcterms:issued` and `dcterms:modified`, and the dataset
/// is validated and written like every other write. Earlier versions are kept and listed.
#[utoipa::path(put, path = "/datasets/{id}/distributions/{name}/file", tag = "publishing",
    params(("id" = String, Path, description = "The dataset's id (last segment of its IRI)"),
        ("name" = String, Path, description = "The distribution's name, e.g. `csv`")),
    request_body(description = "The file", content((String = "application/octet-stream"))),
    responses(
        (status = 201, description = "The distribution was created", body = HostedFile),
        (status = 200, description = "The distribution's file was replaced", body = HostedFile),
        (status = 400, description = "An invalid id, name or media type", body = crate::http::openapi::ErrorBody),
        (status = 401, description = "No or unknown token", body = crate::http::openapi::ErrorBody),
        (status = 403, description = "Another organisation's dataset", body = crate::http::openapi::ErrorBody),
        (status = 404, description = "No such dataset", body = crate::http::openapi::ErrorBody),
        (status = 413, description = "The file is larger than the server takes (`--max-upload`)", body = crate::http::openapi::ErrorBody),
        (status = 422, description = "The dataset with this distribution violates the shapes; the file is not served", body = crate::http::openapi::ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn upload(
    State(state): State<SharedState>,
    Caller(principal): Caller,
    Path((id, name)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, AppError> {
    let to_http = |e| AppError::from_publish(e, report_syntax(&headers));
    let files = state.files()?;
    crate::data::check_name(&id)?;
    crate::data::check_name(&name)?;
    let dataset = record_iri(&state, RecordKind::Dataset, &id)?;
    // Refused before the file is read: a dataset that is not there, or not theirs.
    authorize_stored(&principal, &*state.catalogue.index()?, &dataset).map_err(to_http)?;
    if state.catalogue.record_hash(dataset.as_ref())?.is_none() {
        return Err(AppError::NotFound);
    }
    let media_type = media_type(&headers)?;
    // Each part is a few kilobytes into the page cache; the flush to disk is in `keep`, on
    // a blocking thread.
    let mut upload = files.begin(state.config.max_upload_bytes)?;
    let mut parts = body.into_data_stream();
    while let Some(part) = parts.next().await {
        let part = part.map_err(|e| AppError::BadRequest(format!("the upload broke off: {e}")))?;
        upload.write(&part)?;
    }
    let kept = {
        let files = files.clone();
        tokio::task::spawn_blocking(move || files.keep(upload)).await??
    };
    let hosted = Hosted {
        dataset: &dataset,
        id: &id,
        name: &name,
        kept,
        media_type: &media_type,
    };
    let (versions, created) = host_file(&state.publishing(), Some(&principal), &files, hosted)
        .await
        .map_err(to_http)?;
    let distribution = crate::data::distribution_iri(&dataset, &name);
    let answer = HostedFile {
        download_url: crate::data::file_url(&distribution).into_string(),
        distribution: distribution.into_string(),
        versions,
    };
    let status = match created {
        true => StatusCode::CREATED,
        false => StatusCode::OK,
    };
    Ok((status, Json(answer)).into_response())
}

#[derive(Deserialize)]
pub struct Which {
    /// The SHA-256 of an earlier version.
    version: Option<String>,
}

/// Download a distribution's file
///
/// The current version, or an earlier one by its SHA-256 (`?version=`); its ETag is its
/// SHA-256.
#[utoipa::path(get, path = "/datasets/{id}/distributions/{name}/file", tag = "data",
    params(("id" = String, Path, description = "The dataset's id"),
        ("name" = String, Path, description = "The distribution's name"),
        ("version" = Option<String>, Query, description = "The SHA-256 of an earlier version")),
    responses(
        (status = 200, description = "The file, in its media type", content_type = "application/octet-stream"),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        (status = 400, description = "An invalid id or name", body = crate::http::openapi::ErrorBody),
        (status = 404, description = "No such file", body = crate::http::openapi::ErrorBody),
    ))]
pub async fn download(
    State(state): State<SharedState>,
    Path((id, name)): Path<(String, String)>,
    Query(which): Query<Which>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let files = state.files()?;
    let versions = files.versions(&id, &name)?;
    let version = match &which.version {
        Some(sha256) => versions.iter().find(|v| &v.sha256 == sha256),
        None => versions.last(),
    }
    .ok_or(AppError::NotFound)?;
    let etag = format!("\"{}\"", version.sha256);
    let cache = [
        (header::ETAG, etag.clone()),
        (header::CACHE_CONTROL, "no-cache".into()),
    ];
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    if matches {
        return Ok((StatusCode::NOT_MODIFIED, cache).into_response());
    }
    let file = tokio::fs::File::open(files.blob(&version.sha256))
        .await
        .map_err(|e| AppError::Internal(format!("a hosted file is missing: {e}")))?;
    let chunks = futures_util::stream::unfold(file, |mut file| async move {
        let mut buffer = vec![0; 64 * 1024];
        match file.read(&mut buffer).await {
            Ok(0) => None,
            Ok(n) => {
                buffer.truncate(n);
                Some((Ok::<_, std::io::Error>(buffer), file))
            }
            Err(e) => Some((Err(e), file)),
        }
    });
    let length = version.bytes.to_string();
    let content = [
        (header::CONTENT_TYPE, version.media_type.clone()),
        (header::CONTENT_LENGTH, length),
    ];
    Ok((cache, content, Body::from_stream(chunks)).into_response())
}

/// The upload's media type, without its parameters (`text/csv; charset=utf-8` is
/// `text/csv`); a file without one is `application/octet-stream`.
fn media_type(headers: &HeaderMap) -> Result<String, AppError> {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Ok("application/octet-stream".into());
    };
    let essence = value
        .to_str()
        .ok()
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let token = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$&-^_.+".contains(c))
    };
    match essence.split_once('/') {
        Some((kind, sub)) if token(kind) && token(sub) => Ok(essence),
        _ => Err(AppError::BadRequest(format!(
            "{essence:?} is not a media type (type/subtype)"
        ))),
    }
}

/// Where a distribution's file is fetched from.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct SourceOfFile {
    /// The file's URL (http or https; not a private address unless the server allows it).
    pub url: String,
    /// Cron (minute hour day month weekday, UTC); default nightly at a spread-out time.
    pub schedule: Option<String>,
}

/// Connect a distribution's file to a URL
///
/// katalog fetches the file from the URL now and then on the schedule (conditional GET, the
/// safe fetcher), and hosts it as a new version, with its table and the distribution's
/// metadata, only when the content changed. The answer is the connection and the first fetch.
#[utoipa::path(put, path = "/datasets/{id}/distributions/{name}/source", tag = "publishing",
    params(("id" = String, Path, description = "The dataset's id"),
        ("name" = String, Path, description = "The distribution's name")),
    request_body = SourceOfFile,
    responses(
        (status = 200, description = "`{\"connection\", \"run\"}`: connected, and fetched once (the run says how that went)", content_type = "application/json"),
        (status = 400, description = "An invalid id, name or body", body = crate::http::openapi::ErrorBody),
        (status = 401, description = "No or unknown token", body = crate::http::openapi::ErrorBody),
        (status = 403, description = "Another organisation's dataset", body = crate::http::openapi::ErrorBody),
        (status = 422, description = "Not an http(s) URL, a bad schedule, or no such dataset", body = crate::http::openapi::ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn connect_source(
    State(state): State<SharedState>,
    Caller(principal): Caller,
    Path((id, name)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Response, AppError> {
    let source: SourceOfFile = serde_json::from_slice(&body)
        .map_err(|e| AppError::BadRequest(format!("not a file source: {e}")))?;
    crate::data::check_name(&id)?;
    crate::data::check_name(&name)?;
    let dataset = record_iri(&state, RecordKind::Dataset, &id)?;
    let harvester = state.harvester()?;
    let (connection, run) = harvester
        .connect_file(
            &principal,
            &dataset,
            (&id, &name),
            &source.url,
            source.schedule.as_deref(),
        )
        .await?;
    Ok(Json(serde_json::json!({ "connection": connection, "run": run })).into_response())
}

/// Where a distribution's file is fetched from
#[utoipa::path(get, path = "/datasets/{id}/distributions/{name}/source", tag = "data",
    params(("id" = String, Path, description = "The dataset's id"),
        ("name" = String, Path, description = "The distribution's name")),
    responses(
        (status = 200, description = "`{\"url\", \"schedule\", \"since\", \"last_run\", \"last_outcome\"}`: the URL, the schedule, and when and how the last fetch went", content_type = "application/json"),
        (status = 400, description = "An invalid id or name", body = crate::http::openapi::ErrorBody),
        (status = 404, description = "The distribution is not connected to a URL", body = crate::http::openapi::ErrorBody),
    ))]
pub async fn show_source(
    State(state): State<SharedState>,
    Path((id, name)): Path<(String, String)>,
) -> Result<Json<crate::data::Connected>, AppError> {
    let connection = state.files()?.connection(&id, &name)?;
    Ok(Json(connection.ok_or(AppError::NotFound)?))
}

/// Fetch a connected distribution's file now
#[utoipa::path(post, path = "/datasets/{id}/distributions/{name}/source/run", tag = "publishing",
    params(("id" = String, Path, description = "The dataset's id"),
        ("name" = String, Path, description = "The distribution's name")),
    responses(
        (status = 200, description = "How the fetch went: `{\"changed\", \"not_modified\", \"sha256\", \"bytes\", \"error\"}`", content_type = "application/json"),
        (status = 400, description = "An invalid id or name", body = crate::http::openapi::ErrorBody),
        (status = 401, description = "No or unknown token", body = crate::http::openapi::ErrorBody),
        (status = 403, description = "Another organisation's dataset", body = crate::http::openapi::ErrorBody),
        (status = 422, description = "The distribution is not connected to a URL", body = crate::http::openapi::ErrorBody),
    ),
    security(("bearer" = []), ("session" = [])))]
pub async fn run_source(
    State(state): State<SharedState>,
    Caller(principal): Caller,
    Path((id, name)): Path<(String, String)>,
) -> Result<Json<crate::harvest::FileRun>, AppError> {
    crate::data::check_name(&id)?;
    crate::data::check_name(&name)?;
    let dataset = record_iri(&state, RecordKind::Dataset, &id)?;
    authorize_stored(&principal, &*state.catalogue.index()?, &dataset)
        .map_err(|e| AppError::from_publish(e, ReportSyntax::Json))?;
    Ok(Json(state.harvester()?.fetch_file(&id, &name).await?))
}
