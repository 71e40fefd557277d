//! Real outside clients (Python rdflib and SPARQLWrapper, from the venv `scripts/test.sh`
//! makes) read the feeds and query the endpoint.
use crate::common::{self, Server};
use std::process::Command;

/// The venv's python, or None with a message (a failure when CI=true).
pub fn python() -> Option<String> {
    match std::env::var("KATALOG_PYTHON") {
        Ok(p) if !p.is_empty() => Some(p),
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "KATALOG_PYTHON must be set in CI (scripts/test.sh sets it)"
            );
            eprintln!("SKIPPED: KATALOG_PYTHON is not set; run scripts/test.sh");
            None
        }
    }
}

#[test]
fn rdflib_and_sparqlwrapper_read_katalog() {
    let Some(python) = python() else { return };
    let dir = common::temp_store();
    let server = Server::start_in(dir.path(), &[]);
    server.publish_ok(&katalog::generate::catalogue_turtle(30));
    let output = Command::new(python)
        .arg(common::root().join("tests/python/clients.py"))
        .arg(&server.addr)
        .arg("30")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    eprintln!("{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "the Python clients failed");
    assert!(stdout.trim_end().ends_with("ok"));
}

/// The unpaged RDF/XML of a 10 000-dataset catalogue, read by rdflib as dataportal.se reads it.
#[test]
fn rdflib_harvests_ten_thousand_datasets_unpaged() {
    let Some(python) = python() else { return };
    let dir = common::temp_store();
    let file = dir.path().join("generated.ttl");
    std::fs::write(&file, katalog::generate::catalogue_turtle(10_000)).unwrap();
    let store = dir.path().join("store");
    let loaded = Command::new(common::bin())
        .args(["load", "--base-uri", common::BASE, "--data"])
        .arg(&store)
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        loaded.status.success(),
        "{}",
        String::from_utf8_lossy(&loaded.stderr)
    );
    let server = Server::start_in(&store, &[]);
    let output = Command::new(python)
        .arg(common::root().join("tests/python/harvest_full.py"))
        .arg(&server.addr)
        .arg(common::BASE)
        .arg(&file)
        .output()
        .unwrap();
    eprintln!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success());
}
