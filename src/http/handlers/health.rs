//! `/health`, for load balancers and operators.
use crate::http::{AppError, SharedState};

/// For load balancers and operators: the server answers, how many records it holds, and
/// whether the start-up re-check is still running.
#[utoipa::path(
    get,
    path = "/health",
    tag = "api",
    responses((status = 200, description = "`{\"status\": \"ok\", \"records\": n, \"recheck\": \"running\" | \"done\"}`"))
)]
pub async fn health(
    axum::extract::State(state): axum::extract::State<SharedState>,
) -> Result<axum::Json<serde_json::Value>, AppError> {
    let records = state.catalogue.index()?.records.len();
    let rechecking = state.rechecking.load(std::sync::atomic::Ordering::Acquire);
    Ok(axum::Json(serde_json::json!({
        "status": "ok",
        "records": records,
        "recheck": if rechecking { "running" } else { "done" },
    })))
}
