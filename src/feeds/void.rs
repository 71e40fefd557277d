//! The VoID description (`/.well-known/void`): where the SPARQL endpoint, the dumps and the
//! URI space are.
use super::{FeedError, Feeds};
use crate::rdf::ns::{dcterms, rdf};
use oxigraph::model::{Literal, NamedNode, NamedNodeRef, Triple};

const VOID: &str = "http://rdfs.org/ns/void#";

fn void(term: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{VOID}{term}"))
}

const SPARQL_VALUES_EN: &str = "The SPARQL endpoint answers with the values of typed literals in canonical form (\"1037\"^^xsd:nonNegativeInteger as \"1037\"^^xsd:integer, \"1.50\" as \"1.5\", +00:00 as Z). A CONSTRUCT or DESCRIBE result is therefore not the record: the record as published is what its IRI dereferences to, and what the feeds serve.";
const SPARQL_VALUES_SV: &str = "SPARQL-ändpunkten svarar med typade litteralers värden i kanonisk form (\"1037\"^^xsd:nonNegativeInteger som \"1037\"^^xsd:integer, \"1.50\" som \"1.5\", +00:00 som Z). Ett CONSTRUCT- eller DESCRIBE-svar är därför inte posten: posten som den publicerades är vad dess IRI ger och vad flödena serverar.";

impl Feeds {
    /// The site's VoID description: the SPARQL endpoint, the data dumps, the URI space and one
    /// subset per organisation, sorted.
    pub fn void(&self) -> Result<Vec<Triple>, FeedError> {
        let base = &self.base_uri;
        let index = self.catalogue.index()?;
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
        Ok(triples)
    }
}
