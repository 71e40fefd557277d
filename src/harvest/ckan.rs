//! Harvesting CKAN sites through the action API: the URL of one page of `package_search`,
//! the packages of an answer, and each package as DCAT-AP-SE triples.
//!
//! The mapping is data, not code: [`CkanMapping`] reads it from `vocab/ckan-mapping.ttl`
//! (the `ckm:` terms are explained at the top of that file and in `vocab/README.md`). It
//! follows ckanext-dcat's DCAT-AP profile (which CKAN field, which fallback, which property),
//! with values shaped for DCAT-AP-SE: language-tagged free text, a literal media type in
//! `dcterms:format`, IRIs (never blank nodes) for the dataset, its distributions and its
//! contact point. This module only interprets the mapping.
mod mapping;
#[cfg(test)]
mod tests;
mod values;

pub use mapping::{CkanMapping, FILE_NAME};

use mapping::{Kind, NodeMap, Rule};
use oxigraph::model::{
    BlankNode, IriParseError, Literal, NamedNode, NamedOrBlankNode, Term, Triple,
};
use oxrdf::vocab::rdf;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::path::PathBuf;
use values::{Env, lookup, text};

/// Characters escaped in a field value put into an IRI path segment.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

#[derive(Debug, thiserror::Error)]
pub enum CkanError {
    #[error("the CKAN answer is not JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("CKAN answered success: false: {message}")]
    Failed { message: String },
    #[error("the CKAN answer has no {0}")]
    Shape(&'static str),
    #[error("a CKAN package is not a JSON object")]
    NotAnObject,
    #[error("the IRI template {template:?} needs the field {field:?}, which the record lacks")]
    MissingField { template: String, field: String },
    #[error("{iri:?} is not an IRI: {source}")]
    BadIri {
        iri: String,
        #[source]
        source: IriParseError,
    },
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot parse the CKAN mapping: {0}")]
    MappingSyntax(#[source] crate::rdf::ParseError),
    #[error("ill-formed CKAN mapping: {0}")]
    Mapping(String),
}

/// One page of `package_search`.
#[derive(Debug, Clone)]
pub struct SearchPage {
    /// Packages matching the search on the whole site, not on this page.
    pub count: usize,
    pub packages: Vec<Value>,
}

/// What a package is mapped with besides the mapping.
#[derive(Debug, Clone, Copy)]
pub struct MapContext<'a> {
    /// The CKAN site, e.g. `https://ckan.ekby.se` (a trailing `/` is ignored).
    pub site: &'a str,
    /// The harvesting organisation's publisher: every dataset's `dcterms:publisher`.
    pub publisher: &'a NamedNode,
    /// Language of plain-string free text, instead of the mapping's `ckm:defaultLanguage`.
    pub language: Option<&'a str>,
}

/// The action API URL of one page of all packages.
pub fn search_url(site: &str, rows: usize, start: usize) -> String {
    let site = site.trim_end_matches('/');
    format!("{site}/api/3/action/package_search?rows={rows}&start={start}")
}

/// The packages of a `package_search` answer (`{"success": true, "result": {"count": …,
/// "results": […]}}`).
pub fn parse_search(body: &[u8]) -> Result<SearchPage, CkanError> {
    let mut answer: Value = serde_json::from_slice(body)?;
    if answer.get("success") != Some(&Value::Bool(true)) {
        let message = answer.pointer("/error/message").and_then(Value::as_str);
        return Err(CkanError::Failed {
            message: message.unwrap_or("no error message").to_owned(),
        });
    }
    let count = answer
        .pointer("/result/count")
        .and_then(Value::as_u64)
        .ok_or(CkanError::Shape("result.count"))?;
    let packages = match answer.pointer_mut("/result/results").map(Value::take) {
        Some(Value::Array(packages)) => packages,
        _ => return Err(CkanError::Shape("result.results list")),
    };
    Ok(SearchPage {
        count: usize::try_from(count).unwrap_or(usize::MAX),
        packages,
    })
}

/// The DCAT-AP-SE triples of one package: the dataset, its distributions, contact point,
/// period and location.
pub fn map_package(
    package: &Value,
    mapping: &CkanMapping,
    ctx: &MapContext<'_>,
) -> Result<Vec<Triple>, CkanError> {
    if !package.is_object() {
        return Err(CkanError::NotAnObject);
    }
    let mapper = Mapper {
        ctx,
        package,
        env: Env {
            language: ctx.language.or(mapping.default_language.as_deref()),
            file_extensions: &mapping.file_extensions,
        },
    };
    let scope = Scope {
        record: package,
        parent: None,
        property: None,
        index: 0,
    };
    let mut triples = Vec::new();
    mapper.node(&mapping.package, &scope, &mut triples)?;
    Ok(triples)
}

struct Mapper<'a> {
    ctx: &'a MapContext<'a>,
    package: &'a Value,
    env: Env<'a>,
}

/// Where a node is made: its CKAN record and the node (and property) that links to it.
struct Scope<'a> {
    record: &'a Value,
    parent: Option<&'a NamedOrBlankNode>,
    property: Option<&'a NamedNode>,
    /// Position in the list the record came from.
    index: usize,
}

impl Mapper<'_> {
    /// Writes the node and returns it, or None when no rule gave it a value.
    fn node(
        &self,
        map: &NodeMap,
        scope: &Scope<'_>,
        out: &mut Vec<Triple>,
    ) -> Result<Option<NamedOrBlankNode>, CkanError> {
        let subject = self.subject(map, scope)?;
        let mut body = Vec::new();
        let mut given: HashSet<&NamedNode> = HashSet::new();
        for rule in &map.rules {
            // A later rule for a property already given is a fallback.
            if given.contains(&rule.property) {
                continue;
            }
            let objects = self.objects(rule, &subject, scope, &mut body)?;
            if !objects.is_empty() {
                given.insert(&rule.property);
            }
            for object in objects {
                body.push(Triple::new(subject.clone(), rule.property.clone(), object));
            }
        }
        if given.is_empty() {
            return Ok(None);
        }
        if let Some(class) = &map.class {
            out.push(Triple::new(subject.clone(), rdf::TYPE, class.clone()));
        }
        out.extend(body);
        Ok(Some(subject))
    }

    fn objects(
        &self,
        rule: &Rule,
        subject: &NamedOrBlankNode,
        scope: &Scope<'_>,
        out: &mut Vec<Triple>,
    ) -> Result<Vec<Term>, CkanError> {
        let record = if rule.in_package {
            self.package
        } else {
            scope.record
        };
        match rule.kind {
            Kind::Publisher => Ok(vec![self.ctx.publisher.clone().into()]),
            Kind::Node => self.nodes(rule, subject, record, out),
            Kind::Spatial => Ok(self.first(rule, record, |v| self.spatial(rule, subject, v, out))),
            _ => Ok(self.first(rule, record, |v| values::terms(rule, v, record, &self.env))),
        }
    }

    /// The terms of the first of the rule's fields that gives any.
    fn first(
        &self,
        rule: &Rule,
        record: &Value,
        mut terms: impl FnMut(&Value) -> Vec<Term>,
    ) -> Vec<Term> {
        rule.fields
            .iter()
            .filter_map(|field| lookup(record, field))
            .map(&mut terms)
            .find(|terms| !terms.is_empty())
            .unwrap_or_default()
    }

    /// One node per object of the rule's first present field (e.g. each resource), or, for a
    /// rule without fields, one node from the record itself (e.g. a contact from the
    /// maintainer fields).
    fn nodes(
        &self,
        rule: &Rule,
        subject: &NamedOrBlankNode,
        record: &Value,
        out: &mut Vec<Triple>,
    ) -> Result<Vec<Term>, CkanError> {
        let Some(map) = &rule.node else {
            return Ok(Vec::new());
        };
        let records: Vec<&Value> = match rule.fields.iter().find_map(|f| lookup(record, f)) {
            Some(Value::Array(items)) => items.iter().filter(|i| i.is_object()).collect(),
            Some(item @ Value::Object(_)) => vec![item],
            Some(_) => Vec::new(),
            None if rule.fields.is_empty() => vec![record],
            None => Vec::new(),
        };
        let mut objects = Vec::new();
        for (index, record) in records.into_iter().enumerate() {
            let scope = Scope {
                record,
                parent: Some(subject),
                property: Some(&rule.property),
                index,
            };
            if let Some(node) = self.node(map, &scope, out)? {
                objects.push(node.into());
            }
        }
        Ok(objects)
    }

    /// An IRI as it is, or GeoJSON (text or object) as a location node with a WKT geometry.
    fn spatial(
        &self,
        rule: &Rule,
        subject: &NamedOrBlankNode,
        value: &Value,
        out: &mut Vec<Triple>,
    ) -> Vec<Term> {
        if let Some(iri) = text(value).and_then(|t| NamedNode::new(t).ok()) {
            return vec![iri.into()];
        }
        let geojson = match value {
            Value::String(text) => serde_json::from_str(text).ok(),
            other => Some(other.clone()),
        };
        let (Some(wkt), Some(property)) = (
            geojson.as_ref().and_then(values::wkt),
            &rule.geometry_property,
        ) else {
            return Vec::new();
        };
        let location = blank_node(Some(subject), Some(&rule.property), 0);
        if let Some(class) = &rule.node_class {
            out.push(Triple::new(location.clone(), rdf::TYPE, class.clone()));
        }
        let geometry = match &rule.datatype {
            Some(datatype) => Literal::new_typed_literal(wkt, datatype.clone()),
            None => Literal::new_simple_literal(wkt),
        };
        out.push(Triple::new(location.clone(), property.clone(), geometry));
        vec![location.into()]
    }

    /// The node's IRI from an IRI field, the template or a fragment of its parent; else a
    /// blank node.
    fn subject(&self, map: &NodeMap, scope: &Scope<'_>) -> Result<NamedOrBlankNode, CkanError> {
        let given = map
            .iri_fields
            .iter()
            .filter_map(|field| lookup(scope.record, field).and_then(text))
            .find_map(|iri| NamedNode::new(iri).ok());
        if let Some(iri) = given {
            return Ok(iri.into());
        }
        if let Some(template) = &map.iri_template {
            return Ok(named(self.fill(template, scope.record)?)?.into());
        }
        match (&map.fragment, scope.parent) {
            (Some(fragment), Some(NamedOrBlankNode::NamedNode(parent))) => {
                Ok(named(fragment_iri(parent, fragment, scope.index))?.into())
            }
            _ => Ok(blank_node(scope.parent, scope.property, scope.index).into()),
        }
    }

    /// The template with `{site}`, `{package}` and `{field|other field}` filled in.
    fn fill(&self, template: &str, record: &Value) -> Result<String, CkanError> {
        let mut filled = String::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}').map(|c| open + c) else {
                return Err(CkanError::Mapping(format!("unclosed {{ in {template:?}")));
            };
            filled.push_str(&rest[..open]);
            filled.push_str(&self.placeholder(&rest[open + 1..close], record, template)?);
            rest = &rest[close + 1..];
        }
        filled.push_str(rest);
        Ok(filled)
    }

    fn placeholder(&self, name: &str, record: &Value, template: &str) -> Result<String, CkanError> {
        match name {
            "site" => Ok(self.ctx.site.trim_end_matches('/').to_owned()),
            "package" => self.placeholder("id|name", self.package, template),
            fields => fields
                .split('|')
                .find_map(|field| lookup(record, field).and_then(text))
                .map(|value| utf8_percent_encode(&value, SEGMENT).to_string())
                .ok_or_else(|| CkanError::MissingField {
                    template: template.to_owned(),
                    field: fields.to_owned(),
                }),
        }
    }
}

fn named(iri: String) -> Result<NamedNode, CkanError> {
    NamedNode::new(iri.clone()).map_err(|source| CkanError::BadIri { iri, source })
}

/// `{parent}#contact`, `#contact-2` for the second of a list (`-contact` when the parent has
/// a fragment already).
fn fragment_iri(parent: &NamedNode, fragment: &str, index: usize) -> String {
    let separator = if parent.as_str().contains('#') {
        '-'
    } else {
        '#'
    };
    let number = match index {
        0 => String::new(),
        n => format!("-{}", n + 1),
    };
    format!("{}{separator}{fragment}{number}", parent.as_str())
}

/// A blank node labelled from where it hangs, so mapping a package twice gives the same
/// triples (harvests compare them to find what changed).
fn blank_node(
    parent: Option<&NamedOrBlankNode>,
    property: Option<&NamedNode>,
    index: usize,
) -> BlankNode {
    let mut digest = Sha256::new();
    digest.update(parent.map(ToString::to_string).unwrap_or_default());
    digest.update(property.map(NamedNode::as_str).unwrap_or_default());
    digest.update(index.to_le_bytes());
    BlankNode::new_unchecked(format!("ckan{}", hex::encode(&digest.finalize()[..12])))
}
