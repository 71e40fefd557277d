//! What compiling hands to evaluating: a prepared query and the constraints that carry
//! one (the variants `Constraint::Sparql` and `Constraint::Component` hold).

use oxigraph::sparql::PreparedSparqlQuery;
use oxrdf::{Literal, NamedNode, NamedNodeRef, Term};
use std::collections::BTreeSet;

/// Name of the shapes graph in the validation store (`$shapesGraph`).
pub(super) const SHAPES_GRAPH: NamedNodeRef<'static> =
    NamedNodeRef::new_unchecked("urn:x-katalog:shacl:shapes-graph");

/// Pre-bound variables that sub-queries need not project.
pub(super) const OPTIONAL_PREBOUND: [&str; 2] = ["shapesGraph", "currentShape"];

/// A parsed query with the names of its variables.
#[derive(Clone)]
pub(crate) struct Query {
    pub(super) prepared: PreparedSparqlQuery,
    pub(super) variables: BTreeSet<String>,
    pub(super) is_ask: bool,
}

/// A `sh:sparql` constraint.
pub(crate) struct SparqlConstraint {
    pub(super) node: Term,
    pub(super) query: Query,
    pub(super) messages: Vec<Literal>,
}

/// A shape's use of a SPARQL-based constraint component.
pub(crate) struct ComponentConstraint {
    pub component: NamedNode,
    pub(super) query: Query,
    /// Parameter variables and their values for this shape.
    pub(super) parameters: Vec<(String, Term)>,
    pub(super) messages: Vec<Literal>,
}
