//! Site administration over HTTP: a backup while the server runs (`katalog backup --server`).
use crate::backup::BackupError;
use crate::http::extract::Caller;
use crate::http::{AppError, SharedState};
use axum::Json;
use axum::extract::State;

#[derive(serde::Deserialize, utoipa::ToSchema, Default)]
pub struct BackupRequest {
    /// The backup's name: a new directory under the server's `--backup-dir` (letters,
    /// digits, `.`, `-`, `_`); by default the time of the backup.
    pub name: Option<String>,
}

/// Writes a backup of the store, the ledger, the accounts database and the feed cache into
/// a new directory under `--backup-dir`; a backup is itself a data directory (`katalog
/// restore`). Site administrator only.
#[utoipa::path(
    post,
    path = "/admin/backup",
    tag = "api",
    request_body(content = BackupRequest, description = "Optional: an empty body names the backup by its time"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "`{\"directory\": \"…\"}`: the backup is complete"),
        (status = 400, description = "Not JSON, a name that is not a plain directory name, or a backup of that name exists", body = crate::http::openapi::ErrorBody),
        (status = 401, description = "No token", body = crate::http::openapi::ErrorBody),
        (status = 403, description = "Not the site administrator", body = crate::http::openapi::ErrorBody),
    )
)]
pub async fn backup(
    State(state): State<SharedState>,
    Caller(principal): Caller,
    body: axum::body::Bytes,
) -> Result<Json<serde_json::Value>, AppError> {
    if !principal.site_admin {
        return Err(AppError::Forbidden(
            "only the site administrator may back up the site".into(),
        ));
    }
    let request: BackupRequest = match body.trim_ascii().is_empty() {
        true => BackupRequest::default(),
        false => serde_json::from_slice(&body)
            .map_err(|e| AppError::BadRequest(format!("expected {{\"name\": \"…\"}}: {e}")))?,
    };
    let name = match request.name {
        Some(name) => name,
        None => crate::backup::name_for_now(),
    };
    let dir = crate::backup::named(&state.config.backup_dir, &name)
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    crate::backup::backup(
        &state.catalogue,
        state.accounts.as_ref(),
        state.feeds.cache.as_deref(),
        state.files.as_deref(),
        &dir,
    )
    .await
    .map_err(|e| match e {
        BackupError::Exists(_) => AppError::BadRequest(e.to_string()),
        e => AppError::Internal(e.to_string()),
    })?;
    tracing::info!(directory = %dir.display(), actor = %principal.actor, "backup written");
    Ok(Json(serde_json::json!({ "directory": dir })))
}
