//! The `katalog` command line: a thin layer over the library modules.
mod accounts;
mod backup;
mod export;
mod host;
mod load;
mod recheck;
mod serve;
mod shipped;
mod source;
mod validate;

use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "katalog",
    version,
    about = "Open-data catalogue and linked-data endpoint (DCAT-AP-SE 3.0.1)"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the store lives and which IRIs are ours; shared by every command that opens it.
#[derive(clap::Args, Debug, Clone)]
pub struct StoreArgs {
    /// Directory of the store (created if missing).
    #[arg(long, env = "KATALOG_DATA", default_value = "katalog-data")]
    pub data: PathBuf,
    /// Base of the IRIs katalog mints (default: http://ADDR/ from --addr).
    #[arg(long, env = "KATALOG_BASE_URI")]
    pub base_uri: Option<String>,
}

/// What fetching a connected source may reach and read; shared by `serve` and `source run`.
#[derive(clap::Args, Debug, Clone)]
pub struct SourceFetchArgs {
    /// A host (name or address, as in the source's URL) that may be on a private or loopback
    /// address while every other must be public: an intranet source. Repeatable.
    #[arg(long = "allow-private-host", value_name = "HOST")]
    pub private_hosts: Vec<String>,
    /// The largest document read from a source, in bytes; a larger one fails the run.
    #[arg(long, default_value_t = crate::harvest::FetchPolicy::default().max_bytes)]
    pub max_source_bytes: usize,
    /// Bytes of a source's pages a run holds in memory; past them it keeps the source on
    /// disk, and its memory follows a batch of records, not the source.
    #[arg(long, default_value_t = crate::harvest::FetchPolicy::default().hold_bytes)]
    pub source_hold_bytes: u64,
}

impl SourceFetchArgs {
    pub fn policy(&self, allow_private: bool) -> crate::harvest::FetchPolicy {
        crate::harvest::FetchPolicy {
            allow_private,
            private_hosts: self.private_hosts.clone(),
            max_bytes: self.max_source_bytes.max(1),
            hold_bytes: self.source_hold_bytes,
            spool_dir: None,
        }
    }
}

impl StoreArgs {
    /// The base URI: as given, else as the store recorded it, else from the address. A
    /// store keeps the base it was first used with, so `load`, `export` and `serve` agree;
    /// giving another one is refused, since every stored IRI is minted under it.
    pub fn resolve_base(
        &self,
        catalogue: &crate::store::Catalogue,
        addr: SocketAddr,
    ) -> Result<String, Box<dyn std::error::Error>> {
        let given = self.base_uri.as_deref().map(crate::store::base_with_slash);
        let stored = catalogue.base_uri()?;
        match (given, stored) {
            (Some(given), Some(stored)) if given != stored => Err(format!(
                "the store in {} was created with base URI {stored}; its IRIs are minted under it (given: {given})",
                self.data.display()
            )
            .into()),
            (_, Some(stored)) => Ok(stored),
            (given, None) => {
                let base = given.unwrap_or_else(|| format!("http://{addr}/"));
                catalogue.set_base_uri(&base)?;
                Ok(base)
            }
        }
    }
}

pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the catalogue, feeds, linked data and SPARQL over HTTP.
    Serve(Box<serve::ServeArgs>),
    /// Load RDF files into the store (the server must not be running on the same store).
    Load(load::LoadArgs),
    /// Write the whole catalogue to standard output.
    Export(export::ExportArgs),
    /// Check the stored records against the active shapes (the server must not be running on
    /// the same store); `--apply` leaves out of the feeds those that passed before but fail now.
    Recheck(recheck::RecheckArgs),
    /// Validate RDF files against the DCAT-AP-SE shapes (exit 0 conforms, 1 violations, 2 unreadable).
    Validate(validate::ValidateArgs),
    /// Build the search index anew from the store (the server must not be running on it;
    /// the server keeps the index in step by itself).
    Reindex {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Fetch a catalogue URL as dataportal.se would and report what it would stumble on.
    CheckFeed {
        url: String,
        /// Shapes to check with (default: katalog's DCAT-AP-SE shapes).
        #[arg(long)]
        shapes: Vec<PathBuf>,
        /// Allow private and loopback addresses (refused by default).
        #[arg(long)]
        allow_private: bool,
    },
    /// Back up the data directory into a new directory: through the running server with
    /// `--server` (writes wait a moment, reads go on), else directly (server stopped).
    Backup(backup::BackupArgs),
    /// Restore a backup into a new data directory.
    Restore(backup::RestoreArgs),
    /// Manage organisations (accounts database, not the RDF store).
    #[command(subcommand)]
    Org(accounts::OrgCommand),
    /// Manage an organisation's users.
    #[command(subcommand)]
    User(accounts::UserCommand),
    /// Manage an organisation's API tokens.
    #[command(subcommand)]
    Token(accounts::TokenCommand),
    /// Manage an organisation's connected sources, and harvest one now.
    #[command(subcommand)]
    Source(source::SourceCommand),
    /// Write a synthetic DCAT-AP-SE catalogue (Turtle, relative IRIs) to standard output.
    Generate {
        /// Number of datasets.
        #[arg(long, default_value_t = 1000)]
        datasets: usize,
    },
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => serve::run(*args),
        Command::Load(args) => load::load(args),
        Command::Export(args) => export::export(args),
        Command::Recheck(args) => recheck::run(args),
        Command::Reindex { store } => reindex(&store),
        Command::Validate(args) => return validate::validate(args),
        Command::CheckFeed {
            url,
            shapes,
            allow_private,
        } => return check_feed(&url, &shapes, allow_private),
        Command::Backup(args) => backup::backup(args),
        Command::Restore(args) => backup::restore(args),
        Command::Org(c) => accounts::org(c),
        Command::User(c) => accounts::user(c),
        Command::Token(c) => accounts::token(c),
        Command::Source(c) => return source::source(c),
        Command::Generate { datasets } => {
            print!("{}", crate::generate::catalogue_turtle(datasets));
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

pub use shipped::active_shapes;

fn check_feed(url: &str, shapes: &[PathBuf], allow_private: bool) -> ExitCode {
    let shapes = match active_shapes(shapes, false) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: shapes: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let fetcher = crate::harvest::Fetcher::new(allow_private);
    let result = runtime.block_on(crate::harvest::check::check_feed(
        &fetcher,
        url,
        shapes.as_deref(),
    ));
    print!("{}", result.to_text());
    if result.harvestable() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

pub type CliResult = Result<(), Box<dyn std::error::Error>>;

/// `katalog reindex`: every record the store serves, indexed anew.
fn reindex(store: &StoreArgs) -> CliResult {
    let catalogue = crate::store::Catalogue::open(&store.data)?;
    let search = crate::search::Search::open(&store.data)?;
    let started = std::time::Instant::now();
    let count = search.rebuild(&catalogue)?;
    eprintln!(
        "indexed {count} records in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
