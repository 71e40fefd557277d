//! Organisations, accounts and tokens: bootstrapped from the command line, then every write
//! route tried by every kind of caller over HTTP against the real server.
use crate::common::{BASE, Server, bin};
use reqwest::StatusCode;
use reqwest::blocking::{Client, RequestBuilder, Response};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

pub const ORG_A: &str = "2120009994";
pub const ORG_B: &str = "2021005448";
const PASSWORD: &str = "ett långt lösenord";

/// Runs `katalog ARGS --data DIR`, with `stdin` piped in.
pub fn katalog(data: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(bin())
        .args(args)
        .arg("--data")
        .arg(data)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("katalog runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn ok(output: Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

pub fn publisher(orgnr: &str) -> String {
    format!("http://dataportal.se/organisation/SE{orgnr}")
}

/// A conforming dataset `id` published by `orgnr`.
pub fn dataset(id: &str, orgnr: &str, title: &str) -> String {
    let publisher = publisher(orgnr);
    format!(
        r#"@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dcterms: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> . @prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
<{BASE}datasets/{id}> a dcat:Dataset ; dcterms:title "{title}"@sv ;
  dcterms:description "Beskrivning av {title}."@sv ;
  dcterms:publisher <{publisher}> ; dcat:contactPoint <{BASE}datasets/{id}#kontakt> .
<{BASE}datasets/{id}#kontakt> a vcard:Organization ; vcard:fn "Kundtjänst" ; vcard:hasEmail <mailto:info@exempel.se> .
<{publisher}> a foaf:Agent ; foaf:name "Organisation {orgnr}"@sv ;
  dcterms:type <http://purl.org/adms/publishertype/LocalAuthority> .
"#
    )
}

/// A store with two organisations, an admin and an editor of A, and a token for each.
pub struct Setup {
    pub dir: tempfile::TempDir,
    pub token_a: String,
    pub token_b: String,
}

pub fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    ok(katalog(
        data,
        &["org", "add", "--orgnr", ORG_A, "--name", "Exempelkommun"],
        "",
    ));
    ok(katalog(
        data,
        &["org", "add", "--orgnr", ORG_B, "--name", "Annan myndighet"],
        "",
    ));
    for (email, role) in [("admin@a.se", "admin"), ("editor@a.se", "editor")] {
        let args = [
            "user", "add", "--org", ORG_A, "--email", email, "--role", role,
        ];
        ok(katalog(
            data,
            &[&args[..], &["--password-stdin"]].concat(),
            PASSWORD,
        ));
    }
    let token_a = ok(katalog(data, &["token", "create", "--org", ORG_A], ""))
        .trim()
        .to_owned();
    let token_b = ok(katalog(data, &["token", "create", "--org", ORG_B], ""))
        .trim()
        .to_owned();
    Setup {
        dir,
        token_a,
        token_b,
    }
}

pub fn put_turtle(server: &Server, path: &str, token: &str, turtle: &str) -> Response {
    server
        .put(path)
        .bearer_auth(token)
        .header("content-type", "text/turtle")
        .body(turtle.to_owned())
        .send()
        .unwrap()
}

fn post_turtle(server: &Server, token: &str, turtle: &str) -> Response {
    server
        .post("/datasets")
        .bearer_auth(token)
        .header("content-type", "text/turtle")
        .body(turtle.to_owned())
        .send()
        .unwrap()
}

fn status_of(response: Response) -> StatusCode {
    response.status()
}

#[test]
fn the_command_line_bootstraps_accounts_and_refuses_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let bad = katalog(
        data,
        &["org", "add", "--orgnr", "2120009995", "--name", "X"],
        "",
    );
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("check digit"));
    ok(katalog(
        data,
        &[
            "org",
            "add",
            "--orgnr",
            "212000-9994",
            "--name",
            "Exempelkommun",
        ],
        "",
    ));
    let again = katalog(
        data,
        &["org", "add", "--orgnr", ORG_A, "--name", "Igen"],
        "",
    );
    assert!(
        !again.status.success(),
        "a second organisation with one number"
    );
    let short = katalog(
        data,
        &[
            "user",
            "add",
            "--org",
            ORG_A,
            "--email",
            "a@a.se",
            "--password-stdin",
        ],
        "kort",
    );
    assert!(!short.status.success(), "a too short password is refused");
    let token = ok(katalog(
        data,
        &["token", "create", "--org", ORG_A, "--expires-days", "30"],
        "",
    ));
    let token = token.trim();
    assert!(token.starts_with("kat_") && !token.contains(char::is_whitespace));
    let listed = ok(katalog(data, &["token", "list", "--org", ORG_A], ""));
    assert!(listed.contains("#1\tactive"), "{listed}");
    assert!(!listed.contains(token), "secrets are never listed");
    let orgs = ok(katalog(data, &["org", "list"], ""));
    assert!(orgs.contains(&publisher(ORG_A)));
    // The secret is stored only as a digest.
    let db = std::fs::read(data.join("accounts.sqlite")).unwrap();
    let wal = std::fs::read(data.join("accounts.sqlite-wal")).unwrap_or_default();
    for bytes in [&db, &wal] {
        assert!(!bytes.windows(token.len()).any(|w| w == token.as_bytes()));
    }
}

#[test]
fn tokens_publish_only_for_their_own_organisation() {
    let s = setup();
    let server = Server::start_in(s.dir.path(), &[]);
    let own = dataset("badplatser", ORG_A, "Badplatser");
    let response = put_turtle(&server, "/datasets/badplatser", &s.token_a, &own);
    assert_eq!(response.status(), StatusCode::CREATED);
    // Org B can neither replace nor delete A's record, even naming itself as publisher.
    let taken = dataset("badplatser", ORG_B, "Kapad");
    assert_eq!(
        status_of(put_turtle(
            &server,
            "/datasets/badplatser",
            &s.token_b,
            &taken
        )),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        status_of(post_turtle(&server, &s.token_b, &taken)),
        StatusCode::FORBIDDEN
    );
    let delete = server
        .delete("/datasets/badplatser")
        .bearer_auth(&s.token_b)
        .send()
        .unwrap();
    assert_eq!(delete.status(), StatusCode::FORBIDDEN);
    // Nor publish a new dataset naming A as publisher, by POST or PUT.
    let forged = dataset("falsk", ORG_A, "Falsk");
    assert_eq!(
        status_of(post_turtle(&server, &s.token_b, &forged)),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        status_of(put_turtle(&server, "/datasets/falsk", &s.token_b, &forged)),
        StatusCode::FORBIDDEN
    );
    let service = forged.replace("dcat:Dataset", "dcat:DataService");
    let service = service.replace("datasets/falsk", "dataservices/falsk");
    assert_eq!(
        status_of(put_turtle(
            &server,
            "/dataservices/falsk",
            &s.token_b,
            &service
        )),
        StatusCode::FORBIDDEN
    );
    // Only the site administrator describes the site catalogue.
    let catalog = "<> a <http://www.w3.org/ns/dcat#Catalog> .";
    assert_eq!(
        status_of(put_turtle(&server, "/catalog", &s.token_a, catalog)),
        StatusCode::FORBIDDEN
    );
    // The record is still A's own, unchanged.
    let served = server
        .get("/datasets/badplatser.ttl")
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(served.contains("Badplatser") && !served.contains("Kapad"));
    assert!(!served.contains("Falsk"));
    assert_eq!(
        server.get("/datasets/falsk").send().unwrap().status(),
        StatusCode::NOT_FOUND
    );
    // A deletes its own; the IRI is then gone.
    let delete = server
        .delete("/datasets/badplatser")
        .bearer_auth(&s.token_a)
        .send()
        .unwrap();
    assert_eq!(delete.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        server.get("/datasets/badplatser").send().unwrap().status(),
        StatusCode::GONE
    );
}

#[test]
fn expired_revoked_and_unknown_tokens_are_refused_and_the_server_sees_cli_changes() {
    let s = setup();
    let data = s.dir.path();
    let server = Server::start_in(data, &[]);
    // Made while the server runs: seen without a restart.
    let expired = ok(katalog(
        data,
        &["token", "create", "--org", ORG_A, "--expires-days", "0"],
        "",
    ));
    let fresh = ok(katalog(data, &["token", "create", "--org", ORG_A], ""));
    let body = dataset("nytt", ORG_A, "Nytt");
    assert_eq!(
        status_of(put_turtle(&server, "/datasets/nytt", expired.trim(), &body)),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        status_of(put_turtle(&server, "/datasets/nytt", "kat_0000", &body)),
        StatusCode::UNAUTHORIZED
    );
    let unauthenticated = server
        .put("/datasets/nytt")
        .header("content-type", "text/turtle")
        .body(body.clone())
        .send()
        .unwrap();
    assert_eq!(unauthenticated.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        status_of(put_turtle(&server, "/datasets/nytt", fresh.trim(), &body)),
        StatusCode::CREATED
    );
    let listed = ok(katalog(data, &["token", "list", "--org", ORG_A], ""));
    let id = listed
        .lines()
        .rev()
        .find(|l| l.contains("active") && !l.contains("inactive"))
        .and_then(|l| l.split('\t').next())
        .unwrap()
        .trim_start_matches('#')
        .to_owned();
    ok(katalog(data, &["token", "revoke", "--org", ORG_A, &id], ""));
    assert_eq!(
        status_of(put_turtle(&server, "/datasets/nytt", fresh.trim(), &body)),
        StatusCode::UNAUTHORIZED,
        "a revoked token"
    );
}

#[test]
fn a_catalogue_file_with_one_invalid_dataset_stores_nothing() {
    let s = setup();
    let server = Server::start_in(s.dir.path(), &[]);
    let mut file = String::new();
    for i in 0..3 {
        file.push_str(&dataset(&format!("del-{i}"), ORG_A, &format!("Del {i}")));
    }
    // The fourth has no title, which DCAT-AP-SE requires.
    file.push_str(&dataset("utan-titel", ORG_A, "X").replace("dcterms:title \"X\"@sv ;", ""));
    let response = server
        .post("/datasets")
        .bearer_auth(&s.token_a)
        .header("content-type", "text/turtle")
        .header("accept", "application/json")
        .body(file)
        .send()
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let report: serde_json::Value = response.json().unwrap();
    assert!(report["report"]["violations"].as_u64().unwrap() >= 1);
    for i in 0..3 {
        let path = format!("/datasets/del-{i}");
        assert_eq!(
            server.get(&path).send().unwrap().status(),
            StatusCode::NOT_FOUND
        );
    }
}

#[test]
fn if_match_detects_lost_updates_and_writes_are_stamped_and_audited() {
    let s = setup();
    let server = Server::start_in(s.dir.path(), &[]);
    let path = "/datasets/parker";
    let first = dataset("parker", ORG_A, "Parker");
    assert_eq!(
        status_of(put_turtle(&server, path, &s.token_a, &first)),
        StatusCode::CREATED
    );
    let read = server
        .get(path)
        .header("accept", "text/turtle")
        .send()
        .unwrap();
    let etag = read.headers()["etag"].to_str().unwrap().to_owned();
    let body = read.text().unwrap();
    assert!(body.contains("dcterms:modified"), "stamped: {body}");
    let second = dataset("parker", ORG_A, "Parker och grönområden");
    let update = |etag: &str, turtle: &str| {
        server
            .put(path)
            .bearer_auth(&s.token_a)
            .header("content-type", "text/turtle")
            .header("if-match", etag)
            .body(turtle.to_owned())
            .send()
            .unwrap()
    };
    assert_eq!(update(&etag, &second).status(), StatusCode::OK);
    // The same ETag again: someone else's change came in between.
    let lost = update(&etag, &dataset("parker", ORG_A, "Förlorad"));
    assert_eq!(lost.status(), StatusCode::PRECONDITION_FAILED);
    let served = server
        .get("/datasets/parker.ttl")
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(served.contains("grönområden") && !served.contains("Förlorad"));
    // Create-only with If-None-Match.
    let again = server
        .put(path)
        .bearer_auth(&s.token_a)
        .header("content-type", "text/turtle")
        .header("if-none-match", "*")
        .body(first.clone())
        .send()
        .unwrap();
    assert_eq!(again.status(), StatusCode::PRECONDITION_FAILED);
    // The admin reads the audit log: create then update, with hashes before and after.
    let mut admin = Browser::login(&server, "admin@a.se");
    let csv = admin.get(&format!("/publish/org/{ORG_A}/audit.csv"));
    assert_eq!(csv.status(), StatusCode::OK);
    let csv = csv.text().unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert!(rows[0].starts_with("time,actor,organisation,record,action"));
    assert_eq!(rows.len(), 3, "{csv}");
    assert!(
        rows[1].contains(",updated,") && rows[2].contains(",created,"),
        "{csv}"
    );
    let fields: Vec<&str> = rows[1].split(',').collect();
    assert!(fields[1].starts_with("token #"));
    assert_eq!(fields[2], ORG_A);
    assert_eq!(fields[3], format!("{BASE}datasets/parker"));
    assert_eq!(fields[5].len(), 64, "hash before");
    assert_eq!(fields[6].len(), 64, "hash after");
    assert_ne!(fields[5], fields[6]);
}

/// A browser-like client: keeps the session cookie, does not follow redirects.
pub struct Browser<'a> {
    server: &'a Server,
    client: Client,
    cookie: String,
    pub csrf: String,
}

impl<'a> Browser<'a> {
    pub fn new(server: &'a Server) -> Self {
        let client = crate::common::client()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let mut browser = Browser {
            server,
            client,
            cookie: String::new(),
            csrf: String::new(),
        };
        let page = browser.get("/login");
        browser.csrf = hidden_csrf(&page.text().unwrap());
        browser
    }

    pub fn login(server: &'a Server, email: &str) -> Self {
        let mut browser = Self::new(server);
        let response = browser.form("/login", &[("email", email), ("password", PASSWORD)]);
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "login of {email}");
        let page = browser.get("/publish").text().unwrap();
        browser.csrf = hidden_csrf(&page);
        browser
    }

    fn remember(&mut self, response: &Response) {
        if let Some(cookie) = response.headers().get("set-cookie") {
            let cookie = cookie.to_str().unwrap();
            self.cookie = cookie.split(';').next().unwrap().to_owned();
        }
    }

    fn send(&mut self, request: RequestBuilder) -> Response {
        let response = request
            .header("cookie", self.cookie.clone())
            .send()
            .unwrap();
        self.remember(&response);
        response
    }

    pub fn get(&mut self, path: &str) -> Response {
        let request = self.client.get(self.server.url(path));
        self.send(request)
    }

    /// Posts a form with the session's CSRF token added.
    pub fn form(&mut self, path: &str, fields: &[(&str, &str)]) -> Response {
        let mut all: Vec<(&str, &str)> = vec![("csrf", &self.csrf)];
        all.extend_from_slice(fields);
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(all)
            .finish();
        let request = self
            .client
            .post(self.server.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        self.send(request)
    }

    /// Posts a multipart form (as a browser sends a file input) with the session's CSRF
    /// token first, then `fields`, then the file (name, media type, content).
    pub fn upload(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: (&str, &str, &[u8]),
    ) -> Response {
        let boundary = "katalog-test-boundary-7d3f";
        let mut body = Vec::new();
        let csrf = self.csrf.clone();
        for (name, value) in [("csrf", csrf.as_str())].iter().chain(fields) {
            body.extend(format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            ).bytes());
        }
        let (file_name, media_type, content) = file;
        body.extend(format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: {media_type}\r\n\r\n"
        ).bytes());
        body.extend_from_slice(content);
        body.extend(format!("\r\n--{boundary}--\r\n").bytes());
        let request = self
            .client
            .post(self.server.url(path))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body);
        self.send(request)
    }
}

fn hidden_csrf(html: &str) -> String {
    let start = html.find("name=\"csrf\" value=\"").expect("a CSRF field") + 19;
    html[start..start + 64].to_owned()
}

#[test]
fn sessions_need_csrf_and_editors_cannot_manage_users_or_tokens() {
    let s = setup();
    let server = Server::start_in(s.dir.path(), &[]);
    let mut editor = Browser::login(&server, "editor@a.se");
    for path in ["members", "tokens", "audit", "audit.csv"] {
        let response = editor.get(&format!("/publish/org/{ORG_A}/{path}"));
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
    }
    let invite = editor.form(
        &format!("/publish/org/{ORG_A}/invitations"),
        &[("email", "ny@a.se"), ("role", "admin")],
    );
    assert_eq!(invite.status(), StatusCode::FORBIDDEN);
    let token = editor.form(&format!("/publish/org/{ORG_A}/tokens"), &[("label", "x")]);
    assert_eq!(token.status(), StatusCode::FORBIDDEN);
    // A form without the CSRF token is refused, even with a valid session.
    editor.csrf = "0".repeat(64);
    let forged = editor.form(
        "/publish/records/delete",
        &[("iri", "http://katalog.test/x")],
    );
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    // The admin of A manages A, not B.
    let mut admin = Browser::login(&server, "admin@a.se");
    assert_eq!(
        admin.get(&format!("/publish/org/{ORG_A}/members")).status(),
        StatusCode::OK
    );
    assert_eq!(
        admin.get(&format!("/publish/org/{ORG_B}/members")).status(),
        StatusCode::FORBIDDEN
    );
    let created = admin.form(
        &format!("/publish/org/{ORG_A}/tokens"),
        &[("label", "skript")],
    );
    assert_eq!(created.status(), StatusCode::OK);
    let page = created.text().unwrap();
    let start = page.find("kat_").expect("the new token is shown once");
    let token = &page[start..start + 68];
    let body = dataset("fran-webben", ORG_A, "Från webben");
    assert_eq!(
        status_of(put_turtle(&server, "/datasets/fran-webben", token, &body)),
        StatusCode::CREATED
    );
    // An invitation link makes a new editor who can log in.
    let invited = admin.form(
        &format!("/publish/org/{ORG_A}/invitations"),
        &[("email", "ny@a.se"), ("role", "editor")],
    );
    let page = invited.text().unwrap();
    let start = page.find("inv_").expect("an invitation link");
    let link = format!("/invitations/{}", &page[start..start + 68]);
    let link = link.as_str();
    let mut newcomer = Browser::new(&server);
    let form = newcomer.get(link).text().unwrap();
    newcomer.csrf = hidden_csrf(&form);
    let accepted = newcomer.form(link, &[("password", PASSWORD)]);
    assert_eq!(accepted.status(), StatusCode::SEE_OTHER);
    assert_eq!(newcomer.get("/publish").status(), StatusCode::OK);
    let reused = Browser::new(&server).get(link);
    assert_eq!(
        reused.status(),
        StatusCode::NOT_FOUND,
        "an invitation works once"
    );
}

#[test]
fn logins_are_throttled_and_sessions_publish_with_the_csrf_header() {
    let s = setup();
    let server = Server::start_in(s.dir.path(), &[]);
    let mut browser = Browser::new(&server);
    for _ in 0..5 {
        let wrong = browser.form(
            "/login",
            &[("email", "editor@a.se"), ("password", "fel lösenord!")],
        );
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    }
    let locked = browser.form(
        "/login",
        &[("email", "editor@a.se"), ("password", PASSWORD)],
    );
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.headers().contains_key("retry-after"));
    // The admin logs in from another account and publishes through the API with the session.
    let mut admin = Browser::login(&server, "admin@a.se");
    let body = dataset("via-session", ORG_A, "Via session");
    let without = admin.send(
        admin
            .client
            .put(server.url("/datasets/via-session"))
            .header("content-type", "text/turtle")
            .body(body.clone()),
    );
    assert_eq!(without.status(), StatusCode::FORBIDDEN, "no CSRF header");
    let csrf = admin.csrf.clone();
    let with = admin.send(
        admin
            .client
            .put(server.url("/datasets/via-session"))
            .header("content-type", "text/turtle")
            .header("x-csrf-token", csrf)
            .body(body),
    );
    assert_eq!(with.status(), StatusCode::CREATED);
}

#[test]
fn accounts_never_reach_the_public_store() {
    let s = setup();
    let server = Server::start_in(s.dir.path(), &[]);
    let body = dataset("offentlig", ORG_A, "Offentlig");
    assert_eq!(
        status_of(put_turtle(
            &server,
            "/datasets/offentlig",
            &s.token_a,
            &body
        )),
        StatusCode::CREATED
    );
    let query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o FILTER(CONTAINS(STR(?o), \"admin@a.se\") || CONTAINS(STR(?o), \"argon2\") || CONTAINS(STR(?o), \"kat_\")) } }";
    let url = url::Url::parse_with_params(&server.url("/sparql"), [("query", query)]).unwrap();
    let answer = crate::common::client()
        .build()
        .unwrap()
        .get(url)
        .header("accept", "application/sparql-results+json")
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(answer.contains("\"value\":\"0\""), "{answer}");
    let dump = server.get("/datasets/dcat").send().unwrap().text().unwrap();
    assert!(dump.contains("Offentlig"));
    for secret in ["admin@a.se", "argon2", &s.token_a] {
        assert!(!dump.contains(secret));
    }
}

/// A server with organisation A, its admin, and a token, on its own address (so links and
/// redirects in pages resolve for an outside client).
fn outside_client_setup() -> (Setup, Server) {
    let s = setup();
    let server = Server::start_on_own_address(s.dir.path(), &[]);
    (s, server)
}

fn run_python(script: &str, args: &[&str]) {
    let Some(python) = crate::python_clients::python() else {
        return;
    };
    let output = Command::new(python)
        .arg(crate::common::root().join("tests/python").join(script))
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{script}:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    eprintln!("{}", String::from_utf8_lossy(&output.stdout));
}

/// Headless Debian Chromium through Selenium: log in, save the form without a title, see the
/// error beside the title field, fill it in, save, find the dataset in `/catalog`.
#[test]
fn a_publisher_creates_a_dataset_with_the_form_in_chromium() {
    if !Path::new("/usr/bin/chromedriver").exists() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "chromium-driver is missing (scripts/setup.sh installs it)"
        );
        eprintln!("SKIPPED: /usr/bin/chromedriver is absent; run scripts/setup.sh");
        return;
    }
    let (_s, server) = outside_client_setup();
    let screenshots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&screenshots).unwrap();
    run_python(
        "browser_publish.py",
        &[
            "--base",
            &server.addr,
            "--email",
            "admin@a.se",
            "--password",
            PASSWORD,
            "--orgnr",
            ORG_A,
            "--screenshots",
            screenshots.to_str().unwrap(),
        ],
    );
    assert!(screenshots.join("02-error.png").exists());
    eprintln!("screenshots in {}", screenshots.display());
}

/// schemathesis against `/api/openapi.json`: no server error, and no response that
/// contradicts the description (status, content type, schema).
#[test]
fn schemathesis_finds_no_contradiction_with_the_openapi_description() {
    let (s, server) = outside_client_setup();
    run_python(
        "run_schemathesis.py",
        &[
            "--base",
            &server.addr,
            "--token",
            &s.token_a,
            "--orgnr",
            ORG_A,
            "--max-examples",
            "25",
        ],
    );
}

/// A body running katalog for itself: its site catalogue names it as publisher, as
/// DCAT-AP-SE requires, before any catalogue description is written.
#[test]
fn the_site_catalogue_takes_the_publisher_of_a_single_organisation() {
    let s = setup();
    let server = Server::start_in(s.dir.path(), &[]);
    let body = dataset("ensam", ORG_A, "Ensam");
    assert_eq!(
        status_of(put_turtle(&server, "/datasets/ensam", &s.token_a, &body)),
        StatusCode::CREATED
    );
    let site = server.get("/catalog.nt").send().unwrap().text().unwrap();
    let expected = format!(
        "<{BASE}catalog> <http://purl.org/dc/terms/publisher> <{}> .",
        publisher(ORG_A)
    );
    assert!(site.contains(&expected), "{site}");
    let other = dataset("annan", ORG_B, "Annan");
    assert_eq!(
        status_of(put_turtle(&server, "/datasets/annan", &s.token_b, &other)),
        StatusCode::CREATED
    );
    let site = server.get("/catalog.nt").send().unwrap().text().unwrap();
    assert!(!site.contains(&format!(
        "<{BASE}catalog> <http://purl.org/dc/terms/publisher>"
    )));
}

#[test]
fn an_organisation_describes_its_own_catalogue() {
    let s = setup();
    let server = Server::start_in(s.dir.path(), &[]);
    let body = dataset("med-katalog", ORG_A, "Med katalog");
    assert_eq!(
        status_of(put_turtle(
            &server,
            "/datasets/med-katalog",
            &s.token_a,
            &body
        )),
        StatusCode::CREATED
    );
    let path = format!("/organisations/{ORG_A}/catalog");
    let catalogue = format!(
        r#"@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dcterms: <http://purl.org/dc/terms/> .
<> a dcat:Catalog ; dcterms:title "Exempelkommuns öppna data"@sv ;
  dcterms:description "Allt Exempelkommun publicerar."@sv ;
  dcterms:publisher <{0}> ;
  dcterms:license <http://creativecommons.org/publicdomain/zero/1.0/> .
<{0}> a <http://xmlns.com/foaf/0.1/Agent> ; <http://xmlns.com/foaf/0.1/name> "Exempelkommun"@sv ;
  dcterms:type <http://purl.org/adms/publishertype/LocalAuthority> .
"#,
        publisher(ORG_A)
    );
    assert_eq!(
        status_of(put_turtle(&server, &path, &s.token_b, &catalogue)),
        StatusCode::FORBIDDEN,
        "another organisation's catalogue"
    );
    let response = put_turtle(&server, &path, &s.token_a, &catalogue);
    let status = response.status();
    assert_eq!(status, StatusCode::CREATED, "{}", response.text().unwrap());
    let feed = server
        .get(&format!("/organisations/{ORG_A}/datasets/dcat"))
        .header("accept", "text/turtle")
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(feed.contains("Exempelkommuns öppna data"), "{feed}");
    assert!(feed.contains("med-katalog"), "the records are still listed");
    let page = server
        .get(&path)
        .header("accept", "text/turtle")
        .send()
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
}

/// The fields a browser would submit from a form page: inputs, textareas and the selected
/// options of each select, HTML entities decoded.
fn form_fields(html: &str) -> Vec<(String, String)> {
    let unescape = |s: &str| {
        s.replace("&quot;", "\"")
            .replace("&#x27;", "'")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&#x2f;", "/")
            .replace("&amp;", "&")
    };
    let mut fields = Vec::new();
    let input = regex::Regex::new(r#"<input ([^>]*)>"#).unwrap();
    let attr = |tag: &str, name: &str| {
        regex::Regex::new(&format!(r#"\b{name}="([^"]*)""#))
            .unwrap()
            .captures(tag)
            .map(|c| unescape(&c[1]))
    };
    for tag in input.captures_iter(html) {
        let tag = &tag[1];
        if matches!(
            attr(tag, "type").as_deref(),
            Some("submit" | "checkbox" | "radio")
        ) {
            continue;
        }
        if let (Some(name), value) = (attr(tag, "name"), attr(tag, "value")) {
            fields.push((name, value.unwrap_or_default()));
        }
    }
    let textarea =
        regex::Regex::new(r#"(?s)<textarea [^>]*name="([^"]+)"[^>]*>(.*?)</textarea>"#).unwrap();
    for c in textarea.captures_iter(html) {
        fields.push((unescape(&c[1]), unescape(&c[2])));
    }
    let select =
        regex::Regex::new(r#"(?s)<select [^>]*name="([^"]+)"[^>]*>(.*?)</select>"#).unwrap();
    let selected = regex::Regex::new(r#"<option value="([^"]*)" selected>"#).unwrap();
    for c in select.captures_iter(html) {
        for option in selected.captures_iter(&c[2]) {
            fields.push((unescape(&c[1]), unescape(&option[1])));
        }
    }
    fields
}

#[test]
fn the_form_editor_saves_a_record_with_a_byte_size_as_published() {
    let s = setup();
    let server = Server::start_in(s.dir.path(), &[]);
    let size = "\"1037\"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger>";
    let body = format!(
        "{}<{BASE}datasets/storlek> dcat:distribution <{BASE}datasets/storlek/csv> .\n\
         <{BASE}datasets/storlek/csv> a dcat:Distribution ; dcat:accessURL <https://exempel.se/data.csv> ;\n\
           dcterms:title \"CSV\"@sv ; dcterms:format \"text/csv\" ;\n\
           dcterms:license <http://creativecommons.org/publicdomain/zero/1.0/> ; dcat:byteSize {size} .\n",
        dataset("storlek", ORG_A, "Storlek")
    );
    let created = put_turtle(&server, "/datasets/storlek", &s.token_a, &body);
    let status = created.status();
    assert_eq!(status, StatusCode::CREATED, "{}", created.text().unwrap());
    let mut editor = Browser::login(&server, "editor@a.se");
    let page = editor.get("/publish/datasets/storlek/edit");
    assert_eq!(page.status(), StatusCode::OK);
    let mut fields = form_fields(&page.text().unwrap());
    fields.retain(|(name, _)| name != "csrf");
    for (name, value) in fields.iter_mut() {
        if name == "title@sv" {
            *value = "Storlek, ändrad".to_owned();
        }
    }
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let saved = editor.form("/publish/datasets/storlek/edit", &pairs);
    let status = saved.status();
    assert!(
        status == StatusCode::SEE_OTHER || status == StatusCode::OK,
        "save: {status} {}",
        saved.text().unwrap_or_default()
    );
    let stored = server
        .get("/datasets/storlek")
        .header("accept", "application/n-triples")
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        stored.contains("Storlek, ändrad"),
        "the edit was saved: {stored}"
    );
    assert!(
        stored.contains(&format!("<http://www.w3.org/ns/dcat#byteSize> {size}")),
        "the byte size keeps its datatype: {stored}"
    );
}
