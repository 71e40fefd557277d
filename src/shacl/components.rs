//! Evaluation of the SHACL Core constraint components.

use super::constraints::{Constraint, RangeKind};
use super::index::Id;
use super::messages::{Detail, default_message};
use super::path::Path;
use super::report::ValidationResult;
use super::validator::{Focus, Sink, Validator};
use super::xsd;
use oxrdf::vocab::rdf;
use oxrdf::{Literal, NamedNode, NamedNodeRef, TermRef};
use std::cmp::Ordering;
use std::ops::ControlFlow;

type Flow = ControlFlow<()>;

impl Validator<'_> {
    /// Evaluates one constraint for a focus node and its value nodes.
    pub(crate) fn check<S: Sink>(
        &mut self,
        focus: &Focus<'_>,
        constraint: &Constraint,
        sink: &mut S,
    ) -> Flow {
        let index = self.index;
        let values = focus.values;
        match constraint {
            Constraint::Class(class) => {
                self.each_failing(focus, constraint, sink, |v, me| me.is_instance(v, *class))
            }
            Constraint::Datatype(datatype) => {
                self.each_failing(focus, constraint, sink, |v, me| {
                    has_datatype(me.index.term(v), datatype)
                })
            }
            Constraint::NodeKind(kind) => self.each_failing(focus, constraint, sink, |v, me| {
                kind.matches(me.index.term(v))
            }),
            Constraint::MinCount(n) if (values.len() as u64) < *n => {
                self.report(sink, focus, constraint, None, Detail::Count(values.len()))
            }
            Constraint::MaxCount(n) if values.len() as u64 > *n => {
                self.report(sink, focus, constraint, None, Detail::Count(values.len()))
            }
            Constraint::MinCount(_) | Constraint::MaxCount(_) => ControlFlow::Continue(()),
            Constraint::Range(kind, bound) => {
                self.each_failing(focus, constraint, sink, |v, me| {
                    in_range(me.index.term(v), *kind, bound)
                })
            }
            Constraint::MinLength(n) => self.each_failing(focus, constraint, sink, |v, me| {
                string_value(me.index.term(v)).is_some_and(|s| s.chars().count() as u64 >= *n)
            }),
            Constraint::MaxLength(n) => self.each_failing(focus, constraint, sink, |v, me| {
                string_value(me.index.term(v)).is_some_and(|s| s.chars().count() as u64 <= *n)
            }),
            Constraint::Pattern(pattern) => self.each_failing(focus, constraint, sink, |v, me| {
                string_value(me.index.term(v)).is_some_and(|s| pattern.regex.is_match(s))
            }),
            Constraint::LanguageIn(languages) => {
                self.each_failing(focus, constraint, sink, |v, me| {
                    language(me.index.term(v))
                        .is_some_and(|tag| languages.iter().any(|range| lang_matches(tag, range)))
                })
            }
            Constraint::UniqueLang => self.unique_lang(focus, constraint, sink),
            Constraint::Equals(p) => self.equals(focus, constraint, *p, sink),
            Constraint::Disjoint(p) => {
                let others = index.objects(focus.node, *p);
                self.each_failing(focus, constraint, sink, |v, _| {
                    others.binary_search(&v).is_err()
                })
            }
            Constraint::LessThan(p) | Constraint::LessThanOrEquals(p) => {
                let or_equal = matches!(constraint, Constraint::LessThanOrEquals(_));
                self.less_than(focus, constraint, *p, or_equal, sink)
            }
            Constraint::Not(shape) => {
                self.each_failing(focus, constraint, sink, |v, me| !me.conforms(*shape, v))
            }
            Constraint::And(shapes) => self.each_failing(focus, constraint, sink, |v, me| {
                shapes.iter().all(|s| me.conforms(*s, v))
            }),
            Constraint::Or(shapes) => self.each_failing(focus, constraint, sink, |v, me| {
                shapes.iter().any(|s| me.conforms(*s, v))
            }),
            Constraint::Xone(shapes) => {
                for &v in values {
                    let count = shapes.iter().filter(|s| self.conforms(**s, v)).count();
                    if count != 1 {
                        self.report(sink, focus, constraint, Some(v), Detail::Count(count))?;
                    }
                }
                ControlFlow::Continue(())
            }
            Constraint::Node(shape) => {
                self.each_failing(focus, constraint, sink, |v, me| me.conforms(*shape, v))
            }
            Constraint::Property(shape) => {
                for &v in values {
                    self.validate_shape(*shape, v, sink)?;
                }
                ControlFlow::Continue(())
            }
            Constraint::Qualified(q) => {
                let count = values
                    .iter()
                    .filter(|&&v| {
                        self.conforms(q.shape, v)
                            && !q.siblings.iter().any(|s| self.conforms(*s, v))
                    })
                    .count() as u64;
                let too_few = q.min.is_some_and(|min| count < min);
                let too_many = q.max.is_some_and(|max| count > max);
                if too_few || too_many {
                    return self.report(
                        sink,
                        focus,
                        constraint,
                        None,
                        Detail::Count(count as usize),
                    );
                }
                ControlFlow::Continue(())
            }
            Constraint::Closed(allowed) => self.closed(focus, constraint, allowed, sink),
            Constraint::HasValue(expected) => {
                if values.binary_search(expected).is_ok() {
                    return ControlFlow::Continue(());
                }
                self.report(sink, focus, constraint, None, Detail::None)
            }
            Constraint::In(list) => self.each_failing(focus, constraint, sink, |v, _| {
                list.sorted.binary_search(&v).is_ok()
            }),
            Constraint::Sparql(sparql) => self.check_sparql(focus, sparql, sink),
            Constraint::Component(component) => self.check_component(focus, component, sink),
        }
    }

    /// Reports every value node for which `ok` is false.
    fn each_failing<S: Sink>(
        &mut self,
        focus: &Focus<'_>,
        constraint: &Constraint,
        sink: &mut S,
        mut ok: impl FnMut(Id, &mut Self) -> bool,
    ) -> Flow {
        for &v in focus.values {
            if !ok(v, self) {
                self.report(sink, focus, constraint, Some(v), Detail::None)?;
            }
        }
        ControlFlow::Continue(())
    }

    fn report<S: Sink>(
        &self,
        sink: &mut S,
        focus: &Focus<'_>,
        constraint: &Constraint,
        value: Option<Id>,
        detail: Detail<'_>,
    ) -> Flow {
        sink.push(|| {
            let value = value.map(|v| self.index.term(v));
            self.result(focus, constraint.component(), value, || {
                let path = self.shapes.shapes[focus.shape_id]
                    .path
                    .as_ref()
                    .map(|p| &p.path);
                default_message(self.shapes, constraint, path, detail)
            })
        })
    }

    /// A result of the focus shape, with its path, severity and messages.
    pub(crate) fn result(
        &self,
        focus: &Focus<'_>,
        component: NamedNodeRef<'_>,
        value: Option<TermRef<'_>>,
        default_message: impl FnOnce() -> String,
    ) -> ValidationResult {
        let shape = &self.shapes.shapes[focus.shape_id];
        let messages = if shape.messages.is_empty() {
            vec![Literal::new_language_tagged_literal_unchecked(
                default_message(),
                "en",
            )]
        } else {
            shape.messages.clone()
        };
        ValidationResult {
            focus_node: self.index.term(focus.node).into_owned(),
            path: shape.path.as_ref().map(|p| p.path.clone()),
            value: value.map(TermRef::into_owned),
            source_shape: shape.node.clone(),
            component: component.into_owned(),
            severity: shape.severity.clone(),
            messages,
            source_constraint: None,
        }
    }

    fn unique_lang<S: Sink>(
        &mut self,
        focus: &Focus<'_>,
        constraint: &Constraint,
        sink: &mut S,
    ) -> Flow {
        let mut tags: Vec<String> = focus
            .values
            .iter()
            .filter_map(|&v| language(self.index.term(v)))
            .map(str::to_ascii_lowercase)
            .collect();
        tags.sort_unstable();
        let mut duplicated: Vec<&String> = tags
            .windows(2)
            .filter(|w| w[0] == w[1])
            .map(|w| &w[0])
            .collect();
        duplicated.dedup();
        for tag in duplicated {
            self.report(sink, focus, constraint, None, Detail::Language(tag))?;
        }
        ControlFlow::Continue(())
    }

    fn equals<S: Sink>(
        &mut self,
        focus: &Focus<'_>,
        constraint: &Constraint,
        predicate: Id,
        sink: &mut S,
    ) -> Flow {
        let others = self.index.objects(focus.node, predicate);
        // Value nodes are sorted, as are the objects.
        for &v in focus.values {
            if others.binary_search(&v).is_err() {
                self.report(sink, focus, constraint, Some(v), Detail::None)?;
            }
        }
        for &o in others {
            if focus.values.binary_search(&o).is_err() {
                self.report(sink, focus, constraint, Some(o), Detail::None)?;
            }
        }
        ControlFlow::Continue(())
    }

    fn less_than<S: Sink>(
        &mut self,
        focus: &Focus<'_>,
        constraint: &Constraint,
        predicate: Id,
        or_equal: bool,
        sink: &mut S,
    ) -> Flow {
        let index = self.index;
        let others = index.objects(focus.node, predicate);
        for &v in focus.values {
            for &o in others {
                let order = match (index.term(v), index.term(o)) {
                    (TermRef::Literal(a), TermRef::Literal(b)) => xsd::compare(a, b),
                    _ => None,
                };
                let ok = match order {
                    Some(Ordering::Less) => true,
                    Some(Ordering::Equal) => or_equal,
                    _ => false,
                };
                if !ok {
                    self.report(sink, focus, constraint, Some(v), Detail::None)?;
                }
            }
        }
        ControlFlow::Continue(())
    }

    fn closed<S: Sink>(
        &mut self,
        focus: &Focus<'_>,
        constraint: &Constraint,
        allowed: &[Id],
        sink: &mut S,
    ) -> Flow {
        let index = self.index;
        for &v in focus.values {
            for (p, o) in index.outgoing(v) {
                if allowed.binary_search(&p).is_ok() {
                    continue;
                }
                sink.push(|| {
                    let predicate = index.term(p);
                    let mut result =
                        self.result(focus, constraint.component(), Some(index.term(o)), || {
                            default_message(
                                self.shapes,
                                constraint,
                                None,
                                Detail::Predicate(predicate),
                            )
                        });
                    if let TermRef::NamedNode(p) = predicate {
                        result.path = Some(Path::Predicate(p.into_owned()));
                    }
                    result
                })?;
            }
        }
        ControlFlow::Continue(())
    }
}

/// `sh:datatype`: the literal has the datatype and a valid lexical form.
fn has_datatype(term: TermRef<'_>, datatype: &NamedNode) -> bool {
    let TermRef::Literal(literal) = term else {
        return false;
    };
    if literal.datatype() != datatype.as_ref() {
        return false;
    }
    if datatype.as_ref() == rdf::LANG_STRING {
        return literal.language().is_some();
    }
    xsd::is_valid_lexical(datatype.as_str(), literal.value())
}

/// `sh:minInclusive` & co.: SPARQL comparison with the bound; incomparable fails.
fn in_range(term: TermRef<'_>, kind: RangeKind, bound: &Literal) -> bool {
    let TermRef::Literal(value) = term else {
        return false;
    };
    let bound = bound.as_ref();
    match kind {
        RangeKind::MinExclusive => xsd::compare(bound, value) == Some(Ordering::Less),
        RangeKind::MinInclusive => matches!(
            xsd::compare(bound, value),
            Some(Ordering::Less | Ordering::Equal)
        ),
        RangeKind::MaxExclusive => xsd::compare(value, bound) == Some(Ordering::Less),
        RangeKind::MaxInclusive => matches!(
            xsd::compare(value, bound),
            Some(Ordering::Less | Ordering::Equal)
        ),
    }
}

/// `str()` of an IRI or literal; blank nodes have none.
fn string_value(term: TermRef<'_>) -> Option<&str> {
    match term {
        TermRef::NamedNode(iri) => Some(iri.as_str()),
        TermRef::Literal(literal) => Some(literal.value()),
        TermRef::BlankNode(_) => None,
    }
}

fn language(term: TermRef<'_>) -> Option<&str> {
    match term {
        TermRef::Literal(literal) => literal.language(),
        _ => None,
    }
}

/// SPARQL `langMatches`: basic language range matching.
fn lang_matches(tag: &str, range: &str) -> bool {
    if range == "*" {
        return !tag.is_empty();
    }
    tag.len() >= range.len()
        && tag[..range.len()].eq_ignore_ascii_case(range)
        && (tag.len() == range.len() || tag.as_bytes()[range.len()] == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxrdf::vocab::xsd as xsd_vocab;

    #[test]
    fn language_ranges() {
        assert!(lang_matches("en-US", "en"));
        assert!(lang_matches("EN", "en"));
        assert!(!lang_matches("eng", "en"));
        assert!(lang_matches("fr", "*"));
        assert!(!lang_matches("de", "en"));
    }

    #[test]
    fn datatypes() {
        let int = NamedNode::from(xsd_vocab::INTEGER);
        let ill = Literal::new_typed_literal("aldi", xsd_vocab::INTEGER);
        let ok = Literal::new_typed_literal("42", xsd_vocab::INTEGER);
        assert!(!has_datatype(ill.as_ref().into(), &int));
        assert!(has_datatype(ok.as_ref().into(), &int));
        assert!(!has_datatype(Literal::from("42").as_ref().into(), &int));
        let lang = Literal::new_language_tagged_literal_unchecked("hej", "sv");
        assert!(has_datatype(
            lang.as_ref().into(),
            &NamedNode::from(rdf::LANG_STRING)
        ));
        assert!(!has_datatype(
            lang.as_ref().into(),
            &NamedNode::from(xsd_vocab::STRING)
        ));
    }

    #[test]
    fn ranges() {
        let four = Literal::new_typed_literal("4", xsd_vocab::INTEGER);
        let value = Literal::new_typed_literal("4.0", xsd_vocab::DECIMAL);
        assert!(in_range(
            value.as_ref().into(),
            RangeKind::MinInclusive,
            &four
        ));
        assert!(!in_range(
            value.as_ref().into(),
            RangeKind::MaxExclusive,
            &four
        ));
        assert!(!in_range(
            Literal::from("Hello").as_ref().into(),
            RangeKind::MaxExclusive,
            &four
        ));
    }
}
