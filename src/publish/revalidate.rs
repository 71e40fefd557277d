//! Re-checking stored records against the active shapes (at start-up, since the shapes or
//! katalog may have changed).
//!
//! A record that never passed (written without validation) and fails is left out of the
//! feeds and listed for its publisher, so one bad record never aborts a portal's harvest of
//! the others. A record that passed before and now fails is *not* dropped by the re-check
//! alone: an upgrade or a changed shapes file must never empty a feed overnight. It is served
//! as it last passed, listed as failing, and logged loudly, until an administrator applies
//! the new verdicts (`katalog recheck --apply` or `katalog serve --apply-recheck`).
use super::ingest::{Members, check_record};
use crate::shacl::Shapes;
use crate::store::{Catalogue, Record, RecordInfo, RecordKind, StoreError, Verdict};
use oxigraph::model::NamedNode;

/// What a start-up check found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Revalidation {
    /// Records validated again.
    pub checked: usize,
    /// Records whose stored content was already checked against these very shapes.
    pub skipped: usize,
    /// Records that fail and are left out of the feeds.
    pub failing: usize,
    /// Records that fail the active shapes but passed before: still served.
    pub still_served: Vec<NamedNode>,
    /// Of those, the ones this check found failing for the first time.
    pub newly_failing: usize,
}

/// Validates every stored record whose content was not yet checked against the active
/// shapes, and records the verdicts. Catalogues come last, so that they are checked with
/// the members the feeds will list. With `apply`, records that fail are left out of the
/// feeds even if they passed before.
pub fn revalidate_all(
    catalogue: &Catalogue,
    shapes: &Shapes,
    apply: bool,
) -> Result<Revalidation, StoreError> {
    let mut outcome = Revalidation::default();
    for catalogues in [false, true] {
        let index = catalogue.index()?;
        let members = Members::of(std::iter::empty(), &index);
        let records = index
            .records
            .iter()
            .filter(|r| (r.kind == RecordKind::Catalog) == catalogues);
        let check = Check {
            catalogue,
            shapes,
            members: &members,
            apply,
        };
        check.run(records, &mut outcome)?;
    }
    Ok(outcome)
}

struct Check<'a> {
    catalogue: &'a Catalogue,
    shapes: &'a Shapes,
    members: &'a Members,
    apply: bool,
}

impl Check<'_> {
    fn run<'r>(
        &self,
        records: impl Iterator<Item = &'r RecordInfo>,
        outcome: &mut Revalidation,
    ) -> Result<(), StoreError> {
        let digest = self.shapes.digest();
        let mut outcomes = Vec::new();
        for info in records {
            if self.already_checked(info, digest) {
                outcome.skipped += 1;
                outcome.failing += usize::from(info.invalid);
                if info.still_served {
                    outcome.still_served.push(info.iri.clone());
                }
                continue;
            }
            outcome.checked += 1;
            let verdict = match self.failure(info)? {
                None => Verdict::Passes,
                Some(report) if self.apply || !passed_before(info) => Verdict::LeftOut(report),
                Some(report) => {
                    outcome.newly_failing += usize::from(!info.still_served);
                    outcome.still_served.push(info.iri.clone());
                    Verdict::StillServed(report)
                }
            };
            outcome.failing += usize::from(matches!(verdict, Verdict::LeftOut(_)));
            let flagged = info.invalid || info.still_served;
            if verdict != Verdict::Passes || flagged || info.checked_with.as_deref() != digest {
                outcomes.push((info.iri.clone(), info.hash.to_string(), verdict));
            }
            // Written in batches: one transaction per record would be slow, one for all large.
            if outcomes.len() == BATCH {
                self.catalogue.set_checked(&outcomes, digest)?;
                outcomes.clear();
            }
        }
        self.catalogue.set_checked(&outcomes, digest)
    }

    /// A record's validity depends on its own content and the shapes only, except a
    /// catalogue's, which also depends on which records are its members: catalogues are
    /// always checked. Applying verdicts checks the records still served once more.
    fn already_checked(&self, info: &RecordInfo, digest: Option<&str>) -> bool {
        info.kind != RecordKind::Catalog
            && digest.is_some()
            && info.checked_with.as_deref() == digest
            && !(self.apply && info.still_served)
    }

    /// Validates one stored record as it was published; its violations as a JSON report,
    /// if it fails.
    fn failure(&self, info: &RecordInfo) -> Result<Option<String>, StoreError> {
        let triples = self
            .catalogue
            .record(info.iri.as_ref())?
            .unwrap_or_default();
        let record = Record {
            iri: info.iri.clone(),
            kind: info.kind,
            triples,
            warnings: None,
            stamp_modified: false,
            checked_with: None,
            origin: None,
        };
        let report = check_record(self.shapes, &record, self.members);
        Ok(report
            .has_violations()
            .then(|| report.to_json().to_string()))
    }
}

const BATCH: usize = 1000;

/// A record passed before when it was validated (against some shapes) and is served.
fn passed_before(info: &RecordInfo) -> bool {
    !info.invalid && (info.checked_with.is_some() || info.still_served)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publish::validate_and_note;
    use crate::store::{Split, split_records};
    use oxigraph::io::RdfFormat;

    const BASE: &str = "https://data.example.se/";

    fn generated() -> Split {
        let turtle = crate::generate::catalogue_turtle(2);
        let triples =
            crate::rdf::parse_graph(turtle.as_bytes(), RdfFormat::Turtle, Some(BASE)).unwrap();
        split_records(triples, BASE)
    }

    #[test]
    fn only_content_not_yet_checked_against_these_shapes_is_checked() {
        let dir = tempfile::tempdir().unwrap();
        let shipped = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("shapes");
        let shapes = Shapes::load(&[shipped]).unwrap();
        assert!(shapes.digest().is_some());
        let catalogue = Catalogue::open(dir.path()).unwrap();
        // Written without validation (as `--no-validation` does): nothing is known.
        catalogue.write(generated().records).unwrap();
        let first = revalidate_all(&catalogue, &shapes, false).unwrap();
        assert_eq!((first.checked, first.skipped, first.failing), (3, 0, 0));
        // Now checked against these shapes: only the catalogue, whose members may change.
        let again = revalidate_all(&catalogue, &shapes, false).unwrap();
        assert_eq!((again.checked, again.skipped, again.failing), (1, 2, 0));

        // A write validated by the publishing path records the digest itself.
        let dir = tempfile::tempdir().unwrap();
        let catalogue = Catalogue::open(dir.path()).unwrap();
        let mut split = generated();
        let members = Members::of(
            split.records.iter().map(|r| (&r.iri, r.kind)),
            &catalogue.index().unwrap(),
        );
        let report = validate_and_note(&shapes, &mut split.records, &members).report;
        assert!(!report.has_violations(), "{}", report.to_text());
        catalogue.write(split.records).unwrap();
        let first = revalidate_all(&catalogue, &shapes, false).unwrap();
        assert_eq!((first.checked, first.skipped, first.failing), (1, 2, 0));
    }
}
