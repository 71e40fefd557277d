use super::fields::level;
use super::*;
use crate::rdf::ns::{dcat, dcterms, foaf};
use crate::shacl::{Shapes, ValidationReport};
use oxrdf::vocab::{rdf, xsd};
use oxrdf::{Graph, Literal};
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::OnceLock;

const ROOT: &str = "https://katalog.example/datasets/badplatser";
const PUBLISHER: &str = "http://dataportal.se/organisation/SE2120009994";
const THEME_ENVI: &str = "http://publications.europa.eu/resource/authority/data-theme/ENVI";

fn folder(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(name)
}

fn shapes_graph() -> &'static Graph {
    static GRAPH: OnceLock<Graph> = OnceLock::new();
    GRAPH.get_or_init(|| crate::shacl::read_graph(&[folder("shapes")]).unwrap())
}

fn spec() -> &'static FormSpec {
    static SPEC: OnceLock<FormSpec> = OnceLock::new();
    SPEC.get_or_init(|| {
        let vocab = crate::shacl::read_graph(&[folder("vocab")]).unwrap();
        FormSpec::from_graphs(shapes_graph(), &vocab)
    })
}

fn shapes() -> &'static Shapes {
    static SHAPES: OnceLock<Shapes> = OnceLock::new();
    SHAPES.get_or_init(|| Shapes::from_graph(shapes_graph()).unwrap())
}

fn iri(s: &str) -> NamedNode {
    NamedNode::new(s).unwrap()
}

fn values(pairs: &[(&str, &str)]) -> FormValues {
    form_values(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())))
}

/// Every required field filled, plus a few others.
fn filled() -> FormValues {
    values(&[
        ("title@sv", "Badplatser"),
        ("title@en", "Bathing sites"),
        (
            "description@sv",
            "Kommunens badplatser med vattentemperatur.",
        ),
        ("keyword@sv", "bad"),
        ("keyword@sv", "strand"),
        ("theme", THEME_ENVI),
        (
            "accessRights",
            "http://publications.europa.eu/resource/authority/access-right/PUBLIC",
        ),
        ("issued", "2024-05-01"),
        ("landingPage", "https://www.exempelkommun.example/bad"),
        (
            "distribution.accessURL",
            "https://www.exempelkommun.example/files/bad.csv",
        ),
        ("distribution.format", "text/csv"),
        (
            "distribution.license",
            "http://creativecommons.org/publicdomain/zero/1.0/",
        ),
        ("distribution.description@sv", "Badplatserna som CSV."),
        ("contact.name", "Exempelkommun, öppna data"),
        ("contact.email", "oppnadata@exempelkommun.example"),
    ])
}

fn triples(values: &FormValues, stored: &[Triple]) -> Vec<Triple> {
    spec().to_triples(&iri(ROOT), values, stored, &iri(PUBLISHER), "Exempelkommun")
}

fn validate(triples: &[Triple]) -> ValidationReport {
    let mut graph = Graph::new();
    for triple in triples {
        graph.insert(triple);
    }
    shapes().validate(&graph)
}

fn field(key: &str) -> &'static Field {
    spec()
        .field(key)
        .unwrap_or_else(|| panic!("no field {key}"))
}

#[test]
fn title_and_description_come_first_and_are_required_lang_text() {
    let keys: Vec<&str> = spec().fields.iter().map(|f| f.key.as_str()).collect();
    assert_eq!(keys[..2], ["title", "description"], "{keys:?}");
    let title = field("title");
    assert!(title.required && !title.recommended);
    assert_eq!(title.kind, FieldKind::LangText { multiline: false });
    assert_eq!(
        (title.label_sv.as_str(), title.label_en.as_str()),
        ("Titel", "Title")
    );
    assert!(!title.help_sv.is_empty() && !title.help_en.is_empty());
    let description = field("description");
    assert!(description.required);
    assert_eq!(description.kind, FieldKind::LangText { multiline: true });
    assert_eq!(description.group, Group::Dataset);
}

#[test]
fn dataset_fields_follow_the_shapes() {
    for skipped in [
        "publisher",
        "modified",
        "distribution",
        "contactPoint",
        "spatial",
        "temporal",
    ] {
        assert!(spec().field(skipped).is_none(), "{skipped} is in the form");
    }
    assert!(field("keyword").recommended && field("keyword").list);
    assert_eq!(field("issued").kind, FieldKind::Date);
    assert!(!field("issued").multiple);
    assert_eq!(field("landingPage").kind, FieldKind::Iri);
    assert_eq!(field("identifier").kind, FieldKind::Text);
    assert_eq!(
        field("admsIdentifier").path.as_str(),
        "http://www.w3.org/ns/adms#identifier"
    );
    assert_eq!(
        field("spatialResolutionInMeters").datatype,
        Some(xsd::DECIMAL.into_owned())
    );
    // Mandatory, then recommended, then optional.
    let levels: Vec<u8> = spec()
        .fields
        .iter()
        .filter(|f| f.group == Group::Dataset)
        .map(level)
        .collect();
    assert!(levels.is_sorted(), "{levels:?}");
}

#[test]
fn theme_is_a_choice_with_swedish_labels_from_the_vocabulary() {
    let theme = field("theme");
    assert!(theme.recommended && theme.multiple);
    let FieldKind::Choice(choices) = &theme.kind else {
        panic!("theme is {:?}", theme.kind);
    };
    assert_eq!(choices.len(), 13);
    let envi = choices.iter().find(|c| c.iri == THEME_ENVI).unwrap();
    assert_eq!(envi.label_sv, "Miljö");
    assert_eq!(envi.label_en, "Environment");
    assert_eq!(envi.value, THEME_ENVI);
}

#[test]
fn distribution_and_contact_fields() {
    let format = field("distribution.format");
    assert!(format.required && !format.multiple);
    let FieldKind::Suggest(types) = &format.kind else {
        panic!("format is {:?}", format.kind);
    };
    assert!(
        types
            .iter()
            .any(|c| c.value == "text/csv" && c.label_sv == "CSV (.csv)")
    );
    assert!(field("distribution.accessURL").required);
    assert!(field("distribution.downloadURL").list);
    let FieldKind::Choice(licences) = &field("distribution.license").kind else {
        panic!("licence is not a choice");
    };
    assert_eq!(licences.len(), 7);
    assert!(field("distribution.title@sv").group == Group::Distribution);
    assert!(field("contact.name").required);
    let email = field("contact.email");
    assert!(email.required && email.mailto);
    assert_eq!(
        spec().publisher_type.as_str(),
        iri::LOCAL_AUTHORITY.as_str()
    );
}

#[test]
fn filled_form_validates_without_violations() {
    let triples = triples(&filled(), &[]);
    let report = validate(&triples);
    assert!(!report.has_violations(), "{}", report.to_text());
    let distribution = Group::Distribution.node(&iri(ROOT));
    let format = Triple::new(
        distribution,
        dcterms::FORMAT,
        Literal::new_simple_literal("text/csv"),
    );
    assert!(triples.contains(&format));
    let email = iri("mailto:oppnadata@exempelkommun.example");
    let contact = Group::Contact.node(&iri(ROOT));
    assert!(triples.contains(&Triple::new(contact, iri::VCARD_HAS_EMAIL, email)));
    let issued = Literal::new_typed_literal("2024-05-01", xsd::DATE);
    assert!(triples.contains(&Triple::new(iri(ROOT), dcterms::ISSUED, issued)));
    let agent_type = Triple::new(iri(PUBLISHER), dcterms::TYPE, iri::LOCAL_AUTHORITY);
    assert!(triples.contains(&agent_type));
}

#[test]
fn empty_title_is_an_error_under_title() {
    let mut values = filled();
    values.insert("title@sv".into(), vec!["  ".into()]);
    values.remove("title@en");
    let report = validate(&triples(&values, &[]));
    let errors = spec().errors(&report, &iri(ROOT), "sv");
    assert_eq!(
        errors.get("title"),
        Some(&vec![
            "Datamängden saknar titel (dcterms:title). Uppgiften är obligatorisk.".to_owned()
        ]),
        "{errors:?}"
    );
    let english = spec().errors(&report, &iri(ROOT), "en");
    assert_eq!(
        english["title"],
        ["The dataset has no title (dcterms:title); it is mandatory."]
    );
    assert_eq!(errors.len(), 1, "{errors:?}");
}

#[test]
fn errors_map_to_distribution_and_contact_fields() {
    let mut values = filled();
    values.remove("distribution.format");
    values.insert("contact.email".into(), vec!["inte en adress".into()]);
    values.insert(
        "landingPage".into(),
        vec!["www.exempelkommun.example".into()],
    );
    let report = validate(&triples(&values, &[]));
    let errors = spec().errors(&report, &iri(ROOT), "sv");
    assert!(errors.contains_key("distribution.format"), "{errors:?}");
    assert!(errors.contains_key("contact.email"), "{errors:?}");
    assert!(errors.contains_key("landingPage"), "{errors:?}");
    // The literal keeps what was typed, so the form shows it again.
    let shown = spec().values_of(&iri(ROOT), &triples(&values, &[]));
    assert_eq!(shown["landingPage"], ["www.exempelkommun.example"]);
    assert_eq!(shown["contact.email"], ["inte en adress"]);
}

#[test]
fn no_contact_point_is_a_contact_error() {
    let mut values = filled();
    values.remove("contact.name");
    values.remove("contact.email");
    let report = validate(&triples(&values, &[]));
    let errors = spec().errors(&report, &iri(ROOT), "en");
    assert!(errors.contains_key(CONTACT_KEY), "{errors:?}");
}

#[test]
fn values_round_trip() {
    let mut values = filled();
    values.insert(
        "distribution.downloadURL".into(),
        vec!["https://a.example/1.csv\r\nhttps://a.example/2.csv\n".into()],
    );
    let stored = triples(&values, &[]);
    let read = spec().values_of(&iri(ROOT), &stored);
    let mut expected = filled();
    expected.insert(
        "distribution.downloadURL".into(),
        vec![
            "https://a.example/1.csv".into(),
            "https://a.example/2.csv".into(),
        ],
    );
    for list in expected.values_mut() {
        list.sort();
    }
    assert_eq!(read, expected);
    // Saving the values read gives the same triples.
    let again = triples(&read, &stored);
    let as_set = |t: &[Triple]| t.iter().cloned().collect::<HashSet<_>>();
    assert_eq!(as_set(&again), as_set(&stored));
}

#[test]
fn triples_the_form_does_not_show_survive() {
    let root = iri(ROOT);
    let distribution = Group::Distribution.node(&root);
    let other = iri("https://katalog.example/datasets/badplatser#api");
    let unshown = vec![
        Triple::new(
            root.clone(),
            dcterms::TITLE,
            Literal::new_language_tagged_literal_unchecked("Badestellen", "de"),
        ),
        Triple::new(
            root.clone(),
            dcterms::MODIFIED,
            Literal::new_typed_literal("2025-01-01", xsd::DATE),
        ),
        Triple::new(
            root.clone(),
            iri("http://purl.org/dc/terms/spatial"),
            iri("https://example.org/area"),
        ),
        Triple::new(root.clone(), dcat::DISTRIBUTION_LINK, other.clone()),
        Triple::new(other, dcat::ACCESS_URL, iri("https://a.example/api")),
        Triple::new(
            distribution.clone(),
            iri("http://www.w3.org/ns/dcat#byteSize"),
            Literal::new_typed_literal("12", xsd::NON_NEGATIVE_INTEGER),
        ),
        Triple::new(iri(PUBLISHER), rdf::TYPE, foaf::AGENT),
    ];
    let shown = vec![
        Triple::new(
            root.clone(),
            dcterms::TITLE,
            Literal::new_language_tagged_literal_unchecked("Gammal titel", "sv"),
        ),
        Triple::new(
            root.clone(),
            dcterms::PUBLISHER,
            iri("https://old.example/publisher"),
        ),
        Triple::new(
            distribution.clone(),
            dcterms::FORMAT,
            Literal::new_simple_literal("text/plain"),
        ),
    ];
    let stored: Vec<Triple> = unshown.iter().chain(&shown).cloned().collect();
    let result = triples(&filled(), &stored);
    for triple in &unshown {
        assert!(result.contains(triple), "lost {triple}");
    }
    for triple in &shown {
        assert!(!result.contains(triple), "kept {triple}");
    }
    // The publisher is described elsewhere: no name or type added.
    assert!(
        !result
            .iter()
            .any(|t| is_subject(t, &iri(PUBLISHER)) && t.predicate == foaf::NAME)
    );
}

#[test]
fn empty_groups_add_no_nodes() {
    let values = values(&[("title@sv", "Titel"), ("description@sv", "Text")]);
    let result = triples(&values, &[]);
    let root = iri(ROOT);
    assert!(
        !result
            .iter()
            .any(|t| t.predicate == dcat::DISTRIBUTION_LINK)
    );
    assert!(!result.iter().any(|t| t.predicate == dcat::CONTACT_POINT));
    assert!(result.contains(&Triple::new(root.clone(), rdf::TYPE, dcat::DATASET)));
    assert!(result.contains(&Triple::new(root, dcterms::PUBLISHER, iri(PUBLISHER))));
}
