//! The command line: validate's exit codes, load and export, and generate.
use crate::common::{self, Server};
use std::process::Command;

fn katalog(args: &[&str]) -> std::process::Output {
    Command::new(common::bin())
        .args(args)
        .current_dir(common::root())
        .output()
        .unwrap()
}

#[test]
fn validate_exit_codes_and_compiler_like_text() {
    let ok = katalog(&["validate", "examples/demo-catalog.ttl"]);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    let bad = katalog(&["validate", "examples/invalid/missing-title.ttl"]);
    assert_eq!(bad.status.code(), Some(1));
    let text = String::from_utf8_lossy(&bad.stdout);
    assert!(text.contains("dcterms:title"), "{text}");
    let json = katalog(&[
        "validate",
        "--format",
        "json",
        "examples/invalid/missing-title.ttl",
    ]);
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(value["conforms"], false);
    let turtle = katalog(&[
        "validate",
        "--format",
        "turtle",
        "examples/invalid/missing-title.ttl",
    ]);
    assert!(String::from_utf8_lossy(&turtle.stdout).contains("ValidationReport"));
    let unreadable = katalog(&["validate", "Cargo.toml"]);
    assert_eq!(unreadable.status.code(), Some(2));
    let missing = katalog(&["validate", "does-not-exist.ttl"]);
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn load_then_export_round_trips_and_serve_sees_it() {
    let store = common::temp_store();
    let data = store.path().to_str().unwrap();
    let loaded = katalog(&[
        "load",
        "--data",
        data,
        "--base-uri",
        common::BASE,
        "examples/demo-catalog.ttl",
    ]);
    assert!(
        loaded.status.success(),
        "{}",
        String::from_utf8_lossy(&loaded.stderr)
    );
    // The store remembers its base URI: export needs no --base-uri.
    let exported = katalog(&["export", "--data", data, "--format", "ntriples"]);
    assert!(exported.status.success());
    let ours = common::parse(&exported.stdout, "application/n-triples");
    let demo = common::turtle(&common::demo_catalog());
    assert!(
        katalog::rdf::isomorphic(&ours, &demo),
        "export differs from the loaded demo catalogue"
    );
    // Loading the same file again changes nothing.
    let again = katalog(&[
        "load",
        "--data",
        data,
        "--base-uri",
        common::BASE,
        "examples/demo-catalog.ttl",
    ]);
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("0 created, 0 updated"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let server = Server::start_in(store.path(), &[]);
    let page = server
        .get("/datasets/badplatser")
        .header("accept", "text/html")
        .send()
        .unwrap();
    assert_eq!(page.status(), 200);
}

#[test]
fn load_refuses_invalid_files_and_stores_nothing() {
    let store = common::temp_store();
    let data = store.path().to_str().unwrap();
    let refused = katalog(&["load", "--data", data, "examples/invalid/missing-title.ttl"]);
    assert!(!refused.status.success());
    let exported = katalog(&["export", "--data", data, "--format", "ntriples"]);
    assert!(!String::from_utf8_lossy(&exported.stdout).contains("dcat#dataset>"));
}

#[test]
fn validate_endpoint_reports_without_storing() {
    let store = common::temp_store();
    let server = Server::start_in(store.path(), &[]);
    let invalid =
        std::fs::read_to_string(common::root().join("examples/invalid/missing-title.ttl")).unwrap();
    let response = server
        .post("/validate")
        .header("content-type", "text/turtle")
        .header("accept", "application/json")
        .body(invalid)
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
    let report: serde_json::Value = response.json().unwrap();
    assert_eq!(report["conforms"], false);
    let turtle = server
        .post("/validate")
        .header("content-type", "text/turtle")
        .body(common::demo_catalog())
        .send()
        .unwrap();
    assert!(turtle.text().unwrap().contains("ValidationReport"));
    let body = server.get("/catalog.nt").send().unwrap().text().unwrap();
    assert!(
        !body.contains("dcat#dataset>"),
        "validation must not store anything"
    );
}

#[test]
fn generate_writes_a_conforming_catalogue() {
    let output = katalog(&["generate", "--datasets", "25"]);
    assert!(output.status.success());
    let dir = common::temp_store();
    let file = dir.path().join("generated.ttl");
    std::fs::write(&file, &output.stdout).unwrap();
    let validated = katalog(&["validate", file.to_str().unwrap()]);
    assert_eq!(
        validated.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&validated.stdout)
    );
}
