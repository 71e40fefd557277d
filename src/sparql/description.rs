//! The SPARQL 1.1 Service Description, answered at `/sparql` when no query is given.
use crate::rdf::negotiate;
use crate::rdf::ns::rdf;
use crate::web::respond::{accept_header, choose_format};
use crate::web::{AppError, AppState, rdf_response};
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum::response::Response;
use oxigraph::model::{BlankNode, NamedNode, Triple};

const SD: &str = "http://www.w3.org/ns/sparql-service-description#";
const FORMATS: &str = "http://www.w3.org/ns/formats/";

fn sd(term: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{SD}{term}"))
}

pub fn describe(state: &AppState, headers: &HeaderMap) -> Result<Response, AppError> {
    // Browsers get the query page; clients get the description.
    let accept = accept_header(headers);
    if accept.is_some()
        && negotiate(accept, &[("text/turtle", false), ("text/html", true)]) == Some(true)
    {
        return Ok(crate::web::pages::sparql_page()?.into_response());
    }
    let format = choose_format(headers, None)?;
    let service = NamedNode::new_unchecked(format!("{}sparql", state.config.base_uri));
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
    rdf_response(&triples, format, None)
}
