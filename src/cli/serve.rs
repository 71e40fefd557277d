use super::{CliResult, DEFAULT_ADDR, StoreArgs};
use crate::http::{AppState, Config, Services};
use crate::rdf::Limits;
use crate::store::Catalogue;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// Address to listen on (port 0 picks a free port; the chosen address is printed).
    #[arg(long, env = "KATALOG_ADDR", default_value = DEFAULT_ADDR)]
    addr: SocketAddr,
    /// RDF files to load at start (records whose content is unchanged are left as they are).
    #[arg(long, num_args = 1..)]
    load: Vec<PathBuf>,
    /// A folder of data files to serve under /files/ (e.g. examples/files for the demo).
    #[arg(long)]
    files: Option<PathBuf>,
    /// Files to host at start, after `--load`, as DATASET/NAME=FILE: the dataset's
    /// distribution NAME is described from FILE and serves it, as an upload would (the demo
    /// hosts examples/files so).
    #[arg(long, value_name = "DATASET/NAME=FILE")]
    host: Vec<String>,
    /// Shapes to validate every write with (files or folders; default: katalog's DCAT-AP-SE shapes).
    #[arg(long)]
    shapes: Vec<PathBuf>,
    /// Accept writes without validating them.
    #[arg(long)]
    no_validation: bool,
    /// Bearer token of the site administrator, allowed to publish any record.
    #[arg(long, env = "KATALOG_ADMIN_TOKEN", hide_env_values = true)]
    admin_token: Option<String>,
    /// Largest request body in bytes.
    #[arg(long, default_value_t = 20 * 1024 * 1024)]
    max_body: usize,
    /// Largest file uploaded to a distribution, in bytes (streamed to disk).
    #[arg(long, default_value_t = 1 << 30)]
    max_upload: u64,
    /// Most connections served at once; more wait in the kernel's queue until one closes.
    #[arg(long, default_value_t = 1024)]
    max_connections: usize,
    /// Seconds a client may take to send a request's headers (slow clients holding
    /// connections open are cut off).
    #[arg(long, default_value_t = 10.0)]
    header_timeout: f64,
    #[command(flatten)]
    limits: LimitArgs,
    /// Most writes, validations and uploads handled at once; more wait up to 5 s, then get
    /// 503 with `Retry-After`.
    #[arg(long, default_value_t = 2)]
    max_concurrent_writes: usize,
    /// Requests a minute per client address on the public side (reads, SPARQL, validation);
    /// beyond it, 429 with `Retry-After`. 0 switches the limit off.
    #[arg(long, default_value_t = 600)]
    rate_limit: u32,
    /// Requests a client may send at once above that rate.
    #[arg(long, default_value_t = 120)]
    rate_limit_burst: u32,
    /// Do not limit clients on loopback (a reverse proxy on the same machine, or tests).
    #[arg(long)]
    rate_limit_exempt_loopback: bool,
    /// Take the client's address from the last entry of `X-Forwarded-For` (only behind a
    /// reverse proxy that sets it).
    #[arg(long)]
    forwarded_for: bool,
    /// Where `POST /admin/backup` (`katalog backup --server`) writes backups (default:
    /// `backups` in the data directory).
    #[arg(long)]
    backup_dir: Option<PathBuf>,
    /// Seconds that requests in flight may take to finish after SIGTERM or Ctrl-C.
    #[arg(long, default_value_t = 10.0)]
    shutdown_grace: f64,
    /// SPARQL query timeout in seconds.
    #[arg(long, default_value_t = 10.0)]
    sparql_timeout: f64,
    /// Most result rows (or triples) a SPARQL query returns.
    #[arg(long, default_value_t = 10_000)]
    sparql_max_rows: usize,
    /// Most SPARQL queries evaluated at once.
    #[arg(long, default_value_t = 4)]
    sparql_max_concurrent: usize,
    /// Render every record of the harvest documents anew on each request instead of keeping
    /// renderings in `feed-cache.redb` in the data directory.
    #[arg(long)]
    no_feed_cache: bool,
    /// Apply the start-up re-check's verdicts at once: records that passed before but fail
    /// the active shapes (after a change of shapes or of katalog) are left out of the feeds.
    /// Without it they are still served, listed as failing and logged, so that a change
    /// never empties a feed by itself.
    #[arg(long, env = "KATALOG_APPLY_RECHECK")]
    apply_recheck: bool,
    /// Let connected sources be on loopback and private addresses (refused by default).
    #[arg(long)]
    allow_private_sources: bool,
    #[command(flatten)]
    source_fetch: super::SourceFetchArgs,
    /// Do not harvest connected sources on their schedules (runs only when asked).
    #[arg(long)]
    no_scheduler: bool,
    /// The body that runs the site, as the accessibility statement names it.
    #[arg(long)]
    site_owner: Option<String>,
    /// The address the accessibility statement gives for reporting problems.
    #[arg(long)]
    contact_email: Option<String>,
    /// Log as JSON lines instead of text.
    #[arg(long)]
    log_json: bool,
}

pub fn run(args: ServeArgs) -> CliResult {
    init_logging(args.log_json);
    let catalogue = Arc::new(Catalogue::open(&args.store.data)?);
    let shapes = super::active_shapes(&args.shapes, args.no_validation)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let grace = Duration::from_secs_f64(args.shutdown_grace);
    let served = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.addr).await?;
        let addr = listener.local_addr()?;
        let mut config = Config::new(&args.store.resolve_base(&catalogue, addr)?);
        config.admin_token = args.admin_token.filter(|t| !t.is_empty());
        config.max_body_bytes = args.max_body;
        config.max_upload_bytes = args.max_upload;
        config.max_connections = args.max_connections.max(1);
        config.header_timeout = Duration::from_secs_f64(args.header_timeout);
        config.parse_limits = args.limits.limits();
        config.max_concurrent_writes = args.max_concurrent_writes.max(1);
        config.rate_limit = crate::http::RateLimitConfig {
            per_minute: args.rate_limit,
            burst: args.rate_limit_burst,
            exempt_loopback: args.rate_limit_exempt_loopback,
            forwarded_for: args.forwarded_for,
        };
        config.files_dir = args.files.clone();
        config.sources = args.source_fetch.policy(args.allow_private_sources);
        config.sources.spool_dir = Some(crate::harvest::spool_folder(&args.store.data));
        config.scheduler = !args.no_scheduler;
        config.site_owner = args.site_owner.clone();
        config.contact_email = args.contact_email.clone();
        config.backup_dir = args
            .backup_dir
            .clone()
            .unwrap_or_else(|| args.store.data.join("backups"));
        config.sparql.timeout = Duration::from_secs_f64(args.sparql_timeout);
        config.sparql.max_rows = args.sparql_max_rows;
        config.sparql.max_concurrent = args.sparql_max_concurrent.max(1);
        for file in &args.load {
            let base = &config.base_uri;
            let loading = super::load::load_file(&catalogue, file, base, None, shapes.clone());
            let summary = loading.await?;
            tracing::info!(file = %file.display(), %summary, "loaded");
        }
        let feed_cache = match args.no_feed_cache {
            true => None,
            false => Some(crate::feeds::cache::FeedCache::open(
                &args.store.data.join(crate::feeds::cache::CACHE_FILE),
            )?),
        };
        let services = Services {
            catalogue,
            shapes,
            eu: Some(super::shipped::eu_mapping()?),
            accounts: Some(crate::accounts::Accounts::open(&args.store.data).await?),
            form: super::shipped::dataset_form(&args.shapes)?,
            feed_cache,
            labels: Arc::new(crate::vocab::Labels::load(&super::shipped::shipped_dir(
                "vocab",
            ))?),
            search: Some(Arc::new(crate::search::Search::open(&args.store.data)?)),
            files: Some(Arc::new(crate::data::Files::open(
                &args.store.data.join(crate::data::HOSTED_DIR),
            )?)),
        };
        let state = AppState::new(services, config);
        for spec in &args.host {
            super::host::host(&state, spec).await?;
        }
        {
            // The migration of older records comes first: until it is done, records would be
            // served as Oxigraph normalised them. It is a single read once done.
            let state = state.clone();
            tokio::task::spawn_blocking(move || {
                crate::publish::restore_sources(&state.catalogue, state.shapes.as_deref())
            })
            .await??;
        }
        // The search index follows the store's change log from where it stopped.
        if let Some(search) = state.search.clone() {
            tokio::spawn(crate::search::follow(search, state.catalogue.clone()));
        }
        // The re-check runs beside the server, which answers from the last verdicts.
        state.rechecking.store(true, Ordering::Release);
        tokio::task::spawn_blocking({
            let state = state.clone();
            let apply = args.apply_recheck;
            move || {
                let shapes = state.shapes.as_deref();
                if let Err(e) = super::recheck::recheck(&state.catalogue, shapes, apply) {
                    tracing::error!(error = %e, "the start-up re-check failed");
                }
                state.rechecking.store(false, Ordering::Release);
                release_freed_memory();
            }
        });
        release_freed_memory();
        tokio::task::spawn_blocking({
            let state = state.clone();
            move || state.feeds.warm_cache()
        });
        if let Some(harvester) = state.harvester.clone() {
            let abandoned = harvester.sources().abandon_running().await?;
            if abandoned > 0 {
                tracing::warn!(runs = abandoned, "runs the last stop interrupted are marked failed");
            }
            if state.config.scheduler {
                tokio::spawn(crate::harvest::schedule::run_due_sources(harvester));
            }
        }
        tracing::info!(base = %state.config.base_uri, data = %args.store.data.display(), "katalog started");
        // Tests and scripts read this line to learn the port.
        println!("listening on http://{addr}");
        std::io::stdout().flush()?;
        crate::http::serve(listener, state, grace).await?;
        Ok::<_, Box<dyn std::error::Error>>(())
    });
    // Blocking work still running (a long parse, the start-up re-check) is not waited for:
    // the store was flushed, and every write is one transaction.
    runtime.shutdown_timeout(Duration::from_secs(1));
    served
}

/// Bounds on each document katalog parses from outside (see `rdf::Limits`).
#[derive(clap::Args, Debug, Clone)]
pub struct LimitArgs {
    /// Most triples in one request body or fetched document.
    #[arg(long, default_value_t = Limits::DEFAULT.max_triples)]
    max_triples: usize,
    /// Longest literal in bytes.
    #[arg(long, default_value_t = Limits::DEFAULT.max_literal_bytes)]
    max_literal_bytes: usize,
    /// Deepest nesting of blank nodes, lists and JSON-LD objects.
    #[arg(long, default_value_t = Limits::DEFAULT.max_depth)]
    max_depth: usize,
    /// Most bytes that XML entity declarations may add to an RDF/XML document.
    #[arg(long, default_value_t = Limits::DEFAULT.max_entity_expansion)]
    max_entity_expansion: usize,
}

impl LimitArgs {
    pub fn limits(&self) -> Limits {
        Limits {
            max_triples: self.max_triples,
            max_literal_bytes: self.max_literal_bytes,
            max_depth: self.max_depth,
            max_entity_expansion: self.max_entity_expansion,
        }
    }
}

/// Hands memory freed after the start-up checks back to the system: glibc keeps freed heap
/// pages by default, so revalidating a large catalogue would stay in the resident size.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages of the allocator to the kernel.
    unsafe {
        libc::malloc_trim(0);
    }
}

pub(super) fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("katalog=info,tower_http=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}
