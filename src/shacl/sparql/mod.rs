//! SHACL-SPARQL: SPARQL-based constraints (`sh:sparql`) and SPARQL-based
//! constraint components (`sh:ConstraintComponent` with validators).
//!
//! Queries are prepared once when the shapes are compiled (prefixes added,
//! `$PATH` substituted, pre-binding restrictions checked). At validation time
//! the data graph (default graph) and the shapes graph (a named graph bound to
//! `$shapesGraph`) are loaded once into an in-memory oxigraph store, and
//! pre-bound variables are passed as initial bindings.
//!
//! `compile` prepares the queries, `runtime` holds the store they run on, `evaluate` turns
//! their solutions into results; both sides share the types of `query`.

mod compile;
mod evaluate;
mod query;
mod runtime;

pub(crate) use compile::{ComponentLibrary, compile_sparql_constraints};
pub(crate) use query::{ComponentConstraint, SparqlConstraint};
pub(crate) use runtime::{SparqlRuntime, SparqlSetup};
