//! The store survives restarts and crashes.
use crate::common::{self, Server};

#[test]
fn data_survives_a_crash_and_a_restart() {
    let dir = common::temp_store();
    let server = Server::start_in(dir.path(), &[]);
    server.publish_ok(&katalog::generate::catalogue_turtle(40));
    let before = server.harvest_document();
    server.kill(); // SIGKILL: no graceful shutdown, no flush
    let server = Server::start_in(dir.path(), &[]);
    let after = server.harvest_document();
    let before = common::parse(&before, "application/n-triples");
    let after = common::parse(&after, "application/n-triples");
    assert_eq!(before.len(), after.len());
    assert!(katalog::rdf::isomorphic(&before, &after));
}

fn feeds(server: &Server) -> Vec<(String, bytes::Bytes)> {
    [
        "/datasets/dcat",
        "/catalog?pageSize=5",
        "/catalog?page=2&pageSize=5",
        "/ldes",
    ]
    .iter()
    .map(|path| {
        let response = server
            .get(path)
            .header("accept", "text/turtle, application/trig;q=0.9")
            .send()
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        (path.to_string(), response.bytes().unwrap())
    })
    .collect()
}

fn katalog(args: &[&str]) -> std::process::Output {
    std::process::Command::new(common::bin())
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn a_backup_taken_while_the_server_runs_restores_to_the_same_feeds_byte_for_byte() {
    let setup = crate::publishers::setup();
    let data = setup.dir.path();
    let server = Server::start_in(data, &[]);
    server.publish_ok(&katalog::generate::catalogue_turtle(30));
    // A hosted file is part of the backup too.
    let own = crate::publishers::dataset("badplatser", crate::publishers::ORG_A, "Badplatser");
    let token = &setup.token_a;
    crate::publishers::put_turtle(&server, "/datasets/badplatser", token, &own);
    let file = "/datasets/badplatser/distributions/csv/file";
    let uploaded = server
        .put(file)
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body("namn\nBadholmen\n")
        .send()
        .unwrap();
    assert_eq!(uploaded.status(), 201);
    let before = feeds(&server);
    let through_server = |name: &str, token: &str| {
        katalog(&[
            "backup",
            name,
            "--server",
            &server.addr,
            "--admin-token",
            token,
        ])
    };
    let made = through_server("nightly", common::TOKEN);
    let stdout = String::from_utf8_lossy(&made.stdout);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let backup = data.join("backups/nightly");
    assert!(stdout.contains(backup.to_str().unwrap()), "{stdout}");
    let again = through_server("nightly", common::TOKEN);
    assert!(!again.status.success(), "a backup never overwrites one");
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists"));
    let outside = through_server("../elsewhere", common::TOKEN);
    assert!(
        !outside.status.success(),
        "a backup stays under --backup-dir"
    );
    let not_admin = through_server("x", &setup.token_a);
    assert!(
        !not_admin.status.success(),
        "an organisation's token is not enough"
    );
    // Directly, the store is locked by the running server.
    let scratch = common::temp_store();
    let offline = katalog(&[
        "backup",
        scratch.path().join("x").to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
    ]);
    assert!(!offline.status.success());
    // The server goes on after the backup.
    server.publish_ok(&katalog::generate::catalogue_turtle(31));
    let restored = scratch.path().join("restored");
    let (backup, restored) = (backup.to_str().unwrap(), restored.to_str().unwrap());
    let output = katalog(&["restore", backup, "--data", restored]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let into_full = katalog(&["restore", backup, "--data", restored]);
    assert!(
        !into_full.status.success(),
        "restore wants a new data directory"
    );
    let again = Server::start_in(std::path::Path::new(restored), &[]);
    for ((path, a), (_, b)) in before.iter().zip(feeds(&again)) {
        assert!(a == &b, "{path} differs after the restore");
    }
    let served = again.get(file).send().unwrap().text().unwrap();
    assert_eq!(served, "namn\nBadholmen\n", "the hosted file is restored");
    let orgs = katalog(&["org", "list", "--data", restored]);
    assert!(String::from_utf8_lossy(&orgs.stdout).contains("Exempelkommun"));
    let write = again
        .post("/datasets")
        .bearer_auth(&setup.token_a)
        .header("content-type", "text/turtle")
        .body("")
        .send()
        .unwrap();
    assert_ne!(write.status(), 401, "the organisation's token was restored");
}
