//! Compiled constraints (one per constraint component and parameter value)
//! and their compilation from the shapes graph.

use super::ShaclError;
use super::index::Id;
use super::shapes::{ClassId, Compiler, ShapeId, ShapePath};
use super::shapes_graph::{as_bool, as_count};
use super::sparql::{ComponentConstraint, SparqlConstraint, compile_sparql_constraints};
use super::vocab::sh;
use oxrdf::vocab::xsd;
use oxrdf::{Literal, NamedNode, NamedNodeRef, TermRef};
use regex::Regex;

/// A constraint of a shape, with its parameters resolved.
pub(crate) enum Constraint {
    Class(ClassId),
    Datatype(NamedNode),
    NodeKind(NodeKind),
    MinCount(u64),
    MaxCount(u64),
    Range(RangeKind, Literal),
    MinLength(u64),
    MaxLength(u64),
    Pattern(Box<Pattern>),
    LanguageIn(Vec<String>),
    UniqueLang,
    Equals(Id),
    Disjoint(Id),
    LessThan(Id),
    LessThanOrEquals(Id),
    Not(ShapeId),
    And(Vec<ShapeId>),
    Or(Vec<ShapeId>),
    Xone(Vec<ShapeId>),
    Node(ShapeId),
    Property(ShapeId),
    Qualified(Box<Qualified>),
    /// Allowed predicates, sorted.
    Closed(Vec<Id>),
    HasValue(Id),
    In(Box<InList>),
    Sparql(Box<SparqlConstraint>),
    Component(Box<ComponentConstraint>),
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum NodeKind {
    Iri,
    BlankNode,
    Literal,
    BlankNodeOrIri,
    BlankNodeOrLiteral,
    IriOrLiteral,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum RangeKind {
    MinExclusive,
    MinInclusive,
    MaxExclusive,
    MaxInclusive,
}

pub(crate) struct Pattern {
    pub regex: Regex,
    pub source: String,
    pub flags: Option<String>,
}

pub(crate) struct Qualified {
    pub shape: ShapeId,
    pub min: Option<u64>,
    pub max: Option<u64>,
    /// Shapes a counted value must not conform to (`sh:qualifiedValueShapesDisjoint`).
    pub siblings: Vec<ShapeId>,
}

pub(crate) struct InList {
    /// Members in list order, for messages.
    pub members: Vec<Id>,
    pub sorted: Vec<Id>,
}

impl Constraint {
    /// The constraint component IRI reported in results.
    pub fn component(&self) -> NamedNodeRef<'_> {
        match self {
            Self::Class(_) => sh::CLASS_COMPONENT,
            Self::Datatype(_) => sh::DATATYPE_COMPONENT,
            Self::NodeKind(_) => sh::NODE_KIND_COMPONENT,
            Self::MinCount(_) => sh::MIN_COUNT_COMPONENT,
            Self::MaxCount(_) => sh::MAX_COUNT_COMPONENT,
            Self::Range(kind, _) => match kind {
                RangeKind::MinExclusive => sh::MIN_EXCLUSIVE_COMPONENT,
                RangeKind::MinInclusive => sh::MIN_INCLUSIVE_COMPONENT,
                RangeKind::MaxExclusive => sh::MAX_EXCLUSIVE_COMPONENT,
                RangeKind::MaxInclusive => sh::MAX_INCLUSIVE_COMPONENT,
            },
            Self::MinLength(_) => sh::MIN_LENGTH_COMPONENT,
            Self::MaxLength(_) => sh::MAX_LENGTH_COMPONENT,
            Self::Pattern(_) => sh::PATTERN_COMPONENT,
            Self::LanguageIn(_) => sh::LANGUAGE_IN_COMPONENT,
            Self::UniqueLang => sh::UNIQUE_LANG_COMPONENT,
            Self::Equals(_) => sh::EQUALS_COMPONENT,
            Self::Disjoint(_) => sh::DISJOINT_COMPONENT,
            Self::LessThan(_) => sh::LESS_THAN_COMPONENT,
            Self::LessThanOrEquals(_) => sh::LESS_THAN_OR_EQUALS_COMPONENT,
            Self::Not(_) => sh::NOT_COMPONENT,
            Self::And(_) => sh::AND_COMPONENT,
            Self::Or(_) => sh::OR_COMPONENT,
            Self::Xone(_) => sh::XONE_COMPONENT,
            Self::Node(_) => sh::NODE_COMPONENT,
            Self::Property(_) => sh::PROPERTY_COMPONENT,
            Self::Qualified(q) if q.min.is_none() => sh::QUALIFIED_MAX_COUNT_COMPONENT,
            Self::Qualified(_) => sh::QUALIFIED_MIN_COUNT_COMPONENT,
            Self::Closed(_) => sh::CLOSED_COMPONENT,
            Self::HasValue(_) => sh::HAS_VALUE_COMPONENT,
            Self::In(_) => sh::IN_COMPONENT,
            Self::Sparql(_) => sh::SPARQL_COMPONENT,
            Self::Component(c) => c.component.as_ref(),
        }
    }

    pub fn uses_sparql(&self) -> bool {
        matches!(self, Self::Sparql(_) | Self::Component(_))
    }
}

impl NodeKind {
    fn from_iri(iri: NamedNodeRef<'_>) -> Option<Self> {
        Some(if iri == sh::IRI {
            Self::Iri
        } else if iri == sh::BLANK_NODE {
            Self::BlankNode
        } else if iri == sh::LITERAL {
            Self::Literal
        } else if iri == sh::BLANK_NODE_OR_IRI {
            Self::BlankNodeOrIri
        } else if iri == sh::BLANK_NODE_OR_LITERAL {
            Self::BlankNodeOrLiteral
        } else if iri == sh::IRI_OR_LITERAL {
            Self::IriOrLiteral
        } else {
            return None;
        })
    }

    pub fn iri(self) -> NamedNodeRef<'static> {
        match self {
            Self::Iri => sh::IRI,
            Self::BlankNode => sh::BLANK_NODE,
            Self::Literal => sh::LITERAL,
            Self::BlankNodeOrIri => sh::BLANK_NODE_OR_IRI,
            Self::BlankNodeOrLiteral => sh::BLANK_NODE_OR_LITERAL,
            Self::IriOrLiteral => sh::IRI_OR_LITERAL,
        }
    }

    pub fn matches(self, term: TermRef<'_>) -> bool {
        let (iri, blank, literal) = match term {
            TermRef::NamedNode(_) => (true, false, false),
            TermRef::BlankNode(_) => (false, true, false),
            TermRef::Literal(_) => (false, false, true),
        };
        match self {
            Self::Iri => iri,
            Self::BlankNode => blank,
            Self::Literal => literal,
            Self::BlankNodeOrIri => blank || iri,
            Self::BlankNodeOrLiteral => blank || literal,
            Self::IriOrLiteral => iri || literal,
        }
    }
}

/// Compiles the constraints of the shape at `node`.
pub(crate) fn compile_constraints<'a>(
    c: &mut Compiler<'a>,
    node: TermRef<'a>,
    path: Option<&ShapePath>,
) -> Result<Vec<Constraint>, ShaclError> {
    let mut reader = Reader {
        c,
        node,
        out: Vec::new(),
    };
    reader.value_type()?;
    reader.value_range()?;
    reader.strings()?;
    if path.is_some() {
        reader.cardinality()?;
        reader.property_pairs()?;
        reader.qualified()?;
    }
    reader.equality_pairs()?;
    reader.logic()?;
    reader.shape_based()?;
    reader.other()?;
    let Reader { c, mut out, .. } = reader;
    let path = path.map(|p| &p.path);
    let sparql = compile_sparql_constraints(c.graph, node, path)?;
    out.extend(sparql.into_iter().map(|s| Constraint::Sparql(Box::new(s))));
    let components = c.components.instantiate(c.graph, node, path)?;
    out.extend(
        components
            .into_iter()
            .map(|s| Constraint::Component(Box::new(s))),
    );
    Ok(out)
}

/// Reads the parameters of one shape.
struct Reader<'c, 'a> {
    c: &'c mut Compiler<'a>,
    node: TermRef<'a>,
    out: Vec<Constraint>,
}

impl<'a> Reader<'_, 'a> {
    fn values(&self, parameter: NamedNodeRef<'_>) -> Vec<TermRef<'a>> {
        self.c.graph.objects(self.node, parameter)
    }

    fn invalid(
        &self,
        parameter: NamedNodeRef<'_>,
        value: TermRef<'_>,
        expected: &str,
    ) -> ShaclError {
        ShaclError::InvalidShape {
            shape: self.node.to_string(),
            message: format!("the value {value} of {parameter} is not {expected}"),
        }
    }

    fn iris(&self, parameter: NamedNodeRef<'_>) -> Result<Vec<NamedNode>, ShaclError> {
        self.values(parameter)
            .into_iter()
            .map(|v| match v {
                TermRef::NamedNode(iri) => Ok(iri.into_owned()),
                other => Err(self.invalid(parameter, other, "an IRI")),
            })
            .collect()
    }

    fn counts(&self, parameter: NamedNodeRef<'_>) -> Result<Vec<u64>, ShaclError> {
        self.values(parameter)
            .into_iter()
            .map(|v| {
                as_count(v).ok_or_else(|| self.invalid(parameter, v, "a non-negative integer"))
            })
            .collect()
    }

    fn literals(&self, parameter: NamedNodeRef<'_>) -> Result<Vec<Literal>, ShaclError> {
        self.values(parameter)
            .into_iter()
            .map(|v| match v {
                TermRef::Literal(l) => Ok(l.into_owned()),
                other => Err(self.invalid(parameter, other, "a literal")),
            })
            .collect()
    }

    fn predicates(&mut self, parameter: NamedNodeRef<'_>) -> Result<Vec<Id>, ShaclError> {
        let iris = self.iris(parameter)?;
        Ok(iris
            .into_iter()
            .map(|iri| self.c.constant(iri.into()))
            .collect())
    }

    fn shape_lists(
        &mut self,
        parameter: NamedNodeRef<'_>,
    ) -> Result<Vec<Vec<ShapeId>>, ShaclError> {
        let mut lists = Vec::new();
        for head in self.values(parameter) {
            let members = self.c.graph.list(head)?;
            lists.push(members.into_iter().map(|m| self.c.shape(m)).collect());
        }
        Ok(lists)
    }

    fn shapes(&mut self, parameter: NamedNodeRef<'_>) -> Vec<ShapeId> {
        self.values(parameter)
            .into_iter()
            .map(|v| self.c.shape(v))
            .collect()
    }

    fn value_type(&mut self) -> Result<(), ShaclError> {
        for class in self.values(sh::CLASS) {
            let class = self.c.class(class);
            self.out.push(Constraint::Class(class));
        }
        for datatype in self.iris(sh::DATATYPE)? {
            self.out.push(Constraint::Datatype(datatype));
        }
        for kind in self.values(sh::NODE_KIND) {
            let parsed = match kind {
                TermRef::NamedNode(iri) => NodeKind::from_iri(iri),
                _ => None,
            };
            let kind =
                parsed.ok_or_else(|| self.invalid(sh::NODE_KIND, kind, "a SHACL node kind"))?;
            self.out.push(Constraint::NodeKind(kind));
        }
        Ok(())
    }

    fn cardinality(&mut self) -> Result<(), ShaclError> {
        for n in self.counts(sh::MIN_COUNT)? {
            self.out.push(Constraint::MinCount(n));
        }
        for n in self.counts(sh::MAX_COUNT)? {
            self.out.push(Constraint::MaxCount(n));
        }
        Ok(())
    }

    fn value_range(&mut self) -> Result<(), ShaclError> {
        let kinds = [
            (sh::MIN_EXCLUSIVE, RangeKind::MinExclusive),
            (sh::MIN_INCLUSIVE, RangeKind::MinInclusive),
            (sh::MAX_EXCLUSIVE, RangeKind::MaxExclusive),
            (sh::MAX_INCLUSIVE, RangeKind::MaxInclusive),
        ];
        for (parameter, kind) in kinds {
            for bound in self.literals(parameter)? {
                self.out.push(Constraint::Range(kind, bound));
            }
        }
        Ok(())
    }

    fn strings(&mut self) -> Result<(), ShaclError> {
        for n in self.counts(sh::MIN_LENGTH)? {
            self.out.push(Constraint::MinLength(n));
        }
        for n in self.counts(sh::MAX_LENGTH)? {
            self.out.push(Constraint::MaxLength(n));
        }
        let flags = self
            .literals(sh::FLAGS)?
            .first()
            .map(|f| f.value().to_owned());
        for pattern in self.literals(sh::PATTERN)? {
            let regex = compile_regex(pattern.value(), flags.as_deref()).map_err(|source| {
                ShaclError::InvalidPattern {
                    shape: self.node.to_string(),
                    pattern: pattern.value().to_owned(),
                    source,
                }
            })?;
            self.out.push(Constraint::Pattern(Box::new(Pattern {
                regex,
                source: pattern.value().to_owned(),
                flags: flags.clone(),
            })));
        }
        for head in self.values(sh::LANGUAGE_IN) {
            let mut languages = Vec::new();
            for member in self.c.graph.list(head)? {
                match member {
                    TermRef::Literal(l) => languages.push(l.value().to_owned()),
                    other => return Err(self.invalid(sh::LANGUAGE_IN, other, "a list of strings")),
                }
            }
            self.out.push(Constraint::LanguageIn(languages));
        }
        // Only `true` itself activates the constraint (not "1"^^xsd:boolean).
        let unique = self.values(sh::UNIQUE_LANG).into_iter().any(|v| {
            matches!(v, TermRef::Literal(l) if l.datatype() == xsd::BOOLEAN && l.value() == "true")
        });
        if unique && self.c.graph.object(self.node, sh::PATH).is_some() {
            self.out.push(Constraint::UniqueLang);
        }
        Ok(())
    }

    fn equality_pairs(&mut self) -> Result<(), ShaclError> {
        for p in self.predicates(sh::EQUALS)? {
            self.out.push(Constraint::Equals(p));
        }
        for p in self.predicates(sh::DISJOINT)? {
            self.out.push(Constraint::Disjoint(p));
        }
        Ok(())
    }

    fn property_pairs(&mut self) -> Result<(), ShaclError> {
        for p in self.predicates(sh::LESS_THAN)? {
            self.out.push(Constraint::LessThan(p));
        }
        for p in self.predicates(sh::LESS_THAN_OR_EQUALS)? {
            self.out.push(Constraint::LessThanOrEquals(p));
        }
        Ok(())
    }

    fn logic(&mut self) -> Result<(), ShaclError> {
        for shape in self.shapes(sh::NOT) {
            self.out.push(Constraint::Not(shape));
        }
        for shapes in self.shape_lists(sh::AND)? {
            self.out.push(Constraint::And(shapes));
        }
        for shapes in self.shape_lists(sh::OR)? {
            self.out.push(Constraint::Or(shapes));
        }
        for shapes in self.shape_lists(sh::XONE)? {
            self.out.push(Constraint::Xone(shapes));
        }
        Ok(())
    }

    fn shape_based(&mut self) -> Result<(), ShaclError> {
        for shape in self.shapes(sh::NODE) {
            self.out.push(Constraint::Node(shape));
        }
        for shape in self.shapes(sh::PROPERTY) {
            self.out.push(Constraint::Property(shape));
        }
        Ok(())
    }

    fn qualified(&mut self) -> Result<(), ShaclError> {
        let qualified_shapes = self.values(sh::QUALIFIED_VALUE_SHAPE);
        if qualified_shapes.is_empty() {
            return Ok(());
        }
        let min = self.counts(sh::QUALIFIED_MIN_COUNT)?.first().copied();
        let max = self.counts(sh::QUALIFIED_MAX_COUNT)?.first().copied();
        let disjoint = self
            .values(sh::QUALIFIED_VALUE_SHAPES_DISJOINT)
            .into_iter()
            .any(|v| as_bool(v) == Some(true));
        for qualified in qualified_shapes {
            let siblings = if disjoint {
                self.siblings(qualified)
            } else {
                Vec::new()
            };
            let shape = self.c.shape(qualified);
            // One constraint per bound, so each reports its own component.
            for (min, max) in [(min, None), (None, max)] {
                if min.is_some() || max.is_some() {
                    self.out.push(Constraint::Qualified(Box::new(Qualified {
                        shape,
                        min,
                        max,
                        siblings: siblings.clone(),
                    })));
                }
            }
        }
        Ok(())
    }

    /// The `sh:qualifiedValueShape`s of the other property shapes of this
    /// shape's parents.
    fn siblings(&mut self, own: TermRef<'a>) -> Vec<ShapeId> {
        let g = self.c.graph;
        let mut siblings = Vec::new();
        let parents: Vec<TermRef<'a>> = g
            .graph
            .subjects_for_predicate_object(sh::PROPERTY, self.node)
            .map(TermRef::from)
            .collect();
        for parent in parents {
            for property in g.objects(parent, sh::PROPERTY) {
                for sibling in g.objects(property, sh::QUALIFIED_VALUE_SHAPE) {
                    if sibling != own {
                        let id = self.c.shape(sibling);
                        if !siblings.contains(&id) {
                            siblings.push(id);
                        }
                    }
                }
            }
        }
        siblings
    }

    fn other(&mut self) -> Result<(), ShaclError> {
        let closed = self
            .values(sh::CLOSED)
            .into_iter()
            .any(|v| as_bool(v) == Some(true));
        if closed {
            let allowed = self.closed_allowed()?;
            self.out.push(Constraint::Closed(allowed));
        }
        for value in self.values(sh::HAS_VALUE) {
            let id = self.c.constant(value.into_owned());
            self.out.push(Constraint::HasValue(id));
        }
        for head in self.values(sh::IN) {
            let members: Vec<Id> = self
                .c
                .graph
                .list(head)?
                .into_iter()
                .map(|m| self.c.constant(m.into_owned()))
                .collect();
            let mut sorted = members.clone();
            sorted.sort_unstable();
            sorted.dedup();
            self.out
                .push(Constraint::In(Box::new(InList { members, sorted })));
        }
        Ok(())
    }

    /// Predicates allowed by `sh:closed`: IRI paths of the shape's property
    /// shapes and `sh:ignoredProperties`.
    fn closed_allowed(&mut self) -> Result<Vec<Id>, ShaclError> {
        let g = self.c.graph;
        let mut allowed = Vec::new();
        for property in g.objects(self.node, sh::PROPERTY) {
            if let Some(TermRef::NamedNode(p)) = g.object(property, sh::PATH) {
                allowed.push(self.c.constant(p.into_owned().into()));
            }
        }
        for head in self.values(sh::IGNORED_PROPERTIES) {
            for member in g.list(head)? {
                allowed.push(self.c.constant(member.into_owned()));
            }
        }
        allowed.sort_unstable();
        allowed.dedup();
        Ok(allowed)
    }
}

/// Compiles an XPath-style `sh:pattern` with its `sh:flags`.
pub(crate) fn compile_regex(pattern: &str, flags: Option<&str>) -> Result<Regex, regex::Error> {
    let mut builder = regex::RegexBuilder::new(pattern);
    let mut literal = false;
    for flag in flags.unwrap_or_default().chars() {
        match flag {
            'i' => {
                builder.case_insensitive(true);
            }
            'm' => {
                builder.multi_line(true);
            }
            's' => {
                builder.dot_matches_new_line(true);
            }
            'x' => {
                builder.ignore_whitespace(true);
            }
            'q' => literal = true,
            _ => {}
        }
    }
    if literal {
        let mut escaped = regex::RegexBuilder::new(&regex::escape(pattern));
        escaped.case_insensitive(flags.unwrap_or_default().contains('i'));
        return escaped.build();
    }
    builder.build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regex_flags() {
        assert!(compile_regex("^abc$", Some("i")).unwrap().is_match("ABC"));
        assert!(!compile_regex("^abc$", None).unwrap().is_match("ABC"));
        assert!(compile_regex("a.c", Some("q")).unwrap().is_match("xa.cx"));
        assert!(!compile_regex("a.c", Some("q")).unwrap().is_match("abc"));
        assert!(compile_regex("^b$", Some("m")).unwrap().is_match("a\nb"));
        assert!(compile_regex("[", None).is_err());
    }

    #[test]
    fn node_kinds() {
        let iri = oxrdf::NamedNode::new_unchecked("http://example.org/a");
        let lit = Literal::from("a");
        assert!(NodeKind::IriOrLiteral.matches(iri.as_ref().into()));
        assert!(!NodeKind::BlankNodeOrLiteral.matches(iri.as_ref().into()));
        assert!(NodeKind::Literal.matches(lit.as_ref().into()));
        assert_eq!(
            NodeKind::from_iri(sh::BLANK_NODE_OR_IRI),
            Some(NodeKind::BlankNodeOrIri)
        );
    }
}
