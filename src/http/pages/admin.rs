//! Organisation administration for org admins: members and their roles, invitation links,
//! API tokens, and the audit log (HTML and CSV).
use super::publisher::{checked_form, field, log_in, page_lang, require_login, tr};
use super::render;
use crate::accounts::{Organisation, Principal, Role, audit_csv};
use crate::http::extract::{Path, Query, csrf_token};
use crate::http::{AppError, SharedState};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use minijinja::context;
use std::collections::HashMap;
use tower_sessions::Session;

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/publish/org/{orgnr}/members", get(members))
        .route(
            "/publish/org/{orgnr}/members/{user}/role",
            post(change_role),
        )
        .route(
            "/publish/org/{orgnr}/members/{user}/remove",
            post(remove_member),
        )
        .route("/publish/org/{orgnr}/invitations", post(invite))
        .route(
            "/publish/org/{orgnr}/tokens",
            get(tokens).post(create_token),
        )
        .route(
            "/publish/org/{orgnr}/tokens/{id}/revoke",
            post(revoke_token),
        )
        .route("/publish/org/{orgnr}/audit", get(audit))
        .route("/publish/org/{orgnr}/audit.csv", get(audit_as_csv))
        .route("/invitations/{secret}", get(invitation).post(accept))
}

type Params = Query<HashMap<String, String>>;

/// The logged-in principal if they administer `orgnr`; 403 for editors and outsiders.
async fn admin_of(
    state: &SharedState,
    session: &Session,
    orgnr: &str,
) -> Result<(Principal, Organisation), AppError> {
    let back = format!("/publish/org/{orgnr}/members");
    admin_of_for(
        state,
        session,
        orgnr,
        &back,
        "its users, tokens and audit log",
    )
    .await
}

/// The logged-in admin of organisation `orgnr` (a login sends back to `back`), or 403
/// naming what only its admins manage.
pub(super) async fn admin_of_for(
    state: &SharedState,
    session: &Session,
    orgnr: &str,
    back: &str,
    managed: &str,
) -> Result<(Principal, Organisation), AppError> {
    let principal = require_login(state, session, back).await?;
    let org = state.accounts()?.organisation(orgnr).await?;
    if !principal.administers(org.id) {
        return Err(AppError::Forbidden(format!(
            "only administrators of {} manage {managed}",
            org.name
        )));
    }
    Ok((principal, org))
}

#[derive(serde::Serialize)]
struct MemberRow {
    id: i64,
    email: String,
    role: &'static str,
}

async fn members(
    State(state): State<SharedState>,
    session: Session,
    Path(orgnr): Path<String>,
    Query(params): Params,
) -> Result<Response, AppError> {
    let (_, organisation) = admin_of(&state, &session, &orgnr).await?;
    let lang = page_lang(&session, &params).await;
    let csrf = csrf_token(&session).await?;
    let accounts = state.accounts()?;
    let members: Vec<MemberRow> = accounts
        .members(organisation.id)
        .await?
        .into_iter()
        .map(|(u, role)| MemberRow {
            id: u.id,
            email: u.email,
            role: role.as_str(),
        })
        .collect();
    let invitations = accounts.open_invitations(organisation.id).await?;
    Ok(render(
        "members.html",
        context! { lang, csrf, organisation, members, invitations },
    )?
    .into_response())
}

async fn change_role(
    State(state): State<SharedState>,
    session: Session,
    Path((orgnr, user)): Path<(String, i64)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (_, org) = admin_of(&state, &session, &orgnr).await?;
    let form = checked_form(&session, &body).await?;
    let role = Role::parse(field(&form, "role"))?;
    let accounts = state.accounts()?;
    let member = accounts
        .members(org.id)
        .await?
        .into_iter()
        .find(|(u, _)| u.id == user)
        .ok_or(AppError::NotFound)?;
    accounts.grant(&member.0.email, &org, role).await?;
    Ok(Redirect::to(&format!("/publish/org/{orgnr}/members")).into_response())
}

async fn remove_member(
    State(state): State<SharedState>,
    session: Session,
    Path((orgnr, user)): Path<(String, i64)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (_, org) = admin_of(&state, &session, &orgnr).await?;
    checked_form(&session, &body).await?;
    state.accounts()?.revoke_membership(user, org.id).await?;
    Ok(Redirect::to(&format!("/publish/org/{orgnr}/members")).into_response())
}

/// Creates an invitation and shows its link, to pass on by any means (katalog sends no mail).
async fn invite(
    State(state): State<SharedState>,
    session: Session,
    Path(orgnr): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (principal, org) = admin_of(&state, &session, &orgnr).await?;
    let form = checked_form(&session, &body).await?;
    let lang = page_lang(&session, &HashMap::new()).await;
    let role = Role::parse(field(&form, "role"))?;
    let email = field(&form, "email");
    let secret = state
        .accounts()?
        .invite(org.id, email, role, &principal.actor)
        .await?;
    let link = state.config.iri_for_path(&format!("invitations/{secret}"));
    let text = tr(
        &lang,
        &format!("Skicka länken till {email}. Den gäller i sju dagar och kan användas en gång."),
        &format!("Send the link to {email}. It is valid for seven days and can be used once."),
    );
    let heading = tr(&lang, "Inbjudan skapad", "Invitation created");
    let back = format!("/publish/org/{orgnr}/members");
    Ok(render(
        "message.html",
        context! { lang, heading, text, secret => link, back },
    )?
    .into_response())
}

async fn invitation(
    State(state): State<SharedState>,
    session: Session,
    Path(secret): Path<String>,
    Query(params): Params,
) -> Result<Response, AppError> {
    let lang = page_lang(&session, &params).await;
    let (org, email, _) = state
        .accounts()?
        .invitation(&secret)
        .await?
        .ok_or(AppError::NotFound)?;
    let csrf = csrf_token(&session).await?;
    Ok(render(
        "invitation.html",
        context! { lang, csrf, organisation => org.name, email, error => () },
    )?
    .into_response())
}

async fn accept(
    State(state): State<SharedState>,
    session: Session,
    Path(secret): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let form = checked_form(&session, &body).await?;
    let accounts = state.accounts()?;
    let (org, email, _) = accounts
        .invitation(&secret)
        .await?
        .ok_or(AppError::NotFound)?;
    match accounts
        .accept_invitation(&secret, field(&form, "password"))
        .await
    {
        Ok(user) => {
            log_in(&session, user.id).await?;
            Ok(Redirect::to("/publish").into_response())
        }
        Err(crate::accounts::AccountsError::Invalid(error)) => {
            let lang = page_lang(&session, &HashMap::new()).await;
            let csrf = csrf_token(&session).await?;
            let page = render(
                "invitation.html",
                context! { lang, csrf, organisation => org.name, email, error },
            )?;
            Ok((StatusCode::BAD_REQUEST, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Serialize)]
struct TokenRow {
    id: i64,
    label: String,
    created_by: String,
    expires: Option<String>,
    active: bool,
}

async fn tokens(
    State(state): State<SharedState>,
    session: Session,
    Path(orgnr): Path<String>,
    Query(params): Params,
) -> Result<Response, AppError> {
    let (_, organisation) = admin_of(&state, &session, &orgnr).await?;
    let lang = page_lang(&session, &params).await;
    let csrf = csrf_token(&session).await?;
    let tokens: Vec<TokenRow> = state
        .accounts()?
        .tokens(organisation.id)
        .await?
        .into_iter()
        .map(|t| TokenRow {
            active: t.active(),
            id: t.id,
            label: t.label,
            created_by: t.created_by,
            expires: t.expires_at.map(date_of),
        })
        .collect();
    Ok(render("tokens.html", context! { lang, csrf, organisation, tokens })?.into_response())
}

fn date_of(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| t.date().to_string())
        .unwrap_or_default()
}

/// Creates a token and shows it once.
async fn create_token(
    State(state): State<SharedState>,
    session: Session,
    Path(orgnr): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (principal, org) = admin_of(&state, &session, &orgnr).await?;
    let form = checked_form(&session, &body).await?;
    let lang = page_lang(&session, &HashMap::new()).await;
    let days = match field(&form, "expires_days").trim() {
        "" => None,
        d => Some(
            d.parse::<u32>()
                .map_err(|_| AppError::BadRequest(format!("{d:?} is not a number of days")))?,
        ),
    };
    let (secret, id) = state
        .accounts()?
        .create_token(org.id, field(&form, "label"), &principal.actor, days)
        .await?;
    let heading = tr(&lang, "Ny API-nyckel", "New API token");
    let text = tr(
        &lang,
        &format!("Nyckel #{id}. Kopiera den nu: den visas bara den här gången."),
        &format!("Token #{id}. Copy it now: it is shown only this once."),
    );
    let back = format!("/publish/org/{orgnr}/tokens");
    Ok(render(
        "message.html",
        context! { lang, heading, text, secret, back },
    )?
    .into_response())
}

async fn revoke_token(
    State(state): State<SharedState>,
    session: Session,
    Path((orgnr, id)): Path<(String, i64)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (_, org) = admin_of(&state, &session, &orgnr).await?;
    checked_form(&session, &body).await?;
    state.accounts()?.revoke_token(org.id, id).await?;
    Ok(Redirect::to(&format!("/publish/org/{orgnr}/tokens")).into_response())
}

#[derive(serde::Serialize)]
struct AuditRow {
    time: String,
    actor: String,
    record: String,
    action: String,
    hash_before: Option<String>,
    hash_after: Option<String>,
}

async fn audit(
    State(state): State<SharedState>,
    session: Session,
    Path(orgnr): Path<String>,
    Query(params): Params,
) -> Result<Response, AppError> {
    let (_, organisation) = admin_of(&state, &session, &orgnr).await?;
    let lang = page_lang(&session, &params).await;
    let entries: Vec<AuditRow> = state
        .accounts()?
        .audit_log(organisation.id)
        .await?
        .into_iter()
        .map(|e| AuditRow {
            time: e.time(),
            actor: e.actor,
            record: e.record,
            action: e.action,
            hash_before: e.hash_before,
            hash_after: e.hash_after,
        })
        .collect();
    Ok(render("audit.html", context! { lang, organisation, entries })?.into_response())
}

async fn audit_as_csv(
    State(state): State<SharedState>,
    session: Session,
    Path(orgnr): Path<String>,
) -> Result<Response, AppError> {
    let (_, organisation) = admin_of(&state, &session, &orgnr).await?;
    let entries = state.accounts()?.audit_log(organisation.id).await?;
    let disposition = format!("attachment; filename=\"audit-{}.csv\"", organisation.orgnr);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        audit_csv(&entries),
    )
        .into_response())
}
