//! The paged catalogue feed: completeness in every syntax, paging, filters, validators.
use crate::common::{self, BASE, Server};
use katalog::rdf::ns::hydra;
use oxigraph::model::{Term, Triple};

const SYNTAXES: [&str; 4] = [
    "text/turtle",
    "application/rdf+xml",
    "application/ld+json",
    "application/n-triples",
];

fn loaded_server(datasets: usize) -> (Server, tempfile::TempDir, Vec<Triple>) {
    let (server, dir) = common::with_generated(datasets, &[]);
    (
        server,
        dir,
        without_modified(common::turtle(&katalog::generate::catalogue_turtle(
            datasets,
        ))),
    )
}

/// The publishing API stamps `dcterms:modified` itself, so comparisons leave it out.
fn without_modified(triples: Vec<Triple>) -> Vec<Triple> {
    triples
        .into_iter()
        .filter(|t| t.predicate.as_ref() != katalog::rdf::ns::dcterms::MODIFIED)
        .collect()
}

fn is_paging(t: &Triple) -> bool {
    t.predicate.as_str().starts_with(hydra::NS.as_str())
        || t.object.to_string().contains(hydra::NS.as_str())
}

/// Follows hydra:next from the first page; returns every triple and the page count.
fn harvest(server: &Server, first: &str, accept: &str) -> (Vec<Triple>, usize) {
    let mut url = Some(first.to_owned());
    let mut all = Vec::new();
    let mut pages = 0;
    while let Some(next) = url.take() {
        let response = server.get(&next).header("accept", accept).send().unwrap();
        assert_eq!(response.status(), 200, "{next}");
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            content_type.starts_with(accept),
            "{content_type} for {accept}"
        );
        let triples = common::parse(&response.bytes().unwrap(), accept);
        url = triples
            .iter()
            .find(|t| t.predicate.as_ref() == hydra::NEXT)
            .map(|t| match &t.object {
                Term::NamedNode(n) => n.as_str().to_owned(),
                other => panic!("next is {other}"),
            });
        all.extend(triples);
        pages += 1;
        assert!(pages < 1000, "paging does not end");
    }
    (all, pages)
}

#[test]
fn paging_through_every_syntax_gives_back_what_was_loaded() {
    let (server, _dir, loaded) = loaded_server(95);
    for accept in SYNTAXES {
        let (triples, pages) = harvest(&server, "/catalog?pageSize=20", accept);
        assert_eq!(pages, 5, "{accept}");
        let content: Vec<Triple> = triples.into_iter().filter(|t| !is_paging(t)).collect();
        let content = without_modified(content);
        assert!(
            katalog::rdf::isomorphic(&content, &loaded),
            "{accept}: union of pages differs from the loaded catalogue"
        );
    }
}

#[test]
fn pages_carry_hydra_controls_and_total() {
    let (server, _dir, _) = loaded_server(45);
    let body = server
        .get("/catalog.nt?page=2&pageSize=20")
        .send()
        .unwrap()
        .text()
        .unwrap();
    let view = format!("<{BASE}catalog?page=2&pageSize=20>");
    assert!(body.contains(&format!("{view} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/ns/hydra/core#PartialCollectionView>")), "{body}");
    for (rel, page) in [("first", 1), ("previous", 1), ("next", 3), ("last", 3)] {
        let link = format!(
            "{view} <http://www.w3.org/ns/hydra/core#{rel}> <{BASE}catalog?page={page}&pageSize=20>"
        );
        assert!(body.contains(&link), "missing {rel}");
    }
    assert!(body.contains("<http://www.w3.org/ns/hydra/core#totalItems> \"45\"^^<http://www.w3.org/2001/XMLSchema#integer>"));
    // Only this page's datasets are listed.
    assert_eq!(
        body.matches("<http://www.w3.org/ns/dcat#dataset>").count(),
        20
    );
    assert_eq!(
        server
            .get("/catalog?page=4&pageSize=20")
            .send()
            .unwrap()
            .status(),
        404
    );
    assert_eq!(server.get("/catalog?page=0").send().unwrap().status(), 400);
    assert_eq!(
        server.get("/catalog?pageSize=abc").send().unwrap().status(),
        400
    );
}

#[test]
fn page_size_is_bounded() {
    let (server, _dir, _) = loaded_server(3);
    let body = server
        .get("/catalog.nt?pageSize=1000000")
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        body.contains("pageSize=1000>"),
        "page size not capped: {body}"
    );
}

#[test]
fn extensions_choose_the_syntax() {
    let (server, _dir, _) = loaded_server(2);
    for (ext, media) in [
        ("ttl", "text/turtle"),
        ("rdf", "application/rdf+xml"),
        ("jsonld", "application/ld+json"),
        ("nt", "application/n-triples"),
    ] {
        let response = server
            .get(&format!("/catalog.{ext}"))
            .header("accept", "text/html")
            .send()
            .unwrap();
        assert_eq!(response.status(), 200);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with(media)
        );
    }
    let response = server
        .get("/catalog")
        .header("accept", "image/png")
        .send()
        .unwrap();
    assert_eq!(response.status(), 406);
}

#[test]
fn conditional_requests_answer_304_until_something_changes() {
    let (server, _dir, _) = loaded_server(3);
    let first = server.get("/catalog").send().unwrap();
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let modified = first.headers()["last-modified"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(first.headers()["vary"], "Accept");
    let again = server
        .get("/catalog")
        .header("if-none-match", &etag)
        .send()
        .unwrap();
    assert_eq!(again.status(), 304);
    let since = server
        .get("/catalog")
        .header("if-modified-since", &modified)
        .send()
        .unwrap();
    assert_eq!(since.status(), 304);
    // Another syntax is another representation.
    let other = server
        .get("/catalog")
        .header("accept", "application/rdf+xml")
        .header("if-none-match", &etag)
        .send()
        .unwrap();
    assert_eq!(other.status(), 200);
    let extra = katalog::generate::catalogue_turtle(4);
    assert!(server.publish(&extra).status().is_success());
    let changed = server
        .get("/catalog")
        .header("if-none-match", &etag)
        .send()
        .unwrap();
    assert_eq!(changed.status(), 200);
    assert_ne!(changed.headers()["etag"].to_str().unwrap(), etag);
}

#[test]
fn modified_since_filters_records() {
    let (server, _dir, _) = loaded_server(5);
    let all = server
        .get("/catalog.nt?modified_since=2000-01-01")
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert_eq!(
        all.matches("<http://www.w3.org/ns/dcat#dataset>").count(),
        5
    );
    let none = server
        .get("/catalog.nt?modified_since=2999-01-01T00:00:00Z")
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert_eq!(
        none.matches("<http://www.w3.org/ns/dcat#dataset>").count(),
        0
    );
    assert!(none.contains("\"0\"^^<http://www.w3.org/2001/XMLSchema#integer>"));
    assert_eq!(
        server
            .get("/catalog?modified_since=yesterday")
            .send()
            .unwrap()
            .status(),
        400
    );
}

#[test]
fn full_catalogue_is_rdfxml_by_default() {
    let (server, _dir, loaded) = loaded_server(30);
    let response = server.get("/datasets/dcat").send().unwrap();
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/rdf+xml")
    );
    let served = common::parse(&response.bytes().unwrap(), "application/rdf+xml");
    // Four publishers: besides the site catalogue, each has its own sub-catalogue.
    let site: Vec<Triple> = served
        .iter()
        .filter(|t| {
            !t.subject.to_string().contains("/organisations/")
                && t.predicate.as_ref() != katalog::rdf::ns::dcterms::HAS_PART
        })
        .cloned()
        .collect();
    assert!(katalog::rdf::isomorphic(&without_modified(site), &loaded));
}

#[test]
fn void_points_to_endpoint_dump_and_uri_space() {
    let (server, _dir, _) = loaded_server(1);
    let body = server
        .get("/.well-known/void")
        .header("accept", "application/n-triples")
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(body.contains(&format!(
        "<http://rdfs.org/ns/void#sparqlEndpoint> <{BASE}sparql>"
    )));
    assert!(body.contains(&format!(
        "<http://rdfs.org/ns/void#dataDump> <{BASE}datasets/dcat>"
    )));
    assert!(body.contains(&format!("<http://rdfs.org/ns/void#uriSpace> \"{BASE}\"")));
}
