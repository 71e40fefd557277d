//! Validation results and reports, with their RDF, JSON and text renderings.

use super::names::{plain_value, short_iri, short_term};
use super::path::Path;
use super::vocab::sh;
use oxrdf::vocab::{rdf, xsd};
use oxrdf::{BlankNode, Graph, Literal, NamedNode, NamedNodeRef, Term, Triple};
use serde_json::{Value, json};
use std::fmt::Write;

/// The severity of a validation result.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Severity {
    Violation,
    Warning,
    Info,
    /// A severity IRI other than the three SHACL ones.
    Other(NamedNode),
}

impl Severity {
    pub fn from_iri(iri: NamedNodeRef<'_>) -> Self {
        if iri == sh::VIOLATION {
            Self::Violation
        } else if iri == sh::WARNING {
            Self::Warning
        } else if iri == sh::INFO {
            Self::Info
        } else {
            Self::Other(iri.into_owned())
        }
    }

    pub fn iri(&self) -> NamedNodeRef<'_> {
        match self {
            Self::Violation => sh::VIOLATION,
            Self::Warning => sh::WARNING,
            Self::Info => sh::INFO,
            Self::Other(iri) => iri.as_ref(),
        }
    }

    /// `Violation`, `Warning`, `Info` or the IRI of another severity.
    pub fn label(&self) -> &str {
        match self {
            Self::Violation => "Violation",
            Self::Warning => "Warning",
            Self::Info => "Info",
            Self::Other(iri) => iri.as_str(),
        }
    }

    /// The word starting a group in the text report.
    fn text_label(&self) -> &str {
        match self {
            Self::Violation => "error",
            Self::Warning => "warning",
            Self::Info => "info",
            Self::Other(_) => "note",
        }
    }

    /// Sort key: lower is more severe.
    fn rank(&self) -> u8 {
        match self {
            Self::Violation => 0,
            Self::Warning => 1,
            Self::Info => 2,
            Self::Other(_) => 3,
        }
    }
}

/// One SHACL validation result.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidationResult {
    pub focus_node: Term,
    pub path: Option<Path>,
    pub value: Option<Term>,
    pub source_shape: Term,
    pub component: NamedNode,
    pub severity: Severity,
    /// `sh:message` of the shape or constraint, or a generated English message.
    pub messages: Vec<Literal>,
    /// The SPARQL constraint node (`sh:sourceConstraint`), for SHACL-SPARQL results.
    pub source_constraint: Option<Term>,
}

impl ValidationResult {
    /// The message in `lang` (e.g. "sv"), else as [`ValidationResult::message`] chooses.
    pub fn message_in(&self, lang: &str) -> Option<&str> {
        self.messages
            .iter()
            .find(|m| m.language().is_some_and(|t| t.eq_ignore_ascii_case(lang)))
            .map(Literal::value)
            .or_else(|| self.message())
    }

    /// The message to show: English if there is one, else untagged, else the first.
    pub fn message(&self) -> Option<&str> {
        let english = |m: &&Literal| {
            m.language().is_some_and(|tag| {
                let tag = tag.to_ascii_lowercase();
                tag == "en" || tag.starts_with("en-")
            })
        };
        self.messages
            .iter()
            .find(english)
            .or_else(|| self.messages.iter().find(|m| m.language().is_none()))
            .or_else(|| self.messages.first())
            .map(Literal::value)
    }
}

/// The outcome of a validation: the list of results.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ValidationReport {
    pub results: Vec<ValidationResult>,
}

impl ValidationReport {
    /// SHACL conformance: no results at all, whatever their severity.
    pub fn conforms(&self) -> bool {
        self.results.is_empty()
    }

    /// Whether any result has severity `sh:Violation`.
    pub fn has_violations(&self) -> bool {
        self.results
            .iter()
            .any(|r| r.severity == Severity::Violation)
    }

    pub fn violations(&self) -> usize {
        self.count(&Severity::Violation)
    }

    pub fn warnings(&self) -> usize {
        self.count(&Severity::Warning)
    }

    fn count(&self, severity: &Severity) -> usize {
        self.results
            .iter()
            .filter(|r| &r.severity == severity)
            .count()
    }

    pub fn merge(&mut self, other: ValidationReport) {
        self.results.extend(other.results);
    }

    /// The report as a SHACL `sh:ValidationReport` graph.
    pub fn to_graph(&self) -> Graph {
        let mut graph = Graph::new();
        let report = BlankNode::default();
        graph.insert(&Triple::new(
            report.clone(),
            rdf::TYPE,
            sh::VALIDATION_REPORT,
        ));
        let conforms = Literal::new_typed_literal(self.conforms().to_string(), xsd::BOOLEAN);
        graph.insert(&Triple::new(report.clone(), sh::CONFORMS, conforms));
        for result in &self.results {
            let node = BlankNode::default();
            graph.insert(&Triple::new(report.clone(), sh::RESULT, node.clone()));
            result_to_graph(result, node, &mut graph);
        }
        graph
    }

    /// The report as JSON: `{"conforms", "violations", "warnings", "results": [...]}`.
    ///
    /// Terms are plain strings: IRIs without brackets, blank nodes as `_:id`,
    /// literals as their lexical form. A path is its IRI when it is a single
    /// predicate and SPARQL property path syntax otherwise.
    pub fn to_json(&self) -> Value {
        let results: Vec<Value> = self.results.iter().map(result_to_json).collect();
        json!({
            "conforms": self.conforms(),
            "violations": self.violations(),
            "warnings": self.warnings(),
            "results": results,
        })
    }

    /// A compiler-like text rendering, grouped by focus node: groups with
    /// violations first, then by focus node.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let mut groups = self.groups();
        groups.sort_by_cached_key(|group| {
            let rank = group.iter().map(|r| r.severity.rank()).min().unwrap_or(0);
            (rank, group[0].focus_node.to_string())
        });
        for group in groups {
            let worst = group.iter().map(|r| &r.severity).min_by_key(|s| s.rank());
            let label = worst.map_or("error", Severity::text_label);
            let _ = writeln!(out, "{label}: {}", short_term(group[0].focus_node.as_ref()));
            for result in group {
                write_result_text(result, worst, &mut out);
            }
            out.push('\n');
        }
        let infos = self.count(&Severity::Info);
        let _ = writeln!(
            out,
            "{} violation(s), {} warning(s), {infos} info(s)",
            self.violations(),
            self.warnings()
        );
        out
    }

    /// Results grouped by focus node, in order of first appearance.
    fn groups(&self) -> Vec<Vec<&ValidationResult>> {
        let mut groups: Vec<Vec<&ValidationResult>> = Vec::new();
        let mut positions = std::collections::HashMap::new();
        for result in &self.results {
            let position = *positions.entry(&result.focus_node).or_insert_with(|| {
                groups.push(Vec::new());
                groups.len() - 1
            });
            groups[position].push(result);
        }
        groups
    }
}

fn result_to_graph(result: &ValidationResult, node: BlankNode, graph: &mut Graph) {
    let mut add = |predicate: NamedNodeRef<'_>, object: Term| {
        graph.insert(&Triple::new(node.clone(), predicate, object));
    };
    add(rdf::TYPE, sh::VALIDATION_RESULT.into_owned().into());
    add(sh::FOCUS_NODE, result.focus_node.clone());
    if let Some(value) = &result.value {
        add(sh::VALUE, value.clone());
    }
    add(sh::SOURCE_SHAPE, result.source_shape.clone());
    add(
        sh::SOURCE_CONSTRAINT_COMPONENT,
        result.component.clone().into(),
    );
    add(
        sh::RESULT_SEVERITY,
        result.severity.iri().into_owned().into(),
    );
    if let Some(constraint) = &result.source_constraint {
        add(sh::SOURCE_CONSTRAINT, constraint.clone());
    }
    for message in &result.messages {
        add(sh::RESULT_MESSAGE, message.clone().into());
    }
    if let Some(path) = &result.path {
        let path = path.to_rdf(graph);
        graph.insert(&Triple::new(node, sh::RESULT_PATH, path));
    }
}

pub(super) fn result_to_json(result: &ValidationResult) -> Value {
    let path = result.path.as_ref().map(|path| match path.as_predicate() {
        Some(predicate) => predicate.as_str().to_owned(),
        None => path.to_string(),
    });
    json!({
        "focusNode": plain_value(result.focus_node.as_ref()),
        "path": path,
        "value": result.value.as_ref().map(|v| plain_value(v.as_ref())),
        "sourceShape": plain_value(result.source_shape.as_ref()),
        "component": result.component.as_str(),
        "severity": result.severity.label(),
        "message": result.message(),
    })
}

fn write_result_text(
    result: &ValidationResult,
    group_severity: Option<&Severity>,
    out: &mut String,
) {
    let location = match &result.path {
        Some(path) => path.to_short_string(),
        None => "(focus node)".to_owned(),
    };
    let _ = write!(
        out,
        "  --> {location} ({})",
        short_iri(result.component.as_str())
    );
    if Some(&result.severity) != group_severity {
        let _ = write!(out, " [{}]", result.severity.text_label());
    }
    out.push('\n');
    if let Some(value) = &result.value {
        let _ = writeln!(out, "  | value: {}", short_term(value.as_ref()));
    }
    if let Some(message) = result.message() {
        let _ = writeln!(out, "  = {message}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iri(s: &str) -> NamedNode {
        NamedNode::new_unchecked(s)
    }

    fn result(focus: &str, severity: Severity, message: &str) -> ValidationResult {
        ValidationResult {
            focus_node: iri(focus).into(),
            path: Some(Path::Predicate(iri("http://purl.org/dc/terms/title"))),
            value: None,
            source_shape: iri("http://example.org/DatasetShape").into(),
            component: sh::MIN_COUNT_COMPONENT.into_owned(),
            severity,
            messages: vec![Literal::from(message)],
            source_constraint: None,
        }
    }

    #[test]
    fn counts_and_conformance() {
        let mut report = ValidationReport::default();
        assert!(report.conforms());
        report
            .results
            .push(result("http://example.org/a", Severity::Warning, "w"));
        assert!(!report.conforms());
        assert!(!report.has_violations());
        report.merge(ValidationReport {
            results: vec![result("http://example.org/b", Severity::Violation, "v")],
        });
        assert!(report.has_violations());
        assert_eq!((report.violations(), report.warnings()), (1, 1));
    }

    #[test]
    fn text_groups_by_focus_node() {
        let mut second = result(
            "http://example.org/a",
            Severity::Violation,
            "Less than 1 values",
        );
        second.value = Some(Literal::new_language_tagged_literal_unchecked("x", "sv").into());
        let report = ValidationReport {
            results: vec![
                result("http://example.org/a", Severity::Warning, "First"),
                result("http://example.org/b", Severity::Info, "Other"),
                second,
            ],
        };
        let text = report.to_text();
        assert_eq!(
            text,
            "error: <http://example.org/a>\n  --> dcterms:title (sh:MinCountConstraintComponent) [warning]\n  = First\n  --> dcterms:title (sh:MinCountConstraintComponent)\n  | value: \"x\"@sv\n  = Less than 1 values\n\ninfo: <http://example.org/b>\n  --> dcterms:title (sh:MinCountConstraintComponent)\n  = Other\n\n1 violation(s), 1 warning(s), 1 info(s)\n"
        );
    }

    #[test]
    fn json_and_graph() {
        let report = ValidationReport {
            results: vec![result("http://example.org/a", Severity::Violation, "m")],
        };
        let json = report.to_json();
        assert_eq!(json["conforms"], false);
        assert_eq!(json["violations"], 1);
        assert_eq!(json["results"][0]["path"], "http://purl.org/dc/terms/title");
        assert_eq!(json["results"][0]["severity"], "Violation");
        assert_eq!(json["results"][0]["message"], "m");
        let graph = report.to_graph();
        assert_eq!(graph.triples_for_predicate(sh::RESULT).count(), 1);
        assert_eq!(graph.triples_for_predicate(sh::RESULT_PATH).count(), 1);
    }

    #[test]
    fn prefers_english_messages() {
        let mut r = result("http://example.org/a", Severity::Violation, "x");
        r.messages = vec![
            Literal::new_language_tagged_literal_unchecked("Saknar titel", "sv"),
            Literal::new_language_tagged_literal_unchecked("Missing title", "en"),
        ];
        assert_eq!(r.message(), Some("Missing title"));
    }
}
