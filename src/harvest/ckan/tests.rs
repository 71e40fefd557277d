//! The CKAN mapping on hand-written answers shaped like a Swedish municipality's CKAN 2.10
//! (ckanext-dcat extras, fluent `*_translated` fields) and like opendata.swiss (language
//! objects in the core fields), from `tests/fixtures/ckan/`.
use super::*;
use oxrdf::{Graph, NamedNodeRef, TermRef};
use std::path::Path;
use std::sync::OnceLock;

const SITE: &str = "https://ckan.ekby.se/";
const PUBLISHER: &str = "https://katalog.ekby.se/organisations/ekby";
const DATASET: &str = "https://data.ekby.se/dataset/badplatser";
const PACKAGE_ID: &str = "3f6c2a1e-8d4b-4c3a-9e2f-7b1d5a6c9e04";

const DCT: &str = "http://purl.org/dc/terms/";
const DCAT: &str = "http://www.w3.org/ns/dcat#";
const VCARD: &str = "http://www.w3.org/2006/vcard/ns#";
const TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const LOCN_GEOMETRY: &str = "http://www.w3.org/ns/locn#geometry";
const XSD: &str = "http://www.w3.org/2001/XMLSchema#";

fn mapping() -> &'static CkanMapping {
    static MAPPING: OnceLock<CkanMapping> = OnceLock::new();
    MAPPING.get_or_init(|| CkanMapping::shipped().unwrap())
}

fn fixture(name: &str) -> Vec<u8> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ckan");
    std::fs::read(dir.join(name)).unwrap()
}

fn packages(name: &str) -> Vec<Value> {
    parse_search(&fixture(name)).unwrap().packages
}

fn publisher() -> NamedNode {
    NamedNode::new(PUBLISHER).unwrap()
}

fn map_with(package: &Value, language: Option<&str>) -> Vec<Triple> {
    let publisher = publisher();
    let ctx = MapContext {
        site: SITE,
        publisher: &publisher,
        language,
    };
    map_package(package, mapping(), &ctx).unwrap()
}

fn map(package: &Value) -> Graph {
    map_with(package, None).into_iter().collect()
}

/// The values of a property, written as N-Triples terms and sorted.
fn values(graph: &Graph, subject: &str, property: &str) -> Vec<String> {
    values_of(graph, NamedNode::new(subject).unwrap().into(), property)
}

fn values_of(graph: &Graph, subject: NamedOrBlankNode, property: &str) -> Vec<String> {
    let property = NamedNode::new(property).unwrap();
    let mut values: Vec<String> = graph
        .objects_for_subject_predicate(&subject, &property)
        .map(|term| term.to_string())
        .collect();
    values.sort();
    values
}

/// The one blank node value of a property.
fn node(graph: &Graph, subject: &str, property: &str) -> NamedOrBlankNode {
    let subject = NamedNode::new(subject).unwrap();
    let property = NamedNode::new(property).unwrap();
    let nodes: Vec<_> = graph
        .objects_for_subject_predicate(&subject, &property)
        .collect();
    match nodes.as_slice() {
        [TermRef::BlankNode(node)] => node.into_owned().into(),
        other => panic!("{property} of {subject}: {other:?}"),
    }
}

fn iri(s: &str) -> String {
    format!("<{s}>")
}

fn resource(id: &str) -> String {
    format!("https://ckan.ekby.se/dataset/{PACKAGE_ID}/resource/{id}")
}

#[test]
fn search_url_pages_through_package_search() {
    assert_eq!(
        search_url("https://ckan.ekby.se/", 100, 200),
        "https://ckan.ekby.se/api/3/action/package_search?rows=100&start=200"
    );
}

#[test]
fn parse_search_reads_count_and_packages() {
    let page = parse_search(&fixture("package_search.json")).unwrap();
    assert_eq!(page.count, 57);
    assert_eq!(page.packages.len(), 2);
    assert_eq!(page.packages[1]["name"], "bibliotek-oppettider");
}

#[test]
fn parse_search_refuses_failures_and_other_json() {
    match parse_search(&fixture("error.json")) {
        Err(CkanError::Failed { message }) => assert!(message.contains("Invalid sort field")),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        parse_search(b"<html>Bad gateway</html>"),
        Err(CkanError::Json(_))
    ));
    assert!(matches!(
        parse_search(br#"{"success": true, "result": {"count": 3}}"#),
        Err(CkanError::Shape(_))
    ));
    assert!(matches!(
        parse_search(br#"{"success": "yes"}"#),
        Err(CkanError::Failed { .. })
    ));
}

#[test]
fn ckan_dataset_core_fields_with_translations_and_extras() {
    let g = map(&packages("package_search.json")[0]);
    assert_eq!(values(&g, DATASET, TYPE), [iri(&format!("{DCAT}Dataset"))]);
    assert_eq!(
        values(&g, DATASET, &format!("{DCT}title")),
        [
            "\"Badplatser i Ekby kommun\"@sv",
            "\"Bathing sites in Ekby municipality\"@en"
        ]
    );
    assert_eq!(values(&g, DATASET, &format!("{DCT}description")).len(), 2);
    assert_eq!(
        values(&g, DATASET, &format!("{DCAT}keyword")),
        ["\"bad\"@sv", "\"friluftsliv\"@sv", "\"vattenkvalitet\"@sv"]
    );
    assert_eq!(
        values(&g, DATASET, &format!("{DCAT}landingPage")),
        [iri("https://www.ekby.se/uppleva-och-gora/bad/badplatser")]
    );
    // The dcat_identifier extra before the package id.
    assert_eq!(
        values(&g, DATASET, &format!("{DCT}identifier")),
        ["\"ekby-badplatser\""]
    );
    assert_eq!(values(&g, DATASET, &format!("{DCAT}version")), ["\"2.1\""]);
    assert_eq!(
        values(&g, DATASET, &format!("{DCT}publisher")),
        [iri(PUBLISHER)]
    );
}

#[test]
fn ckan_dates_are_typed_as_written() {
    let g = map(&packages("package_search.json")[0]);
    assert_eq!(
        values(&g, DATASET, &format!("{DCT}issued")),
        [format!("\"2019-04-02T08:15:27.512093\"^^<{XSD}dateTime>")]
    );
    assert_eq!(
        values(&g, DATASET, &format!("{DCT}modified")),
        [format!("\"2024-06-18T13:02:44.190331\"^^<{XSD}dateTime>")]
    );
    let period = node(&g, DATASET, &format!("{DCT}temporal"));
    assert_eq!(
        values_of(&g, period.clone(), TYPE),
        [iri(&format!("{DCT}PeriodOfTime"))]
    );
    assert_eq!(
        values_of(&g, period.clone(), &format!("{DCAT}startDate")),
        [format!("\"2015-06-01\"^^<{XSD}date>")]
    );
    assert_eq!(
        values_of(&g, period, &format!("{DCAT}endDate")),
        [format!("\"2024-08-31T23:59:59\"^^<{XSD}dateTime>")]
    );
}

#[test]
fn ckan_codes_and_iris_become_authority_iris() {
    let g = map(&packages("package_search.json")[0]);
    let eu = "http://publications.europa.eu/resource/authority";
    assert_eq!(
        values(&g, DATASET, &format!("{DCT}language")),
        [
            iri(&format!("{eu}/language/ENG")),
            iri(&format!("{eu}/language/SWE"))
        ]
    );
    assert_eq!(
        values(&g, DATASET, &format!("{DCAT}theme")),
        [
            iri(&format!("{eu}/data-theme/ENVI")),
            iri(&format!("{eu}/data-theme/HEAL"))
        ]
    );
    assert_eq!(
        values(&g, DATASET, &format!("{DCT}accrualPeriodicity")),
        [iri(&format!("{eu}/frequency/ANNUAL"))]
    );
}

#[test]
fn ckan_maintainer_is_the_contact_point_with_an_iri() {
    let g = map(&packages("package_search.json")[0]);
    let contact = format!("{DATASET}#contact");
    assert_eq!(
        values(&g, DATASET, &format!("{DCAT}contactPoint")),
        [iri(&contact)]
    );
    assert_eq!(
        values(&g, &contact, TYPE),
        [iri(&format!("{VCARD}Organization"))]
    );
    assert_eq!(
        values(&g, &contact, &format!("{VCARD}fn")),
        ["\"Ekby kommun, Samhällsbyggnad\""]
    );
    assert_eq!(
        values(&g, &contact, &format!("{VCARD}hasEmail")),
        [iri("mailto:opendata@ekby.se")]
    );
}

#[test]
fn ckan_geojson_spatial_becomes_a_wkt_location() {
    let g = map(&packages("package_search.json")[0]);
    let location = node(&g, DATASET, &format!("{DCT}spatial"));
    assert_eq!(
        values_of(&g, location.clone(), TYPE),
        [iri(&format!("{DCT}Location"))]
    );
    assert_eq!(
        values_of(&g, location, LOCN_GEOMETRY),
        [
            "\"POLYGON((16.9012 62.2811, 17.5503 62.2811, 17.5503 62.5407, 16.9012 62.5407, 16.9012 62.2811))\"^^<http://www.opengis.net/ont/geosparql#wktLiteral>"
        ]
    );
}

#[test]
fn ckan_resources_become_distributions() {
    let g = map(&packages("package_search.json")[0]);
    let csv = resource("a1b2c3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d");
    let api = resource("f0e1d2c3-b4a5-4968-8776-5a4b3c2d1e0f");
    assert_eq!(
        values(&g, DATASET, &format!("{DCAT}distribution")),
        [iri(&csv), iri(&api)]
    );
    let file = "https://ckan.ekby.se/dataset/3f6c2a1e-8d4b-4c3a-9e2f-7b1d5a6c9e04/resource/a1b2c3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d/download/badplatser.csv";
    let expected: [(&str, Vec<String>); 9] = [
        (TYPE, vec![iri(&format!("{DCAT}Distribution"))]),
        (
            &format!("{DCT}title"),
            vec!["\"Badplatser (CSV)\"@sv".into()],
        ),
        (&format!("{DCAT}accessURL"), vec![iri(file)]),
        (&format!("{DCAT}downloadURL"), vec![iri(file)]),
        (&format!("{DCT}format"), vec!["\"text/csv\"".into()]),
        (
            &format!("{DCAT}mediaType"),
            vec![iri("https://www.iana.org/assignments/media-types/text/csv")],
        ),
        (
            &format!("{DCAT}byteSize"),
            vec![format!("\"48213\"^^<{XSD}nonNegativeInteger>")],
        ),
        (
            &format!("{DCT}license"),
            vec![iri("http://creativecommons.org/licenses/by/4.0/")],
        ),
        (
            &format!("{DCT}modified"),
            vec![format!("\"2024-06-18T13:02:41.004512\"^^<{XSD}dateTime>")],
        ),
    ];
    for (property, value) in expected {
        assert_eq!(values(&g, &csv, property), value, "{property}");
    }
}

#[test]
fn ckan_api_resource_has_access_url_only_and_translated_texts() {
    let g = map(&packages("package_search.json")[0]);
    let api = resource("f0e1d2c3-b4a5-4968-8776-5a4b3c2d1e0f");
    assert_eq!(
        values(&g, &api, &format!("{DCAT}accessURL")),
        [iri("https://api.ekby.se/v1/badplatser/vattenprover")]
    );
    assert!(values(&g, &api, &format!("{DCAT}downloadURL")).is_empty());
    assert_eq!(
        values(&g, &api, &format!("{DCT}title")),
        [
            "\"Vattenkvalitet vid badplatser (API)\"@sv",
            "\"Water quality at bathing sites (API)\"@en"
        ]
    );
    assert_eq!(values(&g, &api, &format!("{DCT}description")).len(), 2);
    // Format name "JSON" without a mimetype.
    assert_eq!(
        values(&g, &api, &format!("{DCT}format")),
        ["\"application/json\""]
    );
    assert!(values(&g, &api, &format!("{DCAT}byteSize")).is_empty());
}

#[test]
fn ckan_minimal_package_gets_a_site_iri_and_file_download() {
    let g = map(&packages("package_search.json")[1]);
    let dataset = "https://ckan.ekby.se/dataset/7d8e9f0a-1b2c-4d3e-8f4a-5b6c7d8e9f10";
    assert_eq!(
        values(&g, dataset, &format!("{DCT}title")),
        ["\"Bibliotekens öppettider\"@sv"]
    );
    assert!(values(&g, dataset, &format!("{DCAT}landingPage")).is_empty());
    assert!(values(&g, dataset, &format!("{DCT}temporal")).is_empty());
    assert_eq!(
        values(&g, dataset, &format!("{DCT}identifier")),
        ["\"7d8e9f0a-1b2c-4d3e-8f4a-5b6c7d8e9f10\""]
    );
    let distribution = format!("{dataset}/resource/0a0b0c0d-1e1f-4a2b-8c3d-4e5f6a7b8c9d");
    assert_eq!(
        values(&g, &distribution, &format!("{DCAT}downloadURL")),
        [iri(
            "https://www.ekby.se/download/18.5a1b2c3d/oppettider-2022.xlsx"
        )]
    );
    assert_eq!(
        values(&g, &distribution, &format!("{DCT}format")),
        ["\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\""]
    );
    assert_eq!(
        values(&g, &distribution, &format!("{DCAT}byteSize")),
        [format!("\"10244\"^^<{XSD}nonNegativeInteger>")]
    );
    // "notspecified" is no licence.
    assert!(values(&g, &distribution, &format!("{DCT}license")).is_empty());
}

#[test]
fn ckan_plain_text_language_can_be_set_per_source() {
    let triples = map_with(&packages("package_search.json")[1], Some("en"));
    let g: Graph = triples.into_iter().collect();
    let dataset = "https://ckan.ekby.se/dataset/7d8e9f0a-1b2c-4d3e-8f4a-5b6c7d8e9f10";
    assert_eq!(
        values(&g, dataset, &format!("{DCT}title")),
        ["\"Bibliotekens öppettider\"@en"]
    );
}

#[test]
fn ckan_opendata_swiss_language_objects() {
    let g = map(&packages("opendata_swiss.json")[0]);
    let dataset = "https://ckan.ekby.se/dataset/c7a5d1f2-3b4e-4f60-8a71-92b3c4d5e6f7";
    // The empty English title is left out.
    assert_eq!(
        values(&g, dataset, &format!("{DCT}title")),
        [
            "\"Luftqualität: Stundenwerte\"@de",
            "\"Qualità dell'aria: valori orari\"@it",
            "\"Qualité de l'air : valeurs horaires\"@fr"
        ]
    );
    assert_eq!(
        values(&g, dataset, &format!("{DCAT}keyword")),
        [
            "\"air-quality\"@en",
            "\"luftqualitat\"@de",
            "\"ozon\"@de",
            "\"ozone\"@fr",
            "\"qualite-de-lair\"@fr"
        ]
    );
    assert_eq!(values(&g, dataset, &format!("{DCT}language")).len(), 3);
    assert_eq!(
        values(&g, dataset, &format!("{DCT}identifier")),
        ["\"luftqualitat-stundenwerte@bundesamt-fur-umwelt-bafu\""]
    );
    // Place names are not locations.
    assert!(values(&g, dataset, &format!("{DCT}spatial")).is_empty());
}

#[test]
fn ckan_opendata_swiss_contact_and_period_objects() {
    let g = map(&packages("opendata_swiss.json")[0]);
    let dataset = "https://ckan.ekby.se/dataset/c7a5d1f2-3b4e-4f60-8a71-92b3c4d5e6f7";
    let contact = format!("{dataset}#contact");
    assert_eq!(
        values(&g, &contact, &format!("{VCARD}hasEmail")),
        [iri("mailto:luftreinhaltung@bafu.admin.ch")]
    );
    let period = node(&g, dataset, &format!("{DCT}temporal"));
    assert_eq!(
        values_of(&g, period, &format!("{DCAT}startDate")),
        [format!("\"2000-01-01T00:00:00\"^^<{XSD}dateTime>")]
    );
    let distribution = format!("{dataset}/resource/e8f9a0b1-c2d3-4e4f-8a5b-6c7d8e9f0a1b");
    assert_eq!(
        values(&g, &distribution, &format!("{DCT}title")),
        [
            "\"Stundenwerte 2024 (CSV)\"@de",
            "\"Valeurs horaires 2024 (CSV)\"@fr"
        ]
    );
    assert_eq!(
        values(&g, &distribution, &format!("{DCAT}byteSize")),
        [format!("\"1048576\"^^<{XSD}nonNegativeInteger>")]
    );
    assert_eq!(
        values(&g, &distribution, &format!("{DCT}format")),
        ["\"text/csv\""]
    );
}

#[test]
fn ckan_mapping_is_deterministic() {
    let package = &packages("package_search.json")[0];
    let mut first = map_with(package, None);
    let mut second = map_with(package, None);
    first.sort_by_key(ToString::to_string);
    second.sort_by_key(ToString::to_string);
    assert_eq!(first, second);
}

#[test]
fn ckan_package_iri_falls_back_and_must_exist() {
    let g = map(&serde_json::json!({
        "name": "träd",
        "title": "Träd",
        "extras": [{"key": "uri", "value": "None"}]
    }));
    assert!(!values(&g, "https://ckan.ekby.se/dataset/tr%C3%A4d", TYPE).is_empty());
    let publisher = publisher();
    let ctx = MapContext {
        site: SITE,
        publisher: &publisher,
        language: None,
    };
    let nameless = serde_json::json!({"title": "Utan namn"});
    assert!(matches!(
        map_package(&nameless, mapping(), &ctx),
        Err(CkanError::MissingField { .. })
    ));
    assert!(matches!(
        map_package(&serde_json::json!([1]), mapping(), &ctx),
        Err(CkanError::NotAnObject)
    ));
}

#[test]
fn ckan_mapping_errors_are_reported() {
    assert!(matches!(
        CkanMapping::from_turtle("this is not turtle"),
        Err(CkanError::MappingSyntax(_))
    ));
    assert!(matches!(
        CkanMapping::from_turtle("<a:b> <a:c> <a:d> ."),
        Err(CkanError::Mapping(_))
    ));
    let no_property = r#"
        @prefix ckm: <https://w3id.org/katalog/vocab/ckan#> .
        <a:m> a ckm:Mapping ; ckm:packageNode <a:n> .
        <a:n> ckm:rules ( [ ckm:fields ( "title" ) ; ckm:valueKind ckm:Text ] ) .
    "#;
    assert!(matches!(
        CkanMapping::from_turtle(no_property),
        Err(CkanError::Mapping(_))
    ));
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("vocab");
    assert!(CkanMapping::load(&dir).is_ok());
    assert!(matches!(
        CkanMapping::load(&dir.join("missing")),
        Err(CkanError::Read { .. })
    ));
}

/// Every IRI the value maps write is a concept of the controlled vocabularies in `vocab/`.
#[test]
fn ckan_value_maps_use_the_controlled_vocabularies() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("vocab");
    let vocab =
        crate::shacl::read_graph(&[dir.join("language.ttl"), dir.join("licence.ttl")]).unwrap();
    let in_scheme = NamedNodeRef::new_unchecked("http://www.w3.org/2004/02/skos/core#inScheme");
    let mut checked = 0;
    for rule in &mapping().package.rules {
        let distribution_rules = rule.node.iter().flat_map(|node| node.rules.iter());
        for rule in std::iter::once(rule).chain(distribution_rules) {
            for term in rule.values.values() {
                if let Term::NamedNode(concept) = term {
                    let found = vocab
                        .object_for_subject_predicate(concept, in_scheme)
                        .is_some();
                    assert!(found, "{concept} is not in vocab/");
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 20, "{checked}");
}

/// The fixture packages, with the publisher katalog already describes, have no violations of
/// the shapes. Warnings remain for what CKAN has no field for (availability, access rights,
/// conforms-to, contact address and telephone, a location's bbox and centroid) and for
/// opendata.swiss's HOURLY frequency, which DCAT-AP-SE does not offer.
#[test]
fn ckan_fixture_packages_pass_the_shapes() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("shapes");
    let shapes = crate::shacl::Shapes::load(&[dir]).unwrap();
    for (file, index) in [
        ("package_search.json", 0),
        ("package_search.json", 1),
        ("opendata_swiss.json", 0),
    ] {
        let mut triples = map_with(&packages(file)[index], None);
        triples.extend(publisher_description());
        let report = shapes.validate(&triples);
        assert_eq!(
            report.violations(),
            0,
            "{file} {index}: {}",
            report.to_text()
        );
    }
}

/// What the store holds about the harvesting organisation's publisher.
fn publisher_description() -> Vec<Triple> {
    let turtle = format!(
        "<{PUBLISHER}> a <http://xmlns.com/foaf/0.1/Organization> ;
            <http://xmlns.com/foaf/0.1/name> \"Ekby kommun\"@sv ;
            <{DCT}type> <http://purl.org/adms/publishertype/LocalAuthority> ."
    );
    crate::rdf::parse_graph(turtle.as_bytes(), oxigraph::io::RdfFormat::Turtle, None).unwrap()
}
