//! What katalog serves is what was published: Oxigraph normalises typed literals when it
//! stores them, and no read path may let that show (issue: lossless records).
use crate::common::{self, BASE, Server, TOKEN};
use std::collections::BTreeSet;

const XSD: &str = "http://www.w3.org/2001/XMLSchema#";

/// Literal forms Oxigraph would store differently, each on its own property of d0.
const FORMS: [(&str, &str); 13] = [
    ("int", "\"42\"^^xsd:int"),
    ("long", "\"42\"^^xsd:long"),
    ("positive", "\"5\"^^xsd:positiveInteger"),
    ("padded", "\"007\"^^xsd:integer"),
    ("decimal", "\"1.50\"^^xsd:decimal"),
    ("boolean", "\"1\"^^xsd:boolean"),
    ("offset", "\"2024-05-01T10:00:00+00:00\"^^xsd:dateTime"),
    ("double", "\"1.0E2\"^^xsd:double"),
    ("year", "\"2024\"^^xsd:gYear"),
    ("duration", "\"P1Y2M\"^^xsd:duration"),
    ("lang", "\"Ärende\"@sv-SE"),
    ("long-string", "LONG"),
    ("float", "\"1e0\"^^xsd:float"),
];

fn catalogue() -> String {
    let mut ttl = katalog::generate::catalogue_turtle(3);
    let long = format!("\"{}\"", "lång text ".repeat(500));
    ttl.push_str(
        "<datasets/d0/distributions/csv> dcat:byteSize \"1037\"^^xsd:nonNegativeInteger .\n",
    );
    ttl.push_str(
        "<datasets/d1/distributions/csv> dcat:byteSize \"0042\"^^xsd:nonNegativeInteger .\n",
    );
    for (name, value) in FORMS {
        let value = if value == "LONG" {
            long.as_str()
        } else {
            value
        };
        ttl.push_str(&format!(
            "<datasets/d0> <http://example.org/form#{name}> {value} .\n"
        ));
    }
    ttl
}

/// The N-Triples lines of the published triples that have a literal object of these
/// records (what the store would change).
fn literal_lines(triples: &[oxigraph::model::Triple]) -> BTreeSet<String> {
    triples
        .iter()
        .filter(|t| t.object.is_literal())
        .filter(|t| !t.predicate.as_str().ends_with("/modified"))
        .map(|t| format!("{t} ."))
        .collect()
}

fn get(server: &Server, path: &str, accept: &str) -> Vec<u8> {
    let response = server.get(path).header("accept", accept).send().unwrap();
    assert_eq!(response.status(), 200, "{path} as {accept}");
    response.bytes().unwrap().to_vec()
}

const SYNTAXES: [&str; 4] = [
    "text/turtle",
    "application/n-triples",
    "application/rdf+xml",
    "application/ld+json",
];

#[test]
fn every_read_path_gives_back_the_published_literals_and_a_put_back_is_unchanged() {
    let dir = common::temp_store();
    let server = Server::start_in(dir.path(), &[]);
    server.publish_ok(&catalogue());
    let published = literal_lines(&common::turtle(&catalogue()));
    assert!(
        published
            .iter()
            .any(|l| l.contains(&format!("\"1037\"^^<{XSD}nonNegativeInteger>")))
    );
    let missing = |served: &[oxigraph::model::Triple], what: &str| {
        let served = literal_lines(served);
        let lost: Vec<_> = published.difference(&served).collect();
        assert!(lost.is_empty(), "{what} lost or changed {lost:#?}");
    };

    // Dereferencing the records, in every syntax: the published literals, and a PUT of what
    // came back is "unchanged".
    let mut served = Vec::new();
    for syntax in SYNTAXES {
        for id in ["d0", "d1", "d2"] {
            let body = get(&server, &format!("/datasets/{id}"), syntax);
            served.extend(common::parse(&body, syntax));
            let put = server
                .put(&format!("/datasets/{id}"))
                .bearer_auth(TOKEN)
                .header("content-type", syntax)
                .body(body)
                .send()
                .unwrap();
            let status = put.status();
            let answer: serde_json::Value = put.json().unwrap();
            assert_eq!(status, 200, "{id} as {syntax}: {answer}");
            assert_eq!(
                answer["records"][0]["change"], "unchanged",
                "{id} as {syntax}: {answer}"
            );
        }
    }
    // The catalogue's own IRI is the paged feed; its literals are checked there below.
    served.extend(common::parse(
        &get(&server, "/catalog?pageSize=100", "application/n-triples"),
        "application/n-triples",
    ));
    missing(&served, "dereferencing");
    // A distribution inside a record dereferences as published too.
    let distribution = common::parse(
        &get(
            &server,
            "/datasets/d0/distributions/csv",
            "application/n-triples",
        ),
        "application/n-triples",
    );
    assert!(
        literal_lines(&distribution)
            .iter()
            .any(|l| l.contains(&format!("\"1037\"^^<{XSD}nonNegativeInteger>")))
    );

    // The harvest documents, cached and uncached alike (the second request is served from
    // the feed cache), the paged catalogue and the LDES feed.
    for path in ["/datasets/dcat", "/datasets/dcat", "/catalog?pageSize=100"] {
        let body = get(&server, path, "application/n-triples");
        missing(&common::parse(&body, "application/n-triples"), path);
    }
    let ldes = get(&server, "/ldes", "application/trig");
    let quads: Vec<oxigraph::model::Triple> =
        oxigraph::io::RdfParser::from_format(oxigraph::io::RdfFormat::TriG)
            .for_slice(&ldes)
            .map(|q| q.unwrap().into())
            .collect();
    missing(&quads, "/ldes");
    // The EU profile keeps the datatype the EU shapes demand.
    let eu = String::from_utf8(get(
        &server,
        "/datasets/dcat?profile=dcat-ap",
        "application/rdf+xml",
    ))
    .unwrap();
    assert!(
        eu.contains(&format!("rdf:datatype=\"{XSD}nonNegativeInteger\">1037<")),
        "EU profile"
    );
    assert!(!eu.contains(&format!("{XSD}integer\">1037<")));

    // SPARQL answers with Oxigraph's values, as documented: the record IRI is the authority.
    drop(server);
    let export = std::process::Command::new(common::bin())
        .args(["export", "--format", "ntriples", "--data"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(export.status.success());
    missing(
        &common::parse(&export.stdout, "application/n-triples"),
        "export",
    );
}

#[test]
fn the_served_feed_conforms_to_the_shapes_it_was_checked_with() {
    let dir = common::temp_store();
    let server = Server::start_in(dir.path(), &[]);
    server.publish_ok(&catalogue());
    let feed = dir.path().join("feed.rdf");
    std::fs::write(&feed, get(&server, "/datasets/dcat", "application/rdf+xml")).unwrap();
    let validate = std::process::Command::new(common::bin())
        .args(["validate", "--base-uri", BASE])
        .arg(&feed)
        .output()
        .unwrap();
    assert!(
        validate.status.success(),
        "{}",
        String::from_utf8_lossy(&validate.stdout)
    );
}

#[test]
fn a_changed_shapes_digest_does_not_change_what_the_feeds_serve() {
    let dir = common::temp_store();
    let data = dir.path().join("store");
    let feed = |server: &Server| get(server, "/datasets/dcat", "application/n-triples");
    let before = {
        let server = Server::start_in(&data, &[]);
        server.publish_ok(&catalogue());
        feed(&server)
    };
    // The shipped shapes with one comment more: every record is checked again.
    let shapes = dir.path().join("shapes");
    std::fs::create_dir(&shapes).unwrap();
    for entry in std::fs::read_dir(common::root().join("shapes")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "ttl") {
            std::fs::copy(&path, shapes.join(path.file_name().unwrap())).unwrap();
        }
    }
    let dataset = shapes.join("dataset.ttl");
    let mut text = std::fs::read_to_string(&dataset).unwrap();
    text.push_str("\n# a comment: the digest of the shapes changes\n");
    std::fs::write(&dataset, text).unwrap();
    let server = Server::start_in(&data, &["--shapes", shapes.to_str().unwrap()]);
    assert_eq!(feed(&server), before, "changed shapes");
    drop(server);
    // Back to the shipped shapes (katalog's version is part of the same digest): likewise.
    let server = Server::start_in(&data, &[]);
    assert_eq!(feed(&server), before, "back to the shipped shapes");
}
