//! Harvest benchmark on the real binary over loopback.
//!
//! `cargo bench --bench harvest [-- DATASETS...]` (default 10000): an organisation's
//! generated catalogue (Turtle, relative IRIs) is served by a small HTTP server in this
//! process; `katalog source run` harvests it into a fresh store (first run), then again after
//! the source changed 1 % of its datasets and dropped another 1 % (second run): time and peak
//! memory of each run and how many records each wrote, medians of three. Then the harvested
//! store is served and katalog's `/ldes` replayed page by page as an LDES client does, beside
//! one fetch of `/datasets/dcat`. With `KATALOG_PYTHON` set (a venv with pyoxigraph, see
//! `scripts/python-env.sh`), pyoxigraph's bulk load of the same file into an on-disk store is
//! the baseline.
// Shared with the other benchmarks; this one does not load with `katalog load`.
#[allow(dead_code)]
mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::{BASE, katalog, median, serve, stop};

const RUNS: usize = 3;
const ORG: &str = "2120009994";

/// The document the source serves now, changed between runs.
type Served = Arc<Mutex<Arc<Vec<u8>>>>;

/// An HTTP server on loopback serving `served` at `/catalog.ttl`; returns its URL.
fn source_server(served: Served) -> (String, tokio::runtime::Runtime) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let url = format!("http://{}/catalog.ttl", listener.local_addr().unwrap());
    let app = axum::Router::new().route(
        "/catalog.ttl",
        axum::routing::get(move || {
            let body = served.lock().unwrap().clone();
            async move {
                (
                    [(axum::http::header::CONTENT_TYPE, "text/turtle")],
                    body.as_ref().clone(),
                )
            }
        }),
    );
    runtime.spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, runtime)
}

/// Runs a katalog command; its wall time, peak resident memory (MB) and standard output.
///
/// The peak is the child's own high-water mark (`VmHWM`), read every 10 ms while it runs.
/// `wait4`'s `ru_maxrss` is not: a child spawned with vfork reports this process's peak from
/// before its exec as its own, and this process holds the served catalogues (300 MB at
/// 100 000 datasets).
fn timed(mut command: Command) -> (Duration, f64, String) {
    let started = Instant::now();
    let mut child = command.stdout(Stdio::piped()).spawn().unwrap();
    let status = format!("/proc/{}/status", child.id());
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut out = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut out).unwrap();
        out
    });
    let mut peak_kb = 0u64;
    while child.try_wait().unwrap().is_none() {
        peak_kb = peak_kb.max(high_water_kb(&status).unwrap_or(0));
        std::thread::sleep(Duration::from_millis(10));
    }
    (
        started.elapsed(),
        peak_kb as f64 / 1024.0,
        reader.join().unwrap(),
    )
}

/// `VmHWM` of a running process, in kB.
fn high_water_kb(status: &str) -> Option<u64> {
    let text = std::fs::read_to_string(status).ok()?;
    let line = text.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn run_source(store: &Path, id: &str) -> (Duration, f64, serde_json::Value) {
    let mut command = katalog();
    command
        .args([
            "source",
            "run",
            id,
            "--json",
            "--allow-private",
            "--base-uri",
            BASE,
            "--data",
        ])
        .arg(store);
    let (took, peak, out) = timed(command);
    let report: serde_json::Value = serde_json::from_str(&out).expect("a JSON report");
    assert!(report["error"].is_null(), "{report:#}");
    (took, peak, report)
}

fn written(report: &serde_json::Value) -> u64 {
    ["added", "updated", "removed"]
        .iter()
        .map(|k| report[k].as_u64().unwrap())
        .sum()
}

fn setup_store(dir: &Path, url: &str) -> (std::path::PathBuf, String) {
    let store = dir.join(format!("store-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&store);
    let org = katalog()
        .args([
            "org",
            "add",
            "--orgnr",
            ORG,
            "--name",
            "Exempelkommun",
            "--data",
        ])
        .arg(&store)
        .output()
        .unwrap();
    assert!(org.status.success());
    let added = katalog()
        .args(["source", "add", "--org", ORG, "--url", url, "--data"])
        .arg(&store)
        .output()
        .unwrap();
    assert!(added.status.success());
    (
        store,
        String::from_utf8(added.stdout).unwrap().trim().to_owned(),
    )
}

/// Walks `/ldes` from its first page along `tree:node` links, as an LDES client does.
fn replay_ldes(client: &reqwest::blocking::Client, addr: &str) -> (Duration, usize) {
    let started = Instant::now();
    let mut next = Some(format!("{addr}/ldes"));
    let mut pages = 0;
    while let Some(url) = next.take() {
        let body = client
            .get(&url)
            .header("accept", "application/n-quads")
            .send()
            .unwrap()
            .text()
            .unwrap();
        pages += 1;
        next = body
            .lines()
            .find(|l| l.contains("<https://w3id.org/tree#node>"))
            .and_then(|l| l.split_whitespace().nth(2))
            .map(|o| {
                o.trim_matches(['<', '>'])
                    .replace(BASE.trim_end_matches('/'), addr)
            });
    }
    (started.elapsed(), pages)
}

fn bench_size(datasets: usize) {
    let dir = tempfile::tempdir().unwrap();
    let first = Arc::new(katalog::generate::organisation_turtle(datasets, "").into_bytes());
    let second =
        Arc::new(katalog::generate::organisation_turtle(datasets, " (ändrad)").into_bytes());
    let file = dir.path().join("catalogue.ttl");
    std::fs::write(&file, first.as_ref()).unwrap();
    let served: Served = Arc::new(Mutex::new(first.clone()));
    let (url, _runtime) = source_server(served.clone());
    let mut firsts = Vec::new();
    let mut seconds = Vec::new();
    let (mut first_peaks, mut second_peaks) = (Vec::new(), Vec::new());
    let mut reports = (serde_json::Value::Null, serde_json::Value::Null);
    let mut harvested = None;
    for _ in 0..RUNS {
        *served.lock().unwrap() = first.clone();
        let (store, id) = setup_store(dir.path(), &url);
        let (took, peak, report) = run_source(&store, &id);
        firsts.push(took);
        first_peaks.push(peak);
        *served.lock().unwrap() = second.clone();
        let (took2, peak2, report2) = run_source(&store, &id);
        seconds.push(took2);
        second_peaks.push(peak2);
        reports = (report, report2);
        harvested = Some(store);
    }
    let peak = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!(
        "{datasets} datasets ({:.1} MB of Turtle): first run {:.2} s, peak {:.0} MB, {} records written; \
         second run {:.2} s, peak {:.0} MB, {} records written (of {} changed + {} removed at the source)",
        first.len() as f64 / 1e6,
        median(firsts).as_secs_f64(),
        peak(first_peaks),
        written(&reports.0),
        median(seconds).as_secs_f64(),
        peak(second_peaks),
        written(&reports.1),
        reports.1["updated"],
        reports.1["removed"],
    );
    if let Ok(python) = std::env::var("KATALOG_PYTHON") {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/pyoxigraph_load.py");
        let out = Command::new(python)
            .arg(script)
            .arg(&file)
            .arg(&url)
            .output()
            .unwrap();
        print!("{}", String::from_utf8_lossy(&out.stdout));
    }
    let store = harvested.unwrap();
    let (server, addr) = serve(&store, &["--base-uri", BASE, "--no-scheduler"]);
    // reqwest is built without a TLS provider of its own: katalog installs ring's.
    katalog::harvest::install_tls_provider();
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(600))
        .build()
        .unwrap();
    let mut replays = Vec::new();
    let mut pages = 0;
    let mut dumps = Vec::new();
    for _ in 0..RUNS {
        let (took, n) = replay_ldes(&client, &addr);
        replays.push(took);
        pages = n;
        let started = Instant::now();
        client
            .get(format!("{addr}/datasets/dcat"))
            .send()
            .unwrap()
            .bytes()
            .unwrap();
        dumps.push(started.elapsed());
    }
    // The first replay renders the pages; the feed cache keeps those more pages follow.
    let first_replay = replays[0];
    println!(
        "  /ldes replayed ({pages} pages): {:.2} s (the first, on a cold cache: {:.2} s); \
         /datasets/dcat once: {:.2} s",
        median(replays).as_secs_f64(),
        first_replay.as_secs_f64(),
        median(dumps).as_secs_f64()
    );
    stop(server);
}

fn main() {
    for size in support::sizes() {
        bench_size(size);
    }
}
