//! `/ldes`: katalog's own changes as a Linked Data Event Stream in the LDES DCAT-AP feed
//! form (https://semiceu.github.io/LDES-DCAT-AP-feeds/): `as:Create`/`as:Update`/`as:Delete`
//! members ordered by `as:published`, each member's state in the named graph of its event.
use super::{FeedError, Feeds};
use crate::rdf::{PREFIXES, parse_graph};
use crate::store::{Activity, Event};
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{BlankNode, GraphName, Literal, NamedNode, Quad, Term};

/// The syntaxes a page is offered in.
pub const OFFERS: [(&str, RdfFormat); 2] = [
    ("application/trig", RdfFormat::TriG),
    ("application/n-quads", RdfFormat::NQuads),
];

const PAGE_SIZE: usize = 100;
const LDES: &str = "https://w3id.org/ldes#";
const TREE: &str = "https://w3id.org/tree#";
const AS: &str = "https://www.w3.org/ns/activitystreams#";
const XSD_DATE_TIME: &str = "http://www.w3.org/2001/XMLSchema#dateTime";

fn n(ns: &str, local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{ns}{local}"))
}

impl Feeds {
    /// True when page `page` (from 1) of a stream of `count` events is full: the log is
    /// append-only, so a full page never changes again.
    pub fn ldes_page_is_full(&self, page: usize, count: u64) -> bool {
        page.saturating_mul(PAGE_SIZE) as u64 <= count
    }

    /// How many events there are: they are numbered from 0 without gaps.
    pub fn ldes_event_count(&self) -> Result<u64, FeedError> {
        Ok(self.catalogue.event_count()?)
    }

    /// Page `page` (from 1) of the stream of `count` events, written in `format`: page n
    /// holds events (n-1)·100 … n·100-1, read from the change log alone.
    pub fn ldes_page(
        &self,
        page: usize,
        count: u64,
        format: RdfFormat,
    ) -> Result<Vec<u8>, FeedError> {
        let pages = (count as usize).div_ceil(PAGE_SIZE).max(1);
        if page == 0 || page > pages {
            return Err(FeedError::NoSuchPage);
        }
        let chunk = self
            .catalogue
            .events_from(((page - 1) * PAGE_SIZE) as u64, PAGE_SIZE)?;
        write_page(&self.base_uri, page, pages, &chunk, format)
    }
}

/// Page `page` of `pages` holding `events`, written in `format` (the harvester's tests read
/// what this writes).
pub(crate) fn write_page(
    base: &str,
    page: usize,
    pages: usize,
    events: &[Event],
    format: RdfFormat,
) -> Result<Vec<u8>, FeedError> {
    serialize(&page_quads(base, page, pages, events)?, format)
}

pub fn event_iri(base: &str, seq: u64) -> NamedNode {
    NamedNode::new_unchecked(format!("{base}ldes/events/{seq}"))
}

fn page_quads(
    base: &str,
    page: usize,
    pages: usize,
    events: &[Event],
) -> Result<Vec<Quad>, FeedError> {
    let stream = NamedNode::new_unchecked(format!("{base}ldes#stream"));
    let view = NamedNode::new_unchecked(format!("{base}ldes?page={page}"));
    let g = GraphName::DefaultGraph;
    let rdf_type = crate::rdf::ns::rdf::TYPE;
    let mut quads = vec![
        Quad::new(stream.clone(), rdf_type, n(LDES, "EventStream"), g.clone()),
        Quad::new(
            stream.clone(),
            n(LDES, "timestampPath"),
            n(AS, "published"),
            g.clone(),
        ),
        Quad::new(
            stream.clone(),
            n(LDES, "versionOfPath"),
            n(AS, "object"),
            g.clone(),
        ),
        Quad::new(stream.clone(), n(TREE, "view"), view.clone(), g.clone()),
        Quad::new(view.clone(), rdf_type, n(TREE, "Node"), g.clone()),
    ];
    // katalog keeps every event; the policy says so in LDES terms (nothing ever pruned).
    let policy = BlankNode::new_unchecked("retention");
    quads.push(Quad::new(
        stream.clone(),
        n(LDES, "retentionPolicy"),
        policy.clone(),
        g.clone(),
    ));
    quads.push(Quad::new(
        policy.clone(),
        rdf_type,
        n(LDES, "DurationAgoPolicy"),
        g.clone(),
    ));
    quads.push(Quad::new(
        policy,
        n(TREE, "value"),
        Literal::new_typed_literal(
            "P100Y",
            NamedNode::new_unchecked("http://www.w3.org/2001/XMLSchema#duration"),
        ),
        g.clone(),
    ));
    if page < pages {
        let relation = BlankNode::new_unchecked("next");
        let boundary = events
            .last()
            .map(|e| e.published.clone())
            .unwrap_or_default();
        quads.push(Quad::new(
            view.clone(),
            n(TREE, "relation"),
            relation.clone(),
            g.clone(),
        ));
        quads.push(Quad::new(
            relation.clone(),
            rdf_type,
            n(TREE, "GreaterThanOrEqualToRelation"),
            g.clone(),
        ));
        quads.push(Quad::new(
            relation.clone(),
            n(TREE, "node"),
            NamedNode::new_unchecked(format!("{base}ldes?page={}", page + 1)),
            g.clone(),
        ));
        quads.push(Quad::new(
            relation.clone(),
            n(TREE, "path"),
            n(AS, "published"),
            g.clone(),
        ));
        quads.push(Quad::new(
            relation,
            n(TREE, "value"),
            Literal::new_typed_literal(boundary, NamedNode::new_unchecked(XSD_DATE_TIME)),
            g.clone(),
        ));
    }
    for event in events {
        let member = event_iri(base, event.seq);
        let activity = match event.activity {
            Activity::Create => "Create",
            Activity::Update => "Update",
            Activity::Delete => "Delete",
        };
        quads.push(Quad::new(
            stream.clone(),
            n(TREE, "member"),
            member.clone(),
            g.clone(),
        ));
        quads.push(Quad::new(
            member.clone(),
            rdf_type,
            n(AS, activity),
            g.clone(),
        ));
        quads.push(Quad::new(
            member.clone(),
            n(AS, "object"),
            event.object.clone(),
            g.clone(),
        ));
        let published = Literal::new_typed_literal(
            event.published.clone(),
            NamedNode::new_unchecked(XSD_DATE_TIME),
        );
        quads.push(Quad::new(
            member.clone(),
            n(AS, "published"),
            Term::from(published),
            g.clone(),
        ));
        let state = parse_graph(event.state.as_bytes(), RdfFormat::NTriples, None)
            .map_err(|e| FeedError::Corrupt(e.to_string()))?;
        let graph = GraphName::NamedNode(member.clone());
        quads.extend(state.into_iter().map(|t| t.in_graph(graph.clone())));
    }
    Ok(quads)
}

fn serialize(quads: &[Quad], format: RdfFormat) -> Result<Vec<u8>, FeedError> {
    let mut serializer = RdfSerializer::from_format(format);
    if format == RdfFormat::TriG {
        for (prefix, iri) in PREFIXES {
            serializer = serializer.with_prefix(*prefix, *iri).expect("valid prefix");
        }
        for (prefix, iri) in [("ldes", LDES), ("tree", TREE), ("as", AS)] {
            serializer = serializer.with_prefix(prefix, iri).expect("valid prefix");
        }
    }
    let mut writer = serializer.for_writer(Vec::new());
    for quad in quads {
        writer.serialize_quad(quad)?;
    }
    Ok(writer.finish()?)
}
