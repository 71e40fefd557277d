//! An LDES source followed event by event, and the round trip of connected sources: katalog
//! B harvests katalog A's `/datasets/dcat`, katalog C A's `/ldes`; after creates, updates and
//! deletes on A and a second run, both hold A's records, each isomorphic to A's with the
//! same literals.
use crate::common::{BASE, Server, TOKEN, temp_store};
use crate::fixture::Fixture;
use crate::publishers::{katalog, publisher};
use crate::sources::{PREFIXES, counts, run_with, source_iri};
use katalog::rdf::isomorphic;
use katalog::store::{RecordKind, split_records};
use oxigraph::io::RdfFormat;
use oxigraph::model::Triple;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const ORG: &str = "2120009994";
const DATASETS: usize = 120;

/// A harvesting site: the organisation and one source of `kind` at `url`.
fn harvesting_site(kind: &str, url: &str) -> (tempfile::TempDir, String) {
    let dir = temp_store();
    let added = katalog(
        dir.path(),
        &["org", "add", "--orgnr", ORG, "--name", "Exempelkommun"],
        "",
    );
    assert!(added.status.success());
    let out = katalog(
        dir.path(),
        &["source", "add", "--org", ORG, "--kind", kind, "--url", url],
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let id = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    (dir, id)
}

/// `katalog source run ID --json --allow-private` with `extra`; fails the test unless the
/// run succeeded.
fn run(data: &Path, id: &str, extra: &[&str]) -> Value {
    let (ok, report) = run_with(data, id, &[&["--allow-private"][..], extra].concat());
    assert!(ok, "{report:#}");
    report
}

/// The dataset records of a document, by IRI.
fn datasets(ntriples: &[u8], base: &str) -> BTreeMap<String, Vec<Triple>> {
    let triples =
        katalog::rdf::parse_graph(ntriples, RdfFormat::NTriples, None).expect("N-Triples");
    split_records(triples, base)
        .records
        .into_iter()
        .filter(|r| r.kind == RecordKind::Dataset)
        .map(|r| (r.iri.as_str().to_owned(), r.triples))
        .collect()
}

/// What a stopped site serves, as its export gives it.
fn exported(data: &Path) -> BTreeMap<String, Vec<Triple>> {
    let out = katalog(
        data,
        &["export", "--format", "ntriples", "--base-uri", BASE],
        "",
    );
    assert!(out.status.success());
    datasets(&out.stdout, BASE)
}

fn served(a: &Server) -> BTreeMap<String, Vec<Triple>> {
    let body = a.harvest_document();
    datasets(&body, &format!("{}/", a.addr))
}

fn literals(triples: &[Triple]) -> BTreeSet<String> {
    triples
        .iter()
        .filter(|t| t.object.is_literal())
        .map(|t| format!("{t}"))
        .collect()
}

fn assert_same_records(a: &BTreeMap<String, Vec<Triple>>, b: &BTreeMap<String, Vec<Triple>>) {
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "the same records"
    );
    for (iri, triples) in a {
        assert!(isomorphic(triples, &b[iri]), "{iri} isomorphic");
        assert_eq!(literals(triples), literals(&b[iri]), "{iri}: literals");
    }
}

/// A dataset of A at `id`, as a publisher would post it.
fn dataset(id: &str, title: &str) -> String {
    format!(
        "@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dcterms: <http://purl.org/dc/terms/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
<datasets/{id}> a dcat:Dataset ; dcterms:title \"{title}\"@sv ;
  dcterms:description \"Beskrivning av {title}.\"@sv ;
  dcterms:publisher <{publisher}> ; dcat:contactPoint <datasets/{id}#kontakt> .
<datasets/{id}#kontakt> a vcard:Organization ; vcard:fn \"Kundtjänst\" ; vcard:hasEmail <mailto:info@exempel.se> .
<{publisher}> a <http://xmlns.com/foaf/0.1/Agent> ; <http://xmlns.com/foaf/0.1/name> \"Exempelkommun\"@sv ;
  dcterms:type <http://purl.org/adms/publishertype/LocalAuthority> .
",
        publisher = publisher(ORG)
    )
}

#[test]
fn katalog_harvests_katalog_by_its_catalogue_and_by_its_event_stream() {
    let dir_a = temp_store();
    let a = Server::start_on_own_address(dir_a.path(), &[]);
    let mut first = katalog::generate::organisation_turtle(DATASETS, "");
    first.push_str(
        "<datasets/d1/distributions/csv> dcat:byteSize \"0042\"^^xsd:nonNegativeInteger .\n",
    );
    a.publish_ok(&first);

    let (b, b_source) = harvesting_site("dcat", &format!("{}/datasets/dcat", a.addr));
    let (c, c_source) = harvesting_site("ldes", &format!("{}/ldes", a.addr));
    let report = run(b.path(), &b_source, &[]);
    assert_eq!(counts(&report), [DATASETS as u64, 0, 0, 0, 0, 0]);
    let report = run(c.path(), &c_source, &[]);
    assert_eq!(counts(&report), [DATASETS as u64, 0, 0, 0, 0, 0]);
    // The stream's two pages (100 events a page).
    assert_eq!(report["pages"], 2, "{report:#}");
    assert_same_records(&served(&a), &exported(b.path()));
    assert_same_records(&served(&a), &exported(c.path()));

    // A create, an update and a delete on A.
    a.publish_ok(&dataset("ny", "En ny datamängd"));
    // The whole catalogue again with one title changed: only that record changes.
    a.publish_ok(&first.replace("Datamängd 2\"@sv", "Datamängd 2, ändrad\"@sv"));
    let deleted = a.delete("/datasets/d3").bearer_auth(TOKEN).send().unwrap();
    assert!(deleted.status().is_success(), "{}", deleted.status());

    // The catalogue: everything read again, the changes written.
    let report = run(b.path(), &b_source, &[]);
    let unchanged = DATASETS as u64 - 2;
    assert_eq!(counts(&report), [1, 1, 1, unchanged, 0, 0], "{report:#}");
    // The stream: only the events after the last one applied, from the page that held it.
    let report = run(c.path(), &c_source, &[]);
    assert_eq!(counts(&report), [1, 1, 1, 0, 0, 0], "{report:#}");
    let fetched: Vec<&str> = report["fetches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["url"].as_str().unwrap())
        .collect();
    assert_eq!(fetched, [format!("{}/ldes?page=2", a.addr)], "{report:#}");
    let now = served(&a);
    assert!(now.contains_key(&format!("{}/datasets/ny", a.addr)));
    assert!(!now.contains_key(&format!("{}/datasets/d3", a.addr)));
    assert_same_records(&now, &exported(b.path()));
    assert_same_records(&now, &exported(c.path()));

    // Nothing new: nothing written. A full re-read on demand reads from the start and finds
    // every record as stored.
    let report = run(c.path(), &c_source, &[]);
    assert_eq!(counts(&report), [0, 0, 0, 0, 0, 0], "{report:#}");
    let report = run(c.path(), &c_source, &["--full"]);
    assert_eq!(
        counts(&report),
        [0, 0, 0, DATASETS as u64, 0, 0],
        "{report:#}"
    );
    assert_eq!(report["fetches"][0]["url"], format!("{}/ldes", a.addr));
    assert_same_records(&now, &exported(c.path()));
}

/// An LDES page at `fixture`'s `/stream` (or `/stream?p=N`): `events` are (member,
/// activity, dataset id, time), each create or update with the dataset's state.
fn stream_page(
    fixture: &Fixture,
    events: &[(&str, &str, &str, &str)],
    next: Option<&str>,
) -> String {
    let mut out = String::from(PREFIXES);
    out.push_str(
        "@prefix as: <https://www.w3.org/ns/activitystreams#> .
@prefix ldes: <https://w3id.org/ldes#> . @prefix tree: <https://w3id.org/tree#> .
",
    );
    let stream = fixture.url("/stream#s");
    out.push_str(&format!("<{stream}> a ldes:EventStream .\n"));
    for (member, activity, id, time) in events {
        let member = fixture.url(&format!("/events/{member}"));
        out.push_str(&format!(
            "<{stream}> tree:member <{member}> .
<{member}> a as:{activity} ; as:object <{}> ;
  as:published \"{time}\"^^<http://www.w3.org/2001/XMLSchema#dateTime> .
",
            source_iri(id)
        ));
        if *activity != "Delete" {
            let state =
                crate::sources::dataset(&source_iri(id), ORG, &format!("Titel {id} {member}"));
            out.push_str(&format!("<{member}> {{\n{state}}}\n"));
        }
    }
    if let Some(next) = next {
        out.push_str(&format!(
            "<> tree:relation [ tree:node <{}> ] .\n",
            fixture.url(next)
        ));
    }
    out
}

const TRIG: &str = "application/trig";

#[test]
fn an_ldes_source_resumes_where_it_stopped_and_reads_again_when_the_stream_was_pruned() {
    let fixture = Fixture::start();
    let t = |minute: u32| format!("2026-01-01T00:{minute:02}:00Z");
    let first = [
        ("1", "Create", "a", t(1)),
        ("2", "Create", "b", t(2)),
        ("3", "Create", "c", t(3)),
    ];
    let page = |events: &[(&str, &str, &str, String)], next: Option<&str>| {
        let events: Vec<(&str, &str, &str, &str)> = events
            .iter()
            .map(|(m, a, d, t)| (*m, *a, *d, t.as_str()))
            .collect();
        stream_page(&fixture, &events, next)
    };
    fixture.serve("/stream", TRIG, page(&first[..2], Some("/stream?p=2")));
    fixture.serve("/stream?p=2", TRIG, page(&first[2..], None));
    let (dir, id) = harvesting_site("ldes", &fixture.url("/stream"));
    let report = run(dir.path(), &id, &[]);
    assert_eq!(counts(&report), [3, 0, 0, 0, 0, 0], "{report:#}");

    // Two deletes of three records: more than the share; held, and applied once confirmed.
    let more = [
        ("3", "Create", "c", t(3)),
        ("4", "Delete", "a", t(4)),
        ("5", "Delete", "b", t(5)),
        ("6", "Update", "c", t(6)),
    ];
    fixture.serve("/stream?p=2", TRIG, page(&more, None));
    let report = run(dir.path(), &id, &[]);
    assert_eq!(counts(&report), [0, 1, 0, 0, 0, 0], "{report:#}");
    assert!(report["removalHeld"].is_string(), "{report:#}");
    let out = katalog(dir.path(), &["source", "confirm-removal", &id], "");
    assert!(out.status.success());
    let report = run(dir.path(), &id, &[]);
    assert_eq!(counts(&report), [0, 0, 2, 1, 0, 0], "{report:#}");
    assert_eq!(report["fetches"][0]["url"], fixture.url("/stream?p=2"));

    // The stream was compacted: the page the last run stopped at is gone, so the whole
    // stream is read again.
    fixture.set(
        "/stream?p=2",
        crate::fixture::Doc {
            status: 404,
            ..crate::fixture::Doc::ok("text/plain", "")
        },
    );
    let compacted = [("7", "Create", "c", t(7)), ("8", "Create", "d", t(8))];
    fixture.serve("/stream", TRIG, page(&compacted, None));
    let report = run(dir.path(), &id, &[]);
    let warnings = report["warnings"].to_string();
    assert!(warnings.contains("is gone"), "{report:#}");
    assert_eq!(counts(&report), [1, 1, 0, 0, 0, 0], "{report:#}");
}
