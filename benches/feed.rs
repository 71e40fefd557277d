//! Feed benchmark on the real binary over loopback.
//!
//! `cargo bench --bench feed [-- DATASETS...]` (default 10000): for each size, a generated
//! DCAT-AP-SE catalogue is loaded with `katalog load` (parse, split, validate, write), then
//! a `katalog serve` process is measured: harvesting every `/catalog` page in RDF/XML, the
//! unpaged `/datasets/dcat` (time to first byte, total, the server's peak memory) and dataset
//! dereference latency. With `KATALOG_PYTHON` set (a venv with pyoxigraph, see
//! `scripts/python-env.sh`), a raw pyoxigraph RDF/XML dump of the same triples is the baseline.
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BASE: &str = "http://katalog.bench/";
const RUNS: usize = 3;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * p).round() as usize]
}

fn katalog() -> Command {
    Command::new(env!("CARGO_BIN_EXE_katalog"))
}

fn serve(store: &Path) -> (Child, String) {
    let mut child = katalog()
        .args(["serve", "--addr", "127.0.0.1:0", "--data"])
        .arg(store)
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

/// Peak resident memory of a process, from /proc (Linux).
fn peak_rss_mb(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn bench_size(datasets: usize) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("catalogue.ttl");
    std::fs::write(&file, katalog::generate::catalogue_turtle(datasets)).unwrap();
    println!(
        "\n== {datasets} datasets ({} MB of Turtle)",
        std::fs::metadata(&file).unwrap().len() / 1_000_000
    );

    let store = dir.path().join("store");
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
    println!(
        "load (katalog load: parse + split + validate + write): {:?}",
        started.elapsed()
    );

    let (mut server, addr) = serve(&store);
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
    println!(
        "/datasets/dcat (RDF/XML, {} MB): time to first byte median {:?}, total median {:?}, server peak RSS {:.0} MB",
        size / 1_000_000,
        median(firsts),
        median(totals),
        peak_rss_mb(server.id()).unwrap_or(f64::NAN)
    );

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
    let _ = server.kill();
    let _ = server.wait();

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
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![10_000]
    } else {
        sizes
    };
    for size in sizes {
        bench_size(size);
    }
}
