//! Hosted data: a publisher uploads a distribution's file; katalog keeps every version,
//! describes the distribution from the file, and serves it byte for byte.
use crate::common::{Server, parse};
use crate::publishers::{ORG_A, dataset, put_turtle, setup};
use reqwest::StatusCode;
use sha1::{Digest, Sha1};

const FILE: &str = "/datasets/badplatser/distributions/csv/file";

fn upload(server: &Server, token: &str, content: &[u8]) -> reqwest::blocking::Response {
    server
        .put(FILE)
        .bearer_auth(token)
        .header("content-type", "text/csv; charset=utf-8")
        .body(content.to_vec())
        .send()
        .unwrap()
}

/// The objects of `predicate` (its local name) in the dataset's record, as N-Triples terms.
fn stated(server: &Server, predicate: &str) -> Vec<String> {
    let record = server
        .get("/datasets/badplatser")
        .header("accept", "text/turtle")
        .send()
        .unwrap()
        .bytes()
        .unwrap();
    parse(&record, "text/turtle")
        .into_iter()
        .filter(|t| t.predicate.as_str().ends_with(predicate))
        .map(|t| t.object.to_string())
        .collect()
}

#[test]
fn an_uploaded_file_is_served_byte_for_byte_with_the_metadata_katalog_filled() {
    let s = setup();
    let server = Server::start_in(s.dir.path(), &["--max-upload", "100000"]);
    let own = dataset("badplatser", ORG_A, "Badplatser");
    let created = put_turtle(&server, "/datasets/badplatser", &s.token_a, &own);
    assert_eq!(created.status(), StatusCode::CREATED);
    // A BOM, Swedish letters in Windows-1252, a NUL: bytes are kept as they came.
    let first: Vec<u8> = b"\xEF\xBB\xBFnamn;kommun\nBadholmen;\xD6ster\xE5ker\n\0;\n".to_vec();
    let response = upload(&server, &s.token_a, &first);
    assert_eq!(response.status(), StatusCode::CREATED);
    let answer: serde_json::Value = response.json().unwrap();
    let url = answer["download_url"].as_str().unwrap().to_owned();
    assert!(url.ends_with(FILE), "{answer}");
    assert_eq!(answer["versions"].as_array().unwrap().len(), 1);
    let first_sha256 = answer["versions"][0]["sha256"].as_str().unwrap().to_owned();

    let got = server.get(&url).send().unwrap();
    assert_eq!(got.status(), StatusCode::OK);
    assert_eq!(got.headers()["content-type"], "text/csv");
    assert_eq!(got.headers()["etag"], format!("\"{first_sha256}\""));
    assert_eq!(got.bytes().unwrap().as_ref(), first.as_slice());
    let sha1 = hex::encode(Sha1::digest(&first));
    assert_eq!(
        stated(&server, "checksumValue"),
        [format!(
            "\"{sha1}\"^^<http://www.w3.org/2001/XMLSchema#hexBinary>"
        )]
    );
    assert_eq!(
        stated(&server, "byteSize"),
        [format!(
            "\"{}\"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger>",
            first.len()
        )]
    );
    assert_eq!(stated(&server, "downloadURL"), [format!("<{url}>")]);
    assert_eq!(stated(&server, "format"), ["\"text/csv\""]);
    let issued = stated(&server, "issued");
    assert_eq!(issued.len(), 1);

    // A new version replaces the served one; the first stays, by its checksum.
    let second = b"namn;kommun\nSolviken;Norrt\xE4lje\n".to_vec();
    let response = upload(&server, &s.token_a, &second);
    assert_eq!(response.status(), StatusCode::OK);
    let answer: serde_json::Value = response.json().unwrap();
    assert_eq!(answer["versions"].as_array().unwrap().len(), 2);
    let served = server.get(&url).send().unwrap().bytes().unwrap();
    assert_eq!(served.as_ref(), second.as_slice());
    let earlier = server
        .get(&format!("{url}?version={first_sha256}"))
        .send()
        .unwrap()
        .bytes()
        .unwrap();
    assert_eq!(earlier.as_ref(), first.as_slice());
    assert_eq!(
        stated(&server, "issued"),
        issued,
        "issued is the first upload's"
    );
    assert_eq!(stated(&server, "checksumValue").len(), 1);
    let etag = server.get(&url).send().unwrap().headers()["etag"].clone();
    let again = server
        .get(&url)
        .header("if-none-match", etag)
        .send()
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);

    // Refused: another organisation, a file past the limit, a dataset that is not there.
    assert_eq!(
        upload(&server, &s.token_b, b"x").status(),
        StatusCode::FORBIDDEN
    );
    let large = vec![b'x'; 100_001];
    assert_eq!(
        upload(&server, &s.token_a, &large).status(),
        StatusCode::PAYLOAD_TOO_LARGE
    );
    let served = server.get(&url).send().unwrap().bytes().unwrap();
    assert_eq!(
        served.as_ref(),
        second.as_slice(),
        "a refused upload changes nothing"
    );
    let missing = server
        .put("/datasets/saknas/distributions/csv/file")
        .bearer_auth(&s.token_a)
        .body("x")
        .send()
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let nothing = server
        .get("/datasets/badplatser/distributions/pdf/file")
        .send()
        .unwrap();
    assert_eq!(nothing.status(), StatusCode::NOT_FOUND);
}
