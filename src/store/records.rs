//! What a record is, and how an incoming graph is split into records.
//!
//! A record is one dataset, data service, dataset series or catalogue with everything it
//! points to that is not itself a record (distributions, agents, contact points, licence
//! documents, blank-node structures). Each record is stored in its own named graph.
use crate::rdf::ns::{dcat, rdf};
use crate::rdf::{Document, TermId};
use oxigraph::model::{BlankNode, NamedNode, NamedOrBlankNode, Term, Triple};
use rustc_hash::FxHashMap;
use sha2::{Digest, Sha256};
use std::collections::VecDeque;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
/// Declared in priority order: a resource typed with several record classes takes the first.
pub enum RecordKind {
    Catalog,
    DataService,
    DatasetSeries,
    Dataset,
}

impl RecordKind {
    pub const ALL: [RecordKind; 4] = [
        Self::Catalog,
        Self::DataService,
        Self::DatasetSeries,
        Self::Dataset,
    ];

    pub fn class(self) -> oxigraph::model::NamedNodeRef<'static> {
        match self {
            Self::Catalog => dcat::CATALOG,
            Self::Dataset => dcat::DATASET,
            Self::DataService => dcat::DATA_SERVICE,
            Self::DatasetSeries => dcat::DATASET_SERIES,
        }
    }

    pub fn from_class(iri: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.class().as_str() == iri)
    }

    /// The path segment under which katalog mints IRIs of this kind.
    pub fn segment(self) -> &'static str {
        match self {
            Self::Catalog => "catalogs",
            Self::Dataset => "datasets",
            Self::DataService => "dataservices",
            Self::DatasetSeries => "series",
        }
    }

    /// The catalogue link predicate for members of this kind.
    pub fn catalog_link(self) -> Option<oxigraph::model::NamedNodeRef<'static>> {
        match self {
            Self::Dataset | Self::DatasetSeries => Some(dcat::DATASET_LINK),
            Self::DataService => Some(dcat::SERVICE_LINK),
            Self::Catalog => None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Record {
    pub iri: NamedNode,
    pub kind: RecordKind,
    pub triples: Vec<Triple>,
    /// Validation warnings (JSON) kept beside the record and shown to its publisher.
    pub warnings: Option<String>,
    /// Stamp `dcterms:modified` with the time of the write when the content changed (the
    /// publishing API does; loads of outside catalogues keep their own dates).
    pub stamp_modified: bool,
    /// The digest of the shapes this content passed (`Shapes::digest`), kept beside it so
    /// that start-up need not check it again; None when it was not validated.
    pub checked_with: Option<String>,
    /// Where the record comes from: `source:N` for a connected source's harvest; None when
    /// it was published (API, pages, `load`). Kept in the ledger, never in the RDF.
    pub origin: Option<String>,
}

impl Record {
    /// The record's publisher (`dcterms:publisher` of its root), which decides the
    /// organisation catalogue it is listed in.
    pub fn publisher(&self) -> Option<&NamedNode> {
        self.triples
            .iter()
            .find_map(|t| match (&t.subject, &t.object) {
                (NamedOrBlankNode::NamedNode(s), Term::NamedNode(o))
                    if *s == self.iri
                        && t.predicate.as_ref() == crate::rdf::ns::dcterms::PUBLISHER =>
                {
                    Some(o)
                }
                _ => None,
            })
    }
}

/// The result of splitting a document, every record made.
#[derive(Debug, Default)]
pub struct Split {
    pub records: Vec<Record>,
    /// Triples reachable from no record; they are not stored.
    pub unattached: usize,
}

/// A document split into records that are made one at a time ([`Planned::record`]): a large
/// submission is held once, compactly, while it is checked and written in batches.
pub struct Planned {
    document: Document,
    /// Sorted by IRI.
    pub plans: Vec<Plan>,
    /// Triples reachable from no record; they are not stored.
    pub unattached: usize,
}

/// One record of a [`Planned`] document: its IRI, kind and the positions of its triples.
pub struct Plan {
    pub iri: NamedNode,
    pub kind: RecordKind,
    triples: Vec<u32>,
}

impl Planned {
    /// The record of `plan`, its triples copied out of the document.
    pub fn record(&self, plan: &Plan) -> Record {
        Record {
            iri: plan.iri.clone(),
            kind: plan.kind,
            triples: plan
                .triples
                .iter()
                .map(|&i| self.document.triple(i as usize))
                .collect(),
            warnings: None,
            stamp_modified: false,
            checked_with: None,
            origin: None,
        }
    }

    /// The record's publisher (`dcterms:publisher` of its root), without making the record.
    pub fn publisher(&self, plan: &Plan) -> Option<&NamedNode> {
        let root = self.document.id(&plan.iri.clone().into())?;
        plan.triples.iter().find_map(|&i| {
            let [s, p, o] = self.document.ids()[i as usize];
            let is_publisher = matches!(self.document.term(p),
                Term::NamedNode(p) if p.as_ref() == crate::rdf::ns::dcterms::PUBLISHER);
            match self.document.term(o) {
                Term::NamedNode(o) if s == root && is_publisher => Some(o),
                _ => None,
            }
        })
    }

    /// Every record made.
    pub fn into_split(self) -> Split {
        let records = self.plans.iter().map(|plan| self.record(plan)).collect();
        Split {
            records,
            unattached: self.unattached,
        }
    }
}

/// Links that a catalogue record does not keep: katalog derives them from the stored records.
fn is_derived_catalog_link(predicate: &Term) -> bool {
    let Term::NamedNode(p) = predicate else {
        return false;
    };
    let p = p.as_ref();
    p == dcat::DATASET_LINK || p == dcat::SERVICE_LINK || p == dcat::RECORD_LINK
}

/// Splits a document into records. Blank-node records get IRIs minted under `base`
/// (e.g. `{base}datasets/{id}`), derived from their content so re-loading the same file
/// gives the same IRIs.
pub fn split_records(triples: Vec<Triple>, base: &str) -> Split {
    plan_records(triples.into_iter().collect(), base).into_split()
}

/// [`split_records`], the records left to be made one at a time.
pub fn plan_records(mut document: Document, base: &str) -> Planned {
    mint_blank_roots(&mut document, base);
    let roots = find_roots(&document);
    let (mut plans, unattached) = record_members(&document, &roots);
    plans.sort_by(|a, b| a.iri.as_str().cmp(b.iri.as_str()));
    Planned {
        document,
        plans,
        unattached,
    }
}

/// Each record's IRI, kind and the positions of its triples (what its root reaches through
/// nodes that are not roots themselves, each subject's triples in document order), and how
/// many triples no record reaches.
fn record_members(
    document: &Document,
    roots: &FxHashMap<TermId, RecordKind>,
) -> (Vec<Plan>, usize) {
    let by_subject = BySubject::build(document);
    let terms = document.term_count();
    let mut covered = vec![false; terms];
    // The record that last reached each term: a record walks each node once.
    let mut reached_by = vec![u32::MAX; terms];
    let mut plans = Vec::new();
    for (number, (&root, &kind)) in roots.iter().enumerate() {
        let Term::NamedNode(iri) = document.term(root) else {
            continue;
        };
        let number = number as u32;
        let mut triples = Vec::new();
        let mut queue = VecDeque::from([root]);
        reached_by[root as usize] = number;
        while let Some(node) = queue.pop_front() {
            covered[node as usize] = true;
            for &i in by_subject.of(node) {
                let [_, predicate, object] = document.ids()[i as usize];
                if node == root
                    && kind == RecordKind::Catalog
                    && is_derived_catalog_link(document.term(predicate))
                {
                    continue;
                }
                triples.push(i);
                if !by_subject.of(object).is_empty()
                    && !roots.contains_key(&object)
                    && reached_by[object as usize] != number
                {
                    reached_by[object as usize] = number;
                    queue.push_back(object);
                }
            }
        }
        plans.push(Plan {
            iri: iri.clone(),
            kind,
            triples,
        });
    }
    let unattached = (0..terms as TermId)
        .filter(|&t| !covered[t as usize])
        .map(|t| by_subject.of(t).len())
        .sum();
    (plans, unattached)
}

/// The positions of each subject's triples, in document order, each triple once: a graph
/// is a set, and documents often repeat a shared description (the publisher in every
/// dataset), which would otherwise be carried into every record twice.
struct BySubject {
    /// `start[t]..start[t + 1]` is the range of term `t` in `order`.
    start: Vec<u32>,
    order: Vec<u32>,
}

impl BySubject {
    fn build(document: &Document) -> Self {
        let mut start = vec![0u32; document.term_count() + 1];
        for [s, _, _] in document.ids() {
            start[*s as usize + 1] += 1;
        }
        for i in 1..start.len() {
            start[i] += start[i - 1];
        }
        let mut next = start.clone();
        let mut order = vec![0u32; document.len()];
        for (i, [s, _, _]) in document.ids().iter().enumerate() {
            order[next[*s as usize] as usize] = i as u32;
            next[*s as usize] += 1;
        }
        let mut by_subject = Self { start, order };
        by_subject.drop_repeats(document);
        by_subject
    }

    /// Keeps the first of each triple stated more than once (repeats share a subject).
    fn drop_repeats(&mut self, document: &Document) {
        let ids = document.ids();
        let mut kept = Vec::with_capacity(self.order.len());
        let mut scratch: Vec<u32> = Vec::new();
        let mut start = 0u32;
        for t in 0..self.start.len() - 1 {
            let group = &self.order[self.start[t] as usize..self.start[t + 1] as usize];
            self.start[t] = start;
            if group.len() < 2 {
                kept.extend_from_slice(group);
                start = kept.len() as u32;
                continue;
            }
            scratch.clear();
            scratch.extend_from_slice(group);
            // By predicate and object, then position: the first of equals comes first.
            scratch.sort_unstable_by_key(|&i| (ids[i as usize][1], ids[i as usize][2], i));
            scratch.dedup_by_key(|i| (ids[*i as usize][1], ids[*i as usize][2]));
            if scratch.len() < group.len() {
                scratch.sort_unstable();
                kept.extend_from_slice(&scratch);
            } else {
                kept.extend_from_slice(group);
            }
            start = kept.len() as u32;
        }
        let last = self.start.len() - 1;
        self.start[last] = start;
        self.order = kept;
    }

    fn of(&self, node: TermId) -> &[u32] {
        let node = node as usize;
        &self.order[self.start[node] as usize..self.start[node + 1] as usize]
    }
}

/// Record roots and their kind (a catalogue that is also typed dataset is a catalogue).
fn find_roots(document: &Document) -> FxHashMap<TermId, RecordKind> {
    let mut roots: FxHashMap<TermId, RecordKind> = FxHashMap::default();
    let Some(rdf_type) = document.id(&rdf::TYPE.into_owned().into()) else {
        return roots;
    };
    let classes: Vec<(TermId, RecordKind)> = RecordKind::ALL
        .into_iter()
        .filter_map(|kind| Some((document.id(&kind.class().into_owned().into())?, kind)))
        .collect();
    for &[s, p, o] in document.ids() {
        if p != rdf_type {
            continue;
        }
        if let Some(&(_, kind)) = classes.iter().find(|(class, _)| *class == o) {
            roots
                .entry(s)
                .and_modify(|k| *k = (*k).min(kind))
                .or_insert(kind);
        }
    }
    roots
}

/// Replaces blank-node record roots by minted IRIs, everywhere they occur.
fn mint_blank_roots(document: &mut Document, base: &str) {
    let minted = minted_roots(document, base)
        .into_iter()
        .map(|(root, iri)| (root, iri.into()))
        .collect();
    document.replace(minted);
}

/// The IRIs minted for the document's blank-node record roots, by blank node: a source split
/// into parts mints each in the part that holds its description, and renames it in the
/// others (see `harvest::spool`).
pub fn blank_root_iris(document: &Document, base: &str) -> Vec<(BlankNode, NamedNode)> {
    minted_roots(document, base)
        .into_iter()
        .filter_map(|(root, iri)| match document.term(root) {
            Term::BlankNode(b) => Some((b.clone(), iri)),
            _ => None,
        })
        .collect()
}

/// Each blank-node record root and the IRI minted for it from its values.
fn minted_roots(document: &Document, base: &str) -> Vec<(TermId, NamedNode)> {
    let blank_roots: FxHashMap<TermId, RecordKind> = find_roots(document)
        .into_iter()
        .filter(|(root, _)| matches!(document.term(*root), Term::BlankNode(_)))
        .collect();
    if blank_roots.is_empty() {
        return Vec::new();
    }
    // Each root's values, gathered in one pass (not one pass over the document per root).
    let mut values: FxHashMap<TermId, Vec<String>> = FxHashMap::default();
    for &[s, p, o] in document.ids() {
        if blank_roots.contains_key(&s)
            && matches!(document.term(o), Term::Literal(_) | Term::NamedNode(_))
        {
            let value = format!("{} {}", document.term(p), document.term(o));
            values.entry(s).or_default().push(value);
        }
    }
    blank_roots
        .into_iter()
        .map(|(root, kind)| {
            let literals = values.remove(&root).unwrap_or_default();
            (root, mint_iri(base, kind, literals))
        })
        .collect()
}

/// A stable IRI for a blank-node record: its literal values (identifier, titles, …) hashed,
/// so the same description minted twice gets the same IRI.
fn mint_iri(base: &str, kind: RecordKind, mut literals: Vec<String>) -> NamedNode {
    literals.sort();
    // A value stated twice is one value (a graph is a set).
    literals.dedup();
    let digest = Sha256::digest(literals.join("\n").as_bytes());
    let id = hex::encode(&digest[..8]);
    NamedNode::new_unchecked(format!("{base}{}/{id}", kind.segment()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rdf::parse_graph;
    use oxigraph::io::RdfFormat;

    fn split(ttl: &str) -> Split {
        let triples = parse_graph(ttl.as_bytes(), RdfFormat::Turtle, Some("http://x.se/")).unwrap();
        split_records(triples, "http://x.se/")
    }

    #[test]
    fn each_dataset_carries_what_it_points_to() {
        let s = split(
            r#"@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
            <catalog> a dcat:Catalog ; dcat:dataset <d1>, <d2> ; dct:publisher <org> .
            <d1> a dcat:Dataset ; dct:publisher <org> ; dcat:distribution <d1/csv> .
            <d1/csv> a dcat:Distribution ; dct:format "text/csv" .
            <d2> a dcat:Dataset ; dct:publisher <org> ; dct:temporal [ dcat:startDate "2020" ] .
            <org> dct:title "Org" .
            <nowhere> dct:title "loose" ."#,
        );
        assert_eq!(s.records.len(), 3);
        let d1 = s
            .records
            .iter()
            .find(|r| r.iri.as_str() == "http://x.se/d1")
            .unwrap();
        assert_eq!(d1.triples.len(), 6);
        let d2 = s
            .records
            .iter()
            .find(|r| r.iri.as_str() == "http://x.se/d2")
            .unwrap();
        assert_eq!(d2.triples.len(), 5);
        let cat = s
            .records
            .iter()
            .find(|r| r.kind == RecordKind::Catalog)
            .unwrap();
        // The dcat:dataset links are derived, not stored.
        assert_eq!(cat.triples.len(), 3);
        assert_eq!(s.unattached, 1);
    }

    #[test]
    fn repeated_descriptions_are_carried_once() {
        let org = "<http://x.se/org> <http://xmlns.com/foaf/0.1/name> \"Org\"@sv .\n";
        let mut ttl = String::from(
            "@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .\n",
        );
        for i in 0..3 {
            ttl.push_str(&format!(
                "<d{i}> a dcat:Dataset ; dct:publisher <http://x.se/org> .\n{org}"
            ));
        }
        let s = split(&ttl);
        assert!(
            s.records.iter().all(|r| r.triples.len() == 3),
            "{:?}",
            s.records
        );
    }

    #[test]
    fn blank_node_datasets_get_stable_iris() {
        let ttl = r#"@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
            [] a dcat:Dataset ; dct:title "Badplatser"@sv ."#;
        let a = split(ttl);
        let b = split(ttl);
        assert_eq!(a.records[0].iri, b.records[0].iri);
        assert!(
            a.records[0]
                .iri
                .as_str()
                .starts_with("http://x.se/datasets/")
        );
    }
}
