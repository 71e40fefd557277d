//! Default English messages for results of shapes without `sh:message`.

use super::constraints::{Constraint, RangeKind};
use super::names::{short_iri, short_term};
use super::path::Path;
use super::shapes::{ShapeId, Shapes};
use oxrdf::TermRef;

/// Facts about one result that the message mentions.
#[derive(Clone, Copy)]
pub(crate) enum Detail<'x> {
    None,
    /// How many values (or conforming shapes) were found.
    Count(usize),
    Language(&'x str),
    Predicate(TermRef<'x>),
}

/// At most this many members of an `sh:in` list are shown.
const MAX_LISTED: usize = 8;

pub(crate) fn default_message(
    shapes: &Shapes,
    constraint: &Constraint,
    path: Option<&Path>,
    detail: Detail<'_>,
) -> String {
    let path = || path.map_or_else(|| "the focus node".to_owned(), Path::to_short_string);
    let constant = |id| short_term(shapes.constant(id));
    let shape = |id: ShapeId| short_term(shapes.shapes[id].node.as_ref());
    match constraint {
        Constraint::Class(class) => format!(
            "Value does not have class {}",
            constant(shapes.classes[*class])
        ),
        Constraint::Datatype(datatype) => {
            format!(
                "Value is not a valid literal of datatype {}",
                short_iri(datatype.as_str())
            )
        }
        Constraint::NodeKind(kind) => format!(
            "Value is not of node kind {}",
            short_iri(kind.iri().as_str())
        ),
        Constraint::MinCount(n) => format!("Less than {n} values (minCount {n}) for {}", path()),
        Constraint::MaxCount(n) => match detail {
            Detail::Count(found) => format!(
                "More than {n} values (maxCount {n}) for {}: {found} found",
                path()
            ),
            _ => format!("More than {n} values (maxCount {n}) for {}", path()),
        },
        Constraint::Range(kind, bound) => {
            let operator = match kind {
                RangeKind::MinExclusive => ">",
                RangeKind::MinInclusive => ">=",
                RangeKind::MaxExclusive => "<",
                RangeKind::MaxInclusive => "<=",
            };
            format!(
                "Value is not {operator} {}",
                short_term(bound.as_ref().into())
            )
        }
        Constraint::MinLength(n) => format!("Value has less than {n} characters (minLength {n})"),
        Constraint::MaxLength(n) => format!("Value has more than {n} characters (maxLength {n})"),
        Constraint::Pattern(pattern) => match &pattern.flags {
            Some(flags) => format!(
                "Value does not match pattern \"{}\" (flags \"{flags}\")",
                pattern.source
            ),
            None => format!("Value does not match pattern \"{}\"", pattern.source),
        },
        Constraint::LanguageIn(languages) => {
            format!(
                "Language tag of value is not one of {}",
                languages.join(", ")
            )
        }
        Constraint::UniqueLang => match detail {
            Detail::Language(language) => {
                format!(
                    "Language \"{language}\" is used by more than one value of {}",
                    path()
                )
            }
            _ => format!("Language tags of {} are not unique", path()),
        },
        Constraint::Equals(p) => format!("Value is not shared by {} and {}", path(), constant(*p)),
        Constraint::Disjoint(p) => {
            format!("Value of {} is also a value of {}", path(), constant(*p))
        }
        Constraint::LessThan(p) => format!("Value is not less than the values of {}", constant(*p)),
        Constraint::LessThanOrEquals(p) => {
            format!(
                "Value is not less than or equal to the values of {}",
                constant(*p)
            )
        }
        Constraint::Not(s) => format!(
            "Value conforms to shape {}, which sh:not forbids",
            shape(*s)
        ),
        Constraint::And(_) => "Value does not conform to all shapes of sh:and".to_owned(),
        Constraint::Or(_) => "Value does not conform to any shape of sh:or".to_owned(),
        Constraint::Xone(_) => match detail {
            Detail::Count(n) => {
                format!("Value conforms to {n} shapes of sh:xone instead of exactly one")
            }
            _ => "Value does not conform to exactly one shape of sh:xone".to_owned(),
        },
        Constraint::Node(s) => format!("Value does not conform to shape {}", shape(*s)),
        Constraint::Property(s) => {
            format!("Value does not conform to property shape {}", shape(*s))
        }
        Constraint::Qualified(q) => qualified_message(q.min, q.max, &shape(q.shape), detail),
        Constraint::Closed(_) => match detail {
            Detail::Predicate(p) => {
                format!("Predicate {} is not allowed (closed shape)", short_term(p))
            }
            _ => "Predicate is not allowed (closed shape)".to_owned(),
        },
        Constraint::HasValue(v) => format!("Missing expected value {}", constant(*v)),
        Constraint::In(list) => {
            let mut members: Vec<String> = list
                .members
                .iter()
                .take(MAX_LISTED)
                .map(|m| constant(*m))
                .collect();
            if list.members.len() > MAX_LISTED {
                members.push("…".to_owned());
            }
            format!("Value is not in [{}]", members.join(", "))
        }
        Constraint::Sparql(_) | Constraint::Component(_) => {
            format!(
                "Value does not satisfy {}",
                short_iri(constraint.component().as_str())
            )
        }
    }
}

fn qualified_message(
    min: Option<u64>,
    max: Option<u64>,
    shape: &str,
    detail: Detail<'_>,
) -> String {
    let found = match detail {
        Detail::Count(n) => n.to_string(),
        _ => "?".to_owned(),
    };
    match (min, max) {
        (Some(min), _) => format!(
            "Less than {min} values conform to shape {shape} (qualifiedMinCount {min}): {found} found"
        ),
        (_, Some(max)) => format!(
            "More than {max} values conform to shape {shape} (qualifiedMaxCount {max}): {found} found"
        ),
        _ => format!("Values conforming to shape {shape}: {found}"),
    }
}
