//! Reading a CKAN source: every package through `package_search`, page by page, mapped to
//! DCAT-AP-SE triples by the mapping in `vocab/ckan-mapping.ttl`.
use super::ckan::{self, CkanMapping, MapContext};
use super::dcat::MAX_PAGES;
use super::report::RunReport;
use super::{Fetcher, HarvestError};
use crate::accounts::Organisation;
use oxigraph::model::{NamedNode, Triple};

/// Packages asked for per page (CKAN's own maximum is 1000).
const ROWS: usize = 100;

/// The triples of every package of the site at `url`. `report.complete` tells whether every
/// page was read.
pub async fn gather(
    fetcher: &Fetcher,
    url: &str,
    org: &Organisation,
    report: &mut RunReport,
) -> Result<Vec<Triple>, HarvestError> {
    let mapping = CkanMapping::shipped()?;
    let publisher = NamedNode::new_unchecked(&org.publisher_iri);
    let context = MapContext {
        site: url,
        publisher: &publisher,
        language: None,
    };
    let mut triples = Vec::new();
    let mut start = 0;
    report.complete = false;
    for _ in 0..MAX_PAGES {
        let page_url = ckan::search_url(url, ROWS, start);
        let fetched = fetcher
            .get(&page_url, "application/json")
            .await
            .inspect_err(|_| report.fetched(&page_url, None, 0))?;
        report.fetched(&page_url, Some(fetched.status), fetched.body.len());
        if !(200..300).contains(&fetched.status) {
            return Err(HarvestError::Source(format!(
                "{page_url} answered HTTP {}",
                fetched.status
            )));
        }
        let page = ckan::parse_search(&fetched.body)?;
        for package in &page.packages {
            match ckan::map_package(package, &mapping, &context) {
                Ok(mapped) => triples.extend(mapped),
                Err(e) => {
                    // Its records would look gone: nothing is removed after this run.
                    report.passed_over += 1;
                    report.warn(format!("a package of {page_url} is not mapped: {e}"));
                }
            }
        }
        start += page.packages.len();
        if page.packages.is_empty() || start >= page.count {
            report.complete = true;
            return Ok(triples);
        }
    }
    report.warn(format!("more than {MAX_PAGES} pages: the rest is not read"));
    Ok(triples)
}
