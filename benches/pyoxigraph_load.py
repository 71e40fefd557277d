"""Baseline for the harvest benchmark: pyoxigraph's bulk load of a catalogue file into a
fresh on-disk store, and its load in one transaction (median of three each).
Usage: pyoxigraph_load.py FILE.ttl BASE"""
import resource
import statistics
import sys
import tempfile
import time

import pyoxigraph


def timed(load):
    times = []
    for _ in range(3):
        with tempfile.TemporaryDirectory() as path:
            store = pyoxigraph.Store(path)
            started = time.perf_counter()
            load(store)
            store.flush()
            times.append(time.perf_counter() - started)
            del store
    return statistics.median(times)


def main():
    path, base = sys.argv[1], sys.argv[2]

    def bulk(store):
        store.bulk_load(path=path, format=pyoxigraph.RdfFormat.TURTLE, base_iri=base)

    def transaction(store):
        store.load(path=path, format=pyoxigraph.RdfFormat.TURTLE, base_iri=base)

    bulk_s = timed(bulk)
    tx_s = timed(transaction)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  pyoxigraph on-disk store: bulk_load {bulk_s:.2f} s, load {tx_s:.2f} s (peak {peak:.0f} MB)")


if __name__ == "__main__":
    main()
