//! Running one query under katalog's limits and producing the whole response body.
use super::protocol::ProtocolDataset;
use crate::rdf::{GraphFormat, RDF_OFFERS, negotiate, serialize_graph};
use oxigraph::model::{GraphName, NamedNode, NamedOrBlankNode, Triple};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{CancellationToken, QueryResults, SparqlEvaluator};
use oxigraph::store::Store;
use spargebra::SparqlParser;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error("SPARQL syntax error: {0}")]
    Syntax(String),
    #[error("query evaluation failed: {0}")]
    Evaluation(String),
    #[error("the query took longer than {0:?} and was stopped; narrow it or add a LIMIT")]
    Timeout(Duration),
    #[error("too many queries are running; try again in a few seconds")]
    Busy,
    /// A `format` parameter that names no result format.
    #[error("unknown result format {0:?}")]
    UnknownFormat(String),
    /// None of the result formats for this query form is acceptable.
    #[error("none of the available media types is acceptable")]
    NotAcceptable(Vec<&'static str>),
}

/// Bounds on every query: its running time, the rows of its answer, and how many run at
/// once (with how long one waits for a free slot).
#[derive(Clone, Debug)]
pub struct Limits {
    pub timeout: Duration,
    pub max_rows: usize,
    pub max_concurrent: usize,
    /// How long a query waits for a free slot before 503.
    pub queue_wait: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10),
            max_rows: 10_000,
            max_concurrent: 4,
            queue_wait: Duration::from_secs(2),
        }
    }
}

pub struct QueryOutput {
    pub body: Vec<u8>,
    pub content_type: &'static str,
    pub truncated: bool,
}

#[derive(Clone, Copy, Debug)]
enum Output {
    Results(QueryResultsFormat),
    Graph(GraphFormat),
}

const SOLUTION_OFFERS: &[(&str, QueryResultsFormat)] = &[
    ("application/sparql-results+json", QueryResultsFormat::Json),
    ("application/sparql-results+xml", QueryResultsFormat::Xml),
    ("text/csv", QueryResultsFormat::Csv),
    ("text/tab-separated-values", QueryResultsFormat::Tsv),
    ("application/json", QueryResultsFormat::Json),
    ("application/xml", QueryResultsFormat::Xml),
];

fn results_content_type(format: QueryResultsFormat) -> &'static str {
    match format {
        QueryResultsFormat::Json => "application/sparql-results+json",
        QueryResultsFormat::Xml => "application/sparql-results+xml",
        QueryResultsFormat::Csv => "text/csv; charset=utf-8",
        QueryResultsFormat::Tsv => "text/tab-separated-values; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The output syntax: a `format` parameter wins over `Accept`.
fn choose_output(
    query: &spargebra::Query,
    accept: Option<&str>,
    format: Option<&str>,
) -> Result<Output, QueryError> {
    let is_graph = matches!(
        query,
        spargebra::Query::Construct { .. } | spargebra::Query::Describe { .. }
    );
    if let Some(name) = format {
        let by_name = if is_graph {
            GraphFormat::from_name(name).map(Output::Graph)
        } else {
            QueryResultsFormat::from_extension(name)
                .or_else(|| QueryResultsFormat::from_media_type(name))
                .map(Output::Results)
        };
        return by_name.ok_or_else(|| QueryError::UnknownFormat(name.to_owned()));
    }
    let chosen = if is_graph {
        negotiate(accept, &RDF_OFFERS).map(Output::Graph)
    } else {
        negotiate(accept, SOLUTION_OFFERS).map(Output::Results)
    };
    chosen.ok_or_else(|| {
        let offers = if is_graph {
            RDF_OFFERS.iter().map(|(m, _)| *m).collect()
        } else {
            SOLUTION_OFFERS.iter().map(|(m, _)| *m).collect()
        };
        QueryError::NotAcceptable(offers)
    })
}

/// A parsed query with the syntax its answer will be written in.
pub struct Prepared {
    query: spargebra::Query,
    output: Output,
}

impl Prepared {
    /// A CONSTRUCT or DESCRIBE: its answer is a graph, not solutions.
    pub fn is_graph(&self) -> bool {
        matches!(self.output, Output::Graph(_))
    }
}

/// Parses a query (relative IRIs resolve against the endpoint, `{base}sparql`) and chooses
/// the answer's syntax from a `format` parameter or the `Accept` header.
pub fn prepare(
    base_uri: &str,
    query_text: &str,
    accept: Option<&str>,
    format: Option<&str>,
) -> Result<Prepared, QueryError> {
    let query = SparqlParser::new()
        .with_base_iri(format!("{base_uri}sparql"))
        .map_err(|e| QueryError::Syntax(e.to_string()))?
        .parse_query(query_text)
        .map_err(|e| QueryError::Syntax(e.to_string()))?;
    let output = choose_output(&query, accept, format)?;
    Ok(Prepared { query, output })
}

/// Evaluates a prepared query over the public dataset (the union of the record graphs, or
/// the protocol's dataset), writing at most `max_rows` rows; stops when `token` is
/// cancelled.
pub fn run(
    store: &Store,
    prepared: Prepared,
    dataset: &ProtocolDataset,
    max_rows: usize,
    token: CancellationToken,
) -> Result<QueryOutput, QueryError> {
    evaluate(
        store,
        prepared.query,
        dataset,
        prepared.output,
        max_rows,
        token,
    )
}

fn evaluate(
    store: &Store,
    query: spargebra::Query,
    dataset: &ProtocolDataset,
    output: Output,
    max_rows: usize,
    token: CancellationToken,
) -> Result<QueryOutput, QueryError> {
    // No federation: Oxigraph is built without its HTTP client, so SERVICE fails; a public
    // endpoint must not fetch URLs for anyone who asks.
    let mut prepared = SparqlEvaluator::new()
        .with_cancellation_token(token)
        .for_query(query);
    if !dataset.default_graphs.is_empty() || !dataset.named_graphs.is_empty() {
        let iri = |s: &String| {
            NamedNode::new(s.clone())
                .map_err(|e| QueryError::Syntax(format!("graph IRI {s:?}: {e}")))
        };
        let default = dataset
            .default_graphs
            .iter()
            .map(|s| iri(s).map(GraphName::from))
            .collect::<Result<_, _>>()?;
        let named = dataset
            .named_graphs
            .iter()
            .map(|s| iri(s).map(NamedOrBlankNode::from))
            .collect::<Result<_, _>>()?;
        prepared.dataset_mut().set_default_graph(default);
        prepared.dataset_mut().set_available_named_graphs(named);
    } else if prepared.dataset().is_default_dataset() {
        // The public default graph is the union of the records. The store holds the
        // records' graphs and nothing else (katalog's bookkeeping is in the ledger), so
        // Oxigraph's union of all graphs is exactly that, evaluated on its encoded terms.
        prepared.dataset_mut().set_default_graph_as_union();
    }
    let results = prepared
        .on_store(store)
        .execute()
        .map_err(|e| QueryError::Evaluation(e.to_string()))?;
    serialize(results, output, max_rows)
}

fn serialize(
    results: QueryResults<'_>,
    output: Output,
    max_rows: usize,
) -> Result<QueryOutput, QueryError> {
    let eval = |e: oxigraph::sparql::QueryEvaluationError| QueryError::Evaluation(e.to_string());
    let io = |e: std::io::Error| QueryError::Evaluation(e.to_string());
    match (results, output) {
        (QueryResults::Solutions(solutions), Output::Results(format)) => {
            let variables = solutions.variables().to_vec();
            let mut writer = QueryResultsSerializer::from_format(format)
                .serialize_solutions_to_writer(Vec::new(), variables)
                .map_err(io)?;
            let mut truncated = false;
            for (count, solution) in solutions.enumerate() {
                if count == max_rows {
                    truncated = true;
                    break;
                }
                writer.serialize(&solution.map_err(eval)?).map_err(io)?;
            }
            Ok(QueryOutput {
                body: writer.finish().map_err(io)?,
                content_type: results_content_type(format),
                truncated,
            })
        }
        (QueryResults::Boolean(value), Output::Results(format)) => {
            let body = QueryResultsSerializer::from_format(format)
                .serialize_boolean_to_writer(Vec::new(), value)
                .map_err(io)?;
            Ok(QueryOutput {
                body,
                content_type: results_content_type(format),
                truncated: false,
            })
        }
        (QueryResults::Graph(triples), Output::Graph(format)) => {
            let mut collected: Vec<Triple> = Vec::new();
            let mut truncated = false;
            for triple in triples {
                if collected.len() == max_rows {
                    truncated = true;
                    break;
                }
                collected.push(triple.map_err(eval)?);
            }
            let body = serialize_graph(&collected, format).map_err(io)?;
            Ok(QueryOutput {
                body,
                content_type: format.content_type(),
                truncated,
            })
        }
        _ => Err(QueryError::Evaluation(
            "result form and format do not match".into(),
        )),
    }
}
