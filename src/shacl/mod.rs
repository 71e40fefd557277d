//! SHACL Core and SHACL-SPARQL validation (<https://www.w3.org/TR/shacl/>).
//!
//! A shapes graph is compiled once into [`Shapes`] (paths, lists, regexes,
//! `sh:in` sets, SPARQL queries are all resolved up front); validating a data
//! graph then indexes it once and walks it with integer ids only.
//!
//! ```
//! use katalog::shacl::Shapes;
//! use oxigraph::io::{RdfFormat, RdfParser};
//! use oxrdf::Graph;
//!
//! fn parse(turtle: &str) -> Graph {
//!     let mut graph = Graph::new();
//!     for quad in RdfParser::from_format(RdfFormat::Turtle).for_slice(turtle) {
//!         graph.insert(&quad.unwrap().into());
//!     }
//!     graph
//! }
//!
//! let shapes = Shapes::from_graph(&parse(r#"
//!     @prefix sh: <http://www.w3.org/ns/shacl#> .
//!     @prefix dcat: <http://www.w3.org/ns/dcat#> .
//!     @prefix dcterms: <http://purl.org/dc/terms/> .
//!     [] a sh:NodeShape ; sh:targetClass dcat:Dataset ;
//!        sh:property [ sh:path dcterms:title ; sh:minCount 1 ] .
//! "#)).unwrap();
//! let report = shapes.validate(&parse(r#"
//!     <http://example.org/ds> a <http://www.w3.org/ns/dcat#Dataset> .
//! "#));
//! assert!(report.has_violations());
//! assert_eq!(report.results[0].message(), Some("Less than 1 values (minCount 1) for dcterms:title"));
//! ```
//!
//! Choices where SHACL leaves room:
//! - `sh:targetClass` and `sh:class` follow `rdfs:subClassOf` in the data graph
//!   only (no ontology is merged in).
//! - A recursive shape (a node reached again while checking it) is assumed to
//!   conform at the point of recursion.
//! - Results are not deduplicated: a shape reached twice reports twice, as the
//!   W3C suite expects.
//! - Shapes without `sh:message` get an English message (tagged `@en`).
//! - SHACL-SPARQL queries run on an in-memory oxigraph store built per
//!   validation (only when the shapes use SPARQL), with the shapes graph as the
//!   named graph `$shapesGraph`. Queries breaking the pre-binding rules of
//!   SHACL 5.3.1 are refused when compiling.
//!
//! Module map: `shapes` compiles the shapes graph (with `constraints`, `path`
//! and `sparql`), `index` indexes the data graph, `validator` and `components`
//! evaluate, `report` and `messages` describe the outcome.

mod components;
mod constraints;
mod index;
mod load;
mod messages;
mod names;
mod path;
mod report;
mod shapes;
mod shapes_graph;
mod sparql;
mod sparql_syntax;
mod validator;
mod vocab;
mod writer;
pub use writer::ReportStream;
mod xsd;

pub use path::Path;
pub use report::{Severity, ValidationReport, ValidationResult};
pub use shapes::Shapes;
pub use shapes_graph::ShapesGraph;
pub use vocab::sh;
pub use xsd::is_valid_lexical;

use index::DataIndex;
use oxrdf::{Graph, Triple, TripleRef};
use sparql::SparqlRuntime;
use std::path::PathBuf;
use validator::{Context, validate_all};

/// Errors of shapes loading and compilation, and of SPARQL evaluation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ShaclError {
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot parse {}: {source}", path.display())]
    Parse {
        path: PathBuf,
        #[source]
        source: oxigraph::io::RdfParseError,
    },
    #[error("unknown RDF format (from the file extension) of {}", .0.display())]
    UnknownFormat(PathBuf),
    #[error("ill-formed shape {shape}: {message}")]
    InvalidShape { shape: String, message: String },
    #[error("ill-formed RDF list {node}: {message}")]
    InvalidList { node: String, message: String },
    #[error("ill-formed property path {node}: {message}")]
    InvalidPath { node: String, message: String },
    #[error("invalid sh:pattern {pattern:?} in shape {shape}: {source}")]
    InvalidPattern {
        shape: String,
        pattern: String,
        #[source]
        source: regex::Error,
    },
    #[error("invalid SPARQL query in {node}: {source}")]
    SparqlSyntax {
        node: String,
        #[source]
        source: oxigraph::sparql::SparqlSyntaxError,
    },
    #[error("SPARQL query in {node} is not supported by SHACL: {reason}")]
    UnsupportedSparql { node: String, reason: String },
    #[error("SPARQL evaluation failed for {node}: {message}")]
    SparqlEvaluation { node: String, message: String },
}

impl Shapes {
    /// Reads and compiles shapes from RDF files (format from the extension)
    /// or folders (their `.ttl`, `.rdf`, `.nt` and `.jsonld` files, sorted).
    pub fn load(paths: &[PathBuf]) -> Result<Self, ShaclError> {
        let (graph, digest) = load::read_graph_and_digest(paths)?;
        let mut shapes = Self::from_graph(&graph)?;
        shapes.digest = Some(digest);
        Ok(shapes)
    }

    /// Validates `data`. SPARQL evaluation failures (only possible with
    /// SHACL-SPARQL shapes) are logged with `tracing` and otherwise skipped;
    /// use [`Shapes::try_validate`] to get them as errors instead.
    pub fn validate<'a>(&self, data: impl Into<Data<'a>>) -> ValidationReport {
        self.validate_focus(data, &|_| true)
    }

    /// Like [`Shapes::validate`], for the target nodes `is_focus` accepts only: how a graph
    /// holding stand-ins for other resources (a catalogue's members, to check its links) is
    /// validated without validating the stand-ins.
    pub fn validate_focus<'a>(
        &self,
        data: impl Into<Data<'a>>,
        is_focus: &dyn Fn(oxrdf::TermRef<'_>) -> bool,
    ) -> ValidationReport {
        let (report, errors) = self.run(data.into(), is_focus);
        for error in &errors {
            tracing::warn!(%error, "SHACL validation failure");
        }
        report
    }

    /// Validates `data`, failing on SPARQL evaluation failures (including
    /// results with `?failure true`).
    pub fn try_validate<'a>(
        &self,
        data: impl Into<Data<'a>>,
    ) -> Result<ValidationReport, ShaclError> {
        let (report, mut errors) = self.run(data.into(), &|_| true);
        match errors.drain(..).next() {
            Some(error) => Err(error),
            None => Ok(report),
        }
    }

    fn run(
        &self,
        data: Data<'_>,
        is_focus: &dyn Fn(oxrdf::TermRef<'_>) -> bool,
    ) -> (ValidationReport, Vec<ShaclError>) {
        let mut errors = Vec::new();
        let runtime = match &self.sparql {
            Some(setup) => match SparqlRuntime::new(setup, data.triples()) {
                Ok(runtime) => Some(runtime),
                Err(error) => {
                    errors.push(error);
                    None
                }
            },
            None => None,
        };
        let index = DataIndex::new(&self.constants, data.triples(), data.shares_strings());
        let context = Context::new(self, &index, runtime.as_ref());
        let (results, mut validation_errors) = validate_all(&context, is_focus);
        errors.append(&mut validation_errors);
        (ValidationReport { results }, errors)
    }
}

/// The data a validation reads: a graph, or triples as parsed. Parsed triples need no
/// graph to be built first, which for a big file takes longer than the validation.
/// Either way a triple stated twice counts once.
#[derive(Clone, Copy)]
pub enum Data<'a> {
    Graph(&'a Graph),
    Triples(&'a [Triple]),
}

impl<'a> Data<'a> {
    /// A graph interns its strings: equal terms share them.
    fn shares_strings(self) -> bool {
        matches!(self, Data::Graph(_))
    }

    fn triples(self) -> Box<dyn Iterator<Item = TripleRef<'a>> + 'a> {
        match self {
            Data::Graph(graph) => Box::new(graph.iter()),
            Data::Triples(triples) => Box::new(triples.iter().map(Triple::as_ref)),
        }
    }
}

impl<'a> From<&'a Graph> for Data<'a> {
    fn from(graph: &'a Graph) -> Self {
        Data::Graph(graph)
    }
}

impl<'a> From<&'a [Triple]> for Data<'a> {
    fn from(triples: &'a [Triple]) -> Self {
        Data::Triples(triples)
    }
}

impl<'a> From<&'a Vec<Triple>> for Data<'a> {
    fn from(triples: &'a Vec<Triple>) -> Self {
        Data::Triples(triples)
    }
}

/// Reads RDF files or folders into one graph, as [`Shapes::load`] does.
pub fn read_graph(paths: &[PathBuf]) -> Result<Graph, ShaclError> {
    load::read_graph(paths)
}

#[cfg(test)]
mod tests;
