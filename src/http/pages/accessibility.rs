//! The accessibility statement (tillgänglighetsredogörelse) the law asks of a public body's
//! site, in the structure Digg recommends; the operator names the body and its contact
//! address (`serve --site-owner`, `--contact-email`).
use super::record::page_language;
use super::render;
use crate::http::{AppError, SharedState};
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Html;
use minijinja::context;

pub async fn statement(
    State(state): State<SharedState>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Html<String>, AppError> {
    let lang = page_language(uri.query(), &headers);
    render(
        "accessibility.html",
        context! {
            lang => lang,
            other_lang => if lang == "en" { "sv" } else { "en" },
            owner => state.config.site_owner,
            contact => state.config.contact_email,
        },
    )
}
