//! Re-checking stored records against the active shapes (at start-up, since the shapes may
//! have changed): a record that now fails is left out of the feeds and listed for its
//! publisher, so one bad record never aborts a portal's harvest of the others.
use super::ingest::{Members, validate};
use crate::store::{Record, RecordInfo, RecordKind};
use crate::web::{AppError, AppState};

/// What a start-up check found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Revalidation {
    /// Records validated again.
    pub checked: usize,
    /// Records whose stored content was already checked against these very shapes.
    pub skipped: usize,
    /// Records that fail (left out of the feeds), of either kind.
    pub failing: usize,
}

/// Validates every stored record whose content was not yet checked against the active
/// shapes, and flags or clears it. Catalogues come last, so that they are checked with the
/// members the feeds will list (those that passed).
pub fn revalidate_all(state: &AppState) -> Result<Revalidation, AppError> {
    let mut outcome = Revalidation::default();
    let Some(shapes) = &state.shapes else {
        return Ok(outcome);
    };
    for catalogues in [false, true] {
        let index = state.catalogue.index()?;
        let members = Members::of(&[], &index);
        let records = index
            .records
            .iter()
            .filter(|r| (r.kind == RecordKind::Catalog) == catalogues);
        revalidate(state, shapes, records, &members, &mut outcome)?;
    }
    Ok(outcome)
}

fn revalidate<'a>(
    state: &AppState,
    shapes: &crate::shacl::Shapes,
    records: impl Iterator<Item = &'a RecordInfo>,
    members: &Members,
    outcome: &mut Revalidation,
) -> Result<(), AppError> {
    let digest = shapes.digest();
    let mut outcomes = Vec::new();
    for info in records {
        if already_checked(info, digest) {
            outcome.skipped += 1;
            outcome.failing += usize::from(info.invalid);
            continue;
        }
        outcome.checked += 1;
        let failure = check(state, shapes, info, members)?;
        outcome.failing += usize::from(failure.is_some());
        if failure.is_some() || info.invalid || info.checked_with.as_deref() != digest {
            outcomes.push((info.iri.clone(), failure));
        }
        // Written in batches: one transaction per record would be slow, one for all large.
        if outcomes.len() == BATCH {
            state.catalogue.set_checked(&outcomes, digest)?;
            outcomes.clear();
        }
    }
    state.catalogue.set_checked(&outcomes, digest)?;
    Ok(())
}

const BATCH: usize = 1000;

/// Validates one stored record; its violations as a JSON report, if it fails.
fn check(
    state: &AppState,
    shapes: &crate::shacl::Shapes,
    info: &RecordInfo,
    members: &Members,
) -> Result<Option<String>, AppError> {
    let triples = state
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
    };
    let report = validate(shapes, std::slice::from_ref(&record), members);
    Ok(report
        .has_violations()
        .then(|| report.to_json().to_string()))
}

/// A record's validity depends on its own content and the shapes only, except a catalogue's,
/// which also depends on which records are its members: catalogues are always checked.
fn already_checked(info: &RecordInfo, digest: Option<&str>) -> bool {
    info.kind != RecordKind::Catalog && digest.is_some() && info.checked_with.as_deref() == digest
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publish::validate_and_note;
    use crate::shacl::Shapes;
    use crate::store::{Catalogue, Split, split_records};
    use crate::web::Config;
    use oxigraph::io::RdfFormat;
    use std::sync::Arc;

    const BASE: &str = "https://data.example.se/";

    fn generated() -> Split {
        let turtle = crate::generate::catalogue_turtle(2);
        let triples =
            crate::rdf::parse_graph(turtle.as_bytes(), RdfFormat::Turtle, Some(BASE)).unwrap();
        split_records(triples, BASE)
    }

    fn serving(catalogue: Catalogue, shapes: Arc<Shapes>) -> crate::web::SharedState {
        let mut state = AppState::new(catalogue, Config::new(BASE));
        Arc::get_mut(&mut state).unwrap().shapes = Some(shapes);
        state
    }

    #[test]
    fn only_content_not_yet_checked_against_these_shapes_is_checked() {
        let dir = tempfile::tempdir().unwrap();
        let shipped = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("shapes");
        let shapes = Arc::new(Shapes::load(&[shipped]).unwrap());
        assert!(shapes.digest().is_some());
        let catalogue = Catalogue::open(dir.path()).unwrap();
        // Written without validation (as `--no-validation` does): nothing is known.
        catalogue.write(&generated().records).unwrap();
        let state = serving(catalogue, shapes.clone());
        let first = revalidate_all(&state).unwrap();
        assert_eq!((first.checked, first.skipped, first.failing), (3, 0, 0));
        // Now checked against these shapes: only the catalogue, whose members may change.
        let again = revalidate_all(&state).unwrap();
        assert_eq!((again.checked, again.skipped, again.failing), (1, 2, 0));

        // A write validated by the publishing path records the digest itself.
        let dir = tempfile::tempdir().unwrap();
        let catalogue = Catalogue::open(dir.path()).unwrap();
        let mut split = generated();
        let members = Members::of(&split.records, &catalogue.index().unwrap());
        let report = validate_and_note(&shapes, &mut split.records, &members);
        assert!(!report.has_violations(), "{}", report.to_text());
        catalogue.write(&split.records).unwrap();
        let state = serving(catalogue, shapes);
        let first = revalidate_all(&state).unwrap();
        assert_eq!((first.checked, first.skipped, first.failing), (1, 2, 0));
    }
}
