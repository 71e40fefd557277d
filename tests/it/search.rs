//! Search over HTTP: inflected Swedish words, AND and phrases, facets with labels in both
//! languages, filters, sorting, and an index that follows every publish, delete and restart.
use crate::common::{self, Server, TOKEN};
use serde_json::Value;
use std::collections::BTreeSet;

const ENVI: &str = "http://publications.europa.eu/resource/authority/data-theme/ENVI";

fn search(server: &Server, query: &str) -> Value {
    let response = server.get(&format!("/api/search?{query}")).send().unwrap();
    assert_eq!(response.status(), 200, "{query}");
    response.json().unwrap()
}

fn found(result: &Value) -> BTreeSet<String> {
    result["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let iri = r["iri"].as_str().unwrap();
            iri.rsplit('/').next().unwrap().to_owned()
        })
        .collect()
}

fn facet<'a>(result: &'a Value, name: &str, value: &str) -> &'a Value {
    result["facets"][name]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["value"] == value)
        .unwrap_or_else(|| panic!("{name} {value} in {:#}", result["facets"][name]))
}

/// Every record the search finds, paging through.
fn all_found(server: &Server) -> BTreeSet<String> {
    let mut all = BTreeSet::new();
    for page in 1.. {
        let result = search(server, &format!("page={page}"));
        all.extend(found(&result));
        if page >= result["pages"].as_u64().unwrap() as usize {
            break;
        }
    }
    all
}

/// The records the store serves, as the harvest document lists them.
fn served(server: &Server) -> BTreeSet<String> {
    let body = server.harvest_document();
    let triples = common::parse(&body, "application/n-triples");
    let kinds = [
        "http://www.w3.org/ns/dcat#Dataset",
        "http://www.w3.org/ns/dcat#DataService",
        "http://www.w3.org/ns/dcat#DatasetSeries",
    ];
    triples
        .iter()
        .filter(|t| t.predicate.as_str().ends_with("#type"))
        .filter(|t| {
            kinds.iter().any(
                |k| matches!(&t.object, oxigraph::model::Term::NamedNode(n) if n.as_str() == *k),
            )
        })
        .map(|t| {
            let s = t.subject.to_string();
            s.trim_matches(['<', '>'])
                .rsplit('/')
                .next()
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[test]
fn search_reads_words_as_people_write_them_and_counts_facets_with_labels() {
    let dir = common::temp_store();
    let server = Server::start_in(dir.path(), &[]);
    server.publish_ok(&common::demo_catalog());

    // Swedish stemming: the inflected and the compound forms meet.
    let result = search(&server, "q=f%C3%B6rskola");
    assert!(found(&result).contains("forskolor"), "{result:#}");
    let result = search(&server, "q=preschool");
    assert!(found(&result).contains("forskolor"), "{result:#}");
    // Words are ANDed; quotes make a phrase.
    let result = search(&server, "q=f%C3%B6rskolor+vattenkvalitet");
    assert_eq!(result["total"], 0, "{result:#}");
    let result = search(&server, "q=%22bathing+sites%22");
    assert!(found(&result).contains("badplatser"), "{result:#}");

    // Facets, with labels in the reader's language.
    let all = search(&server, "");
    let envi = facet(&all, "theme", ENVI);
    assert_eq!(envi["label"], "Miljö");
    let count = envi["count"].as_u64().unwrap();
    assert!(count >= 3, "{envi}");
    let english = search(&server, "lang=en");
    assert_eq!(facet(&english, "theme", ENVI)["label"], "Environment");
    let publisher = "http://dataportal.se/organisation/SE2120009994";
    assert_eq!(
        facet(&all, "publisher", publisher)["label"],
        "Exempelkommun"
    );
    assert_eq!(facet(&all, "format", "text/csv")["label"], "CSV (.csv)");
    assert!(facet(&all, "kind", "service")["count"].as_u64().unwrap() >= 1);
    assert!(
        facet(&all, "api", "yes")["count"].as_u64().unwrap() >= 7,
        "served by the WFS"
    );

    // A facet filters; two values of one facet widen, two facets narrow.
    let filtered = search(&server, &format!("theme={}", urlencode(ENVI)));
    assert_eq!(filtered["total"].as_u64().unwrap(), count);
    assert_eq!(facet(&filtered, "theme", ENVI)["selected"], true);
    let narrowed = search(&server, &format!("theme={}&kind=service", urlencode(ENVI)));
    assert_eq!(narrowed["total"], 0, "the WFS is not about the environment");

    // Sorted by title.
    let sorted = search(&server, "sort=title");
    let titles: Vec<String> = sorted["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["title"].as_str().unwrap().to_lowercase())
        .collect();
    let mut expected = titles.clone();
    expected.sort();
    assert_eq!(titles, expected);

    let unknown = server.get("/api/search?colour=blue").send().unwrap();
    assert_eq!(unknown.status(), 400);

    // The search page reads without JavaScript: the form, facet groups, the count.
    let page = server
        .get("/?q=f%C3%B6rskola")
        .header("accept", "text/html")
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(page.contains("role=\"search\""));
    assert!(page.contains("<legend>Kategori</legend>"));
    assert!(page.contains("role=\"status\""));
    assert!(page.contains("href=\"/datasets/forskolor\""), "{page}");
}

#[test]
fn the_index_follows_publishes_deletes_and_restarts() {
    let dir = common::temp_store();
    let server = Server::start_in(dir.path(), &[]);
    server.publish_ok(&katalog::generate::catalogue_turtle(30));
    assert_eq!(all_found(&server), served(&server));

    // A write is found by the next search, a delete is gone from it.
    server.publish_ok(&crate::publishers::dataset(
        "unik",
        "2120009994",
        "Sällsynta fjärilar",
    ));
    let result = search(&server, "q=fj%C3%A4ril");
    assert_eq!(found(&result), BTreeSet::from(["unik".to_owned()]));
    let deleted = server
        .delete("/datasets/d3")
        .bearer_auth(TOKEN)
        .send()
        .unwrap();
    assert!(deleted.status().is_success());
    assert!(!all_found(&server).contains("d3"));
    assert_eq!(all_found(&server), served(&server));

    // A crash loses nothing: the index catches up from the store's change log.
    server.kill();
    let server = Server::start_in(dir.path(), &[]);
    assert_eq!(all_found(&server), served(&server));
    // And an index thrown away is built anew.
    server.kill();
    std::fs::remove_dir_all(dir.path().join("search-index")).unwrap();
    let server = Server::start_in(dir.path(), &[]);
    let expected = served(&server);
    assert_eq!(all_found(&server), expected);
    let out = std::process::Command::new(common::bin())
        .args(["reindex", "--data"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success(), "the running server holds the index");
    server.kill();
    let out = std::process::Command::new(common::bin())
        .args(["reindex", "--data"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains(&format!("indexed {} records", expected.len())),
        "{said}"
    );
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
