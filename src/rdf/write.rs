use super::GraphFormat;
use oxigraph::io::RdfSerializer;
use oxigraph::model::Triple;

/// Prefixes used in Turtle, RDF/XML and JSON-LD output, so documents read well.
pub const PREFIXES: &[(&str, &str)] = &[
    ("adms", "http://www.w3.org/ns/adms#"),
    ("dcat", "http://www.w3.org/ns/dcat#"),
    ("dcatap", "http://data.europa.eu/r5r/"),
    ("dcterms", "http://purl.org/dc/terms/"),
    ("foaf", "http://xmlns.com/foaf/0.1/"),
    ("hydra", "http://www.w3.org/ns/hydra/core#"),
    ("locn", "http://www.w3.org/ns/locn#"),
    ("odrs", "http://schema.theodi.org/odrs#"),
    ("owl", "http://www.w3.org/2002/07/owl#"),
    ("prov", "http://www.w3.org/ns/prov#"),
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("schema", "http://schema.org/"),
    ("sd", "http://www.w3.org/ns/sparql-service-description#"),
    ("sh", "http://www.w3.org/ns/shacl#"),
    ("skos", "http://www.w3.org/2004/02/skos/core#"),
    ("spdx", "http://spdx.org/rdf/terms#"),
    ("vcard", "http://www.w3.org/2006/vcard/ns#"),
    ("void", "http://rdfs.org/ns/void#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
];

/// Sorts triples by subject, predicate and object so output is byte-stable and each subject's
/// triples are grouped (the Turtle and RDF/XML writers nest consecutive triples).
pub fn sort_triples(triples: &mut [Triple]) {
    triples.sort_by_cached_key(|t| {
        (
            t.subject.to_string(),
            t.predicate.as_str().to_owned(),
            t.object.to_string(),
        )
    });
}

/// Serialises triples in the order given.
pub fn serialize_graph<'a>(
    triples: impl IntoIterator<Item = &'a Triple>,
    format: GraphFormat,
) -> std::io::Result<Vec<u8>> {
    let mut serializer = RdfSerializer::from_format(format.rdf_format());
    if format != GraphFormat::NTriples {
        for (prefix, iri) in PREFIXES {
            serializer = serializer
                .with_prefix(*prefix, *iri)
                .expect("prefix IRIs are valid");
        }
    }
    let mut writer = serializer.for_writer(Vec::new());
    for triple in triples {
        writer.serialize_triple(triple)?;
    }
    writer.finish()
}

/// N-Triples text of triples (the state kept with each change event).
pub fn to_ntriples(triples: &[Triple]) -> String {
    let mut out = String::new();
    for t in triples {
        out.push_str(&t.to_string());
        out.push_str(" .\n");
    }
    out
}
