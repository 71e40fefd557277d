//! Reading a DCAT source: the catalogue document in whichever RDF syntax it is served,
//! its Hydra pages, and one level of `dcterms:hasPart` sub-catalogues (as dataportal.se
//! reads them).
use super::report::RunReport;
use super::spool::Spool;
use super::{Fetcher, HarvestError, Validators};
use crate::rdf::{Limits, input_format_for_media_type, sniff_format};
use std::collections::{HashSet, VecDeque};
use std::io::Read;

/// What the fetchers of every kind of source gather for a run.
pub struct Gathered {
    /// The pages read, kept on disk; None when the source answered 304 (nothing changed
    /// since the last run).
    pub spool: Option<Spool>,
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
    let (hold, dir) = fetcher.spool_policy();
    let mut spool = Spool::holding(hold, dir)?;
    let Some((validators, next)) =
        fetch_page(fetcher, url, last, limits, &mut spool, report).await?
    else {
        report.complete = true;
        return Ok(Gathered {
            spool: None,
            validators: last.clone(),
        });
    };
    let mut complete = follow_pages(fetcher, url, next, limits, &mut spool, report).await?;
    for part in spool.sub_catalogues() {
        let fetched = fetch_page(
            fetcher,
            part.as_str(),
            &Validators::default(),
            limits,
            &mut spool,
            report,
        )
        .await;
        let next = match fetched {
            Ok(Some((_, next))) => next,
            Ok(None) => Vec::new(),
            Err(e) => {
                report.warn(format!("sub-catalogue {part}: {e}"));
                complete = false;
                continue;
            }
        };
        complete &= follow_pages(fetcher, part.as_str(), next, limits, &mut spool, report).await?;
    }
    report.complete = complete;
    // The first page's validators say nothing of the pages after it: a source of several
    // pages is read whole every time.
    let validators = match spool.pages() {
        1 => validators,
        _ => Validators::default(),
    };
    Ok(Gathered {
        spool: Some(spool),
        validators,
    })
}

/// Follows `hydra:next` from the page at `start`, which named `next`. False when the sequence
/// was cut at [`MAX_PAGES`]; a page seen before ends it (a loop).
async fn follow_pages(
    fetcher: &Fetcher,
    start: &str,
    next: Vec<String>,
    limits: &Limits,
    spool: &mut Spool,
    report: &mut RunReport,
) -> Result<bool, HarvestError> {
    let mut seen: HashSet<String> = HashSet::from([start.to_owned()]);
    let mut queue: VecDeque<String> = next.into();
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
        let Some((_, pages)) = fetch_page(
            fetcher,
            &next,
            &Validators::default(),
            limits,
            spool,
            report,
        )
        .await?
        else {
            return Err(HarvestError::Source(format!(
                "{next} answered 304 to a plain GET"
            )));
        };
        queue.extend(pages);
    }
    Ok(true)
}

/// Fetches one page into the spool; its validators and the pages it names as next, or None
/// for 304 Not Modified.
async fn fetch_page(
    fetcher: &Fetcher,
    url: &str,
    last: &Validators,
    limits: &Limits,
    spool: &mut Spool,
    report: &mut RunReport,
) -> Result<Option<(Validators, Vec<String>)>, HarvestError> {
    let file = spool.page_file();
    let fetched = fetcher
        .get_to_file(url, ACCEPT, last, &file)
        .await
        .inspect_err(|_| report.fetched(url, None, 0))?;
    report.fetched(&fetched.url, Some(fetched.status), fetched.size);
    if fetched.status == 304 {
        return Ok(None);
    }
    if !(200..300).contains(&fetched.status) {
        return Err(HarvestError::Source(format!(
            "{} answered HTTP {}",
            fetched.url, fetched.status
        )));
    }
    let format = match fetched
        .content_type
        .as_deref()
        .and_then(input_format_for_media_type)
    {
        Some(format) => format,
        None => sniff_format(&start_of(&file)?),
    };
    let page = spool
        .read_page(&file, format, Some(&fetched.url), limits)
        .map_err(|e| HarvestError::Source(format!("{}: {e}", fetched.url)))?;
    if page.triples == 0
        && let Some(first) = page.passed_over.first()
    {
        return Err(HarvestError::Source(format!(
            "{}: not readable as {format}: {first}",
            fetched.url
        )));
    }
    report.passed_over += page.passed_over.len();
    for error in page.passed_over {
        report.warn(format!("{}: passed over: {error}", fetched.url));
    }
    Ok(Some((fetched.validators, page.next)))
}

/// The first bytes of a fetched file, enough to tell its syntax.
fn start_of(file: &std::path::Path) -> std::io::Result<Vec<u8>> {
    let mut start = Vec::with_capacity(4096);
    std::fs::File::open(file)?
        .take(4096)
        .read_to_end(&mut start)?;
    Ok(start)
}
