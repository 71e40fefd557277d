//! Search benchmark on the real binary over loopback.
//!
//! `cargo bench --bench search [-- DATASETS...]` (default 10000): a generated catalogue is
//! loaded with `katalog load`; `katalog reindex` builds the search index (time and size on
//! disk, median of three); then `katalog serve` answers `/api/search` with every facet
//! counted: free text, facet filters, both together and sorted, over HTTP; p50 and p99 of
//! each kind of query. Goals (issue 16): p99 under 50 ms, a full reindex of 100 000 datasets
//! under 30 s.
mod support;

use std::path::Path;
use std::time::{Duration, Instant};
use support::{katalog, median, serve, stop};

const RUNS: usize = 3;
const REQUESTS: usize = 200;

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * p).round() as usize]
}

fn folder_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.metadata().map_or(0, |m| m.len()))
                .sum()
        })
        .unwrap_or(0)
}

fn bench_size(datasets: usize) {
    let dir = tempfile::tempdir().unwrap();
    let (_, store, loaded) = support::load_generated(dir.path(), datasets);
    println!(
        "{datasets} datasets: loaded in {:.1} s",
        loaded.as_secs_f64()
    );
    let mut builds = Vec::new();
    for _ in 0..RUNS {
        let started = Instant::now();
        let out = katalog()
            .args(["reindex", "--data"])
            .arg(&store)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        builds.push(started.elapsed());
    }
    let size = folder_size(&store.join("search-index"));
    println!(
        "  reindex: {:.2} s (median of {RUNS}), index {:.1} MB",
        median(builds).as_secs_f64(),
        size as f64 / 1e6
    );
    let (server, addr) = serve(&store, &["--no-scheduler"]);
    katalog::harvest::install_tls_provider();
    let client = reqwest::blocking::Client::new();
    let theme = "http://publications.europa.eu/resource/authority/data-theme/ENVI";
    let publisher = "http://dataportal.se/organisation/SE2120009994";
    let queries = [
        ("every record, all facets", String::new()),
        ("free text", "q=m%C3%A4tv%C3%A4rden".to_owned()),
        ("one word, rare", "q=nummer+4711".to_owned()),
        (
            "facet filters",
            format!("theme={theme}&publisher={publisher}&format=text/csv"),
        ),
        (
            "text, filters, sorted",
            format!("q=measurements&theme={theme}&sort=modified&page=3"),
        ),
    ];
    for (name, query) in queries {
        let url = format!("{addr}/api/search?{query}");
        let mut samples = Vec::with_capacity(REQUESTS);
        for _ in 0..REQUESTS {
            let started = Instant::now();
            let response = client.get(&url).send().unwrap();
            assert!(response.status().is_success(), "{url}");
            let _ = response.bytes().unwrap();
            samples.push(started.elapsed());
        }
        let p50 = percentile(&mut samples, 0.5);
        let p99 = percentile(&mut samples, 0.99);
        println!(
            "  /api/search {name}: p50 {:.1} ms, p99 {:.1} ms",
            p50.as_secs_f64() * 1e3,
            p99.as_secs_f64() * 1e3
        );
    }
    stop(server);
}

fn main() {
    for size in support::sizes() {
        bench_size(size);
    }
}
