//! Reading an LDES DCAT-AP source: the stream's pages from the page where the last run
//! stopped, and the events after the last one applied, in the order they happened. The
//! whole stream is read again when there is no such page (the first run, one asked for, a
//! page the stream pruned) or when the stream's retention window may have dropped deletes
//! since the last run.
use super::dcat::MAX_PAGES;
use super::ldes::{LdesEvent, order_of, read_page};
use super::report::RunReport;
use super::{Fetcher, HarvestError};
use crate::rdf::{Limits, input_format_for_media_type};
use oxigraph::io::RdfFormat;
use oxigraph::model::NamedOrBlankNode;
use serde::{Deserialize, Serialize};
use std::collections::{HashSet, VecDeque};
use std::time::Duration;

const ACCEPT: &str = "application/trig, application/n-quads;q=0.9, \
                      application/ld+json;q=0.8, text/turtle;q=0.5, */*;q=0.1";

/// Where a source's stream was left, kept between runs as the source's position (JSON).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Position {
    /// The page that holds the last event applied: the next run starts there.
    pub page: String,
    /// The time (`as:published` text) of the last event applied.
    pub published: Option<String>,
    pub sequence: Option<i64>,
    /// The members of that time and sequence applied already: events of one instant may
    /// arrive over two runs.
    pub members: Vec<String>,
    /// When the stream was last read (Unix seconds).
    pub read_at: i64,
}

impl Position {
    /// The position a source keeps; None for none, or for one of another kind of source.
    pub fn parse(text: Option<&str>) -> Option<Self> {
        text.and_then(|t| serde_json::from_str(t).ok())
    }

    pub fn to_text(&self) -> String {
        serde_json::to_string(self).expect("a position serialises")
    }

    fn precedes(&self, event: &LdesEvent) -> bool {
        let last = order_of(self.published.as_deref(), self.sequence);
        match event.order().cmp(&last) {
            std::cmp::Ordering::Less => false,
            std::cmp::Ordering::Greater => true,
            // A blank-node member of the same instant cannot be told apart: taken as applied.
            std::cmp::Ordering::Equal => {
                member_id(event).is_some_and(|id| !self.members.contains(&id))
            }
        }
    }
}

/// The events of a run.
pub struct Gathered {
    /// The events not applied yet, in the order they happened.
    pub events: Vec<LdesEvent>,
    /// The stream was read from its start: its events give the source's whole state.
    pub full: bool,
    /// Where the next run starts; None while the stream has no events.
    pub position: Option<Position>,
}

/// Reads the stream at `url`, from `last` when there is one. `report.complete` tells
/// whether every page was read.
pub async fn gather(
    fetcher: &Fetcher,
    url: &str,
    last: Option<&Position>,
    limits: &Limits,
    report: &mut RunReport,
) -> Result<Gathered, HarvestError> {
    if let Some(last) = last {
        match read(fetcher, &last.page, limits, report).await? {
            None => report.warn(format!(
                "the page where the last run stopped ({}) is gone: the whole stream is read again",
                last.page
            )),
            Some(stream) => match stream.missed(last) {
                Some(why) => report.warn(format!("{why}: the whole stream is read again")),
                None => return Ok(stream.after(Some(last))),
            },
        }
    }
    match read(fetcher, url, limits, report).await? {
        Some(stream) => Ok(stream.after(None)),
        None => Err(HarvestError::Source(format!("{url} is gone (HTTP 404)"))),
    }
}

/// The events of the pages read, each with the page it came from.
struct Stream {
    pages: Vec<String>,
    events: Vec<(usize, LdesEvent)>,
    retention: Option<Duration>,
}

impl Stream {
    /// Why events may have been missed since `last`, if they may: the stream keeps events
    /// for less time than has passed, or the page no longer holds the last event applied.
    fn missed(&self, last: &Position) -> Option<String> {
        let away = crate::accounts::now().saturating_sub(last.read_at).max(0) as u64;
        if let Some(kept) = self.retention
            && away > kept.as_secs()
        {
            return Some(format!(
                "the stream keeps events for {} s and was last read {away} s ago",
                kept.as_secs()
            ));
        }
        let applied: HashSet<&String> = last.members.iter().collect();
        let found = self
            .events
            .iter()
            .filter_map(|(_, e)| member_id(e))
            .any(|id| applied.contains(&id));
        (!applied.is_empty() && !found).then(|| {
            format!(
                "{} no longer holds the last event applied, so events may have been pruned",
                last.page
            )
        })
    }

    /// The events after `last` (all of them without one), and the position after them.
    fn after(self, last: Option<&Position>) -> Gathered {
        let read_at = crate::accounts::now();
        let mut events: Vec<(usize, LdesEvent)> = self
            .events
            .into_iter()
            .filter(|(_, e)| last.is_none_or(|l| l.precedes(e)))
            .collect();
        // Stable: events of one time and sequence keep the order of pages and members.
        events.sort_by_cached_key(|(_, e)| e.order());
        let position = match events.last() {
            Some((page, newest)) => {
                let order = newest.order();
                let same_instant = events.iter().filter(|(_, e)| e.order() == order);
                let mut members: Vec<String> =
                    same_instant.filter_map(|(_, e)| member_id(e)).collect();
                if let Some(last) =
                    last.filter(|l| order_of(l.published.as_deref(), l.sequence) == order)
                {
                    members.extend(last.members.iter().cloned());
                }
                Some(Position {
                    page: self.pages[*page].clone(),
                    published: newest.published.clone(),
                    sequence: newest.sequence,
                    members,
                    read_at,
                })
            }
            None => last.map(|l| Position {
                read_at,
                ..l.clone()
            }),
        };
        Gathered {
            events: events.into_iter().map(|(_, e)| e).collect(),
            full: last.is_none(),
            position,
        }
    }
}

/// Reads the page at `start` and every page it leads to; None when `start` is gone (404 or
/// 410).
async fn read(
    fetcher: &Fetcher,
    start: &str,
    limits: &Limits,
    report: &mut RunReport,
) -> Result<Option<Stream>, HarvestError> {
    let mut stream = Stream {
        pages: Vec::new(),
        events: Vec::new(),
        retention: None,
    };
    let mut seen: HashSet<String> = HashSet::from([start.to_owned()]);
    let mut members = HashSet::new();
    let mut queue = VecDeque::from([start.to_owned()]);
    report.complete = true;
    while let Some(url) = queue.pop_front() {
        if stream.pages.len() == MAX_PAGES {
            report.warn(format!("more than {MAX_PAGES} pages: the rest is not read"));
            report.complete = false;
            break;
        }
        let fetched = fetcher.get(&url, ACCEPT).await.inspect_err(|_| {
            report.fetched(&url, None, 0);
        })?;
        report.fetched(&fetched.url, Some(fetched.status), fetched.body.len());
        if stream.pages.is_empty() && matches!(fetched.status, 404 | 410) {
            return Ok(None);
        }
        if !(200..300).contains(&fetched.status) {
            return Err(HarvestError::Source(format!(
                "{} answered HTTP {}",
                fetched.url, fetched.status
            )));
        }
        // TriG reads Turtle and N-Triples as well; JSON-LD must be said.
        let format = match fetched
            .content_type
            .as_deref()
            .and_then(input_format_for_media_type)
        {
            Some(RdfFormat::Turtle | RdfFormat::NTriples) | None => RdfFormat::TriG,
            Some(format) => format,
        };
        let page = read_page(&fetched.body, format, Some(&fetched.url), limits)
            .map_err(|e| HarvestError::Source(format!("{}: {e}", fetched.url)))?;
        for skipped in &page.skipped {
            // Its entity's state is unknown: nothing vanishes after this run.
            report.passed_over += 1;
            report.warn(format!(
                "{}: member {} is not applied: {}",
                fetched.url, skipped.member, skipped.reason
            ));
        }
        stream.retention = stream.retention.or(page.retention);
        let index = stream.pages.len();
        stream.pages.push(fetched.url.clone());
        // A member listed on two pages is one event.
        let new = page
            .events
            .into_iter()
            .filter(|e| member_id(e).is_none_or(|id| members.insert(id)));
        stream.events.extend(new.map(|e| (index, e)));
        for link in page.links {
            if seen.insert(link.as_str().to_owned()) {
                queue.push_back(link.into_string());
            }
        }
    }
    Ok(Some(stream))
}

/// A member as the position keeps it; None for a blank node, whose label means nothing on
/// the next read.
fn member_id(event: &LdesEvent) -> Option<String> {
    match &event.id {
        NamedOrBlankNode::NamedNode(n) => Some(n.as_str().to_owned()),
        NamedOrBlankNode::BlankNode(_) => None,
    }
}
