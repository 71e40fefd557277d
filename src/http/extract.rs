//! What handlers take from a request besides its body: the caller, from a bearer token (an
//! organisation's API token, or the site administrator's `--admin-token`) or from the login
//! session with its CSRF token; and the query string and path parameters, whose rejections
//! are answered as JSON problems like every other error.
use super::{AppError, AppState, SharedState};
use crate::accounts::Principal;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use tower_sessions::Session;

/// The query string, deserialised; a malformed one is a 400 with a JSON body.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        axum::extract::Query::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| Self(value))
            .map_err(|e| AppError::BadRequest(e.body_text()))
    }
}

/// The path parameters, deserialised; a malformed one is a 400 with a JSON body.
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        axum::extract::Path::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| Self(value))
            .map_err(|e| AppError::BadRequest(e.body_text()))
    }
}

/// Session keys.
pub const SESSION_USER: &str = "user_id";
pub const SESSION_CSRF: &str = "csrf";
/// Header carrying the session's CSRF token on API writes made with a session cookie.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The authenticated caller of a write route.
pub struct Caller(pub Principal);

impl FromRequestParts<SharedState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &SharedState) -> Result<Self, AppError> {
        if let Some(token) = bearer(&parts.headers) {
            return token_principal(state, token).await.map(Caller);
        }
        let session = parts.extensions.get::<Session>().cloned();
        if let Some(session) = session
            && let Some(principal) = session_principal(state, &session).await?
        {
            check_csrf_header(&session, &parts.headers).await?;
            return Ok(Caller(principal));
        }
        Err(AppError::Unauthorized)
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

async fn token_principal(state: &AppState, token: &str) -> Result<Principal, AppError> {
    if let Some(expected) = state.config.admin_token.as_deref() {
        // Compare digests so the time taken does not depend on where the strings differ.
        if Sha256::digest(token.as_bytes()) == Sha256::digest(expected.as_bytes()) {
            return Ok(Principal::site_admin("site administrator (admin token)"));
        }
    }
    let accounts = state.accounts()?;
    accounts
        .principal_for_token(token)
        .await?
        .ok_or(AppError::Unauthorized)
}

/// The logged-in user of a session, if any.
pub async fn session_principal(
    state: &AppState,
    session: &Session,
) -> Result<Option<Principal>, AppError> {
    let user: Option<i64> = session
        .get(SESSION_USER)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    match user {
        Some(id) => Ok(state.accounts()?.principal_for_user(id).await?),
        None => Ok(None),
    }
}

async fn check_csrf_header(session: &Session, headers: &HeaderMap) -> Result<(), AppError> {
    let given = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
    check_csrf(session, given).await
}

/// Compares a submitted CSRF token with the session's.
pub async fn check_csrf(session: &Session, given: Option<&str>) -> Result<(), AppError> {
    let expected: Option<String> = session
        .get(SESSION_CSRF)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    match (expected, given) {
        (Some(e), Some(g)) if Sha256::digest(e.as_bytes()) == Sha256::digest(g.as_bytes()) => {
            Ok(())
        }
        _ => Err(AppError::Forbidden(
            "missing or wrong CSRF token (reload the page and try again)".into(),
        )),
    }
}

/// The session's CSRF token, made on first use.
pub async fn csrf_token(session: &Session) -> Result<String, AppError> {
    let internal = |e: tower_sessions::session::Error| AppError::Internal(e.to_string());
    if let Some(token) = session
        .get::<String>(SESSION_CSRF)
        .await
        .map_err(internal)?
    {
        return Ok(token);
    }
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AppError::Internal(e.to_string()))?;
    let token = hex::encode(bytes);
    session
        .insert(SESSION_CSRF, token.clone())
        .await
        .map_err(internal)?;
    Ok(token)
}
