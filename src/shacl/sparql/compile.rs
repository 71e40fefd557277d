//! Compiling SHACL-SPARQL: queries are prepared once with the shapes (prefixes added,
//! `$PATH` substituted, pre-binding restrictions checked), for `sh:sparql` constraints and
//! for the shapes' uses of SPARQL-based constraint components.

use super::query::{ComponentConstraint, OPTIONAL_PREBOUND, Query, SparqlConstraint};
use crate::shacl::ShaclError;
use crate::shacl::names::plain_value;
use crate::shacl::path::Path;
use crate::shacl::shapes_graph::{ShapesGraph, as_bool};
use crate::shacl::sparql_syntax::{
    ask_to_select, check_prebinding, project_variables, substitute_path, variables,
};
use crate::shacl::vocab::{OWL_IMPORTS, SH, sh};
use oxigraph::sparql::SparqlEvaluator;
use oxrdf::{Literal, NamedNode, NamedNodeRef, Term, TermRef};
use std::collections::HashSet;

impl Query {
    /// Prepares `body` (from `node`): prefixes, `$PATH`, pre-binding checks.
    pub(super) fn compile(
        node: TermRef<'_>,
        prefixes: &str,
        body: &str,
        path: Option<&Path>,
        prebound: &[&str],
        is_ask: bool,
    ) -> Result<Self, ShaclError> {
        check_prebinding(body, prebound, &OPTIONAL_PREBOUND).map_err(|reason| {
            ShaclError::UnsupportedSparql {
                node: node.to_string(),
                reason,
            }
        })?;
        let body = match path {
            Some(path) => substitute_path(body, &path.to_string()),
            None => body.to_owned(),
        };
        let variables = variables(&body);
        let mut extra: Vec<&str> = prebound.to_vec();
        extra.extend(OPTIONAL_PREBOUND);
        extra.retain(|v| variables.contains(*v));
        let projected = if is_ask {
            ask_to_select(&body, &extra).unwrap_or_else(|| body.clone())
        } else {
            project_variables(&body, &extra)
        };
        // Without optimizations: the optimizer does not know about the
        // pre-bound variables and would, e.g., fold `BIND($this AS ?x)` to
        // unbound. Shape queries are small and evaluated per focus node.
        let parse = |text: &str| {
            SparqlEvaluator::new()
                .without_optimizations()
                .parse_query(text)
        };
        let prepared = match parse(&format!("{prefixes}{projected}")) {
            Ok(prepared) => prepared,
            // Adding projections can be refused (e.g. with GROUP BY): try as written.
            Err(_) => {
                parse(&format!("{prefixes}{body}")).map_err(|source| ShaclError::SparqlSyntax {
                    node: node.to_string(),
                    source,
                })?
            }
        };
        Ok(Self {
            prepared,
            variables,
            is_ask,
        })
    }
}

/// The `PREFIX` declarations of the `sh:prefixes` of `node`, following `owl:imports`.
fn prefixes(g: ShapesGraph<'_>, node: TermRef<'_>) -> String {
    let mut todo = g.objects(node, sh::PREFIXES);
    let mut seen = HashSet::new();
    let mut declared = HashSet::new();
    let mut out = String::new();
    while let Some(ontology) = todo.pop() {
        if !seen.insert(ontology) {
            continue;
        }
        for declaration in g.objects(ontology, sh::DECLARE) {
            let prefix = g.object(declaration, sh::PREFIX);
            let namespace = g.object(declaration, sh::NAMESPACE);
            if let (Some(TermRef::Literal(prefix)), Some(namespace)) = (prefix, namespace) {
                let namespace = plain_value(namespace);
                if declared.insert(prefix.value().to_owned()) {
                    out.push_str(&format!("PREFIX {}: <{namespace}>\n", prefix.value()));
                }
            }
        }
        todo.extend(g.objects(ontology, OWL_IMPORTS));
    }
    out
}

fn literals(values: Vec<TermRef<'_>>) -> Vec<Literal> {
    values
        .into_iter()
        .filter_map(|v| match v {
            TermRef::Literal(l) => Some(l.into_owned()),
            _ => None,
        })
        .collect()
}

fn is_deactivated(g: ShapesGraph<'_>, node: TermRef<'_>) -> bool {
    g.object(node, sh::DEACTIVATED).and_then(as_bool) == Some(true)
}

/// Compiles the `sh:sparql` constraints of the shape at `node`.
pub(crate) fn compile_sparql_constraints(
    g: ShapesGraph<'_>,
    node: TermRef<'_>,
    path: Option<&Path>,
) -> Result<Vec<SparqlConstraint>, ShaclError> {
    let mut out = Vec::new();
    for constraint in g.objects(node, sh::SPARQL) {
        if is_deactivated(g, constraint) {
            continue;
        }
        let Some(TermRef::Literal(select)) = g.object(constraint, sh::SELECT) else {
            return Err(ShaclError::InvalidShape {
                shape: node.to_string(),
                message: format!("the SPARQL constraint {constraint} has no sh:select string"),
            });
        };
        let prefixes = prefixes(g, constraint);
        let query = Query::compile(
            constraint,
            &prefixes,
            select.value(),
            path,
            &["this"],
            false,
        )?;
        out.push(SparqlConstraint {
            node: constraint.into_owned(),
            query,
            messages: literals(g.objects(constraint, sh::MESSAGE)),
        });
    }
    Ok(out)
}

/// The SPARQL-based constraint components declared in a shapes graph.
#[derive(Default)]
pub(crate) struct ComponentLibrary {
    components: Vec<ComponentDefinition>,
}

struct ComponentDefinition {
    iri: NamedNode,
    parameters: Vec<Parameter>,
    messages: Vec<Literal>,
    validator: Option<ValidatorDefinition>,
    node_validator: Option<ValidatorDefinition>,
    property_validator: Option<ValidatorDefinition>,
}

struct Parameter {
    path: NamedNode,
    /// The variable name: the local name of the parameter's path.
    name: String,
    optional: bool,
}

struct ValidatorDefinition {
    node: Term,
    prefixes: String,
    body: String,
    is_ask: bool,
    messages: Vec<Literal>,
}

impl ComponentLibrary {
    /// Reads every SHACL instance of `sh:ConstraintComponent` (SHACL's own
    /// core components are built in and skipped).
    pub fn read(g: ShapesGraph<'_>) -> Result<Self, ShaclError> {
        let mut components = Vec::new();
        for node in g.instances(sh::CONSTRAINT_COMPONENT) {
            let TermRef::NamedNode(iri) = node else {
                continue;
            };
            if iri.as_str().starts_with(SH) {
                continue;
            }
            components.push(read_component(g, iri)?);
        }
        Ok(Self { components })
    }

    /// The component constraints of the shape at `node`: one per component
    /// whose mandatory parameters the shape has and that has a suitable validator.
    pub fn instantiate(
        &self,
        g: ShapesGraph<'_>,
        node: TermRef<'_>,
        path: Option<&Path>,
    ) -> Result<Vec<ComponentConstraint>, ShaclError> {
        let mut out = Vec::new();
        for component in &self.components {
            let Some(bindings) = parameter_values(g, node, &component.parameters) else {
                continue;
            };
            let validator = if path.is_some() {
                component.property_validator.as_ref()
            } else {
                component.node_validator.as_ref()
            };
            let Some(validator) = validator.or(component.validator.as_ref()) else {
                continue;
            };
            let prebound = prebound_names(component, validator.is_ask);
            let prebound: Vec<&str> = prebound.iter().map(String::as_str).collect();
            let query = Query::compile(
                validator.node.as_ref(),
                &validator.prefixes,
                &validator.body,
                path,
                &prebound,
                validator.is_ask,
            )?;
            let messages = if validator.messages.is_empty() {
                component.messages.clone()
            } else {
                validator.messages.clone()
            };
            for parameters in bindings {
                out.push(ComponentConstraint {
                    component: component.iri.clone(),
                    query: query.clone(),
                    parameters,
                    messages: messages.clone(),
                });
            }
        }
        Ok(out)
    }
}

fn prebound_names(component: &ComponentDefinition, is_ask: bool) -> Vec<String> {
    let mut names = vec!["this".to_owned()];
    if is_ask {
        names.push("value".to_owned());
    }
    names.extend(component.parameters.iter().map(|p| p.name.clone()));
    names
}

/// Every combination of the shape's values for the parameters, or `None`
/// when a mandatory parameter has no value.
fn parameter_values(
    g: ShapesGraph<'_>,
    node: TermRef<'_>,
    parameters: &[Parameter],
) -> Option<Vec<Vec<(String, Term)>>> {
    let mut combinations = vec![Vec::new()];
    for parameter in parameters {
        let values = g.objects(node, parameter.path.as_ref());
        if values.is_empty() {
            if parameter.optional {
                continue;
            }
            return None;
        }
        combinations = combinations
            .into_iter()
            .flat_map(|combination: Vec<(String, Term)>| {
                values.iter().map(move |value| {
                    let mut next = combination.clone();
                    next.push((parameter.name.clone(), value.into_owned()));
                    next
                })
            })
            .collect();
    }
    Some(combinations)
}

fn read_component(
    g: ShapesGraph<'_>,
    iri: NamedNodeRef<'_>,
) -> Result<ComponentDefinition, ShaclError> {
    let node = TermRef::from(iri);
    let mut parameters = Vec::new();
    for parameter in g.objects(node, sh::PARAMETER) {
        let Some(TermRef::NamedNode(path)) = g.object(parameter, sh::PATH) else {
            return Err(ShaclError::InvalidShape {
                shape: iri.to_string(),
                message: format!("the parameter {parameter} has no IRI sh:path"),
            });
        };
        let name = local_name(path.as_str()).to_owned();
        let optional = g.object(parameter, sh::OPTIONAL).and_then(as_bool) == Some(true);
        parameters.push(Parameter {
            path: path.into_owned(),
            name,
            optional,
        });
    }
    let mut definition = ComponentDefinition {
        iri: iri.into_owned(),
        parameters,
        messages: literals(g.objects(node, sh::MESSAGE)),
        validator: None,
        node_validator: None,
        property_validator: None,
    };
    definition.validator = read_validator(g, node, sh::VALIDATOR, &definition, true)?;
    definition.node_validator = read_validator(g, node, sh::NODE_VALIDATOR, &definition, false)?;
    definition.property_validator =
        read_validator(g, node, sh::PROPERTY_VALIDATOR, &definition, false)?;
    Ok(definition)
}

fn read_validator(
    g: ShapesGraph<'_>,
    component: TermRef<'_>,
    predicate: NamedNodeRef<'_>,
    definition: &ComponentDefinition,
    ask_allowed: bool,
) -> Result<Option<ValidatorDefinition>, ShaclError> {
    let Some(node) = g.object(component, predicate) else {
        return Ok(None);
    };
    let (body, is_ask) = match (g.object(node, sh::ASK), g.object(node, sh::SELECT)) {
        (Some(TermRef::Literal(ask)), _) if ask_allowed => (ask.value().to_owned(), true),
        (_, Some(TermRef::Literal(select))) => (select.value().to_owned(), false),
        _ => return Ok(None),
    };
    let prefixes = prefixes(g, node);
    // Refuse unsupported queries now, even if no shape uses the component.
    let prebound = prebound_names(definition, is_ask);
    let prebound: Vec<&str> = prebound.iter().map(String::as_str).collect();
    check_prebinding(&body, &prebound, &OPTIONAL_PREBOUND).map_err(|reason| {
        ShaclError::UnsupportedSparql {
            node: node.to_string(),
            reason,
        }
    })?;
    Ok(Some(ValidatorDefinition {
        node: node.into_owned(),
        prefixes,
        body,
        is_ask,
        messages: literals(g.objects(node, sh::MESSAGE)),
    }))
}

fn local_name(iri: &str) -> &str {
    let start = iri.rfind(['#', '/', ':']).map_or(0, |i| i + 1);
    &iri[start..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_names() {
        assert_eq!(local_name("http://example.org/ns#lang"), "lang");
        assert_eq!(local_name("http://example.org/ns/lang"), "lang");
    }
}
