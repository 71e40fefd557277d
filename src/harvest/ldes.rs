//! The client side of LDES DCAT-AP feeds (https://semiceu.github.io/LDES-DCAT-AP-feeds/):
//! reading one page of a feed into its events and its links to further pages, and applying
//! events to a graph as DIGG's test cases prescribe (diggsweden/LDES-DCAT-AP-test-cases).
//!
//! Activities: `as:Create` and `as:Update` upsert, `as:Delete` deletes. `as:Remove` is read
//! as a delete: the spec's drafts of December 2023 to March 2024 named deletes so. `as:Add`
//! is in no version of the spec and is skipped, like every other Activity Streams type; a
//! member with no Activity Streams type is an upsert (the spec's fall-back).
use crate::rdf::ns::{activity, hydra, ldes, rdf, tree};
use crate::rdf::{Limits, ParseError, isomorphic, parse_quads_within};
use oxigraph::io::RdfFormat;
use oxigraph::model::{
    Graph, GraphName, NamedNode, NamedNodeRef, NamedOrBlankNode, NamedOrBlankNodeRef, Quad, Term,
    TermRef, Triple, TripleRef,
};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet, VecDeque};
use std::str::FromStr;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

#[derive(Debug, thiserror::Error)]
pub enum LdesError {
    #[error("the LDES page is not readable RDF: {0}")]
    Parse(#[from] ParseError),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activity {
    Create,
    Update,
    Delete,
}

/// One member of a feed: an activity on one entity.
#[derive(Clone, Debug, PartialEq)]
pub struct LdesEvent {
    pub id: NamedOrBlankNode,
    pub activity: Activity,
    /// The entity changed (at the stream's `ldes:versionOfPath`, `as:object` by default).
    pub object: NamedNode,
    /// The text of the timestamp (at `ldes:timestampPath`, `as:published` by default).
    pub published: Option<String>,
    /// The order among events of the same time (at `ldes:sequencePath`, if the stream has one).
    pub sequence: Option<i64>,
    /// The entity's state after the event: the named graph whose name is the event.
    pub state: Vec<Triple>,
}

/// What one page of a feed holds.
#[derive(Debug, Default)]
pub struct LdesPage {
    /// In the order they are applied: by time, then sequence, then as the page lists them.
    pub events: Vec<LdesEvent>,
    /// Further pages (`tree:relation`/`tree:node`, `hydra:next`, and `tree:view` on a page
    /// without members), without the page itself. A harvester keeps the set of pages it has
    /// read.
    pub links: Vec<NamedNode>,
    /// Members that cannot be applied, and why.
    pub skipped: Vec<Skipped>,
    /// How long the stream keeps events, when its retention policy is a duration
    /// (`ldes:DurationAgoPolicy` with an `xsd:duration` as `tree:value`): a reader away for
    /// longer may have missed deletes.
    pub retention: Option<std::time::Duration>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub member: NamedOrBlankNode,
    pub reason: SkipReason,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SkipReason {
    #[error("it names no entity (no IRI at the version-of path)")]
    NoObject,
    #[error("it names more than one entity")]
    SeveralObjects,
    #[error("its activity {0} is none of Create, Update and Delete")]
    UnknownActivity(NamedNode),
    #[error("it creates or updates its entity with no triples about it in the event's graph")]
    NoState,
}

/// What applying events changed, counted in entities (IRIs described in the graph), in the
/// form of the test suite's `report.json`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LdesReport {
    pub added: usize,
    pub removed: usize,
    pub updated: usize,
    /// Entities described before that are neither updated nor removed.
    pub unchanged: usize,
    #[serde(rename = "addedURIs")]
    pub added_uris: Vec<String>,
    #[serde(rename = "removedURIs")]
    pub removed_uris: Vec<String>,
    #[serde(rename = "updatedURIs")]
    pub updated_uris: Vec<String>,
}

/// Reads one page of a feed, in any RDF syntax (TriG and JSON-LD carry the states in named
/// graphs; a Turtle page has events without states, so only its deletes apply), within
/// `limits`. `base_iri` is the page's own address: pages use relative IRIs (`tree:view <>`).
pub fn read_page(
    data: &[u8],
    format: RdfFormat,
    base_iri: Option<&str>,
    limits: &Limits,
) -> Result<LdesPage, LdesError> {
    let mut document = Document::new(parse_quads_within(data, format, base_iri, limits)?);
    let paths = Paths::of(&document.default);
    let members = document.members(&paths);
    let mut page = LdesPage {
        // A page with members is the view it names; one without describes the stream and
        // points at its first node.
        links: document.links(base_iri, members.is_empty()),
        retention: retention(&document.default),
        ..LdesPage::default()
    };
    for member in members {
        match document.event(&member, &paths) {
            Ok(event) => page.events.push(event),
            Err(reason) => page.skipped.push(Skipped { member, reason }),
        }
    }
    sort_events(&mut page.events);
    Ok(page)
}

/// Puts events (of one page or several) in the order they happened: by time, then by
/// sequence; events equal in both keep their order. An event without a readable time comes
/// first (the spec allows none only where each entity has one event).
pub fn sort_events(events: &mut [LdesEvent]) {
    events.sort_by_cached_key(LdesEvent::order);
}

impl LdesEvent {
    /// Where the event stands in the stream: its time, then its sequence.
    pub fn order(&self) -> (Option<OffsetDateTime>, Option<i64>) {
        order_of(self.published.as_deref(), self.sequence)
    }
}

/// Where an event of this time (the text of its timestamp) and sequence stands.
pub fn order_of(
    published: Option<&str>,
    sequence: Option<i64>,
) -> (Option<OffsetDateTime>, Option<i64>) {
    (published.and_then(instant), sequence)
}

/// The duration of the stream's `ldes:DurationAgoPolicy`, if it has one.
fn retention(graph: &Graph) -> Option<std::time::Duration> {
    let stream = graph.subject_for_predicate_object(rdf::TYPE, ldes::EVENT_STREAM)?;
    graph
        .objects_for_subject_predicate(stream, ldes::RETENTION_POLICY)
        .filter_map(|policy| match policy {
            TermRef::NamedNode(n) => Some(NamedOrBlankNodeRef::from(n)),
            TermRef::BlankNode(b) => Some(b.into()),
            TermRef::Literal(_) => None,
        })
        .filter(|policy| {
            graph.contains(TripleRef::new(
                *policy,
                rdf::TYPE,
                ldes::DURATION_AGO_POLICY,
            ))
        })
        .filter_map(
            |policy| match graph.object_for_subject_predicate(policy, tree::VALUE)? {
                TermRef::Literal(value) => duration(value.value()),
                _ => None,
            },
        )
        .min()
}

/// An `xsd:duration` in seconds, a month counted as 30 days and a year as 365.
fn duration(lexical: &str) -> Option<std::time::Duration> {
    let d = oxsdatatypes::Duration::from_str(lexical.trim()).ok()?;
    let days = d.years() * 365 + d.months() * 30 + d.days();
    let whole = (days * 24 + d.hours()) * 3600 + d.minutes() * 60;
    let seconds = whole as f64 + f64::from(oxsdatatypes::Double::from(d.seconds()));
    (seconds >= 0.0).then(|| std::time::Duration::from_secs_f64(seconds))
}

/// An `xsd:dateTime` as an instant; one without a time zone is read as UTC.
fn instant(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339)
        .or_else(|_| OffsetDateTime::parse(&format!("{text}Z"), &Rfc3339))
        .ok()
}

/// The paths the stream declares, or the DCAT-AP feed defaults.
struct Paths {
    timestamp: NamedNode,
    version_of: NamedNode,
    sequence: Option<NamedNode>,
}

impl Paths {
    fn of(graph: &Graph) -> Self {
        let stream = graph.subject_for_predicate_object(rdf::TYPE, ldes::EVENT_STREAM);
        let path = |predicate: NamedNodeRef<'static>| {
            stream
                .and_then(|s| graph.object_for_subject_predicate(s, predicate))
                .and_then(|o| match o {
                    TermRef::NamedNode(n) => Some(n.into_owned()),
                    // Longer SHACL paths are not supported: the defaults stand.
                    _ => None,
                })
        };
        Self {
            timestamp: path(ldes::TIMESTAMP_PATH).unwrap_or(activity::PUBLISHED.into_owned()),
            version_of: path(ldes::VERSION_OF_PATH).unwrap_or(activity::OBJECT.into_owned()),
            sequence: path(ldes::SEQUENCE_PATH),
        }
    }
}

/// A parsed page: the default graph (the stream, its view and the events) and the named
/// graphs (the states), with the order in which subjects first appear.
struct Document {
    default: Graph,
    order: Vec<NamedOrBlankNode>,
    listed: Vec<NamedOrBlankNode>,
    graphs: HashMap<NamedOrBlankNode, Vec<Triple>>,
}

impl Document {
    fn new(quads: Vec<Quad>) -> Self {
        let mut document = Self {
            default: Graph::new(),
            order: Vec::new(),
            listed: Vec::new(),
            graphs: HashMap::new(),
        };
        let mut seen = HashSet::new();
        for quad in quads {
            let name = match quad.graph_name {
                GraphName::NamedNode(n) => NamedOrBlankNode::from(n),
                GraphName::BlankNode(b) => NamedOrBlankNode::from(b),
                GraphName::DefaultGraph => {
                    document.add_default(Triple::from(quad), &mut seen);
                    continue;
                }
            };
            let triple = Triple::new(quad.subject, quad.predicate, quad.object);
            document.graphs.entry(name).or_default().push(triple);
        }
        document
    }

    fn add_default(&mut self, triple: Triple, seen: &mut HashSet<NamedOrBlankNode>) {
        if seen.insert(triple.subject.clone()) {
            self.order.push(triple.subject.clone());
        }
        if triple.predicate == tree::MEMBER
            && let Some(member) = as_subject(&triple.object)
        {
            self.listed.push(member);
        }
        self.default.insert(&triple);
    }

    /// The members in document order: what `tree:member` lists and what names an entity at
    /// the version-of path (pages that forget `tree:member` still carry their events).
    fn members(&self, paths: &Paths) -> Vec<NamedOrBlankNode> {
        let listed: HashSet<&NamedOrBlankNode> = self.listed.iter().collect();
        let mut members: Vec<NamedOrBlankNode> = self
            .order
            .iter()
            .filter(|s| {
                listed.contains(s)
                    || self
                        .default
                        .object_for_subject_predicate(*s, &paths.version_of)
                        .is_some()
            })
            .cloned()
            .collect();
        let described: HashSet<NamedOrBlankNode> = members.iter().cloned().collect();
        let mut rest = HashSet::new();
        for member in &self.listed {
            if !described.contains(member) && rest.insert(member) {
                members.push(member.clone());
            }
        }
        members
    }

    fn event(&mut self, member: &NamedOrBlankNode, paths: &Paths) -> Result<LdesEvent, SkipReason> {
        let activity = self.activity(member.as_ref())?;
        let object = self.object(member.as_ref(), &paths.version_of)?;
        let state = self.graphs.remove(member).unwrap_or_default();
        let described = state
            .iter()
            .any(|t| matches!(&t.subject, NamedOrBlankNode::NamedNode(s) if *s == object));
        if activity != Activity::Delete && !described {
            return Err(SkipReason::NoState);
        }
        let literal = |path: Option<&NamedNode>| {
            path.and_then(|p| self.default.object_for_subject_predicate(member, p))
                .and_then(|o| match o {
                    TermRef::Literal(l) => Some(l.value().to_owned()),
                    _ => None,
                })
        };
        Ok(LdesEvent {
            id: member.clone(),
            activity,
            object,
            published: literal(Some(&paths.timestamp)),
            sequence: literal(paths.sequence.as_ref()).and_then(|s| s.trim().parse().ok()),
            state,
        })
    }

    fn activity(&self, member: NamedOrBlankNodeRef<'_>) -> Result<Activity, SkipReason> {
        let mut unknown = None;
        for class in self
            .default
            .objects_for_subject_predicate(member, rdf::TYPE)
        {
            let TermRef::NamedNode(class) = class else {
                continue;
            };
            match class {
                c if c == activity::CREATE => return Ok(Activity::Create),
                c if c == activity::UPDATE => return Ok(Activity::Update),
                c if c == activity::DELETE || c == activity::REMOVE => {
                    return Ok(Activity::Delete);
                }
                c if c.as_str().starts_with(activity::NS) => unknown = Some(c.into_owned()),
                _ => {}
            }
        }
        match unknown {
            Some(class) => Err(SkipReason::UnknownActivity(class)),
            None => Ok(Activity::Update),
        }
    }

    fn object(
        &self,
        member: NamedOrBlankNodeRef<'_>,
        path: &NamedNode,
    ) -> Result<NamedNode, SkipReason> {
        let objects: Vec<TermRef<'_>> = self
            .default
            .objects_for_subject_predicate(member, path)
            .collect();
        match objects.as_slice() {
            [TermRef::NamedNode(n)] => Ok(n.into_owned()),
            [] | [_] => Err(SkipReason::NoObject),
            _ => Err(SkipReason::SeveralObjects),
        }
    }

    /// The pages this one links to, sorted, without itself; its views only if `views`.
    fn links(&self, base_iri: Option<&str>, views: bool) -> Vec<NamedNode> {
        let own = base_iri.map(|b| b.split('#').next().unwrap_or(b));
        let graph = &self.default;
        let relations = graph
            .triples_for_predicate(tree::RELATION)
            .filter_map(|t| match t.object {
                TermRef::NamedNode(n) => Some(NamedOrBlankNodeRef::from(n)),
                TermRef::BlankNode(b) => Some(b.into()),
                TermRef::Literal(_) => None,
            })
            .flat_map(|r| graph.objects_for_subject_predicate(r, tree::NODE));
        let views = graph
            .triples_for_predicate(tree::VIEW)
            .filter(|_| views)
            .map(|t| t.object);
        let next = graph.triples_for_predicate(hydra::NEXT).map(|t| t.object);
        let mut links: Vec<NamedNode> = relations
            .chain(views)
            .chain(next)
            .filter_map(|o| match o {
                TermRef::NamedNode(n) if Some(n.as_str()) != own => Some(n.into_owned()),
                _ => None,
            })
            .collect();
        links.sort();
        links.dedup();
        links
    }
}

/// Applies events in their order to a graph, as DIGG's test cases prescribe:
///
/// - a create or update replaces the entity's description (its triples and those of the
///   blank nodes it reaches) with the event's state; IRIs that the state describes and
///   reaches from the entity (embedded entities, as katalog's own records carry their
///   distributions) are replaced in the same way; what the state says about other
///   subjects is added;
/// - a delete removes the entity's description. Links to it from other entities stay (the
///   publisher sends updates for those: a catalogue keeps `dcat:dataset` to a deleted
///   dataset until its own update drops it), and so do the IRIs it pointed to, standalone
///   entities with their own events (agents, contact points, distributions);
/// - links to entities not (yet) described are kept as they are.
///
/// The report compares each event's entity before and after all events: added (not
/// described before, described after), removed (the reverse), updated (described before and
/// after, differently up to blank-node labels); an entity created and deleted in the same
/// run is not reported, nor one that events left as it was.
pub fn apply(before: Vec<Triple>, events: &[LdesEvent]) -> (Vec<Triple>, LdesReport) {
    let mut graph: Graph = before.into_iter().collect();
    let entities = entities(&graph);
    let mut touched: Vec<(NamedNode, Option<Vec<Triple>>)> = Vec::new();
    let mut seen = HashSet::new();
    for event in events {
        if seen.insert(event.object.clone()) {
            let original = entities
                .contains(&event.object)
                .then(|| description(&graph, event.object.as_ref()));
            touched.push((event.object.clone(), original));
        }
        match event.activity {
            Activity::Delete => remove_description(&mut graph, event.object.as_ref()),
            Activity::Create | Activity::Update => upsert(&mut graph, event),
        }
    }
    let report = report(&graph, entities.len(), &touched);
    (graph.iter().map(TripleRef::into_owned).collect(), report)
}

/// The IRIs the graph describes.
fn entities(graph: &Graph) -> HashSet<NamedNode> {
    graph
        .iter()
        .filter_map(|t| match t.subject {
            NamedOrBlankNodeRef::NamedNode(n) => Some(n.into_owned()),
            NamedOrBlankNodeRef::BlankNode(_) => None,
        })
        .collect()
}

fn report(
    graph: &Graph,
    entities: usize,
    touched: &[(NamedNode, Option<Vec<Triple>>)],
) -> LdesReport {
    let mut report = LdesReport::default();
    for (object, original) in touched {
        let now = description(graph, object.as_ref());
        let uri = object.as_str().to_owned();
        match original {
            None if !now.is_empty() => report.added_uris.push(uri),
            Some(_) if now.is_empty() => report.removed_uris.push(uri),
            Some(old) if !isomorphic(old, &now) => report.updated_uris.push(uri),
            _ => {}
        }
    }
    report.added = report.added_uris.len();
    report.removed = report.removed_uris.len();
    report.updated = report.updated_uris.len();
    report.unchanged = entities - report.removed - report.updated;
    report
}

fn upsert(graph: &mut Graph, event: &LdesEvent) {
    for subject in reached_iris(&event.state, &event.object) {
        remove_description(graph, subject.as_ref());
    }
    graph.extend(&event.state);
}

/// The IRIs `state` describes that are reached from `start` (itself included), through
/// IRIs and blank nodes it describes.
fn reached_iris(state: &[Triple], start: &NamedNode) -> Vec<NamedNode> {
    let mut by_subject: HashMap<&NamedOrBlankNode, Vec<&Term>> = HashMap::new();
    for t in state {
        by_subject.entry(&t.subject).or_default().push(&t.object);
    }
    let start = NamedOrBlankNode::from(start.clone());
    let mut seen = HashSet::from([start.clone()]);
    let mut queue = VecDeque::from([start]);
    let mut iris = Vec::new();
    while let Some(node) = queue.pop_front() {
        for object in by_subject.get(&node).into_iter().flatten() {
            let Some(next) = as_subject(object) else {
                continue;
            };
            if by_subject.contains_key(&next) && seen.insert(next.clone()) {
                queue.push_back(next);
            }
        }
        if let NamedOrBlankNode::NamedNode(n) = node {
            iris.push(n);
        }
    }
    iris
}

/// The term as a subject, unless it is a literal.
fn as_subject(term: &Term) -> Option<NamedOrBlankNode> {
    match term {
        Term::NamedNode(n) => Some(n.clone().into()),
        Term::BlankNode(b) => Some(b.clone().into()),
        Term::Literal(_) => None,
    }
}

fn remove_description(graph: &mut Graph, entity: NamedNodeRef<'_>) {
    for triple in description(graph, entity) {
        graph.remove(&triple);
    }
}

/// The triples about `entity` and about the blank nodes it reaches.
fn description(graph: &Graph, entity: NamedNodeRef<'_>) -> Vec<Triple> {
    let start = NamedOrBlankNode::from(entity.into_owned());
    let mut seen = HashSet::from([start.clone()]);
    let mut queue = VecDeque::from([start]);
    let mut triples = Vec::new();
    while let Some(node) = queue.pop_front() {
        for triple in graph.triples_for_subject(&node) {
            if let TermRef::BlankNode(b) = triple.object {
                let blank = NamedOrBlankNode::from(b.into_owned());
                if seen.insert(blank.clone()) {
                    queue.push_back(blank);
                }
            }
            triples.push(triple.into_owned());
        }
    }
    triples
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rdf::parse_graph;

    const PREFIXES: &str = "
        @prefix ldes: <https://w3id.org/ldes#> .
        @prefix tree: <https://w3id.org/tree#> .
        @prefix as: <https://www.w3.org/ns/activitystreams#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        @prefix dcat: <http://www.w3.org/ns/dcat#> .
        @prefix dcterms: <http://purl.org/dc/terms/> .
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix ex: <http://example.com/> .
    ";
    const PAGE: &str = "http://feed.example/ldes?page=1";

    fn read(trig: &str) -> LdesPage {
        let text = format!("{PREFIXES}{trig}");
        read_page(
            text.as_bytes(),
            RdfFormat::TriG,
            Some(PAGE),
            &Limits::DEFAULT,
        )
        .unwrap()
    }

    fn turtle(text: &str) -> Vec<Triple> {
        parse_graph(
            format!("{PREFIXES}{text}").as_bytes(),
            RdfFormat::Turtle,
            None,
        )
        .unwrap()
    }

    fn ids(page: &LdesPage) -> Vec<String> {
        page.events.iter().map(|e| e.id.to_string()).collect()
    }

    fn title(graph: &[Triple], entity: &str) -> Vec<String> {
        graph
            .iter()
            .filter(|t| t.subject.to_string() == format!("<{entity}>"))
            .filter(|t| t.predicate == crate::rdf::ns::dcterms::TITLE)
            .map(|t| t.object.to_string())
            .collect()
    }

    /// Two updates at the same instant: the stream's sequence path orders them (the case
    /// DIGG's unmerged test27 describes); without one, the page's order stands.
    #[test]
    fn events_at_the_same_time_follow_the_sequence_then_the_page() {
        let events = "
            <#Feed> a ldes:EventStream ; ldes:timestampPath as:published ;
                ldes:versionOfPath as:object SEQUENCE ;
                tree:member <http://example.com/b#Event2>, <http://example.com/b#Event1> .
            <http://example.com/b#Event2> a as:Update ; as:object ex:b ; sh:order 2 ;
                as:published \"2023-10-01T12:00:00Z\"^^xsd:dateTime .
            <http://example.com/b#Event2> { ex:b a dcat:Dataset ; dcterms:title \"Twice\" . }
            <http://example.com/b#Event1> a as:Update ; as:object ex:b ; sh:order 1 ;
                as:published \"2023-10-01T14:00:00+02:00\"^^xsd:dateTime .
            <http://example.com/b#Event1> { ex:b a dcat:Dataset ; dcterms:title \"Once\" . }
        ";
        let with = read(&events.replace("SEQUENCE", "; ldes:sequencePath sh:order"));
        assert_eq!(
            ids(&with),
            [
                "<http://example.com/b#Event1>",
                "<http://example.com/b#Event2>"
            ]
        );
        let before = turtle("ex:b a dcat:Dataset ; dcterms:title \"B\" .");
        let (after, report) = apply(before, &with.events);
        assert_eq!(title(&after, "http://example.com/b"), ["\"Twice\""]);
        assert_eq!((report.updated, report.updated_uris.len()), (1, 1));
        let without = read(&events.replace("SEQUENCE", ""));
        assert_eq!(
            ids(&without),
            [
                "<http://example.com/b#Event2>",
                "<http://example.com/b#Event1>"
            ]
        );
    }

    #[test]
    fn members_that_cannot_be_applied_are_skipped_with_the_reason() {
        let page = read(
            "
            <#Feed> a ldes:EventStream ;
                tree:member <http://e/1>, <http://e/2>, <http://e/3>, <http://e/4>, <http://e/5> .
            <http://e/1> a as:Add ; as:object ex:a .
            <http://e/1> { ex:a a dcat:Dataset . }
            <http://e/2> a as:Update .
            <http://e/3> a as:Create ; as:object ex:c .
            <http://e/4> a as:Remove ; as:object ex:d .
            <http://e/5> as:object ex:e .
            <http://e/5> { ex:e a dcat:Dataset . }
        ",
        );
        let reasons: Vec<_> = page.skipped.iter().map(|s| s.reason.clone()).collect();
        assert_eq!(
            reasons,
            [
                SkipReason::UnknownActivity(NamedNode::new_unchecked(
                    "https://www.w3.org/ns/activitystreams#Add"
                )),
                SkipReason::NoObject,
                SkipReason::NoState,
            ]
        );
        let kinds: Vec<_> = page.events.iter().map(|e| e.activity).collect();
        // A remove is a delete (the spec's early drafts); no type is an upsert.
        assert_eq!(kinds, [Activity::Delete, Activity::Update]);
    }

    #[test]
    fn links_are_relations_views_and_hydra_next_without_the_page_itself() {
        let page = read(
            "
            <#Feed> a ldes:EventStream ; tree:view <> , <http://feed.example/root> .
            <> tree:relation [ a tree:GreaterThanOrEqualToRelation ;
                    tree:node <http://feed.example/ldes?page=2> ] ;
                <http://www.w3.org/ns/hydra/core#next> <http://feed.example/ldes?page=2> .
        ",
        );
        let links: Vec<&str> = page.links.iter().map(NamedNode::as_str).collect();
        assert_eq!(
            links,
            [
                "http://feed.example/ldes?page=2",
                "http://feed.example/root"
            ]
        );
    }

    #[test]
    fn a_page_with_members_is_its_own_view_and_its_retention_is_read() {
        let page = read(
            "
            <#Feed> a ldes:EventStream ; tree:view <http://feed.example/ldes?page=1> ;
                ldes:retentionPolicy [ a ldes:DurationAgoPolicy ;
                    tree:value \"P1DT2H\"^^<http://www.w3.org/2001/XMLSchema#duration> ] ;
                tree:member <http://e/1> .
            <http://e/1> a as:Delete ; as:object ex:a .
        ",
        );
        assert!(page.links.is_empty(), "{:?}", page.links);
        assert_eq!(
            page.retention,
            Some(std::time::Duration::from_secs(26 * 3600))
        );
        assert_eq!(
            duration("P1Y2M"),
            Some(std::time::Duration::from_secs(425 * 86400))
        );
        assert_eq!(duration("-P1D"), None);
    }

    /// The example of the spec, in JSON-LD.
    #[test]
    fn reads_json_ld_pages() {
        let json = r##"{
            "@context": { "as": "https://www.w3.org/ns/activitystreams#",
                "tree": "https://w3id.org/tree#", "ldes": "https://w3id.org/ldes#",
                "member": "tree:member", "object": { "@id": "as:object", "@type": "@id" },
                "published": { "@id": "as:published",
                    "@type": "http://www.w3.org/2001/XMLSchema#dateTime" } },
            "@id": "#Feed", "@type": "ldes:EventStream",
            "member": [
                { "@id": "https://example.org/Dataset1#Event2", "@type": "as:Delete",
                  "object": "https://example.org/Dataset1",
                  "published": "2023-10-01T13:00:00Z" },
                { "@id": "https://example.org/Dataset1#Event1", "@type": "as:Create",
                  "object": "https://example.org/Dataset1",
                  "published": "2023-10-01T12:00:00Z",
                  "@graph": { "@id": "https://example.org/Dataset1",
                      "@type": "http://www.w3.org/ns/dcat#Dataset" } } ] }"##;
        let format = RdfFormat::JsonLd {
            profile: oxigraph::io::JsonLdProfileSet::empty(),
        };
        let page = read_page(json.as_bytes(), format, Some(PAGE), &Limits::DEFAULT).unwrap();
        let kinds: Vec<_> = page.events.iter().map(|e| e.activity).collect();
        assert_eq!(kinds, [Activity::Create, Activity::Delete]);
        assert_eq!(page.events[0].state.len(), 1);
        assert_eq!(
            page.events[0].published.as_deref(),
            Some("2023-10-01T12:00:00Z")
        );
        let (after, report) = apply(Vec::new(), &page.events);
        assert!(after.is_empty());
        assert_eq!(report, LdesReport::default());
    }

    /// katalog's own `/ldes` pages, as its writer makes them, read back.
    #[test]
    fn reads_katalogs_own_feed() {
        use crate::store::{Activity as Stored, Event};
        let base = "http://katalog.test/";
        let dataset = "http://katalog.test/datasets/a";
        let state = format!(
            "<{dataset}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> \
             <http://www.w3.org/ns/dcat#Dataset> .\n\
             <{dataset}> <http://purl.org/dc/terms/title> \"A\" .\n\
             <{dataset}> <http://www.w3.org/ns/dcat#distribution> <{dataset}/d> .\n\
             <{dataset}/d> <http://purl.org/dc/terms/title> \"D\" .\n"
        );
        let event = |seq, activity, published: &str, state: &str| Event {
            seq,
            activity,
            object: NamedNode::new_unchecked(dataset),
            published: published.to_owned(),
            state: state.to_owned(),
        };
        let events = [
            event(0, Stored::Create, "2025-01-01T10:00:00.000Z", &state),
            event(
                1,
                Stored::Update,
                "2025-01-01T10:00:00.000Z",
                &state.replace("\"D\"", "\"E\""),
            ),
            event(2, Stored::Delete, "2025-01-02T10:00:00.001Z", ""),
        ];
        for format in [RdfFormat::TriG, RdfFormat::NQuads] {
            let bytes = crate::feeds::ldes::write_page(base, 1, 2, &events, format).unwrap();
            let page_iri = format!("{base}ldes?page=1");
            let page = read_page(&bytes, format, Some(&page_iri), &Limits::DEFAULT).unwrap();
            assert!(page.skipped.is_empty(), "{:?}", page.skipped);
            let kinds: Vec<_> = page.events.iter().map(|e| e.activity).collect();
            assert_eq!(
                kinds,
                [Activity::Create, Activity::Update, Activity::Delete]
            );
            assert_eq!(
                page.events[1].id.to_string(),
                format!("<{base}ldes/events/1>")
            );
            assert_eq!(page.events[1].state.len(), 4);
            let next: Vec<&str> = page.links.iter().map(NamedNode::as_str).collect();
            assert_eq!(next, [format!("{base}ldes?page=2")]);
            // The distribution travels inside the dataset's record and is replaced with it.
            let (after, report) = apply(Vec::new(), &page.events[..2]);
            assert_eq!(title(&after, &format!("{dataset}/d")), ["\"E\""]);
            assert_eq!(report.added_uris, [dataset]);
        }
    }

    #[test]
    fn an_update_to_the_same_state_is_unchanged_and_blank_nodes_go_with_their_entity() {
        let before = turtle(
            "
            ex:b a dcat:Dataset ; dcterms:title \"B\" ;
                dcat:contactPoint [ a <http://www.w3.org/2006/vcard#Kind> ] .
            ex:c a dcat:Dataset ; dcterms:title \"C\" .
        ",
        );
        let page = read(
            "
            <http://e/1> a as:Update ; as:object ex:b ;
                as:published \"2023-10-01T12:00:00Z\"^^xsd:dateTime .
            <http://e/1> { ex:b a dcat:Dataset ; dcterms:title \"B\" ;
                dcat:contactPoint [ a <http://www.w3.org/2006/vcard#Kind> ] . }
            <http://e/2> a as:Update ; as:object ex:c ;
                as:published \"2023-10-01T12:00:00Z\"^^xsd:dateTime .
            <http://e/2> { ex:c a dcat:Dataset ; dcterms:title \"C2\" ;
                dcat:contactPoint [ a <http://www.w3.org/2006/vcard#Kind> ] . }
            <http://e/3> a as:Delete ; as:object ex:b ;
                as:published \"2023-10-01T13:00:00Z\"^^xsd:dateTime .
        ",
        );
        let (after, report) = apply(before.clone(), &page.events[..2]);
        assert_eq!(after.len(), before.len() + 2);
        assert_eq!((report.updated, report.unchanged), (1, 1));
        let (after, report) = apply(before, &page.events);
        assert_eq!(after.len(), 4, "ex:b and its contact point are gone");
        assert_eq!(report.removed_uris, ["http://example.com/b"]);
        assert_eq!(report.unchanged, 0);
    }

    #[test]
    fn the_report_is_written_as_the_suite_writes_it() {
        let report = LdesReport {
            added: 1,
            added_uris: vec!["http://example.com/a".into()],
            ..LdesReport::default()
        };
        assert_eq!(
            serde_json::to_value(&report).unwrap(),
            serde_json::json!({ "added": 1, "removed": 0, "updated": 0, "unchanged": 0,
                "addedURIs": ["http://example.com/a"], "removedURIs": [], "updatedURIs": [] })
        );
    }
}
