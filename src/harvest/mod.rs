//! Other catalogues: a guarded HTTP client (no private or loopback addresses unless
//! allowed), `check-feed`, which reports what dataportal.se would stumble on, connected
//! sources, which katalog harvests on a schedule into an organisation's records, the reading
//! and applying of LDES DCAT-AP feeds, and the mapping of CKAN packages to DCAT-AP-SE.
pub mod check;
pub mod ckan;
mod ckan_source;
mod dcat;
mod fetch;
mod file_source;
pub mod ldes;
mod ldes_source;
pub mod report;
mod run;
pub mod schedule;
pub mod sources;
mod spool;

pub use fetch::{FetchError, FetchPolicy, Fetched, Fetcher, Validators, install_tls_provider};
pub use file_source::FileRun;
pub use report::RunReport;
pub use run::Harvester;
pub use sources::{NewSource, Source, SourceKind, SourceStatus, Sources};

/// The folder of the data directory where runs keep large sources while they work.
const SPOOL_FOLDER: &str = "harvest";

/// The spool folder of the data directory `data`, emptied of what runs stopped by a crash
/// left there: called where no run can be going on (the start of `serve` and of `source run`).
pub fn spool_folder(data: &std::path::Path) -> std::path::PathBuf {
    let folder = data.join(SPOOL_FOLDER);
    if let Err(e) = std::fs::remove_dir_all(&folder)
        && e.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!(folder = %folder.display(), error = %e, "cannot empty the harvest spool folder");
    }
    folder
}

/// Bounds on each document fetched from a source: those of a request body, with room for
/// a whole catalogue of 100 000 datasets in one document.
pub const HARVEST_LIMITS: crate::rdf::Limits = crate::rdf::Limits {
    max_triples: 5_000_000,
    ..crate::rdf::Limits::DEFAULT
};

#[derive(Debug, thiserror::Error)]
pub enum HarvestError {
    #[error("sources database: {0}")]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Accounts(#[from] crate::accounts::AccountsError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// The source served something that cannot be harvested.
    #[error("{0}")]
    Source(String),
    /// A source's settings are refused.
    #[error("{0}")]
    Invalid(String),
    /// Another organisation's dataset.
    #[error("{0}")]
    NotYours(String),
    #[error("no source {0}")]
    UnknownSource(i64),
    #[error("source {0} is being harvested already")]
    Running(i64),
    #[error(transparent)]
    Ckan(#[from] ckan::CkanError),
    #[error("the run was interrupted: {0}")]
    Interrupted(String),
    /// The run's own working files (the spooled pages).
    #[error("the run's working files: {0}")]
    Files(#[from] std::io::Error),
}
