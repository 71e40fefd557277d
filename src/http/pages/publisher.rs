//! The publisher's web pages: log in, list the organisation's records, create and edit a
//! dataset with the form generated from the shapes, upload a file, delete. Every form carries
//! the session's CSRF token. Organisation administration is in [`super::admin`].
use super::{label_of, local_href, render};
use crate::accounts::{Organisation, Principal, Role};
use crate::http::extract::{Path, Query, SESSION_USER, check_csrf, csrf_token, session_principal};
use crate::http::handlers::publish::record_iri;
use crate::http::{AppError, SharedState};
use crate::publish::form::FormValues;
use crate::publish::{Accepts, Precondition, PublishError, Submission, ingest};
use crate::store::RecordKind;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Multipart, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use minijinja::context;
use oxigraph::model::{NamedNode, NamedOrBlankNode};
use std::collections::HashMap;
use std::net::SocketAddr;
use tower_sessions::Session;

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/publish", get(dashboard))
        .route("/publish/datasets/new", get(new_dataset).post(save_new))
        .route(
            "/publish/datasets/{id}/edit",
            get(edit_dataset).post(save_edit),
        )
        .route("/publish/records/delete", post(delete))
        .route("/publish/upload", get(upload_page).post(upload))
        .merge(super::admin::routes())
        .merge(super::sources::routes())
}

type Params = Query<HashMap<String, String>>;

/// The page language: `?lang=` remembered in the session; Swedish by default.
pub async fn page_lang(session: &Session, params: &HashMap<String, String>) -> String {
    if let Some(lang) = params.get("lang").filter(|l| *l == "sv" || *l == "en") {
        let _ = session.insert("lang", lang.clone()).await;
        return lang.clone();
    }
    session
        .get::<String>("lang")
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| "sv".into())
}

/// The logged-in principal; without one, the browser goes to the login page and back.
pub async fn require_login(
    state: &SharedState,
    session: &Session,
    back_to: &str,
) -> Result<Principal, AppError> {
    session_principal(state, session)
        .await?
        .ok_or_else(|| AppError::LoginRequired(back_to.to_owned()))
}

/// The fields of a posted form, once its CSRF token is checked.
pub async fn checked_form(session: &Session, body: &[u8]) -> Result<FormValues, AppError> {
    let form = form_fields(body);
    check_csrf(session, Some(field(&form, "csrf"))).await?;
    Ok(form)
}

/// Logs `user_id` in, under a new session id so that an id planted before cannot be
/// reused (fixation).
pub async fn log_in(session: &Session, user_id: i64) -> Result<(), AppError> {
    let internal = |e: tower_sessions::session::Error| AppError::Internal(e.to_string());
    session.cycle_id().await.map_err(internal)?;
    session
        .insert(SESSION_USER, user_id)
        .await
        .map_err(internal)
}

/// Form fields, keeping repeated names (multiple selections).
pub fn form_fields(body: &[u8]) -> FormValues {
    let mut values = FormValues::new();
    for (key, value) in url::form_urlencoded::parse(body) {
        values
            .entry(key.into_owned())
            .or_default()
            .push(value.into_owned());
    }
    values
}

pub fn field<'a>(values: &'a FormValues, name: &str) -> &'a str {
    values
        .get(name)
        .and_then(|v| v.first())
        .map(String::as_str)
        .unwrap_or("")
}

async fn login_page(session: Session, Query(params): Params) -> Result<Response, AppError> {
    let lang = page_lang(&session, &params).await;
    let csrf = csrf_token(&session).await?;
    let next = params.get("next").cloned().unwrap_or_default();
    Ok(render(
        "login.html",
        context! { lang, csrf, next, email => "", error => () },
    )?
    .into_response())
}

async fn login(
    State(state): State<SharedState>,
    session: Session,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    body: Bytes,
) -> Result<Response, AppError> {
    let form = checked_form(&session, &body).await?;
    let lang = page_lang(&session, &HashMap::new()).await;
    let email = field(&form, "email").trim().to_owned();
    let keys = [
        format!("user:{}", email.to_lowercase()),
        format!("ip:{}", client.ip()),
    ];
    for key in &keys {
        if let Err(wait) = state.login_throttle.check(key) {
            return Err(AppError::TooManyRequests(wait.as_secs().max(1)));
        }
    }
    let user = state
        .accounts()?
        .login(&email, field(&form, "password"))
        .await?;
    let Some(user) = user else {
        keys.iter().for_each(|k| state.login_throttle.failed(k));
        let csrf = csrf_token(&session).await?;
        let error = if lang == "en" {
            "Wrong e-mail address or password."
        } else {
            "Fel e-postadress eller lösenord."
        };
        let next = field(&form, "next");
        let page = render("login.html", context! { lang, csrf, next, email, error })?;
        return Ok((StatusCode::UNAUTHORIZED, page).into_response());
    };
    keys.iter().for_each(|k| state.login_throttle.succeeded(k));
    log_in(&session, user.id).await?;
    let next = field(&form, "next");
    let target = if next.starts_with('/') && !next.starts_with("//") {
        next
    } else {
        "/publish"
    };
    Ok(Redirect::to(target).into_response())
}

async fn logout(session: Session, body: Bytes) -> Result<Response, AppError> {
    checked_form(&session, &body).await?;
    session
        .flush()
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Redirect::to("/").into_response())
}

#[derive(serde::Serialize)]
struct RecordRow {
    iri: String,
    id: String,
    href: String,
    label: String,
    kind: &'static str,
    invalid: bool,
    still_served: bool,
    warnings: usize,
    modified: String,
    editable: bool,
}

#[derive(serde::Serialize)]
struct OrgView {
    orgnr: String,
    name: String,
    key: String,
    admin: bool,
    records: Vec<RecordRow>,
}

async fn dashboard(
    State(state): State<SharedState>,
    session: Session,
    Query(params): Params,
) -> Result<Response, AppError> {
    let principal = require_login(&state, &session, "/publish").await?;
    let lang = page_lang(&session, &params).await;
    let csrf = csrf_token(&session).await?;
    let organisations = visible_organisations(&state, &principal).await?;
    let views = {
        let state = state.clone();
        tokio::task::spawn_blocking(move || org_views(&state, &organisations)).await??
    };
    let actor = principal.actor;
    Ok(render(
        "publish.html",
        context! { lang, csrf, actor, organisations => views },
    )?
    .into_response())
}

/// The organisations whose records a principal sees: their own, or all for a site admin.
async fn visible_organisations(
    state: &SharedState,
    principal: &Principal,
) -> Result<Vec<(Organisation, bool)>, AppError> {
    if principal.site_admin {
        let all = state.accounts()?.organisations().await?;
        return Ok(all.into_iter().map(|o| (o, true)).collect());
    }
    Ok(principal
        .memberships
        .iter()
        .map(|(org, role)| (org.clone(), *role == Role::Admin))
        .collect())
}

fn org_views(
    state: &SharedState,
    organisations: &[(Organisation, bool)],
) -> Result<Vec<OrgView>, AppError> {
    let index = state.catalogue.index()?;
    let dataset_prefix = state.config.iri_for_path("datasets/");
    let mut views = Vec::new();
    for (org, admin) in organisations {
        let mut records = Vec::new();
        for info in &index.records {
            if info.publisher.as_ref().map(NamedNode::as_str) != Some(&org.publisher_iri) {
                continue;
            }
            let triples = state
                .catalogue
                .record(info.iri.as_ref())?
                .unwrap_or_default();
            let node = NamedOrBlankNode::from(info.iri.clone());
            let warnings = state
                .catalogue
                .warnings(info.iri.as_ref())?
                .and_then(|w| serde_json::from_str::<serde_json::Value>(&w).ok())
                .and_then(|w| w["results"].as_array().map(Vec::len))
                .unwrap_or(0);
            let id = info
                .iri
                .as_str()
                .strip_prefix(&dataset_prefix)
                .unwrap_or("")
                .to_owned();
            records.push(RecordRow {
                iri: info.iri.as_str().to_owned(),
                editable: info.kind == RecordKind::Dataset && !id.contains('/') && !id.is_empty(),
                id,
                href: local_href(info.iri.as_str(), &state.config.base_uri),
                label: label_of(&triples, &node).unwrap_or_else(|| info.iri.as_str().to_owned()),
                kind: kind_name(info.kind),
                invalid: info.invalid,
                still_served: info.still_served,
                warnings,
                modified: info.modified.date().to_string(),
            });
        }
        views.push(OrgView {
            key: crate::feeds::organisations::org_key(&NamedNode::new_unchecked(
                org.publisher_iri.clone(),
            )),
            orgnr: org.orgnr.clone(),
            name: org.name.clone(),
            admin: *admin,
            records,
        });
    }
    Ok(views)
}

fn kind_name(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Dataset => "dcat:Dataset",
        RecordKind::DataService => "dcat:DataService",
        RecordKind::DatasetSeries => "dcat:DatasetSeries",
        RecordKind::Catalog => "dcat:Catalog",
    }
}

/// The organisation named by `org` (orgnr) that the principal publishes for.
async fn chosen_organisation(
    state: &SharedState,
    principal: &Principal,
    orgnr: Option<&str>,
) -> Result<Organisation, AppError> {
    let orgnr = match orgnr.filter(|o| !o.is_empty()) {
        Some(o) => o.to_owned(),
        None => principal
            .memberships
            .first()
            .map(|(o, _)| o.orgnr.clone())
            .ok_or_else(|| AppError::Forbidden("you belong to no organisation".into()))?,
    };
    let org = state.accounts()?.organisation(&orgnr).await?;
    if principal.member_of(org.id) {
        Ok(org)
    } else {
        Err(AppError::Forbidden(format!(
            "you do not publish for {}",
            org.name
        )))
    }
}

struct FormPage {
    heading: String,
    action: String,
    organisation: Organisation,
    values: FormValues,
    errors: std::collections::BTreeMap<String, Vec<String>>,
    etag: String,
}

async fn render_form(
    state: &SharedState,
    session: &Session,
    lang: &str,
    page: FormPage,
) -> Result<Html<String>, AppError> {
    let form = state
        .form
        .as_ref()
        .ok_or_else(|| AppError::Unavailable("the dataset form needs the shapes".into()))?;
    let csrf = csrf_token(session).await?;
    render(
        "dataset_form.html",
        context! {
            lang, csrf,
            heading => page.heading,
            action => page.action,
            organisation => page.organisation,
            fields => form.fields,
            values => page.values,
            errors => page.errors,
            etag => page.etag,
        },
    )
}

async fn new_dataset(
    State(state): State<SharedState>,
    session: Session,
    Query(params): Params,
) -> Result<Response, AppError> {
    let principal = require_login(&state, &session, "/publish/datasets/new").await?;
    let lang = page_lang(&session, &params).await;
    let organisation =
        chosen_organisation(&state, &principal, params.get("org").map(String::as_str)).await?;
    let heading = tr(&lang, "Ny datamängd", "New dataset");
    let page = FormPage {
        heading,
        action: "/publish/datasets/new".into(),
        organisation,
        values: FormValues::new(),
        errors: Default::default(),
        etag: String::new(),
    };
    Ok(render_form(&state, &session, &lang, page)
        .await?
        .into_response())
}

async fn save_new(
    State(state): State<SharedState>,
    session: Session,
    body: Bytes,
) -> Result<Response, AppError> {
    let principal = require_login(&state, &session, "/publish/datasets/new").await?;
    let values = checked_form(&session, &body).await?;
    let organisation = chosen_organisation(&state, &principal, Some(field(&values, "org"))).await?;
    let id = new_dataset_id(&state, &values)?;
    let iri = record_iri(&state, RecordKind::Dataset, &id)?;
    let target = SaveTarget {
        iri,
        action: "/publish/datasets/new".into(),
        heading: ("Ny datamängd", "New dataset"),
        precondition: Precondition::IfNoneMatchAny,
    };
    save(&state, &session, &principal, organisation, values, target).await
}

async fn edit_dataset(
    State(state): State<SharedState>,
    session: Session,
    Path(id): Path<String>,
    Query(params): Params,
) -> Result<Response, AppError> {
    let back = format!("/publish/datasets/{id}/edit");
    let principal = require_login(&state, &session, &back).await?;
    let lang = page_lang(&session, &params).await;
    let iri = record_iri(&state, RecordKind::Dataset, &id)?;
    let (organisation, stored) = editable_record(&state, &principal, &iri).await?;
    let form = state
        .form
        .as_ref()
        .ok_or_else(|| AppError::Unavailable("the dataset form needs the shapes".into()))?;
    let values = form.values_of(&iri, &stored);
    let etag = crate::rdf::record_tags(&mut stored.clone())
        .into_iter()
        .next()
        .unwrap_or_default();
    let page = FormPage {
        heading: tr(&lang, "Redigera datamängd", "Edit dataset"),
        action: back,
        organisation,
        values,
        errors: Default::default(),
        etag,
    };
    Ok(render_form(&state, &session, &lang, page)
        .await?
        .into_response())
}

async fn save_edit(
    State(state): State<SharedState>,
    session: Session,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let action = format!("/publish/datasets/{id}/edit");
    let principal = require_login(&state, &session, &action).await?;
    let values = checked_form(&session, &body).await?;
    let iri = record_iri(&state, RecordKind::Dataset, &id)?;
    let (organisation, _) = editable_record(&state, &principal, &iri).await?;
    let etag = field(&values, "etag").to_owned();
    let target = SaveTarget {
        iri,
        action,
        heading: ("Redigera datamängd", "Edit dataset"),
        precondition: Precondition::IfMatch(vec![etag]),
    };
    save(&state, &session, &principal, organisation, values, target).await
}

/// A stored dataset the principal may edit, with its organisation.
pub(super) async fn editable_record(
    state: &SharedState,
    principal: &Principal,
    iri: &NamedNode,
) -> Result<(Organisation, Vec<oxigraph::model::Triple>), AppError> {
    let stored = state
        .catalogue
        .record(iri.as_ref())?
        .ok_or(AppError::NotFound)?;
    let index = state.catalogue.index()?;
    crate::publish::authorize_stored(principal, &index, iri)?;
    let publisher = index
        .get(iri)
        .and_then(|r| r.publisher.clone())
        .ok_or_else(|| AppError::Forbidden("the record names no publisher".into()))?;
    let organisation = state
        .accounts()?
        .organisation_by_publisher(publisher.as_str())
        .await?
        .ok_or_else(|| AppError::Forbidden("no organisation publishes this record".into()))?;
    Ok((organisation, stored))
}

struct SaveTarget {
    iri: NamedNode,
    action: String,
    heading: (&'static str, &'static str),
    precondition: Precondition,
}

/// Builds the record from the form, validates and stores it; on violations the form comes
/// back with each message beside its field (422).
async fn save(
    state: &SharedState,
    session: &Session,
    principal: &Principal,
    organisation: Organisation,
    values: FormValues,
    target: SaveTarget,
) -> Result<Response, AppError> {
    let lang = page_lang(session, &HashMap::new()).await;
    let form = state
        .form
        .clone()
        .ok_or_else(|| AppError::Unavailable("the dataset form needs the shapes".into()))?;
    let stored = state
        .catalogue
        .record(target.iri.as_ref())?
        .unwrap_or_default();
    let publisher = NamedNode::new_unchecked(organisation.publisher_iri.clone());
    let triples = form.to_triples(
        &target.iri,
        &values,
        &stored,
        &publisher,
        &organisation.name,
    );
    let submission = Submission {
        triples: triples.into_iter().collect(),
        only: Some(target.iri.clone()),
        accepts: Accepts::Any,
        precondition: target.precondition,
    };
    let outcome = ingest(&state.publishing(), Some(principal), submission).await;
    let errors = match outcome {
        Ok(_) => {
            let href = local_href(target.iri.as_str(), &state.config.base_uri);
            return Ok(Redirect::to(&href).into_response());
        }
        Err(PublishError::Invalid(report)) => form.errors(&report, &target.iri, &lang),
        Err(PublishError::PreconditionFailed) => {
            let message = tr(
                &lang,
                "Någon annan har ändrat datamängden sedan du öppnade den. Öppna den igen.",
                "Someone else changed the dataset since you opened it. Open it again.",
            );
            std::collections::BTreeMap::from([(String::new(), vec![message])])
        }
        Err(e) => return Err(AppError::from(e)),
    };
    let page = FormPage {
        heading: tr(&lang, target.heading.0, target.heading.1),
        action: target.action,
        organisation,
        etag: field(&values, "etag").to_owned(),
        values,
        errors,
    };
    let html = render_form(state, session, &lang, page).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
}

/// A readable, unused id for a new dataset: from its Swedish title, with a number if taken.
fn new_dataset_id(state: &SharedState, values: &FormValues) -> Result<String, AppError> {
    let title = [field(values, "title@sv"), field(values, "title@en")]
        .into_iter()
        .find(|t| !t.trim().is_empty())
        .unwrap_or("datamangd");
    let slug = slugify(title);
    for n in 1.. {
        let id = if n == 1 {
            slug.clone()
        } else {
            format!("{slug}-{n}")
        };
        let iri = record_iri(state, RecordKind::Dataset, &id)?;
        let taken = state.catalogue.record(iri.as_ref())?.is_some()
            || state.catalogue.is_deleted(iri.as_ref())?;
        if !taken {
            return Ok(id);
        }
    }
    unreachable!("some number is free")
}

fn slugify(text: &str) -> String {
    let mut slug = String::new();
    for c in text.to_lowercase().chars() {
        let c = match c {
            'å' | 'ä' | 'à' | 'á' => 'a',
            'ö' | 'ø' | 'ó' => 'o',
            'é' | 'è' => 'e',
            'ü' => 'u',
            c if c.is_ascii_alphanumeric() => c,
            _ => '-',
        };
        if c != '-' || !slug.ends_with('-') {
            slug.push(c);
        }
        if slug.len() >= 60 {
            break;
        }
    }
    let slug = slug.trim_matches('-').to_owned();
    if slug.is_empty() {
        "datamangd".into()
    } else {
        slug
    }
}

pub fn tr(lang: &str, sv: &str, en: &str) -> String {
    if lang == "en" { en.into() } else { sv.into() }
}

async fn delete(
    State(state): State<SharedState>,
    session: Session,
    body: Bytes,
) -> Result<Response, AppError> {
    let principal = require_login(&state, &session, "/publish").await?;
    let values = checked_form(&session, &body).await?;
    let iri = NamedNode::new(field(&values, "iri"))
        .map_err(|e| AppError::BadRequest(format!("record IRI: {e}")))?;
    crate::publish::delete_record(&state.publishing(), &principal, &iri, Precondition::None)
        .await?;
    Ok(Redirect::to("/publish").into_response())
}

async fn upload_page(
    State(state): State<SharedState>,
    session: Session,
    Query(params): Params,
) -> Result<Response, AppError> {
    let principal = require_login(&state, &session, "/publish/upload").await?;
    let lang = page_lang(&session, &params).await;
    let org =
        chosen_organisation(&state, &principal, params.get("org").map(String::as_str)).await?;
    let csrf = csrf_token(&session).await?;
    Ok(render(
        "upload.html",
        context! { lang, csrf, orgnr => org.orgnr, error => (), problems => () },
    )?
    .into_response())
}

/// A file upload from the browser: stored as `POST /datasets` would, all or nothing.
async fn upload(
    State(state): State<SharedState>,
    session: Session,
    Query(params): Params,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    let principal = require_login(&state, &session, "/publish/upload").await?;
    let lang = page_lang(&session, &params).await;
    let org =
        chosen_organisation(&state, &principal, params.get("org").map(String::as_str)).await?;
    let mut csrf_given = None;
    let mut file: Option<(String, Bytes)> = None;
    while let Some(part) = multipart
        .next_field()
        .await
        .map_err(|e| AppError::BadRequest(e.to_string()))?
    {
        match part.name() {
            Some("csrf") => csrf_given = part.text().await.ok(),
            Some("file") => {
                let name = part.file_name().unwrap_or("upload.ttl").to_owned();
                let bytes = part
                    .bytes()
                    .await
                    .map_err(|e| AppError::BadRequest(e.to_string()))?;
                file = Some((name, bytes));
            }
            _ => {}
        }
    }
    check_csrf(&session, csrf_given.as_deref()).await?;
    let (name, bytes) = file.ok_or_else(|| AppError::BadRequest("no file was sent".into()))?;
    let outcome = store_upload(&state, &principal, &name, bytes).await;
    let problems: Vec<String> = match outcome {
        Ok(()) => return Ok(Redirect::to("/publish").into_response()),
        Err(PublishError::Invalid(report)) => report
            .results
            .iter()
            .filter(|r| r.severity == crate::shacl::Severity::Violation)
            .map(|r| {
                format!(
                    "<{}>: {}",
                    r.focus_node,
                    r.message_in(&lang).unwrap_or_default()
                )
            })
            .collect(),
        Err(
            e @ (PublishError::Syntax(_)
            | PublishError::NotYours(_)
            | PublishError::NoRecords
            | PublishError::WrongKind(_)
            | PublishError::UnsupportedFormat(_)),
        ) => {
            vec![e.to_string()]
        }
        Err(e) => return Err(e.into()),
    };
    let csrf = csrf_token(&session).await?;
    let error = tr(&lang, "Inget sparades.", "Nothing was stored.");
    let page = render(
        "upload.html",
        context! { lang, csrf, orgnr => org.orgnr, error, problems },
    )?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

async fn store_upload(
    state: &SharedState,
    principal: &Principal,
    name: &str,
    bytes: Bytes,
) -> Result<(), PublishError> {
    let format = crate::rdf::input_format_for_path(std::path::Path::new(name))
        .ok_or_else(|| PublishError::UnsupportedFormat(name.to_owned()))?;
    let base = &state.config.base_uri;
    let triples =
        crate::publish::parse_body(bytes, format, base, state.config.parse_limits).await?;
    let submission = Submission {
        triples,
        only: None,
        accepts: Accepts::Any,
        precondition: Precondition::None,
    };
    ingest(&state.publishing(), Some(principal), submission).await?;
    Ok(())
}
