//! The publisher's page of a dataset's hosted files: the distributions katalog serves, each
//! with its versions, and a form that uploads a file (streamed to disk, as the API's `PUT`
//! is) into a distribution, new or existing.
use super::publisher::{editable_record, page_lang, require_login};
use super::render;
use crate::data::DataError;
use crate::http::extract::{Path, Query, check_csrf, csrf_token};
use crate::http::handlers::publish::record_iri;
use crate::http::{AppError, SharedState};
use crate::publish::{Hosted, PublishError, host_file};
use crate::store::RecordKind;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use minijinja::context;
use serde::Serialize;
use std::collections::HashMap;
use tower_sessions::Session;

pub fn routes(max_upload: u64) -> Router<SharedState> {
    let limit = usize::try_from(max_upload).unwrap_or(usize::MAX);
    Router::new().route(
        "/publish/datasets/{id}/files",
        get(files_page)
            .post(upload)
            // The file is streamed to disk; the upload limit, not the body limit, bounds it.
            .layer(DefaultBodyLimit::max(limit.saturating_add(64 * 1024))),
    )
}

#[derive(Serialize)]
struct Shown {
    name: String,
    table: bool,
    versions: Vec<crate::data::Version>,
}

async fn files_page(
    State(state): State<SharedState>,
    session: Session,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let back = format!("/publish/datasets/{id}/files");
    let principal = require_login(&state, &session, &back).await?;
    let lang = page_lang(&session, &params).await;
    let iri = record_iri(&state, RecordKind::Dataset, &id)?;
    editable_record(&state, &principal, &iri).await?;
    Ok(page(&state, &session, &id, &lang, None)
        .await?
        .into_response())
}

async fn page(
    state: &SharedState,
    session: &Session,
    id: &str,
    lang: &str,
    error: Option<String>,
) -> Result<axum::response::Html<String>, AppError> {
    let files = state.files()?;
    let shown: Vec<Shown> = files
        .distributions(id)?
        .into_iter()
        .map(|(name, versions)| {
            let dictionary = files.dictionary(id, &name).unwrap_or_default();
            Shown {
                table: versions
                    .last()
                    .is_some_and(|v| files.loaded_table(v, &dictionary).is_some()),
                name,
                versions,
            }
        })
        .collect();
    let csrf = csrf_token(session).await?;
    render(
        "files.html",
        context! { lang, csrf, id, distributions => shown, error },
    )
}

/// The form's upload: the CSRF token and the distribution's name come before the file, which
/// is written to disk as it arrives.
async fn upload(
    State(state): State<SharedState>,
    session: Session,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    let back = format!("/publish/datasets/{id}/files");
    let principal = require_login(&state, &session, &back).await?;
    let lang = page_lang(&session, &params).await;
    let dataset = record_iri(&state, RecordKind::Dataset, &id)?;
    editable_record(&state, &principal, &dataset).await?;
    let files = state.files()?;
    let (mut csrf, mut name) = (None, String::new());
    let mut kept = None;
    while let Some(mut part) = multipart.next_field().await.map_err(broken)? {
        match part.name() {
            Some("csrf") => csrf = part.text().await.ok(),
            Some("name") => name = part.text().await.map_err(broken)?.trim().to_owned(),
            Some("file") => {
                check_csrf(&session, csrf.as_deref()).await?;
                let media_type = crate::data::media_type_of(
                    part.content_type(),
                    part.file_name().unwrap_or_default(),
                );
                let mut upload = files.begin(state.config.max_upload_bytes)?;
                while let Some(chunk) = part.chunk().await.map_err(broken)? {
                    upload.write(&chunk)?;
                }
                let files = files.clone();
                let stored = tokio::task::spawn_blocking(move || files.keep(upload)).await??;
                kept = Some((stored, media_type));
            }
            _ => {}
        }
    }
    let (kept, media_type) = kept.ok_or_else(|| AppError::BadRequest("no file was sent".into()))?;
    crate::data::check_name(&name)?;
    let hosted = Hosted {
        dataset: &dataset,
        id: &id,
        name: &name,
        kept,
        media_type: &media_type,
    };
    match host_file(&state.publishing(), Some(&principal), &files, hosted).await {
        Ok(_) => Ok(Redirect::to(&back).into_response()),
        Err(
            e @ (PublishError::Hosting(DataError::Malformed { .. }) | PublishError::Invalid(_)),
        ) => {
            let message = match &e {
                PublishError::Invalid(report) => report
                    .results
                    .iter()
                    .filter(|r| r.severity == crate::shacl::Severity::Violation)
                    .filter_map(|r| r.message_in(&lang))
                    .collect::<Vec<_>>()
                    .join(" "),
                other => other.to_string(),
            };
            let page = page(&state, &session, &id, &lang, Some(message)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

fn broken(error: axum::extract::multipart::MultipartError) -> AppError {
    AppError::BadRequest(format!("the upload broke off: {error}"))
}
