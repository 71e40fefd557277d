//! DIGG's test cases for harvesting LDES DCAT-AP feeds, in
//! `../shared/anchors/ldes-dcat-ap/testsuite` (see its SOURCE.md). Each case's `before.ttl`
//! with its `feed.trig` applied must answer the case's ASK query (`test.sparql`), equal
//! `after.ttl` up to blank-node labels, and give the report in `report.json` (its URI lists
//! compared as sets, as the suite's own runner does).
//!
//! Without the suite the test prints a skip message and passes, except on CI (`CI=true`).
use crate::common;
use katalog::harvest::ldes::{LdesReport, apply, read_page};
use katalog::rdf::{Limits, isomorphic, parse_graph_within};
use oxigraph::io::RdfFormat;
use oxigraph::model::{GraphNameRef, Triple};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::Store;
use std::fs;
use std::path::{Path, PathBuf};

/// Cases known to fail, with the reason; each is asserted to still fail, so the list cannot
/// go stale.
const EXPECTED_FAILURES: &[(&str, &str)] = &[];

#[test]
fn ldes_dcat_ap_test_cases() {
    let Some(suite) = common::anchor("ldes-dcat-ap/testsuite") else {
        return;
    };
    let cases = cases(&suite);
    assert!(
        cases.len() >= 26,
        "only {} cases in {}",
        cases.len(),
        suite.display()
    );
    let mut problems = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let expected = EXPECTED_FAILURES.iter().find(|(n, _)| *n == name);
        match (run(case), expected) {
            (Ok(()), None) | (Err(_), Some(_)) => {}
            (Ok(()), Some((_, reason))) => {
                problems.push(format!("{name} passes but is listed as failing ({reason})"))
            }
            (Err(e), None) => problems.push(format!("{name}: {e}")),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The case folders, in their numeric order.
fn cases(suite: &Path) -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = fs::read_dir(suite)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("feed.trig").is_file())
        .collect();
    let number = |p: &PathBuf| {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        name.trim_start_matches("test")
            .parse::<u32>()
            .unwrap_or(u32::MAX)
    };
    cases.sort_by_key(number);
    cases
}

fn run(case: &Path) -> Result<(), String> {
    let before = parse(&case.join("before.ttl"))?;
    let feed = case.join("feed.trig");
    let data = fs::read(&feed).map_err(|e| e.to_string())?;
    let base = file_iri(&feed);
    let page = read_page(
        &data,
        RdfFormat::TriG,
        Some(&base),
        &Limits::for_local_files(),
    )
    .map_err(|e| format!("feed.trig: {e}"))?;
    if !page.skipped.is_empty() {
        return Err(format!("members skipped: {:?}", page.skipped));
    }
    let (after, report) = apply(before, &page.events);
    if !ask(
        &after,
        &fs::read_to_string(case.join("test.sparql")).unwrap(),
    )? {
        return Err("the ASK query of test.sparql is false".into());
    }
    if !isomorphic(&after, &parse(&case.join("after.ttl"))?) {
        return Err("the graph is not after.ttl".into());
    }
    let expected: LdesReport = serde_json::from_slice(&fs::read(case.join("report.json")).unwrap())
        .map_err(|e| format!("report.json: {e}"))?;
    if sorted(report.clone()) != sorted(expected.clone()) {
        return Err(format!("report {report:?}, expected {expected:?}"));
    }
    Ok(())
}

fn parse(path: &Path) -> Result<Vec<Triple>, String> {
    let data = fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let base = file_iri(path);
    parse_graph_within(
        &data,
        RdfFormat::Turtle,
        Some(&base),
        &Limits::for_local_files(),
    )
    .map_err(|e| format!("{}: {e}", path.display()))
}

fn file_iri(path: &Path) -> String {
    url::Url::from_file_path(path.canonicalize().unwrap())
        .unwrap()
        .to_string()
}

/// The query's answer on the graph, in an in-memory store.
fn ask(graph: &[Triple], query: &str) -> Result<bool, String> {
    let store = Store::new().map_err(|e| e.to_string())?;
    for triple in graph {
        store
            .insert(triple.as_ref().in_graph(GraphNameRef::DefaultGraph))
            .map_err(|e| e.to_string())?;
    }
    let results = SparqlEvaluator::new()
        .parse_query(query)
        .map_err(|e| format!("test.sparql: {e}"))?
        .on_store(&store)
        .execute()
        .map_err(|e| e.to_string())?;
    match results {
        QueryResults::Boolean(answer) => Ok(answer),
        _ => Err("test.sparql is not an ASK query".into()),
    }
}

fn sorted(mut report: LdesReport) -> LdesReport {
    report.added_uris.sort();
    report.removed_uris.sort();
    report.updated_uris.sort();
    report
}
