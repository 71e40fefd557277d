//! What the index keeps of one record: its texts by language, its facet values, its sort
//! keys, and what a result shows.
use crate::feeds::schema_org::media_type;
use crate::rdf::Descriptions;
use crate::rdf::ns::{dcat, dcterms, foaf};
use crate::store::RecordKind;
use oxigraph::model::{NamedNode, NamedNodeRef, NamedOrBlankNode, Term, Triple};
use serde::{Deserialize, Serialize};

/// The facets, by the name the API and the page give them.
pub const FACETS: [&str; 12] = [
    "theme",
    "publisher",
    "publisherType",
    "format",
    "licence",
    "accessRights",
    "frequency",
    "hvdCategory",
    "subject",
    "conformsTo",
    "kind",
    "api",
];

const HVD_CATEGORY: NamedNodeRef<'static> =
    NamedNodeRef::new_unchecked("http://data.europa.eu/r5r/hvdCategory");
const SUBJECT: NamedNodeRef<'static> =
    NamedNodeRef::new_unchecked("http://purl.org/dc/terms/subject");

/// A text of the record in one language (`sv`, `en`, or `""` for any other or none).
pub struct Text {
    pub lang: &'static str,
    pub title: bool,
    pub value: String,
}

/// What a result shows, kept beside the index entry.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Shown {
    pub title_sv: Option<String>,
    pub title_en: Option<String>,
    pub description_sv: Option<String>,
    pub description_en: Option<String>,
    pub publisher: Option<String>,
    pub publisher_name_sv: Option<String>,
    pub publisher_name_en: Option<String>,
    pub modified: Option<String>,
    pub kind: String,
}

pub struct Entry {
    pub iri: String,
    pub texts: Vec<Text>,
    /// (facet, value) pairs.
    pub facets: Vec<(&'static str, String)>,
    /// Lower-cased title, for sorting by title.
    pub sort_title: String,
    /// Unix seconds of the last modification, for sorting by it.
    pub modified: i64,
    pub shown: Shown,
}

/// The entry of record `iri` of `kind`; `served` tells whether a data service serves it.
pub fn entry(
    iri: &NamedNode,
    kind: RecordKind,
    triples: &[Triple],
    served: bool,
    written: i64,
) -> Entry {
    let d = Descriptions::new(triples);
    let node = NamedOrBlankNode::from(iri.clone());
    let mut texts = Vec::new();
    for (predicate, title) in [
        (dcterms::TITLE, true),
        (dcterms::DESCRIPTION, false),
        (dcat::KEYWORD, false),
    ] {
        for object in d.objects(&node, predicate) {
            if let Term::Literal(l) = object {
                texts.push(Text {
                    lang: language_group(l.language()),
                    title,
                    value: l.value().to_owned(),
                });
            }
        }
    }
    let iris = |facet: &'static str, subject: &NamedOrBlankNode, predicate| {
        d.iris(subject, predicate)
            .into_iter()
            .map(move |i| (facet, i.as_str().to_owned()))
            .collect::<Vec<_>>()
    };
    let mut facets: Vec<(&'static str, String)> = Vec::new();
    for (facet, predicate) in [
        ("theme", dcat::THEME),
        ("publisher", dcterms::PUBLISHER),
        ("accessRights", dcterms::ACCESS_RIGHTS),
        ("frequency", dcterms::ACCRUAL_PERIODICITY),
        ("hvdCategory", HVD_CATEGORY),
        ("subject", SUBJECT),
        ("conformsTo", dcterms::CONFORMS_TO),
        ("licence", dcterms::LICENSE),
    ] {
        facets.extend(iris(facet, &node, predicate));
    }
    let publishers = d.nodes(&node, dcterms::PUBLISHER);
    for publisher in &publishers {
        facets.extend(iris("publisherType", publisher, dcterms::TYPE));
    }
    for distribution in d.nodes(&node, dcat::DISTRIBUTION_LINK) {
        facets.extend(iris("licence", &distribution, dcterms::LICENSE));
        if let Some(format) = media_type(&d, &distribution) {
            facets.push(("format", format.to_ascii_lowercase()));
        }
    }
    facets.push(("kind", kind_name(kind).to_owned()));
    if served || kind == RecordKind::DataService {
        facets.push(("api", "yes".to_owned()));
    }
    facets.sort();
    facets.dedup();
    let title = |lang| d.text(&node, dcterms::TITLE, lang).map(str::to_owned);
    let description = |lang| d.text(&node, dcterms::DESCRIPTION, lang).map(str::to_owned);
    let modified_text = d
        .all_texts(&node, dcterms::MODIFIED)
        .first()
        .map(|m| m.to_string());
    let publisher = publishers.first().and_then(|p| match p {
        NamedOrBlankNode::NamedNode(n) => Some(n.as_str().to_owned()),
        NamedOrBlankNode::BlankNode(_) => None,
    });
    let publisher_name = |lang| {
        publishers
            .first()
            .and_then(|p| d.text(p, foaf::NAME, lang))
            .map(str::to_owned)
    };
    let shown = Shown {
        title_sv: title("sv"),
        title_en: title("en"),
        description_sv: description("sv"),
        description_en: description("en"),
        publisher,
        publisher_name_sv: publisher_name("sv"),
        publisher_name_en: publisher_name("en"),
        modified: modified_text.clone(),
        kind: kind_name(kind).to_owned(),
    };
    Entry {
        iri: iri.as_str().to_owned(),
        texts,
        facets,
        sort_title: shown.title_sv.clone().unwrap_or_default().to_lowercase(),
        modified: modified_text
            .as_deref()
            .and_then(unix_seconds)
            .unwrap_or(written),
        shown,
    }
}

pub fn kind_name(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Dataset => "dataset",
        RecordKind::DatasetSeries => "series",
        RecordKind::DataService => "service",
        RecordKind::Catalog => "catalog",
    }
}

/// Swedish and English texts get their own stemming; Norwegian and Danish read as Swedish
/// would not, so every other language is kept apart.
fn language_group(tag: Option<&str>) -> &'static str {
    let primary = tag
        .and_then(|t| t.split('-').next())
        .map(str::to_ascii_lowercase);
    match primary.as_deref() {
        Some("sv") => "sv",
        Some("en") => "en",
        _ => "",
    }
}

/// An `xsd:date` or `xsd:dateTime` as Unix seconds.
fn unix_seconds(text: &str) -> Option<i64> {
    use time::format_description::well_known::Rfc3339;
    let text = text.trim();
    if let Ok(t) = time::OffsetDateTime::parse(text, &Rfc3339) {
        return Some(t.unix_timestamp());
    }
    let date = text.get(..10)?;
    let with_time = format!("{date}T00:00:00Z");
    time::OffsetDateTime::parse(&with_time, &Rfc3339)
        .ok()
        .map(|t| t.unix_timestamp())
}
