//! Re-checking stored records against the active shapes (at start-up, since the shapes may
//! have changed): a record that now fails is left out of the feeds and listed for its
//! publisher, so one bad record never aborts a portal's harvest of the others.
use super::ingest::{Members, validate};
use crate::store::Record;
use crate::web::{AppError, AppState};

/// Returns how many records fail.
pub fn revalidate_all(state: &AppState) -> Result<usize, AppError> {
    let Some(shapes) = &state.shapes else {
        return Ok(0);
    };
    let index = state.catalogue.index()?;
    let members = Members::of(&[], &index);
    let mut failing = 0;
    for info in &index.records {
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
        };
        let report = validate(shapes, std::slice::from_ref(&record), &members);
        if report.has_violations() {
            failing += 1;
            let json = report.to_json().to_string();
            state
                .catalogue
                .set_invalid(info.iri.as_ref(), Some(&json))?;
        } else if info.invalid {
            state.catalogue.set_invalid(info.iri.as_ref(), None)?;
        }
    }
    Ok(failing)
}
