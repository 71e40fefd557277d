//! Read access to the shapes graph, while compiling and for the dataset form: values, RDF
//! lists and SHACL instances (with `rdfs:subClassOf` in the shapes graph).

use super::ShaclError;
use oxrdf::vocab::{rdf, rdfs};
use oxrdf::{Graph, NamedNodeRef, NamedOrBlankNodeRef, TermRef};
use std::collections::HashSet;

/// A shapes graph being read.
#[derive(Clone, Copy)]
pub struct ShapesGraph<'a> {
    pub graph: &'a Graph,
}

impl<'a> ShapesGraph<'a> {
    /// Values of `node predicate ?o`.
    pub fn objects(self, node: TermRef<'a>, predicate: NamedNodeRef<'_>) -> Vec<TermRef<'a>> {
        match as_subject(node) {
            Some(subject) => self
                .graph
                .objects_for_subject_predicate(subject, predicate)
                .collect(),
            None => Vec::new(),
        }
    }

    /// The value of `node predicate ?o`, if any (the first one if there are several).
    pub fn object(self, node: TermRef<'a>, predicate: NamedNodeRef<'_>) -> Option<TermRef<'a>> {
        self.graph
            .object_for_subject_predicate(as_subject(node)?, predicate)
    }

    pub fn has(self, node: TermRef<'a>, predicate: NamedNodeRef<'_>) -> bool {
        self.object(node, predicate).is_some()
    }

    /// The members of the RDF list starting at `head`.
    pub fn list(self, head: TermRef<'a>) -> Result<Vec<TermRef<'a>>, ShaclError> {
        let mut members = Vec::new();
        let mut seen = HashSet::new();
        let mut node = head;
        while node != rdf::NIL.into() {
            let error = |message: &str| ShaclError::InvalidList {
                node: head.to_string(),
                message: message.to_owned(),
            };
            if !seen.insert(node) {
                return Err(error("the list is cyclic"));
            }
            let firsts = self.objects(node, rdf::FIRST);
            match firsts.as_slice() {
                [first] => members.push(*first),
                [] => return Err(error("a list node has no rdf:first")),
                _ => return Err(error("a list node has several rdf:first")),
            }
            node = self
                .object(node, rdf::REST)
                .ok_or_else(|| error("a list node has no rdf:rest"))?;
        }
        Ok(members)
    }

    /// Whether `node` looks like an RDF list (`rdf:nil` or has `rdf:first`).
    pub fn is_list(self, node: TermRef<'a>) -> bool {
        node == rdf::NIL.into() || self.has(node, rdf::FIRST)
    }

    /// `class` and all its subclasses in the shapes graph.
    pub fn subclasses(self, class: NamedNodeRef<'a>) -> Vec<TermRef<'a>> {
        let mut classes = vec![TermRef::from(class)];
        let mut i = 0;
        while i < classes.len() {
            if let TermRef::NamedNode(_) | TermRef::BlankNode(_) = classes[i] {
                for sub in self
                    .graph
                    .subjects_for_predicate_object(rdfs::SUB_CLASS_OF, classes[i])
                {
                    let sub = TermRef::from(sub);
                    if !classes.contains(&sub) {
                        classes.push(sub);
                    }
                }
            }
            i += 1;
        }
        classes
    }

    /// SHACL instances of `class`: nodes with `rdf:type` `class` or one of its subclasses.
    pub fn instances(self, class: NamedNodeRef<'a>) -> Vec<TermRef<'a>> {
        let graph = self.graph;
        unique(self.subclasses(class).into_iter().flat_map(|class| {
            graph
                .subjects_for_predicate_object(rdf::TYPE, class)
                .map(TermRef::from)
        }))
    }

    /// Whether `node` is a SHACL instance of `class` in the shapes graph.
    pub fn is_instance(self, node: TermRef<'a>, class: NamedNodeRef<'a>) -> bool {
        let types = self.objects(node, rdf::TYPE);
        !types.is_empty() && self.subclasses(class).iter().any(|c| types.contains(c))
    }

    /// Subjects of the triples with `predicate`, without duplicates.
    pub fn subjects_with(self, predicate: NamedNodeRef<'_>) -> Vec<TermRef<'a>> {
        unique(
            self.graph
                .triples_for_predicate(predicate)
                .map(|t| t.subject.into()),
        )
    }
}

/// The items in order of first appearance, without duplicates.
pub fn unique<'a>(items: impl IntoIterator<Item = TermRef<'a>>) -> Vec<TermRef<'a>> {
    let mut seen = HashSet::new();
    items
        .into_iter()
        .filter(|item| seen.insert(*item))
        .collect()
}

/// `node` as a triple subject, `None` for literals.
pub fn as_subject(node: TermRef<'_>) -> Option<NamedOrBlankNodeRef<'_>> {
    match node {
        TermRef::NamedNode(n) => Some(n.into()),
        TermRef::BlankNode(n) => Some(n.into()),
        TermRef::Literal(_) => None,
    }
}

/// The boolean value of a literal (`true`/`1`, `false`/`0`).
pub fn as_bool(term: TermRef<'_>) -> Option<bool> {
    match term {
        TermRef::Literal(l) if l.datatype() == oxrdf::vocab::xsd::BOOLEAN => match l.value() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// The non-negative integer value of a literal.
pub fn as_count(term: TermRef<'_>) -> Option<u64> {
    match term {
        TermRef::Literal(l) => l.value().trim_start_matches('+').parse().ok(),
        _ => None,
    }
}
