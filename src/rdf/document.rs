//! A parsed document held compactly: each distinct term once, each triple as three numbers.
//!
//! Owned `oxrdf` triples take about 300 bytes each (three strings and their headers), so a
//! catalogue in Turtle, where prefixes and `;` make a triple some 40 bytes, took seven times
//! its size just to hold. Here a repeated subject, predicate or class costs four bytes, and
//! the records are made into triples one batch at a time (`store::plan_records`).
use oxigraph::model::{NamedNode, NamedOrBlankNode, Term, Triple};
use rustc_hash::{FxBuildHasher, FxHashMap};
use std::hash::BuildHasher;

/// The number of a term in its document.
pub type TermId = u32;

/// The triples of a document in the order read. A triple stated twice is held twice, as
/// a list of triples holds it: a set of every triple would take a third again of the
/// document's memory, and a record drops the repeat when it is planned
/// (`store::plan_records`).
#[derive(Debug, Default)]
pub struct Document {
    terms: Terms,
    triples: Vec<[TermId; 3]>,
}

impl Document {
    pub fn insert(&mut self, triple: Triple) {
        let ids = [
            self.intern(triple.subject.into()),
            self.intern(triple.predicate.into()),
            self.intern(triple.object),
        ];
        self.triples.push(ids);
    }

    /// Frees the room kept for more triples once the document is read.
    pub fn finish(&mut self) {
        self.terms.shrink_to_fit();
        self.triples.shrink_to_fit();
    }

    fn intern(&mut self, term: Term) -> TermId {
        self.terms.intern(term)
    }

    /// The number of a term, if the document has it.
    pub fn id(&self, term: &Term) -> Option<TermId> {
        self.terms.id(term)
    }

    pub fn term(&self, id: TermId) -> &Term {
        self.terms.get(id)
    }

    /// How many distinct terms the document has; term numbers are below it.
    pub fn term_count(&self) -> usize {
        self.terms.len()
    }

    pub fn len(&self) -> usize {
        self.triples.len()
    }

    pub fn is_empty(&self) -> bool {
        self.triples.is_empty()
    }

    /// The triples as term numbers: subject, predicate, object.
    pub fn ids(&self) -> &[[TermId; 3]] {
        &self.triples
    }

    /// Triple `i` as an owned triple.
    pub fn triple(&self, i: usize) -> Triple {
        let [s, p, o] = self.triples[i];
        Triple::new(self.subject(s), self.named(p), self.term(o).clone())
    }

    fn subject(&self, id: TermId) -> NamedOrBlankNode {
        match self.term(id) {
            Term::NamedNode(n) => n.clone().into(),
            Term::BlankNode(b) => b.clone().into(),
            other => unreachable!("only nodes are read as subjects, not {other}"),
        }
    }

    fn named(&self, id: TermId) -> NamedNode {
        match self.term(id) {
            Term::NamedNode(n) => n.clone(),
            other => unreachable!("only IRIs are read as predicates, not {other}"),
        }
    }

    /// Every triple as its terms: subject, predicate, object.
    pub fn iter(&self) -> impl Iterator<Item = (&Term, &Term, &Term)> {
        self.triples
            .iter()
            .map(|&[s, p, o]| (self.term(s), self.term(p), self.term(o)))
    }

    /// Adds another document's triples (the next page of a catalogue).
    pub fn append(&mut self, other: Document) {
        for i in 0..other.len() {
            self.insert(other.triple(i));
        }
    }

    /// Every triple, owned, in order.
    pub fn into_triples(self) -> Vec<Triple> {
        (0..self.len()).map(|i| self.triple(i)).collect()
    }

    /// Replaces terms everywhere they occur (blank-node records by minted IRIs).
    pub fn replace(&mut self, replacements: Vec<(TermId, Term)>) {
        let map: FxHashMap<TermId, TermId> = replacements
            .into_iter()
            .map(|(from, to)| (from, self.intern(to)))
            .collect();
        if map.is_empty() {
            return;
        }
        for id in self.triples.iter_mut().flatten() {
            if let Some(&to) = map.get(id) {
                *id = to;
            }
        }
    }

    /// Replaces each term `rename` gives another for, everywhere it occurs.
    pub fn rename(&mut self, rename: impl Fn(&Term) -> Option<Term>) {
        let replacements = self
            .terms
            .iter()
            .enumerate()
            .filter_map(|(id, term)| Some((id as TermId, rename(term)?)))
            .collect();
        self.replace(replacements);
    }
}

/// Each distinct term once, numbered in the order met. The terms sit in chunks of a fixed
/// size rather than in one vector: a vector doubles as it grows, and while it copied itself it
/// held its old and its new room, half as much again as the terms at the peak of a parse.
#[derive(Debug, Default)]
struct Terms {
    chunks: Vec<Vec<Term>>,
    /// The numbers of the terms, by hash.
    table: hashbrown::HashTable<TermId>,
    len: usize,
}

/// Terms in one chunk (about 900 kB).
const CHUNK: usize = 1 << 14;

impl Terms {
    fn hash(term: &Term) -> u64 {
        FxBuildHasher.hash_one(term)
    }

    fn get(&self, id: TermId) -> &Term {
        chunk_term(&self.chunks, id)
    }

    fn id(&self, term: &Term) -> Option<TermId> {
        self.table
            .find(Self::hash(term), |&id| self.get(id) == term)
            .copied()
    }

    fn intern(&mut self, term: Term) -> TermId {
        let hash = Self::hash(&term);
        if let Some(&id) = self.table.find(hash, |&id| self.get(id) == &term) {
            return id;
        }
        let id = TermId::try_from(self.len)
            .expect("fewer than 2^32 terms (the triple limit is far below)");
        match self.chunks.last_mut() {
            Some(chunk) if chunk.len() < CHUNK => chunk.push(term),
            _ => {
                let mut chunk = Vec::with_capacity(CHUNK);
                chunk.push(term);
                self.chunks.push(chunk);
            }
        }
        self.len += 1;
        let chunks = &self.chunks;
        self.table
            .insert_unique(hash, id, |&id| Self::hash(chunk_term(chunks, id)));
        id
    }

    fn len(&self) -> usize {
        self.len
    }

    fn iter(&self) -> impl Iterator<Item = &Term> {
        self.chunks.iter().flatten()
    }

    fn shrink_to_fit(&mut self) {
        if let Some(last) = self.chunks.last_mut() {
            last.shrink_to_fit();
        }
        let chunks = &self.chunks;
        self.table
            .shrink_to_fit(|&id| Self::hash(chunk_term(chunks, id)));
    }
}

fn chunk_term(chunks: &[Vec<Term>], id: TermId) -> &Term {
    let id = id as usize;
    &chunks[id / CHUNK][id % CHUNK]
}

impl Extend<Triple> for Document {
    fn extend<I: IntoIterator<Item = Triple>>(&mut self, triples: I) {
        triples.into_iter().for_each(|t| self.insert(t));
    }
}

impl FromIterator<Triple> for Document {
    fn from_iter<I: IntoIterator<Item = Triple>>(triples: I) -> Self {
        let mut document = Self::default();
        triples.into_iter().for_each(|t| document.insert(t));
        document.finish();
        document
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::Literal;

    fn triple(s: &str, o: &str) -> Triple {
        Triple::new(
            NamedNode::new_unchecked(s),
            NamedNode::new_unchecked("http://x.se/p"),
            Literal::new_simple_literal(o),
        )
    }

    #[test]
    fn holds_each_term_once_and_the_triples_in_order() {
        let triples = vec![
            triple("http://x.se/a", "1"),
            triple("http://x.se/b", "1"),
            triple("http://x.se/a", "1"),
        ];
        let document: Document = triples.clone().into_iter().collect();
        assert_eq!(document.len(), 3);
        assert_eq!(document.term_count(), 4);
        assert_eq!(document.into_triples(), triples);
    }

    #[test]
    fn replaces_a_term_everywhere() {
        let mut document: Document = [triple("http://x.se/a", "1"), triple("http://x.se/b", "2")]
            .into_iter()
            .collect();
        let a = document.id(&NamedNode::new_unchecked("http://x.se/a").into());
        let c = NamedNode::new_unchecked("http://x.se/c");
        document.replace(vec![(a.unwrap(), c.into())]);
        assert_eq!(document.triple(0), triple("http://x.se/c", "1"));
        assert_eq!(document.triple(1), triple("http://x.se/b", "2"));
    }
}
