//! `/ldes`: katalog's own changes as a Linked Data Event Stream in the LDES DCAT-AP feed
//! form (https://semiceu.github.io/LDES-DCAT-AP-feeds/): `as:Create`/`as:Update`/`as:Delete`
//! members ordered by `as:published`, each member's state in the named graph of its event.
use super::{FeedError, Feeds};
use crate::rdf::PREFIXES;
use crate::store::events::StoredRun;
use crate::store::{Activity, Event};
use oxigraph::io::{RdfFormat, RdfParser, RdfSerializer, WriterQuadSerializer};
use oxigraph::model::{
    BlankNode, GraphName, GraphNameRef, Literal, NamedNode, NamedOrBlankNode, Quad, QuadRef, Term,
};

/// The syntaxes a page is offered in.
pub const OFFERS: [(&str, RdfFormat); 2] = [
    ("application/trig", RdfFormat::TriG),
    ("application/n-quads", RdfFormat::NQuads),
];

const PAGE_SIZE: usize = 100;
/// Part of each page's stamp: bumped when what a page looks like changes, so that pages
/// cached before are not served.
const RENDERING_VERSION: &str = "1";
const LDES: &str = "https://w3id.org/ldes#";
const TREE: &str = "https://w3id.org/tree#";
const AS: &str = "https://www.w3.org/ns/activitystreams#";
const XSD_DATE_TIME: &str = "http://www.w3.org/2001/XMLSchema#dateTime";

fn n(ns: &str, local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{ns}{local}"))
}

/// One page of the stream as read from the change log: what its bytes are made of.
pub struct LdesPage {
    number: usize,
    pages: usize,
    run: StoredRun,
    stamp: String,
}

impl LdesPage {
    /// More pages follow, so the page never changes again (the log is append-only). The
    /// last page changes with the next event even when it is full: it gains its link on
    /// to the page after it.
    pub fn is_immutable(&self) -> bool {
        self.number < self.pages
    }

    /// A digest of everything the page's bytes depend on: the base URI, its number,
    /// whether it is the last, and its events as stored. Later events leave a page that
    /// is not the last alone; a restore or a new base URI that changes it changes this.
    pub fn stamp(&self) -> &str {
        &self.stamp
    }
}

impl Feeds {
    /// Page `number` (from 1) of the stream: page n holds events (n-1)·100 … n·100-1, read
    /// from the change log alone, at the cost of its own events.
    pub fn ldes_page(&self, number: usize) -> Result<LdesPage, FeedError> {
        let from = number
            .checked_sub(1)
            .and_then(|n| n.checked_mul(PAGE_SIZE))
            .ok_or(FeedError::NoSuchPage)?;
        let run = self.catalogue.stored_events(from as u64, PAGE_SIZE)?;
        let pages = (run.count as usize).div_ceil(PAGE_SIZE).max(1);
        if number > pages {
            return Err(FeedError::NoSuchPage);
        }
        let stamp = stamp(&self.base_uri, number, number == pages, &run);
        Ok(LdesPage {
            number,
            pages,
            run,
            stamp,
        })
    }

    /// The page written in `format`, gzip-compressed when `gzip` (the client accepts it).
    /// A page that never changes is rendered (and compressed) once, then read from the feed
    /// cache as long as its stamp is the one it was rendered under; only the form clients
    /// ask for is kept. The last page is rendered each time, from its own events.
    pub fn ldes_body(
        &self,
        page: &LdesPage,
        format: RdfFormat,
        gzip: bool,
    ) -> Result<LdesBody, FeedError> {
        let Some(cache) = self.cache.as_ref().filter(|_| page.is_immutable()) else {
            return Ok(LdesBody::plain(self.render(page, format)?));
        };
        match cache.page(&cache_key(format, gzip, page.number)) {
            Ok(Some((stamp, bytes))) if stamp == page.stamp => {
                return Ok(LdesBody {
                    bytes,
                    gzipped: gzip,
                });
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "reading the feed cache failed"),
        }
        let plain = self.render(page, format)?;
        let body = match gzip.then(|| super::gzip::compress(&plain)).flatten() {
            Some(bytes) => LdesBody {
                bytes,
                gzipped: true,
            },
            None => LdesBody::plain(plain),
        };
        let key = cache_key(format, body.gzipped, page.number);
        if let Err(e) = cache.put_page(&key, &page.stamp, &body.bytes) {
            tracing::warn!(error = %e, "writing the feed cache failed");
        }
        Ok(body)
    }

    fn render(&self, page: &LdesPage, format: RdfFormat) -> Result<Vec<u8>, FeedError> {
        let events = page.run.decode()?;
        write_page(&self.base_uri, page.number, page.pages, &events, format)
    }
}

/// A page's bytes as they go out.
pub struct LdesBody {
    pub bytes: Vec<u8>,
    /// The bytes are gzip-compressed, to be sent with `Content-Encoding: gzip`.
    pub gzipped: bool,
}

impl LdesBody {
    fn plain(bytes: Vec<u8>) -> Self {
        Self {
            bytes,
            gzipped: false,
        }
    }
}

/// Where page `number` in `format` is kept in the feed cache, gzip-compressed or not.
pub fn cache_key(format: RdfFormat, gzipped: bool, number: usize) -> String {
    let encoding = if gzipped { ".gz" } else { "" };
    format!("{}{encoding}\t{number}", format.file_extension())
}

/// Whether the page kept under `key` in the feed cache may still be asked for in a stream of
/// `count` events: pages the stream no longer has (a restore of a shorter log) go.
pub(super) fn page_is_live(key: &str, count: u64) -> bool {
    let immutable = count.saturating_sub(1) / PAGE_SIZE as u64;
    key.split_once('\t')
        .and_then(|(_, page)| page.parse::<u64>().ok())
        .is_some_and(|page| (1..=immutable).contains(&page))
}

fn stamp(base: &str, number: usize, last: bool, run: &StoredRun) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for part in [
        RENDERING_VERSION,
        base,
        &number.to_string(),
        &last.to_string(),
    ] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    for (seq, bytes) in &run.events {
        hasher.update(seq.to_be_bytes());
        hasher.update((bytes.len() as u64).to_be_bytes());
        hasher.update(bytes);
    }
    hex::encode(&hasher.finalize()[..16])
}

/// Page `page` of `pages` holding `events`, written in `format` (the harvester's tests read
/// what this writes). Quads go to the serializer as they are made: the members' states are
/// most of a page, and a page's worth of them held as quads cost more than writing them.
pub(crate) fn write_page(
    base: &str,
    page: usize,
    pages: usize,
    events: &[Event],
    format: RdfFormat,
) -> Result<Vec<u8>, FeedError> {
    let size: usize = events.iter().map(|e| e.state.len()).sum();
    let mut writer = serializer(format).for_writer(Vec::with_capacity(size * 2 + 4096));
    for quad in page_quads(base, page, pages, events.last()) {
        writer.serialize_quad(&quad)?;
    }
    for event in events {
        for quad in member_quads(base, event) {
            writer.serialize_quad(&quad)?;
        }
        write_state(&mut writer, base, event)?;
    }
    Ok(writer.finish()?)
}

pub fn event_iri(base: &str, seq: u64) -> NamedNode {
    NamedNode::new_unchecked(format!("{base}ldes/events/{seq}"))
}

fn page_quads(base: &str, page: usize, pages: usize, last: Option<&Event>) -> Vec<Quad> {
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
        let boundary = last.map(|e| e.published.clone()).unwrap_or_default();
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
            g,
        ));
    }
    quads
}

/// The member's description, in the default graph.
fn member_quads(base: &str, event: &Event) -> [Quad; 4] {
    let stream = NamedNode::new_unchecked(format!("{base}ldes#stream"));
    let member = event_iri(base, event.seq);
    let activity = match event.activity {
        Activity::Create => "Create",
        Activity::Update => "Update",
        Activity::Delete => "Delete",
    };
    let published = Literal::new_typed_literal(
        event.published.clone(),
        NamedNode::new_unchecked(XSD_DATE_TIME),
    );
    let g = GraphName::DefaultGraph;
    [
        Quad::new(stream, n(TREE, "member"), member.clone(), g.clone()),
        Quad::new(
            member.clone(),
            crate::rdf::ns::rdf::TYPE,
            n(AS, activity),
            g.clone(),
        ),
        Quad::new(
            member.clone(),
            n(AS, "object"),
            event.object.clone(),
            g.clone(),
        ),
        Quad::new(member, n(AS, "published"), Term::from(published), g),
    ]
}

/// The record's state after the event, in the member's named graph. The state is katalog's
/// own N-Triples, checked when it was written, so its IRIs are not checked again here.
/// Its blank nodes are the event's own: their labels get the event's number, so that two
/// members' states never share one, and a page is the same bytes each time it is rendered.
fn write_state<W: std::io::Write>(
    writer: &mut WriterQuadSerializer<W>,
    base: &str,
    event: &Event,
) -> Result<(), FeedError> {
    let member = event_iri(base, event.seq);
    let graph = GraphNameRef::NamedNode(member.as_ref());
    let parser = RdfParser::from_format(RdfFormat::NTriples).lenient();
    for quad in parser.for_slice(event.state.as_bytes()) {
        let Quad {
            mut subject,
            predicate,
            mut object,
            ..
        } = quad.map_err(|e| FeedError::Corrupt(e.to_string()))?;
        if let NamedOrBlankNode::BlankNode(b) = &mut subject {
            *b = scoped(event.seq, b);
        }
        if let Term::BlankNode(b) = &mut object {
            *b = scoped(event.seq, b);
        }
        writer.serialize_quad(QuadRef::new(&subject, &predicate, &object, graph))?;
    }
    Ok(())
}

fn scoped(seq: u64, blank: &BlankNode) -> BlankNode {
    BlankNode::new_unchecked(format!("e{seq}_{}", blank.as_str()))
}

fn serializer(format: RdfFormat) -> RdfSerializer {
    let mut serializer = RdfSerializer::from_format(format);
    if format == RdfFormat::TriG {
        for (prefix, iri) in PREFIXES {
            serializer = serializer.with_prefix(*prefix, *iri).expect("valid prefix");
        }
        for (prefix, iri) in [("ldes", LDES), ("tree", TREE), ("as", AS)] {
            serializer = serializer.with_prefix(prefix, iri).expect("valid prefix");
        }
    }
    serializer
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(seq: u64, state: &str) -> Event {
        Event {
            seq,
            activity: Activity::Update,
            object: NamedNode::new_unchecked("http://x.se/d"),
            published: "2026-01-01T00:00:00.000Z".into(),
            state: state.into(),
        }
    }

    #[test]
    fn each_members_blank_nodes_are_its_own_and_a_page_renders_the_same_each_time() {
        let state = concat!(
            "<http://x.se/d> <http://purl.org/dc/terms/temporal> _:t .\n",
            "_:t <http://www.w3.org/ns/dcat#startDate> \"2020-01-01\" .\n",
        );
        let events = [event(7, state), event(8, state)];
        let page = write_page("http://x.se/", 1, 1, &events, RdfFormat::NQuads).unwrap();
        let again = write_page("http://x.se/", 1, 1, &events, RdfFormat::NQuads).unwrap();
        assert_eq!(page, again);
        let text = String::from_utf8(page).unwrap();
        assert!(text.contains(
            "<http://x.se/d> <http://purl.org/dc/terms/temporal> _:e7_t <http://x.se/ldes/events/7> .\n"
        ));
        assert!(text.contains(
            "_:e8_t <http://www.w3.org/ns/dcat#startDate> \"2020-01-01\" <http://x.se/ldes/events/8> .\n"
        ));
    }

    #[test]
    fn only_pages_that_more_pages_follow_stay_in_the_cache() {
        assert!(!page_is_live("nq\t1", 0));
        assert!(!page_is_live("nq\t1", 100), "full, but the last page");
        assert!(page_is_live("nq\t1", 101));
        assert!(page_is_live("trig.gz\t1", 101));
        assert!(!page_is_live("nq\t2", 101));
        assert!(!page_is_live("nq\t0", 500));
        assert!(!page_is_live("nq\tx", 500));
    }
}
