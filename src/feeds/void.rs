//! `/.well-known/void`: where the SPARQL endpoint, the dumps and the URI space are.
use crate::rdf::ns::{dcterms, rdf};
use crate::web::respond::choose_format;
use crate::web::{AppError, SharedState, rdf_response};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use oxigraph::model::{Literal, NamedNode, NamedNodeRef, Triple};

const VOID: &str = "http://rdfs.org/ns/void#";

fn void(term: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{VOID}{term}"))
}

const SPARQL_VALUES_EN: &str = "The SPARQL endpoint answers with the values of typed literals in canonical form (\"1037\"^^xsd:nonNegativeInteger as \"1037\"^^xsd:integer, \"1.50\" as \"1.5\", +00:00 as Z). A CONSTRUCT or DESCRIBE result is therefore not the record: the record as published is what its IRI dereferences to, and what the feeds serve.";
const SPARQL_VALUES_SV: &str = "SPARQL-ändpunkten svarar med typade litteralers värden i kanonisk form (\"1037\"^^xsd:nonNegativeInteger som \"1037\"^^xsd:integer, \"1.50\" som \"1.5\", +00:00 som Z). Ett CONSTRUCT- eller DESCRIBE-svar är därför inte posten: posten som den publicerades är vad dess IRI ger och vad flödena serverar.";

/// VoID description of the site
///
/// The SPARQL endpoint, the data dumps, the URI space and one subset per organisation.
#[utoipa::path(get, path = "/.well-known/void", tag = "feeds",
    responses(
        (status = 200, description = "VoID", content(("text/turtle"), ("application/rdf+xml"), ("application/ld+json"), ("application/n-triples"))),
        (status = 304, description = "Not modified"),
        (status = 406, description = "No acceptable syntax", body = crate::api::ErrorBody),
    ))]
pub async fn void_handler(
    State(state): State<SharedState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let format = choose_format(&headers, None)?;
    let base = &state.config.base_uri;
    let index = state.catalogue.index()?;
    let dataset = NamedNode::new_unchecked(format!("{base}.well-known/void#katalog"));
    let iri = |path: &str| NamedNode::new_unchecked(format!("{base}{path}"));
    let mut triples = vec![
        Triple::new(dataset.clone(), rdf::TYPE, void("Dataset")),
        Triple::new(
            dataset.clone(),
            dcterms::TITLE,
            Literal::new_language_tagged_literal_unchecked("Katalogens länkade data", "sv"),
        ),
        Triple::new(
            dataset.clone(),
            dcterms::TITLE,
            Literal::new_language_tagged_literal_unchecked("The catalogue's linked data", "en"),
        ),
        Triple::new(dataset.clone(), void("sparqlEndpoint"), iri("sparql")),
        // The endpoint answers from Oxigraph's index, which normalises typed literals; the
        // records themselves are served as published. Say so where clients look.
        Triple::new(
            dataset.clone(),
            dcterms::DESCRIPTION,
            Literal::new_language_tagged_literal_unchecked(SPARQL_VALUES_EN, "en"),
        ),
        Triple::new(
            dataset.clone(),
            dcterms::DESCRIPTION,
            Literal::new_language_tagged_literal_unchecked(SPARQL_VALUES_SV, "sv"),
        ),
        Triple::new(dataset.clone(), void("dataDump"), iri("datasets/dcat")),
        Triple::new(dataset.clone(), void("rootResource"), iri("catalog")),
        Triple::new(
            dataset.clone(),
            void("uriSpace"),
            Literal::new_simple_literal(base),
        ),
        Triple::new(
            dataset.clone(),
            void("feature"),
            NamedNode::new_unchecked("http://www.w3.org/ns/formats/Turtle"),
        ),
        Triple::new(
            dataset.clone(),
            void("feature"),
            NamedNode::new_unchecked("http://www.w3.org/ns/formats/RDF_XML"),
        ),
        Triple::new(
            dataset.clone(),
            void("feature"),
            NamedNode::new_unchecked("http://www.w3.org/ns/formats/JSON-LD"),
        ),
        Triple::new(
            dataset.clone(),
            void("feature"),
            NamedNode::new_unchecked("http://www.w3.org/ns/formats/N-Triples"),
        ),
        Triple::new(
            dataset.clone(),
            void("entities"),
            Literal::new_typed_literal(
                index.records.len().to_string(),
                crate::rdf::ns::xsd::INTEGER,
            ),
        ),
    ];
    for vocabulary in [
        "http://www.w3.org/ns/dcat#",
        "http://purl.org/dc/terms/",
        "http://xmlns.com/foaf/0.1/",
    ] {
        triples.push(Triple::new(
            dataset.clone(),
            void("vocabulary"),
            NamedNodeRef::new_unchecked(vocabulary),
        ));
    }
    // Where harvesters find each organisation's catalogue, and the change stream.
    for publisher in index.publishers() {
        let key = super::organisations::org_key(publisher);
        let subset = NamedNode::new_unchecked(format!("{base}.well-known/void#org-{key}"));
        triples.push(Triple::new(dataset.clone(), void("subset"), subset.clone()));
        triples.push(Triple::new(subset.clone(), rdf::TYPE, void("Dataset")));
        triples.push(Triple::new(
            subset.clone(),
            dcterms::PUBLISHER,
            publisher.clone(),
        ));
        triples.push(Triple::new(
            subset.clone(),
            void("dataDump"),
            iri(&format!("organisations/{key}/datasets/dcat")),
        ));
        triples.push(Triple::new(
            subset,
            void("rootResource"),
            iri(&format!("organisations/{key}/catalog")),
        ));
    }
    triples.push(Triple::new(
        dataset.clone(),
        NamedNode::new_unchecked("http://www.w3.org/2000/01/rdf-schema#seeAlso"),
        iri("ldes"),
    ));
    if let Some(example) = index.members().next() {
        triples.push(Triple::new(
            dataset.clone(),
            void("exampleResource"),
            example.iri.clone(),
        ));
    }
    crate::rdf::sort_triples(&mut triples);
    rdf_response(&triples, format, None)
}
