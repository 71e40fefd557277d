//! The validation engine: focus nodes from targets, value nodes from paths,
//! and conformance checking with memoization for shape-based constraints.

use super::ShaclError;
use super::index::{DataIndex, FxHashMap, Id};
use super::report::ValidationResult;
use super::shapes::{RDF_TYPE, RDFS_SUB_CLASS_OF, Shape, ShapeId, Shapes, Target};
use super::sparql::SparqlRuntime;
use std::borrow::Cow;
use std::ops::ControlFlow;

/// Where the results of a shape go.
pub(crate) trait Sink {
    /// Records a result; `Break` stops the validation of the current shape.
    fn push(&mut self, result: impl FnOnce() -> ValidationResult) -> ControlFlow<()>;
}

/// Keeps every result.
#[derive(Default)]
pub(crate) struct Collect(pub Vec<ValidationResult>);

impl Sink for Collect {
    fn push(&mut self, result: impl FnOnce() -> ValidationResult) -> ControlFlow<()> {
        self.0.push(result());
        ControlFlow::Continue(())
    }
}

/// Only asks whether a node conforms: stops at the first result, never builds it.
pub(crate) struct Probe;

impl Sink for Probe {
    fn push(&mut self, _: impl FnOnce() -> ValidationResult) -> ControlFlow<()> {
        ControlFlow::Break(())
    }
}

/// The focus node and value nodes a shape is being checked with.
pub(crate) struct Focus<'v> {
    pub shape_id: ShapeId,
    pub node: Id,
    /// Sorted and without duplicates (a set, as SHACL defines value nodes).
    pub values: &'v [Id],
}

/// Below this many (shape, focus node) pairs, validation stays on one thread.
const PARALLEL_THRESHOLD: usize = 2_000;
const MAX_THREADS: usize = 8;

/// Validates the focus nodes of every targeted shape.
///
/// Big validations run in contiguous chunks on scoped threads; the chunks'
/// outputs are concatenated in order, so the report does not depend on the
/// number of threads.
pub(crate) fn validate_all(
    context: &Context<'_>,
    is_focus: &dyn Fn(oxrdf::TermRef<'_>) -> bool,
) -> (Vec<ValidationResult>, Vec<ShaclError>) {
    let mut work = context.work();
    work.retain(|(_, focus)| is_focus(context.index.term(*focus)));
    let threads = if work.len() < PARALLEL_THRESHOLD {
        1
    } else {
        std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(MAX_THREADS)
    };
    validate_on_threads(context, &work, threads)
}

/// Validates `work` split in `threads` contiguous chunks.
pub(crate) fn validate_on_threads(
    context: &Context<'_>,
    work: &[(ShapeId, Id)],
    threads: usize,
) -> (Vec<ValidationResult>, Vec<ShaclError>) {
    let run_chunk = |chunk: &[(ShapeId, Id)]| {
        let mut validator = Validator::new(context);
        let mut results = Collect::default();
        validator.run(chunk, &mut results);
        (results.0, validator.errors)
    };
    if threads < 2 || work.len() < 2 {
        return run_chunk(work);
    }
    let chunk_size = work.len().div_ceil(threads);
    let outputs = std::thread::scope(|scope| {
        let mut chunks = work.chunks(chunk_size);
        let first = chunks.next().unwrap_or_default();
        let handles: Vec<_> = chunks
            .map(|chunk| scope.spawn(move || run_chunk(chunk)))
            .collect();
        let mut outputs = vec![run_chunk(first)];
        outputs.extend(
            handles
                .into_iter()
                .map(|h| h.join().expect("validation thread panicked")),
        );
        outputs
    });
    let mut results = Vec::new();
    let mut errors = Vec::new();
    for (mut chunk_results, mut chunk_errors) in outputs {
        results.append(&mut chunk_results);
        errors.append(&mut chunk_errors);
    }
    (results, errors)
}

/// What every validation thread shares.
pub(crate) struct Context<'a> {
    shapes: &'a Shapes,
    index: &'a DataIndex<'a>,
    /// For each class slot: the class and its subclasses in the data graph, sorted.
    classes: Vec<Vec<Id>>,
    sparql: Option<&'a SparqlRuntime>,
}

impl<'a> Context<'a> {
    pub fn new(
        shapes: &'a Shapes,
        index: &'a DataIndex<'a>,
        sparql: Option<&'a SparqlRuntime>,
    ) -> Self {
        let classes = shapes
            .classes
            .iter()
            .map(|&class| subclass_closure(index, class))
            .collect();
        Self {
            shapes,
            index,
            classes,
            sparql,
        }
    }

    /// Every (shape, focus node) pair to validate, shape by shape.
    pub fn work(&self) -> Vec<(ShapeId, Id)> {
        let mut work = Vec::new();
        for &shape_id in &self.shapes.targeted {
            let shape = &self.shapes.shapes[shape_id];
            if !shape.deactivated {
                work.extend(
                    self.focus_nodes(shape)
                        .into_iter()
                        .map(|focus| (shape_id, focus)),
                );
            }
        }
        work
    }

    /// The focus nodes of a shape's targets, sorted and without duplicates.
    fn focus_nodes(&self, shape: &Shape) -> Vec<Id> {
        let index = self.index;
        let mut nodes = Vec::new();
        for target in &shape.targets {
            match *target {
                Target::Node(node) => nodes.push(node),
                Target::Class(class) => {
                    for &c in &self.classes[class] {
                        nodes.extend_from_slice(index.subjects(c, RDF_TYPE));
                    }
                }
                Target::SubjectsOf(p) => {
                    nodes.extend(index.triples_with_predicate(p).map(|(s, _)| s))
                }
                Target::ObjectsOf(p) => {
                    nodes.extend(index.triples_with_predicate(p).map(|(_, o)| o))
                }
            }
        }
        nodes.sort_unstable();
        nodes.dedup();
        nodes
    }
}

/// Validation state of one thread.
pub(crate) struct Validator<'a> {
    pub shapes: &'a Shapes,
    pub index: &'a DataIndex<'a>,
    pub sparql: Option<&'a SparqlRuntime>,
    classes: &'a [Vec<Id>],
    /// Conformance of (shape, node) pairs already checked.
    memo: FxHashMap<(ShapeId, Id), bool>,
    /// Shapes being checked, to stop recursive shapes.
    stack: Vec<(ShapeId, Id)>,
    /// Whether the current conformance check relied on an assumption made
    /// for a recursive shape (then it must not be memoized).
    assumed: bool,
    /// SPARQL evaluation failures.
    pub errors: Vec<ShaclError>,
}

impl<'a> Validator<'a> {
    pub fn new(context: &'a Context<'a>) -> Self {
        Self {
            shapes: context.shapes,
            index: context.index,
            sparql: context.sparql,
            classes: &context.classes,
            memo: FxHashMap::default(),
            stack: Vec::new(),
            assumed: false,
            errors: Vec::new(),
        }
    }

    /// Validates (shape, focus node) pairs.
    pub fn run(&mut self, work: &[(ShapeId, Id)], sink: &mut Collect) {
        for &(shape_id, focus) in work {
            let _ = self.validate_shape(shape_id, focus, sink);
        }
    }

    /// Checks `focus` against a shape, sending results to `sink`.
    pub fn validate_shape<S: Sink>(
        &mut self,
        shape_id: ShapeId,
        focus: Id,
        sink: &mut S,
    ) -> ControlFlow<()> {
        let shapes = self.shapes;
        let shape = &shapes.shapes[shape_id];
        if shape.deactivated {
            return ControlFlow::Continue(());
        }
        // A recursive shape: assume the node conforms (SHACL leaves this undefined).
        if self.stack.contains(&(shape_id, focus)) {
            self.assumed = true;
            return ControlFlow::Continue(());
        }
        let index = self.index;
        let single = [focus];
        let values: Cow<'_, [Id]> = match &shape.path {
            Some(path) => path.plan.values(index, focus),
            None => Cow::Borrowed(&single),
        };
        self.stack.push((shape_id, focus));
        let focus = Focus {
            shape_id,
            node: focus,
            values: &values,
        };
        let mut flow = ControlFlow::Continue(());
        for constraint in &shape.constraints {
            flow = self.check(&focus, constraint, sink);
            if flow.is_break() {
                break;
            }
        }
        self.stack.pop();
        flow
    }

    /// Whether `node` conforms to a shape (memoized).
    pub fn conforms(&mut self, shape_id: ShapeId, node: Id) -> bool {
        if let Some(&known) = self.memo.get(&(shape_id, node)) {
            return known;
        }
        let outer_assumed = std::mem::replace(&mut self.assumed, false);
        let conforms = self
            .validate_shape(shape_id, node, &mut Probe)
            .is_continue();
        if !self.assumed {
            self.memo.insert((shape_id, node), conforms);
        }
        self.assumed |= outer_assumed;
        conforms
    }

    /// Whether `node` is a SHACL instance of the class in `class` slot.
    pub fn is_instance(&self, node: Id, class: usize) -> bool {
        let classes = &self.classes[class];
        self.index
            .objects(node, RDF_TYPE)
            .iter()
            .any(|t| classes.binary_search(t).is_ok())
    }
}

/// `class` and its transitive subclasses (`rdfs:subClassOf` in the data graph).
fn subclass_closure(index: &DataIndex<'_>, class: Id) -> Vec<Id> {
    let mut classes = vec![class];
    let mut i = 0;
    while i < classes.len() {
        for &sub in index.subjects(classes[i], RDFS_SUB_CLASS_OF) {
            if !classes.contains(&sub) {
                classes.push(sub);
            }
        }
        i += 1;
    }
    classes.sort_unstable();
    classes
}
