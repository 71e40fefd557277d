//! The open data API over a hosted CSV file: rows as JSON, CSV and HTML with filters,
//! sorts, keyset paging, facets and search, and CKAN's `datastore_search` for its clients.
use crate::common::{self, Server};
use crate::publishers::{Browser, ORG_A, ORG_B, Setup, dataset, put_turtle, setup};
use crate::python_clients::python;
use reqwest::StatusCode;
use serde_json::Value;
use std::process::Command;

const FILE: &str = "/datasets/kommuner/distributions/csv/file";

/// 290 municipalities: a number column, a real column with Swedish decimal commas, text,
/// and a column with one cell that is not a number (so it stays text).
fn municipalities() -> String {
    let mut csv = String::from("kod;namn;län;invånare;andel;anteckning\n");
    for i in 0..290 {
        let county = ["Uppsala", "Gävleborg", "Stockholm", "Skåne", "Norrbotten"][i % 5];
        let note = if i == 7 {
            "saknas".to_owned()
        } else {
            i.to_string()
        };
        let share = format!("{},{}", i % 10, i % 7);
        let inhabitants = if i == 5 {
            String::new()
        } else {
            (1000 + i * 37).to_string()
        };
        csv += &format!(
            "{:04};Kommun {i};{county};{inhabitants};{share};{note}\n",
            100 + i
        );
    }
    csv
}

/// Two organisations and a server, with organisation A's dataset `kommuner`.
fn with_dataset(extra: &[&str]) -> (Setup, Server) {
    let s = setup();
    let server = Server::start_in(s.dir.path(), extra);
    let own = dataset("kommuner", ORG_A, "Kommuner");
    let created = put_turtle(&server, "/datasets/kommuner", &s.token_a, &own);
    assert!(created.status().is_success());
    (s, server)
}

fn hosted(csv: &str) -> (Setup, Server) {
    let (s, server) = with_dataset(&[]);
    let uploaded = server
        .put(FILE)
        .bearer_auth(&s.token_a)
        .header("content-type", "text/csv")
        .body(csv.to_owned())
        .send()
        .unwrap();
    assert_eq!(uploaded.status(), StatusCode::CREATED);
    (s, server)
}

fn json(server: &Server, path: &str) -> Value {
    let response = server.get(path).send().unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.json().unwrap()
}

#[test]
fn rows_come_back_typed_filtered_sorted_paged_and_faceted() {
    let (_s, server) = hosted(&municipalities());
    let all = json(&server, "/data/kommuner/csv.json?_size=2");
    assert_eq!(all["total"], 290);
    let types: Vec<&str> = all["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["type"].as_str().unwrap())
        .collect();
    // Codes with a leading zero stay text: 0180 is Stockholm, not 180.
    assert_eq!(types, ["text", "text", "text", "integer", "real", "text"]);
    assert_eq!(
        all["rows"][0],
        serde_json::json!({"kod": "0100", "namn": "Kommun 0", "län": "Uppsala",
            "invånare": 1000, "andel": 0.0, "anteckning": "0"})
    );

    // Filters, each on its own and together.
    let count =
        |query: &str| json(&server, &format!("/data/kommuner/csv.json?{query}"))["total"].clone();
    assert_eq!(count("l%C3%A4n=Sk%C3%A5ne"), 58);
    assert_eq!(count("inv%C3%A5nare__gt=11000"), 19);
    assert_eq!(count("inv%C3%A5nare__lte=1037"), 2);
    assert_eq!(count("inv%C3%A5nare__isnull=1"), 1);
    assert_eq!(count("namn__contains=Kommun%2028"), 11);
    assert_eq!(count("kod__in=0100,0101,0999"), 2);
    assert_eq!(count("l%C3%A4n__not=Uppsala&andel__gte=9"), 29);
    assert_eq!(count("l%C3%A4n__not=Norrbotten&andel__gte=9"), 0);
    assert_eq!(count("anteckning=saknas"), 1);
    assert_eq!(count("_search=norrbotten"), 58);

    // Keyset paging over a descending sort visits every row once, the empty cell last.
    let mut seen = Vec::new();
    let mut url =
        "/data/kommuner/csv.json?_sort_desc=inv%C3%A5nare&_size=100&_shape=arrays".to_owned();
    loop {
        let page = json(&server, &url);
        for row in page["rows"].as_array().unwrap() {
            seen.push(row[3].as_i64());
        }
        match page["next"].as_str() {
            Some(next) => url = next.to_owned(),
            None => break,
        }
    }
    assert_eq!(seen.len(), 290);
    assert_eq!(seen[0], Some(1000 + 289 * 37));
    assert_eq!(seen[289], None);
    assert!(seen[..289].windows(2).all(|w| w[0] > w[1]));

    let faceted = json(&server, "/data/kommuner/csv.json?_facet=l%C3%A4n&_size=1");
    let counts = faceted["facets"]["län"].as_array().unwrap();
    assert_eq!(counts.len(), 5);
    assert_eq!(counts[0]["count"], 58);

    // CSV, HTML, and the errors.
    let csv = server
        .get("/data/kommuner/csv.csv?kod=0100")
        .send()
        .unwrap();
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        csv.text().unwrap(),
        "kod,namn,län,invånare,andel,anteckning\n0100,Kommun 0,Uppsala,1000,0.0,0\n"
    );
    let html = server
        .get("/data/kommuner/csv?_sort=namn")
        .header("accept", "text/html")
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(html.contains("<table class=\"rows\">"), "{html}");
    assert!(html.contains("aria-sort=\"ascending\""));
    assert!(html.contains("rel=\"next\""));
    let record = server
        .get("/datasets/kommuner")
        .header("accept", "text/html")
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(record.contains("href=\"/data/kommuner/csv\""), "{record}");
    let unknown = server.get("/data/kommuner/csv.json?nope=1").send().unwrap();
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
    assert!(unknown.text().unwrap().contains("nope"));
    let missing = server.get("/data/kommuner/pdf.json").send().unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[test]
fn a_malformed_csv_is_refused_with_its_line_and_changes_nothing() {
    let (s, server) = hosted("a,b\n1,2\n");
    let refused = server
        .put(FILE)
        .bearer_auth(&s.token_a)
        .header("content-type", "text/csv")
        .body("a,b\n1,2\n3,4\n5,6,7\n")
        .send()
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let message = refused.text().unwrap();
    assert!(message.contains("line 4"), "{message}");
    let served = server.get(FILE).send().unwrap().text().unwrap();
    assert_eq!(served, "a,b\n1,2\n");
    assert_eq!(json(&server, "/data/kommuner/csv.json")["total"], 1);
}

/// CKAN's own client library reads the table through `datastore_search`.
#[test]
fn ckanapi_reads_the_table() {
    let Some(python) = python() else { return };
    let (_s, server) = hosted(&municipalities());
    let output = Command::new(python)
        .arg(common::root().join("tests/python/ckan_datastore.py"))
        .arg(&server.addr)
        .arg("kommuner/csv")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    eprintln!("{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "ckanapi failed");
    assert!(stdout.trim_end().ends_with("ok"));
}

/// The demo's way: files hosted as the server starts (`serve --host`), into the demo
/// catalogue's own distributions, GeoJSON and JSON as well as CSV.
#[test]
fn files_hosted_at_start_answer_as_tables_and_features() {
    let dir = common::temp_store();
    let root = common::root();
    let files = root.join("examples/files");
    let host = |spec: &str, file: &str| format!("{spec}={}", files.join(file).display());
    let demo = root.join("examples/demo-catalog.ttl");
    let args = [
        "--load".to_owned(),
        demo.display().to_string(),
        "--host".into(),
        host("badplatser/csv", "badplatser.csv"),
        "--host".into(),
        host("badplatser/geojson", "badplatser.geojson"),
        "--host".into(),
        host("budget/json", "budget.json"),
    ];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let server = Server::start_in(dir.path(), &args);

    // The CSV's coordinate columns place its rows; the GeoJSON's geometry places its own.
    for path in [
        "/data/badplatser/csv.geojson",
        "/data/badplatser/geojson.geojson",
    ] {
        let collection = json(&server, path);
        let features = collection["features"].as_array().unwrap();
        assert!(!features.is_empty(), "{path}");
        assert_eq!(features[0]["geometry"]["type"], "Point", "{path}");
        let coordinates = features[0]["geometry"]["coordinates"].as_array().unwrap();
        assert_eq!(
            coordinates[0].as_f64(),
            Some(15.0122),
            "{path}: longitude first"
        );
        assert_eq!(
            features[0]["properties"]["namn"], "Sandvikens badplats",
            "{path}"
        );
    }
    let budget = json(
        &server,
        "/data/budget/json.json?_sort_desc=budget_2026_tkr&_size=1",
    );
    assert_eq!(budget["rows"][0]["verksamhet"], "Äldreomsorg");
    assert!(budget["rows"][0]["budget_2026_tkr"].is_i64());

    // The hosted distribution keeps the catalogue's title and now names the hosted file.
    let record = server
        .get("/datasets/badplatser")
        .header("accept", "text/html")
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(record.contains("Badplatser (CSV)"));
    assert!(record.contains("href=\"/data/badplatser/csv\""), "{record}");
    assert!(
        record.contains("Förhandsvisning"),
        "a preview of the first rows"
    );
    assert!(record.contains("<td>Sandvikens badplats</td>"), "{record}");
    let file = server
        .get("/datasets/badplatser/distributions/csv/file")
        .send()
        .unwrap()
        .bytes()
        .unwrap();
    assert_eq!(
        file.as_ref(),
        std::fs::read(files.join("badplatser.csv")).unwrap()
    );
}

/// A publisher who never writes RDF uploads a file from the dataset's page in the browser.
#[test]
fn a_publisher_uploads_a_file_from_the_files_page() {
    let (s, server) = with_dataset(&[]);
    let other = dataset("annat", ORG_B, "Annat");
    assert!(
        put_turtle(&server, "/datasets/annat", &s.token_b, &other)
            .status()
            .is_success()
    );
    let mut editor = Browser::login(&server, "editor@a.se");
    let page = editor.get("/publish/datasets/kommuner/files");
    assert_eq!(page.status(), StatusCode::OK);
    let csv = municipalities();
    let file = ("kommuner.csv", "text/csv", csv.as_bytes());
    let sent = editor.upload(
        "/publish/datasets/kommuner/files",
        &[("name", "tabell")],
        file,
    );
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    let listed = editor
        .get("/publish/datasets/kommuner/files")
        .text()
        .unwrap();
    assert!(
        listed.contains("href=\"/data/kommuner/tabell\""),
        "{listed}"
    );
    assert_eq!(
        json(&server, "/data/kommuner/tabell.json?_size=1")["total"],
        290
    );
    let served = server
        .get("/datasets/kommuner/distributions/tabell/file")
        .send()
        .unwrap();
    assert_eq!(served.text().unwrap(), csv);

    // A broken file is refused on the page, with its line; nothing changes.
    let broken = ("fel.csv", "text/csv", &b"a,b\n1\n"[..]);
    let refused = editor.upload(
        "/publish/datasets/kommuner/files",
        &[("name", "tabell")],
        broken,
    );
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().unwrap().contains("line 2"));
    assert_eq!(
        json(&server, "/data/kommuner/tabell.json?_size=1")["total"],
        290
    );
    // Another organisation's dataset is not this editor's to host files in.
    let theirs = editor.upload("/publish/datasets/annat/files", &[("name", "csv")], file);
    assert_eq!(theirs.status(), StatusCode::FORBIDDEN);
}

/// The publisher's data dictionary: titles and descriptions shown with the columns, and a
/// number-like code kept as text; it holds for the next version of the file too.
#[test]
fn a_data_dictionary_names_the_columns_and_keeps_a_code_as_text() {
    let (s, server) = hosted("postnummer,ort,antal\n11120,Stockholm,5\n41101,Göteborg,7\n");
    let before = json(&server, "/data/kommuner/csv.json");
    assert_eq!(before["rows"][0]["postnummer"], 11120);
    let dictionary = serde_json::json!({"columns": [
        {"name": "postnummer", "title": "Postnummer", "type": "text"},
        {"name": "antal", "title": "Antal", "description": "Antalet badplatser."},
    ]});
    let set = |body: &Value, token: &str| {
        server
            .put("/data/kommuner/csv/columns")
            .bearer_auth(token)
            .json(body)
            .send()
            .unwrap()
    };
    let answer = set(&dictionary, &s.token_a);
    assert_eq!(answer.status(), StatusCode::OK);
    let after = json(&server, "/data/kommuner/csv.json?postnummer=11120");
    assert_eq!(after["rows"][0]["postnummer"], "11120");
    assert_eq!(after["columns"][2]["description"], "Antalet badplatser.");
    let described = json(&server, "/data/kommuner/csv/columns");
    assert_eq!(described["columns"][0]["title"], "Postnummer");
    let html = server
        .get("/data/kommuner/csv")
        .header("accept", "text/html")
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        html.contains("title=\"Antalet badplatser.\">Antal</a>"),
        "{html}"
    );

    // A new version of the file keeps the dictionary.
    let uploaded = server
        .put(FILE)
        .bearer_auth(&s.token_a)
        .header("content-type", "text/csv")
        .body("postnummer,ort,antal\n98132,Kiruna,2\n")
        .send()
        .unwrap();
    assert_eq!(uploaded.status(), StatusCode::OK);
    assert_eq!(
        json(&server, "/data/kommuner/csv.json")["rows"][0]["postnummer"],
        "98132"
    );

    // Refused: a type the values do not fit, a column the file lacks, another organisation.
    let narrowing = serde_json::json!({"columns": [{"name": "ort", "type": "integer"}]});
    assert_eq!(
        set(&narrowing, &s.token_a).status(),
        StatusCode::BAD_REQUEST
    );
    let unknown = serde_json::json!({"columns": [{"name": "saknas", "title": "X"}]});
    assert_eq!(set(&unknown, &s.token_a).status(), StatusCode::BAD_REQUEST);
    assert_eq!(set(&dictionary, &s.token_b).status(), StatusCode::FORBIDDEN);
    assert_eq!(
        json(&server, "/data/kommuner/csv/columns")["columns"][0]["type"],
        "text"
    );
}

/// An Excel workbook: its first sheet is the table.
#[test]
fn an_excel_workbook_becomes_a_table() {
    let (s, server) = with_dataset(&[]);
    let workbook = std::fs::read(common::root().join("tests/fixtures/data/kommuner.xlsx")).unwrap();
    let uploaded = server
        .put("/datasets/kommuner/distributions/xlsx/file")
        .bearer_auth(&s.token_a)
        .header(
            "content-type",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        .body(workbook.clone())
        .send()
        .unwrap();
    assert_eq!(uploaded.status(), StatusCode::CREATED);
    let page = json(
        &server,
        "/data/kommuner/xlsx.json?_sort_desc=inv%C3%A5nare&_size=1",
    );
    assert_eq!(page["total"], 4);
    assert_eq!(
        page["rows"][0],
        serde_json::json!({"kommunkod": "0180", "kommun": "Stockholm", "invånare": 984748,
            "andel": 0.125, "beslutad": "2024-01-31"})
    );
    let served = server
        .get("/datasets/kommuner/distributions/xlsx/file")
        .send()
        .unwrap();
    assert_eq!(served.bytes().unwrap().as_ref(), workbook.as_slice());
}

/// A CSV file written as it is sent: `rows` rows, its SHA-256 kept as it goes.
struct Generated {
    row: u64,
    rows: u64,
    pending: Vec<u8>,
    hasher: sha2::Sha256,
}

impl std::io::Read for Generated {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        use sha2::Digest;
        while self.pending.len() < out.len() && self.row <= self.rows {
            let line = match self.row {
                0 => "id,namn,län,värde\n".to_owned(),
                i => format!(
                    "{i},Plats {i},{},{}.{}\n",
                    ["AB", "C", "M"][i as usize % 3],
                    i % 997,
                    i % 10
                ),
            };
            self.pending.extend_from_slice(line.as_bytes());
            self.row += 1;
        }
        let n = out.len().min(self.pending.len());
        out[..n].copy_from_slice(&self.pending[..n]);
        self.hasher.update(&self.pending[..n]);
        self.pending.drain(..n);
        Ok(n)
    }
}

/// A 200 MB CSV file is streamed to disk and loaded into its table without the server
/// holding it: memory stays bounded, and the checksum katalog states is the file's.
#[test]
fn a_200_mb_csv_is_streamed_and_loaded_in_bounded_memory() {
    use sha2::Digest;
    let (s, server) = with_dataset(&[]);
    let rows = 7_000_000;
    let idle = server.memory_kib("VmRSS") / 1024;
    let file = std::sync::Arc::new(std::sync::Mutex::new(Generated {
        row: 0,
        rows,
        pending: Vec::new(),
        hasher: sha2::Sha256::new(),
    }));
    struct Shared(std::sync::Arc<std::sync::Mutex<Generated>>);
    impl std::io::Read for Shared {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().read(out)
        }
    }
    let uploaded = common::client()
        .build()
        .unwrap()
        .put(server.url(FILE))
        .bearer_auth(&s.token_a)
        .header("content-type", "text/csv")
        .timeout(std::time::Duration::from_secs(600))
        .body(reqwest::blocking::Body::new(Shared(file.clone())))
        .send()
        .unwrap();
    assert_eq!(uploaded.status(), StatusCode::CREATED);
    let answer: Value = uploaded.json().unwrap();
    let version = &answer["versions"][0];
    assert!(version["bytes"].as_u64().unwrap() > 200_000_000, "{answer}");
    let sent = hex::encode(std::mem::take(&mut file.lock().unwrap().hasher).finalize());
    assert_eq!(version["sha256"], sent);
    let grown = server.peak_memory_mib().saturating_sub(idle);
    assert!(
        grown < 160,
        "the server grew by {grown} MiB for a 200 MB file"
    );
    let counted = json(&server, "/data/kommuner/csv.json?l%C3%A4n=C&_size=1");
    assert_eq!(
        counted["total"],
        rows.div_ceil(3),
        "the rows with i % 3 == 1"
    );
}

/// A reader paging through a table while a new version is uploaded sees whole pages of one
/// version or the other, never an error or a mix.
#[test]
fn a_new_version_replaces_the_table_while_a_reader_pages() {
    let version = |tag: &str| {
        let mut csv = String::from("id,version\n");
        for i in 0..2000 {
            csv += &format!("{i},{tag}\n");
        }
        csv
    };
    let (s, server) = hosted(&version("ett"));
    let mut url = "/data/kommuner/csv.json?_size=100&_shape=arrays".to_owned();
    let mut seen = std::collections::BTreeSet::new();
    for page in 0.. {
        if page == 5 {
            let uploaded = server
                .put(FILE)
                .bearer_auth(&s.token_a)
                .header("content-type", "text/csv")
                .body(version("två"))
                .send()
                .unwrap();
            assert_eq!(uploaded.status(), StatusCode::OK);
        }
        let answer = json(&server, &url);
        let tags: std::collections::BTreeSet<&str> = answer["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| row[1].as_str().unwrap())
            .collect();
        assert_eq!(tags.len(), 1, "page {page} mixes versions: {tags:?}");
        seen.extend(tags.into_iter().map(str::to_owned));
        match answer["next"].as_str() {
            Some(next) => url = next.to_owned(),
            None => break,
        }
    }
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), ["ett", "två"]);
}

/// Connected data: a distribution's file fetched from a URL (here a fixture on loopback,
/// allowed by --allow-private-sources) and hosted again only when its content changed.
#[test]
fn a_connected_file_is_fetched_and_hosted_only_when_it_changed() {
    let remote = crate::fixture::Fixture::start();
    remote.serve(
        "/kommuner.csv",
        "text/csv; charset=utf-8",
        "kod,namn\n0180,Stockholm\n",
    );
    let (s, server) = with_dataset(&["--allow-private-sources", "--no-scheduler"]);
    let source = serde_json::json!({"url": remote.url("/kommuner.csv"), "schedule": "*/5 * * * *"});
    let connect = |token: &str| {
        server
            .put("/datasets/kommuner/distributions/csv/source")
            .bearer_auth(token)
            .json(&source)
            .send()
            .unwrap()
    };
    assert_eq!(connect(&s.token_b).status(), StatusCode::FORBIDDEN);
    let connected = connect(&s.token_a);
    assert_eq!(connected.status(), StatusCode::OK);
    let answer: Value = connected.json().unwrap();
    assert_eq!(answer["run"]["changed"], true, "{answer}");
    assert_eq!(
        json(&server, "/data/kommuner/csv.json")["rows"][0]["namn"],
        "Stockholm"
    );
    assert_eq!(
        server.get(FILE).send().unwrap().text().unwrap(),
        "kod,namn\n0180,Stockholm\n"
    );

    let run = || -> Value {
        let response = server
            .post("/datasets/kommuner/distributions/csv/source/run")
            .bearer_auth(&s.token_a)
            .send()
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.json().unwrap()
    };
    // Unchanged at the source: a conditional GET, nothing hosted.
    let again = run();
    assert_eq!(again["changed"], false, "{again}");
    assert_eq!(again["not_modified"], true, "{again}");
    // Changed: a new version, its table and the distribution's byte size.
    remote.serve(
        "/kommuner.csv",
        "text/csv",
        "kod,namn\n0180,Stockholm\n1480,Göteborg\n",
    );
    let changed = run();
    assert_eq!(changed["changed"], true, "{changed}");
    assert_eq!(json(&server, "/data/kommuner/csv.json")["total"], 2);
    let status = json(&server, "/datasets/kommuner/distributions/csv/source");
    assert_eq!(status["last_outcome"], "changed");
    assert_eq!(status["schedule"], "*/5 * * * *");
    // A URL the fetcher may not reach is refused at once, not stored.
    let private = serde_json::json!({"url": "file:///etc/passwd"});
    let refused = server
        .put("/datasets/kommuner/distributions/other/source")
        .bearer_auth(&s.token_a)
        .json(&private)
        .send()
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

/// Every kind of file a body publishes comes back byte for byte, and the dataset's record
/// states each one's checksum (SHA-1, as DCAT-AP-SE names it).
#[test]
fn every_file_type_comes_back_byte_for_byte_with_its_checksum() {
    use sha1::Digest;
    let (s, server) = with_dataset(&[]);
    let root = common::root();
    let read = |path: &str| std::fs::read(root.join(path)).unwrap();
    let files: Vec<(&str, &str, Vec<u8>)> = vec![
        (
            "csv",
            "text/csv",
            b"namn;kommun\nBadholmen;\xD6ster\xE5ker\n".to_vec(),
        ),
        (
            "json",
            "application/json",
            read("examples/files/budget.json"),
        ),
        (
            "geojson",
            "application/geo+json",
            read("examples/files/badplatser.geojson"),
        ),
        (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            read("tests/fixtures/data/kommuner.xlsx"),
        ),
        (
            "pdf",
            "application/pdf",
            b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec(),
        ),
        (
            "png",
            "image/png",
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89"
                .to_vec(),
        ),
    ];
    for (name, media_type, content) in &files {
        let path = format!("/datasets/kommuner/distributions/{name}/file");
        let uploaded = server
            .put(&path)
            .bearer_auth(&s.token_a)
            .header("content-type", *media_type)
            .body(content.clone())
            .send()
            .unwrap();
        assert_eq!(uploaded.status(), StatusCode::CREATED, "{name}");
        let got = server.get(&path).send().unwrap();
        assert_eq!(got.headers()["content-type"], *media_type, "{name}");
        assert_eq!(got.bytes().unwrap().as_ref(), content.as_slice(), "{name}");
    }
    let record = server
        .get("/datasets/kommuner")
        .header("accept", "text/turtle")
        .send()
        .unwrap()
        .text()
        .unwrap();
    for (name, _, content) in &files {
        let sha1 = hex::encode(sha1::Sha1::digest(content));
        assert!(
            record.contains(&sha1),
            "the checksum of {name} in\n{record}"
        );
    }
    // The tables among them answer; the others are files only.
    assert_eq!(json(&server, "/data/kommuner/geojson.json")["total"], 10);
    let pdf = server.get("/data/kommuner/pdf.json").send().unwrap();
    assert_eq!(pdf.status(), StatusCode::NOT_FOUND);
}
