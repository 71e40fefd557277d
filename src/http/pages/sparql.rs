//! The SPARQL page: a query box that works without JavaScript (the form is sent as a GET),
//! the example queries from `queries/examples`, and a query's answer as a table with links,
//! with download links for the answer in every syntax the endpoint speaks.
use super::{local_href, render};
use crate::http::AppError;
use crate::sparql::QueryOutput;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use minijinja::context;
use oxigraph::io::RdfFormat;
use oxigraph::model::Term;
use serde::Serialize;

const DEFAULT_QUERY: &str = "PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?dataset ?title WHERE {
  ?dataset a dcat:Dataset ; dcterms:title ?title .
  FILTER(lang(?title) = \"sv\")
} ORDER BY ?title LIMIT 100";

/// A value in the table: a link for an IRI.
#[derive(Serialize)]
struct Cell {
    text: String,
    href: Option<String>,
    lang: Option<String>,
}

#[derive(Serialize, Default)]
struct Answer {
    vars: Vec<String>,
    rows: Vec<Vec<Option<Cell>>>,
    boolean: Option<bool>,
    truncated: bool,
    downloads: Vec<(&'static str, String)>,
}

/// The page: with no query, the query box and the examples; with an answer, its table; with
/// an error, why (and the status that goes with it).
pub fn page(
    query: Option<&str>,
    answer: Option<Result<(QueryOutput, bool), AppError>>,
    base: &str,
    lang: &str,
) -> Result<Response, AppError> {
    let examples: Vec<_> = crate::sparql::examples::EXAMPLES
        .iter()
        .map(|(_, q)| context! { title => crate::sparql::examples::title(q), query => q })
        .collect();
    let (status, shown, error) = match answer {
        None => (StatusCode::OK, None, None),
        Some(Ok((output, graph))) => {
            let mut shown = match graph {
                true => graph_table(&output, base),
                false => solutions_table(&output, base),
            };
            shown.truncated = output.truncated;
            shown.downloads = downloads(query.unwrap_or_default(), graph);
            (StatusCode::OK, Some(shown), None)
        }
        Some(Err(e)) => (e.status(), None, Some(e.to_string())),
    };
    let html = render(
        "sparql.html",
        context! {
            lang => lang,
            other_lang => if lang == "en" { "sv" } else { "en" },
            switch => language_switch(query, lang),
            query => query.unwrap_or(DEFAULT_QUERY),
            examples => examples,
            answer => shown,
            error => error,
        },
    )?;
    Ok((status, html).into_response())
}

/// The same page in the other language, with the same query.
fn language_switch(query: Option<&str>, lang: &str) -> String {
    let other = if lang == "en" { "sv" } else { "en" };
    let mut link = url::form_urlencoded::Serializer::new(String::new());
    if let Some(query) = query {
        link.append_pair("query", query);
    }
    format!("/sparql?{}", link.append_pair("lang", other).finish())
}

fn cell(term_type: &str, value: &str, lang: Option<&str>, base: &str) -> Cell {
    Cell {
        text: value.to_owned(),
        href: (term_type == "uri").then(|| local_href(value, base)),
        lang: lang.map(str::to_owned),
    }
}

/// SPARQL JSON results read into rows.
fn solutions_table(output: &QueryOutput, base: &str) -> Answer {
    let json: serde_json::Value = serde_json::from_slice(&output.body).unwrap_or_default();
    if let Some(boolean) = json["boolean"].as_bool() {
        return Answer {
            boolean: Some(boolean),
            ..Answer::default()
        };
    }
    let vars: Vec<String> = json["head"]["vars"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    let rows = json["results"]["bindings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|binding| {
            vars.iter()
                .map(|v| {
                    let b = &binding[v];
                    let value = b["value"].as_str()?;
                    Some(cell(
                        b["type"].as_str().unwrap_or_default(),
                        value,
                        b["xml:lang"].as_str(),
                        base,
                    ))
                })
                .collect()
        })
        .collect();
    Answer {
        vars,
        rows,
        ..Answer::default()
    }
}

/// An N-Triples graph read into subject, predicate, object rows.
fn graph_table(output: &QueryOutput, base: &str) -> Answer {
    let triples =
        crate::rdf::parse_graph(&output.body, RdfFormat::NTriples, None).unwrap_or_default();
    let term = |t: &Term| match t {
        Term::NamedNode(n) => cell("uri", n.as_str(), None, base),
        Term::BlankNode(b) => cell("bnode", &format!("_:{}", b.as_str()), None, base),
        Term::Literal(l) => cell("literal", l.value(), l.language(), base),
    };
    let rows = triples
        .iter()
        .map(|t| {
            vec![
                Some(term(&t.subject.clone().into())),
                Some(cell("uri", t.predicate.as_str(), None, base)),
                Some(term(&t.object)),
            ]
        })
        .collect();
    Answer {
        vars: ["subject", "predicate", "object"]
            .map(str::to_owned)
            .to_vec(),
        rows,
        ..Answer::default()
    }
}

/// The query's answer in each syntax, as links to the endpoint.
fn downloads(query: &str, graph: bool) -> Vec<(&'static str, String)> {
    let formats: &[(&'static str, &str)] = match graph {
        true => &[
            ("Turtle", "turtle"),
            ("RDF/XML", "rdfxml"),
            ("JSON-LD", "jsonld"),
            ("N-Triples", "ntriples"),
        ],
        false => &[
            ("CSV", "csv"),
            ("TSV", "tsv"),
            ("JSON", "json"),
            ("XML", "xml"),
        ],
    };
    let encoded: String = url::form_urlencoded::byte_serialize(query.as_bytes()).collect();
    formats
        .iter()
        .map(|(label, format)| (*label, format!("/sparql?query={encoded}&format={format}")))
        .collect()
}
