//! `katalog check-feed URL`: fetches a catalogue the way dataportal.se does (RDF/XML, one
//! level of `dcterms:hasPart` sub-catalogues) and lists what would make it stumble: HTTP and
//! syntax errors, blank nodes where DIGG forbids them, and DCAT-AP-SE violations.
use super::{Fetched, Fetcher};
use crate::rdf::ns::{dcat, dcterms, rdf};
use crate::rdf::{input_format_for_media_type, parse_graph};
use crate::shacl::Shapes;
use oxigraph::io::RdfFormat;
use oxigraph::model::{NamedOrBlankNode, Term, Triple};
use std::fmt::Write;

/// What one fetched document showed.
#[derive(Debug, Default)]
pub struct DocumentCheck {
    pub url: String,
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
    pub datasets: usize,
    pub parts: Vec<String>,
}

#[derive(Debug, Default)]
pub struct FeedCheck {
    pub documents: Vec<DocumentCheck>,
}

impl FeedCheck {
    /// dataportal.se aborts the whole harvest when any document fails.
    pub fn harvestable(&self) -> bool {
        self.documents.iter().all(|d| d.errors.is_empty())
    }

    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for d in &self.documents {
            let _ = writeln!(
                out,
                "{}: {} datasets, {} errors, {} warnings",
                d.url,
                d.datasets,
                d.errors.len(),
                d.warnings.len()
            );
            for e in &d.errors {
                let _ = writeln!(out, "  error: {e}");
            }
            for w in &d.warnings {
                let _ = writeln!(out, "  warning: {w}");
            }
        }
        let verdict = if self.harvestable() {
            "dataportal.se can harvest this catalogue"
        } else {
            "dataportal.se would abort this harvest"
        };
        let _ = writeln!(out, "{verdict}");
        out
    }
}

/// Checks a catalogue URL and its direct sub-catalogues.
pub async fn check_feed(fetcher: &Fetcher, url: &str, shapes: Option<&Shapes>) -> FeedCheck {
    let mut result = FeedCheck::default();
    let top = check_document(fetcher, url, shapes).await;
    let parts = top.parts.clone();
    result.documents.push(top);
    for part in parts {
        let mut sub = check_document(fetcher, &part, shapes).await;
        if !sub.parts.is_empty() {
            sub.warnings.push(
                "sub-catalogue has its own sub-catalogues: dataportal.se follows only one level"
                    .into(),
            );
        }
        result.documents.push(sub);
    }
    result
}

async fn check_document(fetcher: &Fetcher, url: &str, shapes: Option<&Shapes>) -> DocumentCheck {
    let mut check = DocumentCheck {
        url: url.to_owned(),
        ..Default::default()
    };
    match fetcher.get(url, "application/rdf+xml").await {
        Ok(fetched) => inspect(&mut check, &fetched, shapes),
        Err(e) => check.errors.push(e.to_string()),
    }
    check
}

fn inspect(check: &mut DocumentCheck, fetched: &Fetched, shapes: Option<&Shapes>) {
    if !(200..300).contains(&fetched.status) {
        check.errors.push(format!("HTTP status {}", fetched.status));
        return;
    }
    let declared = fetched
        .content_type
        .as_deref()
        .and_then(input_format_for_media_type);
    if declared != Some(RdfFormat::RdfXml) {
        check.errors.push(format!(
            "Content-Type is {:?}: dataportal.se reads RDF/XML only (application/rdf+xml)",
            fetched.content_type.as_deref().unwrap_or("missing")
        ));
    }
    let triples = match parse_graph(
        &fetched.body,
        declared.unwrap_or(RdfFormat::RdfXml),
        Some(&fetched.url),
    ) {
        Ok(t) => t,
        Err(e) => {
            check.errors.push(format!("syntax error: {e}"));
            return;
        }
    };
    check.datasets = count_typed(&triples, dcat::DATASET.as_str());
    check.parts = triples
        .iter()
        .filter(|t| t.predicate.as_ref() == dcterms::HAS_PART)
        .filter_map(|t| match &t.object {
            Term::NamedNode(n) => Some(n.as_str().to_owned()),
            _ => None,
        })
        .collect();
    check.errors.extend(forbidden_blank_nodes(&triples));
    if let Some(shapes) = shapes {
        let graph: oxrdf::Graph = triples.iter().map(Triple::as_ref).collect();
        let report = shapes.validate(&graph);
        for result in &report.results {
            let line = format!(
                "{} {}: {}",
                result.focus_node,
                result
                    .path
                    .as_ref()
                    .map(|p| p.to_string())
                    .unwrap_or_default(),
                result
                    .messages
                    .iter()
                    .find(|m| m.language() == Some("en"))
                    .or(result.messages.first())
                    .map(|m| m.value())
                    .unwrap_or("")
            );
            if matches!(result.severity, crate::shacl::Severity::Violation) {
                check.errors.push(line);
            } else {
                check.warnings.push(line);
            }
        }
    }
}

fn count_typed(triples: &[Triple], class: &str) -> usize {
    triples
        .iter()
        .filter(|t| {
            t.predicate.as_ref() == rdf::TYPE
                && matches!(&t.object, Term::NamedNode(n) if n.as_str() == class)
        })
        .count()
}

/// DIGG's harvester rejects blank nodes for catalogues, datasets, distributions, publishers
/// and contact points.
fn forbidden_blank_nodes(triples: &[Triple]) -> Vec<String> {
    let mut errors = Vec::new();
    for t in triples {
        let typed_blank = t.predicate.as_ref() == rdf::TYPE
            && matches!(t.subject, NamedOrBlankNode::BlankNode(_))
            && [
                dcat::CATALOG,
                dcat::DATASET,
                dcat::DISTRIBUTION,
                dcat::DATA_SERVICE,
            ]
            .iter()
            .any(|c| matches!(&t.object, Term::NamedNode(n) if n.as_ref() == *c));
        if typed_blank {
            errors.push(format!("a {} is a blank node; it needs an IRI", t.object));
        }
        let linked_blank = [
            dcterms::PUBLISHER,
            dcat::CONTACT_POINT,
            dcat::DISTRIBUTION_LINK,
        ]
        .contains(&t.predicate.as_ref())
            && matches!(t.object, Term::BlankNode(_));
        if linked_blank {
            errors.push(format!(
                "{} of {} is a blank node; it needs an IRI",
                t.predicate, t.subject
            ));
        }
    }
    errors.sort();
    errors.dedup();
    errors
}
