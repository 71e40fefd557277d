//! A compact, integer-keyed copy of the data graph, built once per validation.
//!
//! Every term gets a dense `Id`. The constants of the compiled shapes are
//! interned first, so a shape constant's `Id` is simply its position in
//! `Shapes::constants`: compiled constraints refer to data terms without any
//! lookup at validation time. Edges are stored twice (by subject and by
//! object) in sorted arrays, so the value nodes of a predicate path are a
//! borrowed slice.

use oxrdf::{Term, TermRef, TripleRef};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Dense identifier of a term of the data graph or of the shapes' constants.
pub type Id = u32;

/// The FxHash function (as used by rustc) with a final mixing step: much
/// faster than SipHash, and hash flooding is no concern for this index.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

const FX_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(FX_SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().unwrap_or_default()));
        }
        let mut tail = [0; 8];
        let rest = chunks.remainder();
        tail[..rest.len()].copy_from_slice(rest);
        self.add(u64::from_le_bytes(tail));
    }

    fn write_u8(&mut self, i: u8) {
        self.add(i.into());
    }

    fn write_u32(&mut self, i: u32) {
        self.add(i.into());
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        // The multiply only carries entropy upwards, and hash tables index
        // with the low bits: fold the high bits down (MurmurHash3's finalizer).
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^ (h >> 33)
    }
}

pub type FxBuildHasher = BuildHasherDefault<FxHasher>;
pub type FxHashMap<K, V> = HashMap<K, V, FxBuildHasher>;
pub type FxHashSet<K> = std::collections::HashSet<K, FxBuildHasher>;

/// Graphs with at least this many triples are sorted on two threads.
const PARALLEL_SORT_THRESHOLD: usize = 50_000;

/// Edges grouped by a key node, each group sorted by predicate then node.
#[derive(Default)]
struct Adjacency {
    /// `start[k]..start[k + 1]` is the range of key `k` in `preds`/`nodes`.
    start: Vec<u32>,
    preds: Vec<Id>,
    nodes: Vec<Id>,
}

impl Adjacency {
    fn build(node_count: usize, mut edges: Vec<(Id, Id, Id)>) -> Self {
        edges.sort_unstable();
        // A triple stated twice is one triple.
        edges.dedup();
        let mut start = vec![0; node_count + 1];
        for &(key, _, _) in &edges {
            start[key as usize + 1] += 1;
        }
        for i in 1..start.len() {
            start[i] += start[i - 1];
        }
        Self {
            start,
            preds: edges.iter().map(|e| e.1).collect(),
            nodes: edges.iter().map(|e| e.2).collect(),
        }
    }

    fn range(&self, key: Id) -> std::ops::Range<usize> {
        let key = key as usize;
        match (self.start.get(key), self.start.get(key + 1)) {
            (Some(&from), Some(&to)) => from as usize..to as usize,
            _ => 0..0,
        }
    }

    fn neighbours(&self, key: Id, pred: Id) -> &[Id] {
        let range = self.range(key);
        let preds = &self.preds[range.clone()];
        let from = preds.partition_point(|&p| p < pred);
        let to = from + preds[from..].partition_point(|&p| p == pred);
        &self.nodes[range.start + from..range.start + to]
    }

    fn edges(&self, key: Id) -> impl Iterator<Item = (Id, Id)> + '_ {
        let range = self.range(key);
        self.preds[range.clone()]
            .iter()
            .copied()
            .zip(self.nodes[range].iter().copied())
    }
}

/// Where the strings of a term live in memory.
///
/// Terms read from an `oxrdf::Graph` borrow its interned strings, so equal
/// terms usually share their addresses: hashing two addresses is much
/// cheaper than hashing (and comparing) the strings. Equal terms at
/// different addresses are still unified by the content map, so this is
/// only a shortcut, never a source of truth.
#[derive(Hash, PartialEq, Eq, Clone, Copy)]
struct Address {
    kind: u8,
    value: (usize, usize),
    /// Datatype or language tag of a literal.
    extra: (usize, usize),
}

impl Address {
    fn of(term: TermRef<'_>) -> Self {
        let span = |s: &str| (s.as_ptr() as usize, s.len());
        match term {
            TermRef::NamedNode(n) => Self {
                kind: 0,
                value: span(n.as_str()),
                extra: (0, 0),
            },
            TermRef::BlankNode(b) => Self {
                kind: 1,
                value: span(b.as_str()),
                extra: (0, 0),
            },
            TermRef::Literal(l) => match l.language() {
                Some(language) => Self {
                    kind: 2,
                    value: span(l.value()),
                    extra: span(language),
                },
                None => Self {
                    kind: 3,
                    value: span(l.value()),
                    extra: span(l.datatype().as_str()),
                },
            },
        }
    }
}

/// The indexed data graph.
pub struct DataIndex<'a> {
    terms: Vec<TermRef<'a>>,
    ids: FxHashMap<TermRef<'a>, Id>,
    outgoing: Adjacency,
    incoming: Adjacency,
}

impl<'a> DataIndex<'a> {
    /// Indexes `triples`; `constants` get the ids `0..constants.len()`. `shared_strings`
    /// says equal terms share their strings (as in an `oxrdf::Graph`), so the address
    /// shortcut pays; for parsed triples, each owning its strings, it would only miss.
    pub fn new(
        constants: &'a [Term],
        triples: impl Iterator<Item = TripleRef<'a>>,
        shared_strings: bool,
    ) -> Self {
        let expected = triples.size_hint().0;
        let mut index = Self {
            terms: Vec::with_capacity(constants.len() + expected),
            ids: FxHashMap::with_capacity_and_hasher(
                constants.len() + expected / 2,
                FxBuildHasher::default(),
            ),
            outgoing: Adjacency::default(),
            incoming: Adjacency::default(),
        };
        for constant in constants {
            index.intern(constant.as_ref());
        }
        let shortcut = if shared_strings { expected / 2 } else { 0 };
        let mut by_address =
            FxHashMap::with_capacity_and_hasher(shortcut, FxBuildHasher::default());
        let mut intern = |index: &mut Self, term: TermRef<'a>| {
            if !shared_strings {
                return index.intern(term);
            }
            *by_address
                .entry(Address::of(term))
                .or_insert_with(|| index.intern(term))
        };
        let mut forward = Vec::with_capacity(expected);
        // Triples usually come grouped by subject: remember the last one.
        let mut last_subject = None;
        for triple in triples {
            let subject = TermRef::from(triple.subject);
            let s = match last_subject {
                Some((term, id)) if term == subject => id,
                _ => {
                    let id = intern(&mut index, subject);
                    last_subject = Some((subject, id));
                    id
                }
            };
            let p = intern(&mut index, triple.predicate.into());
            let o = intern(&mut index, triple.object);
            forward.push((s, p, o));
        }
        let backward = forward.iter().map(|&(s, p, o)| (o, p, s)).collect();
        let node_count = index.terms.len();
        // The two sorts are independent: do them in parallel on big graphs.
        let (outgoing, incoming) = if forward.len() >= PARALLEL_SORT_THRESHOLD {
            std::thread::scope(|scope| {
                let incoming = scope.spawn(|| Adjacency::build(node_count, backward));
                let outgoing = Adjacency::build(node_count, forward);
                (outgoing, incoming.join().expect("index thread panicked"))
            })
        } else {
            (
                Adjacency::build(node_count, forward),
                Adjacency::build(node_count, backward),
            )
        };
        index.outgoing = outgoing;
        index.incoming = incoming;
        index
    }

    fn intern(&mut self, term: TermRef<'a>) -> Id {
        let next = self.terms.len() as Id;
        *self.ids.entry(term).or_insert_with(|| {
            self.terms.push(term);
            next
        })
    }

    /// The id of `term`, if it occurs in the data graph or the shapes.
    #[cfg(test)]
    pub fn id(&self, term: TermRef<'_>) -> Option<Id> {
        self.ids.get(&term).copied()
    }

    pub fn term(&self, id: Id) -> TermRef<'a> {
        self.terms[id as usize]
    }

    /// Objects of the triples `subject predicate ?o`, sorted.
    pub fn objects(&self, subject: Id, predicate: Id) -> &[Id] {
        self.outgoing.neighbours(subject, predicate)
    }

    /// Subjects of the triples `?s predicate object`, sorted.
    pub fn subjects(&self, object: Id, predicate: Id) -> &[Id] {
        self.incoming.neighbours(object, predicate)
    }

    /// `(predicate, object)` of every triple whose subject is `subject`.
    pub fn outgoing(&self, subject: Id) -> impl Iterator<Item = (Id, Id)> + '_ {
        self.outgoing.edges(subject)
    }

    /// `(subject, object)` of every triple whose predicate is `predicate`.
    pub fn triples_with_predicate(&self, predicate: Id) -> impl Iterator<Item = (Id, Id)> + '_ {
        (0..self.terms.len() as Id)
            .flat_map(move |s| self.objects(s, predicate).iter().map(move |&o| (s, o)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxrdf::{Graph, NamedNode, Triple};

    #[test]
    fn lookups() {
        let ex = |s: &str| NamedNode::new_unchecked(format!("http://example.org/{s}"));
        let mut graph = Graph::new();
        graph.insert(&Triple::new(ex("a"), ex("p"), ex("b")));
        graph.insert(&Triple::new(ex("a"), ex("p"), ex("c")));
        graph.insert(&Triple::new(ex("a"), ex("q"), ex("b")));
        graph.insert(&Triple::new(ex("d"), ex("p"), ex("b")));
        let constants = vec![Term::from(ex("p")), Term::from(ex("unused"))];
        let index = DataIndex::new(&constants, graph.iter(), true);
        assert_eq!(index.id(ex("p").as_ref().into()), Some(0));
        assert_eq!(index.id(ex("unused").as_ref().into()), Some(1));
        let id = |s: &str| index.id(ex(s).as_ref().into()).unwrap();
        let terms = |ids: &[Id]| {
            ids.iter()
                .map(|i| index.term(*i).to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(terms(index.objects(id("a"), 0)).len(), 2);
        assert_eq!(index.subjects(id("b"), 0).len(), 2);
        assert_eq!(index.subjects(id("b"), id("q")), [id("a")]);
        assert!(index.objects(1, 0).is_empty());
        assert_eq!(index.outgoing(id("a")).count(), 3);
        assert_eq!(index.triples_with_predicate(0).count(), 3);
    }
}
