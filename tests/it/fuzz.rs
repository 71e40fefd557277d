//! Fuzzing with proptest (the toolchain is stable, so no libFuzzer): seed documents from the
//! corpus (`tests/fuzz-corpus`, the demo catalogue in four syntaxes, the SPARQL examples)
//! mutated at random, for the body parsers, content negotiation, the SPARQL parameters of a
//! running server and the SHACL report writer. Each target runs a bounded number of cases;
//! `KATALOG_FUZZ_CASES` raises it for a longer run. A failing case is shrunk and printed.
use crate::common::{self, Server};
use katalog::rdf::{GraphFormat, Limits, negotiate, parse_graph_within};
use oxigraph::io::RdfFormat;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::sync::LazyLock;
use std::time::{Duration, Instant};

fn cases(default: u32) -> u32 {
    std::env::var("KATALOG_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn runner(default_cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases: cases(default_cases),
        failure_persistence: None,
        max_shrink_iters: 2_000,
        ..Config::default()
    })
}

/// Seeds: (syntax, document).
static SEEDS: LazyLock<Vec<(RdfFormat, Vec<u8>)>> = LazyLock::new(|| {
    let mut seeds = Vec::new();
    let corpus = common::root().join("tests/fuzz-corpus");
    for entry in std::fs::read_dir(corpus).expect("tests/fuzz-corpus") {
        let path = entry.unwrap().path();
        let format = katalog::rdf::input_format_for_path(&path).expect("a known extension");
        seeds.push((format, std::fs::read(&path).unwrap()));
    }
    let demo = common::turtle(&common::demo_catalog());
    for format in [
        GraphFormat::Turtle,
        GraphFormat::RdfXml,
        GraphFormat::JsonLd,
        GraphFormat::NTriples,
    ] {
        let bytes = katalog::rdf::serialize_graph(&demo, format).unwrap();
        seeds.push((format.rdf_format(), bytes));
    }
    seeds
});

/// Fragments that matter to the parsers and their limits.
const TOKENS: &[&str] = &[
    "[",
    "]",
    "(",
    ")",
    "{",
    "}",
    "\"",
    "\"\"\"",
    "'",
    "\\",
    "\\u0000",
    "&",
    "&a;",
    ";",
    ",",
    "<",
    ">",
    "<!ENTITY a \"&b;&b;&b;&b;\">",
    "<!DOCTYPE r [",
    "]>",
    "@context",
    "@list",
    "\"@id\"",
    ":",
    "_:b",
    "^^",
    "@en",
    "\u{feff}",
    "\u{0}",
    "#",
    "\n",
    "rdf:parseType",
];

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, &'static str),
    Delete(usize, usize),
    Repeat(usize, usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Flip(at, byte)),
        (any::<usize>(), prop::sample::select(TOKENS)).prop_map(|(at, t)| Mutation::Insert(at, t)),
        (any::<usize>(), 1..64usize).prop_map(|(at, n)| Mutation::Delete(at, n)),
        (any::<usize>(), 1..64usize, 1..200usize).prop_map(|(at, n, k)| Mutation::Repeat(at, n, k)),
    ]
}

fn apply(seed: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut doc = seed.to_vec();
    for m in mutations {
        let at = |i: usize| i % (doc.len() + 1);
        match *m {
            Mutation::Flip(i, byte) if !doc.is_empty() => {
                let i = i % doc.len();
                doc[i] = byte;
            }
            Mutation::Flip(..) => {}
            Mutation::Insert(i, token) => {
                let i = at(i);
                doc.splice(i..i, token.bytes());
            }
            Mutation::Delete(i, n) => {
                let i = at(i);
                doc.drain(i..(i + n).min(doc.len()));
            }
            Mutation::Repeat(i, n, times) => {
                let i = at(i);
                let part = doc[i..(i + n).min(doc.len())].to_vec();
                let copies = part.repeat(times);
                doc.splice(i..i, copies);
            }
        }
    }
    doc
}

fn seeded_document() -> impl Strategy<Value = (RdfFormat, Vec<u8>)> {
    (
        prop::sample::select((0..SEEDS.len()).collect::<Vec<_>>()),
        prop::collection::vec(mutation(), 1..12),
    )
        .prop_map(|(seed, mutations)| {
            let (format, bytes) = &SEEDS[seed];
            (*format, apply(bytes, &mutations))
        })
}

#[test]
fn body_parsers_answer_every_mutated_document_within_their_limits() {
    let limits = Limits {
        max_triples: 2_000,
        max_literal_bytes: 4_096,
        max_depth: 16,
        max_entity_expansion: 16_384,
    };
    runner(30_000)
        .run(&seeded_document(), |(format, doc)| {
            let started = Instant::now();
            let parsed = parse_graph_within(&doc, format, Some(common::BASE), &limits);
            prop_assert!(started.elapsed() < Duration::from_secs(2), "slow parse");
            match parsed {
                Ok(triples) => {
                    prop_assert!(triples.len() <= limits.max_triples);
                    for t in &triples {
                        if let oxigraph::model::Term::Literal(l) = &t.object {
                            prop_assert!(l.value().len() <= limits.max_literal_bytes);
                        }
                    }
                }
                Err(e) => prop_assert!(!e.message.is_empty()),
            }
            Ok(())
        })
        .unwrap();
}

fn accept_header() -> impl Strategy<Value = String> {
    let range = (
        prop::sample::select(vec![
            "text/turtle",
            "application/rdf+xml",
            "application/ld+json",
            "text/*",
            "*/*",
            "application/*",
            "text/html",
            "application/json",
            "",
            "/",
            "x",
        ]),
        prop::option::of("[0-9.]{0,6}|-1|NaN|1e9"),
        "[ ;=a-z]{0,8}",
    )
        .prop_map(|(media, q, extra)| match q {
            Some(q) => format!("{media};q={q}{extra}"),
            None => format!("{media}{extra}"),
        });
    prop_oneof![
        prop::collection::vec(range, 0..6).prop_map(|r| r.join(",")),
        "\\PC{0,120}",
    ]
}

#[test]
fn content_negotiation_picks_an_offer_or_none_for_any_accept_header() {
    let offers = [
        ("text/turtle", 0),
        ("application/rdf+xml", 1),
        ("application/ld+json", 2),
        ("text/html", 3),
    ];
    runner(100_000)
        .run(&accept_header(), |accept| {
            let chosen = negotiate(Some(&accept), &offers);
            prop_assert!(chosen.is_none_or(|c| c < offers.len()));
            if let Some((_, exact)) = offers.iter().find(|(m, _)| *m == accept) {
                prop_assert_eq!(chosen, Some(*exact));
            }
            Ok(())
        })
        .unwrap();
}

static QUERIES: LazyLock<Vec<String>> = LazyLock::new(|| {
    let dir = common::root().join("queries/examples");
    let mut queries: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    queries.push("SELECT * WHERE { ?s ?p ?o } LIMIT 5".into());
    queries.push("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }".into());
    queries.push("ASK { FILTER(REGEX(\"a\", \"(a*)*b\")) }".into());
    queries
});

const QUERY_TOKENS: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "?x",
    "*",
    "OPTIONAL",
    "UNION",
    "FILTER",
    "SERVICE <http://x/>",
    "LOAD <file:///etc/passwd>",
    "INSERT DATA { <a:> <a:> <a:> }",
    "\"",
    "'",
    "<",
    ">",
    "#",
    "\\",
    "%",
    "&",
    "+",
    "GRAPH",
    "VALUES ?x { 1 2 }",
    "ORDER BY",
    "LIMIT 1000000000",
];

fn sparql_request() -> impl Strategy<Value = (String, bool)> {
    let mutation = prop_oneof![
        (any::<usize>(), prop::sample::select(QUERY_TOKENS))
            .prop_map(|(at, t)| Mutation::Insert(at, t)),
        (any::<usize>(), 1..16usize).prop_map(|(at, n)| Mutation::Delete(at, n)),
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Mutation::Flip(at, b)),
    ];
    (
        prop::sample::select((0..QUERIES.len()).collect::<Vec<_>>()),
        prop::collection::vec(mutation, 0..6),
        any::<bool>(),
    )
        .prop_map(|(seed, mutations, post)| {
            let query = apply(QUERIES[seed].as_bytes(), &mutations);
            (String::from_utf8_lossy(&query).into_owned(), post)
        })
}

#[test]
fn sparql_answers_every_mutated_query_without_a_server_error() {
    let dir = common::temp_store();
    let server = Server::start_in(dir.path(), &["--sparql-timeout", "2"]);
    server.publish_ok(&common::demo_catalog());
    let records: serde_json::Value = server.get("/health").send().unwrap().json().unwrap();
    runner(2_000)
        .run(&sparql_request(), |(query, post)| {
            let request = match post {
                true => server
                    .post("/sparql")
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(common::form(&[("query", &query)])),
                false => server.get(&common::sparql_url(&query)),
            };
            let status = request.send().unwrap().status().as_u16();
            prop_assert!(
                matches!(status, 200 | 400 | 406 | 413 | 414 | 503),
                "{status} for {query:?}"
            );
            Ok(())
        })
        .unwrap();
    let after: serde_json::Value = server.get("/health").send().unwrap().json().unwrap();
    assert_eq!(
        after["records"], records["records"],
        "a query changed the store"
    );
}

fn literal() -> impl Strategy<Value = oxigraph::model::Literal> {
    use oxigraph::model::{Literal, NamedNode};
    prop_oneof![
        "\\PC{0,40}|[\"'\\\\\n\r\t]{0,6}".prop_map(Literal::new_simple_literal),
        ("\\PC{0,20}", "[a-z]{2}(-[A-Z]{2})?").prop_map(|(v, lang)| {
            Literal::new_language_tagged_literal(v, lang).expect("valid tag")
        }),
        ("\\PC{0,20}", "[a-z]{1,8}").prop_map(|(v, t)| {
            let datatype = NamedNode::new(format!("http://example.org/{t}")).unwrap();
            Literal::new_typed_literal(v, datatype)
        }),
    ]
}

#[test]
fn report_writer_gives_turtle_that_reads_back_the_offending_value() {
    use oxigraph::model::{Graph, NamedNode, Term, Triple};
    let shapes_ttl = r#"@prefix sh: <http://www.w3.org/ns/shacl#> .
        <http://example.org/S> a sh:NodeShape ; sh:targetSubjectsOf <http://example.org/p> ;
          sh:property [ sh:path <http://example.org/p> ; sh:maxLength 0 ;
                        sh:message "längd \"0\"\n\\ ok"@sv ] ."#;
    let shapes_graph: Graph = common::turtle(shapes_ttl).into_iter().collect();
    let shapes = katalog::shacl::Shapes::from_graph(&shapes_graph).unwrap();
    let subject = NamedNode::new("http://example.org/s").unwrap();
    let predicate = NamedNode::new("http://example.org/p").unwrap();
    runner(20_000)
        .run(&literal(), |value| {
            let data = vec![Triple::new(
                subject.clone(),
                predicate.clone(),
                value.clone(),
            )];
            let report = shapes.validate(&data);
            if value.value().is_empty() {
                return Ok(()); // length 0 conforms
            }
            let turtle = report.to_turtle();
            let parsed = katalog::rdf::parse_graph(&turtle, RdfFormat::Turtle, None);
            prop_assert!(parsed.is_ok(), "{}", String::from_utf8_lossy(&turtle));
            let value_iri = "http://www.w3.org/ns/shacl#value";
            let values: Vec<Term> = parsed
                .unwrap()
                .into_iter()
                .filter(|t| t.predicate.as_str() == value_iri)
                .map(|t| t.object)
                .collect();
            prop_assert_eq!(values, vec![Term::from(value.clone())]);
            let mut json = Vec::new();
            report.write_json(&mut json).unwrap();
            prop_assert!(serde_json::from_slice::<serde_json::Value>(&json).is_ok());
            Ok(())
        })
        .unwrap();
}
