//! Hostile input: documents built to exhaust memory or the stack get a 4xx naming the limit,
//! the server's memory stays bounded, and it keeps answering other requests meanwhile.
use crate::common::{self, Server, TOKEN};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";

/// Seven levels of ten: 10⁷ copies of "lol" from a 1 KB document.
fn billion_laughs() -> String {
    let mut declarations = vec![r#"<!ENTITY lol0 "lol">"#.to_owned()];
    for i in 1..=7 {
        let body = format!("&lol{};", i - 1).repeat(10);
        declarations.push(format!(r#"<!ENTITY lol{i} "{body}">"#));
    }
    xml_with_doctype(&declarations.join("\n"), "&lol7;")
}

/// One 50 KB entity referenced 50 000 times: no nesting, 2.5 GB of expansion.
fn quadratic_blowup() -> String {
    let declaration = format!(r#"<!ENTITY a "{}">"#, "x".repeat(50_000));
    xml_with_doctype(&declaration, &"&a;".repeat(50_000))
}

fn xml_with_doctype(declarations: &str, title: &str) -> String {
    format!(
        r#"<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
{declarations}
]>
<rdf:RDF xmlns:rdf="{RDF}" xmlns:dct="http://purl.org/dc/terms/">
  <rdf:Description rdf:about="http://example.org/a"><dct:title>{title}</dct:title></rdf:Description>
</rdf:RDF>
"#
    )
}

fn deep_turtle(levels: usize) -> String {
    format!(
        "<http://example.org/a> <http://example.org/p> {} \"x\" {} .\n",
        "[ <http://example.org/p> ".repeat(levels),
        "]".repeat(levels)
    )
}

/// Scoped contexts nested 5 000 deep: each level copies the active context.
fn deep_context_chain() -> String {
    let mut context = String::from("{}");
    for i in (0..5_000).rev() {
        context =
            format!(r#"{{"t{i}": {{"@id": "http://example.org/t{i}", "@context": {context}}}}}"#);
    }
    format!(r#"{{"@context": {context}, "@id": "http://example.org/a", "t0": "x"}}"#)
}

/// A million distinct triples in under 20 MB of N-Triples.
fn million_triples() -> String {
    let mut body = String::with_capacity(20_000_000);
    for i in 0..1_000_000 {
        body.push_str(&format!("<a:> <a:> \"{i:x}\" .\n"));
    }
    body
}

struct Case {
    name: &'static str,
    content_type: &'static str,
    body: Vec<u8>,
    status: u16,
    message: &'static str,
}

fn case(name: &'static str, content_type: &'static str, body: impl Into<Vec<u8>>) -> Case {
    Case {
        name,
        content_type,
        body: body.into(),
        status: 413,
        message: "",
    }
}

impl Case {
    fn expect(mut self, status: u16, message: &'static str) -> Self {
        self.status = status;
        self.message = message;
        self
    }
}

fn cases() -> Vec<Case> {
    let xxe = xml_with_doctype(r#"<!ENTITY x SYSTEM "file:///etc/passwd">"#, "&x;");
    let huge_literal = format!(
        "<http://example.org/a> <http://purl.org/dc/terms/title> \"{}\" .\n",
        "x".repeat(15_000_000)
    );
    let deep_list = format!(
        "<http://example.org/a> <http://example.org/p> ({}) .\n",
        " 1".repeat(200_000)
    );
    let deep_json = format!(
        r#"{{"@id": "http://example.org/a", "http://example.org/p": {}"x"{}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    vec![
        case("billion laughs", "application/rdf+xml", billion_laughs())
            .expect(413, "--max-entity-expansion"),
        case(
            "quadratic blowup",
            "application/rdf+xml",
            quadratic_blowup(),
        )
        .expect(413, "--max-entity-expansion"),
        case("external entity", "application/rdf+xml", xxe).expect(400, "ENTITY"),
        case("200 000-deep Turtle", "text/turtle", deep_turtle(200_000)).expect(413, "--max-depth"),
        case("200 000-long list", "text/turtle", deep_list).expect(413, "--max-depth"),
        case("15 MB literal", "text/turtle", huge_literal).expect(413, "--max-literal-bytes"),
        case(
            "deep @context chain",
            "application/ld+json",
            deep_context_chain(),
        )
        .expect(413, "--max-depth"),
        case("100 000-deep JSON", "application/ld+json", deep_json).expect(413, "--max-depth"),
        case(
            "a million triples",
            "application/n-triples",
            million_triples(),
        )
        .expect(413, "--max-triples"),
        case(
            "malformed UTF-8",
            "text/turtle",
            b"<http://example.org/a> <http://example.org/p> \"\xff\xfe\" .\n".to_vec(),
        )
        .expect(400, "UTF-8"),
        case(
            "invalid IRI code point",
            "text/turtle",
            "<http://example.org/a\u{1}b> <http://example.org/p> \"x\" .\n",
        )
        .expect(400, "IRI"),
    ]
}

/// Requests /health every 50 ms until told to stop; the slowest answer.
fn watch_health(server: &Server, stop: &AtomicBool) -> Duration {
    let mut slowest = Duration::ZERO;
    while !stop.load(Ordering::Acquire) {
        let started = Instant::now();
        let response = server.get("/health").timeout(Duration::from_secs(5)).send();
        assert_eq!(response.expect("health answers").status(), 200);
        slowest = slowest.max(started.elapsed());
        std::thread::sleep(Duration::from_millis(50));
    }
    slowest
}

#[test]
fn hostile_documents_get_a_4xx_naming_the_limit_within_bounded_memory() {
    let dir = common::temp_store();
    let server = Server::start_in(dir.path(), &[]);
    let stop = AtomicBool::new(false);
    let slowest = std::thread::scope(|scope| {
        let watcher = scope.spawn(|| watch_health(&server, &stop));
        for case in cases() {
            for (path, token) in [("/validate", None), ("/datasets", Some(TOKEN))] {
                let mut request = server
                    .post(path)
                    .header("content-type", case.content_type)
                    .body(case.body.clone());
                if let Some(token) = token {
                    request = request.bearer_auth(token);
                }
                let response = request.send().unwrap();
                let status = response.status().as_u16();
                let text = response.text().unwrap();
                assert_eq!(status, case.status, "{} to {path}: {text}", case.name);
                assert!(
                    text.contains(case.message),
                    "{} to {path}: the answer should name {:?}: {text}",
                    case.name,
                    case.message
                );
                assert!(!text.contains("root:"), "{}: a file was read", case.name);
            }
        }
        stop.store(true, Ordering::Release);
        watcher.join().unwrap()
    });
    let peak = server.peak_memory_mib();
    eprintln!("hostile suite: peak resident memory {peak} MiB, slowest /health {slowest:?}");
    // The largest allowed document (500 000 triples) needs about 250 MiB while parsed.
    assert!(peak < 512, "peak resident memory {peak} MiB");
    assert!(slowest < Duration::from_secs(2), "/health took {slowest:?}");
    let count: serde_json::Value = server.get("/health").send().unwrap().json().unwrap();
    assert_eq!(count["records"], 0, "nothing was stored");
}

/// The bounds the README states and issue 14 asks: validating or writing a body of N bytes
/// takes at most this many times N of memory beyond the idle server's.
const VALIDATION_PER_BODY_BYTE: u64 = 10;
const WRITE_PER_BODY_BYTE: u64 = 10;

#[test]
fn validation_and_ingest_of_a_catalogue_stay_within_bounds_in_proportion_to_its_size() {
    let dir = common::temp_store();
    let server = Server::start_in(dir.path(), &["--max-body", "67108864"]);
    let body = katalog::generate::catalogue_turtle(4000);
    let datasets = 4000;
    let idle = server.memory_kib("VmRSS");
    let response = server
        .post("/validate")
        .header("content-type", "text/turtle")
        .header("accept", "application/json")
        .body(body.clone())
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers().get("content-length").is_none(),
        "the report is sent as it is made"
    );
    let report: serde_json::Value = response.json().unwrap();
    let results = report["results"].as_array().unwrap();
    assert_eq!(report["violations"], 0, "{}", results[0]);
    assert_eq!(report["warnings"], results.len());
    assert!(
        results.len() > datasets,
        "every dataset lacks a recommended property"
    );
    let validated = server.memory_kib("VmHWM").saturating_sub(idle);
    let response = server
        .post("/datasets")
        .bearer_auth(TOKEN)
        .header("content-type", "text/turtle")
        .body(body.clone())
        .send()
        .unwrap();
    assert!(
        response.status().is_success(),
        "{}",
        response.text().unwrap()
    );
    let written = server.memory_kib("VmHWM").saturating_sub(idle);
    let kib = body.len() as u64 / 1024;
    eprintln!(
        "a {kib} KiB catalogue: validated in {validated} KiB more ({:.1}x), written in {written} KiB more ({:.1}x)",
        validated as f64 / kib as f64,
        written as f64 / kib as f64
    );
    assert!(
        validated < VALIDATION_PER_BODY_BYTE * kib,
        "validation took {validated} KiB"
    );
    assert!(
        written < WRITE_PER_BODY_BYTE * kib,
        "ingest took {written} KiB"
    );
    let health: serde_json::Value = server.get("/health").send().unwrap().json().unwrap();
    assert_eq!(
        health["records"],
        datasets + 1,
        "the datasets and their catalogue"
    );
}

#[test]
fn a_byte_order_mark_is_read_as_editors_write_it() {
    let dir = common::temp_store();
    let server = Server::start_in(dir.path(), &[]);
    let mut body = b"\xEF\xBB\xBF".to_vec();
    body.extend_from_slice(b"<http://example.org/a> <http://purl.org/dc/terms/title> \"x\" .\n");
    let response = server
        .post("/validate")
        .header("content-type", "text/turtle")
        .body(body)
        .send()
        .unwrap();
    assert_eq!(response.status(), 200, "{}", response.text().unwrap());
}

#[test]
fn commands_refuse_bombs_too() {
    let dir = common::temp_store();
    let file = dir.path().join("laughs.rdf");
    std::fs::write(&file, billion_laughs()).unwrap();
    let deep = dir.path().join("deep.ttl");
    std::fs::write(&deep, deep_turtle(200_000)).unwrap();
    for args in [
        vec!["validate", file.to_str().unwrap()],
        vec!["validate", deep.to_str().unwrap()],
        vec![
            "load",
            "--data",
            dir.path().join("store").to_str().unwrap(),
            file.to_str().unwrap(),
        ],
    ] {
        let output = std::process::Command::new(common::bin())
            .args(&args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args:?} succeeded");
        assert!(
            stderr.contains("--max-entity-expansion") || stderr.contains("--max-depth"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn check_feed_refuses_a_remote_bomb() {
    let dir = common::temp_store();
    let files = dir.path().join("files");
    std::fs::create_dir(&files).unwrap();
    std::fs::write(files.join("laughs.rdf"), billion_laughs()).unwrap();
    let server = Server::start_in(
        &dir.path().join("store"),
        &["--files", files.to_str().unwrap()],
    );
    let output = std::process::Command::new(common::bin())
        .args(["check-feed", "--allow-private"])
        .arg(server.url("/files/laughs.rdf"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success());
    assert!(stdout.contains("--max-entity-expansion"), "{stdout}");
}

/// Starts a request whose body never comes: it holds a write slot until the body timeout.
fn stalled_upload(server: &Server) -> std::net::TcpStream {
    use std::io::Write;
    let mut stream =
        std::net::TcpStream::connect(server.addr.trim_start_matches("http://")).expect("connects");
    write!(
        stream,
        "POST /validate HTTP/1.1\r\nHost: katalog\r\nContent-Type: text/turtle\r\n\
         Content-Length: 1000000\r\n\r\n<http://example.org/a> "
    )
    .unwrap();
    stream.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    stream
}

#[test]
fn writes_beyond_the_concurrent_bound_get_503_with_retry_after() {
    let dir = common::temp_store();
    let server = Server::start_in(dir.path(), &["--max-concurrent-writes", "1"]);
    let _stalled = stalled_upload(&server);
    let started = Instant::now();
    let refused = server
        .post("/validate")
        .header("content-type", "text/turtle")
        .body("<http://example.org/a> <http://example.org/p> \"x\" .")
        .send()
        .unwrap();
    assert_eq!(refused.status(), 503);
    assert!(refused.headers().contains_key("retry-after"));
    assert!(
        started.elapsed() >= Duration::from_secs(4),
        "it waited for a slot first"
    );
    // Reads are not held up by the writes.
    assert_eq!(server.get("/catalog").send().unwrap().status(), 200);
    // The stalled body times out and gives its slot back.
    std::thread::sleep(Duration::from_secs(7));
    let accepted = server
        .post("/validate")
        .header("content-type", "text/turtle")
        .body("<http://example.org/a> <http://example.org/p> \"x\" .")
        .send()
        .unwrap();
    assert_eq!(accepted.status(), 200);
}

/// Slow clients ("slowloris"): connections that never finish their headers are closed after
/// `--header-timeout`, and however many there are, at most `--max-connections` are held, so
/// other clients are served once the slow ones are cut off.
#[test]
fn connections_that_never_finish_their_headers_are_cut_off() {
    use std::io::{Read, Write};
    let dir = common::temp_store();
    let server = Server::start_in(
        dir.path(),
        &["--max-connections", "4", "--header-timeout", "1"],
    );
    let address = server.addr.trim_start_matches("http://").to_owned();
    let slow: Vec<std::net::TcpStream> = (0..4)
        .map(|_| {
            let mut stream = std::net::TcpStream::connect(&address).unwrap();
            stream
                .write_all(b"GET /health HTTP/1.1\r\nHost: katalog\r\nX-Slow: ")
                .unwrap();
            stream
        })
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    let answer = server.get("/health").send().unwrap();
    assert_eq!(answer.status(), 200);
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "served after {:?}",
        started.elapsed()
    );
    for mut stream in slow {
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut buffer = [0u8; 256];
        let closed = match stream.read(&mut buffer) {
            Ok(0) => true,
            Err(e) => !matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ),
            // An answer (408) before closing is as good.
            Ok(_) => !String::from_utf8_lossy(&buffer).starts_with("HTTP/1.1 200"),
        };
        assert!(closed, "a connection without complete headers was kept");
    }
}

#[test]
fn sigterm_stops_the_server_within_its_grace_period_and_keeps_the_data() {
    let dir = common::temp_store();
    let server = Server::start_in(dir.path(), &["--shutdown-grace", "2"]);
    server.publish_ok(&common::demo_catalog());
    let records: serde_json::Value = server.get("/health").send().unwrap().json().unwrap();
    let _stalled = stalled_upload(&server);
    let started = Instant::now();
    let status = server.terminate();
    let took = started.elapsed();
    assert!(status.success(), "exit status {status}");
    assert!(took < Duration::from_secs(8), "stopping took {took:?}");
    let again = Server::start_in(dir.path(), &[]);
    let after: serde_json::Value = again.get("/health").send().unwrap().json().unwrap();
    assert_eq!(after["records"], records["records"]);
}

#[test]
fn public_requests_beyond_the_rate_get_429_with_retry_after() {
    let dir = common::temp_store();
    let server = Server::start_rate_limited(
        dir.path(),
        &["--rate-limit", "60", "--rate-limit-burst", "5"],
    );
    let statuses: Vec<u16> = (0..8)
        .map(|_| server.get("/catalog").send().unwrap().status().as_u16())
        .collect();
    assert_eq!(&statuses[..5], &[200; 5], "{statuses:?}");
    let refused = server.get("/catalog").send().unwrap();
    assert_eq!(refused.status(), 429);
    let wait: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&wait), "Retry-After {wait}");
    let sparql = server.get(&common::sparql_url("ASK {}")).send().unwrap();
    assert_eq!(sparql.status(), 429);
    // Static files and the health check are not counted.
    assert_eq!(
        server.get("/static/katalog.css").send().unwrap().status(),
        200
    );
    assert_eq!(server.get("/health").send().unwrap().status(), 200);
    // Writes are bounded otherwise (slots, accounts), not by the public rate.
    let write = server
        .post("/datasets")
        .bearer_auth(TOKEN)
        .header("content-type", "text/turtle")
        .body("")
        .send()
        .unwrap();
    assert_ne!(write.status(), 429);
}

#[test]
fn pages_carry_security_headers_and_reads_are_open_to_other_origins() {
    let dir = common::temp_store();
    let server = Server::start_in(dir.path(), &[]);
    let page = server
        .get("/")
        .header("accept", "text/html")
        .send()
        .unwrap();
    let csp = page.headers()["content-security-policy"].to_str().unwrap();
    for directive in [
        "default-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ] {
        assert!(csp.contains(directive), "{csp}");
    }
    assert_eq!(page.headers()["x-content-type-options"], "nosniff");
    assert!(page.headers().contains_key("referrer-policy"));
    assert!(
        !page.text().unwrap().contains("<script>"),
        "no inline scripts"
    );
    let feed = server
        .get("/datasets/dcat")
        .header("origin", "https://app.example")
        .send()
        .unwrap();
    assert_eq!(
        feed.headers()["access-control-allow-origin"],
        "https://app.example"
    );
    assert_eq!(feed.headers()["x-content-type-options"], "nosniff");
    let preflight = |method: &str, path: &str| {
        server
            .client_request(reqwest::Method::OPTIONS, path)
            .header("origin", "https://app.example")
            .header("access-control-request-method", method)
            .header("access-control-request-headers", "content-type")
            .send()
            .unwrap()
    };
    let sparql = preflight("POST", "/sparql");
    assert!(sparql.headers().contains_key("access-control-allow-origin"));
    for (method, path) in [
        ("POST", "/datasets"),
        ("PUT", "/datasets/x"),
        ("DELETE", "/datasets/x"),
    ] {
        let write = preflight(method, path);
        assert!(
            !write.headers().contains_key("access-control-allow-origin"),
            "{method} {path} is open to other origins"
        );
    }
}

#[test]
fn the_openapi_description_names_the_answers_of_the_guards() {
    let dir = common::temp_store();
    let server = Server::start_in(dir.path(), &[]);
    let api: serde_json::Value = server
        .get("/api/openapi.json")
        .send()
        .unwrap()
        .json()
        .unwrap();
    let responses = |path: &str, method: &str| api["paths"][path][method]["responses"].clone();
    assert!(responses("/catalog", "get")["429"].is_object());
    assert!(responses("/sparql", "post")["429"].is_object());
    assert!(
        responses("/sparql", "post")["503"].is_object(),
        "query slots"
    );
    for (path, method) in [("/datasets", "post"), ("/validate", "post")] {
        assert!(
            responses(path, method)["503"].is_object(),
            "{method} {path}"
        );
        let too_large = responses(path, method)["413"]["description"].to_string();
        assert!(
            too_large.contains("--max-triples"),
            "{method} {path}: {too_large}"
        );
    }
    assert!(
        responses("/health", "get")["429"].is_null(),
        "/health is not counted"
    );
}
