//! SHACL property paths: parsing from the shapes graph, rendering (SPARQL
//! syntax and SHACL RDF) and evaluation over the indexed data graph.

use super::ShaclError;
use super::index::{DataIndex, FxHashSet, Id};
use super::names::short_iri;
use super::shapes_graph::ShapesGraph;
use super::vocab::sh;
use oxrdf::vocab::rdf;
use oxrdf::{BlankNode, Graph, NamedNode, Term, TermRef, Triple};
use std::borrow::Cow;
use std::fmt;

/// A SHACL property path.
///
/// `Display` renders it in SPARQL property path syntax with full IRIs (so it
/// can be pasted into a query); [`Path::to_short_string`] uses prefixes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Path {
    Predicate(NamedNode),
    Inverse(Box<Path>),
    Sequence(Vec<Path>),
    Alternative(Vec<Path>),
    ZeroOrMore(Box<Path>),
    OneOrMore(Box<Path>),
    ZeroOrOne(Box<Path>),
}

/// Nesting deeper than this is taken as a cyclic (ill-formed) path.
const MAX_DEPTH: usize = 64;

impl Path {
    /// Reads the path whose SHACL RDF form starts at `node`.
    pub(crate) fn parse(graph: ShapesGraph<'_>, node: TermRef<'_>) -> Result<Self, ShaclError> {
        Self::parse_at(graph, node, 0)
    }

    fn parse_at(
        graph: ShapesGraph<'_>,
        node: TermRef<'_>,
        depth: usize,
    ) -> Result<Self, ShaclError> {
        let error = |message: &str| ShaclError::InvalidPath {
            node: node.to_string(),
            message: message.to_owned(),
        };
        if depth > MAX_DEPTH {
            return Err(error("the path is nested too deeply (cyclic?)"));
        }
        let sub = |n: TermRef<'_>| Self::parse_at(graph, n, depth + 1);
        // A list is a sequence path, whatever else the node has.
        if graph.is_list(node) {
            let members = graph.list(node)?;
            return match members.len() {
                0 => Err(error("a sequence path needs at least one member")),
                1 => sub(members[0]),
                _ => Ok(Self::Sequence(
                    members.into_iter().map(sub).collect::<Result<_, _>>()?,
                )),
            };
        }
        match node {
            TermRef::NamedNode(iri) => return Ok(Self::Predicate(iri.into_owned())),
            TermRef::Literal(_) => return Err(error("a literal is not a path")),
            TermRef::BlankNode(_) => {}
        }
        let single = |predicate| -> Result<Option<TermRef<'_>>, ShaclError> {
            let values = graph.objects(node, predicate);
            match values.as_slice() {
                [] => Ok(None),
                [value] => Ok(Some(*value)),
                _ => Err(error(
                    "a path node has several values for its path predicate",
                )),
            }
        };
        if let Some(inner) = single(sh::INVERSE_PATH)? {
            return Ok(Self::Inverse(Box::new(sub(inner)?)));
        }
        if let Some(list) = single(sh::ALTERNATIVE_PATH)? {
            let members = graph.list(list)?;
            return match members.len() {
                0 => Err(error("an alternative path needs at least one member")),
                1 => sub(members[0]),
                _ => Ok(Self::Alternative(
                    members.into_iter().map(sub).collect::<Result<_, _>>()?,
                )),
            };
        }
        if let Some(inner) = single(sh::ZERO_OR_MORE_PATH)? {
            return Ok(Self::ZeroOrMore(Box::new(sub(inner)?)));
        }
        if let Some(inner) = single(sh::ONE_OR_MORE_PATH)? {
            return Ok(Self::OneOrMore(Box::new(sub(inner)?)));
        }
        if let Some(inner) = single(sh::ZERO_OR_ONE_PATH)? {
            return Ok(Self::ZeroOrOne(Box::new(sub(inner)?)));
        }
        Err(error(
            "a blank node path needs sh:inversePath, sh:alternativePath, sh:zeroOrMorePath, sh:oneOrMorePath, sh:zeroOrOnePath or to be a list",
        ))
    }

    /// The predicate of a predicate path.
    pub fn as_predicate(&self) -> Option<&NamedNode> {
        match self {
            Self::Predicate(p) => Some(p),
            _ => None,
        }
    }

    /// The path in SPARQL syntax with well-known prefixes (`dcterms:title`).
    pub fn to_short_string(&self) -> String {
        let mut out = String::new();
        let _ = self.write(&mut out, 0, &|iri| short_iri(iri));
        out
    }

    /// Writes the SHACL RDF form of the path into `graph`; returns its node.
    pub fn to_rdf(&self, graph: &mut Graph) -> Term {
        let node = |graph: &mut Graph, predicate, inner: &Self| {
            let node = BlankNode::default();
            let object = inner.to_rdf(graph);
            graph.insert(&Triple::new(node.clone(), predicate, object));
            Term::from(node)
        };
        match self {
            Self::Predicate(p) => p.clone().into(),
            Self::Inverse(inner) => node(graph, sh::INVERSE_PATH.into_owned(), inner),
            Self::ZeroOrMore(inner) => node(graph, sh::ZERO_OR_MORE_PATH.into_owned(), inner),
            Self::OneOrMore(inner) => node(graph, sh::ONE_OR_MORE_PATH.into_owned(), inner),
            Self::ZeroOrOne(inner) => node(graph, sh::ZERO_OR_ONE_PATH.into_owned(), inner),
            Self::Sequence(members) => list_to_rdf(members, graph),
            Self::Alternative(members) => {
                let node = BlankNode::default();
                let list = list_to_rdf(members, graph);
                graph.insert(&Triple::new(node.clone(), sh::ALTERNATIVE_PATH, list));
                node.into()
            }
        }
    }

    /// Binding strength in SPARQL syntax: alternative < sequence < inverse < modified < primary.
    fn precedence(&self) -> u8 {
        match self {
            Self::Alternative(_) => 0,
            Self::Sequence(_) => 1,
            Self::Inverse(_) => 2,
            Self::ZeroOrMore(_) | Self::OneOrMore(_) | Self::ZeroOrOne(_) => 3,
            Self::Predicate(_) => 4,
        }
    }

    fn write(
        &self,
        f: &mut impl fmt::Write,
        min: u8,
        iri: &impl Fn(&str) -> String,
    ) -> fmt::Result {
        if self.precedence() < min {
            f.write_char('(')?;
            self.write(f, 0, iri)?;
            return f.write_char(')');
        }
        let join = |f: &mut _, members: &[Self], separator, min| -> fmt::Result {
            for (i, member) in members.iter().enumerate() {
                if i > 0 {
                    fmt::Write::write_str(f, separator)?;
                }
                member.write(f, min, iri)?;
            }
            Ok(())
        };
        match self {
            Self::Predicate(p) => f.write_str(&iri(p.as_str())),
            Self::Inverse(inner) => {
                f.write_char('^')?;
                inner.write(f, 3, iri)
            }
            Self::Sequence(members) => join(f, members, "/", 2),
            Self::Alternative(members) => join(f, members, "|", 1),
            Self::ZeroOrMore(inner) => write_modified(f, inner, '*', iri),
            Self::OneOrMore(inner) => write_modified(f, inner, '+', iri),
            Self::ZeroOrOne(inner) => write_modified(f, inner, '?', iri),
        }
    }
}

fn write_modified(
    f: &mut impl fmt::Write,
    inner: &Path,
    modifier: char,
    iri: &impl Fn(&str) -> String,
) -> fmt::Result {
    inner.write(f, 4, iri)?;
    f.write_char(modifier)
}

fn list_to_rdf(members: &[Path], graph: &mut Graph) -> Term {
    let mut rest = Term::from(rdf::NIL.into_owned());
    for member in members.iter().rev() {
        let node = BlankNode::default();
        let first = member.to_rdf(graph);
        graph.insert(&Triple::new(node.clone(), rdf::FIRST, first));
        graph.insert(&Triple::new(node.clone(), rdf::REST, rest));
        rest = node.into();
    }
    rest
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, 0, &|iri| format!("<{iri}>"))
    }
}

/// A path compiled against the shape constants, for evaluation.
#[derive(Debug, Clone)]
pub(crate) enum PathPlan {
    Predicate(Id),
    Inverse(Box<PathPlan>),
    Sequence(Vec<PathPlan>),
    Alternative(Vec<PathPlan>),
    ZeroOrMore(Box<PathPlan>),
    OneOrMore(Box<PathPlan>),
    ZeroOrOne(Box<PathPlan>),
}

impl PathPlan {
    /// Compiles `path`, interning its predicates with `intern`.
    pub fn compile(path: &Path, intern: &mut impl FnMut(Term) -> Id) -> Self {
        let mut boxed = |inner: &Path| Box::new(Self::compile(inner, intern));
        match path {
            Path::Predicate(p) => Self::Predicate(intern(p.clone().into())),
            Path::Inverse(inner) => Self::Inverse(boxed(inner)),
            Path::ZeroOrMore(inner) => Self::ZeroOrMore(boxed(inner)),
            Path::OneOrMore(inner) => Self::OneOrMore(boxed(inner)),
            Path::ZeroOrOne(inner) => Self::ZeroOrOne(boxed(inner)),
            Path::Sequence(members) => {
                Self::Sequence(members.iter().map(|m| Self::compile(m, intern)).collect())
            }
            Path::Alternative(members) => {
                Self::Alternative(members.iter().map(|m| Self::compile(m, intern)).collect())
            }
        }
    }

    /// The value nodes of `focus` for this path: sorted and without duplicates.
    pub fn values<'i>(&self, index: &'i DataIndex<'_>, focus: Id) -> Cow<'i, [Id]> {
        match self {
            Self::Predicate(p) => Cow::Borrowed(index.objects(focus, *p)),
            Self::Inverse(inner) => match inner.as_ref() {
                Self::Predicate(p) => Cow::Borrowed(index.subjects(focus, *p)),
                _ => Cow::Owned(self.collect(index, focus)),
            },
            _ => Cow::Owned(self.collect(index, focus)),
        }
    }

    fn collect(&self, index: &DataIndex<'_>, focus: Id) -> Vec<Id> {
        let mut out = Vec::new();
        self.eval(index, focus, false, &mut out);
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Pushes the nodes reached from `node` (possibly with duplicates);
    /// `inverse` walks the path backwards.
    fn eval(&self, index: &DataIndex<'_>, node: Id, inverse: bool, out: &mut Vec<Id>) {
        match self {
            Self::Predicate(p) => out.extend_from_slice(if inverse {
                index.subjects(node, *p)
            } else {
                index.objects(node, *p)
            }),
            Self::Inverse(inner) => inner.eval(index, node, !inverse, out),
            Self::Alternative(members) => {
                for member in members {
                    member.eval(index, node, inverse, out);
                }
            }
            Self::Sequence(members) => {
                let mut frontier = vec![node];
                let mut step = |member: &Self| {
                    let mut next = Vec::new();
                    for &n in &frontier {
                        member.eval(index, n, inverse, &mut next);
                    }
                    next.sort_unstable();
                    next.dedup();
                    frontier = next;
                };
                if inverse {
                    members.iter().rev().for_each(&mut step);
                } else {
                    members.iter().for_each(&mut step);
                }
                out.extend(frontier);
            }
            Self::ZeroOrOne(inner) => {
                out.push(node);
                inner.eval(index, node, inverse, out);
            }
            Self::ZeroOrMore(inner) => inner.closure(index, node, inverse, true, out),
            Self::OneOrMore(inner) => inner.closure(index, node, inverse, false, out),
        }
    }

    /// Transitive closure of `self` from `start`.
    fn closure(
        &self,
        index: &DataIndex<'_>,
        start: Id,
        inverse: bool,
        reflexive: bool,
        out: &mut Vec<Id>,
    ) {
        let mut seen = FxHashSet::default();
        let mut stack = Vec::new();
        if reflexive {
            seen.insert(start);
            out.push(start);
        }
        self.eval(index, start, inverse, &mut stack);
        while let Some(node) = stack.pop() {
            if seen.insert(node) {
                out.push(node);
                self.eval(index, node, inverse, &mut stack);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::io::{RdfFormat, RdfParser};

    const PREFIXES: &str =
        "@prefix ex: <http://example.org/> . @prefix sh: <http://www.w3.org/ns/shacl#> .\n";

    fn graph(turtle: &str) -> Graph {
        let mut graph = Graph::new();
        for quad in RdfParser::from_format(RdfFormat::Turtle)
            .for_slice(format!("{PREFIXES}{turtle}").as_bytes())
        {
            graph.insert(&quad.unwrap().into());
        }
        graph
    }

    fn ex(local: &str) -> NamedNode {
        NamedNode::new_unchecked(format!("http://example.org/{local}"))
    }

    fn parse(turtle: &str) -> Result<Path, ShaclError> {
        let g = graph(turtle);
        let shapes = ShapesGraph { graph: &g };
        let node = g
            .object_for_subject_predicate(ex("s").as_ref(), sh::PATH)
            .unwrap()
            .into_owned();
        Path::parse(shapes, node.as_ref())
    }

    #[test]
    fn parses_and_renders_paths() {
        let path = parse("ex:s sh:path ( ex:a [ sh:inversePath ex:b ] [ sh:zeroOrMorePath [ sh:alternativePath ( ex:c ex:d ) ] ] ) .").unwrap();
        assert_eq!(
            path.to_string(),
            "<http://example.org/a>/^<http://example.org/b>/(<http://example.org/c>|<http://example.org/d>)*"
        );
        let inverse_star =
            parse("ex:s sh:path [ sh:inversePath [ sh:oneOrMorePath ex:a ] ] .").unwrap();
        assert_eq!(inverse_star.to_string(), "^<http://example.org/a>+");
        let star_inverse =
            parse("ex:s sh:path [ sh:zeroOrOnePath [ sh:inversePath ex:a ] ] .").unwrap();
        assert_eq!(star_inverse.to_string(), "(^<http://example.org/a>)?");
        let dcterms = Path::Predicate(NamedNode::new_unchecked("http://purl.org/dc/terms/title"));
        assert_eq!(dcterms.to_short_string(), "dcterms:title");
    }

    #[test]
    fn rejects_ill_formed_paths() {
        assert!(parse("ex:s sh:path [ ex:foo ex:bar ] .").is_err());
        assert!(parse("ex:s sh:path () .").is_err());
        assert!(parse("ex:s sh:path _:p . _:p sh:zeroOrMorePath _:p .").is_err());
        assert!(parse("ex:s sh:path \"p\" .").is_err());
    }

    #[test]
    fn round_trips_through_rdf() {
        let path = parse(
            "ex:s sh:path ( ex:a [ sh:alternativePath ( ex:b [ sh:inversePath ex:c ] ) ] ) .",
        )
        .unwrap();
        let mut g = Graph::new();
        let node = path.to_rdf(&mut g);
        assert_eq!(
            Path::parse(ShapesGraph { graph: &g }, node.as_ref()).unwrap(),
            path
        );
    }

    #[test]
    fn evaluates_paths() {
        let data = graph(
            "ex:a ex:p ex:b . ex:b ex:p ex:c . ex:c ex:p ex:a . ex:b ex:q \"x\" . ex:d ex:p ex:b .",
        );
        let constants = vec![Term::from(ex("p")), Term::from(ex("q"))];
        let index = DataIndex::new(&constants, data.iter(), true);
        let id = |l: &str| index.id(ex(l).as_ref().into()).unwrap();
        let names = |ids: &[Id]| {
            let mut names: Vec<String> = ids.iter().map(|i| index.term(*i).to_string()).collect();
            names.sort();
            names.join(" ")
        };
        let p = || PathPlan::Predicate(0);
        let q = || PathPlan::Predicate(1);
        let seq = PathPlan::Sequence(vec![p(), q()]);
        assert_eq!(names(&seq.values(&index, id("a"))), "\"x\"");
        let inv_seq = PathPlan::Inverse(Box::new(seq));
        let x = index
            .id(TermRef::Literal(oxrdf::LiteralRef::new_simple_literal("x")))
            .unwrap();
        assert_eq!(
            names(&inv_seq.values(&index, x)),
            "<http://example.org/a> <http://example.org/d>"
        );
        let star = PathPlan::ZeroOrMore(Box::new(p()));
        assert_eq!(star.values(&index, id("d")).len(), 4);
        let plus = PathPlan::OneOrMore(Box::new(p()));
        assert_eq!(plus.values(&index, id("d")).len(), 3);
        let inv_plus = PathPlan::OneOrMore(Box::new(PathPlan::Inverse(Box::new(p()))));
        assert_eq!(inv_plus.values(&index, id("b")).len(), 4);
        let opt = PathPlan::ZeroOrOne(Box::new(q()));
        assert_eq!(opt.values(&index, id("b")).len(), 2);
    }
}
