//! Feed benchmark on the real binary over loopback.
//!
//! `cargo bench --bench feed [-- DATASETS...]` (default 10000): for each size, a generated
//! DCAT-AP-SE catalogue is loaded with `katalog load` (parse, split, validate, write), then
//! `katalog serve` is measured: harvesting every `/catalog` page in RDF/XML, the unpaged
//! `/datasets/dcat` (time to first byte, total, the server's resident memory before and at its
//! peak during the requests), without the feed cache and with it, and dataset dereference
//! latency; and the server's start-up time with unchanged and with changed shapes. With `KATALOG_PYTHON` set (a venv with pyoxigraph, see `scripts/python-env.sh`),
//! a raw pyoxigraph RDF/XML dump of the same triples is the baseline: `serialize` of the
//! triples, `Store.dump` of an in-memory store, and `Store.dump` of an on-disk store.
mod support;

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};
use support::{BASE, median, serve, stop};

const RUNS: usize = 3;

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * p).round() as usize]
}

/// A memory figure of a process, in MB, from /proc (Linux): `VmHWM` (peak) or `VmRSS`.
fn memory_mb(pid: u32, field: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Resets a process's peak resident size to its current one (Linux `clear_refs`), so the
/// peak read afterwards is that of what happened since.
fn reset_peak(pid: u32) {
    let _ = std::fs::write(format!("/proc/{pid}/clear_refs"), "5");
}

struct FeedFigures {
    first_byte: Duration,
    total: Duration,
    megabytes: usize,
    resident_before: f64,
    peak_during: f64,
}

/// Fetches `/datasets/dcat` RUNS times: medians of time to first byte and total, and the
/// server's resident memory before and at its peak during the requests.
fn measure_feed(client: &reqwest::blocking::Client, server: &Child, addr: &str) -> FeedFigures {
    let pid = server.id();
    let resident_before = memory_mb(pid, "VmRSS:").unwrap_or(f64::NAN);
    reset_peak(pid);
    let (mut firsts, mut totals, mut size) = (Vec::new(), Vec::new(), 0);
    for _ in 0..RUNS {
        let started = Instant::now();
        let mut response = client.get(format!("{addr}/datasets/dcat")).send().unwrap();
        let mut buffer = vec![0; 64 * 1024];
        let first = response.read(&mut buffer).unwrap();
        firsts.push(started.elapsed());
        size = first;
        loop {
            let n = response.read(&mut buffer).unwrap();
            if n == 0 {
                break;
            }
            size += n;
        }
        totals.push(started.elapsed());
    }
    FeedFigures {
        first_byte: median(firsts),
        total: median(totals),
        megabytes: size / 1_000_000,
        resident_before,
        peak_during: memory_mb(pid, "VmHWM:").unwrap_or(f64::NAN),
    }
}

fn print_feed(label: &str, f: &FeedFigures) {
    println!(
        "/datasets/dcat {label} (RDF/XML, {} MB): time to first byte median {:?}, total median {:?}; \
         server resident {:.0} MB before, peak {:.0} MB during",
        f.megabytes, f.first_byte, f.total, f.resident_before, f.peak_during
    );
}

fn bench_size(datasets: usize) {
    let dir = tempfile::tempdir().unwrap();
    let (file, store, loading) = support::load_generated(dir.path(), datasets);
    println!(
        "\n== {datasets} datasets ({} MB of Turtle)",
        std::fs::metadata(&file).unwrap().len() / 1_000_000
    );
    println!("load (katalog load: parse + split + validate + write): {loading:?}");

    // First without the feed cache: every record decoded from the store and rendered.
    let started = Instant::now();
    let (server, addr) = serve(&store, &["--no-feed-cache"]);
    println!(
        "server started, shapes unchanged since the load (only catalogues checked): {:?}, \
         peak RSS {:.0} MB, resident {:.0} MB",
        started.elapsed(),
        memory_mb(server.id(), "VmHWM:").unwrap_or(f64::NAN),
        memory_mb(server.id(), "VmRSS:").unwrap_or(f64::NAN)
    );
    katalog::harvest::install_tls_provider();
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(600))
        .build()
        .unwrap();

    let mut harvests = Vec::new();
    let mut pages = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        pages = 0;
        loop {
            pages += 1;
            let url = format!("{addr}/catalog?page={pages}&pageSize=100");
            let body = client
                .get(url)
                .header("accept", "application/rdf+xml")
                .send()
                .unwrap()
                .bytes()
                .unwrap();
            if !body.windows(10).any(|w| w == b"hydra:next")
                && !body.windows(5).any(|w| w == b"#next")
            {
                break;
            }
        }
        harvests.push(started.elapsed());
    }
    println!(
        "harvest all {pages} pages of /catalog in RDF/XML: median {:?}",
        median(harvests)
    );
    print_feed("uncached", &measure_feed(&client, &server, &addr));

    let mut latencies = Vec::new();
    for i in 0..2000 {
        let id = (i * 7919) % datasets;
        let started = Instant::now();
        let response = client
            .get(format!("{addr}/datasets/d{id}"))
            .header("accept", "text/turtle")
            .send()
            .unwrap();
        assert!(response.status().is_success());
        response.bytes().unwrap();
        latencies.push(started.elapsed());
    }
    println!(
        "dereference a dataset (Turtle), 2000 requests: p50 {:?}, p99 {:?}",
        percentile(&mut latencies, 0.5),
        percentile(&mut latencies, 0.99)
    );
    stop(server);

    // Then as served by default: the feed cache filled (at start, in the background, or by
    // the first harvest), as on every night but the first.
    let (server, addr) = serve(&store, &[]);
    let started = Instant::now();
    client
        .get(format!("{addr}/datasets/dcat"))
        .send()
        .unwrap()
        .bytes()
        .unwrap();
    println!(
        "/datasets/dcat first request after start (fills the feed cache): {:?}",
        started.elapsed()
    );
    print_feed("cached", &measure_feed(&client, &server, &addr));
    stop(server);

    // Changed shapes (an extra, empty shapes file): every stored record is checked again.
    let extra = dir.path().join("extra-shapes.ttl");
    std::fs::write(&extra, "# no shapes, but another digest\n").unwrap();
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("shapes");
    let started = Instant::now();
    let (server, addr) = serve(
        &store,
        &[
            "--no-feed-cache",
            "--shapes",
            shipped.to_str().unwrap(),
            "--shapes",
            extra.to_str().unwrap(),
        ],
    );
    let listening = started.elapsed();
    // The re-check runs beside the server: /health says when it is done.
    loop {
        let health: serde_json::Value = client
            .get(format!("{addr}/health"))
            .send()
            .and_then(|r| r.json())
            .unwrap_or_default();
        if health["recheck"] == "done" {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    println!(
        "server started, shapes changed: answering after {listening:?}; re-check of every \
         record (beside the server) done after {:?}, peak RSS {:.0} MB",
        started.elapsed(),
        memory_mb(server.id(), "VmHWM:").unwrap_or(f64::NAN)
    );
    stop(server);

    if let Ok(python) = std::env::var("KATALOG_PYTHON") {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/pyoxigraph_dump.py");
        let output = Command::new(python)
            .arg(script)
            .arg(&file)
            .arg(BASE)
            .output()
            .unwrap();
        print!("{}", String::from_utf8_lossy(&output.stdout));
        if !output.status.success() {
            eprintln!(
                "baseline failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }
}

fn main() {
    for size in support::sizes() {
        bench_size(size);
    }
}
