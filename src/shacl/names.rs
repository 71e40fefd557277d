//! Compact, human-readable rendering of terms (`dcterms:title` instead of a
//! full IRI), used by messages and by the text report.

use oxrdf::TermRef;
use oxrdf::vocab::xsd;
use std::fmt::Write;

/// Well-known prefixes, most specific namespaces first where they nest.
const PREFIXES: &[(&str, &str)] = &[
    ("dcat", "http://www.w3.org/ns/dcat#"),
    ("dcterms", "http://purl.org/dc/terms/"),
    ("dc", "http://purl.org/dc/elements/1.1/"),
    ("foaf", "http://xmlns.com/foaf/0.1/"),
    ("vcard", "http://www.w3.org/2006/vcard/ns#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
    ("sh", "http://www.w3.org/ns/shacl#"),
    ("adms", "http://www.w3.org/ns/adms#"),
    ("skos", "http://www.w3.org/2004/02/skos/core#"),
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("owl", "http://www.w3.org/2002/07/owl#"),
    ("prov", "http://www.w3.org/ns/prov#"),
    ("locn", "http://www.w3.org/ns/locn#"),
    ("spdx", "http://spdx.org/rdf/terms#"),
    ("odrl", "http://www.w3.org/ns/odrl/2/"),
    ("schema", "http://schema.org/"),
    ("dcatap", "http://data.europa.eu/r5r/"),
];

/// `prefix:local` when the IRI is in a well-known namespace and the local
/// name is simple, `<iri>` otherwise.
pub fn short_iri(iri: &str) -> String {
    for (prefix, namespace) in PREFIXES {
        if let Some(local) = iri.strip_prefix(namespace)
            && is_simple_local_name(local)
        {
            return format!("{prefix}:{local}");
        }
    }
    format!("<{iri}>")
}

fn is_simple_local_name(local: &str) -> bool {
    !local.is_empty()
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-'))
        && !local.starts_with('-')
}

/// A Turtle-like compact rendering of a term.
pub fn short_term(term: TermRef<'_>) -> String {
    match term {
        TermRef::NamedNode(node) => short_iri(node.as_str()),
        TermRef::BlankNode(node) => node.to_string(),
        TermRef::Literal(literal) => {
            let mut out = String::new();
            quote_into(literal.value(), &mut out);
            if let Some(language) = literal.language() {
                let _ = write!(out, "@{language}");
            } else if literal.datatype() != xsd::STRING {
                let _ = write!(out, "^^{}", short_iri(literal.datatype().as_str()));
            }
            out
        }
    }
}

/// The bare value of a term: the IRI, the blank node label or the lexical form.
pub fn plain_value(term: TermRef<'_>) -> String {
    match term {
        TermRef::NamedNode(node) => node.as_str().to_owned(),
        TermRef::BlankNode(node) => node.to_string(),
        TermRef::Literal(literal) => literal.value().to_owned(),
    }
}

fn quote_into(value: &str, out: &mut String) {
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxrdf::{BlankNode, Literal, NamedNode};

    #[test]
    fn shortens_known_namespaces() {
        assert_eq!(short_iri("http://purl.org/dc/terms/title"), "dcterms:title");
        assert_eq!(
            short_iri("http://www.w3.org/ns/dcat#Dataset"),
            "dcat:Dataset"
        );
        assert_eq!(short_iri("http://example.org/x"), "<http://example.org/x>");
        assert_eq!(
            short_iri("http://purl.org/dc/terms/a/b"),
            "<http://purl.org/dc/terms/a/b>"
        );
    }

    #[test]
    fn renders_terms() {
        let lit = Literal::new_typed_literal(
            "5",
            NamedNode::new_unchecked("http://www.w3.org/2001/XMLSchema#integer"),
        );
        assert_eq!(short_term(lit.as_ref().into()), "\"5\"^^xsd:integer");
        let lang = Literal::new_language_tagged_literal_unchecked("Hej \"du\"", "sv");
        assert_eq!(short_term(lang.as_ref().into()), "\"Hej \\\"du\\\"\"@sv");
        assert_eq!(short_term(Literal::from("x").as_ref().into()), "\"x\"");
        let b = BlankNode::new_unchecked("b0");
        assert_eq!(short_term(b.as_ref().into()), "_:b0");
    }
}
