use oxigraph::io::{RdfFormat, RdfParseError, RdfParser, RdfSyntaxError};
use oxigraph::model::{Quad, Term, Triple};

use super::Document;
use super::limits::{self, LimitExceeded, Limits};
use std::io::{BufRead, Read};

/// A syntax error in submitted RDF, with a 1-based position where the parser knows it, or a
/// limit the document exceeded.
#[derive(Debug, thiserror::Error)]
#[error("{}", self.describe())]
pub struct ParseError {
    pub message: String,
    pub line: Option<u64>,
    pub column: Option<u64>,
    /// Set when the document is refused for its size rather than its syntax (HTTP 413).
    pub limit: Option<LimitExceeded>,
}

impl ParseError {
    fn describe(&self) -> String {
        match (self.line, self.column) {
            (Some(line), Some(column)) => {
                format!("line {line}, column {column}: {}", self.message)
            }
            _ => self.message.clone(),
        }
    }

    pub fn without_position(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            line: None,
            column: None,
            limit: None,
        }
    }
}

impl From<LimitExceeded> for ParseError {
    fn from(limit: LimitExceeded) -> Self {
        Self {
            limit: Some(limit),
            ..Self::without_position(limit.to_string())
        }
    }
}

impl From<RdfSyntaxError> for ParseError {
    fn from(e: RdfSyntaxError) -> Self {
        let start = e.location().map(|range| range.start);
        Self {
            message: e.to_string(),
            line: start.map(|p| p.line + 1),
            column: start.map(|p| p.column + 1),
            limit: None,
        }
    }
}

impl From<RdfParseError> for ParseError {
    fn from(error: RdfParseError) -> Self {
        match error {
            RdfParseError::Syntax(e) => e.into(),
            RdfParseError::Io(e) => Self::without_position(e.to_string()),
        }
    }
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Parses a whole document into triples, within the default [`Limits`]. Quads from TriG or
/// N-Quads lose their graph name: katalog decides itself which graph (record) a triple
/// belongs to.
///
/// Blank nodes get fresh labels so two submissions never share one by accident.
pub fn parse_graph(
    data: &[u8],
    format: RdfFormat,
    base_iri: Option<&str>,
) -> Result<Vec<Triple>, ParseError> {
    parse_graph_within(data, format, base_iri, &Limits::DEFAULT)
}

/// Parses a whole document within the operator's limits. Every entry point of outside data
/// (request bodies, uploaded files, `katalog load` and `validate`, fetched catalogues) parses
/// through here, so no syntax can be turned into a bomb.
pub fn parse_graph_within(
    data: &[u8],
    format: RdfFormat,
    base_iri: Option<&str>,
    limits: &Limits,
) -> Result<Vec<Triple>, ParseError> {
    let data = check_text(data, format, limits)?;
    collect(parser(format, base_iri)?.for_slice(data), limits)
}

/// [`parse_graph_within`] into a compact [`Document`] (each term once): what ingest holds
/// while it splits, checks and writes a large submission.
pub fn parse_document_within(
    data: &[u8],
    format: RdfFormat,
    base_iri: Option<&str>,
    limits: &Limits,
) -> Result<Document, ParseError> {
    let data = check_text(data, format, limits)?;
    collect(parser(format, base_iri)?.for_slice(data), limits)
}

/// Parses a whole document into quads, keeping their graph names (LDES pages carry each
/// member's state in a named graph), within the same limits as [`parse_graph_within`].
pub fn parse_quads_within(
    data: &[u8],
    format: RdfFormat,
    base_iri: Option<&str>,
    limits: &Limits,
) -> Result<Vec<Quad>, ParseError> {
    let data = check_text(data, format, limits)?;
    let mut quads = Vec::new();
    for quad in parser(format, base_iri)?.for_slice(data) {
        let quad = quad?;
        admit(quads.len(), &quad.object, limits)?;
        quads.push(quad);
    }
    limits::check_quad_blank_depth(&quads, limits.max_depth)?;
    Ok(quads)
}

/// The document without a byte-order mark, after the checks on its text that find a bomb
/// before the parser expands it.
fn check_text<'a>(
    data: &'a [u8],
    format: RdfFormat,
    limits: &Limits,
) -> Result<&'a [u8], ParseError> {
    // Editors on Windows write a byte-order mark; it is not part of the document.
    let data = data.strip_prefix(BOM).unwrap_or(data);
    match format {
        RdfFormat::RdfXml => limits::check_xml_entities(data, limits.max_entity_expansion)?,
        RdfFormat::JsonLd { .. } => limits::check_json_depth(data, limits.max_depth)?,
        RdfFormat::Turtle | RdfFormat::TriG | RdfFormat::N3 => {
            limits::check_turtle_depth(data, limits.max_depth)?
        }
        _ => {}
    }
    Ok(data)
}

/// Refuses one more statement when `count` are already held, or when its literal is too long.
fn admit(count: usize, object: &Term, limits: &Limits) -> Result<(), ParseError> {
    if count == limits.max_triples {
        return Err(LimitExceeded::Triples(limits.max_triples).into());
    }
    limits::check_literal(object, limits.max_literal_bytes)?;
    Ok(())
}

/// Parses what a harvested source serves, leniently where the syntax allows it: a statement
/// the parser can skip (an invalid IRI, a bad language tag, a stray token), as real
/// catalogues contain, is left out and its error returned beside the triples, rather than the
/// whole source refused. A limit still refuses the whole document, and so do more than
/// [`MAX_SKIPPED`] errors (it is then not RDF of that syntax at all).
pub fn parse_graph_lenient<G: Graph + Default>(
    data: &[u8],
    format: RdfFormat,
    base_iri: Option<&str>,
    limits: &Limits,
) -> Result<(G, Vec<ParseError>), ParseError> {
    let data = check_text(data, format, limits)?;
    let mut graph = G::default();
    let skipped = lenient(
        &mut graph,
        parser(format, base_iri)?.for_slice(data),
        limits,
    )?;
    Ok((graph, skipped))
}

/// [`parse_graph_lenient`] from a reader, into a graph the caller holds (a harvest's spool,
/// which keeps the triples on disk). Turtle and N-Triples are read as they come; RDF/XML and
/// JSON-LD are read whole first, as their bombs are found by looking at the whole text.
pub fn parse_lenient_into<G: Graph>(
    graph: &mut G,
    reader: impl Read,
    format: RdfFormat,
    base_iri: Option<&str>,
    limits: &Limits,
) -> Result<Vec<ParseError>, ParseError> {
    let io = |e: std::io::Error| ParseError::without_position(e.to_string());
    let mut reader = std::io::BufReader::with_capacity(1 << 16, reader);
    if matches!(format, RdfFormat::RdfXml | RdfFormat::JsonLd { .. }) {
        let mut data = Vec::new();
        reader.read_to_end(&mut data).map_err(io)?;
        let data = check_text(&data, format, limits)?;
        return lenient(graph, parser(format, base_iri)?.for_slice(data), limits);
    }
    if reader.fill_buf().map_err(io)?.starts_with(BOM) {
        reader.consume(BOM.len());
    }
    lenient(graph, parser(format, base_iri)?.for_reader(reader), limits)
}

/// Adds the parser's triples to `graph`, passing over (and returning) the errors the parser
/// can skip, up to [`MAX_SKIPPED`].
fn lenient<G: Graph, E>(
    graph: &mut G,
    quads: impl Iterator<Item = Result<oxigraph::model::Quad, E>>,
    limits: &Limits,
) -> Result<Vec<ParseError>, ParseError>
where
    ParseError: From<E>,
{
    let mut skipped = Vec::new();
    for quad in quads {
        let quad = match quad {
            Ok(quad) => quad,
            Err(e) if skipped.len() < MAX_SKIPPED => {
                skipped.push(ParseError::from(e));
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let triple = Triple::from(quad);
        admit(graph.count(), &triple.object, limits)?;
        graph.add(triple);
    }
    graph.close(limits.max_depth)?;
    Ok(skipped)
}

/// Errors a lenient parse passes over before it gives up on the document.
pub const MAX_SKIPPED: usize = 1000;

/// Parses from a reader (large files, with a progress bar wrapped around the reader), within
/// the limits. RDF/XML and JSON-LD are read whole first: their bombs are found by looking at
/// the whole text before the parser expands it.
pub fn parse_graph_reader<G: Graph + Default>(
    reader: impl Read,
    format: RdfFormat,
    base_iri: Option<&str>,
    limits: &Limits,
) -> Result<G, ParseError> {
    let mut reader = std::io::BufReader::new(reader);
    if matches!(format, RdfFormat::RdfXml | RdfFormat::JsonLd { .. }) {
        let mut data = Vec::new();
        reader
            .read_to_end(&mut data)
            .map_err(|e| ParseError::without_position(e.to_string()))?;
        let data = check_text(&data, format, limits)?;
        return collect(parser(format, base_iri)?.for_slice(data), limits);
    }
    let start = reader
        .fill_buf()
        .map_err(|e| ParseError::without_position(e.to_string()))?;
    if start.starts_with(BOM) {
        reader.consume(BOM.len());
    }
    collect(parser(format, base_iri)?.for_reader(reader), limits)
}

fn parser(format: RdfFormat, base_iri: Option<&str>) -> Result<RdfParser, ParseError> {
    let parser = RdfParser::from_format(format).rename_blank_nodes();
    match base_iri {
        Some(base) => parser
            .with_base_iri(base)
            .map_err(|e| ParseError::without_position(format!("invalid base IRI: {e}"))),
        None => Ok(parser),
    }
}

/// What a parse collects into: a plain list of triples, or a compact [`Document`].
pub trait Graph {
    /// How many triples are held (the triple limit counts them).
    fn count(&self) -> usize;
    fn add(&mut self, triple: Triple);
    /// Called once the parser is done: refuses chains of blank nodes deeper than
    /// `max_depth` (the parser has no view of them).
    fn close(&mut self, max_depth: usize) -> Result<(), LimitExceeded>;
}

impl Graph for Vec<Triple> {
    fn count(&self) -> usize {
        self.len()
    }

    fn add(&mut self, triple: Triple) {
        self.push(triple);
    }

    fn close(&mut self, max_depth: usize) -> Result<(), LimitExceeded> {
        limits::check_blank_depth(self, max_depth)
    }
}

impl Graph for Document {
    fn count(&self) -> usize {
        self.len()
    }

    fn add(&mut self, triple: Triple) {
        self.insert(triple);
    }

    fn close(&mut self, max_depth: usize) -> Result<(), LimitExceeded> {
        self.finish();
        let links = self
            .ids()
            .iter()
            .filter_map(|&[s, _, o]| match (self.term(s), self.term(o)) {
                (Term::BlankNode(s), Term::BlankNode(o)) => Some((s.as_str(), o.as_str())),
                _ => None,
            });
        limits::check_blank_links(links, max_depth)
    }
}

/// Collects the parser's triples, stopping at the first one past a limit, then checks the
/// nesting of what was read.
fn collect<G: Graph + Default, E>(
    quads: impl Iterator<Item = Result<oxigraph::model::Quad, E>>,
    limits: &Limits,
) -> Result<G, ParseError>
where
    ParseError: From<E>,
{
    let mut graph = G::default();
    for quad in quads {
        let triple = Triple::from(quad?);
        admit(graph.count(), &triple.object, limits)?;
        graph.add(triple);
    }
    graph.close(limits.max_depth)?;
    Ok(graph)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_one_based_position() {
        let err = parse_graph(
            b"<http://a> <http://b> <http://c> .\n<http://a> <http://b> \"x .\n",
            RdfFormat::Turtle,
            None,
        )
        .unwrap_err();
        assert_eq!(err.line, Some(2));
        assert!(err.column.unwrap() >= 1);
    }

    #[test]
    fn quads_keep_their_graphs_within_the_limits() {
        let trig =
            b"<http://a> <http://b> <http://c> . <http://g> { <http://a> <http://b> \"x\" . }";
        let quads = parse_quads_within(trig, RdfFormat::TriG, None, &Limits::DEFAULT).unwrap();
        assert_eq!(quads[1].graph_name.to_string(), "<http://g>");
        let small = Limits {
            max_triples: 1,
            ..Limits::DEFAULT
        };
        let err = parse_quads_within(trig, RdfFormat::TriG, None, &small).unwrap_err();
        assert_eq!(err.limit, Some(LimitExceeded::Triples(1)));
    }

    #[test]
    fn a_lenient_parse_skips_a_bad_statement_and_keeps_the_rest() {
        let data = b"<http://a> <http://b> <http://c> .\n<http://a> <http://b> <http://bad iri> .\n<http://a> <http://b> <http://d> .\n";
        let (triples, skipped): (Document, _) =
            parse_graph_lenient(data, RdfFormat::Turtle, None, &Limits::DEFAULT).unwrap();
        assert_eq!(triples.len(), 2);
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].line, Some(2));
    }

    #[test]
    fn a_document_holds_what_the_list_holds() {
        let data = b"@prefix : <http://x.se/> . :a :p :b, :c ; :q [ :r [ :s 1 ] ] . :a :p :b .";
        let list = parse_graph(data, RdfFormat::Turtle, None).unwrap();
        let document: Document =
            parse_document_within(data, RdfFormat::Turtle, None, &Limits::DEFAULT).unwrap();
        assert_eq!((list.len(), document.len()), (6, 6));
        assert!(crate::rdf::isomorphic(&list, &document.into_triples()));
        let shallow = Limits {
            max_depth: 1,
            ..Limits::DEFAULT
        };
        let err = parse_document_within(data, RdfFormat::Turtle, None, &shallow).unwrap_err();
        assert_eq!(err.limit, Some(LimitExceeded::Depth(1)));
    }

    #[test]
    fn resolves_relative_iris() {
        let triples = parse_graph(
            b"<datasets/a> <http://b> <> .",
            RdfFormat::Turtle,
            Some("http://example.org/"),
        )
        .unwrap();
        assert_eq!(
            triples[0].subject.to_string(),
            "<http://example.org/datasets/a>"
        );
    }
}
