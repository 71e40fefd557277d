"""pyshacl's verdict on data files against shapes files, as JSON on stdout:
{"conforms": bool, "results": n, "violations": n, "warnings": n, "infos": n}.
Usage: shacl_verdict.py --shapes FILE... --data FILE... [--base IRI]"""
import argparse
import json

import pyshacl
import rdflib
from rdflib.namespace import SH


def load(paths, base=None):
    graph = rdflib.Graph()
    for path in paths:
        graph.parse(path, publicID=base)
    return graph


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--shapes", nargs="+", required=True)
    parser.add_argument("--data", nargs="+", required=True)
    parser.add_argument("--base", default=None)
    args = parser.parse_args()
    conforms, report, _ = pyshacl.validate(
        load(args.data, args.base), shacl_graph=load(args.shapes), inference="none", advanced=True
    )
    severities = [str(s) for s in report.objects(None, SH.resultSeverity)]
    print(json.dumps({
        "conforms": bool(conforms),
        "results": len(severities),
        "violations": severities.count(str(SH.Violation)),
        "warnings": severities.count(str(SH.Warning)),
        "infos": severities.count(str(SH.Info)),
    }))


if __name__ == "__main__":
    main()
