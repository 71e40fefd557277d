//! Feed benchmark: load a generated catalogue, harvest every page of `/catalog` in RDF/XML,
//! and measure dataset dereference latency, on a real server over loopback.
//!
//! `cargo bench --bench feed [-- DATASETS]` (default 10 000). Prints medians of several runs.
use katalog::store::{Catalogue, split_records};
use katalog::web::{AppState, Config};
use std::time::{Duration, Instant};

const BASE: &str = "http://katalog.bench/";
const RUNS: usize = 5;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * p).round() as usize]
}

/// Parse, split, validate and write in one transaction, as `katalog load` does.
fn load(dir: &std::path::Path, turtle: &str, shapes: Option<&katalog::shacl::Shapes>) -> (Catalogue, Duration) {
    let catalogue = Catalogue::open(dir).unwrap();
    let started = Instant::now();
    let triples = katalog::rdf::parse_graph(turtle.as_bytes(), oxigraph::io::RdfFormat::Turtle, Some(BASE)).unwrap();
    let split = split_records(triples, BASE);
    if let Some(shapes) = shapes {
        let members = katalog::publish::Members::of(&split.records, &catalogue.index().unwrap());
        let report = katalog::publish::validate(shapes, &split.records, &members);
        assert!(!report.has_violations(), "{}", report.to_text());
    }
    catalogue.write(&split.records).unwrap();
    (catalogue, started.elapsed())
}

fn main() {
    let datasets: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(10_000);
    let turtle = katalog::generate::catalogue_turtle(datasets);
    let shapes = katalog::cli::active_shapes(&[], false).unwrap();
    println!("feed benchmark: {datasets} datasets, {} MB of Turtle, {RUNS} runs each", turtle.len() / 1_000_000);

    let mut load_times = Vec::new();
    let mut kept = None;
    for _ in 0..3 {
        let dir = tempfile::tempdir().unwrap();
        let (catalogue, took) = load(dir.path(), &turtle, shapes.as_deref());
        load_times.push(took);
        kept = Some((catalogue, dir));
    }
    println!("load (parse + split + validate + write): median {:?}", median(load_times));
    let (catalogue, _dir) = kept.unwrap();

    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    let state = AppState::new(catalogue, Config::new(BASE));
    runtime.spawn(katalog::web::serve(listener, state));
    let client = reqwest::blocking::Client::new();

    let mut harvest_times = Vec::new();
    let mut pages = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        pages = 0;
        let mut page = 1;
        loop {
            let url = format!("http://{addr}/catalog?page={page}&pageSize=100");
            let response = client.get(url).header("accept", "application/rdf+xml").send().unwrap();
            if response.status() == 404 {
                break;
            }
            assert!(response.status().is_success());
            let body = response.bytes().unwrap();
            pages += 1;
            if !body.windows(10).any(|w| w == b"hydra:next") {
                break;
            }
            page += 1;
        }
        harvest_times.push(started.elapsed());
    }
    println!("harvest all {pages} pages of /catalog in RDF/XML (100 per page): median {:?}", median(harvest_times));

    let mut latencies = Vec::new();
    for i in 0..2000 {
        let id = (i * 7919) % datasets;
        let started = Instant::now();
        let response = client.get(format!("http://{addr}/datasets/d{id}")).header("accept", "text/turtle").send().unwrap();
        assert!(response.status().is_success());
        response.bytes().unwrap();
        latencies.push(started.elapsed());
    }
    println!(
        "dereference a dataset (Turtle), 2000 requests: p50 {:?}, p99 {:?}",
        percentile(&mut latencies, 0.5),
        percentile(&mut latencies, 0.99)
    );
}
