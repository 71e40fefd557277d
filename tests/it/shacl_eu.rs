//! The EU DCAT-AP 3.0.1 shapes run on katalog's engine and give the same verdicts as pyshacl
//! on real Swedish catalogues; katalog's own DCAT-AP-SE shapes accept the demo catalogue and
//! refuse each example in `examples/invalid`.
use crate::common;
use crate::python_clients::python;
use katalog::shacl::Shapes;
use oxigraph::model::Triple;
use std::path::{Path, PathBuf};
use std::process::Command;

fn graph_of(path: &Path) -> oxrdf::Graph {
    let format = katalog::rdf::input_format_for_path(path).expect("known syntax");
    let bytes = std::fs::read(path).unwrap();
    let triples = katalog::rdf::parse_graph(&bytes, format, Some(common::BASE)).unwrap();
    triples.iter().map(Triple::as_ref).collect()
}

fn pyshacl_verdict(python: &str, shapes: &[PathBuf], data: &Path) -> serde_json::Value {
    let output = Command::new(python)
        .arg(common::root().join("tests/python/shacl_verdict.py"))
        .arg("--shapes")
        .args(shapes)
        .arg("--data")
        .arg(data)
        .args(["--base", common::BASE])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "pyshacl failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn eu_shapes_give_pyshacls_verdicts_on_real_catalogues() {
    let (Some(eu), Some(real)) = (
        common::anchor("dcat-ap-3/shacl/dcat-ap-SHACL.ttl"),
        common::anchor("real-catalogs"),
    ) else {
        return;
    };
    let Some(python) = python() else { return };
    let shapes = Shapes::load(std::slice::from_ref(&eu)).expect("the EU shapes compile");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&real)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rdf"))
        .collect();
    files.sort();
    assert!(files.len() >= 5);
    let mut differences = Vec::new();
    for file in &files {
        let ours = shapes.validate(&graph_of(file));
        let theirs = pyshacl_verdict(&python, std::slice::from_ref(&eu), file);
        let name = file.file_name().unwrap().to_string_lossy();
        eprintln!(
            "{name}: katalog {} results ({} violations), pyshacl {theirs}",
            ours.results.len(),
            ours.violations()
        );
        if ours.conforms() != theirs["conforms"].as_bool().unwrap()
            || ours.results.len() as u64 != theirs["results"].as_u64().unwrap()
            || ours.violations() as u64 != theirs["violations"].as_u64().unwrap()
        {
            differences.push(format!(
                "{name}: katalog {}/{} vs pyshacl {theirs}",
                ours.results.len(),
                ours.violations()
            ));
        }
    }
    assert!(
        differences.is_empty(),
        "verdicts differ:\n{}",
        differences.join("\n")
    );
}

#[test]
fn dcat_ap_se_shapes_accept_the_demo_and_refuse_each_invalid_example() {
    let root = common::root();
    let shapes = Shapes::load(&[root.join("shapes")]).expect("our shapes compile");
    let demo = shapes.validate(&graph_of(&root.join("examples/demo-catalog.ttl")));
    assert!(!demo.has_violations(), "{}", demo.to_text());
    let mut invalid: Vec<PathBuf> = std::fs::read_dir(root.join("examples/invalid"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    invalid.sort();
    assert!(invalid.len() >= 5);
    for file in invalid {
        let report = shapes.validate(&graph_of(&file));
        assert!(
            report.has_violations(),
            "{} should violate the shapes",
            file.display()
        );
    }
}

#[test]
fn our_shapes_agree_with_pyshacl_on_the_examples() {
    let Some(python) = python() else { return };
    let root = common::root();
    let shape_files: Vec<PathBuf> = {
        let mut f: Vec<PathBuf> = std::fs::read_dir(root.join("shapes"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "ttl"))
            .collect();
        f.sort();
        f
    };
    let shapes = Shapes::load(&shape_files).unwrap();
    let mut files = vec![root.join("examples/demo-catalog.ttl")];
    files.extend(
        std::fs::read_dir(root.join("examples/invalid"))
            .unwrap()
            .map(|e| e.unwrap().path()),
    );
    if let Some(official) = common::anchor("dcat-ap-se/official/exempel") {
        files.push(official.join("obligatoriskt.ttl"));
        files.push(official.join("rekommenderat.ttl"));
    }
    let mut differences = Vec::new();
    for file in &files {
        let ours = shapes.validate(&graph_of(file));
        let theirs = pyshacl_verdict(&python, &shape_files, file);
        if ours.violations() as u64 != theirs["violations"].as_u64().unwrap()
            || ours.warnings() as u64 != theirs["warnings"].as_u64().unwrap()
        {
            differences.push(format!(
                "{}: katalog {} violations {} warnings, pyshacl {theirs}",
                file.display(),
                ours.violations(),
                ours.warnings()
            ));
        }
    }
    assert!(
        differences.is_empty(),
        "verdicts differ:\n{}",
        differences.join("\n")
    );
}
