"""Memory per request: the server's peak resident memory while it validates or ingests one
body of N bytes, as a multiple of N (issue: under 10x). Each measurement starts a fresh
server, reads its resident memory once it is idle, sends one body and reads the peak
(VmHWM) afterwards; the figure is (peak - idle) / N, the median of --runs runs.

    python3 benches/memory.py ~/.cache/katalog-target/release/katalog [--runs 3]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

TOKEN = "bench-token"


def kib(pid, field):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(field)


def serve(binary, data):
    child = subprocess.Popen(
        [binary, "serve", "--addr", "127.0.0.1:0", "--data", data, "--admin-token", TOKEN,
         "--rate-limit", "0", "--max-body", str(256 << 20), "--max-triples", "5000000"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "RUST_LOG": "katalog=warn"})
    address = child.stdout.readline().strip().removeprefix("listening on ")
    for _ in range(600):
        try:
            with urllib.request.urlopen(address + "/health") as r:
                if b'"done"' in r.read():
                    break
        except OSError:
            pass
        time.sleep(0.05)
    time.sleep(0.5)
    return child, address


def measure(binary, path, body, content_type):
    with tempfile.TemporaryDirectory() as data:
        child, address = serve(binary, data)
        try:
            idle = kib(child.pid, "VmRSS")
            request = urllib.request.Request(address + path, data=body, method="POST",
                                             headers={"Content-Type": content_type,
                                                      "Authorization": "Bearer " + TOKEN})
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request) as r:
                    # The whole answer: a report is streamed while it is made.
                    r.read()
                    status = r.status
            except urllib.error.HTTPError as e:
                status = e.code
            took = time.perf_counter() - started
            peak = kib(child.pid, "VmHWM")
        finally:
            child.terminate()
            child.wait()
    return status, (peak - idle) * 1024 / len(body), took


def export(binary, turtle, fmt):
    """The same catalogue in another syntax, through a scratch store."""
    with tempfile.TemporaryDirectory() as data:
        with tempfile.NamedTemporaryFile(suffix=".ttl") as f:
            f.write(turtle)
            f.flush()
            subprocess.run([binary, "load", "--data", data, "--no-validation", f.name],
                           check=True, capture_output=True)
        return subprocess.run([binary, "export", "--data", data, "--format", fmt],
                              check=True, capture_output=True).stdout


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--datasets", type=int, default=5000)
    args = parser.parse_args()
    turtle = subprocess.run([args.binary, "generate", "--datasets", str(args.datasets)],
                            check=True, capture_output=True).stdout
    ntriples = export(args.binary, turtle, "ntriples")
    rdfxml = export(args.binary, turtle, "rdfxml")
    short = "".join(f'<a:> <a:> "{i:x}" .\n' for i in range(500_000)).encode()
    bodies = [
        (f"{args.datasets} datasets, Turtle", turtle, "text/turtle"),
        (f"{args.datasets} datasets, N-Triples", ntriples, "application/n-triples"),
        (f"{args.datasets} datasets, RDF/XML", rdfxml, "application/rdf+xml"),
        ("500 000 short triples, N-Triples", short, "application/n-triples"),
    ]
    print(f"machine: {os.cpu_count()} cores; median of {args.runs} runs")
    print(f"{'body':38} {'route':10} {'MB':>6} {'status':>6} {'x N':>6} {'s':>6}")
    for name, body, content_type in bodies:
        for path in ["/validate", "/datasets"]:
            runs = [measure(args.binary, path, body, content_type) for _ in range(args.runs)]
            status = runs[0][0]
            ratio = statistics.median(r[1] for r in runs)
            took = statistics.median(r[2] for r in runs)
            print(f"{name:38} {path:10} {len(body) / 1e6:6.1f} {status:6} {ratio:6.1f} {took:6.2f}")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
