//! What a record is, and how an incoming graph is split into records.
//!
//! A record is one dataset, data service, dataset series or catalogue with everything it
//! points to that is not itself a record (distributions, agents, contact points, licence
//! documents, blank-node structures). Each record is stored in its own named graph.
use crate::rdf::ns::{dcat, rdf};
use oxigraph::model::{BlankNode, NamedNode, NamedOrBlankNode, Term, Triple};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet, VecDeque};

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

/// The result of splitting a document.
#[derive(Debug, Default)]
pub struct Split {
    pub records: Vec<Record>,
    /// Triples reachable from no record; they are not stored.
    pub unattached: usize,
}

/// Links that a catalogue record does not keep: katalog derives them from the stored records.
fn is_derived_catalog_link(predicate: &NamedNode) -> bool {
    let p = predicate.as_ref();
    p == dcat::DATASET_LINK || p == dcat::SERVICE_LINK || p == dcat::RECORD_LINK
}

/// Splits a document into records. Blank-node records get IRIs minted under `base`
/// (e.g. `{base}datasets/{id}`), derived from their content so re-loading the same file
/// gives the same IRIs.
pub fn split_records(triples: Vec<Triple>, base: &str) -> Split {
    let triples = mint_blank_roots(deduplicated(triples), base);
    let roots = find_roots(&triples);
    let (members, unattached) = record_members(&triples, &roots);
    // Each triple is moved into the last record that carries it and copied into the
    // others (a shared contact point, say): a whole catalogue is never held twice.
    let mut uses = vec![0u32; triples.len()];
    for (_, _, indices) in &members {
        indices.iter().for_each(|&i| uses[i] += 1);
    }
    let mut slots: Vec<Option<Triple>> = triples.into_iter().map(Some).collect();
    let mut records: Vec<Record> = members
        .into_iter()
        .map(|(iri, kind, indices)| {
            let triples = indices
                .into_iter()
                .map(|i| {
                    uses[i] -= 1;
                    match uses[i] {
                        0 => slots[i].take(),
                        _ => slots[i].clone(),
                    }
                    .expect("a triple is taken by its last record")
                })
                .collect();
            Record {
                iri,
                kind,
                triples,
                warnings: None,
                stamp_modified: false,
                checked_with: None,
                origin: None,
            }
        })
        .collect();
    records.sort_by(|a, b| a.iri.as_str().cmp(b.iri.as_str()));
    Split {
        records,
        unattached,
    }
}

/// The triples once each, in their order. A graph is a set: documents often repeat a shared
/// description (the publisher in every dataset), and each copy would otherwise be carried
/// into every record.
fn deduplicated(mut triples: Vec<Triple>) -> Vec<Triple> {
    let first: Vec<bool> = {
        let mut seen = HashSet::with_capacity(triples.len());
        triples.iter().map(|t| seen.insert(t)).collect()
    };
    let mut first = first.into_iter();
    triples.retain(|_| first.next().unwrap_or(true));
    triples
}

/// Each record's IRI, kind and the positions of its triples in `triples` (what its root
/// reaches through nodes that are not roots themselves), and how many triples no record
/// reaches.
#[allow(clippy::type_complexity)]
fn record_members(
    triples: &[Triple],
    roots: &HashMap<NamedOrBlankNode, RecordKind>,
) -> (Vec<(NamedNode, RecordKind, Vec<usize>)>, usize) {
    let by_subject = index_by_subject(triples);
    let mut covered: HashSet<&NamedOrBlankNode> = HashSet::new();
    let mut members = Vec::new();
    for (root, kind) in roots {
        let NamedOrBlankNode::NamedNode(iri) = root else {
            continue;
        };
        let mut indices = Vec::new();
        let mut seen: HashSet<&NamedOrBlankNode> = HashSet::from([root]);
        let mut queue: VecDeque<&NamedOrBlankNode> = VecDeque::from([root]);
        while let Some(node) = queue.pop_front() {
            covered.insert(node);
            for &i in by_subject.get(node).into_iter().flatten() {
                let triple = &triples[i];
                if node == root
                    && *kind == RecordKind::Catalog
                    && is_derived_catalog_link(&triple.predicate)
                {
                    continue;
                }
                indices.push(i);
                if let Some(next) = term_as_subject(&triple.object)
                    && let Some((key, _)) = by_subject.get_key_value(&next)
                    && !roots.contains_key(key)
                    && seen.insert(key)
                {
                    queue.push_back(key);
                }
            }
        }
        members.push((iri.clone(), *kind, indices));
    }
    let unattached = triples
        .iter()
        .filter(|t| !covered.contains(&t.subject))
        .count();
    (members, unattached)
}

fn index_by_subject(triples: &[Triple]) -> HashMap<&NamedOrBlankNode, Vec<usize>> {
    let mut map: HashMap<&NamedOrBlankNode, Vec<usize>> = HashMap::new();
    for (i, t) in triples.iter().enumerate() {
        map.entry(&t.subject).or_default().push(i);
    }
    map
}

fn term_as_subject(term: &Term) -> Option<NamedOrBlankNode> {
    match term {
        Term::NamedNode(n) => Some(n.clone().into()),
        Term::BlankNode(b) => Some(b.clone().into()),
        _ => None,
    }
}

/// Record roots and their kind (a catalogue that is also typed dataset is a catalogue).
fn find_roots(triples: &[Triple]) -> HashMap<NamedOrBlankNode, RecordKind> {
    let mut roots: HashMap<NamedOrBlankNode, RecordKind> = HashMap::new();
    for t in triples.iter().filter(|t| t.predicate.as_ref() == rdf::TYPE) {
        let Term::NamedNode(class) = &t.object else {
            continue;
        };
        if let Some(kind) = RecordKind::from_class(class.as_str()) {
            roots
                .entry(t.subject.clone())
                .and_modify(|k| *k = (*k).min(kind))
                .or_insert(kind);
        }
    }
    roots
}

/// Replaces blank-node record roots by minted IRIs, everywhere they occur.
fn mint_blank_roots(triples: Vec<Triple>, base: &str) -> Vec<Triple> {
    let blank_roots: HashMap<BlankNode, RecordKind> = find_roots(&triples)
        .into_iter()
        .filter_map(|(root, kind)| match root {
            NamedOrBlankNode::BlankNode(b) => Some((b, kind)),
            NamedOrBlankNode::NamedNode(_) => None,
        })
        .collect();
    if blank_roots.is_empty() {
        return triples;
    }
    // Each root's values, gathered in one pass (not one pass over the document per root).
    let mut values: HashMap<&BlankNode, Vec<String>> = HashMap::new();
    for t in &triples {
        if let NamedOrBlankNode::BlankNode(b) = &t.subject
            && blank_roots.contains_key(b)
            && matches!(t.object, Term::Literal(_) | Term::NamedNode(_))
        {
            values
                .entry(b)
                .or_default()
                .push(format!("{} {}", t.predicate, t.object));
        }
    }
    let minted: HashMap<BlankNode, NamedNode> = blank_roots
        .iter()
        .map(|(b, kind)| {
            let literals = values.remove(b).unwrap_or_default();
            (b.clone(), mint_iri(base, *kind, literals))
        })
        .collect();
    drop(values);
    let rename_subject = |s: NamedOrBlankNode| match &s {
        NamedOrBlankNode::BlankNode(b) => minted.get(b).map_or(s.clone(), |n| n.clone().into()),
        _ => s,
    };
    triples
        .into_iter()
        .map(|t| {
            let object = match &t.object {
                Term::BlankNode(b) => minted.get(b).map_or(t.object.clone(), |n| n.clone().into()),
                _ => t.object.clone(),
            };
            Triple::new(rename_subject(t.subject), t.predicate, object)
        })
        .collect()
}

/// A stable IRI for a blank-node record: its literal values (identifier, titles, …) hashed,
/// so the same description minted twice gets the same IRI.
fn mint_iri(base: &str, kind: RecordKind, mut literals: Vec<String>) -> NamedNode {
    literals.sort();
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
