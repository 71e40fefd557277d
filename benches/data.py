"""The open data API beside Datasette. A CSV file of --rows rows (default 1 000 000) is
uploaded to a katalog server (time of the upload, which streams the file to disk and loads it
into its SQLite table, and the server's peak resident memory over its idle memory); then the
same filtered, sorted and faceted queries are sent, one at a time over loopback, to katalog's
/data/ and to Datasette (PyPI, made into its own venv) serving the very SQLite file katalog
made: p50 and p99 of each, of --requests requests (default 200).

    python3 benches/data.py ~/.cache/katalog-target/release/katalog [--rows N] [--requests N]
"""
import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

from memory import kib

DATASETTE = "datasette==0.65.5"
VENV = os.path.expanduser("~/.cache/katalog-bench-datasette")
ORG = "2120009994"
PUBLISHER = f"http://dataportal.se/organisation/SE{ORG}"
COUNTIES = ["Stockholm", "Uppsala", "Södermanland", "Östergötland", "Jönköping", "Kronoberg",
            "Kalmar", "Gotland", "Blekinge", "Skåne", "Halland", "Västra Götaland", "Värmland",
            "Örebro", "Västmanland", "Dalarna", "Gävleborg", "Västernorrland", "Jämtland",
            "Västerbotten", "Norrbotten"]
# (name, query string): the same parameters mean the same thing to both.
QUERIES = [
    ("filter", "lan=Sk%C3%A5ne&_size=100"),
    ("range", "invanare__gt=95000&_size=100"),
    ("sort", "_sort_desc=invanare&_size=100"),
    ("facet", "lan__in=Uppsala,Halland&_facet=lan&_size=10"),
    ("search", "_search=Kommun+12345&_size=10"),
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url):
    for _ in range(600):
        try:
            with urllib.request.urlopen(url) as r:
                r.read()
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer")


def write_csv(path, rows):
    rng = random.Random(7)
    with open(path, "w", encoding="utf-8") as f:
        f.write("id,namn,lan,invanare,andel,datum\n")
        for i in range(rows):
            f.write(f"{i},Kommun {i},{rng.choice(COUNTIES)},{rng.randrange(100000)},"
                    f"{rng.random():.4f},2026-{1 + i % 12:02}-{1 + i % 28:02}\n")


def katalog(binary, data, *args):
    return subprocess.run([binary, *args, "--data", data], check=True, capture_output=True,
                          text=True).stdout.strip()


def request(url, data=None, method="GET", headers=None):
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    with urllib.request.urlopen(req, timeout=600) as r:
        return r.status, r.read()


def latencies(url, requests):
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        status, _ = request(url)
        times.append(time.perf_counter() - started)
        assert status == 200, (url, status)
    times.sort()
    return statistics.median(times), times[int(round((len(times) - 1) * 0.99))]


def datasette_python():
    python = os.path.join(VENV, "bin", "python")
    if not os.path.exists(python):
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
        subprocess.run([python, "-m", "pip", "install", "-q", DATASETTE], check=True)
    return python


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        data = os.path.join(work, "data")
        csv = os.path.join(work, "kommuner.csv")
        write_csv(csv, args.rows)
        size = os.path.getsize(csv)
        katalog(args.binary, data, "org", "add", "--orgnr", ORG, "--name", "Bench")
        token = katalog(args.binary, data, "token", "create", "--org", ORG)
        port = free_port()
        server = subprocess.Popen(
            [args.binary, "serve", "--addr", f"127.0.0.1:{port}", "--data", data,
             "--rate-limit", "0", "--base-uri", f"http://127.0.0.1:{port}/"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env={**os.environ, "RUST_LOG": "katalog=warn"})
        base = f"http://127.0.0.1:{port}"
        datasette = None
        try:
            wait_for(base + "/health")
            time.sleep(0.5)
            auth = {"Authorization": "Bearer " + token}
            dataset = f"""@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dcterms: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> . @prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
<{base}/datasets/kommuner> a dcat:Dataset ; dcterms:title "Kommuner"@sv ;
  dcterms:description "En miljon rader."@sv ;
  dcterms:publisher <{PUBLISHER}> ; dcat:contactPoint <{base}/datasets/kommuner#kontakt> .
<{base}/datasets/kommuner#kontakt> a vcard:Organization ; vcard:fn "Kundtjänst" ;
  vcard:hasEmail <mailto:info@exempel.se> .
<{PUBLISHER}> a foaf:Agent ; foaf:name "Bänk"@sv ;
  dcterms:type <http://purl.org/adms/publishertype/LocalAuthority> ."""
            request(base + "/datasets/kommuner", dataset.encode(), "PUT",
                    {**auth, "Content-Type": "text/turtle"})
            idle = kib(server.pid, "VmRSS")
            with open(csv, "rb") as body:
                started = time.perf_counter()
                status, _ = request(base + "/datasets/kommuner/distributions/csv/file", body,
                                    "PUT", {**auth, "Content-Type": "text/csv",
                                            "Content-Length": str(size)})
                took = time.perf_counter() - started
            peak = kib(server.pid, "VmHWM")
            assert status in (200, 201), status
            print(f"machine: {os.cpu_count()} cores; {args.rows} rows, {size / 1e6:.1f} MB of CSV")
            print(f"upload and load: {took:.1f} s, peak memory +{(peak - idle) / 1024:.0f} MB")
            tables = os.path.join(data, "hosted", "tables")
            table = next(os.path.join(tables, f) for f in os.listdir(tables) if f.endswith(".sqlite"))
            dport = free_port()
            datasette = subprocess.Popen(
                [datasette_python(), "-m", "datasette", "serve", "-i", table, "-p", str(dport),
                 "--setting", "suggest_facets", "off", "--setting", "sql_time_limit_ms", "5000",
                 "--setting", "max_returned_rows", "1000"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            dbase = f"http://127.0.0.1:{dport}"
            name = os.path.splitext(os.path.basename(table))[0]
            wait_for(dbase + "/-/versions.json")
            print(f"{'query':8} {'katalog p50':>12} {'p99':>8} {'Datasette p50':>14} {'p99':>8}  ms")
            for label, query in QUERIES:
                ours = latencies(f"{base}/data/kommuner/csv.json?{query}", args.requests)
                theirs = latencies(f"{dbase}/{name}/data.json?{query}", args.requests)
                print(f"{label:8} {ours[0] * 1e3:12.1f} {ours[1] * 1e3:8.1f} "
                      f"{theirs[0] * 1e3:14.1f} {theirs[1] * 1e3:8.1f}")
        finally:
            for process in [server, datasette]:
                if process is not None:
                    process.terminate()
                    process.wait()


if __name__ == "__main__":
    main()
