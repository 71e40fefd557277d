//! The W3C SPARQL 1.1 Protocol test suite (`../shared/anchors/sparql/protocol-tests`), run
//! against a real server. The update tests that expect success are not run: the endpoint is
//! read-only by design, and its refusal of updates is checked by the negative tests.
use crate::common::{self, Server};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{Graph, NamedNodeRef, NamedOrBlankNodeRef, TermRef};
use std::process::Command;

const MF: &str = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#";
const HT: &str = "http://www.w3.org/2011/http#";
const CNT: &str = "http://www.w3.org/2011/content#";
const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";

fn iri(ns: &str, local: &str) -> oxigraph::model::NamedNode {
    oxigraph::model::NamedNode::new_unchecked(format!("{ns}{local}"))
}

fn object<'a>(
    g: &'a Graph,
    s: NamedOrBlankNodeRef<'_>,
    ns: &str,
    local: &str,
) -> Option<TermRef<'a>> {
    g.object_for_subject_predicate(s, &iri(ns, local))
}

fn objects<'a>(
    g: &'a Graph,
    s: NamedOrBlankNodeRef<'a>,
    ns: &str,
    local: &str,
) -> Vec<TermRef<'a>> {
    let p = iri(ns, local);
    g.objects_for_subject_predicate(s, &p).collect()
}

fn text(term: Option<TermRef<'_>>) -> Option<String> {
    match term? {
        TermRef::Literal(l) => Some(l.value().to_owned()),
        TermRef::NamedNode(n) => Some(n.as_str().to_owned()),
        _ => None,
    }
}

fn as_subject(term: TermRef<'_>) -> NamedOrBlankNodeRef<'_> {
    match term {
        TermRef::NamedNode(n) => n.into(),
        TermRef::BlankNode(b) => b.into(),
        other => panic!("not a node: {other}"),
    }
}

fn list<'a>(g: &'a Graph, head: TermRef<'a>) -> Vec<TermRef<'a>> {
    let mut out = Vec::new();
    let mut node = head;
    while node
        != TermRef::NamedNode(NamedNodeRef::new_unchecked(
            "http://www.w3.org/1999/02/22-rdf-syntax-ns#nil",
        ))
    {
        let s = as_subject(node);
        out.push(object(g, s, RDF, "first").expect("list item"));
        node = object(g, s, RDF, "rest").expect("list rest");
    }
    out
}

struct Outcome {
    name: String,
    problem: Option<String>,
}

#[test]
fn w3c_protocol_suite_read_only_tests() {
    let Some(dir) = common::anchor("sparql/protocol-tests") else {
        return;
    };
    let manifest_path = dir.join("manifest.ttl");
    let base = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/manifest";
    let graph: Graph = RdfParser::from_format(RdfFormat::Turtle)
        .with_base_iri(base)
        .unwrap()
        .for_slice(&std::fs::read(&manifest_path).unwrap())
        .map(|q| q.unwrap())
        .map(oxigraph::model::Triple::from)
        .collect();
    let store = common::temp_store();
    // Stage the suite's graphs (data1..3.nt) as named graphs, as the tests expect.
    for n in 1..=3 {
        let status = Command::new(common::bin())
            .args(["load", "--base-uri", common::BASE, "--graph"])
            .arg(format!("http://kasei.us/2009/09/sparql/data/data{n}.rdf"))
            .arg("--data")
            .arg(store.path())
            .arg(dir.join(format!("data{n}.nt")))
            .status()
            .unwrap();
        assert!(status.success());
    }
    let server = Server::start_in(store.path(), &[]);
    let client = crate::common::client().build().unwrap();
    let manifest = graph
        .subject_for_predicate_object(&iri(RDF, "type"), &iri(MF, "Manifest"))
        .expect("manifest");
    let entries = list(&graph, object(&graph, manifest, MF, "entries").unwrap());
    let mut outcomes = Vec::new();
    let mut skipped = Vec::new();
    for entry in entries {
        let test = as_subject(entry);
        let name = text(object(&graph, test, MF, "name")).unwrap_or_default();
        let id = entry.to_string();
        let writes = id.contains("#update_");
        if writes {
            skipped.push(id);
            continue;
        }
        let action = as_subject(object(&graph, test, MF, "action").unwrap());
        let requests = list(&graph, object(&graph, action, HT, "requests").unwrap());
        let mut problem = None;
        for request in requests {
            let request = as_subject(request);
            let method = text(object(&graph, request, HT, "methodName")).unwrap();
            let path = text(object(&graph, request, HT, "absolutePath")).unwrap();
            let path = path.replacen("/sparql/", "/sparql", 1);
            let mut builder = client.request(method.parse().unwrap(), server.url(&path));
            if let Some(headers) = object(&graph, request, HT, "headers") {
                for header in list(&graph, headers) {
                    let header = as_subject(header);
                    builder = builder.header(
                        text(object(&graph, header, HT, "fieldName")).unwrap(),
                        text(object(&graph, header, HT, "fieldValue")).unwrap(),
                    );
                }
            }
            if let Some(body) = object(&graph, request, HT, "body") {
                let body = as_subject(body);
                let chars = text(object(&graph, body, CNT, "chars")).unwrap();
                let encoding =
                    text(object(&graph, body, CNT, "characterEncoding")).unwrap_or_default();
                let bytes = if encoding.eq_ignore_ascii_case("UTF-16") {
                    let mut b = vec![0xFF, 0xFE];
                    b.extend(chars.encode_utf16().flat_map(u16::to_le_bytes));
                    b
                } else {
                    chars.into_bytes()
                };
                builder = builder.body(bytes);
            }
            let response = builder.send().unwrap();
            let status = response.status().as_u16();
            let resp = as_subject(object(&graph, request, HT, "resp").unwrap());
            let expected: Vec<String> = objects(&graph, resp, MF, "expectedStatus")
                .into_iter()
                .filter_map(|t| text(Some(t)))
                .collect();
            let class = format!("StatusCode{}xx", status / 100);
            if !expected.iter().any(|e| e.ends_with(&class)) {
                problem = Some(format!("status {status}, expected {expected:?}"));
                break;
            }
            let content_type = response
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default();
            let body = response.text().unwrap_or_default();
            if let Some(format) = text(object(&graph, resp, MF, "expectedFormat")) {
                let ok = match format.as_str() {
                    "boolean" | "tabular" => content_type.contains("sparql-results"),
                    "RDF" => ["turtle", "rdf+xml", "n-triples", "ld+json"]
                        .iter()
                        .any(|t| content_type.contains(t)),
                    _ => true,
                };
                if !ok {
                    problem = Some(format!("{format} expected, got {content_type}"));
                }
            }
            if let Some(TermRef::Literal(expected)) = object(&graph, resp, MF, "expectedBoolean")
                && !body.contains(&format!("\"boolean\" : {}", expected.value()))
                && !body.contains(&format!("\"boolean\":{}", expected.value()))
                && !body.contains(&format!("<boolean>{}</boolean>", expected.value()))
            {
                problem = Some(format!("expected boolean {}, got {body}", expected.value()));
            }
        }
        outcomes.push(Outcome {
            name: format!("{id} ({name})"),
            problem,
        });
    }
    let failures: Vec<String> = outcomes
        .iter()
        .filter_map(|o| o.problem.as_ref().map(|p| format!("{}: {p}", o.name)))
        .collect();
    eprintln!(
        "protocol suite: {} run, {} skipped (updates on a read-only endpoint)",
        outcomes.len(),
        skipped.len()
    );
    assert!(
        outcomes.len() >= 20,
        "too few tests ran: {}",
        outcomes.len()
    );
    assert!(
        failures.is_empty(),
        "failing protocol tests:\n{}",
        failures.join("\n")
    );
}
