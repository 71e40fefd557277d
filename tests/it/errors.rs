//! Bad input gets a clear error and changes nothing.
use crate::common::{self, Server, TOKEN};

const VALID: &str = r#"@prefix dcat: <http://www.w3.org/ns/dcat#> ."#;

fn count_datasets(server: &Server) -> usize {
    let body = server
        .get("/catalog.nt?pageSize=1000")
        .send()
        .unwrap()
        .text()
        .unwrap();
    body.matches("<http://www.w3.org/ns/dcat#dataset>").count()
}

#[test]
fn malformed_turtle_is_400_with_line_and_column() {
    let dir = common::temp_store();
    let server = Server::start_in(dir.path(), &[]);
    let mut body = katalog::generate::catalogue_turtle(2);
    body.push_str("<datasets/broken> a dcat:Dataset ;\n  dcterms:title \"unterminated@sv .\n");
    let response = server.publish(&body);
    assert_eq!(response.status(), 400);
    let error: serde_json::Value = response.json().unwrap();
    let lines = katalog::generate::catalogue_turtle(2).lines().count() as u64;
    assert!(error["line"].as_u64().unwrap() > lines, "{error}");
    assert!(error["column"].as_u64().is_some(), "{error}");
    assert_eq!(
        count_datasets(&server),
        0,
        "nothing may be stored from a failed request"
    );
}

#[test]
fn unsupported_media_type_is_415() {
    let dir = common::temp_store();
    let server = Server::start_in(dir.path(), &[]);
    let response = server
        .post("/datasets")
        .bearer_auth(TOKEN)
        .header("content-type", "text/plain")
        .body(VALID)
        .send()
        .unwrap();
    assert_eq!(response.status(), 415);
    let response = server
        .post("/datasets")
        .bearer_auth(TOKEN)
        .body(VALID)
        .send()
        .unwrap();
    assert_eq!(response.status(), 415);
}

#[test]
fn oversize_body_is_413() {
    let dir = common::temp_store();
    let server = Server::start_in(dir.path(), &["--max-body", "10000"]);
    let response = server.publish(&katalog::generate::catalogue_turtle(50));
    assert_eq!(response.status(), 413);
    assert_eq!(count_datasets(&server), 0);
}

#[test]
fn writes_need_the_token() {
    let dir = common::temp_store();
    let server = Server::start_in(dir.path(), &[]);
    let body = katalog::generate::catalogue_turtle(1);
    let none = server
        .post("/datasets")
        .header("content-type", "text/turtle")
        .body(body.clone())
        .send()
        .unwrap();
    assert_eq!(none.status(), 401);
    let wrong = server
        .post("/datasets")
        .bearer_auth("nope")
        .header("content-type", "text/turtle")
        .body(body)
        .send()
        .unwrap();
    assert_eq!(wrong.status(), 401);
    assert_eq!(server.delete("/datasets/d0").send().unwrap().status(), 401);
    assert_eq!(count_datasets(&server), 0);
}

#[test]
fn one_invalid_record_stores_nothing() {
    let dir = common::temp_store();
    let server = Server::start_in(dir.path(), &[]);
    // A dataset without title, publisher or contact point, among valid ones.
    let mut body = katalog::generate::catalogue_turtle(3);
    body.push_str("<datasets/bad> a dcat:Dataset ; dcat:keyword \"x\"@sv .\n");
    let response = server.publish(&body);
    assert_eq!(response.status(), 422);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/turtle")
    );
    let report = response.text().unwrap();
    assert!(
        report.contains("ValidationReport") && report.contains("datasets/bad"),
        "{report}"
    );
    assert_eq!(count_datasets(&server), 0);
    let json = server
        .post("/datasets")
        .bearer_auth(TOKEN)
        .header("content-type", "text/turtle")
        .header("accept", "application/json")
        .body(body)
        .send()
        .unwrap();
    assert_eq!(json.status(), 422);
    let value: serde_json::Value = json.json().unwrap();
    assert_eq!(value["report"]["conforms"], false, "{value}");
}

#[test]
fn put_replaces_one_record_with_relative_iris() {
    let dir = common::temp_store();
    let server = Server::start_in(dir.path(), &[]);
    server.publish_ok(&katalog::generate::catalogue_turtle(2));
    let current = server
        .get("/datasets/d1")
        .header("accept", "text/turtle")
        .send()
        .unwrap()
        .text()
        .unwrap();
    let changed = current.replace("Datamängd 1", "Ändrad titel");
    let response = server
        .put("/datasets/d1")
        .bearer_auth(TOKEN)
        .header("content-type", "text/turtle")
        .body(changed)
        .send()
        .unwrap();
    assert_eq!(response.status(), 200, "{}", response.text().unwrap());
    let now = server
        .get("/datasets/d1")
        .header("accept", "text/turtle")
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(now.contains("Ändrad titel") && !now.contains("Datamängd 1"));
    // A body about another record is refused.
    let other = server
        .put("/datasets/d0")
        .bearer_auth(TOKEN)
        .header("content-type", "text/turtle")
        .body(now)
        .send()
        .unwrap();
    assert_eq!(other.status(), 400);
}
