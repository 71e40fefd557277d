//! The lossless copy of each record.
//!
//! Oxigraph normalises typed literals when it stores them (`"1037"^^xsd:nonNegativeInteger`
//! comes back as `"1037"^^xsd:integer`, `"1.50"^^xsd:decimal` as `"1.5"`, `+00:00` as `Z`),
//! and offers no way to turn that off. katalog must serve exactly what was published, so
//! each record's triples are also kept as N-Triples text in a plain string literal beside the
//! record, written in the same transaction as its graph. Plain strings are stored as they
//! are; every read of a record (dereferencing, feeds, the LDES state, the form editor, the
//! re-check) reads this copy. The record's named graph stays for SPARQL, which answers with
//! Oxigraph's values.
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{Literal, Triple};

/// The text kept for a record: its triples as N-Triples lines, sorted first, so that each
/// subject's triples are together in the feeds (one RDF/XML description each) and the order
/// depends on the content alone.
pub fn encode(triples: &mut [Triple]) -> Literal {
    crate::rdf::sort_triples(triples);
    Literal::new_simple_literal(crate::rdf::to_ntriples(triples))
}

/// The triples of a kept copy, with the blank-node labels as stored (they are part of what
/// makes the feeds byte-stable). None when the text is not N-Triples, which katalog never
/// writes: the caller then falls back to the graph.
pub fn decode(text: &str) -> Option<Vec<Triple>> {
    RdfParser::from_format(RdfFormat::NTriples)
        .for_slice(text.as_bytes())
        .map(|quad| quad.ok().map(Triple::from))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_and_blank_node_labels_come_back_as_written() {
        let text = concat!(
            "<http://x.se/d> <http://www.w3.org/ns/dcat#byteSize> \"1037\"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger> .\n",
            "<http://x.se/d> <http://x.se/p> \"007\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n",
            "<http://x.se/d> <http://x.se/q> _:b0xabc .\n",
            "_:b0xabc <http://x.se/r> \"2020-01-01T10:00:00+00:00\"^^<http://www.w3.org/2001/XMLSchema#dateTime> .\n",
        );
        let mut triples = decode(text).unwrap();
        assert_eq!(encode(&mut triples).value(), text);
    }
}
