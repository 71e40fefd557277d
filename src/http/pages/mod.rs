//! Server-rendered HTML pages (minijinja templates embedded in the binary): the home page,
//! record pages, the SPARQL page, the API documentation, and the publisher's pages.
mod accessibility;
pub mod admin;
mod api_docs;
pub mod assets;
mod chart;
#[cfg(test)]
mod form_tests;
mod home;
mod hosting;
pub mod publisher;
pub mod record;
mod sources;
pub mod sparql;
mod table;

use super::{AppError, AppState, SharedState};
use crate::rdf::PREFIXES;
use crate::rdf::ns::{dcterms, foaf, rdf};
use axum::Router;
use axum::response::Html;
use axum::routing::get;
pub use home::home;
use minijinja::{AutoEscape, Environment, context};
use oxigraph::model::{NamedNode, NamedOrBlankNode, Term, Triple};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::LazyLock;
pub use table::table;

/// Every page route outside the home page: the publisher's pages and the API documentation.
pub fn routes(max_upload: u64) -> Router<SharedState> {
    Router::new()
        .route("/api/docs", get(api_docs::docs))
        .route("/organisations/{key}", get(home::organisation))
        .route("/themes/{code}", get(home::theme))
        .route("/accessibility", get(accessibility::statement))
        .route("/tillganglighet", get(accessibility::statement))
        .merge(publisher::routes())
        .merge(hosting::routes(max_upload))
}

static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    for (name, source) in [
        ("layout.html", include_str!("templates/layout.html")),
        ("home.html", include_str!("templates/home.html")),
        ("resource.html", include_str!("templates/resource.html")),
        ("record.html", include_str!("templates/record.html")),
        ("sparql.html", include_str!("templates/sparql.html")),
        ("login.html", include_str!("templates/login.html")),
        ("message.html", include_str!("templates/message.html")),
        ("publish.html", include_str!("templates/publish.html")),
        (
            "dataset_form.html",
            include_str!("templates/dataset_form.html"),
        ),
        (
            "dataset_form_fields.html",
            include_str!("templates/dataset_form_fields.html"),
        ),
        ("upload.html", include_str!("templates/upload.html")),
        ("table.html", include_str!("templates/table.html")),
        ("files.html", include_str!("templates/files.html")),
        ("members.html", include_str!("templates/members.html")),
        ("tokens.html", include_str!("templates/tokens.html")),
        ("sources.html", include_str!("templates/sources.html")),
        ("source.html", include_str!("templates/source.html")),
        ("audit.html", include_str!("templates/audit.html")),
        ("invitation.html", include_str!("templates/invitation.html")),
        ("api_docs.html", include_str!("templates/api_docs.html")),
        (
            "accessibility.html",
            include_str!("templates/accessibility.html"),
        ),
    ] {
        env.add_template(name, source).expect("templates parse");
    }
    env.add_function("tr", translate);
    env.set_formatter(escape_html);
    env
});

/// HTML escaping of `&`, `<`, `>`, `"` and `'` in strings: minijinja's own also writes `/` as
/// `&#x2f;`, which makes every link and IRI in the page source unreadable (and breaks nothing
/// it protects: a slash cannot end an attribute or start a tag).
fn escape_html(
    out: &mut minijinja::Output,
    state: &minijinja::State,
    value: &minijinja::Value,
) -> Result<(), minijinja::Error> {
    let text = match value.as_str() {
        Some(text) if !value.is_safe() && state.auto_escape() == AutoEscape::Html => text,
        _ => return minijinja::escape_formatter(out, state, value),
    };
    let mut rest = text;
    while let Some(at) = rest.find(['&', '<', '>', '"', '\'']) {
        out.write_str(&rest[..at])?;
        out.write_str(match rest.as_bytes()[at] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&#x27;",
        })?;
        rest = &rest[at + 1..];
    }
    out.write_str(rest)?;
    Ok(())
}

/// `{{ tr("Svenska", "English") }}`: the text in the page's language (`lang`, Swedish by
/// default).
fn translate(state: &minijinja::State, sv: String, en: String) -> String {
    let english = state
        .lookup("lang")
        .is_some_and(|l| l.as_str() == Some("en"));
    if english { en } else { sv }
}

pub fn render(name: &str, ctx: minijinja::Value) -> Result<Html<String>, AppError> {
    TEMPLATES
        .get_template(name)
        .and_then(|t| t.render(ctx))
        .map(Html)
        .map_err(|e| AppError::Internal(format!("template {name}: {e}")))
}

/// A value as shown on a page: a link, or text with its language.
#[derive(Serialize)]
struct Shown {
    text: String,
    href: Option<String>,
    lang: Option<String>,
}

#[derive(Serialize)]
struct Section {
    iri: String,
    label: String,
    properties: BTreeMap<String, Vec<Shown>>,
}

/// `dcterms:title` style name for an IRI.
pub fn compact(iri: &str) -> String {
    PREFIXES
        .iter()
        .find_map(|(p, ns)| iri.strip_prefix(ns).map(|local| format!("{p}:{local}")))
        .unwrap_or_else(|| iri.to_owned())
}

/// The best label of a node: Swedish title or name first, then English, then any.
pub fn label_of(triples: &[Triple], node: &NamedOrBlankNode) -> Option<String> {
    let mut candidates: Vec<(u8, String)> = triples
        .iter()
        .filter(|t| &t.subject == node)
        .filter(|t| [dcterms::TITLE, foaf::NAME].contains(&t.predicate.as_ref()))
        .filter_map(|t| match &t.object {
            Term::Literal(l) => {
                let rank = match l.language() {
                    Some("sv") => 0,
                    Some("en") => 1,
                    _ => 2,
                };
                Some((rank, l.value().to_owned()))
            }
            _ => None,
        })
        .collect();
    candidates.sort();
    candidates.into_iter().next().map(|(_, v)| v)
}

/// The path of one of our own IRIs on this server (others are left as they are).
pub fn local_href(iri: &str, base: &str) -> String {
    iri.strip_prefix(base)
        .map_or(iri.to_owned(), |p| format!("/{p}"))
}

fn shown(term: &Term, base: &str) -> Shown {
    match term {
        Term::NamedNode(n) => Shown {
            text: compact(n.as_str()),
            // Our own IRIs link to their page here; others to where they point.
            href: Some(local_href(n.as_str(), base)),
            lang: None,
        },
        Term::BlankNode(b) => Shown {
            text: format!("_:{}", b.as_str()),
            href: None,
            lang: None,
        },
        Term::Literal(l) => Shown {
            text: l.value().to_owned(),
            href: None,
            lang: l.language().map(str::to_owned),
        },
    }
}

fn section(triples: &[Triple], subject: &NamedOrBlankNode, base: &str) -> Section {
    let mut properties: BTreeMap<String, Vec<Shown>> = BTreeMap::new();
    for t in triples
        .iter()
        .filter(|t| &t.subject == subject && t.predicate.as_ref() != rdf::TYPE)
    {
        properties
            .entry(compact(t.predicate.as_str()))
            .or_default()
            .push(shown(&t.object, base));
    }
    let types: Vec<Shown> = triples
        .iter()
        .filter(|t| &t.subject == subject && t.predicate.as_ref() == rdf::TYPE)
        .map(|t| shown(&t.object, base))
        .collect();
    if !types.is_empty() {
        properties.insert("rdf:type".into(), types);
    }
    let iri = match subject {
        NamedOrBlankNode::NamedNode(n) => n.as_str().to_owned(),
        NamedOrBlankNode::BlankNode(b) => format!("_:{}", b.as_str()),
    };
    Section {
        label: label_of(triples, subject).unwrap_or_else(|| compact(&iri)),
        iri,
        properties,
    }
}

/// A section for each subject of `triples` other than `main`, in their order.
fn other_sections(triples: &[Triple], main: &NamedOrBlankNode, base: &str) -> Vec<Section> {
    let mut others: Vec<&NamedOrBlankNode> = triples
        .iter()
        .map(|t| &t.subject)
        .filter(|s| *s != main)
        .collect();
    others.dedup();
    others
        .into_iter()
        .map(|s| section(triples, s, base))
        .collect()
}

/// The page of any resource: a dataset, series or data service gets its readable page in
/// `lang`; anything else (a catalogue, a distribution, an agent) its statements.
pub fn resource_page(
    state: &AppState,
    iri: &NamedNode,
    triples: &[Triple],
    lang: &'static str,
) -> Result<Html<String>, AppError> {
    if let Some(kind) = record::record_kind(triples, iri) {
        return record::record_page(state, iri, kind, triples, lang);
    }
    let base = &state.config.base_uri;
    let main: NamedOrBlankNode = iri.clone().into();
    let related = other_sections(triples, &main, base);
    let path = iri
        .as_str()
        .strip_prefix(base.as_str())
        .map(|p| format!("/{p}"));
    let warnings = stored_warnings(state, iri)?;
    // A catalogue is described for crawlers too, as a schema.org DataCatalog.
    let is_catalog =
        crate::rdf::Descriptions::new(triples).has_type(&main, crate::rdf::ns::dcat::CATALOG);
    let json_ld = is_catalog.then(|| {
        let catalog_iri = state.config.catalog_iri();
        let catalog = crate::feeds::schema_org::CatalogRef {
            iri: &catalog_iri,
            name: "katalog",
        };
        let value = crate::feeds::schema_org::describe(
            triples,
            iri,
            crate::store::RecordKind::Catalog,
            &catalog,
            &state.labels,
            lang,
        );
        record::script_json(&value)
    });
    render(
        "resource.html",
        context! {
            lang => lang,
            json_ld => json_ld,
            main => section(triples, &main, base),
            related => related,
            path => path,
            warnings => warnings,
            formats => crate::rdf::GraphFormat::ALL.iter().map(|f| (f.extension(), f.media_type())).collect::<Vec<_>>(),
        },
    )
}

/// A validation warning kept beside a record, as shown on its page.
#[derive(Serialize)]
struct Warning {
    focus: String,
    path: String,
    message: String,
}

/// The warnings stored with a record when it was written (recommended properties missing…).
fn stored_warnings(state: &AppState, iri: &NamedNode) -> Result<Vec<Warning>, AppError> {
    let Some(json) = state.catalogue.warnings(iri.as_ref())? else {
        return Ok(Vec::new());
    };
    let report: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
    let text = |v: &serde_json::Value| v.as_str().map(compact).unwrap_or_default();
    Ok(report["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["severity"] == "Warning")
        .map(|r| Warning {
            focus: text(&r["focusNode"]),
            path: text(&r["path"]),
            message: text(&r["message"]),
        })
        .collect())
}
