//! The page of a dataset, dataset series or data service, for people: every value by its
//! label in the reader's language (Swedish or English), the distributions as a list with
//! their links, the services that serve the data, the record's warnings, the RDF forms, and
//! the raw metadata for specialists. A schema.org description is embedded for crawlers.
use super::{Section, Warning, compact, local_href, other_sections, render, section};
use crate::feeds::organisations::org_key;
use crate::feeds::schema_org::{self, CatalogRef};
use crate::http::{AppError, AppState};
use crate::rdf::Descriptions;
use crate::rdf::ns::{dcat, dcterms, foaf, skos, vcard};
use crate::store::RecordKind;
use axum::http::HeaderMap;
use axum::response::Html;
use minijinja::context;
use oxigraph::model::{NamedNode, NamedOrBlankNode, Triple};
use serde::Serialize;

/// The page language: `?lang=sv|en`, else the first of them `Accept-Language` names,
/// else Swedish.
pub fn page_language(query: Option<&str>, headers: &HeaderMap) -> &'static str {
    let asked = query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .find_map(|pair| pair.strip_prefix("lang="));
    match asked {
        Some("en") => return "en",
        Some("sv") => return "sv",
        _ => {}
    }
    let accepted = headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let mut ranked: Vec<(f32, &str)> = accepted
        .split(',')
        .filter_map(|part| {
            let mut pieces = part.split(';');
            let tag = pieces.next()?.trim();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse().ok())
                .unwrap_or(1.0);
            Some((q, tag))
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    ranked
        .iter()
        .find_map(|(_, tag)| {
            let primary = tag.split('-').next().unwrap_or_default();
            match primary.to_ascii_lowercase().as_str() {
                "en" => Some("en"),
                "sv" | "nb" | "nn" | "no" | "da" => Some("sv"),
                _ => None,
            }
        })
        .unwrap_or("sv")
}

const EU_THEMES: &str = "http://publications.europa.eu/resource/authority/data-theme/";

/// A value shown by its label, linked where it has an address.
#[derive(Serialize)]
struct Named {
    text: String,
    href: Option<String>,
}

#[derive(Serialize)]
struct Distribution {
    title: String,
    description: Option<String>,
    format: Option<String>,
    licence: Option<Named>,
    size: Option<String>,
    download: Vec<String>,
    access: Vec<String>,
    /// The data API's page of a hosted table.
    table: Option<String>,
    preview: Option<Preview>,
}

/// Rows a dataset page shows of each hosted table.
const PREVIEW_ROWS: usize = 5;

/// The first rows of a hosted table, as text.
#[derive(Serialize)]
struct Preview {
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
    total: u64,
}

#[derive(Serialize)]
struct Contact {
    name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    url: Option<String>,
}

/// Everything the page shows of the record.
#[derive(Serialize)]
struct View {
    kind: &'static str,
    iri: String,
    title: String,
    description: Vec<String>,
    keywords: Vec<String>,
    publisher: Option<Named>,
    contacts: Vec<Contact>,
    themes: Vec<Named>,
    frequency: Option<Named>,
    access_rights: Option<Named>,
    licences: Vec<Named>,
    spatial: Vec<Named>,
    temporal: Vec<String>,
    issued: Option<String>,
    modified: Option<String>,
    landing_pages: Vec<String>,
    conforms_to: Vec<Named>,
    distributions: Vec<Distribution>,
    /// The data services that serve this dataset.
    services: Vec<Named>,
    /// For a data service: where it answers, its description and the datasets it serves.
    endpoints: Vec<String>,
    endpoint_descriptions: Vec<String>,
    serves: Vec<Named>,
}

/// Reads the record for the page.
struct Reader<'a> {
    d: Descriptions<'a>,
    triples: &'a [Triple],
    state: &'a AppState,
    lang: &'a str,
}

impl Reader<'_> {
    /// An IRI by its vocabulary label, or the record's own name for it, or the IRI itself.
    fn named(&self, iri: &NamedNode) -> Named {
        let node = NamedOrBlankNode::from(iri.clone());
        let text = self
            .state
            .labels
            .of(iri.as_str(), self.lang)
            .map(str::to_owned)
            .or_else(|| self.text(&node, skos::PREF_LABEL))
            .or_else(|| {
                self.d
                    .text(&node, dcterms::TITLE, self.lang)
                    .map(str::to_owned)
            })
            .or_else(|| self.d.text(&node, foaf::NAME, self.lang).map(str::to_owned))
            .or_else(|| record_title(self.state, iri, self.lang))
            .unwrap_or_else(|| compact(iri.as_str()));
        Named {
            text,
            href: Some(local_href(iri.as_str(), &self.state.config.base_uri)),
        }
    }

    fn all_named(
        &self,
        node: &NamedOrBlankNode,
        p: oxigraph::model::NamedNodeRef<'_>,
    ) -> Vec<Named> {
        self.d
            .iris(node, p)
            .into_iter()
            .map(|i| self.named(i))
            .collect()
    }

    fn text(
        &self,
        node: &NamedOrBlankNode,
        p: oxigraph::model::NamedNodeRef<'_>,
    ) -> Option<String> {
        self.d.text(node, p, self.lang).map(str::to_owned)
    }

    fn urls(&self, node: &NamedOrBlankNode, p: oxigraph::model::NamedNodeRef<'_>) -> Vec<String> {
        self.d
            .iris(node, p)
            .iter()
            .map(|i| i.as_str().to_owned())
            .collect()
    }

    fn publisher(&self, node: &NamedOrBlankNode) -> Option<Named> {
        let publisher = self.d.iris(node, dcterms::PUBLISHER).into_iter().next()?;
        let mut named = self.named(publisher);
        // The publisher's page here: its records.
        named.href = Some(format!("/organisations/{}", org_key(publisher)));
        Some(named)
    }

    fn contacts(&self, node: &NamedOrBlankNode) -> Vec<Contact> {
        let strip = |u: &str, scheme: &str| u.strip_prefix(scheme).unwrap_or(u).to_owned();
        self.d
            .nodes(node, dcat::CONTACT_POINT)
            .iter()
            .map(|c| Contact {
                name: self.text(c, vcard::FN),
                email: self
                    .d
                    .iris(c, vcard::HAS_EMAIL)
                    .first()
                    .map(|e| strip(e.as_str(), "mailto:")),
                phone: self
                    .d
                    .iris(c, vcard::HAS_TELEPHONE)
                    .first()
                    .map(|t| strip(t.as_str(), "tel:")),
                url: self
                    .d
                    .iris(c, vcard::HAS_URL)
                    .first()
                    .map(|u| u.as_str().to_owned()),
            })
            .collect()
    }

    fn distribution(&self, x: &NamedOrBlankNode) -> Distribution {
        let download = self.urls(x, dcat::DOWNLOAD_URL);
        let media_type = schema_org::media_type(&self.d, x);
        let hosted = download
            .iter()
            .find_map(|u| self.hosted_table(u, media_type.as_deref()?));
        let preview = hosted
            .as_ref()
            .and_then(|(id, name)| self.preview(id, name));
        let table = hosted.map(|(id, name)| format!("/data/{id}/{name}"));
        let format = media_type.map(|m| {
            self.state
                .labels
                .of_notation(&m, self.lang)
                .map_or(m.clone(), str::to_owned)
        });
        let size = self
            .d
            .all_texts(x, dcat::BYTE_SIZE)
            .first()
            .and_then(|s| s.trim().parse::<u64>().ok())
            .map(byte_size);
        Distribution {
            title: self
                .text(x, dcterms::TITLE)
                .or_else(|| format.clone())
                .unwrap_or_else(|| tr(self.lang, "Distribution", "Distribution")),
            description: self.text(x, dcterms::DESCRIPTION),
            format,
            licence: self
                .d
                .iris(x, dcterms::LICENSE)
                .first()
                .map(|l| self.named(l)),
            size,
            // An access URL that is also a download URL is shown once, as the download.
            access: self
                .urls(x, dcat::ACCESS_URL)
                .into_iter()
                .filter(|u| !download.contains(u))
                .collect(),
            download,
            table,
            preview,
        }
    }

    /// The first rows of a hosted table whose table is loaded (a preview never loads one).
    fn preview(&self, id: &str, name: &str) -> Option<Preview> {
        let files = self.state.files.as_ref()?;
        let version = files.current(id, name).ok()??;
        let dictionary = files.dictionary(id, name).ok()?;
        let table = files.loaded_table(&version, &dictionary)?;
        let query = crate::data::query::Query {
            size: PREVIEW_ROWS,
            ..Default::default()
        };
        let limit = std::time::Duration::from_millis(500);
        let page = crate::data::query::run(&table, &query, limit).ok()?;
        Some(Preview {
            columns: page.columns.iter().map(|c| c.name.clone()).collect(),
            rows: page
                .rows
                .iter()
                .map(|r| r.values.iter().map(crate::data::query::text).collect())
                .collect(),
            total: page.total.unwrap_or_default(),
        })
    }

    /// The dataset id and distribution name of a tabular file katalog hosts (its download
    /// URL is `{base}datasets/{id}/distributions/{name}/file`).
    fn hosted_table(&self, url: &str, media_type: &str) -> Option<(String, String)> {
        if !crate::data::table::is_tabular(media_type) {
            return None;
        }
        let distribution = url.strip_suffix(&format!("/{}", crate::data::FILE_SEGMENT))?;
        crate::data::distribution_of(&self.state.config.base_uri, distribution)
    }

    fn view(&self, iri: &NamedNode, kind: RecordKind, services: Vec<Named>) -> View {
        let node = NamedOrBlankNode::from(iri.clone());
        let distributions = self.d.nodes(&node, dcat::DISTRIBUTION_LINK);
        let temporal = self
            .d
            .nodes(&node, dcterms::TEMPORAL)
            .iter()
            .filter_map(|p| schema_org::period_text(&self.d, p))
            .map(|t| t.replace('/', " – ").replace("..", "…"))
            .collect();
        View {
            kind: match kind {
                RecordKind::DataService => "service",
                RecordKind::DatasetSeries => "series",
                _ => "dataset",
            },
            iri: iri.as_str().to_owned(),
            title: self
                .text(&node, dcterms::TITLE)
                .unwrap_or_else(|| compact(iri.as_str())),
            description: self
                .text(&node, dcterms::DESCRIPTION)
                .map(|d| paragraphs(&d))
                .unwrap_or_default(),
            keywords: self
                .d
                .texts(&node, dcat::KEYWORD, self.lang)
                .into_iter()
                .map(str::to_owned)
                .collect(),
            publisher: self.publisher(&node),
            contacts: self.contacts(&node),
            themes: self
                .all_named(&node, dcat::THEME)
                .into_iter()
                .map(|mut theme| {
                    // An EU data theme has its page here.
                    if let Some(code) = theme
                        .href
                        .as_deref()
                        .and_then(|h| h.strip_prefix(EU_THEMES))
                    {
                        theme.href = Some(format!("/themes/{code}"));
                    }
                    theme
                })
                .collect(),
            frequency: self
                .all_named(&node, dcterms::ACCRUAL_PERIODICITY)
                .into_iter()
                .next(),
            access_rights: self
                .all_named(&node, dcterms::ACCESS_RIGHTS)
                .into_iter()
                .next(),
            licences: self.all_named(&node, dcterms::LICENSE),
            spatial: self.all_named(&node, dcterms::SPATIAL),
            temporal,
            issued: self.text(&node, dcterms::ISSUED),
            modified: self.text(&node, dcterms::MODIFIED),
            landing_pages: self.urls(&node, dcat::LANDING_PAGE),
            conforms_to: self.all_named(&node, dcterms::CONFORMS_TO),
            distributions: distributions.iter().map(|x| self.distribution(x)).collect(),
            services,
            endpoints: self.urls(&node, dcat::ENDPOINT_URL),
            endpoint_descriptions: self.urls(&node, dcat::ENDPOINT_DESCRIPTION),
            serves: self.all_named(&node, dcat::SERVES_DATASET),
        }
    }
}

fn tr(lang: &str, sv: &str, en: &str) -> String {
    super::publisher::tr(lang, sv, en)
}

/// Bytes as a person reads them (1 kB = 1000 bytes, as file managers show them).
fn byte_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    match unit {
        0 => format!("{bytes} B"),
        _ => format!("{value:.1} {}", UNITS[unit]),
    }
}

fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The page of record `iri` of `kind`.
pub fn record_page(
    state: &AppState,
    iri: &NamedNode,
    kind: RecordKind,
    triples: &[Triple],
    lang: &'static str,
) -> Result<Html<String>, AppError> {
    let base = &state.config.base_uri;
    let reader = Reader {
        d: Descriptions::new(triples),
        triples,
        state,
        lang,
    };
    let services = state
        .catalogue
        .linking_to(dcat::SERVES_DATASET, iri.as_ref())?
        .iter()
        .filter(|s| *s != iri)
        .map(|s| Named {
            text: record_title(state, s, lang).unwrap_or_else(|| compact(s.as_str())),
            href: Some(local_href(s.as_str(), base)),
        })
        .collect();
    let view = reader.view(iri, kind, services);
    let catalog_iri = state.config.catalog_iri();
    let catalog_name = tr(lang, "Katalogen", "The catalogue");
    let json_ld = schema_org::describe(
        triples,
        iri,
        kind,
        &CatalogRef {
            iri: &catalog_iri,
            name: &catalog_name,
        },
        &state.labels,
        lang,
    );
    let main = NamedOrBlankNode::from(iri.clone());
    let mut sections: Vec<Section> = vec![section(reader.triples, &main, base)];
    sections.extend(other_sections(triples, &main, base));
    let path = iri
        .as_str()
        .strip_prefix(base.as_str())
        .map(|p| format!("/{p}"));
    let warnings: Vec<Warning> = super::stored_warnings(state, iri)?;
    let other_lang = if lang == "en" { "sv" } else { "en" };
    render(
        "record.html",
        context! {
            lang => lang,
            other_lang => other_lang,
            record => view,
            sections => sections,
            path => path,
            warnings => warnings,
            json_ld => script_json(&json_ld),
            formats => crate::rdf::GraphFormat::ALL.iter().map(|f| (f.extension(), f.media_type())).collect::<Vec<_>>(),
        },
    )
}

/// The title of the stored record `iri` in `lang`, if there is such a record.
pub(super) fn record_title(state: &AppState, iri: &NamedNode, lang: &str) -> Option<String> {
    let triples = state.catalogue.record(iri.as_ref()).ok().flatten()?;
    let node = NamedOrBlankNode::from(iri.clone());
    Descriptions::new(&triples)
        .text(&node, dcterms::TITLE, lang)
        .map(str::to_owned)
}

/// JSON for a `<script>` element: `</` written as `<\/`, so no value can end the element.
pub fn script_json(value: &serde_json::Value) -> String {
    value.to_string().replace("</", "<\\/")
}

/// Whether the triples make `iri` a record with a page of its own (not a catalogue).
pub fn record_kind(triples: &[Triple], iri: &NamedNode) -> Option<RecordKind> {
    let node = NamedOrBlankNode::from(iri.clone());
    let d = Descriptions::new(triples);
    [
        RecordKind::Dataset,
        RecordKind::DatasetSeries,
        RecordKind::DataService,
    ]
    .into_iter()
    .find(|k| d.has_type(&node, k.class()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_follows_the_query_then_accept_language() {
        let mut headers = HeaderMap::new();
        assert_eq!(page_language(None, &headers), "sv");
        headers.insert(
            "accept-language",
            "de-DE, en-GB;q=0.8, sv;q=0.5".parse().unwrap(),
        );
        assert_eq!(page_language(None, &headers), "en");
        assert_eq!(page_language(Some("x=1&lang=sv"), &headers), "sv");
        headers.insert("accept-language", "fr".parse().unwrap());
        assert_eq!(page_language(None, &headers), "sv");
    }

    #[test]
    fn sizes_read_as_people_read_them() {
        assert_eq!(byte_size(42), "42 B");
        assert_eq!(byte_size(1_037), "1.0 kB");
        assert_eq!(byte_size(2_500_000), "2.5 MB");
    }

    #[test]
    fn script_json_cannot_close_its_element() {
        let value = serde_json::json!({"name": "</script><script>alert(1)</script>"});
        assert!(!script_json(&value).contains("</"));
    }
}
