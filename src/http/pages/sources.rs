//! The connected sources of an organisation, for its admins: the list with the last and
//! next run, connecting a source, "harvest now", a source's runs with their reports.
use super::publisher::{checked_form, field, page_lang, require_login, tr};
use super::render;
use crate::accounts::Organisation;
use crate::harvest::{HarvestError, Harvester, NewSource, Source, SourceKind, Sources};
use crate::http::extract::{Path, Query, csrf_token};
use crate::http::{AppError, SharedState};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use minijinja::context;
use std::collections::HashMap;
use std::sync::Arc;
use tower_sessions::Session;

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/publish/org/{orgnr}/sources", get(list).post(add))
        .route("/publish/org/{orgnr}/sources/{id}", get(show))
        .route("/publish/org/{orgnr}/sources/{id}/run", post(run_now))
        .route(
            "/publish/org/{orgnr}/sources/{id}/confirm-removal",
            post(confirm_removal),
        )
        .route("/publish/org/{orgnr}/sources/{id}/remove", post(remove))
}

type Params = Query<HashMap<String, String>>;

/// The logged-in admin's organisation and the harvester; 403 for editors and outsiders.
async fn admin_of(
    state: &SharedState,
    session: &Session,
    orgnr: &str,
) -> Result<(Organisation, Arc<Harvester>), AppError> {
    let back = format!("/publish/org/{orgnr}/sources");
    let (_, org) = super::admin::admin_of_for(state, session, orgnr, &back, "its sources").await?;
    let harvester = state.harvester()?.clone();
    Ok((org, harvester))
}

/// The source if it belongs to the organisation (404 otherwise).
async fn source_of(harvester: &Harvester, org: &Organisation, id: i64) -> Result<Source, AppError> {
    let source = harvester.sources().get(id).await?;
    match source.org_id == org.id {
        true => Ok(source),
        false => Err(AppError::NotFound),
    }
}

/// Unix seconds as `2026-12-03 02:30 UTC`.
fn when(seconds: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(seconds)
        .ok()
        .and_then(|t| {
            t.format(time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute] UTC"
            ))
            .ok()
        })
        .unwrap_or_default()
}

#[derive(serde::Serialize)]
struct SourceRow {
    id: i64,
    kind: &'static str,
    url: String,
    schedule: String,
    last_run: Option<String>,
    next_run: Option<String>,
    failing: bool,
}

async fn list(
    State(state): State<SharedState>,
    session: Session,
    Path(orgnr): Path<String>,
    Query(params): Params,
) -> Result<Response, AppError> {
    page(&state, &session, &orgnr, &params, None).await
}

async fn page(
    state: &SharedState,
    session: &Session,
    orgnr: &str,
    params: &HashMap<String, String>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let (organisation, harvester) = admin_of(state, session, orgnr).await?;
    let lang = page_lang(session, params).await;
    let csrf = csrf_token(session).await?;
    let sources = harvester.sources();
    let mut rows = Vec::new();
    for source in sources.of_organisation(organisation.id).await? {
        let status = sources.status(source).await?;
        rows.push(SourceRow {
            id: status.source.id,
            kind: status.source.kind.as_str(),
            url: status.source.url.clone(),
            schedule: status.source.schedule.clone(),
            last_run: status
                .last_run
                .as_ref()
                .map(|r| format!("{} ({})", when(r.started_at), r.outcome)),
            next_run: status.next_run.map(when),
            failing: status.failing,
        });
    }
    Ok(render(
        "sources.html",
        context! { lang, csrf, organisation, sources => rows, error },
    )?
    .into_response())
}

async fn add(
    State(state): State<SharedState>,
    session: Session,
    Path(orgnr): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (org, harvester) = admin_of(&state, &session, &orgnr).await?;
    let form = checked_form(&session, &body).await?;
    let principal = require_login(&state, &session, "/publish").await?;
    let schedule = field(&form, "schedule").trim();
    let new = NewSource {
        kind: Some(field(&form, "kind").parse().unwrap_or(SourceKind::Dcat)),
        url: field(&form, "url").to_owned(),
        schedule: (!schedule.is_empty()).then(|| schedule.to_owned()),
        ..Default::default()
    };
    match harvester
        .sources()
        .add(org.id, &new, &principal.actor)
        .await
    {
        Ok(source) => Ok(
            Redirect::to(&format!("/publish/org/{orgnr}/sources/{}", source.id)).into_response(),
        ),
        // A refused URL or schedule is shown on the form, not as an error page.
        Err(HarvestError::Invalid(message)) => {
            page(&state, &session, &orgnr, &HashMap::new(), Some(message)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Serialize)]
struct RunRow {
    started: String,
    outcome: String,
    report: serde_json::Value,
}

async fn show(
    State(state): State<SharedState>,
    session: Session,
    Path((orgnr, id)): Path<(String, i64)>,
    Query(params): Params,
) -> Result<Response, AppError> {
    let (organisation, harvester) = admin_of(&state, &session, &orgnr).await?;
    let source = source_of(&harvester, &organisation, id).await?;
    let lang = page_lang(&session, &params).await;
    let csrf = csrf_token(&session).await?;
    let sources = harvester.sources();
    let runs: Vec<RunRow> = sources
        .runs(id, 20)
        .await?
        .into_iter()
        .map(|r| RunRow {
            started: when(r.started_at),
            outcome: outcome_label(&lang, &r.outcome),
            report: r.report,
        })
        .collect();
    let held = runs
        .first()
        .is_some_and(|r| r.report.get("removalHeld").is_some());
    let status = sources.status(source).await?;
    Ok(render(
        "source.html",
        context! {
            lang, csrf, organisation, runs, held,
            source => status.source,
            next_run => status.next_run.map(when),
            failing => status.failing,
        },
    )?
    .into_response())
}

fn outcome_label(lang: &str, outcome: &str) -> String {
    match outcome {
        "succeeded" => tr(lang, "lyckades", "succeeded"),
        "failed" => tr(lang, "misslyckades", "failed"),
        _ => tr(lang, "pågår", "running"),
    }
}

/// "Harvest now": the run goes on after the answer; the source's page shows it.
async fn run_now(
    State(state): State<SharedState>,
    session: Session,
    Path((orgnr, id)): Path<(String, i64)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (org, harvester) = admin_of(&state, &session, &orgnr).await?;
    let form = checked_form(&session, &body).await?;
    source_of(&harvester, &org, id).await?;
    match harvester.spawn_run(id, field(&form, "full") == "1").await {
        // The page shows the run going on.
        Ok(()) | Err(HarvestError::Running(_)) => {}
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to(&format!("/publish/org/{orgnr}/sources/{id}")).into_response())
}

async fn confirm_removal(
    state: State<SharedState>,
    session: Session,
    path: Path<(String, i64)>,
    body: Bytes,
) -> Result<Response, AppError> {
    with_own_source(state, session, path, body, |sources, id| async move {
        sources.confirm_removal(id).await?;
        Ok(format!("/sources/{id}"))
    })
    .await
}

async fn remove(
    state: State<SharedState>,
    session: Session,
    path: Path<(String, i64)>,
    body: Bytes,
) -> Result<Response, AppError> {
    with_own_source(state, session, path, body, |sources, id| async move {
        sources.remove(id).await?;
        Ok(String::new())
    })
    .await
}

/// A form posted about one of the organisation's sources: checks the admin, the form and
/// the source, does `action`, and goes back to the sources page with the path it returns.
async fn with_own_source<F, Fut>(
    State(state): State<SharedState>,
    session: Session,
    Path((orgnr, id)): Path<(String, i64)>,
    body: Bytes,
    action: F,
) -> Result<Response, AppError>
where
    F: FnOnce(Sources, i64) -> Fut,
    Fut: std::future::Future<Output = Result<String, HarvestError>>,
{
    let (org, harvester) = admin_of(&state, &session, &orgnr).await?;
    checked_form(&session, &body).await?;
    source_of(&harvester, &org, id).await?;
    let then = action(harvester.sources(), id).await?;
    Ok(Redirect::to(&format!("/publish/org/{orgnr}/sources{then}")).into_response())
}
