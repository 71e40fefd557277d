//! Benchmark of the SHACL engine.
//!
//! ```text
//! cargo run --release --example bench_shacl -- [--runs N] [--show N] --shapes FILE_OR_DIR... --data FILE_OR_DIR...
//! ```
//!
//! Loads the shapes and data (RDF format from the file extension), validates
//! N times (default 5) and prints the load times, the median validation time,
//! the result counts per component, the conformance verdict and the peak RSS.
//! `--show N` also prints the first N lines of the text report.

use katalog::shacl::{Shapes, read_graph};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

struct Args {
    runs: usize,
    show: usize,
    shapes: Vec<PathBuf>,
    data: Vec<PathBuf>,
}

const USAGE: &str =
    "usage: bench_shacl [--runs N] [--show N] --shapes FILE_OR_DIR... --data FILE_OR_DIR...";

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        runs: 5,
        show: 0,
        shapes: Vec::new(),
        data: Vec::new(),
    };
    let mut target: Option<bool> = None; // Some(true): shapes, Some(false): data
    let mut raw = std::env::args().skip(1);
    while let Some(arg) = raw.next() {
        match arg.as_str() {
            "--runs" => {
                let n = raw.next().ok_or("--runs needs a number")?;
                args.runs = n.parse().map_err(|_| format!("bad --runs value {n:?}"))?;
            }
            "--show" => {
                let n = raw.next().ok_or("--show needs a number")?;
                args.show = n.parse().map_err(|_| format!("bad --show value {n:?}"))?;
            }
            "--shapes" => target = Some(true),
            "--data" => target = Some(false),
            "-h" | "--help" => return Err(USAGE.to_owned()),
            path => match target {
                Some(true) => args.shapes.push(path.into()),
                Some(false) => args.data.push(path.into()),
                None => return Err(format!("{path}: say --shapes or --data first\n{USAGE}")),
            },
        }
    }
    if args.shapes.is_empty() || args.data.is_empty() || args.runs == 0 {
        return Err(USAGE.to_owned());
    }
    Ok(args)
}

/// Peak resident set size (VmHWM) in kB, on Linux.
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn peak_rss() -> String {
    peak_rss_kb().map_or_else(
        || "unknown".to_owned(),
        |kb| format!("{:.1} MB", kb as f64 / 1024.0),
    )
}

fn millis(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::FAILURE;
        }
    };
    let start = Instant::now();
    let shapes = match Shapes::load(&args.shapes) {
        Ok(shapes) => shapes,
        Err(error) => {
            eprintln!("shapes: {error}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "shapes: {} compiled in {}",
        shapes.len(),
        millis(start.elapsed())
    );
    let start = Instant::now();
    let data = match read_graph(&args.data) {
        Ok(data) => data,
        Err(error) => {
            eprintln!("data: {error}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "data: {} triples parsed in {} (peak RSS so far {})",
        data.len(),
        millis(start.elapsed()),
        peak_rss()
    );

    let mut times = Vec::with_capacity(args.runs);
    let mut report = None;
    for _ in 0..args.runs {
        let start = Instant::now();
        let r = shapes.validate(&data);
        times.push(start.elapsed());
        report = Some(r);
    }
    times.sort();
    let report = report.expect("at least one run");
    println!(
        "validate: median {} (min {}, max {}) over {} run(s)",
        millis(times[times.len() / 2]),
        millis(times[0]),
        millis(times[times.len() - 1]),
        args.runs
    );
    println!(
        "results: {} ({} violations, {} warnings, {} other)",
        report.results.len(),
        report.violations(),
        report.warnings(),
        report.results.len() - report.violations() - report.warnings()
    );
    let mut per_component = std::collections::BTreeMap::new();
    for result in &report.results {
        *per_component.entry(result.component.as_str()).or_insert(0) += 1;
    }
    for (component, count) in per_component {
        println!("  {count:>8}  {component}");
    }
    println!("conforms: {}", report.conforms());
    if args.show > 0 {
        for line in report.to_text().lines().take(args.show) {
            println!("{line}");
        }
    }
    println!("peak RSS: {}", peak_rss());
    ExitCode::SUCCESS
}
