//! What the benchmarks share: the katalog binary, starting `katalog serve`, loading a
//! generated catalogue, medians. (A folder, so Cargo does not take it for a benchmark.)
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BASE: &str = "http://katalog.bench/";

pub fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

pub fn katalog() -> Command {
    Command::new(env!("CARGO_BIN_EXE_katalog"))
}

/// Starts `katalog serve` on `store` on a free port; returns it and its base URL.
pub fn serve(store: &Path, extra: &[&str]) -> (Child, String) {
    let mut child = katalog()
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--rate-limit",
            "0",
            "--data",
        ])
        .arg(store)
        .args(extra)
        .env("RUST_LOG", "katalog=warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("katalog serve starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line.trim().trim_start_matches("listening on ").to_owned();
    (child, addr)
}

/// Writes a generated catalogue of `datasets` into `dir` and loads it with `katalog load`
/// into `dir/store`; returns the Turtle file, the store and how long the load took.
pub fn load_generated(dir: &Path, datasets: usize) -> (PathBuf, PathBuf, Duration) {
    let file = dir.join("catalogue.ttl");
    std::fs::write(&file, katalog::generate::catalogue_turtle(datasets)).unwrap();
    let store = dir.join("store");
    let started = Instant::now();
    let loaded = katalog()
        .args(["load", "--base-uri", BASE, "--data"])
        .arg(&store)
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        loaded.status.success(),
        "{}",
        String::from_utf8_lossy(&loaded.stderr)
    );
    (file, store, started.elapsed())
}

pub fn stop(mut server: Child) {
    let _ = server.kill();
    let _ = server.wait();
}

/// The catalogue sizes the command line names (`cargo bench --bench NAME -- 10000 100000`),
/// 10 000 datasets when it names none.
pub fn sizes() -> Vec<usize> {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    match sizes.is_empty() {
        true => vec![10_000],
        false => sizes,
    }
}
