//! Who may write. Until organisation accounts exist, one site administrator token.
use crate::web::{AppError, AppState};
use axum::http::{HeaderMap, header};
use sha2::{Digest, Sha256};

/// Checks `Authorization: Bearer <token>` against the configured administrator token.
pub fn require_admin(state: &AppState, headers: &HeaderMap) -> Result<(), AppError> {
    let Some(expected) = state.config.admin_token.as_deref() else {
        return Err(AppError::Forbidden(
            "publishing is not enabled on this server (no token configured)".into(),
        ));
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(AppError::Unauthorized)?;
    // Compare digests so the comparison time does not depend on where the strings differ.
    if Sha256::digest(given.trim().as_bytes()) == Sha256::digest(expected.as_bytes()) {
        Ok(())
    } else {
        Err(AppError::Unauthorized)
    }
}
