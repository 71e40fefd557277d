//! The public pages of records: a dataset read by the labels of its values in Swedish and
//! English, its distributions and the services that serve it, and a schema.org description
//! that an outside JSON-LD processor reads.
use crate::common::{self, Server};
use crate::python_clients::python;
use std::path::Path;
use std::process::Command;

fn page(server: &Server, path: &str, accept_language: Option<&str>) -> String {
    let mut request = server.get(path).header("accept", "text/html");
    if let Some(lang) = accept_language {
        request = request.header("accept-language", lang);
    }
    let response = request.send().unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.text().unwrap()
}

/// The facts of the page, before the raw metadata (which holds every IRI as it is).
fn readable(html: &str) -> &str {
    html.split("<details class=\"metadata\">").next().unwrap()
}

fn demo() -> (Server, tempfile::TempDir) {
    let dir = common::temp_store();
    let server = Server::start_in(dir.path(), &[]);
    server.publish_ok(&common::demo_catalog());
    (server, dir)
}

#[test]
fn a_dataset_page_shows_its_values_by_their_labels_in_the_readers_language() {
    let (server, _dir) = demo();
    let sv = page(&server, "/datasets/badplatser", None);
    let facts = readable(&sv);
    assert!(sv.contains("<html lang=\"sv\">"));
    assert!(facts.contains("<h1>Badplatser</h1>"), "{facts}");
    for label in [
        "Miljö",
        "årligen",
        "Publik",
        "Exempelkommun",
        "2026-06-01 – 2026-08-31",
    ] {
        assert!(facts.contains(label), "{label} in {facts}");
    }
    assert!(facts.contains("CSV (.csv)"), "the format by its label");
    assert!(
        facts.contains("files/badplatser.csv\" download"),
        "a download link"
    );
    assert!(
        !facts.contains(">http://publications.europa.eu/resource/authority/frequency/ANNUAL<"),
        "no raw IRI shown among the facts"
    );
    assert!(
        facts.contains("Exempelkommuns WFS-tjänst för geodata"),
        "the serving service"
    );
    assert!(facts.contains("href=\"/datasets/badplatser?lang=en\" lang=\"en\""));
    assert!(facts.contains("<a href=\"/organisations/2120009994\">Exempelkommun</a>"));
    assert!(facts.contains("<a href=\"/themes/ENVI\">Miljö</a>"));
    // The raw statements stay, for specialists.
    assert!(sv.contains("dcterms:accrualPeriodicity"));

    let en = page(&server, "/datasets/badplatser?lang=en", None);
    let facts = readable(&en);
    assert!(en.contains("<html lang=\"en\">"));
    assert!(facts.contains("<h1>Bathing sites</h1>"));
    for label in ["Environment", "annual", "Public", "Download"] {
        assert!(facts.contains(label), "{label} in {facts}");
    }
    let by_header = page(&server, "/datasets/badplatser", Some("en-GB,en;q=0.9"));
    assert!(by_header.contains("<h1>Bathing sites</h1>"));

    let service = page(&server, "/dataservices/wfs", None);
    let facts = readable(&service);
    assert!(facts.contains("Datatjänst (API)"));
    assert!(facts.contains("geoserver/wfs"));
    assert!(
        facts.contains(">Badplatser</a>"),
        "the datasets it serves by title"
    );
}

#[test]
fn the_schema_org_description_of_a_dataset_page_reads_in_rdflib() {
    let Some(python) = python() else { return };
    let (server, _dir) = demo();
    let catalogue = page(&server, "/organisations/2120009994/catalog", None);
    assert!(
        catalogue.contains("\"@type\":\"DataCatalog\""),
        "{catalogue}"
    );
    let output = Command::new(python)
        .arg(common::root().join("tests/python/schema_org.py"))
        .arg(server.url("/datasets/badplatser"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    eprintln!("{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "rdflib read the description");
    assert!(stdout.trim_end().ends_with("ok"));
}

#[test]
fn organisations_and_themes_have_pages_of_their_records() {
    let (server, _dir) = demo();
    let organisation = page(&server, "/organisations/2120009994", None);
    assert!(
        organisation.contains("<h1>Exempelkommun</h1>"),
        "{organisation}"
    );
    assert!(organisation.contains("href=\"/datasets/badplatser\""));
    assert!(organisation.contains("action=\"/organisations/2120009994\""));
    let theme = page(&server, "/themes/ENVI?lang=en", None);
    assert!(theme.contains("<h1>Environment</h1>"), "{theme}");
    assert!(theme.contains("href=\"/datasets/luftkvalitet?lang=en\""));
    assert!(
        !theme.contains("href=\"/datasets/forskolor"),
        "not about the environment"
    );
    let missing = server
        .get("/themes/NOPE")
        .header("accept", "text/html")
        .send()
        .unwrap();
    assert_eq!(missing.status(), 404);
}

#[test]
fn the_sparql_page_answers_a_query_as_a_table_without_javascript() {
    let (server, _dir) = demo();
    let query = "PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX dcterms: <http://purl.org/dc/terms/> \
                 SELECT ?d ?title WHERE { ?d a dcat:Dataset ; dcterms:title ?title FILTER(lang(?title) = \"sv\") } ORDER BY ?title";
    let url = common::sparql_url(query);
    let answer = page(&server, &url, None);
    assert!(answer.contains("<table class=\"answer\">"), "{answer}");
    assert!(answer.contains("<th scope=\"col\">title</th>"));
    assert!(
        answer.contains("<a href=\"/datasets/badplatser\">"),
        "links to the records' pages"
    );
    assert!(answer.contains("Badplatser"));
    assert!(answer.contains("&amp;format=csv\">CSV</a>"), "downloads");
    assert!(answer.contains("10 rader"), "{answer}");

    let construct = common::sparql_url(
        "CONSTRUCT { ?d <http://purl.org/dc/terms/title> ?t } WHERE { ?d <http://purl.org/dc/terms/title> ?t } LIMIT 3",
    );
    let graph = page(&server, &construct, None);
    assert!(graph.contains("<th scope=\"col\">subject</th>"));
    assert!(graph.contains("format=turtle\">Turtle</a>"));

    let broken = server
        .get(&common::sparql_url("SELECT WHERE {"))
        .header("accept", "text/html")
        .send()
        .unwrap();
    assert_eq!(broken.status(), 400);
    assert!(broken.text().unwrap().contains("role=\"alert\""));
}

/// A member of the public in headless Debian Chromium: searches with an inflected Swedish
/// word, ticks a facet, opens a dataset, switches to English, follows the publisher, runs an
/// example SPARQL query; axe-core (npm) finds no WCAG 2.1 A/AA violation on any of those
/// pages nor on the accessibility statement. Screenshots are kept in the target folder.
#[test]
fn the_public_pages_work_in_chromium_and_axe_core_finds_no_violations() {
    let axe = common::root().join("node_modules/axe-core/axe.min.js");
    for needed in [Path::new("/usr/bin/chromedriver"), axe.as_path()] {
        if !needed.exists() {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "{} is missing (scripts/test.sh installs it)",
                needed.display()
            );
            eprintln!(
                "SKIPPED: {} is absent; run scripts/test.sh",
                needed.display()
            );
            return;
        }
    }
    let Some(python) = python() else { return };
    let dir = common::temp_store();
    let root = common::root();
    let demo = root.join("examples/demo-catalog.ttl").display().to_string();
    let host = |spec: &str, file: &str| {
        format!(
            "{spec}={}",
            root.join("examples/files").join(file).display()
        )
    };
    let air = host("luftkvalitet/csv", "luftkvalitet.csv");
    let sites = host("badplatser/csv", "badplatser.csv");
    let args = ["--load", &demo, "--host", &air, "--host", &sites];
    let server = Server::start_on_own_address(dir.path(), &args);
    let screenshots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots-public");
    std::fs::create_dir_all(&screenshots).unwrap();
    let output = Command::new(python)
        .arg(common::root().join("tests/python/browser_public.py"))
        .args(["--base", &server.addr, "--axe"])
        .arg(&axe)
        .arg("--screenshots")
        .arg(&screenshots)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    eprintln!("{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(
        output.status.success(),
        "the browser test failed:\n{stdout}"
    );
    assert!(screenshots.join("06-sparql.png").exists());
}

/// The browser-side libraries katalog serves are the npm packages package-lock.json pins.
#[test]
fn the_vendored_browser_libraries_are_the_npm_packages() {
    if !common::root().join("node_modules/codemirror").exists() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "node_modules is missing (scripts/test.sh runs npm ci)"
        );
        eprintln!("SKIPPED: node_modules is absent; run scripts/test.sh");
        return;
    }
    let status = Command::new("bash")
        .arg(common::root().join("scripts/vendor.sh"))
        .arg("--check")
        .status()
        .unwrap();
    assert!(
        status.success(),
        "a vendored file differs from its npm package"
    );
}
