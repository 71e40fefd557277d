//! The W3C SHACL test suite (SHACL 1.0 core and SHACL-SPARQL), vendored in
//! `../shared/anchors/shacl-tests` (see its SOURCE.md).
//!
//! Each test validates its data graph with its shapes graph and compares the
//! whole report with the expected one as graphs (up to blank node
//! isomorphism), after dropping `sh:resultMessage` and `sh:detail`. Tests expecting
//! `sht:Failure` must be refused, at compile or at validation time.
//!
//! Without the suite the tests print a skip message and pass, except on CI
//! (`CI=true`) where the suite must be present.

use katalog::shacl::Shapes;
use oxigraph::io::{RdfFormat, RdfParser};
use oxrdf::vocab::rdf;
use oxrdf::{Graph, NamedNode, NamedNodeRef, NamedOrBlankNodeRef, TermRef};
use sophia_api::MownStr;
use sophia_api::term::{BnodeId, IriRef, LanguageTag, SimpleTerm};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::fs;
use std::path::{Path, PathBuf};

/// Tests that are known to fail, with the reason. Each one is asserted to
/// still fail, so that this list cannot go stale.
const EXCEPTIONS: &[(&str, &str)] = &[];

const MF: &str = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#";
const SHT: &str = "http://www.w3.org/ns/shacl-test#";
const SH: &str = "http://www.w3.org/ns/shacl#";

fn iri(namespace: &str, local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{namespace}{local}"))
}

/// The suite folder, or `None` (after saying so) when it is missing.
fn suite_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/anchors/shacl-tests");
    if dir.join("manifest.ttl").is_file() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("the W3C SHACL test suite is missing at {}", dir.display());
    }
    println!(
        "SKIPPED: the W3C SHACL test suite is missing at {}",
        dir.display()
    );
    None
}

fn parse_file(path: &Path) -> Graph {
    let base = url::Url::from_file_path(path.canonicalize().unwrap()).unwrap();
    let content = fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut graph = Graph::new();
    let parser = RdfParser::from_format(RdfFormat::Turtle)
        .with_base_iri(base.as_str())
        .unwrap();
    for quad in parser.for_slice(&content) {
        let quad = quad.unwrap_or_else(|e| panic!("cannot parse {}: {e}", path.display()));
        graph.insert(quad.as_ref());
    }
    graph
}

fn to_path(term: TermRef<'_>) -> PathBuf {
    match term {
        TermRef::NamedNode(n) => url::Url::parse(n.as_str()).unwrap().to_file_path().unwrap(),
        other => panic!("{other} is not a file IRI"),
    }
}

fn subject(term: TermRef<'_>) -> NamedOrBlankNodeRef<'_> {
    match term {
        TermRef::NamedNode(n) => n.into(),
        TermRef::BlankNode(b) => b.into(),
        TermRef::Literal(l) => panic!("{l} cannot be a subject"),
    }
}

fn object<'a>(graph: &'a Graph, node: TermRef<'_>, predicate: &NamedNode) -> Option<TermRef<'a>> {
    graph.object_for_subject_predicate(subject(node), predicate)
}

fn list<'a>(graph: &'a Graph, mut node: TermRef<'a>) -> Vec<TermRef<'a>> {
    let mut members = Vec::new();
    while node != rdf::NIL.into() {
        members.push(
            graph
                .object_for_subject_predicate(subject(node), rdf::FIRST)
                .unwrap(),
        );
        node = graph
            .object_for_subject_predicate(subject(node), rdf::REST)
            .unwrap();
    }
    members
}

/// One `sht:Validate` test.
struct Case {
    name: String,
    data: Graph,
    shapes: Graph,
    /// `None` when the processor must fail (`sht:Failure`).
    expected: Option<Vec<[SimpleTerm<'static>; 3]>>,
}

/// The tests of a folder's manifest (following `mf:include`).
fn cases(suite: &Path, folder: &str) -> Vec<Case> {
    let manifest = parse_file(&suite.join(folder).join("manifest.ttl"));
    let mut cases = Vec::new();
    for include in manifest.triples_for_predicate(&iri(MF, "include")) {
        let file = to_path(include.object);
        let graph = parse_file(&file);
        let file_name = file.file_name().unwrap().to_string_lossy().into_owned();
        for entries in graph.triples_for_predicate(&iri(MF, "entries")) {
            for test in list(&graph, entries.object) {
                cases.push(read_case(
                    &graph,
                    &file,
                    test,
                    format!("{folder}/{file_name}"),
                ));
            }
        }
    }
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    cases
}

fn read_case(graph: &Graph, file: &Path, test: TermRef<'_>, file_label: String) -> Case {
    let action = object(graph, test, &iri(MF, "action")).unwrap();
    let load = |predicate: &str| {
        let target = to_path(object(graph, action, &iri(SHT, predicate)).unwrap());
        if target == file {
            graph.clone()
        } else {
            parse_file(&target)
        }
    };
    let result = object(graph, test, &iri(MF, "result")).unwrap();
    let expected = if result == iri(SHT, "Failure").as_ref().into() {
        None
    } else {
        Some(report_triples(graph, result))
    };
    let local = match test {
        TermRef::NamedNode(n) => n.as_str().rsplit('/').next().unwrap_or_default().to_owned(),
        other => other.to_string(),
    };
    Case {
        name: if file_label.ends_with(&format!("/{local}.ttl")) {
            file_label
        } else {
            format!("{file_label}#{local}")
        },
        data: load("dataGraph"),
        shapes: load("shapesGraph"),
        expected,
    }
}

/// The triples of a report rooted at `report`: the report's own triples, its
/// results (minus messages and details) and their path structures. Other blank
/// nodes (focus nodes, values, shapes) are leaves.
fn report_triples(graph: &Graph, report: TermRef<'_>) -> Vec<[SimpleTerm<'static>; 3]> {
    let mut triples = Vec::new();
    let result_predicate = iri(SH, "result");
    // Messages are free-form; sh:detail is optional and not produced.
    let ignored = [iri(SH, "resultMessage"), iri(SH, "detail")];
    let path = iri(SH, "resultPath");
    for t in graph.triples_for_subject(subject(report)) {
        triples.push([
            sophia(t.subject.into()),
            sophia(t.predicate.into()),
            sophia(t.object),
        ]);
        if t.predicate != result_predicate.as_ref() {
            continue;
        }
        for r in graph.triples_for_subject(subject(t.object)) {
            if ignored.iter().any(|i| r.predicate == i.as_ref()) {
                continue;
            }
            triples.push([
                sophia(r.subject.into()),
                sophia(r.predicate.into()),
                sophia(r.object),
            ]);
            if r.predicate == path.as_ref() {
                add_blank_closure(graph, r.object, &mut triples);
            }
        }
    }
    triples
}

fn add_blank_closure(
    graph: &Graph,
    node: TermRef<'_>,
    triples: &mut Vec<[SimpleTerm<'static>; 3]>,
) {
    if let TermRef::BlankNode(b) = node {
        for t in graph.triples_for_subject(b) {
            triples.push([
                sophia(t.subject.into()),
                sophia(t.predicate.into()),
                sophia(t.object),
            ]);
            add_blank_closure(graph, t.object, triples);
        }
    }
}

fn sophia(term: TermRef<'_>) -> SimpleTerm<'static> {
    let owned = |s: &str| MownStr::from(s.to_owned());
    match term {
        TermRef::NamedNode(n) => SimpleTerm::Iri(IriRef::new_unchecked(owned(n.as_str()))),
        TermRef::BlankNode(b) => SimpleTerm::BlankNode(BnodeId::new_unchecked(owned(b.as_str()))),
        TermRef::Literal(l) => match l.language() {
            Some(language) => SimpleTerm::LiteralLanguage(
                owned(l.value()),
                LanguageTag::new_unchecked(owned(language)),
                None,
            ),
            None => SimpleTerm::LiteralDatatype(
                owned(l.value()),
                IriRef::new_unchecked(owned(l.datatype().as_str())),
            ),
        },
    }
}

/// Runs a case: `Ok(())` when the outcome matches, else what differs.
fn run(case: &Case) -> Result<(), String> {
    let outcome =
        Shapes::from_graph(&case.shapes).and_then(|shapes| shapes.try_validate(&case.data));
    let report = match (outcome, &case.expected) {
        (Err(_), None) => return Ok(()),
        (Ok(report), None) => {
            return Err(format!(
                "expected a failure, got a report with {} result(s)",
                report.results.len()
            ));
        }
        (Err(error), Some(_)) => return Err(format!("unexpected failure: {error}")),
        (Ok(report), Some(_)) => report,
    };
    let expected = case.expected.as_ref().unwrap();
    let graph = report.to_graph();
    let root = graph
        .subject_for_predicate_object(
            rdf::TYPE,
            NamedNodeRef::new_unchecked("http://www.w3.org/ns/shacl#ValidationReport"),
        )
        .unwrap();
    let actual = report_triples(&graph, root.into());
    if sophia_isomorphism::isomorphic_graphs(expected, &actual).unwrap() {
        Ok(())
    } else {
        Err(diff(expected, &actual))
    }
}

/// A readable summary of the results only in one of the two reports.
fn diff(expected: &[[SimpleTerm<'static>; 3]], actual: &[[SimpleTerm<'static>; 3]]) -> String {
    let expected = summarize(expected);
    let actual = summarize(actual);
    let mut out = String::new();
    for (line, count) in &expected {
        let found = actual.get(line).copied().unwrap_or(0);
        for _ in found..*count {
            let _ = write!(out, "\n    missing:    {line}");
        }
    }
    for (line, count) in &actual {
        let wanted = expected.get(line).copied().unwrap_or(0);
        for _ in wanted..*count {
            let _ = write!(out, "\n    unexpected: {line}");
        }
    }
    if out.is_empty() {
        out.push_str("\n    (same results, but the graphs differ: paths or blank node structure)");
    }
    out
}

/// One line per result (and one for `sh:conforms`), blank nodes anonymized.
fn summarize(triples: &[[SimpleTerm<'static>; 3]]) -> BTreeMap<String, usize> {
    let mut by_subject: HashMap<&SimpleTerm<'static>, Vec<(String, &SimpleTerm<'static>)>> =
        HashMap::new();
    for [s, p, o] in triples {
        if let SimpleTerm::Iri(p) = p {
            by_subject
                .entry(s)
                .or_default()
                .push((p.as_str().to_owned(), o));
        }
    }
    let mut lines = BTreeMap::new();
    for [_, p, o] in triples {
        let SimpleTerm::Iri(p) = p else { continue };
        let line = match p.as_str().strip_prefix(SH) {
            Some("conforms") => format!("conforms {}", show(o)),
            Some("result") => {
                let mut fields: Vec<String> = by_subject
                    .get(o)
                    .into_iter()
                    .flatten()
                    .filter(|(p, _)| p.starts_with(SH))
                    .map(|(p, v)| format!("{}={}", &p[SH.len()..], show(v)))
                    .collect();
                fields.sort();
                fields.join(" ")
            }
            _ => continue,
        };
        *lines.entry(line).or_insert(0) += 1;
    }
    lines
}

fn show(term: &SimpleTerm<'_>) -> String {
    match term {
        SimpleTerm::Iri(i) => format!("<{}>", i.as_str()),
        SimpleTerm::BlankNode(_) => "_".to_owned(),
        SimpleTerm::LiteralDatatype(v, _) | SimpleTerm::LiteralLanguage(v, _, _) => {
            format!("{v:?}")
        }
        other => format!("{other:?}"),
    }
}

/// Runs every case of a folder; fails listing each failing case.
fn run_folder(folder: &str) {
    let Some(suite) = suite_dir() else { return };
    let cases = cases(&suite, folder);
    assert!(!cases.is_empty(), "no test found in {folder}");
    let mut failures = Vec::new();
    let mut passed = 0;
    for case in &cases {
        let exception = EXCEPTIONS.iter().find(|(name, _)| *name == case.name);
        match (run(case), exception) {
            (Ok(()), None) => passed += 1,
            (Err(_), Some(_)) => {}
            (Ok(()), Some((_, reason))) => failures.push(format!(
                "{} passes but is listed in EXCEPTIONS ({reason}): remove it from the list",
                case.name
            )),
            (Err(diff), None) => failures.push(format!("{}:{diff}", case.name)),
        }
    }
    println!(
        "{folder}: {passed} passed, {} failed, {} known exceptions",
        failures.len(),
        cases.len() - passed - failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} W3C SHACL test(s) failed in {folder}:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
}

#[test]
fn core_complex() {
    run_folder("core/complex");
}

#[test]
fn core_misc() {
    run_folder("core/misc");
}

#[test]
fn core_node() {
    run_folder("core/node");
}

#[test]
fn core_path() {
    run_folder("core/path");
}

#[test]
fn core_property() {
    run_folder("core/property");
}

#[test]
fn core_targets() {
    run_folder("core/targets");
}

#[test]
fn core_validation_reports() {
    run_folder("core/validation-reports");
}

#[test]
fn sparql_component() {
    run_folder("sparql/component");
}

#[test]
fn sparql_node() {
    run_folder("sparql/node");
}

#[test]
fn sparql_pre_binding() {
    run_folder("sparql/pre-binding");
}

#[test]
fn sparql_property() {
    run_folder("sparql/property");
}

/// The comparison is strict: a report missing one value, or with another
/// severity, does not match.
#[test]
fn comparison_detects_differences() {
    let Some(suite) = suite_dir() else { return };
    let cases = cases(&suite, "core/property");
    let case = cases
        .iter()
        .find(|c| c.name.ends_with("datatype-ill-formed.ttl"))
        .unwrap();
    assert!(run(case).is_ok());
    let expected = case.expected.as_ref().unwrap();
    let without_value: Vec<_> = expected
        .iter()
        .filter(|[_, p, _]| show(p) != format!("<{SH}value>"))
        .cloned()
        .collect();
    let mut altered = Case {
        name: case.name.clone(),
        data: case.data.clone(),
        shapes: case.shapes.clone(),
        expected: Some(without_value),
    };
    assert!(run(&altered).is_err());
    let warning = sophia(NamedNodeRef::new_unchecked("http://www.w3.org/ns/shacl#Warning").into());
    altered.expected = Some(
        expected
            .iter()
            .map(|[s, p, o]| {
                let o = if show(o) == format!("<{SH}Violation>") {
                    warning.clone()
                } else {
                    o.clone()
                };
                [s.clone(), p.clone(), o]
            })
            .collect(),
    );
    assert!(run(&altered).is_err());
}

/// Keeps the exception list honest: every entry names an existing test.
#[test]
fn exceptions_name_existing_tests() {
    let Some(suite) = suite_dir() else { return };
    let folders = [
        "core/complex",
        "core/misc",
        "core/node",
        "core/path",
        "core/property",
        "core/targets",
        "core/validation-reports",
        "sparql/component",
        "sparql/node",
        "sparql/pre-binding",
        "sparql/property",
    ];
    let names: Vec<String> = folders
        .iter()
        .flat_map(|f| cases(&suite, f))
        .map(|c| c.name)
        .collect();
    assert_eq!(names.len(), 120, "the suite should have 120 tests");
    for (name, _) in EXCEPTIONS {
        assert!(
            names.iter().any(|n| n == name),
            "EXCEPTIONS lists {name}, which is not a test of the suite"
        );
    }
}
