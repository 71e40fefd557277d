//! End-to-end tests of the engine on small graphs (the W3C suite is in
//! `tests/it/shacl_w3c.rs`).

use super::*;
use oxigraph::io::{RdfFormat, RdfParser};
use oxrdf::Term;

const PREFIXES: &str = "
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix ex: <http://example.org/> .
";

fn graph(turtle: &str) -> Graph {
    let mut graph = Graph::new();
    let text = format!("{PREFIXES}{turtle}");
    for quad in RdfParser::from_format(RdfFormat::Turtle).for_slice(&text) {
        graph.insert(&quad.unwrap().into());
    }
    graph
}

fn validate(shapes: &str, data: &str) -> ValidationReport {
    Shapes::from_graph(&graph(shapes))
        .unwrap()
        .validate(&graph(data))
}

fn messages(report: &ValidationReport) -> Vec<&str> {
    let mut messages: Vec<&str> = report.results.iter().filter_map(|r| r.message()).collect();
    messages.sort_unstable();
    messages
}

const DATASET_SHAPE: &str = "
ex:DatasetShape a sh:NodeShape ;
    sh:targetClass dcat:Dataset ;
    sh:property [ sh:path dcterms:title ; sh:minCount 1 ; sh:datatype rdf:langString ] ;
    sh:property [ sh:path dcterms:publisher ; sh:class foaf:Agent ; sh:severity sh:Warning ] ;
    sh:property [ sh:path dcterms:issued ; sh:datatype xsd:date ; sh:maxCount 1 ] .
";

#[test]
fn default_messages() {
    let report = validate(
        DATASET_SHAPE,
        "ex:d a dcat:Dataset ; dcterms:publisher ex:p ;
           dcterms:issued \"2024-13-01\"^^xsd:date, \"2024-01-01\"^^xsd:date .",
    );
    assert_eq!(
        messages(&report),
        [
            "Less than 1 values (minCount 1) for dcterms:title",
            "More than 1 values (maxCount 1) for dcterms:issued: 2 found",
            "Value does not have class foaf:Agent",
            "Value is not a valid literal of datatype xsd:date",
        ]
    );
    assert_eq!((report.violations(), report.warnings()), (3, 1));
    let text = report.to_text();
    assert!(
        text.starts_with("error: <http://example.org/d>\n"),
        "{text}"
    );
    assert!(text.contains("  --> dcterms:publisher (sh:ClassConstraintComponent) [warning]\n  | value: <http://example.org/p>\n  = Value does not have class foaf:Agent\n"), "{text}");
}

#[test]
fn shape_messages_keep_their_language() {
    let report = validate(
        "ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:minCount 1 ;
           sh:message \"Saknar ex:p\"@sv, \"Missing ex:p\"@en ] .",
        "ex:a ex:q 1 .",
    );
    assert_eq!(report.results[0].messages.len(), 2);
    assert_eq!(report.results[0].message(), Some("Missing ex:p"));
}

#[test]
fn class_targets_follow_subclasses_in_the_data() {
    let report = validate(
        "ex:S a sh:NodeShape ; sh:targetClass ex:A ; sh:nodeKind sh:BlankNode .",
        "ex:B rdfs:subClassOf ex:A . ex:C rdfs:subClassOf ex:B . ex:x a ex:C . ex:y a ex:Other .",
    );
    let focus: Vec<String> = report
        .results
        .iter()
        .map(|r| r.focus_node.to_string())
        .collect();
    assert_eq!(focus, ["<http://example.org/x>"]);
}

#[test]
fn implicit_class_targets() {
    let report = validate(
        "ex:Person a rdfs:Class, sh:NodeShape ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .",
        "ex:alice a ex:Person . ex:bob a ex:Person ; ex:name \"Bob\" .",
    );
    assert_eq!(report.results.len(), 1);
    assert_eq!(
        report.results[0].focus_node.to_string(),
        "<http://example.org/alice>"
    );
}

#[test]
fn recursive_shapes_terminate() {
    let report = validate(
        "ex:Person a sh:NodeShape ; sh:targetClass ex:Person ;
           sh:property [ sh:path ex:knows ; sh:node ex:Person ] ;
           sh:property [ sh:path ex:name ; sh:minCount 1 ] .",
        "ex:a a ex:Person ; ex:name \"A\" ; ex:knows ex:b . ex:b a ex:Person ; ex:name \"B\" ; ex:knows ex:a .",
    );
    assert!(report.conforms(), "{}", report.to_text());
}

#[test]
fn deactivated_shapes_are_skipped() {
    let report = validate(
        "ex:S sh:targetNode ex:a ; sh:deactivated true ; sh:class ex:C .",
        "ex:a ex:p 1 .",
    );
    assert!(report.conforms());
}

#[test]
fn sparql_constraints_bind_blank_node_focus_nodes() {
    let shapes = "
        ex:S a sh:NodeShape ; sh:targetClass ex:Thing ;
          sh:sparql [ sh:message \"{$this} has label {?value}\" ;
            sh:select \"SELECT $this ?value WHERE { $this <http://www.w3.org/2000/01/rdf-schema#label> ?value }\" ] .";
    let report = validate(
        shapes,
        "[] a ex:Thing ; rdfs:label \"x\" . ex:b a ex:Thing .",
    );
    assert_eq!(report.results.len(), 1);
    assert!(matches!(report.results[0].focus_node, Term::BlankNode(_)));
    assert_eq!(report.results[0].component, vocab::sh::SPARQL_COMPONENT);
    assert!(
        report.results[0]
            .message()
            .unwrap()
            .ends_with(" has label x")
    );
}

#[test]
fn sparql_failures_are_errors_in_try_validate() {
    let shapes = Shapes::from_graph(&graph(
        "ex:S sh:targetNode ex:a ;
          sh:sparql [ sh:select \"SELECT $this ?failure WHERE { BIND(true AS ?failure) }\" ] .",
    ))
    .unwrap();
    let data = graph("ex:a ex:p 1 .");
    assert!(matches!(
        shapes.try_validate(&data),
        Err(ShaclError::SparqlEvaluation { .. })
    ));
    assert!(shapes.validate(&data).conforms());
}

#[test]
fn refuses_ill_formed_shapes() {
    let compile = |turtle: &str| Shapes::from_graph(&graph(turtle));
    assert!(matches!(
        compile("ex:S sh:targetNode ex:a ; sh:pattern \"[\" ."),
        Err(ShaclError::InvalidPattern { .. })
    ));
    assert!(matches!(
        compile("ex:S sh:targetNode ex:a ; sh:property [ sh:path [ ex:x ex:y ] ] ."),
        Err(ShaclError::InvalidPath { .. })
    ));
    assert!(matches!(
        compile("ex:S sh:targetNode ex:a ; sh:in ex:notAList ."),
        Err(ShaclError::InvalidList { .. })
    ));
    assert!(matches!(
        compile(
            "ex:S sh:targetNode ex:a ; sh:sparql [ sh:select \"SELECT $this WHERE { MINUS { $this ?p ?o } }\" ] ."
        ),
        Err(ShaclError::UnsupportedSparql { .. })
    ));
    assert!(matches!(
        compile("ex:S sh:targetNode ex:a ; sh:sparql [ sh:select \"SELECT $this WHERE {\" ] ."),
        Err(ShaclError::SparqlSyntax { .. })
    ));
}

#[test]
fn report_graph_has_paths_and_conformance() {
    let report = validate(
        "ex:S sh:targetNode ex:a ; sh:property [ sh:path ( ex:p [ sh:inversePath ex:q ] ) ; sh:minCount 1 ] .",
        "ex:a ex:p ex:b .",
    );
    let graph = report.to_graph();
    let triple = graph
        .triples_for_predicate(vocab::sh::RESULT_PATH)
        .next()
        .unwrap();
    assert!(matches!(triple.object, oxrdf::TermRef::BlankNode(_)));
    let conforms = graph
        .triples_for_predicate(vocab::sh::CONFORMS)
        .next()
        .unwrap();
    assert_eq!(
        conforms.object.to_string(),
        "\"false\"^^<http://www.w3.org/2001/XMLSchema#boolean>"
    );
    assert_eq!(
        graph.triples_for_predicate(vocab::sh::INVERSE_PATH).count(),
        1
    );
    assert_eq!(
        report.to_json()["results"][0]["path"],
        "<http://example.org/p>/^<http://example.org/q>"
    );
}

#[test]
fn loads_files_and_folders() {
    let dir = std::env::temp_dir().join(format!("katalog-shacl-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, body: &str| {
        std::fs::write(dir.join(name), format!("{PREFIXES}{body}")).unwrap()
    };
    // Both files use the label _:b: they must stay two different nodes.
    write(
        "a.ttl",
        "ex:S1 sh:targetNode ex:a ; sh:property _:b . _:b sh:path ex:p ; sh:minCount 1 .",
    );
    write(
        "b.ttl",
        "ex:S2 sh:targetNode ex:a ; sh:property _:b . _:b sh:path ex:q ; sh:minCount 1 .",
    );
    std::fs::write(dir.join("README.md"), "not RDF").unwrap();
    let shapes = Shapes::load(std::slice::from_ref(&dir)).unwrap();
    assert_eq!(shapes.len(), 4);
    let report = shapes.validate(&graph("ex:a ex:r 1 ."));
    assert_eq!(report.results.len(), 2);
    assert!(matches!(
        Shapes::load(&[dir.join("README.md")]),
        Err(ShaclError::UnknownFormat(_))
    ));
    assert!(matches!(
        Shapes::load(&[dir.join("missing.ttl")]),
        Err(ShaclError::Io { .. })
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn reports_do_not_depend_on_threads() {
    let mut data = String::new();
    for i in 0..300 {
        data.push_str(&format!(
            "ex:d{i} a dcat:Dataset ; dcterms:title \"t{i}\" ; dcterms:publisher ex:p{} .\n",
            i % 7
        ));
    }
    let shapes = Shapes::from_graph(&graph(DATASET_SHAPE)).unwrap();
    let data = graph(&data);
    let index = index::DataIndex::new(&shapes.constants, data.iter(), true);
    let context = validator::Context::new(&shapes, &index, None);
    let work = context.work();
    let (one, _) = validator::validate_on_threads(&context, &work, 1);
    let (three, _) = validator::validate_on_threads(&context, &work, 3);
    // A plain-string title and an untyped publisher per dataset.
    assert_eq!(one.len(), 600);
    assert!(one == three, "the reports differ");
}

#[test]
fn shapes_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Shapes>();
    assert_send_sync::<ValidationReport>();
}

#[test]
fn validate_focus_skips_the_target_nodes_it_refuses() {
    let shapes = Shapes::from_graph(&graph(
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ;
           sh:property [ sh:path ex:p ; sh:minCount 1 ] .",
    ))
    .unwrap();
    let data = graph("ex:a a ex:C . ex:b a ex:C .");
    assert_eq!(shapes.validate(&data).results.len(), 2);
    let only_a = |node: oxrdf::TermRef<'_>| node.to_string() == "<http://example.org/a>";
    let report = shapes.validate_focus(&data, &only_a);
    assert_eq!(report.results.len(), 1);
    assert_eq!(
        report.results[0].focus_node.to_string(),
        "<http://example.org/a>"
    );
}

#[test]
fn parsed_triples_validate_as_their_graph_does() {
    let shapes = Shapes::from_graph(&graph(
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ;
           sh:property [ sh:path ex:p ; sh:maxCount 1 ; sh:minCount 1 ] .",
    ))
    .unwrap();
    let data = graph("ex:a a ex:C ; ex:p 1 . ex:b a ex:C ; ex:p 1, 2 . ex:c a ex:C .");
    let mut triples: Vec<Triple> = data.iter().map(Into::into).collect();
    // A triple stated twice is one triple: ex:a still has one value for ex:p.
    triples.extend(triples.clone());
    let from_graph = shapes.validate(&data);
    let from_triples = shapes.validate(&triples);
    assert_eq!(from_graph.results.len(), 2);
    let sorted = |report: &ValidationReport| {
        let mut results: Vec<String> = report.results.iter().map(|r| format!("{r:?}")).collect();
        results.sort();
        results
    };
    assert_eq!(sorted(&from_graph), sorted(&from_triples));
}
