//! Connected sources: real HTTP sources on 127.0.0.1 (the fixture server) harvested by
//! `katalog source run` and through the API, asserting the records and the run reports.
use crate::common::{BASE, Server, TOKEN};
use crate::fixture::{self, Doc, Fixture};
use crate::publishers::{katalog, publisher};
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

const ORG: &str = "2120009994";
const OTHER: &str = "2021005448";
const TURTLE: &str = "text/turtle";

/// A conforming dataset at `iri` published by `orgnr`, in Turtle without prefixes.
pub(crate) fn dataset(iri: &str, orgnr: &str, title: &str) -> String {
    let publisher = publisher(orgnr);
    format!(
        "<{iri}> a dcat:Dataset ; dcterms:title \"{title}\"@sv ;
  dcterms:description \"Beskrivning av {title}.\"@sv ;
  dcterms:publisher <{publisher}> ; dcat:contactPoint <{iri}#kontakt> .
<{iri}#kontakt> a vcard:Organization ; vcard:fn \"Kundtjänst\" ; vcard:hasEmail <mailto:info@exempel.se> .
<{publisher}> a foaf:Agent ; foaf:name \"Organisation {orgnr}\"@sv ;
  dcterms:type <http://purl.org/adms/publishertype/LocalAuthority> .
"
    )
}

pub(crate) const PREFIXES: &str =
    "@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dcterms: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> . @prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix hydra: <http://www.w3.org/ns/hydra/core#> .
";

pub(crate) fn source_iri(id: &str) -> String {
    format!("https://data.exempel.se/datasets/{id}")
}

/// A catalogue page holding datasets `ids` (titles "Titel {id}{suffix}"), with `next`.
fn page(fixture: &Fixture, ids: &[&str], suffix: &str, next: Option<&str>) -> String {
    let mut out = String::from(PREFIXES);
    out.push_str(&format!(
        "<{}> a dcat:Catalog ; dcterms:title \"Källa\"@sv ; dcterms:publisher <{}> .\n",
        fixture.url("/catalog"),
        publisher(ORG)
    ));
    for id in ids {
        out.push_str(&dataset(
            &source_iri(id),
            ORG,
            &format!("Titel {id}{suffix}"),
        ));
    }
    if let Some(next) = next {
        out.push_str(&format!(
            "<{}> a hydra:PartialCollectionView ; hydra:next <{}> .\n",
            fixture.url("/catalog"),
            fixture.url(next)
        ));
    }
    out
}

fn setup() -> tempfile::TempDir {
    let dir = crate::common::temp_store();
    for (orgnr, name) in [(ORG, "Exempelkommun"), (OTHER, "Annan myndighet")] {
        let out = katalog(
            dir.path(),
            &["org", "add", "--orgnr", orgnr, "--name", name],
            "",
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    dir
}

fn add_source(data: &Path, url: &str, extra: &[&str]) -> String {
    let args = [
        &[
            "source", "add", "--org", ORG, "--kind", "dcat", "--url", url,
        ][..],
        extra,
    ]
    .concat();
    let out = katalog(data, &args, "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let id = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(id.parse::<i64>().is_ok(), "the id alone on stdout: {id:?}");
    id
}

/// `katalog source run ID --json --allow-private`: (exit success, report).
fn run(data: &Path, id: &str) -> (bool, Value) {
    run_with(data, id, &["--allow-private"])
}

/// `katalog source run ID --json` with `extra`: (exit success, report).
pub(crate) fn run_with(data: &Path, id: &str, extra: &[&str]) -> (bool, Value) {
    let args = [
        &["source", "run", id, "--json", "--base-uri", BASE][..],
        extra,
    ]
    .concat();
    let out = katalog(data, &args, "");
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "a JSON report: {} / {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.success(), report)
}

/// The site's harvest document, in Turtle (harvested records keep their own IRIs, which
/// dereference at their source, not here).
fn feed(server: &Server) -> String {
    let response = server
        .get("/datasets/dcat")
        .header("accept", "text/turtle")
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
    response.text().unwrap()
}

pub(crate) fn counts(report: &Value) -> [u64; 6] {
    [
        "added",
        "updated",
        "removed",
        "unchanged",
        "skipped",
        "conflicts",
    ]
    .map(|k| {
        report[k]
            .as_u64()
            .unwrap_or_else(|| panic!("{k} in {report}"))
    })
}

#[test]
fn a_paged_dcat_source_is_harvested_and_kept_in_step() {
    let dir = setup();
    let fixture = Fixture::start();
    // Page 1 (Turtle) names page 2; page 2 (N-Triples-like Turtle under another media type)
    // names page 1 again: a loop, read once.
    let mut first = page(&fixture, &["a", "b"], "", Some("/catalog?page=2"));
    first.push_str(&format!(
        "<{}> dcterms:relation <http://bad iri/> .\n",
        source_iri("a")
    ));
    let mut second = page(&fixture, &["c"], "", Some("/catalog"));
    second.push_str(&dataset(&source_iri("theirs"), OTHER, "Någon annans"));
    second.push_str(&format!(
        "<{}> a dcat:Dataset ; dcterms:publisher <{}> .\n",
        source_iri("bare"),
        publisher(ORG)
    ));
    fixture.serve("/catalog", TURTLE, first);
    fixture.serve("/catalog?page=2", "application/x-turtle", second);
    let id = add_source(dir.path(), &fixture.url("/catalog"), &[]);

    let (ok, report) = run(dir.path(), &id);
    assert!(ok, "{report}");
    assert_eq!(counts(&report), [3, 0, 0, 0, 2, 0], "{report:#}");
    assert_eq!(
        report["pages"], 2,
        "the loop back to page 1 is not fetched again"
    );
    assert_eq!(fixture.hits("/catalog"), 1);
    assert_eq!(report["complete"], true);
    let skipped = report["skippedRecords"].to_string();
    assert!(
        skipped.contains("theirs") && skipped.contains("not the organisation's"),
        "{skipped}"
    );
    assert!(
        skipped.contains("bare") && skipped.contains("violations"),
        "{skipped}"
    );
    let warnings = report["warnings"].to_string();
    assert!(
        warnings.contains("passed over"),
        "the bad IRI is reported: {warnings}"
    );
    assert!(warnings.contains("loops"), "{warnings}");

    // Unchanged: read whole again, as the first page's validators say nothing of the
    // second, and nothing is written.
    let (ok, report) = run(dir.path(), &id);
    assert!(ok);
    assert_ne!(report["notModified"], true, "{report:#}");
    assert_eq!(counts(&report), [0, 0, 0, 3, 2, 0]);

    // One dataset changed, one gone (1 of 3 is within the default share of 50 %).
    fixture.serve(
        "/catalog",
        TURTLE,
        page(&fixture, &["a", "b"], " (ny)", Some("/catalog?page=2")),
    );
    fixture.serve("/catalog?page=2", TURTLE, page(&fixture, &[], "", None));
    let (ok, report) = run(dir.path(), &id);
    assert!(ok, "{report}");
    assert_eq!(counts(&report), [0, 2, 1, 0, 0, 0], "{report:#}");

    // The server serves what was harvested; the removed record is gone.
    let server = Server::start_in(dir.path(), &[]);
    let served = feed(&server);
    assert!(served.contains("Titel a (ny)"), "{served}");
    assert!(
        !served.contains(&source_iri("c")),
        "a removed record is gone"
    );
    assert!(!served.contains(&source_iri("theirs")));
    let ldes = server.get("/ldes?page=1").send().unwrap().text().unwrap();
    assert!(ldes.contains("Delete") && ldes.contains(&source_iri("c")));
}

#[test]
fn an_empty_answer_does_not_wipe_the_catalogue_without_a_confirmation() {
    let dir = setup();
    let fixture = Fixture::start();
    fixture.serve(
        "/catalog",
        TURTLE,
        page(&fixture, &["a", "b", "c"], "", None),
    );
    let id = add_source(dir.path(), &fixture.url("/catalog"), &[]);
    assert_eq!(counts(&run(dir.path(), &id).1), [3, 0, 0, 0, 0, 0]);

    // Unchanged: the one page answers 304 to the conditional GET.
    let (ok, report) = run(dir.path(), &id);
    assert!(ok);
    assert_eq!(report["notModified"], true, "{report:#}");
    assert_eq!(counts(&report), [0, 0, 0, 3, 0, 0]);

    fixture.serve("/catalog", TURTLE, page(&fixture, &[], "", None));
    let (ok, report) = run(dir.path(), &id);
    assert!(ok);
    assert_eq!(counts(&report), [0, 0, 0, 0, 0, 0]);
    assert!(
        report["removalHeld"]
            .as_str()
            .unwrap()
            .contains("3 of the 3"),
        "{report:#}"
    );

    let out = katalog(dir.path(), &["source", "confirm-removal", &id], "");
    assert!(out.status.success());
    assert_eq!(counts(&run(dir.path(), &id).1), [0, 0, 3, 0, 0, 0]);
}

#[test]
fn a_harvest_never_overwrites_a_record_it_does_not_own() {
    let dir = setup();
    let fixture = Fixture::start();
    let server = Server::start_in(dir.path(), &[]);
    let mine = format!("{PREFIXES}{}", dataset(&source_iri("a"), ORG, "För hand"));
    server.publish_ok(&mine);
    drop(server);
    fixture.serve("/catalog", TURTLE, page(&fixture, &["a", "b"], "", None));
    let id = add_source(dir.path(), &fixture.url("/catalog"), &[]);
    let (ok, report) = run(dir.path(), &id);
    assert!(ok);
    assert_eq!(counts(&report), [1, 0, 0, 0, 0, 1], "{report:#}");
    assert!(
        report["conflictRecords"]
            .to_string()
            .contains("published by hand")
    );
    // The hand-published record is not removed either when the source drops it.
    fixture.serve("/catalog", TURTLE, page(&fixture, &["b"], "", None));
    run(dir.path(), &id);
    let server = Server::start_in(dir.path(), &[]);
    assert!(feed(&server).contains("För hand"));
}

#[test]
fn a_source_that_cannot_be_harvested_fails_and_removes_nothing() {
    let dir = setup();
    let fixture = Fixture::start();
    fixture.serve("/catalog", TURTLE, page(&fixture, &["a", "b"], "", None));
    let id = add_source(
        dir.path(),
        &fixture.url("/catalog"),
        &["--time-budget", "2"],
    );
    assert_eq!(counts(&run(dir.path(), &id).1), [2, 0, 0, 0, 0, 0]);

    let failures: Vec<(&str, Doc)> = vec![
        (
            "HTTP 500",
            Doc {
                status: 500,
                ..Doc::ok("text/plain", "oops")
            },
        ),
        (
            "time budget",
            Doc {
                delay: Duration::from_secs(5),
                ..Doc::ok(TURTLE, page(&fixture, &[], "", None))
            },
        ),
        ("redirects", Doc::redirect("/catalog")),
        ("line 1", Doc::ok(TURTLE, "this is not turtle at all <<<")),
    ];
    for (expected, doc) in failures {
        fixture.set("/catalog", doc);
        let (ok, report) = run(dir.path(), &id);
        assert!(!ok, "{expected}: the run fails");
        let error = report["error"].as_str().unwrap_or_default();
        assert!(error.contains(expected), "{expected}: {report:#}");
        assert_eq!(report["removed"], 0);
    }
    // A page sequence cut off by a failing next page removes nothing either.
    fixture.serve(
        "/catalog",
        TURTLE,
        page(&fixture, &["a"], "", Some("/catalog?page=2")),
    );
    fixture.set(
        "/catalog?page=2",
        Doc {
            status: 503,
            ..Doc::ok("text/plain", "")
        },
    );
    let (ok, report) = run(dir.path(), &id);
    assert!(!ok);
    assert_eq!(report["removed"], 0, "{report:#}");

    // A body cut off mid-way, and a private address without --allow-private.
    let cut = fixture::cut_off_body_server();
    let other = add_source(dir.path(), &cut, &[]);
    let (ok, report) = run(dir.path(), &other);
    assert!(!ok, "{report:#}");
    let out = katalog(
        dir.path(),
        &["source", "run", &id, "--json", "--base-uri", BASE],
        "",
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("private"));

    let server = Server::start_in(dir.path(), &[]);
    let served = feed(&server);
    for id in ["a", "b"] {
        assert!(served.contains(&source_iri(id)));
    }
}

#[test]
fn a_run_reaches_only_the_private_hosts_allowed_and_reads_no_more_than_its_cap() {
    let dir = setup();
    let fixture = Fixture::start();
    let other = Fixture::start_on("127.0.0.2");
    fixture.serve("/catalog", TURTLE, page(&fixture, &["a"], "", None));
    other.serve("/catalog", TURTLE, page(&fixture, &["b"], "", None));
    let id = add_source(dir.path(), &fixture.url("/catalog"), &[]);
    let allowed = ["--allow-private-host", "127.0.0.1"];
    let (ok, report) = run_with(dir.path(), &id, &allowed);
    assert!(ok, "{report:#}");
    assert_eq!(counts(&report), [1, 0, 0, 0, 0, 0]);

    // A redirect from the allowed host to another private one is refused.
    fixture.set("/catalog", Doc::redirect(&other.url("/catalog")));
    let (ok, report) = run_with(dir.path(), &id, &allowed);
    assert!(!ok);
    let error = report["error"].as_str().unwrap();
    assert!(
        error.contains("127.0.0.2") && error.contains("private"),
        "{error}"
    );
    assert_eq!(other.hits("/catalog"), 0, "never asked");

    // A document over the cap fails the run, naming the cap, and removes nothing.
    fixture.serve(
        "/catalog",
        TURTLE,
        page(&fixture, &["a", "b", "c"], "", None),
    );
    let capped = [&allowed[..], &["--max-source-bytes", "1000"]].concat();
    let (ok, report) = run_with(dir.path(), &id, &capped);
    assert!(!ok);
    let error = report["error"].as_str().unwrap();
    assert!(error.contains("larger than 1000 bytes"), "{error}");
    assert_eq!(counts(&report), [0, 0, 0, 0, 0, 0]);
}

#[test]
fn admins_manage_and_run_sources_through_the_api() {
    let dir = setup();
    let fixture = Fixture::start();
    fixture.serve("/catalog", TURTLE, page(&fixture, &["a"], "", None));
    let token =
        String::from_utf8(katalog(dir.path(), &["token", "create", "--org", ORG], "").stdout)
            .unwrap()
            .trim()
            .to_owned();
    let server = Server::start_in(dir.path(), &["--allow-private-sources", "--no-scheduler"]);
    let body = serde_json::json!({"kind": "dcat", "url": fixture.url("/catalog"), "schedule": "15 3 * * *"});
    let path = format!("/organisations/{ORG}/sources");
    // An organisation's API token publishes; it does not manage sources.
    let refused = server
        .post(&path)
        .bearer_auth(&token)
        .json(&body)
        .send()
        .unwrap();
    assert_eq!(refused.status(), 403);
    let created = server
        .post(&path)
        .bearer_auth(TOKEN)
        .json(&body)
        .send()
        .unwrap();
    assert_eq!(created.status(), 201);
    let source: Value = created.json().unwrap();
    let id = source["id"].as_i64().unwrap();
    let bad = serde_json::json!({"url": fixture.url("/x"), "schedule": "nightly"});
    let refused = server
        .post(&path)
        .bearer_auth(TOKEN)
        .json(&bad)
        .send()
        .unwrap();
    assert_eq!(refused.status(), 422);

    let ran = server
        .post(&format!("/sources/{id}/run?wait=true"))
        .bearer_auth(TOKEN)
        .send()
        .unwrap();
    assert_eq!(ran.status(), 200);
    let report: Value = ran.json().unwrap();
    assert_eq!(counts(&report), [1, 0, 0, 0, 0, 0], "{report:#}");
    let listed: Value = server
        .get(&path)
        .bearer_auth(TOKEN)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(listed[0]["lastRun"]["outcome"], "succeeded", "{listed:#}");
    assert!(listed[0]["nextRun"].is_i64());
    let shown: Value = server
        .get(&format!("/sources/{id}"))
        .bearer_auth(TOKEN)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(shown["runs"][0]["report"]["added"], 1);
    assert!(
        feed(&server).contains(&source_iri("a")),
        "the harvested record is served"
    );
    let deleted = server
        .delete(&format!("/sources/{id}"))
        .bearer_auth(TOKEN)
        .send()
        .unwrap();
    assert_eq!(deleted.status(), 204);
    assert!(feed(&server).contains(&source_iri("a")), "its records stay");
}

/// The publisher most records of a document name.
fn main_publisher(triples: &[oxigraph::model::Triple]) -> String {
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    for t in triples {
        if t.predicate.as_str() == "http://purl.org/dc/terms/publisher"
            && let oxigraph::model::Term::NamedNode(p) = &t.object
        {
            *counts.entry(p.as_str().to_owned()).or_default() += 1;
        }
    }
    counts.into_iter().max_by_key(|(_, n)| *n).unwrap().0
}

#[test]
fn real_swedish_catalogues_are_harvested_with_what_the_profile_forbids_reported() {
    let Some(dir) = crate::common::anchor("real-catalogs") else {
        return;
    };
    let data = crate::common::temp_store();
    let fixture = Fixture::start();
    let orgs = [
        "2120009994",
        "2021005448",
        "2321000016",
        "2021005489",
        "2120001355",
    ];
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rdf"))
        .collect();
    files.sort();
    assert_eq!(files.len(), orgs.len());
    for (file, orgnr) in files.iter().zip(orgs) {
        let body = std::fs::read(file).unwrap();
        let triples = crate::common::parse(&body, "application/rdf+xml");
        let publisher = main_publisher(&triples);
        let out = katalog(
            data.path(),
            &[
                "org",
                "add",
                "--orgnr",
                orgnr,
                "--name",
                "Verklig",
                "--publisher",
                &publisher,
            ],
            "",
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let name = file.file_name().unwrap().to_str().unwrap();
        fixture.serve(&format!("/{name}"), "application/rdf+xml", body);
    }
    let server = Server::start_in(data.path(), &["--allow-private-sources", "--no-scheduler"]);
    for (file, orgnr) in files.iter().zip(orgs) {
        let name = file.file_name().unwrap().to_str().unwrap();
        let body = serde_json::json!({"url": fixture.url(&format!("/{name}"))});
        let created: Value = server
            .post(&format!("/organisations/{orgnr}/sources"))
            .bearer_auth(TOKEN)
            .json(&body)
            .send()
            .unwrap()
            .json()
            .unwrap();
        let report: Value = server
            .post(&format!("/sources/{}/run?wait=true", created["id"]))
            .bearer_auth(TOKEN)
            .send()
            .unwrap()
            .json()
            .unwrap();
        assert!(report["error"].is_null(), "{name}: {report:#}");
        let seen = report["added"].as_u64().unwrap() + report["skipped"].as_u64().unwrap();
        assert!(seen > 0, "{name}: records are found: {report:#}");
        // None of these old exports is DCAT-AP-SE 3: the report says what is missing.
        let violations = report["skippedRecords"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["violations"].is_object())
            .count();
        assert!(violations > 0, "{name}: {report:#}");
        eprintln!("{name}: {}", report["skipped"]);
    }
    assert_eq!(server.get("/health").send().unwrap().status(), 200);
}

/// One page of a CKAN `package_search` answer: the fixture's packages `range`, of `count`.
fn ckan_page(range: std::ops::Range<usize>, count: usize) -> Vec<u8> {
    let path = crate::common::root().join("tests/fixtures/ckan/package_search.json");
    let mut answer: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let packages = answer["result"]["results"].as_array().unwrap()[range].to_vec();
    answer["result"]["results"] = Value::Array(packages);
    answer["result"]["count"] = count.into();
    serde_json::to_vec(&answer).unwrap()
}

#[test]
fn a_ckan_site_is_harvested_page_by_page_through_its_action_api() {
    let dir = setup();
    let fixture = Fixture::start();
    let search = "/api/3/action/package_search?rows=100";
    fixture.serve(
        &format!("{search}&start=0"),
        "application/json",
        ckan_page(0..1, 2),
    );
    fixture.serve(
        &format!("{search}&start=1"),
        "application/json",
        ckan_page(1..2, 2),
    );
    let args = [
        "source",
        "add",
        "--org",
        ORG,
        "--kind",
        "ckan",
        "--url",
        &fixture.base,
    ];
    let out = katalog(dir.path(), &args, "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let id = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let (ok, report) = run(dir.path(), &id);
    assert!(ok, "{report:#}");
    assert_eq!(report["pages"], 2, "{report:#}");
    assert_eq!(counts(&report), [2, 0, 0, 0, 0, 0], "{report:#}");
    // The site drops a package: removed (1 of 2 is within the share).
    fixture.serve(
        &format!("{search}&start=0"),
        "application/json",
        ckan_page(0..1, 1),
    );
    let (ok, report) = run(dir.path(), &id);
    assert!(ok, "{report:#}");
    assert_eq!(counts(&report), [0, 0, 1, 1, 0, 0], "{report:#}");
    let server = Server::start_in(dir.path(), &[]);
    let served = feed(&server);
    assert!(served.contains("badplatser"), "{served}");
    assert!(served.contains(&publisher(ORG)));
}

/// The harvested datasets of the store in `data`, as sorted N-Triples lines.
fn harvested_lines(data: &Path) -> Vec<String> {
    let out = katalog(data, &["export", "--format", "ntriples"], "");
    assert!(out.status.success());
    let mut lines: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("<https://data.exempel.se/datasets/"))
        .map(str::to_owned)
        .collect();
    lines.sort();
    lines
}

#[test]
fn a_source_past_the_bytes_held_in_memory_is_kept_on_disk_with_the_same_result() {
    let dirs = [setup(), setup()];
    let fixture = Fixture::start();
    let ids: Vec<String> = (0..30).map(|i| format!("s{i}")).collect();
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let serve = |second: &[&str], suffix: &str| {
        let first = page(&fixture, &ids[..15], "", Some("/catalog/2"));
        fixture.serve("/catalog", TURTLE, first);
        fixture.serve("/catalog/2", TURTLE, page(&fixture, second, suffix, None));
    };
    serve(&ids[15..], "");
    // One store holds the source in memory; the other spills it to disk from its first byte.
    let ways: [&[&str]; 2] = [&[], &["--source-hold-bytes", "0"]];
    let sources: Vec<String> = dirs
        .iter()
        .map(|dir| add_source(dir.path(), &fixture.url("/catalog"), &[]))
        .collect();
    let run_both = || -> Vec<Value> {
        dirs.iter()
            .zip(&sources)
            .zip(ways)
            .map(|((dir, id), way)| {
                let args = [&["--allow-private"][..], way].concat();
                let (ok, report) = run_with(dir.path(), id, &args);
                assert!(ok, "{report:#}");
                report
            })
            .collect()
    };
    for report in run_both() {
        assert_eq!(report["added"], 30, "{report:#}");
        assert_eq!(report["pages"], 2, "{report:#}");
    }
    let held = harvested_lines(dirs[0].path());
    assert_eq!(held.len(), 30 * 8, "eight statements a dataset");
    assert_eq!(held, harvested_lines(dirs[1].path()));
    // The run kept the source in the data directory, and removed it when done.
    let spool = std::fs::read_dir(dirs[1].path().join("harvest")).unwrap();
    assert_eq!(spool.count(), 0);
    // The next edition changes the second page's datasets and drops its last one.
    serve(&ids[15..29], " (ny)");
    for report in run_both() {
        let counts = ["added", "updated", "removed", "unchanged"].map(|k| report[k].clone());
        assert_eq!(counts, [0, 14, 1, 15], "{report:#}");
    }
    let held = harvested_lines(dirs[0].path());
    assert_eq!(held.len(), 29 * 8);
    assert!(held.iter().any(|l| l.contains("Titel s15 (ny)")));
    assert_eq!(held, harvested_lines(dirs[1].path()));
}
