//! A bounded load on loopback, mixing what a site meets on a busy night: full harvests,
//! paged harvests, dereferences, publishes from two scripts and expensive SPARQL queries.
//! No acknowledged write may be lost, dereferences stay fast, memory stays bounded.
use crate::common::{self, Server, TOKEN};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const RUN: Duration = Duration::from_secs(20);
const CARTESIAN: &str = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }";

fn until_stopped(stop: &AtomicBool, mut each: impl FnMut()) {
    while !stop.load(Ordering::Acquire) {
        each();
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)]
}

#[test]
fn a_mixed_load_loses_no_acknowledged_write_and_dereferences_stay_fast() {
    let dir = common::temp_store();
    let server = Server::start_in(
        dir.path(),
        &["--sparql-timeout", "1", "--sparql-max-concurrent", "1"],
    );
    server.publish_ok(&katalog::generate::catalogue_turtle(200));
    let stop = AtomicBool::new(false);
    let acknowledged = Mutex::new(Vec::new());
    let latencies = Mutex::new(Vec::new());
    let (mut harvests, mut queries) = (0, 0);
    std::thread::scope(|scope| {
        let harvester = scope.spawn(|| {
            let mut n = 0;
            until_stopped(&stop, || {
                let path = ["/datasets/dcat", "/catalog?page=2&pageSize=50", "/ldes"][n % 3];
                let accept = if n % 3 == 2 {
                    "application/trig"
                } else {
                    "*/*"
                };
                let response = server.get(path).header("accept", accept).send().unwrap();
                assert_eq!(response.status(), 200, "{path}");
                response.bytes().unwrap();
                n += 1;
            });
            n
        });
        let querier = scope.spawn(|| {
            let mut n = 0;
            until_stopped(&stop, || {
                let status = server
                    .get(&common::sparql_url(CARTESIAN))
                    .send()
                    .unwrap()
                    .status();
                assert!(matches!(status.as_u16(), 200 | 503), "{status}");
                n += 1;
            });
            n
        });
        for writer in 0..2 {
            let (stop, acknowledged, server) = (&stop, &acknowledged, &server);
            scope.spawn(move || {
                let mut n = 0;
                until_stopped(stop, || {
                    let id = format!("last-{writer}-{n}");
                    let orgnr = "2120009994";
                    let turtle = crate::publishers::dataset(&id, orgnr, "Belastning");
                    let response = server.publish(&turtle);
                    if response.status() == 201 {
                        acknowledged.lock().unwrap().push(id);
                    } else {
                        assert_eq!(response.status(), 503, "{}", response.text().unwrap());
                    }
                    n += 1;
                });
            });
        }
        scope.spawn(|| {
            let mut n = 0;
            until_stopped(&stop, || {
                let path = format!("/datasets/d{}", n % 200);
                let started = Instant::now();
                let response = server
                    .get(&path)
                    .header("accept", "text/turtle")
                    .send()
                    .unwrap();
                assert_eq!(response.status(), 200, "{path}");
                response.bytes().unwrap();
                latencies.lock().unwrap().push(started.elapsed());
                n += 1;
                std::thread::sleep(Duration::from_millis(5));
            });
        });
        std::thread::sleep(RUN);
        stop.store(true, Ordering::Release);
        harvests = harvester.join().unwrap();
        queries = querier.join().unwrap();
    });
    let acknowledged = acknowledged.into_inner().unwrap();
    for id in &acknowledged {
        let status = server
            .get(&format!("/datasets/{id}"))
            .send()
            .unwrap()
            .status();
        assert_eq!(status, 200, "acknowledged write {id} is missing");
    }
    let mut latencies = latencies.into_inner().unwrap();
    latencies.sort();
    let (p50, p99) = (percentile(&latencies, 0.5), percentile(&latencies, 0.99));
    let peak = server.peak_memory_mib();
    eprintln!(
        "load for {RUN:?}: {harvests} harvests, {queries} expensive queries, {} writes \
         acknowledged, {} dereferences p50 {p50:?} p99 {p99:?}, peak memory {peak} MiB",
        acknowledged.len(),
        latencies.len()
    );
    assert!(acknowledged.len() > 10, "writes got through");
    assert!(p99 < Duration::from_millis(50), "dereference p99 {p99:?}");
    assert!(peak < 512, "peak resident memory {peak} MiB");
}

#[test]
fn acknowledged_writes_survive_kill_9_during_concurrent_writers() {
    let dir = common::temp_store();
    let server = Server::start_in(dir.path(), &[]);
    let acknowledged = Mutex::new(Vec::new());
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        for writer in 0..4 {
            let (stop, acknowledged, server) = (&stop, &acknowledged, &server);
            scope.spawn(move || {
                let mut n = 0;
                until_stopped(stop, || {
                    let id = format!("krasch-{writer}-{n}");
                    let turtle = crate::publishers::dataset(&id, "2120009994", "Krasch");
                    match server
                        .post("/datasets")
                        .bearer_auth(TOKEN)
                        .header("content-type", "text/turtle")
                        .body(turtle)
                        .send()
                    {
                        Ok(r) if r.status() == 201 => acknowledged.lock().unwrap().push(id),
                        _ => {}
                    }
                    n += 1;
                });
            });
        }
        std::thread::sleep(Duration::from_secs(3));
        server.kill_now();
        stop.store(true, Ordering::Release);
    });
    server.kill();
    let acknowledged = acknowledged.into_inner().unwrap();
    assert!(!acknowledged.is_empty());
    let again = Server::start_in(dir.path(), &[]);
    for id in &acknowledged {
        let status = again
            .get(&format!("/datasets/{id}"))
            .send()
            .unwrap()
            .status();
        assert_eq!(status, 200, "acknowledged write {id} was lost");
    }
}
