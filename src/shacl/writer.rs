//! Writing a validation report straight from its results, in Turtle and JSON, without an
//! intermediate graph or JSON tree: a report of 100 000 results costs the bytes it writes.
//! The same writers answer `katalog validate`, `POST /validate` and the 422 of every write.
use super::path::Path;
use super::report::{ValidationReport, ValidationResult};
use super::vocab::SH;
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::io::{self, Write};

impl ValidationReport {
    /// The report as a SHACL `sh:ValidationReport` in Turtle: one nested description per
    /// result, so no blank-node labels are minted.
    pub fn write_turtle(&self, out: &mut impl Write) -> io::Result<()> {
        writeln!(out, "@prefix sh: <{SH}> .\n")?;
        write!(
            out,
            "[] a sh:ValidationReport ;\n  sh:conforms {}",
            self.conforms()
        )?;
        for (i, result) in self.results.iter().enumerate() {
            out.write_all(if i == 0 { b" ;\n  sh:result " } else { b", " })?;
            write_result(result, out)?;
        }
        out.write_all(b" .\n")
    }

    pub fn to_turtle(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_turtle(&mut out).expect("writing to memory");
        out
    }

    /// The report as JSON (see [`ValidationReport::to_json`] for its form).
    pub fn write_json(&self, out: &mut impl Write) -> io::Result<()> {
        serde_json::to_writer(out, self).map_err(io::Error::other)
    }
}

/// A report written while it is made, a part at a time (`POST /validate` of a whole
/// catalogue answers as it validates, holding one record's results at a time). The counts,
/// known only at the end, come last: in JSON after `results`, in Turtle `sh:conforms` after
/// the results.
pub struct ReportStream {
    json: bool,
    results: usize,
    violations: usize,
    warnings: usize,
}

impl ReportStream {
    /// Starts a report in JSON (else Turtle), writing its opening.
    pub fn start(json: bool, out: &mut impl Write) -> io::Result<Self> {
        match json {
            true => out.write_all(br#"{"results":["#)?,
            false => write!(out, "@prefix sh: <{SH}> .\n\n[] a sh:ValidationReport")?,
        }
        Ok(Self {
            json,
            results: 0,
            violations: 0,
            warnings: 0,
        })
    }

    /// Writes the results of one part.
    pub fn add(&mut self, part: &ValidationReport, out: &mut impl Write) -> io::Result<()> {
        for result in &part.results {
            match (self.json, self.results) {
                (true, 0) => {}
                (true, _) => out.write_all(b",")?,
                (false, 0) => out.write_all(b" ;\n  sh:result ")?,
                (false, _) => out.write_all(b", ")?,
            }
            match self.json {
                true => serde_json::to_writer(&mut *out, &super::report::result_to_json(result))
                    .map_err(io::Error::other)?,
                false => write_result(result, out)?,
            }
            self.results += 1;
        }
        self.violations += part.violations();
        self.warnings += part.warnings();
        Ok(())
    }

    /// Writes the counts and the end.
    pub fn finish(self, out: &mut impl Write) -> io::Result<()> {
        let conforms = self.results == 0;
        match self.json {
            true => write!(
                out,
                r#"],"conforms":{conforms},"violations":{},"warnings":{}}}"#,
                self.violations, self.warnings
            ),
            false => write!(out, " ;\n  sh:conforms {conforms} .\n"),
        }
    }
}

fn write_result(result: &ValidationResult, out: &mut impl Write) -> io::Result<()> {
    write!(
        out,
        "[\n    a sh:ValidationResult ;\n    sh:focusNode {}",
        result.focus_node
    )?;
    if let Some(path) = &result.path {
        out.write_all(b" ;\n    sh:resultPath ")?;
        write_path(path, out)?;
    }
    if let Some(value) = &result.value {
        write!(out, " ;\n    sh:value {value}")?;
    }
    write!(
        out,
        " ;\n    sh:sourceShape {} ;\n    sh:sourceConstraintComponent {} ;\n    sh:resultSeverity {}",
        result.source_shape,
        result.component,
        result.severity.iri()
    )?;
    if let Some(constraint) = &result.source_constraint {
        write!(out, " ;\n    sh:sourceConstraint {constraint}")?;
    }
    for message in &result.messages {
        write!(out, " ;\n    sh:resultMessage {message}")?;
    }
    out.write_all(b"\n  ]")
}

/// A path in SHACL's RDF form, as nested Turtle: lists for sequences, a blank node per
/// operator.
fn write_path(path: &Path, out: &mut impl Write) -> io::Result<()> {
    match path {
        Path::Predicate(p) => write!(out, "{p}"),
        Path::Sequence(members) => write_list("(", members, " )", out),
        Path::Alternative(members) => write_list("[ sh:alternativePath (", members, " ) ]", out),
        Path::Inverse(inner) => operator("inversePath", inner, out),
        Path::ZeroOrMore(inner) => operator("zeroOrMorePath", inner, out),
        Path::OneOrMore(inner) => operator("oneOrMorePath", inner, out),
        Path::ZeroOrOne(inner) => operator("zeroOrOnePath", inner, out),
    }
}

fn write_list(open: &str, members: &[Path], close: &str, out: &mut impl Write) -> io::Result<()> {
    out.write_all(open.as_bytes())?;
    for member in members {
        out.write_all(b" ")?;
        write_path(member, out)?;
    }
    out.write_all(close.as_bytes())
}

fn operator(name: &str, inner: &Path, out: &mut impl Write) -> io::Result<()> {
    write!(out, "[ sh:{name} ")?;
    write_path(inner, out)?;
    out.write_all(b" ]")
}

/// The JSON form, written result by result.
impl Serialize for ValidationReport {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(4))?;
        map.serialize_entry("conforms", &self.conforms())?;
        map.serialize_entry("violations", &self.violations())?;
        map.serialize_entry("warnings", &self.warnings())?;
        map.serialize_entry("results", &Results(&self.results))?;
        map.end()
    }
}

struct Results<'a>(&'a [ValidationResult]);

impl Serialize for Results<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(super::report::result_to_json))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shacl::report::Severity;
    use oxrdf::{BlankNode, Graph, Literal, NamedNode, Term, Triple};

    fn iri(s: &str) -> NamedNode {
        NamedNode::new_unchecked(s)
    }

    fn report() -> ValidationReport {
        let p = |s: &str| Path::Predicate(iri(&format!("http://x.se/{s}")));
        let path = Path::Sequence(vec![
            p("a"),
            Path::Alternative(vec![p("b"), Path::Inverse(Box::new(p("c")))]),
            Path::ZeroOrMore(Box::new(p("d"))),
        ]);
        ValidationReport {
            results: vec![ValidationResult {
                focus_node: iri("http://x.se/d1").into(),
                path: Some(path),
                value: Some(Literal::new_simple_literal("say \"hi\"\n").into()),
                source_shape: BlankNode::new_unchecked("s1").into(),
                component: iri("http://www.w3.org/ns/shacl#MinCountConstraintComponent"),
                severity: Severity::Violation,
                messages: vec![Literal::new_language_tagged_literal_unchecked(
                    "saknas", "sv",
                )],
                source_constraint: None,
            }],
        }
    }

    fn parse(turtle: &[u8]) -> Graph {
        let mut graph = Graph::new();
        let parser = oxigraph::io::RdfParser::from_format(oxigraph::io::RdfFormat::Turtle);
        for quad in parser.for_slice(turtle) {
            graph.insert(&Triple::from(quad.expect("the report is valid Turtle")));
        }
        graph
    }

    #[test]
    fn turtle_is_the_same_graph_as_the_report() {
        let report = report();
        let written = parse(&report.to_turtle());
        let built = report.to_graph();
        assert_eq!(written.len(), built.len());
        assert!(crate::rdf::isomorphic(
            &written.iter().map(|t| t.into_owned()).collect::<Vec<_>>(),
            &built.iter().map(|t| t.into_owned()).collect::<Vec<_>>(),
        ));
        let empty = parse(&ValidationReport::default().to_turtle());
        assert_eq!(
            empty.len(),
            2,
            "a conforming report: type and sh:conforms true"
        );
        assert!(
            empty
                .iter()
                .any(|t| t.object == Term::from(Literal::from(true)).as_ref())
        );
    }

    #[test]
    fn a_streamed_report_is_the_report() {
        let report = report();
        let streamed = |json| {
            let mut out = Vec::new();
            let mut stream = ReportStream::start(json, &mut out).unwrap();
            stream.add(&report, &mut out).unwrap();
            stream.add(&ValidationReport::default(), &mut out).unwrap();
            stream.add(&report, &mut out).unwrap();
            stream.finish(&mut out).unwrap();
            out
        };
        let mut twice = report.clone();
        twice.merge(report.clone());
        let turtle = parse(&streamed(false));
        let built = twice.to_graph();
        assert!(crate::rdf::isomorphic(
            &turtle.iter().map(|t| t.into_owned()).collect::<Vec<_>>(),
            &built.iter().map(|t| t.into_owned()).collect::<Vec<_>>(),
        ));
        let json: serde_json::Value = serde_json::from_slice(&streamed(true)).unwrap();
        assert_eq!(json, twice.to_json());
    }

    #[test]
    fn json_is_the_same_as_the_tree() {
        let report = report();
        let mut out = Vec::new();
        report.write_json(&mut out).unwrap();
        let written: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(written, report.to_json());
    }
}
