//! The store survives restarts and crashes.
use crate::common::{self, Server};

#[test]
fn data_survives_a_crash_and_a_restart() {
    let dir = common::temp_store();
    let server = Server::start_in(dir.path(), &[]);
    server.publish_ok(&katalog::generate::catalogue_turtle(40));
    let before = server
        .get("/datasets/dcat")
        .header("accept", "application/n-triples")
        .send()
        .unwrap()
        .bytes()
        .unwrap();
    server.kill(); // SIGKILL: no graceful shutdown, no flush
    let server = Server::start_in(dir.path(), &[]);
    let after = server
        .get("/datasets/dcat")
        .header("accept", "application/n-triples")
        .send()
        .unwrap()
        .bytes()
        .unwrap();
    let before = common::parse(&before, "application/n-triples");
    let after = common::parse(&after, "application/n-triples");
    assert_eq!(before.len(), after.len());
    assert!(katalog::rdf::isomorphic(&before, &after));
}
