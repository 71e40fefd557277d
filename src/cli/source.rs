//! `katalog source add|list|show|run|remove|confirm-removal`: an organisation's connected
//! sources. `run` harvests on the store directly, like `load` (the server stopped; a running
//! server harvests through its API and its "harvest now" button).
use super::accounts::DataArg;
use super::{CliResult, DEFAULT_ADDR, StoreArgs};
use crate::accounts::Accounts;
use crate::harvest::{Fetcher, Harvester, NewSource, Sources};
use crate::store::Catalogue;
use clap::Subcommand;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Subcommand, Debug)]
pub enum SourceCommand {
    /// Connect a source to an organisation; prints the new source's id alone.
    Add {
        #[command(flatten)]
        data: DataArg,
        /// The organisation's number.
        #[arg(long)]
        org: String,
        /// dcat (a DCAT catalogue), ckan (a CKAN site) or ldes (an LDES DCAT-AP stream).
        #[arg(long, default_value = "dcat")]
        kind: String,
        #[arg(long)]
        url: String,
        /// When to harvest, as cron (minute hour day month weekday, UTC); default nightly at
        /// a time spread across sources.
        #[arg(long)]
        schedule: Option<String>,
        /// Largest share of its records one run may remove without a confirmation.
        #[arg(long)]
        max_removal: Option<f64>,
        /// Seconds a run may take before it is stopped.
        #[arg(long)]
        time_budget: Option<i64>,
    },
    /// List an organisation's sources.
    List {
        #[command(flatten)]
        data: DataArg,
        #[arg(long)]
        org: String,
        #[arg(long)]
        json: bool,
    },
    /// Show a source with its last runs.
    Show {
        #[command(flatten)]
        data: DataArg,
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Harvest a source now (exit 0 when the run succeeded, 1 when the source could not be
    /// harvested).
    Run {
        #[command(flatten)]
        store: StoreArgs,
        id: i64,
        /// Print the run report as JSON.
        #[arg(long)]
        json: bool,
        /// Allow loopback and private addresses (refused by default).
        #[arg(long)]
        allow_private: bool,
        /// Accept records without validating them.
        #[arg(long)]
        no_validation: bool,
        /// Read everything again: no conditional GET, an LDES stream from its start.
        #[arg(long)]
        full: bool,
        #[command(flatten)]
        fetch: super::SourceFetchArgs,
    },
    /// Let the next run remove more of the source's records than its share.
    ConfirmRemoval {
        #[command(flatten)]
        data: DataArg,
        id: i64,
    },
    /// Disconnect a source (its records stay).
    Remove {
        #[command(flatten)]
        data: DataArg,
        id: i64,
    },
}

pub fn source(command: SourceCommand) -> ExitCode {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let outcome = match command {
        SourceCommand::Run {
            store,
            id,
            json,
            allow_private,
            no_validation,
            full,
            fetch,
        } => {
            let mut policy = fetch.policy(allow_private);
            policy.spool_dir = Some(crate::harvest::spool_folder(&store.data));
            let fetcher = Fetcher::with_policy(policy);
            runtime.block_on(run(store, id, json, fetcher, no_validation, full))
        }
        other => runtime.block_on(manage(other)).map(|()| ExitCode::SUCCESS),
    };
    outcome.unwrap_or_else(|e| {
        eprintln!("error: {e}");
        ExitCode::FAILURE
    })
}

async fn sources(data: &DataArg) -> Result<Sources, Box<dyn std::error::Error>> {
    Ok(Sources::new(&Accounts::open(&data.data).await?))
}

async fn manage(command: SourceCommand) -> CliResult {
    match command {
        SourceCommand::Add {
            data,
            org,
            kind,
            url,
            schedule,
            max_removal,
            time_budget,
        } => {
            let accounts = Accounts::open(&data.data).await?;
            let org = accounts.organisation(&org).await?;
            let new = NewSource {
                kind: Some(kind.parse()?),
                url,
                schedule,
                max_removal,
                time_budget,
            };
            let source = Sources::new(&accounts)
                .add(org.id, &new, "command line")
                .await?;
            println!("{}", source.id);
        }
        SourceCommand::List { data, org, json } => {
            let accounts = Accounts::open(&data.data).await?;
            let org = accounts.organisation(&org).await?;
            let sources = Sources::new(&accounts);
            let mut listed = Vec::new();
            for source in sources.of_organisation(org.id).await? {
                listed.push(sources.status(source).await?);
            }
            if json {
                println!("{}", serde_json::to_string_pretty(&listed)?);
            }
            for s in listed.iter().filter(|_| !json) {
                let last = s
                    .last_run
                    .as_ref()
                    .map_or("never run", |r| r.outcome.as_str());
                let failing = if s.failing { " (failing)" } else { "" };
                println!(
                    "{}\t{}\t{}\t{}\t{last}{failing}",
                    s.source.id,
                    s.source.kind.as_str(),
                    s.source.url,
                    s.source.schedule
                );
            }
        }
        SourceCommand::Show { data, id, json } => {
            let sources = sources(&data).await?;
            let status = sources.status(sources.get(id).await?).await?;
            let runs = sources.runs(id, 10).await?;
            let shown = serde_json::json!({ "source": status, "runs": runs });
            match json {
                true => println!("{}", serde_json::to_string_pretty(&shown)?),
                false => print_source(&status, &runs),
            }
        }
        SourceCommand::ConfirmRemoval { data, id } => {
            sources(&data).await?.confirm_removal(id).await?;
            eprintln!("the next run of source {id} may remove more than its share");
        }
        SourceCommand::Remove { data, id } => {
            sources(&data).await?.remove(id).await?;
            eprintln!("source {id} disconnected; its records stay");
        }
        SourceCommand::Run { .. } => unreachable!("handled by source()"),
    }
    Ok(())
}

fn print_source(status: &crate::harvest::SourceStatus, runs: &[crate::harvest::sources::Run]) {
    let s = &status.source;
    println!("source {}: {} {}", s.id, s.kind.as_str(), s.url);
    println!("schedule: {} (next: {:?})", s.schedule, status.next_run);
    if status.failing {
        println!(
            "the last {} runs failed",
            crate::harvest::sources::FAILING_AFTER
        );
    }
    for run in runs {
        let report: crate::harvest::RunReport =
            serde_json::from_value(run.report.clone()).unwrap_or_default();
        println!(
            "run {} at {}: {}: {}",
            run.id,
            run.started_at,
            run.outcome,
            report.summary()
        );
    }
}

async fn run(
    store: StoreArgs,
    id: i64,
    json: bool,
    fetcher: Fetcher,
    no_validation: bool,
    full: bool,
) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let catalogue = Catalogue::open(&store.data)?;
    let base_uri = store.resolve_base(&catalogue, DEFAULT_ADDR.parse()?)?;
    let harvester = Harvester {
        catalogue: Arc::new(catalogue),
        shapes: super::active_shapes(&[], no_validation)?,
        base_uri,
        accounts: Accounts::open(&store.data).await?,
        fetcher,
        limits: crate::harvest::HARVEST_LIMITS,
        files: None,
    };
    let progress = spinner(id);
    let report = harvester.run(id, full).await?;
    progress.finish_and_clear();
    // No flush of RocksDB's memory tables: what the run wrote is durable already (the
    // ledger commits durably, the bulk-loaded files are synced before they are added, and
    // removals are in the write-ahead log), and a flush waits until RocksDB has merged the
    // files a large run added, which it does in the background once the store is open again.
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("{}", report.summary());
    }
    Ok(match report.succeeded() {
        true => ExitCode::SUCCESS,
        false => ExitCode::FAILURE,
    })
}

/// A spinner on a terminal's standard error; hidden otherwise (scripts, tests).
fn spinner(id: i64) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_message(format!("harvesting source {id}"));
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}
