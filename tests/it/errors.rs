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

/// A data service as a publisher writes one (prefixes, contact point and publisher included).
fn data_service(id: &str) -> String {
    format!(
        r#"@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dcterms: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> . @prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
<dataservices/{id}> a dcat:DataService ;
  dcterms:title "Kartjänst"@sv ; dcterms:description "En WFS-tjänst."@sv ;
  dcat:endpointURL <https://geo.example.se/wfs> ; dcterms:format "application/vnd.ogc.wfs_xml" ;
  dcterms:accessRights <http://publications.europa.eu/resource/authority/access-right/PUBLIC> ;
  dcterms:license <http://creativecommons.org/publicdomain/zero/1.0/> ;
  dcat:endpointDescription <https://geo.example.se/wfs?request=GetCapabilities> ;
  dcterms:publisher <http://dataportal.se/organisation/SE2120009994> ;
  dcat:contactPoint <dataservices/{id}#kontakt> .
<dataservices/{id}#kontakt> a vcard:Organization ; vcard:fn "Kundtjänst" ; vcard:hasEmail <mailto:info@exempel.se> .
<http://dataportal.se/organisation/SE2120009994> a foaf:Agent ; foaf:name "Exempelkommun"@sv ;
  dcterms:type <http://purl.org/adms/publishertype/LocalAuthority> .
"#
    )
}

fn post(server: &Server, path: &str, turtle: &str) -> reqwest::blocking::Response {
    server
        .post(path)
        .bearer_auth(TOKEN)
        .header("content-type", "text/turtle")
        .body(turtle.to_owned())
        .send()
        .unwrap()
}

#[test]
fn each_post_route_takes_its_own_kind_of_record() {
    let dir = common::temp_store();
    let server = Server::start_in(dir.path(), &[]);
    // A data service posted to /datasets is refused, and nothing is stored.
    let refused = post(&server, "/datasets", &data_service("wfs"));
    assert_eq!(refused.status(), 422);
    let error: serde_json::Value = refused.json().unwrap();
    assert!(
        error["error"].as_str().unwrap().contains("/dataservices"),
        "{error}"
    );
    assert_eq!(
        server.get("/dataservices/wfs").send().unwrap().status(),
        404
    );
    // At its own route it is created, and `Location` names it.
    let created = post(&server, "/dataservices", &data_service("wfs"));
    assert_eq!(created.status(), 201, "{}", created.text().unwrap());
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.ends_with("/dataservices/wfs"), "{location}");
    // A dataset posted to /dataservices is refused too.
    let dataset = katalog::generate::catalogue_turtle(1);
    let start = dataset.find("<catalog> a dcat:Catalog").unwrap();
    let end = start + dataset[start..].find(" .\n\n").unwrap() + 4;
    let only_dataset = format!("{}{}", &dataset[..start], &dataset[end..]);
    assert!(!only_dataset.contains("dcat:Catalog"));
    let refused = post(&server, "/dataservices", &only_dataset);
    assert_eq!(refused.status(), 422, "{}", refused.text().unwrap());
    assert_eq!(count_datasets(&server), 0);
    // A whole catalogue file goes to either route, with every kind of record in it.
    let whole = post(&server, "/dataservices", &dataset);
    assert!(whole.status().is_success(), "{}", whole.text().unwrap());
    assert_eq!(count_datasets(&server), 1);
}

/// Every operation of the OpenAPI description is served, and answers as described: with a
/// status the description names for it (or one of the request guards'); the reads, with
/// records in the store, answer 2xx. The router and the description come from one list of
/// routes, so a route missing from either shows here as a 404 or 405 it does not document.
#[test]
fn every_described_operation_is_served_as_described() {
    let (server, _dir) = common::with_generated(3, &[]);
    let api: serde_json::Value = server
        .get("/api/openapi.json")
        .send()
        .unwrap()
        .json()
        .unwrap();
    let void = server
        .get("/.well-known/void")
        .header("accept", "application/n-triples")
        .send()
        .unwrap()
        .text()
        .unwrap();
    let key = regex::Regex::new(r"organisations/([^/]+)/datasets/dcat")
        .unwrap()
        .captures(&void)
        .expect("an organisation in the VoID description")[1]
        .to_owned();
    let paths = api["paths"].as_object().unwrap();
    assert!(paths.len() >= 15, "{:?}", paths.keys());
    for (template, item) in paths {
        let path = template
            .replace("{id}", "d0")
            .replace("{key}", &key)
            .replace("{name}", "csv");
        for (method, operation) in item.as_object().unwrap() {
            let documented: Vec<u16> = operation["responses"]
                .as_object()
                .unwrap()
                .keys()
                .map(|s| s.parse().unwrap())
                .collect();
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let status = server
                .client_request(method.clone(), &path)
                .send()
                .unwrap()
                .status()
                .as_u16();
            assert!(
                documented.contains(&status),
                "{method} {path}: {status} is not among the described {documented:?}"
            );
            // A read that needs a token (an organisation's sources) answers 401 here; the
            // generated store has no data service and no hosted file (nor its table).
            let public = operation.get("security").is_none();
            let absent = path.starts_with("/dataservices/")
                || path.contains("/distributions/")
                || path.starts_with("/data/")
                || path.contains("/datastore_search");
            if method == reqwest::Method::GET && public && !absent {
                assert!(status < 300, "{method} {path}: {status}");
            }
        }
    }
}

#[test]
fn rejected_parameters_and_methods_are_json_problems() {
    let dir = common::temp_store();
    let server = Server::start_in(dir.path(), &[]);
    for (method, path, status) in [
        (reqwest::Method::GET, "/ldes?page=first", 400),
        (reqwest::Method::GET, "/catalog?pageSize=0", 400),
        (reqwest::Method::POST, "/catalog", 405),
        (reqwest::Method::PATCH, "/datasets/d0", 405),
    ] {
        let response = server.client_request(method.clone(), path).send().unwrap();
        assert_eq!(response.status(), status, "{method} {path}");
        let body: serde_json::Value = response
            .json()
            .unwrap_or_else(|e| panic!("{method} {path}: not JSON: {e}"));
        assert_eq!(body["status"], status, "{method} {path}: {body}");
        assert!(body["error"].as_str().is_some(), "{method} {path}: {body}");
    }
}
