"""Checks katalog's answers against its own OpenAPI description (/api/openapi.json) with
Schemathesis, in two parts:

1. generated requests: the Schemathesis CLI (examples, coverage and fuzzing phases; no stateful
   phase), at most --max-examples cases per operation;
2. realistic requests: hand-written requests that reach what random data cannot (valid records
   created, replaced and deleted, SHACL refusals, conditional requests, content negotiation,
   SPARQL queries), each answer judged by the same Schemathesis checks.

Checks: not_a_server_error, status_code_conformance, content_type_conformance,
response_schema_conformance, response_headers_conformance. The writes of part 2 need the
organisation the token belongs to (--orgnr); without it part 2 only reads.

Usage: run_schemathesis.py --base URL --token T [--orgnr N] [--max-examples N] [--seed S]
       [--workers N] [--skip-generated] [--skip-realistic]
Exits 0 when no check failed, 1 when one did, 2 when Schemathesis could not run."""
import argparse
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request

CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
]
# Generous: the generated part takes about 10 s for 25 examples on two cores.
CLI_TIMEOUT_SECONDS = 600


def run_generated(base, token, max_examples, seed, workers):
    """Part 1: the Schemathesis CLI. Returns (ok, summary lines)."""
    report_dir = tempfile.mkdtemp(prefix="katalog-schemathesis-")
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", f"{base}/api/openapi.json",
        "--url", base,
        "--header", f"Authorization: Bearer {token}",
        "--checks", ",".join(CHECKS),
        "--phases", "examples,coverage,fuzzing",
        "--max-examples", str(max_examples),
        "--workers", str(workers),
        "--seed", str(seed),
        "--generation-database", "none",
        "--request-timeout", "60",
        "--no-color",
        "--report", "json",
        "--report-json-path", os.path.join(report_dir, "report.json"),
    ]
    shown = [("Authorization: Bearer ***" if part.startswith("Authorization:") else part) for part in command]
    print("$ " + " ".join(shown), flush=True)
    try:
        # cwd: no schemathesis.toml or .hypothesis folder from wherever the caller stands.
        completed = subprocess.run(command, cwd=report_dir, timeout=CLI_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        shutil.rmtree(report_dir, ignore_errors=True)
        return None, [f"the Schemathesis CLI did not finish in {CLI_TIMEOUT_SECONDS} s"]
    path = os.path.join(report_dir, "report.json")
    if not os.path.exists(path):
        shutil.rmtree(report_dir, ignore_errors=True)
        return None, [f"the Schemathesis CLI exited with {completed.returncode} and wrote no report"]
    with open(path, encoding="utf-8") as f:
        report = json.load(f)
    shutil.rmtree(report_dir, ignore_errors=True)
    cases = report.get("test_cases", {})
    lines = [
        f"{cases.get('generated', 0)} cases generated, {cases.get('with_failures', 0)} with failures, "
        f"{cases.get('unique_failures', 0)} unique failures, {cases.get('errored', 0)} errored; "
        f"{report.get('running_time', 0):.1f} s, exit code {completed.returncode}"
    ]
    for failure in report.get("failures", []):
        lines.append(
            f"FAILURE {failure.get('code')} {failure.get('title')} (x{failure.get('count')}): "
            + ", ".join(failure.get("operations", []))
        )
    for error in report.get("errors", []):
        lines.append(f"ERROR {json.dumps(error, ensure_ascii=False)[:500]}")
    ok = completed.returncode == 0 and not report.get("failures") and not report.get("errors")
    if completed.returncode not in (0, 1):
        return None, lines
    return ok, lines


class Realistic:
    """Part 2: hand-written requests, judged by the Schemathesis checks."""

    def __init__(self, base, token):
        import schemathesis
        from schemathesis.checks import not_a_server_error
        from schemathesis.specs.openapi.checks import (
            content_type_conformance,
            response_headers_conformance,
            response_schema_conformance,
            status_code_conformance,
        )

        # SPARQL protocol bodies go on the wire as they are.
        for media_type in ["application/sparql-query", "application/sparql-update"]:
            try:
                schemathesis.serializer.alias(media_type, "text/plain")
            except ValueError:
                pass
        self.base = base
        self.token = token
        self.schema = schemathesis.openapi.from_url(f"{base}/api/openapi.json")
        self.checks = [
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
            response_headers_conformance,
        ]
        self.count = 0
        self.failures = []
        self.notes = []

    def mask(self, text):
        return text.replace(self.token, "***")

    def request(self, intent, method, path, *, auth=True, headers=None, path_parameters=None,
                query=None, body=None, media_type=None, expect=None):
        """Sends one request through Schemathesis and runs the checks on the answer. `expect` is
        the status the request is meant to reach: when another comes back it is noted (the
        checks still judge the answer)."""
        from schemathesis.core.failures import Failure, FailureGroup

        operation = self.schema[path][method.upper()]
        sent = {"Authorization": f"Bearer {self.token}"} if auth else {}
        sent.update(headers or {})
        kwargs = {"headers": sent, "path_parameters": path_parameters or {}, "query": query or {}}
        if body is not None:
            kwargs["body"] = body
            kwargs["media_type"] = media_type
        case = operation.Case(**kwargs)
        self.count += 1
        url = self.base + path.format(**(path_parameters or {}))
        if query:
            url += "?" + urllib.parse.urlencode(query)
        label = f"{method.upper()} {path}"
        try:
            response = case.call(base_url=self.base, timeout=120)
        except Exception as e:  # the transport: e.g. the connection closed while sending 20 MiB
            self.notes.append(f"{label} [{intent}]: no answer ({type(e).__name__}: {e})")
            print(f"  ?    {label:42} {intent}: no answer ({type(e).__name__})")
            return None
        content_type = response.headers.get("content-type", ["-"])[0]
        try:
            case.validate_response(response, checks=self.checks)
            problems = []
        except FailureGroup as group:
            problems = list(group.exceptions)
        except Failure as failure:
            problems = [failure]
        mark = "FAIL" if problems else "ok"
        print(f"  {mark:4} {label:42} {intent}: {response.status_code} {content_type}")
        if expect is not None and response.status_code != expect:
            self.notes.append(f"{label} [{intent}]: meant to reach {expect}, got {response.status_code}")
        if problems:
            self.failures.append((label, intent, method.upper(), url, sent, body, media_type, response, problems, case))
        return response

    def print_failures(self):
        for label, intent, method, url, headers, body, media_type, response, problems, case in self.failures:
            print(f"\n--- {label} ({intent})")
            shown = {k: ("Bearer ***" if k == "Authorization" else v) for k, v in headers.items()}
            if media_type:
                shown["Content-Type"] = media_type
            print(f"request:  {method} {url}")
            if shown:
                print("          " + "; ".join(f"{k}: {v}" for k, v in shown.items()))
            if body is not None:
                excerpt = body if len(body) < 300 else body[:300] + f"… ({len(body)} characters)"
                print("body:     " + excerpt.replace("\n", "\n          "))
            content_type = response.headers.get("content-type", ["-"])[0]
            text = response.content[:400].decode("utf-8", "replace") if response.content else ""
            print(f"response: {response.status_code} {content_type} {text}")
            for problem in problems:
                message = re.sub(r"\n+", " / ", str(getattr(problem, "message", problem)).strip())
                print(f"failure:  {getattr(problem, 'title', type(problem).__name__)}: {message}")
            try:
                print("curl:     " + self.mask(case.as_curl_command(base_url=self.base)))
            except Exception:
                pass


def uri_space(base):
    """The base of the server's IRIs (void:uriSpace), which may differ from its address."""
    request = urllib.request.Request(f"{base}/.well-known/void", headers={"Accept": "application/n-triples"})
    with urllib.request.urlopen(request, timeout=60) as response:
        text = response.read().decode("utf-8")
    found = re.search(r'<http://rdfs\.org/ns/void#uriSpace> "([^"]+)"', text)
    return found.group(1) if found else base + "/"


def etag(base, path, accept):
    request = urllib.request.Request(base + path, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.headers.get("ETag")


PREFIXES = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
"""


def dataset_turtle(iri, publisher, title="Kontraktstest", with_title=True):
    title_line = f'  dcterms:title "{title}"@sv ;\n' if with_title else ""
    return f"""{PREFIXES}<{iri}> a dcat:Dataset ;
{title_line}  dcterms:description "En datamängd för kontraktstestet av API:t."@sv ;
  dcterms:publisher <{publisher}> ;
  dcat:contactPoint <{iri}#contact> .
<{iri}#contact> a vcard:Organization ; vcard:fn "Kontakt" ; vcard:hasEmail <mailto:kontakt@exempel.example> .
<{publisher}> a foaf:Agent, foaf:Organization ; foaf:name "Organisation"@sv ;
  dcterms:type <http://purl.org/adms/publishertype/LocalAuthority> .
"""


def service_turtle(iri, publisher):
    return f"""{PREFIXES}<{iri}> a dcat:DataService ;
  dcterms:title "Kontraktstesttjänst"@sv ;
  dcterms:description "En datatjänst för kontraktstestet av API:t."@sv ;
  dcat:endpointURL <https://tjanst.exempel.example/api> ;
  dcterms:format "application/json" ;
  dcterms:publisher <{publisher}> ;
  dcat:contactPoint <{iri}#contact> .
<{iri}#contact> a vcard:Organization ; vcard:fn "Kontakt" ; vcard:hasEmail <mailto:kontakt@exempel.example> .
<{publisher}> a foaf:Agent, foaf:Organization ; foaf:name "Organisation"@sv ;
  dcterms:type <http://purl.org/adms/publishertype/LocalAuthority> .
"""


def run_realistic(base, token, orgnr):
    r = Realistic(base, token)
    T = "text/turtle"
    rdf_types = [T, "application/rdf+xml", "application/ld+json", "application/n-triples"]

    print("reads:")
    for accept in rdf_types + ["text/html"]:
        r.request(f"Accept {accept}", "get", "/catalog", headers={"Accept": accept}, expect=200)
    r.request("Accept image/png", "get", "/catalog", headers={"Accept": "image/png"}, expect=406)
    r.request("first page of one", "get", "/catalog", headers={"Accept": T}, query={"page": "1", "pageSize": "1"}, expect=200)
    r.request("page 0", "get", "/catalog", headers={"Accept": T}, query={"page": "0"}, expect=400)
    r.request("page past the last", "get", "/catalog", headers={"Accept": T}, query={"page": "999999"})
    r.request("modified_since a date", "get", "/catalog", headers={"Accept": T}, query={"modified_since": "2000-01-01"}, expect=200)
    r.request("modified_since nonsense", "get", "/catalog", headers={"Accept": T}, query={"modified_since": "nonsense"}, expect=400)
    r.request("If-None-Match its ETag", "get", "/catalog", headers={"Accept": T, "If-None-Match": etag(base, "/catalog", T) or '"x"'}, expect=304)
    for accept in rdf_types:
        r.request(f"Accept {accept}", "get", "/datasets/dcat", headers={"Accept": accept}, expect=200)
    r.request("Accept image/png", "get", "/datasets/dcat", headers={"Accept": "image/png"}, expect=406)
    r.request("profile=dcat-ap", "get", "/datasets/dcat", query={"profile": "dcat-ap"}, expect=200)
    r.request("If-None-Match its ETag", "get", "/datasets/dcat",
              headers={"Accept": "application/rdf+xml", "If-None-Match": etag(base, "/datasets/dcat", "application/rdf+xml") or '"x"'}, expect=304)
    if orgnr:
        for accept in rdf_types:
            r.request(f"own organisation, Accept {accept}", "get", "/organisations/{key}/datasets/dcat",
                      path_parameters={"key": orgnr}, headers={"Accept": accept}, expect=200)
        r.request("own organisation, profile=dcat-ap", "get", "/organisations/{key}/datasets/dcat",
                  path_parameters={"key": orgnr}, query={"profile": "dcat-ap"}, expect=200)
    r.request("unknown organisation", "get", "/organisations/{key}/datasets/dcat", path_parameters={"key": "0000000000"}, expect=404)
    for accept in [T, "application/ld+json", "image/png"]:
        r.request(f"Accept {accept}", "get", "/.well-known/void", headers={"Accept": accept}, expect=406 if accept == "image/png" else 200)
    for accept in ["application/trig", "application/n-quads", T]:
        r.request(f"Accept {accept}", "get", "/ldes", headers={"Accept": accept}, expect=406 if accept == T else 200)
    r.request("page 1", "get", "/ldes", query={"page": 1}, expect=200)
    r.request("page past the last", "get", "/ldes", query={"page": 999999}, expect=404)
    r.request("page abc", "get", "/ldes", query={"page": "abc"}, expect=400)
    r.request("If-None-Match its ETag", "get", "/ldes",
              headers={"Accept": "application/trig", "If-None-Match": etag(base, "/ldes", "application/trig") or '"x"'}, expect=304)
    r.request("the description itself", "get", "/api/openapi.json", expect=200)

    print("sparql:")
    select = "SELECT * WHERE { ?s ?p ?o } LIMIT 3"
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3"
    r.request("service description", "get", "/sparql", headers={"Accept": T}, expect=200)
    for accept in ["application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values"]:
        r.request(f"SELECT, Accept {accept}", "get", "/sparql", query={"query": select}, headers={"Accept": accept}, expect=200)
    r.request("ASK", "get", "/sparql", query={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": "application/sparql-results+json"}, expect=200)
    for accept in rdf_types:
        r.request(f"CONSTRUCT, Accept {accept}", "get", "/sparql", query={"query": construct}, headers={"Accept": accept}, expect=200)
    r.request("SELECT, Accept image/png", "get", "/sparql", query={"query": select}, headers={"Accept": "image/png"}, expect=406)
    r.request("syntax error", "get", "/sparql", query={"query": "SELEC nonsense"}, expect=400)
    r.request("query by form POST", "post", "/sparql", body=urllib.parse.urlencode({"query": select}),
              media_type="application/x-www-form-urlencoded", headers={"Accept": "application/sparql-results+json"}, expect=200)
    r.request("query as direct POST body", "post", "/sparql", body=select, media_type="application/sparql-query",
              headers={"Accept": "application/sparql-results+json"}, expect=200)
    r.request("update by form POST", "post", "/sparql", body=urllib.parse.urlencode({"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}),
              media_type="application/x-www-form-urlencoded", expect=403)
    r.request("update as direct POST body", "post", "/sparql", body="INSERT DATA { <urn:a> <urn:b> <urn:c> }",
              media_type="application/sparql-update", expect=403)
    r.request("POST without a body", "post", "/sparql", query={"query": select}, expect=415)

    if not orgnr:
        print("writes: skipped (no --orgnr)")
        return r
    space = uri_space(base)
    publisher = f"http://dataportal.se/organisation/SE{orgnr}"
    other = "http://dataportal.se/organisation/SE5560000000"
    run = secrets.token_hex(3)
    ds = lambda slug: f"{space}datasets/{slug}"  # noqa: E731
    svc = lambda slug: f"{space}dataservices/{slug}"  # noqa: E731

    print(f"writes (records under {space}, run {run}):")
    r.request("a valid record, Accept JSON", "post", "/validate", body=dataset_turtle(ds(f"v-{run}"), publisher), media_type=T,
              headers={"Accept": "application/json"}, expect=200)
    r.request("a valid record, Accept Turtle", "post", "/validate", body=dataset_turtle(ds(f"v-{run}"), publisher), media_type=T,
              headers={"Accept": T}, expect=200)
    r.request("a violation, Accept JSON", "post", "/validate", body=dataset_turtle(ds(f"v-{run}"), publisher, with_title=False),
              media_type=T, headers={"Accept": "application/json"}, expect=200)
    r.request("malformed Turtle", "post", "/validate", body="<a> <b> .", media_type=T, expect=400)

    created = f"c-{run}"
    r.request("create", "post", "/datasets", body=dataset_turtle(ds(created), publisher), media_type=T, expect=201)
    r.request("the same again (nothing new)", "post", "/datasets", body=dataset_turtle(ds(created), publisher), media_type=T, expect=200)
    r.request("changed", "post", "/datasets", body=dataset_turtle(ds(created), publisher, title="Ändrad"), media_type=T, expect=200)
    r.request("a violation, Accept JSON", "post", "/datasets", body=dataset_turtle(ds(f"bad-{run}"), publisher, with_title=False),
              media_type=T, headers={"Accept": "application/json"}, expect=422)
    r.request("a violation, Accept Turtle", "post", "/datasets", body=dataset_turtle(ds(f"bad-{run}"), publisher, with_title=False),
              media_type=T, headers={"Accept": T}, expect=422)
    r.request("malformed Turtle", "post", "/datasets", body="<a> <b> .", media_type=T, expect=400)
    r.request("no record in the body", "post", "/datasets", body="<urn:a> <urn:b> <urn:c> .", media_type=T, expect=400)
    r.request("another organisation as publisher", "post", "/datasets", body=dataset_turtle(ds(f"o-{run}"), other), media_type=T, expect=403)
    r.request("no token", "post", "/datasets", auth=False, body=dataset_turtle(ds(f"n-{run}"), publisher), media_type=T, expect=401)
    r.request("an unknown token", "post", "/datasets", headers={"Authorization": "Bearer kat_unknown"},
              body=dataset_turtle(ds(f"n-{run}"), publisher), media_type=T, expect=401)
    r.request("text/plain body", "post", "/datasets", body="hello", media_type="text/plain", expect=415)
    r.request("a body over 20 MiB", "post", "/datasets", body="#" * (20 * 1024 * 1024 + 1), media_type=T, expect=413)

    replaced = f"r-{run}"
    r.request("create by PUT", "put", "/datasets/{id}", path_parameters={"id": replaced},
              body=dataset_turtle(ds(replaced), publisher), media_type=T, expect=201)
    r.request("replace, unchanged", "put", "/datasets/{id}", path_parameters={"id": replaced},
              body=dataset_turtle(ds(replaced), publisher), media_type=T, expect=200)
    r.request("replace, changed", "put", "/datasets/{id}", path_parameters={"id": replaced},
              body=dataset_turtle(ds(replaced), publisher, title="Ersatt"), media_type=T, expect=200)
    r.request("If-None-Match * on an existing record", "put", "/datasets/{id}", path_parameters={"id": replaced},
              headers={"If-None-Match": "*"}, body=dataset_turtle(ds(replaced), publisher), media_type=T, expect=412)
    r.request("a stale If-Match", "put", "/datasets/{id}", path_parameters={"id": replaced},
              headers={"If-Match": '"stale"'}, body=dataset_turtle(ds(replaced), publisher), media_type=T, expect=412)
    r.request("a body about another record", "put", "/datasets/{id}", path_parameters={"id": replaced},
              body=dataset_turtle(ds(f"x-{run}"), publisher), media_type=T, expect=400)
    r.request("a violation", "put", "/datasets/{id}", path_parameters={"id": replaced},
              body=dataset_turtle(ds(replaced), publisher, with_title=False), media_type=T,
              headers={"Accept": "application/json"}, expect=422)
    r.request("another organisation as publisher", "put", "/datasets/{id}", path_parameters={"id": f"o-{run}"},
              body=dataset_turtle(ds(f"o-{run}"), other), media_type=T, expect=403)
    r.request("no token", "put", "/datasets/{id}", path_parameters={"id": replaced}, auth=False,
              body=dataset_turtle(ds(replaced), publisher), media_type=T, expect=401)
    r.request("a stale If-Match", "delete", "/datasets/{id}", path_parameters={"id": replaced}, headers={"If-Match": '"stale"'}, expect=412)
    r.request("no token", "delete", "/datasets/{id}", path_parameters={"id": replaced}, auth=False, expect=401)
    r.request("delete", "delete", "/datasets/{id}", path_parameters={"id": replaced}, expect=204)
    r.request("delete again", "delete", "/datasets/{id}", path_parameters={"id": replaced}, expect=404)
    r.request("delete what never was", "delete", "/datasets/{id}", path_parameters={"id": f"never-{run}"}, expect=404)

    service = f"s-{run}"
    r.request("create", "post", "/dataservices", body=service_turtle(svc(service), publisher), media_type=T, expect=201)
    r.request("replace, changed", "put", "/dataservices/{id}", path_parameters={"id": service},
              body=service_turtle(svc(service), publisher).replace("Kontraktstesttjänst", "Ersatt tjänst"), media_type=T, expect=200)
    r.request("create by PUT", "put", "/dataservices/{id}", path_parameters={"id": f"{service}-2"},
              body=service_turtle(svc(f"{service}-2"), publisher), media_type=T, expect=201)
    r.request("delete", "delete", "/dataservices/{id}", path_parameters={"id": service}, expect=204)
    r.request("delete again", "delete", "/dataservices/{id}", path_parameters={"id": service}, expect=404)

    r.request("an organisation's token", "put", "/catalog", body=f"{PREFIXES}<> a dcat:Catalog .", media_type=T, expect=403)
    r.request("no token", "put", "/catalog", auth=False, body=f"{PREFIXES}<> a dcat:Catalog .", media_type=T, expect=401)
    return r


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the server, e.g. http://127.0.0.1:8123")
    parser.add_argument("--token", required=True, help="an organisation's API token")
    parser.add_argument("--orgnr", help="the token's organisation (for the realistic writes)")
    parser.add_argument("--max-examples", type=int, default=25, help="generated cases per operation")
    parser.add_argument("--seed", type=int, default=20261124, help="seed of the generated part")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-generated", action="store_true")
    parser.add_argument("--skip-realistic", action="store_true")
    args = parser.parse_args()
    base = args.base.rstrip("/")
    failed = broken = False

    if not args.skip_generated:
        print("== 1. generated requests (Schemathesis CLI)", flush=True)
        ok, lines = run_generated(base, args.token, args.max_examples, args.seed, args.workers)
        print("\n== generated requests: summary")
        for line in lines:
            print(line)
        broken |= ok is None
        failed |= ok is False

    if not args.skip_realistic:
        print("\n== 2. realistic requests (Schemathesis checks)", flush=True)
        try:
            realistic = run_realistic(base, args.token, args.orgnr)
        except Exception as e:
            print(f"ERROR: the realistic requests could not run: {type(e).__name__}: {e}")
            broken = True
        else:
            print(f"\n== realistic requests: {realistic.count} sent, {len(realistic.failures)} failed the checks")
            realistic.print_failures()
            if realistic.notes:
                print("\nnotes (answers other than the one the request was meant to reach; not failures):")
                for note in realistic.notes:
                    print(f"  {note}")
            failed |= bool(realistic.failures)

    if broken:
        print("\nSCHEMATHESIS COULD NOT RUN")
        return 2
    if failed:
        print("\nFAILED: the answers do not match /api/openapi.json")
        return 1
    print("\nok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
