//! Reading a DCAT source: the catalogue document in whichever RDF syntax it is served,
//! its Hydra pages, and one level of `dcterms:hasPart` sub-catalogues (as dataportal.se
//! reads them).
use super::report::RunReport;
use super::{Fetcher, HarvestError, Validators};
use crate::rdf::ns::{dcat, dcterms, hydra, rdf};
use crate::rdf::{
    Document, Limits, input_format_for_media_type, parse_graph_lenient, sniff_format,
};
use oxigraph::model::{NamedNode, NamedNodeRef, Term};
use std::collections::{HashSet, VecDeque};

/// What the fetchers of every kind of source gather for a run.
#[derive(Default)]
pub struct Gathered {
    pub triples: Document,
    /// The source answered 304: nothing changed since the last run.
    pub not_modified: bool,
    /// The validators of the first page, for the next run's conditional GET.
    pub validators: Validators,
}

/// Pages read at most from one source; a sequence longer than this is partial.
pub const MAX_PAGES: usize = 1000;

const ACCEPT: &str = "text/turtle, application/rdf+xml;q=0.9, application/ld+json;q=0.8, \
                      application/n-triples;q=0.7, application/xml;q=0.5, */*;q=0.1";

/// Reads the catalogue at `url` with its pages and sub-catalogues. `report.complete` tells
/// whether every page was read.
pub async fn gather(
    fetcher: &Fetcher,
    url: &str,
    last: &Validators,
    limits: &Limits,
    report: &mut RunReport,
) -> Result<Gathered, HarvestError> {
    let mut gathered = Gathered::default();
    let first = fetch_page(fetcher, url, last, limits, report).await?;
    let Some(first) = first else {
        gathered.not_modified = true;
        gathered.validators = last.clone();
        report.complete = true;
        return Ok(gathered);
    };
    gathered.validators = first.1;
    let mut triples = first.0;
    let mut complete = follow_pages(fetcher, url, &mut triples, limits, report).await?;
    for part in sub_catalogues(&triples) {
        let mut part_triples = match fetch_page(
            fetcher,
            part.as_str(),
            &Validators::default(),
            limits,
            report,
        )
        .await
        {
            Ok(Some((t, _))) => t,
            Ok(None) => Document::default(),
            Err(e) => {
                report.warn(format!("sub-catalogue {part}: {e}"));
                complete = false;
                continue;
            }
        };
        complete &= follow_pages(fetcher, part.as_str(), &mut part_triples, limits, report).await?;
        triples.append(part_triples);
    }
    report.complete = complete;
    gathered.triples = triples;
    Ok(gathered)
}

/// Follows `hydra:next` from the page whose triples are `triples`, adding each page's. False
/// when the sequence was cut at [`MAX_PAGES`]; a page seen before ends it (a loop).
async fn follow_pages(
    fetcher: &Fetcher,
    start: &str,
    triples: &mut Document,
    limits: &Limits,
    report: &mut RunReport,
) -> Result<bool, HarvestError> {
    let mut seen: HashSet<String> = HashSet::from([start.to_owned()]);
    let mut queue: VecDeque<String> = next_pages(triples).into();
    while let Some(next) = queue.pop_front() {
        if !seen.insert(next.clone()) {
            report.warn(format!(
                "page {next} comes again: the page sequence loops; stopped there"
            ));
            continue;
        }
        if seen.len() > MAX_PAGES {
            report.warn(format!("more than {MAX_PAGES} pages: the rest is not read"));
            return Ok(false);
        }
        let Some((page, _)) =
            fetch_page(fetcher, &next, &Validators::default(), limits, report).await?
        else {
            return Err(HarvestError::Source(format!(
                "{next} answered 304 to a plain GET"
            )));
        };
        queue.extend(next_pages(&page));
        triples.append(page);
    }
    Ok(true)
}

/// Fetches and parses one page; None for 304 Not Modified.
async fn fetch_page(
    fetcher: &Fetcher,
    url: &str,
    last: &Validators,
    limits: &Limits,
    report: &mut RunReport,
) -> Result<Option<(Document, Validators)>, HarvestError> {
    let fetched = fetcher
        .get_if_changed(url, ACCEPT, last)
        .await
        .inspect_err(|_| report.fetched(url, None, 0))?;
    report.fetched(&fetched.url, Some(fetched.status), fetched.body.len());
    if fetched.status == 304 {
        return Ok(None);
    }
    if !(200..300).contains(&fetched.status) {
        return Err(HarvestError::Source(format!(
            "{} answered HTTP {}",
            fetched.url, fetched.status
        )));
    }
    let format = fetched
        .content_type
        .as_deref()
        .and_then(input_format_for_media_type)
        .unwrap_or_else(|| sniff_format(&fetched.body));
    let (triples, passed_over): (Document, _) =
        parse_graph_lenient(&fetched.body, format, Some(&fetched.url), limits)
            .map_err(|e| HarvestError::Source(format!("{}: {e}", fetched.url)))?;
    if triples.is_empty()
        && let Some(first) = passed_over.first()
    {
        return Err(HarvestError::Source(format!(
            "{}: not readable as {format}: {first}",
            fetched.url
        )));
    }
    report.passed_over += passed_over.len();
    for error in passed_over {
        report.warn(format!("{}: passed over: {error}", fetched.url));
    }
    Ok(Some((triples, fetched.validators)))
}

/// The pages a page names as next (`hydra:next`, or the older `hydra:nextPage`).
fn next_pages(triples: &Document) -> Vec<String> {
    let next_page = NamedNode::new_unchecked(format!("{}nextPage", hydra::NS.as_str()));
    let mut next: Vec<String> = triples
        .iter()
        .filter(|(_, p, _)| is(p, hydra::NEXT) || is(p, next_page.as_ref()))
        .filter_map(|(_, _, o)| match o {
            Term::NamedNode(n) => Some(n.as_str().to_owned()),
            _ => None,
        })
        .collect();
    next.sort();
    next.dedup();
    next
}

fn is(term: &Term, iri: NamedNodeRef<'_>) -> bool {
    matches!(term, Term::NamedNode(n) if n.as_ref() == iri)
}

/// Sub-catalogues to fetch: `dcterms:hasPart` of a catalogue, when the document does not
/// list their datasets itself.
fn sub_catalogues(triples: &Document) -> Vec<NamedNode> {
    let catalogue = Term::from(dcat::CATALOG.into_owned());
    let catalogues: HashSet<&Term> = triples
        .iter()
        .filter(|(_, p, o)| is(p, rdf::TYPE) && **o == catalogue)
        .map(|(s, _, _)| s)
        .collect();
    let listed: HashSet<&Term> = triples
        .iter()
        .filter(|(_, p, _)| is(p, dcat::DATASET_LINK))
        .map(|(s, _, _)| s)
        .collect();
    let mut parts: Vec<NamedNode> = triples
        .iter()
        .filter(|(s, p, _)| is(p, dcterms::HAS_PART) && catalogues.contains(s))
        .filter_map(|(_, _, o)| match o {
            Term::NamedNode(n) if !listed.contains(o) => Some(n.clone()),
            _ => None,
        })
        .collect();
    parts.sort();
    parts.dedup();
    parts
}
