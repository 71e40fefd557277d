//! The public SPARQL endpoint: formats, read-only, limits, privacy of bookkeeping.
use crate::common::{self, Server};
use std::time::Duration;

fn server(extra: &[&str]) -> (Server, tempfile::TempDir) {
    common::with_generated(20, extra)
}

const TITLES: &str = "PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX dcterms: <http://purl.org/dc/terms/> \
    SELECT ?d ?t WHERE { ?d a dcat:Dataset ; dcterms:title ?t FILTER(lang(?t) = 'sv') } ORDER BY ?d";

#[test]
fn select_in_every_results_format() {
    let (server, _dir) = server(&[]);
    for (accept, expected) in [
        (
            "application/sparql-results+json",
            "application/sparql-results+json",
        ),
        (
            "application/sparql-results+xml",
            "application/sparql-results+xml",
        ),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
    ] {
        let response = server
            .get(&common::sparql_url(TITLES))
            .header("accept", accept)
            .send()
            .unwrap();
        assert_eq!(response.status(), 200, "{accept}");
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with(expected)
        );
        assert!(response.text().unwrap().contains("Datamängd 7"));
    }
    let json: serde_json::Value = server
        .get(&common::sparql_url(TITLES))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(json["results"]["bindings"].as_array().unwrap().len(), 20);
}

#[test]
fn query_by_form_post_and_direct_post() {
    let (server, _dir) = server(&[]);
    let form = server
        .post("/sparql")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(common::form(&[(
            "query",
            "ASK { ?s a <http://www.w3.org/ns/dcat#Dataset> }",
        )]))
        .send()
        .unwrap();
    assert_eq!(form.status(), 200);
    assert!(form.text().unwrap().contains("true"));
    let direct = server
        .post("/sparql")
        .header("content-type", "application/sparql-query")
        .body("SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://www.w3.org/ns/dcat#Distribution> }")
        .send()
        .unwrap();
    assert!(direct.text().unwrap().contains("\"40\""));
}

#[test]
fn construct_and_describe_default_to_turtle() {
    let (server, _dir) = server(&[]);
    let construct = "CONSTRUCT { ?d <http://purl.org/dc/terms/title> ?t } WHERE { ?d <http://purl.org/dc/terms/title> ?t }";
    let response = server.get(&common::sparql_url(construct)).send().unwrap();
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/turtle")
    );
    for accept in [
        "application/rdf+xml",
        "application/ld+json",
        "application/n-triples",
    ] {
        let response = server
            .get(&common::sparql_url(construct))
            .header("accept", accept)
            .send()
            .unwrap();
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with(accept)
        );
        assert!(!common::parse(&response.bytes().unwrap(), accept).is_empty());
    }
    let describe = server
        .get(&common::sparql_url(
            "DESCRIBE <http://katalog.test/datasets/d3>",
        ))
        .send()
        .unwrap();
    assert!(describe.text().unwrap().contains("Datamängd 3"));
}

#[test]
fn updates_are_refused_and_change_nothing() {
    let (server, _dir) = server(&[]);
    let update = "DELETE WHERE { ?s ?p ?o }";
    let by_form = server
        .post("/sparql")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(common::form(&[("update", update)]))
        .send()
        .unwrap();
    assert_eq!(by_form.status(), 403);
    let direct = server
        .post("/sparql")
        .header("content-type", "application/sparql-update")
        .body(update)
        .send()
        .unwrap();
    assert_eq!(direct.status(), 403);
    let in_query = server.get(&common::sparql_url(update)).send().unwrap();
    assert_eq!(in_query.status(), 400);
    let count = server
        .get(&common::sparql_url(
            "SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://www.w3.org/ns/dcat#Dataset> }",
        ))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(count.contains("\"20\""));
}

#[test]
fn bookkeeping_is_not_visible() {
    let (server, _dir) = server(&[]);
    for query in [
        "ASK { ?s <https://w3id.org/katalog/internal#kind> ?o }",
        "ASK { GRAPH ?g { ?s <https://w3id.org/katalog/internal#kind> ?o } }",
        "ASK { ?s <https://w3id.org/katalog/internal#lastChange> ?o }",
        "ASK { ?s <https://w3id.org/katalog/internal#source> ?o }",
        "ASK { ?event <https://w3id.org/katalog/internal#state> ?o }",
        // Nothing in the default graph but what some record's graph holds.
        "ASK { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }",
    ] {
        let body = server
            .get(&common::sparql_url(query))
            .send()
            .unwrap()
            .text()
            .unwrap();
        assert!(body.contains("false"), "{query}: {body}");
    }
}

#[test]
fn service_is_not_federated() {
    let (server, _dir) = server(&[]);
    let query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }";
    let response = server.get(&common::sparql_url(query)).send().unwrap();
    assert_eq!(response.status(), 400);
}

#[test]
fn row_cap_is_reported_in_a_header() {
    let (server, _dir) = server(&["--sparql-max-rows", "5"]);
    let response = server.get(&common::sparql_url(TITLES)).send().unwrap();
    assert_eq!(response.headers()["x-sparql-maxrows"], "5");
    assert_eq!(response.headers()["x-sparql-truncated"], "true");
    let json: serde_json::Value = response.json().unwrap();
    assert_eq!(json["results"]["bindings"].as_array().unwrap().len(), 5);
}

const EXPENSIVE: &str =
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }";

#[test]
fn slow_queries_fail_with_503_before_the_status_line() {
    let (server, _dir) = server(&["--sparql-timeout", "1"]);
    let started = std::time::Instant::now();
    let response = server.get(&common::sparql_url(EXPENSIVE)).send().unwrap();
    assert_eq!(response.status(), 503);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    assert!(response.text().unwrap().contains("took longer"));
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn concurrent_queries_are_bounded() {
    let (server, _dir) = server(&["--sparql-timeout", "6", "--sparql-max-concurrent", "1"]);
    let server = std::sync::Arc::new(server);
    let slow = {
        let server = server.clone();
        std::thread::spawn(move || {
            server
                .get(&common::sparql_url(EXPENSIVE))
                .send()
                .unwrap()
                .status()
        })
    };
    std::thread::sleep(Duration::from_millis(500));
    let second = server.get(&common::sparql_url("ASK {}")).send().unwrap();
    assert_eq!(
        second.status(),
        503,
        "a second query must not run while the slot is taken"
    );
    assert!(second.headers().contains_key("retry-after"));
    assert_eq!(slow.join().unwrap(), 503);
}

#[test]
fn service_description_without_query() {
    let (server, _dir) = server(&[]);
    let body = server
        .get("/sparql")
        .header("accept", "text/turtle")
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        body.contains("sd:Service") || body.contains("sparql-service-description#Service"),
        "{body}"
    );
    let page = server
        .get("/sparql")
        .header("accept", "text/html")
        .send()
        .unwrap();
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
}

#[test]
fn the_example_queries_answer_and_the_page_offers_them() {
    let (server, _dir) = server(&[]);
    // The generated catalogue has no high-value dataset (the demo has) and licenses every
    // distribution (one dataset here does not), which two examples look for.
    server.publish_ok(&common::demo_catalog());
    server.publish_ok(&crate::publishers::dataset(
        "utan-licens",
        "2120009994",
        "Utan licens",
    ));
    let page = server
        .get("/sparql")
        .header("accept", "text/html")
        .send()
        .unwrap()
        .text()
        .unwrap();
    let examples = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/queries/examples"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect::<Vec<_>>();
    assert!(examples.len() >= 6);
    for query in examples {
        let title = query.lines().next().unwrap().trim_start_matches('#').trim();
        assert!(page.contains(title), "the page offers {title:?}");
        let json: serde_json::Value = server
            .get(&common::sparql_url(&query))
            .send()
            .unwrap()
            .json()
            .unwrap();
        let rows = json["results"]["bindings"].as_array().unwrap().len();
        assert!(rows > 0, "{title}: no answer");
    }
}
