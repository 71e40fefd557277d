//! `katalog recheck`, and the checks `serve` runs at start: restore the published form of
//! records an older katalog stored, then check stored records against the active shapes.
use super::{CliResult, StoreArgs};
use crate::publish::{Revalidation, restore_sources, revalidate_all};
use crate::shacl::Shapes;
use crate::store::{Catalogue, StoreError};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct RecheckArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// Shapes to check with (default: katalog's DCAT-AP-SE shapes).
    #[arg(long)]
    shapes: Vec<PathBuf>,
    /// Apply the new verdicts: records that passed before but fail the active shapes are
    /// left out of the feeds (without it they are still served and listed as failing).
    #[arg(long)]
    apply: bool,
}

/// Checks the store on its own (the server must not be running on it) and prints a summary.
pub fn run(args: RecheckArgs) -> CliResult {
    super::serve::init_logging(false);
    let catalogue = Catalogue::open(&args.store.data)?;
    let shapes = super::active_shapes(&args.shapes, false)?.ok_or("no shapes to check with")?;
    let checks = start_up_checks(&catalogue, Some(&shapes), args.apply)?;
    catalogue.flush()?;
    println!(
        "checked {}, already checked {}, left out of the feeds {}, failing but still served {}",
        checks.checked,
        checks.skipped,
        checks.failing,
        checks.still_served.len()
    );
    for iri in &checks.still_served {
        println!("still served, fails the active shapes: {iri}");
    }
    Ok(())
}

/// What a start runs before serving: the migration of older records, then the re-check.
/// Records that passed before and now fail are logged loudly and still served, unless
/// `apply` says to leave them out.
pub fn start_up_checks(
    catalogue: &Catalogue,
    shapes: Option<&Shapes>,
    apply: bool,
) -> Result<Revalidation, StoreError> {
    restore_sources(catalogue, shapes)?;
    recheck(catalogue, shapes, apply)
}

/// The re-check of stored records against the active shapes, logged.
pub fn recheck(
    catalogue: &Catalogue,
    shapes: Option<&Shapes>,
    apply: bool,
) -> Result<Revalidation, StoreError> {
    let Some(shapes) = shapes else {
        return Ok(Revalidation::default());
    };
    let checks = revalidate_all(catalogue, shapes, apply)?;
    tracing::info!(
        checked = checks.checked,
        skipped = checks.skipped,
        "stored records checked against the active shapes (skipped: already checked against these)"
    );
    if checks.failing > 0 {
        tracing::warn!(
            failing = checks.failing,
            "records fail the active shapes and are left out of the feeds"
        );
    }
    if !checks.still_served.is_empty() {
        let first: Vec<&str> = checks
            .still_served
            .iter()
            .take(20)
            .map(|i| i.as_str())
            .collect();
        tracing::error!(
            still_served = checks.still_served.len(),
            newly_failing = checks.newly_failing,
            examples = ?first,
            "RECORDS THAT PASSED BEFORE NOW FAIL THE ACTIVE SHAPES. They are still served as \
             they last passed and listed at /organisations/{{key}}/problems; to leave them out \
             of the feeds run `katalog recheck --apply` (server stopped) or start with \
             `katalog serve --apply-recheck`"
        );
    }
    Ok(checks)
}
