//! Starting the real `katalog` binary on 127.0.0.1 with a temporary store, and talking to it.
use reqwest::blocking::{Client, RequestBuilder, Response};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const TOKEN: &str = "test-admin-token";
/// A fixed base URI: IRIs stay the same when a test restarts the server on another port.
pub const BASE: &str = "http://katalog.test/";

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_katalog")
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A folder of `../shared/anchors`, or None with a message (a failure when CI=true).
pub fn anchor(relative: &str) -> Option<PathBuf> {
    let path = root().join("../shared/anchors").join(relative);
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{} is missing, and CI=true requires it",
        path.display()
    );
    eprintln!("SKIPPED: {} is absent", path.display());
    None
}

/// An HTTP client builder for tests (with the TLS provider katalog's clients use).
/// Bodies come as the server sent them: katalog's harvester decompresses (reqwest's `gzip`
/// feature), the tests look at the compression itself.
pub fn client() -> reqwest::blocking::ClientBuilder {
    katalog::harvest::install_tls_provider();
    reqwest::blocking::Client::builder().no_gzip()
}

pub struct Server {
    child: Child,
    pub addr: String,
    client: Client,
}

impl Server {
    /// Starts a server on a store in `data` with extra arguments.
    pub fn start_in(data: &Path, extra: &[&str]) -> Server {
        Self::spawn(data, &[&["--base-uri", BASE], extra].concat(), true)
    }

    /// Starts a server that rate-limits loopback clients like any other.
    pub fn start_rate_limited(data: &Path, extra: &[&str]) -> Server {
        Self::spawn(data, &[&["--base-uri", BASE], extra].concat(), false)
    }

    /// Starts a server whose base URI is its own address, so its IRIs resolve for clients.
    pub fn start_on_own_address(data: &Path, extra: &[&str]) -> Server {
        Self::spawn(data, extra, true)
    }

    fn spawn(data: &Path, extra: &[&str], exempt_loopback: bool) -> Server {
        let mut command = Command::new(bin());
        command.args(["serve", "--addr", "127.0.0.1:0", "--admin-token", TOKEN]);
        if exempt_loopback {
            // Tests send many requests from loopback; the limit has its own test.
            command.arg("--rate-limit-exempt-loopback");
        }
        let mut child = command
            .arg("--data")
            .arg(data)
            .args(extra)
            .env("RUST_LOG", "katalog=warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("katalog starts");
        let stdout = child.stdout.take().expect("stdout piped");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("reads the listening line");
        let addr = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        let server = Server {
            child,
            addr,
            // No pooled connections: a server may close one after refusing a body (413).
            client: client()
                .timeout(Duration::from_secs(120))
                .pool_max_idle_per_host(0)
                .build()
                .unwrap(),
        };
        server.wait_for_recheck();
        server
    }

    /// Waits until the start-up re-check, which runs beside the server, is done: tests
    /// read the verdicts it writes.
    pub fn wait_for_recheck(&self) {
        for _ in 0..1200 {
            let health: serde_json::Value = self.get("/health").send().unwrap().json().unwrap();
            if health["recheck"] == "done" {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the start-up re-check did not finish in a minute");
    }

    /// The URL of a path on this server, or of one of our IRIs.
    pub fn url(&self, path_or_iri: &str) -> String {
        let path = path_or_iri
            .strip_prefix(BASE.trim_end_matches('/'))
            .unwrap_or(path_or_iri);
        format!("{}{}", self.addr, path)
    }

    pub fn client_request(&self, method: reqwest::Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path))
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.client.get(self.url(path))
    }

    /// The unpaged harvest document, `/datasets/dcat`, as N-Triples.
    pub fn harvest_document(&self) -> bytes::Bytes {
        let response = self
            .get("/datasets/dcat")
            .header("accept", "application/n-triples")
            .send()
            .unwrap();
        assert_eq!(response.status(), 200, "GET /datasets/dcat");
        response.bytes().unwrap()
    }

    pub fn post(&self, path: &str) -> RequestBuilder {
        self.client.post(self.url(path))
    }

    pub fn put(&self, path: &str) -> RequestBuilder {
        self.client.put(self.url(path))
    }

    pub fn delete(&self, path: &str) -> RequestBuilder {
        self.client.delete(self.url(path))
    }

    /// Publishes a Turtle document with the admin token.
    pub fn publish(&self, turtle: &str) -> Response {
        self.post("/datasets")
            .bearer_auth(TOKEN)
            .header("content-type", "text/turtle")
            .body(turtle.to_owned())
            .send()
            .unwrap()
    }

    /// Publishes and fails the test, with the server's answer, unless it succeeded.
    pub fn publish_ok(&self, turtle: &str) {
        let response = self.publish(turtle);
        let status = response.status();
        assert!(
            status.is_success(),
            "publish: {status} {}",
            response.text().unwrap_or_default()
        );
    }

    /// The server's process id (to read its memory from /proc).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The most resident memory the server has held so far, in MiB (`VmHWM`).
    pub fn peak_memory_mib(&self) -> u64 {
        self.memory_kib("VmHWM") / 1024
    }

    /// A memory figure of the server's from /proc (`VmRSS`, `VmHWM`), in KiB.
    pub fn memory_kib(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("{field} in /proc/PID/status"))
    }

    /// Sends SIGTERM, as a service manager stops the server, and waits for the exit status.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        self.child.wait().unwrap()
    }

    /// SIGKILL while other threads still talk to the server (a crash mid-load).
    pub fn kill_now(&self) {
        let _ = Command::new("kill")
            .args(["-KILL", &self.child.id().to_string()])
            .status();
    }

    /// Kills the process at once, as a crash would.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A server on a fresh store holding a generated catalogue of `datasets` datasets.
pub fn with_generated(datasets: usize, extra: &[&str]) -> (Server, tempfile::TempDir) {
    let dir = temp_store();
    let server = Server::start_in(dir.path(), extra);
    server.publish_ok(&katalog::generate::catalogue_turtle(datasets));
    (server, dir)
}

/// A fresh temporary store directory.
pub fn temp_store() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("katalog-test")
        .tempdir()
        .unwrap()
}

pub fn demo_catalog() -> String {
    std::fs::read_to_string(root().join("examples/demo-catalog.ttl"))
        .expect("examples/demo-catalog.ttl")
}

/// Parses a response body of the given syntax, relative IRIs against BASE.
pub fn parse(body: &[u8], media_type: &str) -> Vec<oxigraph::model::Triple> {
    let format = katalog::rdf::input_format_for_media_type(media_type).expect("known syntax");
    katalog::rdf::parse_graph(body, format, Some(BASE))
        .unwrap_or_else(|e| panic!("unparsable {media_type}: {e}"))
}

/// Triples of a Turtle document with relative IRIs resolved against BASE.
pub fn turtle(text: &str) -> Vec<oxigraph::model::Triple> {
    parse(text.as_bytes(), "text/turtle")
}

/// `application/x-www-form-urlencoded` text of name/value pairs.
pub fn form(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// `/sparql?query=…`
pub fn sparql_url(query: &str) -> String {
    format!("/sparql?{}", form(&[("query", query)]))
}
