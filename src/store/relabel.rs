//! Deterministic blank-node labels: the same record content always gets the same labels, so
//! feeds are byte-stable and never show parser-random identifiers.
use oxigraph::model::{BlankNode, NamedOrBlankNode, Term, Triple};
use std::collections::HashMap;

/// Relabels blank nodes `b{n}x{prefix}` in order of first appearance in the sorted triples,
/// sorting with blank nodes masked so the random input labels do not influence the order.
pub fn relabel_blank_nodes(triples: &mut [Triple], prefix: &str) {
    if !triples.iter().any(has_blank_node) {
        return;
    }
    let masked = |t: &Triple| {
        let mask = |s: String, is_blank: bool| if is_blank { "_".to_owned() } else { s };
        (
            mask(t.subject.to_string(), t.subject.is_blank_node()),
            t.predicate.as_str().to_owned(),
            mask(t.object.to_string(), t.object.is_blank_node()),
        )
    };
    triples.sort_by_cached_key(masked);
    let mut labels: HashMap<BlankNode, BlankNode> = HashMap::new();
    let mut rename = |b: &BlankNode| {
        let next = labels.len();
        labels
            .entry(b.clone())
            .or_insert_with(|| BlankNode::new_unchecked(format!("b{next}x{prefix}")))
            .clone()
    };
    for t in triples.iter_mut() {
        if let NamedOrBlankNode::BlankNode(b) = &t.subject {
            t.subject = rename(b).into();
        }
        if let Term::BlankNode(b) = &t.object {
            t.object = rename(b).into();
        }
    }
}

fn has_blank_node(t: &Triple) -> bool {
    t.subject.is_blank_node() || t.object.is_blank_node()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rdf::parse_graph;
    use oxigraph::io::RdfFormat;

    #[test]
    fn same_content_same_labels() {
        let ttl = b"<http://a> <http://p> [ <http://q> \"x\" ] ; <http://r> [ <http://q> \"y\" ] .";
        let mut a = parse_graph(ttl, RdfFormat::Turtle, None).unwrap();
        let mut b = parse_graph(ttl, RdfFormat::Turtle, None).unwrap();
        relabel_blank_nodes(&mut a, "abc");
        relabel_blank_nodes(&mut b, "abc");
        assert_eq!(a, b);
        assert!(a.iter().any(|t| t.to_string().contains("_:b0xabc")));
    }
}
