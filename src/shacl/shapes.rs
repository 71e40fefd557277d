//! Compilation of a shapes graph into [`Shapes`]: shapes, targets and
//! constraints resolved once into plain Rust structures.

use super::ShaclError;
use super::constraints::{Constraint, compile_constraints};
use super::index::{FxHashMap, Id};
use super::path::{Path, PathPlan};
use super::report::Severity;
use super::shapes_graph::{ShapesGraph, as_bool, unique};
use super::sparql::{ComponentLibrary, SparqlSetup};
use super::vocab::sh;
use oxrdf::vocab::{rdf, rdfs};
use oxrdf::{Graph, Literal, Term, TermRef};

/// Index of a shape in [`Shapes::shapes`].
pub(crate) type ShapeId = usize;
/// Index of a class in [`Shapes::classes`] (closed over subclasses at validation time).
pub(crate) type ClassId = usize;

/// Ids of the constants every compiled shapes graph has.
pub(crate) const RDF_TYPE: Id = 0;
pub(crate) const RDFS_SUB_CLASS_OF: Id = 1;

/// A compiled SHACL shapes graph, ready to validate data graphs.
///
/// It is immutable, `Send` and `Sync`: share it with an `Arc`.
pub struct Shapes {
    pub(crate) shapes: Vec<Shape>,
    /// Terms the constraints refer to; a constant's index is its data index `Id`.
    pub(crate) constants: Vec<Term>,
    /// Class constants used by `sh:class` and class targets.
    pub(crate) classes: Vec<Id>,
    /// Shapes with at least one target, in shapes graph order.
    pub(crate) targeted: Vec<ShapeId>,
    /// What SHACL-SPARQL needs at validation time, if any constraint uses SPARQL.
    pub(crate) sparql: Option<SparqlSetup>,
    /// Names these shapes and this engine, when they were read from files (see
    /// [`Shapes::digest`]).
    pub(crate) digest: Option<String>,
}

/// A compiled node or property shape.
pub(crate) struct Shape {
    pub node: Term,
    pub path: Option<ShapePath>,
    pub targets: Vec<Target>,
    pub constraints: Vec<Constraint>,
    pub severity: Severity,
    pub messages: Vec<Literal>,
    pub deactivated: bool,
}

/// The path of a property shape, for reports and for evaluation.
pub(crate) struct ShapePath {
    pub path: Path,
    pub plan: PathPlan,
}

pub(crate) enum Target {
    Node(Id),
    Class(ClassId),
    SubjectsOf(Id),
    ObjectsOf(Id),
}

impl Shapes {
    /// Compiles the shapes of `graph`.
    pub fn from_graph(graph: &Graph) -> Result<Self, ShaclError> {
        Compiler::new(graph)?.run()
    }

    /// The number of compiled shapes (including those only reached through
    /// `sh:node`, `sh:property` & co.).
    pub fn len(&self) -> usize {
        self.shapes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.shapes.is_empty()
    }

    /// The datatype each predicate must have, from property shapes with a plain predicate
    /// path and an `sh:datatype` (`dcat:byteSize` → `xsd:nonNegativeInteger`). A predicate
    /// whose shapes disagree on the datatype is left out.
    pub fn datatypes_by_predicate(&self) -> std::collections::BTreeMap<String, String> {
        let mut found: std::collections::BTreeMap<String, Option<String>> = Default::default();
        for shape in self.shapes.iter().filter(|s| !s.deactivated) {
            let Some(ShapePath {
                path: Path::Predicate(predicate),
                ..
            }) = &shape.path
            else {
                continue;
            };
            for constraint in &shape.constraints {
                if let Constraint::Datatype(datatype) = constraint {
                    found
                        .entry(predicate.as_str().to_owned())
                        .and_modify(|d| {
                            if d.as_deref() != Some(datatype.as_str()) {
                                *d = None;
                            }
                        })
                        .or_insert_with(|| Some(datatype.as_str().to_owned()));
                }
            }
        }
        found
            .into_iter()
            .filter_map(|(p, d)| Some((p, d?)))
            .collect()
    }

    /// A digest of the files these shapes were read from and of the engine's version, for
    /// shapes made by [`Shapes::load`]: a validation result recorded under the same digest
    /// still holds for the same data.
    pub fn digest(&self) -> Option<&str> {
        self.digest.as_deref()
    }

    /// The term of a constant, for messages.
    pub(crate) fn constant(&self, id: Id) -> TermRef<'_> {
        self.constants[id as usize].as_ref()
    }
}

/// State of a compilation: shapes are compiled from a work list so that
/// recursive references (`sh:node` cycles) just reuse the allocated id.
pub(crate) struct Compiler<'a> {
    pub graph: ShapesGraph<'a>,
    shapes: Vec<Option<Shape>>,
    shape_ids: FxHashMap<TermRef<'a>, ShapeId>,
    pending: Vec<(ShapeId, TermRef<'a>)>,
    constants: Vec<Term>,
    constant_ids: FxHashMap<Term, Id>,
    classes: Vec<Id>,
    pub components: ComponentLibrary,
}

impl<'a> Compiler<'a> {
    fn new(graph: &'a Graph) -> Result<Self, ShaclError> {
        let graph = ShapesGraph { graph };
        let mut compiler = Self {
            graph,
            shapes: Vec::new(),
            shape_ids: FxHashMap::default(),
            pending: Vec::new(),
            constants: Vec::new(),
            constant_ids: FxHashMap::default(),
            classes: Vec::new(),
            components: ComponentLibrary::default(),
        };
        compiler.constant(rdf::TYPE.into());
        compiler.constant(rdfs::SUB_CLASS_OF.into());
        compiler.components = ComponentLibrary::read(graph)?;
        Ok(compiler)
    }

    fn run(mut self) -> Result<Shapes, ShaclError> {
        for root in self.roots() {
            self.shape(root);
        }
        while let Some((id, node)) = self.pending.pop() {
            let shape = self.compile_shape(node)?;
            self.shapes[id] = Some(shape);
        }
        let shapes: Vec<Shape> = self.shapes.into_iter().flatten().collect();
        let targeted = (0..shapes.len())
            .filter(|&id| !shapes[id].targets.is_empty())
            .collect();
        let uses_sparql = shapes
            .iter()
            .flat_map(|s| &s.constraints)
            .any(Constraint::uses_sparql);
        Ok(Shapes {
            shapes,
            constants: self.constants,
            classes: self.classes,
            targeted,
            sparql: uses_sparql.then(|| SparqlSetup::new(self.graph.graph)),
            digest: None,
        })
    }

    /// Shapes to compile even if nothing refers to them: typed shapes and
    /// nodes with targets.
    fn roots(&self) -> Vec<TermRef<'a>> {
        let mut roots = self.graph.instances(sh::NODE_SHAPE);
        roots.extend(self.graph.instances(sh::PROPERTY_SHAPE));
        for predicate in [
            sh::TARGET_NODE,
            sh::TARGET_CLASS,
            sh::TARGET_SUBJECTS_OF,
            sh::TARGET_OBJECTS_OF,
        ] {
            roots.extend(self.graph.subjects_with(predicate));
        }
        unique(roots)
    }

    /// The id of the shape at `node`, compiling it later if it is new.
    pub fn shape(&mut self, node: TermRef<'a>) -> ShapeId {
        if let Some(&id) = self.shape_ids.get(&node) {
            return id;
        }
        let id = self.shapes.len();
        self.shapes.push(None);
        self.shape_ids.insert(node, id);
        self.pending.push((id, node));
        id
    }

    /// The id of a constant term.
    pub fn constant(&mut self, term: Term) -> Id {
        if let Some(&id) = self.constant_ids.get(&term) {
            return id;
        }
        let id = Id::try_from(self.constants.len()).expect("fewer than 2^32 constants");
        self.constants.push(term.clone());
        self.constant_ids.insert(term, id);
        id
    }

    /// The class slot of a class term.
    pub fn class(&mut self, class: TermRef<'_>) -> ClassId {
        let id = self.constant(class.into_owned());
        if let Some(slot) = self.classes.iter().position(|&c| c == id) {
            return slot;
        }
        self.classes.push(id);
        self.classes.len() - 1
    }

    fn compile_shape(&mut self, node: TermRef<'a>) -> Result<Shape, ShaclError> {
        let g = self.graph;
        let invalid = |message: String| ShaclError::InvalidShape {
            shape: node.to_string(),
            message,
        };
        let path = match g.objects(node, sh::PATH).as_slice() {
            [] => None,
            [path] => {
                let path = Path::parse(g, *path)?;
                let plan = PathPlan::compile(&path, &mut |t| self.constant(t));
                Some(ShapePath { path, plan })
            }
            _ => return Err(invalid("a shape has at most one sh:path".into())),
        };
        let severity = match g.object(node, sh::SEVERITY) {
            None => Severity::Violation,
            Some(TermRef::NamedNode(iri)) => Severity::from_iri(iri),
            Some(other) => return Err(invalid(format!("sh:severity {other} is not an IRI"))),
        };
        let messages = g
            .objects(node, sh::MESSAGE)
            .into_iter()
            .filter_map(|m| match m {
                TermRef::Literal(l) => Some(l.into_owned()),
                _ => None,
            })
            .collect();
        let deactivated = g.object(node, sh::DEACTIVATED).and_then(as_bool) == Some(true);
        let targets = self.targets(node)?;
        let constraints = compile_constraints(self, node, path.as_ref())?;
        Ok(Shape {
            node: node.into_owned(),
            path,
            targets,
            constraints,
            severity,
            messages,
            deactivated,
        })
    }

    fn targets(&mut self, node: TermRef<'a>) -> Result<Vec<Target>, ShaclError> {
        let g = self.graph;
        let mut targets = Vec::new();
        for value in g.objects(node, sh::TARGET_NODE) {
            targets.push(Target::Node(self.constant(value.into_owned())));
        }
        for class in g.objects(node, sh::TARGET_CLASS) {
            targets.push(Target::Class(self.class(class)));
        }
        // Implicit class target: a shape that is also a class.
        if matches!(node, TermRef::NamedNode(_)) && g.is_instance(node, rdfs::CLASS) {
            targets.push(Target::Class(self.class(node)));
        }
        for (predicate, subjects) in [
            (sh::TARGET_SUBJECTS_OF, true),
            (sh::TARGET_OBJECTS_OF, false),
        ] {
            for value in g.objects(node, predicate) {
                let TermRef::NamedNode(_) = value else {
                    return Err(ShaclError::InvalidShape {
                        shape: node.to_string(),
                        message: format!("{predicate} value {value} is not an IRI"),
                    });
                };
                let id = self.constant(value.into_owned());
                targets.push(if subjects {
                    Target::SubjectsOf(id)
                } else {
                    Target::ObjectsOf(id)
                });
            }
        }
        Ok(targets)
    }
}
