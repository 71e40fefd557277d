//! The EU export profile: katalog's DCAT-AP-SE catalogues, rewritten by `to_dcat_ap`, conform to the
//! EU DCAT-AP 3.0.1 shapes with katalog's SHACL engine and with pyshacl; the Swedish originals do not.
//!
//! The shapes are validated as the EU validator (ITB) runs them, as two separate validation types:
//! "base + ranges" (`html-shacl/shapes.ttl` + `range.ttl`) on the export alone, and "controlled
//! vocabularies" (`mdr-vocabularies.shape.ttl`) on the export with the EU vocabularies loaded into the
//! data graph. (In one run, the base shapes would also check the vocabulary files themselves: their
//! concept schemes have no `dcterms:title`, so they fail `CategoryScheme_Shape` whatever the export.)
use crate::common;
use crate::python_clients::python;
use katalog::feeds::eu::{EuMapping, to_dcat_ap};
use katalog::rdf::{GraphFormat, isomorphic, serialize_graph};
use katalog::shacl::Shapes;
use oxigraph::model::{Graph, Triple};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The EU shapes and vocabularies from the shared anchors.
struct EuSet {
    base: Vec<PathBuf>,
    vocabulary_shapes: Vec<PathBuf>,
    vocabularies: Vec<PathBuf>,
}

impl EuSet {
    fn find() -> Option<EuSet> {
        let shapes = common::anchor("dcat-ap-3")?.join("html-shacl");
        let vocabularies = common::anchor("dcat-ap-se/processor-draft-shacl/vocabularies")?;
        Some(EuSet {
            base: vec![shapes.join("shapes.ttl"), shapes.join("range.ttl")],
            vocabulary_shapes: vec![shapes.join("mdr-vocabularies.shape.ttl")],
            vocabularies: rdf_files(&vocabularies),
        })
    }
}

fn rdf_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rdf"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no vocabularies in {}", dir.display());
    files
}

/// Violation counts of one catalogue for the two validation types.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Counts {
    base: usize,
    vocabularies: usize,
}

impl Counts {
    fn total(self) -> usize {
        self.base + self.vocabularies
    }
}

/// Which data is validated: the stored Swedish data is expected to fail (only counts are printed),
/// the export to pass (its violations are printed in full).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Stage {
    Swedish,
    Exported,
}

impl Stage {
    fn label(self, name: &str) -> String {
        match self {
            Stage::Swedish => format!("{name}, DCAT-AP-SE as stored"),
            Stage::Exported => format!("{name}, after to_dcat_ap"),
        }
    }
}

/// katalog's engine.
fn katalog_counts(set: &EuSet, triples: &[Triple], stage: Stage, name: &str) -> Counts {
    let data: Graph = triples.iter().collect();
    let label = stage.label(name);
    let base = validate(&set.base, &data, stage, &format!("{label}, base + ranges"));
    let mut with_vocabularies = katalog::shacl::read_graph(&set.vocabularies).unwrap();
    with_vocabularies.extend(triples.iter().cloned());
    let vocabularies = validate(
        &set.vocabulary_shapes,
        &with_vocabularies,
        stage,
        &format!("{label}, vocabularies"),
    );
    Counts { base, vocabularies }
}

fn validate(shapes: &[PathBuf], data: &Graph, stage: Stage, label: &str) -> usize {
    let report = Shapes::load(shapes).unwrap().validate(data);
    if stage == Stage::Exported && report.has_violations() {
        eprintln!("katalog SHACL, {label}:\n{}", report.to_text());
    }
    report.violations()
}

/// pyshacl through tests/python/eu_validate.py.
fn pyshacl_counts(
    python: &str,
    set: &EuSet,
    triples: &[Triple],
    stage: Stage,
    name: &str,
) -> Counts {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data.nt");
    std::fs::write(
        &data,
        serialize_graph(triples, GraphFormat::NTriples).unwrap(),
    )
    .unwrap();
    let label = stage.label(name);
    let base = run_pyshacl(
        python,
        &set.base,
        std::slice::from_ref(&data),
        stage,
        &format!("{label}, base + ranges"),
    );
    let mut with_vocabularies = vec![data];
    with_vocabularies.extend(set.vocabularies.iter().cloned());
    let label = format!("{label}, vocabularies");
    let vocabularies = run_pyshacl(
        python,
        &set.vocabulary_shapes,
        &with_vocabularies,
        stage,
        &label,
    );
    Counts { base, vocabularies }
}

fn run_pyshacl(
    python: &str,
    shapes: &[PathBuf],
    data: &[PathBuf],
    stage: Stage,
    label: &str,
) -> usize {
    let output = Command::new(python)
        .arg(common::root().join("tests/python/eu_validate.py"))
        .args(shapes)
        .arg("--")
        .args(data)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "eu_validate.py failed ({label}): {}{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    let count = stdout
        .lines()
        .find_map(|l| l.strip_prefix("violations: "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no violation count from eu_validate.py ({label}): {stdout}"));
    if stage == Stage::Exported && count > 0 {
        eprintln!("pyshacl, {label}:\n{stdout}");
    }
    count
}

/// Validates a catalogue before and after the mapping with both engines.
fn check(name: &str, swedish: Vec<Triple>) {
    let Some(set) = EuSet::find() else { return };
    let mapping = EuMapping::load(&common::root().join("vocab")).unwrap();
    let eu = to_dcat_ap(&swedish, &mapping);
    // Mapping the export again changes nothing: it is already EU DCAT-AP.
    assert!(
        isomorphic(&eu, &to_dcat_ap(&eu, &mapping)),
        "{name}: to_dcat_ap is not idempotent"
    );

    let before = katalog_counts(&set, &swedish, Stage::Swedish, name);
    let after = katalog_counts(&set, &eu, Stage::Exported, name);
    eprintln!("{name}: katalog SHACL violations before {before:?}, after {after:?}");
    assert!(
        before.total() > 0,
        "{name}: the Swedish data should not conform to the EU shapes"
    );
    assert_eq!(
        after.total(),
        0,
        "{name}: katalog SHACL finds violations of the EU shapes after mapping"
    );

    let Some(python) = python() else { return };
    let py_before = pyshacl_counts(&python, &set, &swedish, Stage::Swedish, name);
    let py_after = pyshacl_counts(&python, &set, &eu, Stage::Exported, name);
    eprintln!("{name}: pyshacl violations before {py_before:?}, after {py_after:?}");
    assert!(
        py_before.total() > 0,
        "{name}: pyshacl should reject the Swedish data"
    );
    assert_eq!(
        py_after.total(),
        0,
        "{name}: pyshacl finds violations of the EU shapes after mapping"
    );
}

#[test]
fn demo_catalogue_conforms_to_eu_dcat_ap_after_mapping() {
    check("demo catalogue", common::turtle(&common::demo_catalog()));
}

#[test]
fn generated_catalogue_conforms_to_eu_dcat_ap_after_mapping() {
    check(
        "generated catalogue (200 datasets)",
        common::turtle(&katalog::generate::catalogue_turtle(200)),
    );
}

/// DIGG's official examples (written for DCAT-AP-SE 2.0: old availability IRIs, bare contact points).
#[test]
fn official_dcat_ap_se_examples_conform_to_eu_dcat_ap_after_mapping() {
    let Some(examples) = common::anchor("dcat-ap-se/official/exempel") else {
        return;
    };
    for file in ["obligatoriskt.ttl", "rekommenderat.ttl"] {
        let text = std::fs::read_to_string(examples.join(file)).unwrap();
        check(&format!("official example {file}"), common::turtle(&text));
    }
}

/// The EU profile as the server serves it, chosen by `?profile=dcat-ap` or by
/// `Accept-Profile`, conforms to the EU shapes with both engines.
#[test]
fn served_eu_export_conforms_to_eu_dcat_ap() {
    let Some(set) = EuSet::find() else { return };
    let dir = common::temp_store();
    let server = crate::common::Server::start_in(dir.path(), &[]);
    server.publish_ok(&common::demo_catalog());
    let by_query = server
        .get("/datasets/dcat?profile=dcat-ap")
        .header("accept", "application/n-triples")
        .send()
        .unwrap();
    assert_eq!(
        by_query.headers()["content-profile"],
        "<http://data.europa.eu/r5r/>"
    );
    let body = by_query.bytes().unwrap();
    let by_header = server
        .get("/datasets/dcat")
        .header("accept", "application/n-triples")
        .header("accept-profile", "<http://data.europa.eu/r5r/>")
        .send()
        .unwrap()
        .bytes()
        .unwrap();
    assert_eq!(body, by_header);
    let plain = server
        .get("/datasets/dcat")
        .header("accept", "application/n-triples")
        .send()
        .unwrap();
    assert!(!plain.headers().contains_key("content-profile"));
    let eu = common::parse(&body, "application/n-triples");
    let swedish = common::parse(&plain.bytes().unwrap(), "application/n-triples");
    assert!(katalog_counts(&set, &swedish, Stage::Swedish, "served").total() > 0);
    assert_eq!(
        katalog_counts(&set, &eu, Stage::Exported, "served").total(),
        0
    );
    let Some(python) = python() else { return };
    assert_eq!(
        pyshacl_counts(&python, &set, &eu, Stage::Exported, "served").total(),
        0
    );
}
