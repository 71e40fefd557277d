//! A small HTTP server inside the tests that plays a remote source on 127.0.0.1: documents by
//! path and query, changed between runs, with ETags (so conditional GETs get 304), delays,
//! statuses and redirects; and a raw socket that cuts a body off mid-way.
use axum::body::Body;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::Response;
use std::collections::HashMap;
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Doc {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
    pub delay: Duration,
    pub location: Option<String>,
}

impl Doc {
    pub fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status: 200,
            content_type: content_type.to_owned(),
            body: body.into(),
            delay: Duration::ZERO,
            location: None,
        }
    }

    pub fn redirect(to: &str) -> Self {
        Self {
            status: 302,
            location: Some(to.to_owned()),
            ..Self::ok("text/plain", "")
        }
    }
}

type Docs = Arc<Mutex<HashMap<String, Doc>>>;

pub struct Fixture {
    pub base: String,
    docs: Docs,
    hits: Arc<Mutex<HashMap<String, usize>>>,
    _runtime: tokio::runtime::Runtime,
}

impl Fixture {
    pub fn start() -> Self {
        Self::start_on("127.0.0.1")
    }

    /// A fixture on another loopback address (a second host for redirect tests).
    pub fn start_on(ip: &str) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let docs: Docs = Default::default();
        let hits: Arc<Mutex<HashMap<String, usize>>> = Default::default();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind((ip, 0)))
            .unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (d, h) = (docs.clone(), hits.clone());
        let app = axum::Router::new().fallback(move |uri: Uri, headers: HeaderMap| {
            let (docs, hits) = (d.clone(), h.clone());
            async move { answer(&docs, &hits, &uri, &headers).await }
        });
        runtime.spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self {
            base,
            docs,
            hits,
            _runtime: runtime,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn set(&self, path: &str, doc: Doc) {
        self.docs.lock().unwrap().insert(path.to_owned(), doc);
    }

    pub fn serve(&self, path: &str, content_type: &str, body: impl Into<Vec<u8>>) {
        self.set(path, Doc::ok(content_type, body));
    }

    /// How many requests `path` has had.
    pub fn hits(&self, path: &str) -> usize {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }
}

async fn answer(
    docs: &Docs,
    hits: &Arc<Mutex<HashMap<String, usize>>>,
    uri: &Uri,
    headers: &HeaderMap,
) -> Response {
    let key = uri
        .path_and_query()
        .map_or(uri.path().to_owned(), |p| p.as_str().to_owned());
    *hits.lock().unwrap().entry(key.clone()).or_default() += 1;
    let doc = docs.lock().unwrap().get(&key).cloned();
    let Some(doc) = doc else {
        return Response::builder()
            .status(404)
            .body(Body::from("no such fixture"))
            .unwrap();
    };
    tokio::time::sleep(doc.delay).await;
    let etag = format!("\"{:x}\"", fxhash(&doc.body));
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.to_str().unwrap_or("") == etag)
    {
        return Response::builder()
            .status(StatusCode::NOT_MODIFIED)
            .header(header::ETAG, etag)
            .body(Body::empty())
            .unwrap();
    }
    let mut response = Response::builder()
        .status(doc.status)
        .header(header::CONTENT_TYPE, doc.content_type)
        .header(header::ETAG, etag);
    if let Some(location) = doc.location {
        response = response.header(header::LOCATION, location);
    }
    response.body(Body::from(doc.body)).unwrap()
}

/// A content hash for the fixture's ETags (FNV-1a; no cryptography needed).
fn fxhash(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100000001b3)
    })
}

/// A server on a raw socket that promises `Content-Length: 100000` and closes after a few
/// bytes of Turtle. Returns its URL.
pub fn cut_off_body_server() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/catalog.ttl", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let _ = stream.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/turtle\r\nContent-Length: 100000\r\n\r\n\
                  @prefix dcat: <http://www.w3.org/ns/dcat#> .\n<http://x.se/d> a dcat:Data",
            );
        }
    });
    url
}
