//! A record described in schema.org terms (JSON-LD), embedded in its HTML page so that
//! Google Dataset Search and other crawlers index it: a dataset as `Dataset` with its
//! distributions as `DataDownload`, a data service as `WebAPI`, a catalogue as
//! `DataCatalog`.
use crate::rdf::Descriptions;
use crate::rdf::ns::{dcat, dcterms, foaf, skos};
use crate::store::RecordKind;
use crate::vocab::Labels;
use oxigraph::model::{NamedNode, NamedOrBlankNode, Term, Triple};
use serde_json::{Map, Value, json};

/// The catalogue a record belongs to.
pub struct CatalogRef<'a> {
    pub iri: &'a str,
    pub name: &'a str,
}

/// The IANA media-type registry, as `dcat:mediaType` IRIs start (both schemes are in use).
const IANA: [&str; 2] = [
    "http://www.iana.org/assignments/media-types/",
    "https://www.iana.org/assignments/media-types/",
];

/// The record `iri` of kind `kind`, read from its triples, in schema.org terms; names and
/// descriptions in `lang` where the record has them.
pub fn describe(
    triples: &[Triple],
    iri: &NamedNode,
    kind: RecordKind,
    catalog: &CatalogRef<'_>,
    labels: &Labels,
    lang: &str,
) -> Value {
    let d = Descriptions::new(triples);
    let node = NamedOrBlankNode::from(iri.clone());
    let mut out = Map::new();
    out.insert("@context".into(), json!("https://schema.org/"));
    let kind_name = match kind {
        RecordKind::Catalog => "DataCatalog",
        RecordKind::DataService => "WebAPI",
        _ => "Dataset",
    };
    out.insert("@type".into(), json!(kind_name));
    out.insert("@id".into(), json!(iri.as_str()));
    out.insert("url".into(), json!(iri.as_str()));
    let text = |p| d.text(&node, p, lang).map(|t| json!(t));
    insert(&mut out, "name", text(dcterms::TITLE));
    insert(&mut out, "description", text(dcterms::DESCRIPTION));
    insert(&mut out, "dateModified", text(dcterms::MODIFIED));
    insert(&mut out, "datePublished", text(dcterms::ISSUED));
    let organisations: Vec<Value> = d
        .iris(&node, dcterms::PUBLISHER)
        .into_iter()
        .map(|p| organisation(&d, p, lang))
        .collect();
    let publisher = organisations.into_iter().next();
    match kind {
        RecordKind::DataService => {
            insert(&mut out, "provider", publisher);
            let docs = d.iris(&node, dcat::ENDPOINT_DESCRIPTION);
            insert(
                &mut out,
                "documentation",
                docs.first().map(|i| json!(i.as_str())),
            );
            let served: Vec<Value> = d
                .iris(&node, dcat::SERVES_DATASET)
                .iter()
                .map(|i| json!({"@type": "Dataset", "@id": i.as_str()}))
                .collect();
            insert_list(&mut out, "about", served);
        }
        RecordKind::Catalog => {
            insert(&mut out, "publisher", publisher);
            let datasets: Vec<Value> = d
                .iris(&node, dcat::DATASET_LINK)
                .iter()
                .map(|i| json!({"@type": "Dataset", "@id": i.as_str()}))
                .collect();
            insert_list(&mut out, "dataset", datasets);
        }
        _ => dataset(&mut out, &d, &node, publisher, catalog, labels, lang),
    }
    Value::Object(out)
}

fn dataset(
    out: &mut Map<String, Value>,
    d: &Descriptions<'_>,
    node: &NamedOrBlankNode,
    publisher: Option<Value>,
    catalog: &CatalogRef<'_>,
    labels: &Labels,
    lang: &str,
) {
    let identifier = d
        .all_texts(node, dcterms::IDENTIFIER)
        .first()
        .map(|i| json!(i));
    insert(
        out,
        "identifier",
        identifier.or_else(|| out.get("@id").cloned()),
    );
    let keywords: Vec<Value> = d
        .texts(node, dcat::KEYWORD, lang)
        .into_iter()
        .map(|k| json!(k))
        .collect();
    insert_list(out, "keywords", keywords);
    insert(out, "creator", publisher.clone());
    insert(out, "publisher", publisher);
    let distributions = d.nodes(node, dcat::DISTRIBUTION_LINK);
    // DCAT-AP puts the licence on the distributions; schema.org on the dataset.
    let licence = d
        .iris(node, dcterms::LICENSE)
        .into_iter()
        .chain(
            distributions
                .iter()
                .flat_map(|x| d.iris(x, dcterms::LICENSE)),
        )
        .next()
        .map(|l| json!(l.as_str()));
    insert(out, "license", licence);
    let places: Vec<Value> = d
        .nodes(node, dcterms::SPATIAL)
        .iter()
        .map(|place| {
            let mut p = Map::new();
            p.insert("@type".into(), json!("Place"));
            let mut name = d.text(place, skos::PREF_LABEL, lang);
            if let NamedOrBlankNode::NamedNode(n) = place {
                p.insert("@id".into(), json!(n.as_str()));
                name = labels.of(n.as_str(), lang).or(name);
            }
            insert(&mut p, "name", name.map(|l| json!(l)));
            Value::Object(p)
        })
        .collect();
    insert_list(out, "spatialCoverage", places);
    let temporal = d
        .nodes(node, dcterms::TEMPORAL)
        .iter()
        .filter_map(|period| period_text(d, period))
        .next();
    insert(out, "temporalCoverage", temporal.map(|t| json!(t)));
    let downloads: Vec<Value> = distributions
        .iter()
        .map(|x| data_download(d, x, lang))
        .collect();
    insert_list(out, "distribution", downloads);
    out.insert(
        "includedInDataCatalog".into(),
        json!({"@type": "DataCatalog", "@id": catalog.iri, "name": catalog.name}),
    );
}

/// A period of time as an ISO 8601 interval (`start/end`, `..` for an open end).
pub fn period_text(d: &Descriptions<'_>, period: &NamedOrBlankNode) -> Option<String> {
    let start = d.all_texts(period, dcat::START_DATE).into_iter().next();
    let end = d.all_texts(period, dcat::END_DATE).into_iter().next();
    match (start, end) {
        (None, None) => None,
        (start, end) => Some(format!("{}/{}", start.unwrap_or(".."), end.unwrap_or(".."))),
    }
}

fn data_download(d: &Descriptions<'_>, x: &NamedOrBlankNode, lang: &str) -> Value {
    let mut out = Map::new();
    out.insert("@type".into(), json!("DataDownload"));
    if let NamedOrBlankNode::NamedNode(n) = x {
        out.insert("@id".into(), json!(n.as_str()));
    }
    insert(
        &mut out,
        "name",
        d.text(x, dcterms::TITLE, lang).map(|t| json!(t)),
    );
    let url = d
        .iris(x, dcat::DOWNLOAD_URL)
        .into_iter()
        .chain(d.iris(x, dcat::ACCESS_URL))
        .next()
        .map(|u| json!(u.as_str()));
    insert(&mut out, "contentUrl", url);
    insert(
        &mut out,
        "encodingFormat",
        media_type(d, x).map(|m| json!(m)),
    );
    let licence = d
        .iris(x, dcterms::LICENSE)
        .first()
        .map(|l| json!(l.as_str()));
    insert(&mut out, "license", licence);
    Value::Object(out)
}

/// The media type of a distribution: `dcat:mediaType` (an IANA IRI), else a literal or EU
/// file-type `dcterms:format`.
pub fn media_type(d: &Descriptions<'_>, x: &NamedOrBlankNode) -> Option<String> {
    let iana = d.iris(x, dcat::MEDIA_TYPE).into_iter().next().map(|m| {
        IANA.iter()
            .find_map(|prefix| m.as_str().strip_prefix(prefix))
            .unwrap_or(m.as_str())
            .to_owned()
    });
    iana.or_else(|| {
        d.objects(x, dcterms::FORMAT).next().map(|f| match f {
            Term::Literal(l) => l.value().to_owned(),
            Term::NamedNode(n) => n.as_str().rsplit('/').next().unwrap_or_default().to_owned(),
            Term::BlankNode(_) => String::new(),
        })
    })
    .filter(|m| !m.is_empty())
}

fn organisation(d: &Descriptions<'_>, iri: &NamedNode, lang: &str) -> Value {
    let node = NamedOrBlankNode::from(iri.clone());
    let mut out = Map::new();
    out.insert("@type".into(), json!("Organization"));
    out.insert("@id".into(), json!(iri.as_str()));
    insert(
        &mut out,
        "name",
        d.text(&node, foaf::NAME, lang).map(|n| json!(n)),
    );
    Value::Object(out)
}

fn insert(out: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(value) = value {
        out.insert(key.into(), value);
    }
}

fn insert_list(out: &mut Map<String, Value>, key: &str, values: Vec<Value>) {
    if !values.is_empty() {
        out.insert(key.into(), Value::Array(values));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_dataset_is_a_schema_org_dataset_with_its_downloads() {
        let ttl = crate::generate::catalogue_turtle(1);
        let base = "http://x.se/";
        let triples =
            crate::rdf::parse_graph(ttl.as_bytes(), oxigraph::io::RdfFormat::Turtle, Some(base))
                .unwrap();
        let record = crate::store::split_records(triples, base)
            .records
            .into_iter()
            .find(|r| r.kind == RecordKind::Dataset)
            .unwrap();
        let catalog = CatalogRef {
            iri: "http://x.se/catalog",
            name: "Katalogen",
        };
        let value = describe(
            &record.triples,
            &record.iri,
            record.kind,
            &catalog,
            &Labels::default(),
            "en",
        );
        assert_eq!(value["@type"], "Dataset");
        assert_eq!(value["name"], "Dataset 0");
        assert_eq!(value["publisher"]["name"], "Exempelkommun");
        assert_eq!(value["distribution"].as_array().unwrap().len(), 2);
        let formats: Vec<&str> = value["distribution"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["encodingFormat"].as_str().unwrap())
            .collect();
        assert!(formats.contains(&"text/csv"), "{formats:?}");
        assert_eq!(
            value["license"],
            "http://creativecommons.org/publicdomain/zero/1.0/"
        );
        assert_eq!(value["includedInDataCatalog"]["name"], "Katalogen");
    }
}
