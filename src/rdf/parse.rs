use oxigraph::io::{RdfFormat, RdfParseError, RdfParser, RdfSyntaxError};
use oxigraph::model::Triple;

/// A syntax error in submitted RDF, with a 1-based position where the parser knows it.
#[derive(Debug, thiserror::Error)]
#[error("{}", self.describe())]
pub struct ParseError {
    pub message: String,
    pub line: Option<u64>,
    pub column: Option<u64>,
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

/// Parses a whole document into triples. Quads from TriG or N-Quads lose their graph name:
/// katalog decides itself which graph (record) a triple belongs to.
///
/// Blank nodes get fresh labels so two submissions never share one by accident.
pub fn parse_graph(
    data: &[u8],
    format: RdfFormat,
    base_iri: Option<&str>,
) -> Result<Vec<Triple>, ParseError> {
    let mut parser = RdfParser::from_format(format).rename_blank_nodes();
    if let Some(base) = base_iri {
        parser = parser
            .with_base_iri(base)
            .map_err(|e| ParseError::without_position(format!("invalid base IRI: {e}")))?;
    }
    parser
        .for_slice(data)
        .map(|quad| quad.map(Triple::from).map_err(ParseError::from))
        .collect()
}

/// Parses from a reader (large files, with a progress bar wrapped around the reader).
pub fn parse_graph_reader(
    reader: impl std::io::Read,
    format: RdfFormat,
    base_iri: Option<&str>,
) -> Result<Vec<Triple>, ParseError> {
    let mut parser = RdfParser::from_format(format).rename_blank_nodes();
    if let Some(base) = base_iri {
        parser = parser
            .with_base_iri(base)
            .map_err(|e| ParseError::without_position(format!("invalid base IRI: {e}")))?;
    }
    parser
        .for_reader(reader)
        .map(|quad| quad.map(Triple::from).map_err(ParseError::from))
        .collect()
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
