//! What the portals harvest: the unpaged documents, organisation catalogues, the LDES
//! change stream and the exclusion of records that fail the shapes.
use crate::common::{self, BASE, Server, TOKEN};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{NamedNode, NamedOrBlankNode, Quad, Term, Triple};
use std::collections::BTreeMap;

fn published(datasets: usize) -> (Server, tempfile::TempDir) {
    common::with_generated(datasets, &["--max-body", "100000000"])
}

fn subjects_of_type(triples: &[Triple], class: &str) -> Vec<String> {
    let mut found: Vec<String> = triples
        .iter()
        .filter(|t| {
            t.predicate.as_str() == katalog::rdf::ns::rdf::TYPE.as_str()
                && t.object.to_string() == format!("<{class}>")
        })
        .map(|t| t.subject.to_string())
        .collect();
    found.sort();
    found.dedup();
    found
}

const DATASET: &str = "http://www.w3.org/ns/dcat#Dataset";

#[test]
fn unpaged_document_is_byte_stable_compressed_and_split_by_organisation() {
    let (server, _dir) = published(40);
    let first = server.get("/datasets/dcat").send().unwrap();
    assert_eq!(first.status(), 200);
    assert!(
        first.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/rdf+xml")
    );
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let a = first.bytes().unwrap();
    let b = server
        .get("/datasets/dcat")
        .send()
        .unwrap()
        .bytes()
        .unwrap();
    assert_eq!(a, b, "unchanged data must give the same bytes");
    assert_eq!(
        server
            .get("/datasets/dcat")
            .header("if-none-match", &etag)
            .send()
            .unwrap()
            .status(),
        304
    );
    let gzip = server
        .get("/datasets/dcat")
        .header("accept-encoding", "gzip")
        .send()
        .unwrap();
    assert_eq!(gzip.headers()["content-encoding"], "gzip");

    let triples = common::parse(&a, "application/rdf+xml");
    assert_eq!(subjects_of_type(&triples, DATASET).len(), 40);
    // Four publishers in the generated catalogue: one sub-catalogue each.
    let parts: Vec<&Triple> = triples
        .iter()
        .filter(|t| t.predicate.as_ref() == katalog::rdf::ns::dcterms::HAS_PART)
        .collect();
    assert_eq!(parts.len(), 4);
    let mut total = 0;
    for part in parts {
        let Term::NamedNode(catalog) = &part.object else {
            panic!("part is not an IRI")
        };
        let document = catalog.as_str().replace("/catalog", "/datasets/dcat");
        let response = server.get(&document).send().unwrap();
        assert_eq!(response.status(), 200, "{document}");
        let org = common::parse(&response.bytes().unwrap(), "application/rdf+xml");
        let datasets = subjects_of_type(&org, DATASET);
        assert_eq!(datasets.len(), 10);
        total += datasets.len();
        // The organisation catalogue dereferences too.
        assert_eq!(
            server
                .get(catalog.as_str())
                .header("accept", "text/turtle")
                .send()
                .unwrap()
                .status(),
            200
        );
    }
    assert_eq!(total, 40);
    assert_eq!(
        server
            .get("/organisations/2120009994/datasets/dcat")
            .send()
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        server
            .get("/organisations/0000000000/datasets/dcat")
            .send()
            .unwrap()
            .status(),
        404
    );
}

#[test]
fn records_failing_the_shapes_are_left_out_and_listed_for_their_publisher() {
    let dir = common::temp_store();
    let bad = "@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dcterms: <http://purl.org/dc/terms/> .\n\
               <datasets/bad> a dcat:Dataset ; dcterms:publisher <http://dataportal.se/organisation/SE2120009994> .\n";
    {
        let server = Server::start_in(dir.path(), &["--no-validation"]);
        server.publish_ok(&katalog::generate::catalogue_turtle(4));
        server.publish_ok(bad);
    }
    let server = Server::start_in(dir.path(), &[]);
    // A record written with validation on keeps its warnings.
    server.publish_ok(&katalog::generate::catalogue_turtle(5));
    let body = server
        .get("/datasets/dcat")
        .header("accept", "application/n-triples")
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        !body.contains("datasets/bad>"),
        "a failing record must not be harvested"
    );
    assert!(body.contains("datasets/d0>"));
    let problems = problems(&server);
    assert_eq!(left_out(&server), [format!("{BASE}datasets/bad")]);
    // Harvested records that miss recommended information are listed with their warnings.
    assert!(
        !problems["warnings"].as_array().unwrap().is_empty(),
        "{problems}"
    );
}

/// The problems listed for the publisher of the generated catalogue.
fn problems(server: &Server) -> serde_json::Value {
    server
        .get("/organisations/2120009994/problems")
        .send()
        .unwrap()
        .json()
        .unwrap()
}

/// The records of [`problems`] left out of the feeds.
fn left_out(server: &Server) -> Vec<String> {
    listed(server, "leftOutOfFeeds")
}

/// The records of one list of [`problems`].
fn listed(server: &Server, list: &str) -> Vec<String> {
    problems(server)[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["record"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn start_up_checks_follow_changed_shapes_both_ways() {
    let dir = common::temp_store();
    let shipped = common::root().join("shapes");
    let strict = dir.path().join("strict.ttl");
    std::fs::write(
        &strict,
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix dcat: <http://www.w3.org/ns/dcat#> .\n\
         <#NotNumberZero> a sh:NodeShape ; sh:targetClass dcat:Dataset ;\n\
           sh:property [ sh:path dcat:keyword ; sh:not [ sh:hasValue \"nummer 0\"@sv ] ] .\n",
    )
    .unwrap();
    let data = dir.path().join("store");
    let strict_args = [
        "--shapes",
        shipped.to_str().unwrap(),
        "--shapes",
        strict.to_str().unwrap(),
    ];
    {
        let server = Server::start_in(&data, &[]);
        server.publish_ok(&katalog::generate::catalogue_turtle(4));
        assert!(left_out(&server).is_empty());
    }
    let d0 = format!("{BASE}datasets/d0");
    let about_d0 = format!("rdf:about=\"{d0}\"");
    // Stricter shapes: the stored datasets, checked against the old ones, are checked again.
    // d0 passed before, so the re-check alone does not drop it: it is still served and
    // listed as failing, twice over (the second start finds it already checked).
    for _ in 0..2 {
        let server = Server::start_in(&data, &strict_args);
        assert!(left_out(&server).is_empty());
        assert_eq!(still_served(&server), std::slice::from_ref(&d0));
        assert!(contains(&dcat(&server, ""), &about_d0));
    }
    // An administrator applies the new verdicts: now d0 is left out.
    let applied = [&strict_args[..], &["--apply-recheck"]].concat();
    let server = Server::start_in(&data, &applied);
    assert_eq!(left_out(&server), std::slice::from_ref(&d0));
    assert!(still_served(&server).is_empty());
    assert!(!contains(&dcat(&server, ""), &about_d0));
    drop(server);
    // Back to the shipped shapes: the flag is cleared and d0 is harvested again.
    let server = Server::start_in(&data, &[]);
    assert!(left_out(&server).is_empty());
    assert!(contains(&dcat(&server, ""), &about_d0));
}

/// The records of [`problems`] that fail the active shapes but are still served.
fn still_served(server: &Server) -> Vec<String> {
    listed(server, "failsActiveShapesStillServed")
}

/// Replays the LDES feed as DIGG's test cases prescribe: members in `as:published` order;
/// Create and Update replace the object's graph with the member's graph, Delete removes it.
fn replay(server: &Server) -> BTreeMap<String, Vec<Triple>> {
    let mut quads: Vec<Quad> = Vec::new();
    let mut url = Some("/ldes".to_owned());
    while let Some(next) = url.take() {
        let body = server
            .get(&next)
            .header("accept", "application/trig")
            .send()
            .unwrap()
            .bytes()
            .unwrap();
        let page: Vec<Quad> = RdfParser::from_format(RdfFormat::TriG)
            .for_slice(&body)
            .map(|q| q.unwrap())
            .collect();
        url = page
            .iter()
            .find(|q| q.predicate.as_str() == "https://w3id.org/tree#node")
            .map(|q| q.object.to_string().trim_matches(['<', '>']).to_owned());
        quads.extend(page);
    }
    let value = |s: &NamedOrBlankNode, p: &str| {
        quads
            .iter()
            .find(|q| {
                &q.subject == s && q.predicate.as_str() == p && q.graph_name.is_default_graph()
            })
            .map(|q| q.object.clone())
    };
    let mut members: Vec<(String, u64, NamedOrBlankNode)> = quads
        .iter()
        .filter(|q| q.predicate.as_str() == "https://w3id.org/tree#member")
        .map(|q| {
            let member: NamedOrBlankNode = match &q.object {
                Term::NamedNode(n) => n.clone().into(),
                other => panic!("member {other}"),
            };
            let published = match value(&member, "https://www.w3.org/ns/activitystreams#published")
            {
                Some(Term::Literal(l)) => l.value().to_owned(),
                other => panic!("published {other:?}"),
            };
            let seq = member
                .to_string()
                .trim_end_matches('>')
                .rsplit('/')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            (published, seq, member)
        })
        .collect();
    members.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    let mut graphs: BTreeMap<String, Vec<Triple>> = BTreeMap::new();
    for (_, _, member) in members {
        let object = value(&member, "https://www.w3.org/ns/activitystreams#object")
            .unwrap()
            .to_string();
        let kind = value(&member, katalog::rdf::ns::rdf::TYPE.as_str())
            .unwrap()
            .to_string();
        if kind.ends_with("#Delete>") {
            graphs.remove(&object);
        } else {
            let NamedOrBlankNode::NamedNode(name) = &member else {
                unreachable!()
            };
            let state: Vec<Triple> = quads
                .iter()
                .filter(|q| {
                    q.graph_name.to_string() == NamedNode::new_unchecked(name.as_str()).to_string()
                })
                .map(|q| Triple::new(q.subject.clone(), q.predicate.clone(), q.object.clone()))
                .collect();
            graphs.insert(object, state);
        }
    }
    graphs
}

#[test]
fn replaying_the_ldes_feed_gives_the_served_records() {
    let (server, _dir) = published(150);
    let page_headers = |page: usize| {
        let response = server
            .get(&format!("/ldes?page={page}"))
            .header("accept", "application/trig")
            .send()
            .unwrap();
        let header = |name: &str| response.headers()[name].to_str().unwrap().to_owned();
        (header("etag"), header("cache-control"))
    };
    // 151 events (the catalogue and 150 datasets): page 1 is full, page 2 is the last.
    let full = page_headers(1);
    assert!(full.1.contains("immutable"), "{full:?}");
    assert!(!page_headers(2).1.contains("immutable"));
    // Update one, delete one, create one more: a mix of events over two feed pages.
    let current = server
        .get("/datasets/d1")
        .header("accept", "text/turtle")
        .send()
        .unwrap()
        .text()
        .unwrap();
    let put = server
        .put("/datasets/d1")
        .bearer_auth(TOKEN)
        .header("content-type", "text/turtle")
        .body(current.replace("Datamängd 1\"", "Uppdaterad datamängd\""))
        .send()
        .unwrap();
    assert_eq!(put.status(), 200);
    assert_eq!(
        server
            .delete("/datasets/d2")
            .bearer_auth(TOKEN)
            .send()
            .unwrap()
            .status(),
        204
    );
    assert_eq!(
        page_headers(1),
        full,
        "a full page does not change with later events"
    );
    let replayed = replay(&server);
    let served = common::parse(
        &server
            .get("/datasets/dcat")
            .header("accept", "application/n-triples")
            .send()
            .unwrap()
            .bytes()
            .unwrap(),
        "application/n-triples",
    );
    let mut served_records = subjects_of_type(&served, DATASET);
    // The catalogue description is a record too.
    served_records.push(format!("<{BASE}catalog>"));
    served_records.sort();
    assert_eq!(replayed.keys().cloned().collect::<Vec<_>>(), served_records);
    for (record, triples) in &replayed {
        let iri = record.trim_matches(['<', '>']);
        let body = server
            .get(iri)
            .header("accept", "application/n-triples")
            .send()
            .unwrap()
            .bytes()
            .unwrap();
        let expected = common::parse(&body, "application/n-triples");
        if iri == format!("{BASE}catalog") {
            // The catalogue's IRI is the paged feed: its description is part of each page.
            assert!(
                triples.iter().all(|t| expected.contains(t)),
                "catalogue description differs after replay"
            );
            continue;
        }
        assert!(
            katalog::rdf::isomorphic(triples, &expected),
            "{record} differs after replay:\nreplayed {triples:#?}\nserved {expected:#?}"
        );
    }
    assert!(
        replayed[&format!("<{BASE}datasets/d1>")]
            .iter()
            .any(|t| t.object.to_string().contains("Uppdaterad"))
    );
}

/// Page `page` of `/ldes` in TriG: status, ETag, Cache-Control and body.
fn ldes_page(
    server: &Server,
    page: usize,
    if_none_match: Option<&str>,
) -> (u16, String, String, bytes::Bytes) {
    let mut request = server
        .get(&format!("/ldes?page={page}"))
        .header("accept", "application/trig");
    if let Some(tag) = if_none_match {
        request = request.header("if-none-match", tag);
    }
    let response = request.send().unwrap();
    let header = |name: &str| response.headers()[name].to_str().unwrap().to_owned();
    let (etag, cache) = (header("etag"), header("cache-control"));
    (
        response.status().as_u16(),
        etag,
        cache,
        response.bytes().unwrap(),
    )
}

#[test]
fn an_ldes_page_more_pages_follow_is_immutable_and_rendered_once_across_restarts() {
    use katalog::feeds::cache::{CACHE_FILE, FeedCache};
    let dir = common::temp_store();
    let server = Server::start_in(dir.path(), &[]);
    server.publish_ok(&katalog::generate::catalogue_turtle(120));
    // 121 events: page 1 is followed by page 2, the last.
    let first = ldes_page(&server, 1, None);
    assert!(first.2.contains("immutable"), "{first:?}");
    let second = ldes_page(&server, 2, None);
    assert!(second.2.contains("must-revalidate"), "{second:?}");
    // 110 more datasets and the catalogue's update: page 2 is full and a third follows.
    server.publish_ok(&katalog::generate::catalogue_turtle(230));
    let again = ldes_page(&server, 1, None);
    assert_eq!(
        (&again.1, &again.3),
        (&first.1, &first.3),
        "later events leave a page that more pages follow alone"
    );
    let not_modified = ldes_page(&server, 1, Some(&first.1));
    assert_eq!((not_modified.0, &not_modified.2), (304, &first.2));
    let second_full = ldes_page(&server, 2, None);
    assert!(second_full.2.contains("immutable"), "{second_full:?}");
    assert_ne!(second_full.1, second.1, "the last page changed");
    // A client that accepts gzip gets the page compressed (kept so from then on; the last
    // page compressed by the compression layer), which decodes to the same page.
    for page in [1, 3] {
        let packed = server
            .get(&format!("/ldes?page={page}"))
            .header("accept", "application/trig")
            .header("accept-encoding", "gzip")
            .send()
            .unwrap();
        assert_eq!(packed.headers()["content-encoding"], "gzip");
        let vary = packed.headers()["vary"].to_str().unwrap().to_owned();
        assert!(vary.contains("Accept-Encoding"), "{vary}");
    }
    let decoded = common::client()
        .gzip(true)
        .build()
        .unwrap()
        .get(server.url("/ldes?page=1"))
        .header("accept", "application/trig")
        .send()
        .unwrap();
    assert_eq!(decoded.bytes().unwrap(), first.3);
    server.kill();

    // The pages are kept in the feed cache under the stamps of what they were rendered
    // from. Page 1 gets a marker under its own stamp, page 2 a page of another state.
    let cache = FeedCache::open(&dir.path().join(CACHE_FILE)).unwrap();
    let key = |n| katalog::feeds::ldes::cache_key(RdfFormat::TriG, false, n);
    let (stamp, kept) = cache.page(&key(1)).unwrap().expect("page 1 is kept");
    assert_eq!(kept, first.3);
    let packed_key = katalog::feeds::ldes::cache_key(RdfFormat::TriG, true, 1);
    let packed = cache
        .page(&packed_key)
        .unwrap()
        .expect("page 1 is kept gzipped");
    assert_eq!(packed.0, stamp);
    cache.put_page(&key(1), &stamp, b"kept").unwrap();
    cache.put_page(&key(2), "another state", b"stale").unwrap();
    drop(cache);

    let server = Server::start_in(dir.path(), &[]);
    let after = ldes_page(&server, 1, None);
    assert_eq!(
        &after.3[..],
        b"kept",
        "served from the cache after a restart"
    );
    assert_eq!(after.1, first.1);
    let second_after = ldes_page(&server, 2, None);
    assert_eq!(
        (&second_after.1, &second_after.3),
        (&second_full.1, &second_full.3),
        "a page kept for another state is rendered again, to the same bytes"
    );
}

fn check_feed(url: &str, allow_private: bool) -> (bool, String) {
    let mut command = std::process::Command::new(common::bin());
    command.args(["check-feed", url]);
    if allow_private {
        command.arg("--allow-private");
    }
    let output = command.output().unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr),
    )
}

#[test]
fn check_feed_passes_katalog_and_flags_real_world_problems() {
    let dir = common::temp_store();
    let server = Server::start_on_own_address(dir.path(), &[]);
    server.publish_ok(&katalog::generate::catalogue_turtle(12));
    let (ok, report) = check_feed(&server.url("/datasets/dcat"), true);
    assert!(ok, "{report}");
    assert!(report.contains("can harvest"), "{report}");
    // Four organisation sub-catalogues were followed.
    assert_eq!(
        report.matches("/catalog: 3 datasets, 0 errors").count(),
        4,
        "{report}"
    );

    let (ok, report) = check_feed(&server.url("/datasets/dcat"), false);
    assert!(!ok);
    assert!(report.contains("private or local address"), "{report}");

    // A real Swedish catalogue whose datasets are all blank nodes.
    let Some(real) = common::anchor("real-catalogs/raa-ksamsok-soch.rdf") else {
        return;
    };
    let files = common::temp_store();
    std::fs::copy(real, files.path().join("soch.rdf")).unwrap();
    let store = common::temp_store();
    let host = Server::start_in(store.path(), &["--files", files.path().to_str().unwrap()]);
    let (ok, report) = check_feed(&host.url("/files/soch.rdf"), true);
    assert!(!ok, "{report}");
    assert!(report.contains("is a blank node"), "{report}");
    assert!(report.contains("would abort"), "{report}");
}

fn dcat(server: &Server, query: &str) -> Vec<u8> {
    let response = server
        .get(&format!("/datasets/dcat{query}"))
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
    response.bytes().unwrap().to_vec()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn feed_cache_serves_what_a_fresh_rendering_would_and_follows_every_change() {
    let dir = common::temp_store();
    let server = Server::start_in(dir.path(), &["--max-body", "100000000"]);
    let catalogue = katalog::generate::catalogue_turtle(30);
    server.publish_ok(&catalogue);
    for query in ["", "?profile=dcat-ap"] {
        let filling = dcat(&server, query);
        assert_eq!(
            filling,
            dcat(&server, query),
            "{query}: cached bytes differ"
        );
    }
    assert!(dir.path().join("feed-cache.redb").exists());

    // An update and a delete: the feed shows them, never an older cached rendering.
    server.publish_ok(&catalogue.replace("\"Datamängd 3\"@sv", "\"Datamängd tre\"@sv"));
    let deleted = server
        .delete("/datasets/d5")
        .bearer_auth(TOKEN)
        .send()
        .unwrap();
    assert!(deleted.status().is_success(), "{}", deleted.status());
    let changed = dcat(&server, "");
    assert!(contains(&changed, ">Datamängd tre<"));
    assert!(!contains(&changed, ">Datamängd 3<"));
    assert!(!contains(&changed, "datasets/d5\""));
    assert!(contains(&changed, "datasets/d6\""));
    let eu = dcat(&server, "?profile=dcat-ap");
    assert!(contains(&eu, ">Datamängd tre<") && !contains(&eu, ">Datamängd 3<"));

    // After a crash the cache is reused, and it gives the very bytes a server without it
    // renders from the store.
    server.kill();
    let server = Server::start_in(dir.path(), &[]);
    let restarted = dcat(&server, "");
    assert_eq!(restarted, changed);
    let eu_restarted = dcat(&server, "?profile=dcat-ap");
    server.kill();
    let server = Server::start_in(dir.path(), &["--no-feed-cache"]);
    assert_eq!(dcat(&server, ""), changed);
    assert_eq!(dcat(&server, "?profile=dcat-ap"), eu_restarted);
    assert_eq!(
        dcat(&server, "").len(),
        changed.len(),
        "rendering without the cache is stable too"
    );
}

#[test]
fn check_feed_speaks_tls_to_https_urls() {
    use std::io::Read;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let hello = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut first = [0u8; 3];
        stream.read_exact(&mut first).unwrap();
        first // the connection closes here: no certificate, the check fails
    });
    let (ok, report) = check_feed(&format!("https://127.0.0.1:{port}/datasets/dcat"), true);
    let first = hello.join().unwrap();
    // A TLS record of type handshake (the ClientHello), version 3.x.
    assert_eq!(first[..2], [0x16, 0x03], "{report}");
    assert!(!ok, "{report}");
}
