//! The application state: the server's settings and the domain services every handler
//! reaches, built once by [`AppState::new`].
use super::AppError;
use super::guard;
use crate::feeds::Feeds;
use crate::store::Catalogue;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Server settings, filled from the command line.
#[derive(Clone, Debug)]
pub struct Config {
    /// Base of every IRI katalog mints, ending with `/`.
    pub base_uri: String,
    /// Most connections served at once; more wait in the kernel's queue.
    pub max_connections: usize,
    /// Longest a client may take to send a request's headers before its connection is
    /// closed.
    pub header_timeout: std::time::Duration,
    /// Largest request body accepted (413 beyond).
    pub max_body_bytes: usize,
    /// Largest file uploaded to a distribution (413 beyond); streamed to disk, never held.
    pub max_upload_bytes: u64,
    pub sparql: crate::sparql::Limits,
    /// Bounds on each parsed request body (triples, literals, nesting, XML entities).
    pub parse_limits: crate::rdf::Limits,
    /// Most writes, validations and uploads handled at once (503 beyond, after a short wait),
    /// so that concurrent heavy bodies cannot add up to more memory than the machine has.
    pub max_concurrent_writes: usize,
    pub rate_limit: guard::RateLimitConfig,
    /// Bearer token that may write any record (site administration); none disables writes.
    pub admin_token: Option<String>,
    pub page_size: usize,
    pub max_page_size: usize,
    /// Where `POST /admin/backup` writes backups (`--backup-dir`, default `backups` in the
    /// data directory).
    pub backup_dir: std::path::PathBuf,
    /// A folder of data files served under `/files/` (download URLs of hosted data).
    pub files_dir: Option<std::path::PathBuf>,
    /// What fetching connected sources may reach (private addresses only when allowed) and
    /// read.
    pub sources: crate::harvest::FetchPolicy,
    /// Harvest sources on their schedules (off: only "harvest now").
    pub scheduler: bool,
    /// The body that runs the site and its contact address, named by the accessibility
    /// statement.
    pub site_owner: Option<String>,
    pub contact_email: Option<String>,
}

impl Config {
    pub fn new(base_uri: &str) -> Self {
        Self {
            base_uri: crate::store::base_with_slash(base_uri),
            max_connections: 1024,
            header_timeout: std::time::Duration::from_secs(10),
            max_body_bytes: 20 * 1024 * 1024,
            max_upload_bytes: 1 << 30,
            sparql: crate::sparql::Limits::default(),
            parse_limits: crate::rdf::Limits::DEFAULT,
            max_concurrent_writes: 2,
            rate_limit: guard::RateLimitConfig::default(),
            admin_token: None,
            page_size: 100,
            max_page_size: 1000,
            files_dir: None,
            backup_dir: "katalog-data/backups".into(),
            sources: crate::harvest::FetchPolicy::default(),
            scheduler: true,
            site_owner: None,
            contact_email: None,
        }
    }

    pub fn catalog_iri(&self) -> String {
        format!("{}catalog", self.base_uri)
    }

    /// The IRI a request path names, e.g. `/datasets/x` → `{base}datasets/x`.
    pub fn iri_for_path(&self, path: &str) -> String {
        format!("{}{}", self.base_uri, path.trim_start_matches('/'))
    }
}

/// What the server is made of, opened by `katalog serve` before the state is built.
pub struct Services {
    /// Shared: `serve` loads its start-up files through the ingest service before it builds
    /// the state.
    pub catalogue: Arc<Catalogue>,
    pub shapes: Option<Arc<crate::shacl::Shapes>>,
    /// The DCAT-AP-SE → DCAT-AP mapping for the EU export profile.
    pub eu: Option<crate::feeds::eu::EuMapping>,
    /// Organisations, users and tokens (absent in offline uses such as a test of the feeds).
    pub accounts: Option<crate::accounts::Accounts>,
    /// The dataset form, generated from the active shapes.
    pub form: Option<Arc<crate::publish::form::FormSpec>>,
    /// Rendered records of the harvest documents (absent: every harvest renders all).
    pub feed_cache: Option<crate::feeds::cache::FeedCache>,
    /// The labels of the controlled vocabularies, for pages.
    pub labels: Arc<crate::vocab::Labels>,
    /// The search index (absent: no search).
    pub search: Option<Arc<crate::search::Search>>,
    /// Uploaded distribution files (absent: no hosting).
    pub files: Option<Arc<crate::data::Files>>,
}

impl Services {
    /// Only the store: no validation, accounts, form, EU mapping or feed cache.
    pub fn bare(catalogue: Catalogue) -> Self {
        Self {
            catalogue: Arc::new(catalogue),
            shapes: None,
            eu: None,
            accounts: None,
            form: None,
            feed_cache: None,
            labels: Arc::default(),
            search: None,
            files: None,
        }
    }
}

pub struct AppState {
    pub catalogue: Arc<Catalogue>,
    pub config: Config,
    /// The harvest feeds over the same store, with the EU mapping and the feed cache.
    pub feeds: Feeds,
    pub sparql_slots: Arc<Semaphore>,
    /// Slots for requests with a body to parse (every method but GET and HEAD, SPARQL aside).
    pub write_slots: Arc<Semaphore>,
    /// Requests per client address on the public side (absent: no limit).
    pub rate_limit: Option<guard::RateLimit>,
    pub shapes: Option<Arc<crate::shacl::Shapes>>,
    pub accounts: Option<crate::accounts::Accounts>,
    pub login_throttle: crate::accounts::Throttle,
    pub form: Option<Arc<crate::publish::form::FormSpec>>,
    pub labels: Arc<crate::vocab::Labels>,
    pub search: Option<Arc<crate::search::Search>>,
    pub files: Option<Arc<crate::data::Files>>,
    /// Runs connected sources (absent without accounts).
    pub harvester: Option<Arc<crate::harvest::Harvester>>,
    /// True while the start-up re-check of stored records runs beside the server (feeds
    /// and pages answer from the last verdicts meanwhile).
    pub rechecking: std::sync::atomic::AtomicBool,
}

pub type SharedState = Arc<AppState>;

impl AppState {
    pub fn new(services: Services, config: Config) -> SharedState {
        let catalogue = services.catalogue;
        let feeds = Feeds {
            catalogue: catalogue.clone(),
            base_uri: config.base_uri.clone(),
            eu: services.eu.map(Arc::new),
            cache: services.feed_cache.map(Arc::new),
        };
        let harvester = services.accounts.as_ref().map(|accounts| {
            Arc::new(crate::harvest::Harvester {
                catalogue: catalogue.clone(),
                shapes: services.shapes.clone(),
                base_uri: config.base_uri.clone(),
                accounts: accounts.clone(),
                fetcher: crate::harvest::Fetcher::with_policy(config.sources.clone()),
                limits: crate::harvest::HARVEST_LIMITS,
                files: services.files.clone(),
            })
        });
        Arc::new(Self {
            harvester,
            sparql_slots: Arc::new(Semaphore::new(config.sparql.max_concurrent)),
            write_slots: Arc::new(Semaphore::new(config.max_concurrent_writes.max(1))),
            rate_limit: guard::RateLimit::new(&config.rate_limit),
            catalogue,
            feeds,
            config,
            shapes: services.shapes,
            accounts: services.accounts,
            login_throttle: Default::default(),
            form: services.form,
            labels: services.labels,
            search: services.search,
            files: services.files,
            rechecking: Default::default(),
        })
    }

    /// What the ingest service needs of the site.
    pub fn publishing(&self) -> crate::publish::Publishing<'_> {
        crate::publish::Publishing {
            catalogue: &self.catalogue,
            shapes: self.shapes.clone(),
            base_uri: &self.config.base_uri,
            accounts: self.accounts.as_ref(),
        }
    }

    /// The harvester of connected sources and data (a server with accounts has one).
    pub fn harvester(&self) -> Result<&Arc<crate::harvest::Harvester>, AppError> {
        self.harvester
            .as_ref()
            .ok_or_else(|| AppError::Forbidden("connected sources need accounts".into()))
    }

    /// The hosted files (every server started by `serve` has them).
    pub fn files(&self) -> Result<Arc<crate::data::Files>, AppError> {
        self.files
            .clone()
            .ok_or_else(|| AppError::Unavailable("this server hosts no files".into()))
    }

    pub fn accounts(&self) -> Result<&crate::accounts::Accounts, AppError> {
        self.accounts
            .as_ref()
            .ok_or_else(|| AppError::Forbidden("accounts are not enabled here".into()))
    }
}
