//! Connected sources over HTTP: an organisation's admins connect, list, run and disconnect
//! the catalogues and APIs katalog harvests into its records.
use crate::harvest::{HarvestError, NewSource, Source, SourceKind, Sources};
use crate::http::extract::{Caller, Path, Query};
use crate::http::openapi::ErrorBody;
use crate::http::{AppError, SharedState};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// A new source, as `POST /organisations/{key}/sources` takes it.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SourceRequest {
    /// `dcat` (a DCAT catalogue, Hydra-paged or whole), `ckan` (a CKAN site) or `ldes` (an
    /// LDES DCAT-AP event stream); default `dcat`.
    pub kind: Option<String>,
    pub url: String,
    /// Cron (minute hour day month weekday, UTC); default nightly at a time spread across
    /// sources.
    pub schedule: Option<String>,
    /// Largest share (0–1) of its records one run may remove without confirmation; default 0.5.
    pub max_removal: Option<f64>,
    /// Seconds a run may take before it is stopped; default 900.
    pub time_budget: Option<i64>,
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct RunParams {
    /// Wait for the run to finish and answer with its report (default: start it and answer
    /// 202 at once).
    pub wait: Option<bool>,
    /// Read everything again: no conditional GET, and an LDES stream from its start rather
    /// than from the last event applied (default: false).
    pub full: Option<bool>,
}

/// An organisation's connected sources
///
/// Each source with its schedule, last run (with its report), next run and whether its last
/// three runs failed. The organisation's admins and the site administrator only.
#[utoipa::path(get, path = "/organisations/{key}/sources", tag = "sources",
    params(("key" = String, Path, description = "Organisation number")),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "A list of sources with their status", content_type = "application/json"),
        (status = 401, description = "No token or session", body = ErrorBody),
        (status = 403, description = "Not an admin of the organisation", body = ErrorBody),
        (status = 404, description = "No such organisation", body = ErrorBody),
    ))]
pub async fn list_sources(
    State(state): State<SharedState>,
    Caller(principal): Caller,
    Path(key): Path<String>,
) -> Result<Json<serde_json::Value>, AppError> {
    let org = state.accounts()?.organisation(&key).await?;
    admin_of(&principal, org.id)?;
    let sources = state.harvester()?.sources();
    let mut listed = Vec::new();
    for source in sources.of_organisation(org.id).await? {
        listed.push(sources.status(source).await?);
    }
    Ok(Json(serde_json::to_value(listed).unwrap_or_default()))
}

/// Connect a source to an organisation
///
/// Its records are harvested on its schedule, on the same path as publishing: each record
/// must name the organisation's publisher and pass the shapes, or it is skipped and
/// reported. Admins of the organisation and the site administrator only.
#[utoipa::path(post, path = "/organisations/{key}/sources", tag = "sources",
    params(("key" = String, Path, description = "Organisation number")),
    request_body(content = SourceRequest, content_type = "application/json"),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 201, description = "The new source", content_type = "application/json"),
        (status = 400, description = "Not JSON of this form", body = ErrorBody),
        (status = 401, description = "No token or session", body = ErrorBody),
        (status = 403, description = "Not an admin of the organisation", body = ErrorBody),
        (status = 404, description = "No such organisation", body = ErrorBody),
        (status = 422, description = "A URL, kind or schedule that is refused, or a source at that URL exists", body = ErrorBody),
    ))]
pub async fn add_source(
    State(state): State<SharedState>,
    Caller(principal): Caller,
    Path(key): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, AppError> {
    let org = state.accounts()?.organisation(&key).await?;
    admin_of(&principal, org.id)?;
    let request: SourceRequest = serde_json::from_slice(&body)
        .map_err(|e| AppError::BadRequest(format!("expected a source as JSON: {e}")))?;
    let new = NewSource {
        kind: request
            .kind
            .as_deref()
            .map(str::parse::<SourceKind>)
            .transpose()?,
        url: request.url,
        schedule: request.schedule,
        max_removal: request.max_removal,
        time_budget: request.time_budget,
    };
    let source = state
        .harvester()?
        .sources()
        .add(org.id, &new, &principal.actor)
        .await?;
    let location = format!("/sources/{}", source.id);
    Ok((
        StatusCode::CREATED,
        [(axum::http::header::LOCATION, location)],
        Json(source),
    )
        .into_response())
}

/// A source with its last ten runs
#[utoipa::path(get, path = "/sources/{id}", tag = "sources",
    params(("id" = i64, Path, description = "The source's id")),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "`{\"source\", \"runs\"}`: the source with its status, and its last runs with their reports", content_type = "application/json"),
        (status = 401, description = "No token or session", body = ErrorBody),
        (status = 403, description = "Not an admin of the source's organisation", body = ErrorBody),
        (status = 400, description = "An id that is not a number", body = ErrorBody),
        (status = 404, description = "No such source", body = ErrorBody),
    ))]
pub async fn show_source(
    State(state): State<SharedState>,
    Caller(principal): Caller,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, AppError> {
    let (sources, source) = owned_source(&state, &principal, id).await?;
    let runs = sources.runs(id, 10).await?;
    let status = sources.status(source).await?;
    Ok(Json(serde_json::json!({ "source": status, "runs": runs })))
}

/// Disconnect a source
///
/// The source and its run reports go; the records it wrote stay, as published ones would.
#[utoipa::path(delete, path = "/sources/{id}", tag = "sources",
    params(("id" = i64, Path, description = "The source's id")),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 204, description = "Disconnected"),
        (status = 401, description = "No token or session", body = ErrorBody),
        (status = 403, description = "Not an admin of the source's organisation", body = ErrorBody),
        (status = 400, description = "An id that is not a number", body = ErrorBody),
        (status = 404, description = "No such source", body = ErrorBody),
    ))]
pub async fn remove_source(
    State(state): State<SharedState>,
    Caller(principal): Caller,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    let (sources, _) = owned_source(&state, &principal, id).await?;
    sources.remove(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Harvest a source now
///
/// Starts a run at once (202), or with `wait=true` answers with its report when it is done
/// (200; the report's `error` says why a run failed). 409 while a run of the source goes on.
#[utoipa::path(post, path = "/sources/{id}/run", tag = "sources",
    params(("id" = i64, Path, description = "The source's id"), RunParams),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The run's report (`wait=true`)", content_type = "application/json"),
        (status = 202, description = "The run started; its report appears at `/sources/{id}`"),
        (status = 401, description = "No token or session", body = ErrorBody),
        (status = 403, description = "Not an admin of the source's organisation", body = ErrorBody),
        (status = 400, description = "An id that is not a number", body = ErrorBody),
        (status = 404, description = "No such source", body = ErrorBody),
        (status = 409, description = "A run of this source is going on", body = ErrorBody),
    ))]
pub async fn run_source(
    State(state): State<SharedState>,
    Caller(principal): Caller,
    Path(id): Path<i64>,
    Query(params): Query<RunParams>,
) -> Result<Response, AppError> {
    owned_source(&state, &principal, id).await?;
    let harvester = state.harvester()?.clone();
    let full = params.full.unwrap_or(false);
    if params.wait.unwrap_or(false) {
        let report = harvester.run(id, full).await?;
        return Ok(Json(report).into_response());
    }
    harvester.spawn_run(id, full).await?;
    Ok((
        StatusCode::ACCEPTED,
        [(axum::http::header::LOCATION, format!("/sources/{id}"))],
    )
        .into_response())
}

/// Let the next run remove more than the source's share
///
/// A run that finds more of the source's records gone than its `maxRemoval` share keeps
/// them (an empty answer must not wipe a catalogue); this lets the next run remove them.
#[utoipa::path(post, path = "/sources/{id}/confirm-removal", tag = "sources",
    params(("id" = i64, Path, description = "The source's id")),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 204, description = "The next run may remove them"),
        (status = 401, description = "No token or session", body = ErrorBody),
        (status = 403, description = "Not an admin of the source's organisation", body = ErrorBody),
        (status = 400, description = "An id that is not a number", body = ErrorBody),
        (status = 404, description = "No such source", body = ErrorBody),
    ))]
pub async fn confirm_removal(
    State(state): State<SharedState>,
    Caller(principal): Caller,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    let (sources, _) = owned_source(&state, &principal, id).await?;
    sources.confirm_removal(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn admin_of(principal: &crate::accounts::Principal, org_id: i64) -> Result<(), AppError> {
    match principal.administers(org_id) {
        true => Ok(()),
        false => Err(AppError::Forbidden(
            "only the organisation's admins manage its sources".into(),
        )),
    }
}

/// The source, if the principal administers its organisation (404 otherwise too, for a
/// source of an organisation they are not a member of, so ids do not leak).
async fn owned_source(
    state: &SharedState,
    principal: &crate::accounts::Principal,
    id: i64,
) -> Result<(Sources, Source), AppError> {
    let sources = state.harvester()?.sources();
    let source = sources.get(id).await?;
    if !principal.member_of(source.org_id) {
        return Err(HarvestError::UnknownSource(id).into());
    }
    admin_of(principal, source.org_id)?;
    Ok((sources, source))
}
