//! SHACL-SPARQL: SPARQL-based constraints (`sh:sparql`) and SPARQL-based
//! constraint components (`sh:ConstraintComponent` with validators).
//!
//! Queries are prepared once when the shapes are compiled (prefixes added,
//! `$PATH` substituted, pre-binding restrictions checked). At validation time
//! the data graph (default graph) and the shapes graph (a named graph bound to
//! `$shapesGraph`) are loaded once into an in-memory oxigraph store, and
//! pre-bound variables are passed as initial bindings.

use super::constraints::Constraint;
use super::names::plain_value;
use super::report::ValidationResult;
use super::shapes::{Compiler, ShapePath};
use super::shapes_graph::{ShapesGraph, as_bool};
use super::sparql_syntax::{
    ask_to_select, check_prebinding, project_variables, substitute_path, variables,
};
use super::validator::{Focus, Sink, Validator};
use super::vocab::{OWL_IMPORTS, SH, sh};
use super::{ShaclError, path::Path};
use oxigraph::sparql::{
    PreparedSparqlQuery, QueryResults, QuerySolution, SparqlEvaluator, Variable,
};
use oxigraph::store::Store;
use oxrdf::{Graph, GraphNameRef, Literal, NamedNode, NamedNodeRef, Term, TermRef};
use std::collections::{BTreeSet, HashSet};
use std::ops::ControlFlow;

/// Name of the shapes graph in the validation store (`$shapesGraph`).
const SHAPES_GRAPH: NamedNodeRef<'static> =
    NamedNodeRef::new_unchecked("urn:x-katalog:shacl:shapes-graph");

/// Pre-bound variables that sub-queries need not project.
const OPTIONAL_PREBOUND: [&str; 2] = ["shapesGraph", "currentShape"];

/// What SPARQL validation needs from the shapes graph.
pub(crate) struct SparqlSetup {
    shapes_graph: Graph,
}

impl SparqlSetup {
    pub fn new(shapes_graph: &Graph) -> Self {
        Self {
            shapes_graph: shapes_graph.clone(),
        }
    }
}

/// The store queries run on during one validation.
pub(crate) struct SparqlRuntime {
    store: Store,
}

impl SparqlRuntime {
    pub fn new<'a>(
        setup: &SparqlSetup,
        data: impl Iterator<Item = oxrdf::TripleRef<'a>>,
    ) -> Result<Self, ShaclError> {
        let error = |e: oxigraph::store::StorageError| ShaclError::SparqlEvaluation {
            node: SHAPES_GRAPH.to_string(),
            message: format!("cannot build the SPARQL store: {e}"),
        };
        let store = Store::new().map_err(error)?;
        let mut transaction = store.start_transaction().map_err(error)?;
        for triple in data {
            transaction.insert(triple.in_graph(GraphNameRef::DefaultGraph));
        }
        for triple in &setup.shapes_graph {
            transaction.insert(triple.in_graph(SHAPES_GRAPH));
        }
        transaction.commit().map_err(error)?;
        Ok(Self { store })
    }

    fn execute(
        &self,
        query: &Query,
        bindings: &[(&str, Term)],
    ) -> Result<QueryResults<'static>, String> {
        let mut prepared = query.prepared.clone();
        for (name, value) in bindings {
            if query.variables.contains(*name) {
                prepared =
                    prepared.substitute_variable(Variable::new_unchecked(*name), value.clone());
            }
        }
        prepared
            .on_store(&self.store)
            .execute()
            .map_err(|e| e.to_string())
    }

    fn select(
        &self,
        query: &Query,
        bindings: &[(&str, Term)],
    ) -> Result<Vec<QuerySolution>, String> {
        match self.execute(query, bindings)? {
            QueryResults::Solutions(solutions) => {
                solutions.map(|s| s.map_err(|e| e.to_string())).collect()
            }
            _ => Err("the query is not a SELECT query".into()),
        }
    }

    /// Runs an ASK query (compiled to a SELECT, see [`ask_to_select`]).
    fn ask(&self, query: &Query, bindings: &[(&str, Term)]) -> Result<bool, String> {
        match self.execute(query, bindings)? {
            QueryResults::Boolean(answer) => Ok(answer),
            QueryResults::Solutions(mut solutions) => match solutions.next() {
                Some(Ok(_)) => Ok(true),
                Some(Err(e)) => Err(e.to_string()),
                None => Ok(false),
            },
            QueryResults::Graph(_) => Err("the query is not an ASK query".into()),
        }
    }
}

/// A parsed query with the names of its variables.
#[derive(Clone)]
pub(crate) struct Query {
    prepared: PreparedSparqlQuery,
    variables: BTreeSet<String>,
    is_ask: bool,
}

impl Query {
    /// Prepares `body` (from `node`): prefixes, `$PATH`, pre-binding checks.
    fn compile(
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

/// A `sh:sparql` constraint.
pub(crate) struct SparqlConstraint {
    node: Term,
    query: Query,
    messages: Vec<Literal>,
}

/// A shape's use of a SPARQL-based constraint component.
pub(crate) struct ComponentConstraint {
    pub component: NamedNode,
    query: Query,
    /// Parameter variables and their values for this shape.
    parameters: Vec<(String, Term)>,
    messages: Vec<Literal>,
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
    c: &mut Compiler<'_>,
    node: TermRef<'_>,
    path: Option<&ShapePath>,
) -> Result<Vec<Constraint>, ShaclError> {
    let g = c.graph;
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
            path.map(|p| &p.path),
            &["this"],
            false,
        )?;
        out.push(Constraint::Sparql(Box::new(SparqlConstraint {
            node: constraint.into_owned(),
            query,
            messages: literals(g.objects(constraint, sh::MESSAGE)),
        })));
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
        path: Option<&ShapePath>,
    ) -> Result<Vec<Constraint>, ShaclError> {
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
            let query_path = path.map(|p| &p.path);
            let query = Query::compile(
                validator.node.as_ref(),
                &validator.prefixes,
                &validator.body,
                query_path,
                &prebound,
                validator.is_ask,
            )?;
            let messages = if validator.messages.is_empty() {
                component.messages.clone()
            } else {
                validator.messages.clone()
            };
            for parameters in bindings {
                out.push(Constraint::Component(Box::new(ComponentConstraint {
                    component: component.iri.clone(),
                    query: query.clone(),
                    parameters,
                    messages: messages.clone(),
                })));
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

/// Replaces `{?var}` and `{$var}` in a message template.
fn fill_template(message: &Literal, lookup: impl Fn(&str) -> Option<String>) -> Literal {
    let template = message.value();
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let replaced = after.find('}').and_then(|end| {
            let name = after[1..end].strip_prefix(['?', '$'])?;
            Some((lookup(name)?, end))
        });
        match replaced {
            Some((value, end)) => {
                out.push_str(&value);
                rest = &after[end + 1..];
            }
            None => {
                out.push('{');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    match message.language() {
        Some(language) => Literal::new_language_tagged_literal_unchecked(out, language),
        None => Literal::new_simple_literal(out),
    }
}

fn solution_value(solution: &QuerySolution, name: &str) -> Option<String> {
    solution.get(name).map(|t| plain_value(t.as_ref()))
}

impl Validator<'_> {
    fn sparql_failure(&mut self, node: TermRef<'_>, message: String) {
        self.errors.push(ShaclError::SparqlEvaluation {
            node: node.to_string(),
            message,
        });
    }

    fn base_bindings(&self, focus: &Focus<'_>) -> Vec<(&'static str, Term)> {
        let shape = &self.shapes.shapes[focus.shape_id];
        vec![
            ("this", self.index.term(focus.node).into_owned()),
            ("shapesGraph", SHAPES_GRAPH.into_owned().into()),
            ("currentShape", shape.node.clone()),
        ]
    }

    /// Runs a `sh:sparql` constraint for one focus node.
    pub(crate) fn check_sparql<S: Sink>(
        &mut self,
        focus: &Focus<'_>,
        constraint: &SparqlConstraint,
        sink: &mut S,
    ) -> ControlFlow<()> {
        let Some(runtime) = self.sparql else {
            return ControlFlow::Continue(());
        };
        let bindings = self.base_bindings(focus);
        let solutions = match runtime.select(&constraint.query, &bindings) {
            Ok(solutions) => solutions,
            Err(message) => {
                self.sparql_failure(constraint.node.as_ref(), message);
                return ControlFlow::Continue(());
            }
        };
        for solution in solutions {
            if solution.get("failure").and_then(|t| as_bool(t.as_ref())) == Some(true) {
                self.sparql_failure(
                    constraint.node.as_ref(),
                    "the query reported ?failure".into(),
                );
                continue;
            }
            sink.push(|| {
                let mut result = self.solution_result(
                    focus,
                    sh::SPARQL_COMPONENT,
                    &solution,
                    &constraint.messages,
                    &[],
                );
                result.source_constraint = Some(constraint.node.clone());
                result
            })?;
        }
        ControlFlow::Continue(())
    }

    /// Runs a SPARQL-based constraint component for one focus node.
    pub(crate) fn check_component<S: Sink>(
        &mut self,
        focus: &Focus<'_>,
        constraint: &ComponentConstraint,
        sink: &mut S,
    ) -> ControlFlow<()> {
        let Some(runtime) = self.sparql else {
            return ControlFlow::Continue(());
        };
        let mut bindings: Vec<(&str, Term)> = self.base_bindings(focus);
        for (name, value) in &constraint.parameters {
            bindings.push((name.as_str(), value.clone()));
        }
        let component = constraint.component.as_ref();
        if constraint.query.is_ask {
            for &value in focus.values {
                let value_term = self.index.term(value).into_owned();
                let mut value_bindings = bindings.clone();
                value_bindings.push(("value", value_term.clone()));
                match runtime.ask(&constraint.query, &value_bindings) {
                    Ok(true) => {}
                    Ok(false) => sink.push(|| {
                        let mut result =
                            self.result(focus, component, Some(value_term.as_ref()), || {
                                default_component_message(component)
                            });
                        result.messages =
                            self.component_messages(constraint, &result.messages, |name| {
                                (name == "value").then(|| plain_value(value_term.as_ref()))
                            });
                        result
                    })?,
                    Err(message) => {
                        self.sparql_failure(component.into(), message);
                        return ControlFlow::Continue(());
                    }
                }
            }
            return ControlFlow::Continue(());
        }
        let solutions = match runtime.select(&constraint.query, &bindings) {
            Ok(solutions) => solutions,
            Err(message) => {
                self.sparql_failure(component.into(), message);
                return ControlFlow::Continue(());
            }
        };
        for solution in solutions {
            if solution.get("failure").and_then(|t| as_bool(t.as_ref())) == Some(true) {
                self.sparql_failure(component.into(), "the query reported ?failure".into());
                continue;
            }
            sink.push(|| {
                self.solution_result(
                    focus,
                    component,
                    &solution,
                    &constraint.messages,
                    &constraint.parameters,
                )
            })?;
        }
        ControlFlow::Continue(())
    }

    /// A result from a SELECT solution: `?value`, `?path` and templated messages.
    fn solution_result(
        &self,
        focus: &Focus<'_>,
        component: NamedNodeRef<'_>,
        solution: &QuerySolution,
        messages: &[Literal],
        parameters: &[(String, Term)],
    ) -> ValidationResult {
        let shape = &self.shapes.shapes[focus.shape_id];
        let value = match solution.get("value") {
            Some(value) => Some(value.clone()),
            None if shape.path.is_none() => Some(self.index.term(focus.node).into_owned()),
            None => None,
        };
        let mut result = self.result(focus, component, value.as_ref().map(Term::as_ref), || {
            default_component_message(component)
        });
        if shape.path.is_none()
            && let Some(Term::NamedNode(path)) = solution.get("path")
        {
            result.path = Some(Path::Predicate(path.clone()));
        }
        let templates = if messages.is_empty() {
            &shape.messages
        } else {
            messages
        };
        if !templates.is_empty() {
            result.messages = templates
                .iter()
                .map(|m| {
                    fill_template(m, |name| {
                        solution_value(solution, name).or_else(|| {
                            parameters
                                .iter()
                                .find(|(n, _)| n == name)
                                .map(|(_, v)| plain_value(v.as_ref()))
                        })
                    })
                })
                .collect();
        }
        result
    }

    fn component_messages(
        &self,
        constraint: &ComponentConstraint,
        current: &[Literal],
        extra: impl Fn(&str) -> Option<String>,
    ) -> Vec<Literal> {
        if constraint.messages.is_empty() {
            return current.to_vec();
        }
        constraint
            .messages
            .iter()
            .map(|m| {
                fill_template(m, |name| {
                    extra(name).or_else(|| {
                        constraint
                            .parameters
                            .iter()
                            .find(|(n, _)| n == name)
                            .map(|(_, v)| plain_value(v.as_ref()))
                    })
                })
            })
            .collect()
    }
}

fn default_component_message(component: NamedNodeRef<'_>) -> String {
    format!(
        "Value does not satisfy {}",
        super::names::short_iri(component.as_str())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_templates() {
        let message = Literal::new_language_tagged_literal_unchecked(
            "Values need language \"{?lang}\" ({$x}, {?unknown})",
            "en",
        );
        let filled = fill_template(&message, |name| match name {
            "lang" => Some("de".into()),
            "x" => Some("1".into()),
            _ => None,
        });
        assert_eq!(
            filled.value(),
            "Values need language \"de\" (1, {?unknown})"
        );
        assert_eq!(filled.language(), Some("en"));
    }

    #[test]
    fn local_names() {
        assert_eq!(local_name("http://example.org/ns#lang"), "lang");
        assert_eq!(local_name("http://example.org/ns/lang"), "lang");
    }
}
