//! Dereferencing the IRIs katalog mints, with content negotiation.
use crate::common::{self, BASE, Server, TOKEN};

fn server() -> (Server, tempfile::TempDir) {
    common::with_generated(3, &[])
}

#[test]
fn dataset_iri_negotiates_rdf_and_html() {
    let (server, _dir) = server();
    let cases = [
        ("text/turtle", "text/turtle"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/ld+json", "application/ld+json"),
        ("application/n-triples", "application/n-triples"),
        (
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "text/html",
        ),
        ("*/*", "text/turtle"),
    ];
    for (accept, expected) in cases {
        let response = server
            .get("/datasets/d1")
            .header("accept", accept)
            .send()
            .unwrap();
        assert_eq!(response.status(), 200, "{accept}");
        // One URL serves RDF by Accept and pages by Accept-Language: caches key on both.
        assert_eq!(response.headers()["vary"], "Accept, Accept-Language");
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            content_type.starts_with(expected),
            "{accept} gave {content_type}"
        );
        let body = response.bytes().unwrap();
        if expected == "text/html" {
            let html = String::from_utf8_lossy(&body);
            assert!(html.contains("Datamängd 1"), "{html}");
            // The warnings kept at publication are shown on the page.
            assert!(
                html.contains("Kvalitet") && html.contains("dcterms:temporal"),
                "{html}"
            );
        } else {
            let triples = common::parse(&body, expected);
            let title =
                format!("<{BASE}datasets/d1> <http://purl.org/dc/terms/title> \"Datamängd 1\"@sv");
            assert!(triples.iter().any(|t| t.to_string() == title), "{expected}");
            // The record carries its distributions and contact point.
            assert!(
                triples
                    .iter()
                    .any(|t| t.subject.to_string()
                        == format!("<{BASE}datasets/d1/distributions/csv>"))
            );
        }
    }
    let refused = server
        .get("/datasets/d1")
        .header("accept", "image/png")
        .send()
        .unwrap();
    assert_eq!(refused.status(), 406);
}

#[test]
fn extensions_and_inner_resources_dereference() {
    let (server, _dir) = server();
    let ttl = server
        .get("/datasets/d2.ttl")
        .header("accept", "text/html")
        .send()
        .unwrap();
    assert_eq!(ttl.status(), 200);
    assert!(
        ttl.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/turtle")
    );
    let distribution = server
        .get("/datasets/d2/distributions/csv")
        .header("accept", "application/n-triples")
        .send()
        .unwrap();
    assert_eq!(distribution.status(), 200);
    let body = distribution.text().unwrap();
    assert!(
        body.contains("<http://purl.org/dc/terms/format> \"text/csv\""),
        "{body}"
    );
    let catalog = server
        .get("/catalog")
        .header("accept", "text/html")
        .send()
        .unwrap();
    assert!(
        catalog.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(catalog.text().unwrap().contains("Datamängd 2"));
    assert_eq!(
        server
            .get("/datasets/nothing-here")
            .send()
            .unwrap()
            .status(),
        404
    );
}

#[test]
fn deleted_records_are_gone() {
    let (server, _dir) = server();
    let deleted = server
        .delete("/datasets/d0")
        .bearer_auth(TOKEN)
        .send()
        .unwrap();
    assert_eq!(deleted.status(), 204);
    assert_eq!(server.get("/datasets/d0").send().unwrap().status(), 410);
    assert_eq!(
        server
            .delete("/datasets/d0")
            .bearer_auth(TOKEN)
            .send()
            .unwrap()
            .status(),
        404
    );
}

#[test]
fn conditional_get_on_a_record() {
    let (server, _dir) = server();
    let first = server.get("/datasets/d1").send().unwrap();
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let again = server
        .get("/datasets/d1")
        .header("if-none-match", etag)
        .send()
        .unwrap();
    assert_eq!(again.status(), 304);
}
