//! Evaluating SHACL-SPARQL for one focus node: running a constraint's query and turning
//! its solutions into validation results with templated messages.

use super::query::{ComponentConstraint, SHAPES_GRAPH, SparqlConstraint};
use crate::shacl::ShaclError;
use crate::shacl::names::plain_value;
use crate::shacl::path::Path;
use crate::shacl::report::ValidationResult;
use crate::shacl::shapes_graph::as_bool;
use crate::shacl::validator::{Focus, Sink, Validator};
use crate::shacl::vocab::sh;
use oxigraph::sparql::QuerySolution;
use oxrdf::{Literal, NamedNodeRef, Term, TermRef};
use std::ops::ControlFlow;

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
        crate::shacl::names::short_iri(component.as_str())
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
}
