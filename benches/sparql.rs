//! SPARQL benchmark: katalog's `/sparql` beside a raw Oxigraph server on the same store.
//!
//! `cargo bench --bench sparql [-- DATASETS...]` (default 10000): for each size a generated
//! DCAT-AP-SE catalogue is loaded with `katalog load`; the store directory is then copied
//! and served by PyPI `oxigraph` 0.5.13 (`serve-read-only --union-default-graph`), so both
//! servers answer from the same quads. Each query of `queries/examples/` runs alternately
//! against both, ROUNDS times after a warm-up; the answers must be the same. Prints the
//! median of each and their ratio, and the ratio of the summed medians.
//!
//! The raw server is `$KATALOG_OXIGRAPH` when set, otherwise installed once into a venv at
//! `~/.cache/katalog-bench-venv` (`pip install oxigraph==0.5.13`).
mod support;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::median;

const ROUNDS: usize = 5;
const RAW_VERSION: &str = "0.5.13";

fn raw_oxigraph() -> PathBuf {
    if let Ok(path) = std::env::var("KATALOG_OXIGRAPH") {
        return path.into();
    }
    let venv = Path::new(&std::env::var("HOME").unwrap()).join(".cache/katalog-bench-venv");
    let bin = venv.join("bin/oxigraph");
    if !bin.exists() {
        let ok = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .unwrap()
            .success()
            && Command::new(venv.join("bin/pip"))
                .args(["install", "-q", &format!("oxigraph=={RAW_VERSION}")])
                .status()
                .unwrap()
                .success();
        assert!(ok, "could not install oxigraph {RAW_VERSION} from PyPI");
    }
    bin
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn serve_katalog(store: &Path) -> (Child, String) {
    // No feed cache: its filling at start would share the cores with the queries. The row cap
    // and the timeout raised as far as the raw server's (none), so both answer in full at
    // 100 000 datasets.
    let (child, addr) = support::serve(
        store,
        &[
            "--no-feed-cache",
            "--sparql-max-rows",
            "100000000",
            "--sparql-timeout",
            "600",
        ],
    );
    (child, format!("{addr}/sparql"))
}

fn serve_raw(store: &Path, client: &reqwest::blocking::Client) -> (Child, String) {
    let port = free_port();
    let mut child = Command::new(raw_oxigraph())
        .args(["serve-read-only", "--union-default-graph", "--location"])
        .arg(store)
        .args(["--bind", &format!("127.0.0.1:{port}")])
        .stderr(Stdio::null())
        .spawn()
        .expect("oxigraph serve-read-only starts");
    let url = format!("http://127.0.0.1:{port}/query");
    for _ in 0..600 {
        if client.get(with_query(&url, "ASK {}")).send().is_ok() {
            return (child, url);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the raw Oxigraph server did not start");
}

fn with_query(url: &str, query: &str) -> String {
    let encoded: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("query", query)
        .finish();
    format!("{url}?{encoded}")
}

/// Waits until katalog's start-up re-check, which runs beside the server, is done.
fn wait_for_recheck(client: &reqwest::blocking::Client, sparql_url: &str) {
    let health = sparql_url.replace("/sparql", "/health");
    for _ in 0..6000 {
        let done = client
            .get(&health)
            .send()
            .and_then(|r| r.json::<serde_json::Value>())
            .is_ok_and(|h| h["recheck"] == "done");
        if done {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("katalog's start-up re-check did not finish");
}

/// Runs a query; returns its time and its bindings (order kept, keys sorted).
fn run(
    client: &reqwest::blocking::Client,
    url: &str,
    query: &str,
) -> (Duration, serde_json::Value) {
    let started = Instant::now();
    let response = client
        .get(with_query(url, query))
        .header("accept", "application/sparql-results+json")
        .send()
        .unwrap();
    assert!(
        response.status().is_success(),
        "{url}: {}",
        response.status()
    );
    let body = response.bytes().unwrap();
    let elapsed = started.elapsed();
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    (elapsed, json["results"]["bindings"].clone())
}

fn examples() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("queries/examples");
    let mut queries: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rq"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    queries.sort();
    queries
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        // The raw server needs RocksDB's files only.
        if name.to_string_lossy().ends_with(".redb") || name == "accounts.sqlite" {
            continue;
        }
        std::fs::copy(entry.path(), to.join(name)).unwrap();
    }
}

fn bench_size(datasets: usize) {
    let dir = tempfile::tempdir().unwrap();
    let (_, store, _) = support::load_generated(dir.path(), datasets);
    let raw_store = dir.path().join("raw");
    copy_dir(&store, &raw_store);

    katalog::harvest::install_tls_provider();
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(600))
        .build()
        .unwrap();
    let (ours, ours_url) = serve_katalog(&store);
    wait_for_recheck(&client, &ours_url);
    let (raw, raw_url) = serve_raw(&raw_store, &client);

    println!("\n== {datasets} datasets, medians of {ROUNDS} rounds, alternating");
    println!("| query | katalog `/sparql` | raw Oxigraph | ratio |");
    println!("|---|---|---|---|");
    let (mut sum_ours, mut sum_raw, mut worst) = (Duration::ZERO, Duration::ZERO, 0.0f64);
    for (name, query) in examples() {
        let (_, expected) = run(&client, &raw_url, &query);
        let (_, answer) = run(&client, &ours_url, &query);
        assert_eq!(
            answer, expected,
            "{name}: katalog and Oxigraph answer differently"
        );
        let (mut times_ours, mut times_raw) = (Vec::new(), Vec::new());
        for _ in 0..ROUNDS {
            times_ours.push(run(&client, &ours_url, &query).0);
            times_raw.push(run(&client, &raw_url, &query).0);
        }
        let (a, b) = (median(times_ours), median(times_raw));
        let ratio = a.as_secs_f64() / b.as_secs_f64();
        worst = worst.max(ratio);
        sum_ours += a;
        sum_raw += b;
        println!(
            "| {name} ({} rows) | {:.1} ms | {:.1} ms | {ratio:.2}× |",
            expected.as_array().map_or(0, Vec::len),
            a.as_secs_f64() * 1e3,
            b.as_secs_f64() * 1e3
        );
    }
    println!(
        "| summed medians | {:.1} ms | {:.1} ms | {:.2}× (highest single query {worst:.2}×) |",
        sum_ours.as_secs_f64() * 1e3,
        sum_raw.as_secs_f64() * 1e3,
        sum_ours.as_secs_f64() / sum_raw.as_secs_f64()
    );
    support::stop(ours);
    support::stop(raw);
}

fn main() {
    for size in support::sizes() {
        bench_size(size);
    }
}
