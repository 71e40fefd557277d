"""Baseline for the feed benchmark: load a catalogue into pyoxigraph (in memory) and serialise
all of it as RDF/XML, the raw dump katalog's /datasets/dcat is compared with.
Usage: pyoxigraph_dump.py FILE.ttl BASE"""
import resource
import statistics
import sys
import tempfile
import time

import pyoxigraph


def main():
    path, base = sys.argv[1], sys.argv[2]
    store = pyoxigraph.Store()
    with open(path, "rb") as f:
        store.load(f, format=pyoxigraph.RdfFormat.TURTLE, base_iri=base)
    graph = store.quads_for_pattern(None, None, None, None)
    triples = [pyoxigraph.Triple(q.subject, q.predicate, q.object) for q in graph]
    times = []
    for _ in range(3):
        started = time.perf_counter()
        data = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.RDF_XML)
        times.append(time.perf_counter() - started)
    dumps = []
    for _ in range(3):
        started = time.perf_counter()
        store.dump(format=pyoxigraph.RdfFormat.RDF_XML, from_graph=pyoxigraph.DefaultGraph())
        dumps.append(time.perf_counter() - started)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"baseline pyoxigraph serialize RDF/XML ({len(triples)} triples, {len(data) // 1_000_000} MB): "
          f"median {statistics.median(times):.3f} s; pyoxigraph Store.dump RDF/XML (in-memory store): "
          f"median {statistics.median(dumps):.3f} s; peak RSS {peak:.0f} MB")
    del store, graph, triples, data
    print(f"baseline pyoxigraph Store.dump RDF/XML from an on-disk (RocksDB) store: "
          f"median {on_disk_dump(path, base):.3f} s")


def on_disk_dump(path, base):
    """The same dump from a RocksDB store, as katalog reads: every term decoded from disk."""
    with tempfile.TemporaryDirectory() as directory:
        store = pyoxigraph.Store(directory)
        with open(path, "rb") as f:
            store.bulk_load(f, format=pyoxigraph.RdfFormat.TURTLE, base_iri=base)
        store.optimize()
        times = []
        for _ in range(3):
            started = time.perf_counter()
            store.dump(format=pyoxigraph.RdfFormat.RDF_XML, from_graph=pyoxigraph.DefaultGraph())
            times.append(time.perf_counter() - started)
        return statistics.median(times)


if __name__ == "__main__":
    main()
