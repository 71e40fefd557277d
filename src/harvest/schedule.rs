//! The scheduler the server runs: every half minute, each source whose next scheduled time
//! has come is harvested, a few sources at a time and never one source twice at once, and the
//! connected distributions that are due are fetched.
use super::{HarvestError, Harvester};
use crate::accounts::now;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Semaphore;

/// Sources harvested at once; more wait for a slot.
pub const PARALLEL_RUNS: usize = 2;

const TICK: Duration = Duration::from_secs(30);

/// Runs due sources until the task is dropped (the server's shutdown).
pub async fn run_due_sources(harvester: Arc<Harvester>) {
    let slots = Arc::new(Semaphore::new(PARALLEL_RUNS));
    let queued = Arc::new(Mutex::new(HashSet::new()));
    let fetching = Arc::new(AtomicBool::new(false));
    let mut tick = tokio::time::interval(TICK);
    loop {
        tick.tick().await;
        if let Err(e) = start_due(&harvester, &slots, &queued).await {
            tracing::error!(error = %e, "the scheduler could not read the sources");
        }
        start_due_files(&harvester, &fetching);
    }
}

/// Fetches the connected distributions that are due, in one task at a time.
fn start_due_files(harvester: &Arc<Harvester>, fetching: &Arc<AtomicBool>) {
    if fetching.swap(true, Ordering::AcqRel) {
        return;
    }
    let (harvester, fetching) = (harvester.clone(), fetching.clone());
    tokio::spawn(async move {
        if let Err(e) = harvester.fetch_due_files().await {
            tracing::error!(error = %e, "the scheduler could not fetch the connected files");
        }
        fetching.store(false, Ordering::Release);
    });
}

/// Sources started by the scheduler and not yet finished (waiting for a slot or running).
type Queued = Arc<Mutex<HashSet<i64>>>;

async fn start_due(
    harvester: &Arc<Harvester>,
    slots: &Arc<Semaphore>,
    queued: &Queued,
) -> Result<(), HarvestError> {
    for id in harvester.sources().due(now()).await? {
        if !queued.lock().expect("queue lock").insert(id) {
            continue;
        }
        let (harvester, slots, queued) = (harvester.clone(), slots.clone(), queued.clone());
        tokio::spawn(async move {
            let Ok(_slot) = slots.acquire_owned().await else {
                return;
            };
            match harvester.run(id, false).await {
                Ok(_) | Err(HarvestError::Running(_)) => {}
                Err(e) => tracing::error!(source = id, error = %e, "scheduled run failed to start"),
            }
            queued.lock().expect("queue lock").remove(&id);
        });
    }
    Ok(())
}
