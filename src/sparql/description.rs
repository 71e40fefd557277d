//! The SPARQL 1.1 Service Description, answered at `/sparql` when no query is given.
use crate::rdf::ns::rdf;
use oxigraph::model::{BlankNode, NamedNode, Triple};

const SD: &str = "http://www.w3.org/ns/sparql-service-description#";
const FORMATS: &str = "http://www.w3.org/ns/formats/";

fn sd(term: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{SD}{term}"))
}

/// The description of the endpoint at `{base_uri}sparql`.
pub fn service_description(base_uri: &str) -> Vec<Triple> {
    let service = NamedNode::new_unchecked(format!("{base_uri}sparql"));
    let dataset = BlankNode::default();
    let default_graph = BlankNode::default();
    let mut triples = vec![
        Triple::new(service.clone(), rdf::TYPE, sd("Service")),
        Triple::new(service.clone(), sd("endpoint"), service.clone()),
        Triple::new(
            service.clone(),
            sd("supportedLanguage"),
            sd("SPARQL11Query"),
        ),
        Triple::new(service.clone(), sd("feature"), sd("UnionDefaultGraph")),
        Triple::new(service.clone(), sd("defaultDataset"), dataset.clone()),
        Triple::new(dataset.clone(), rdf::TYPE, sd("Dataset")),
        Triple::new(dataset, sd("defaultGraph"), default_graph.clone()),
        Triple::new(default_graph, rdf::TYPE, sd("Graph")),
    ];
    for f in [
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "RDF_XML",
        "JSON-LD",
        "N-Triples",
    ] {
        triples.push(Triple::new(
            service.clone(),
            sd("resultFormat"),
            NamedNode::new_unchecked(format!("{FORMATS}{f}")),
        ));
    }
    triples
}
