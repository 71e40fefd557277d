"""Validates RDF data against SHACL shapes with pyshacl (no inference), for the EU DCAT-AP export test.

Usage: eu_validate.py SHAPES... -- DATA...

All SHAPES files form one shapes graph and all DATA files one data graph (syntax from the file
extension: .ttl, .nt, .rdf, .jsonld ...). Prints "violations: N" and "warnings: N", then one line per
violation (focus node, path, constraint component, value, message), and exits 1 when there is any
sh:Violation, 0 otherwise. Exit status 2 means bad usage.
"""

import sys

import pyshacl
from rdflib import Graph, Namespace
from rdflib.namespace import RDF
from rdflib.util import guess_format

SH = Namespace("http://www.w3.org/ns/shacl#")


def split_args(args):
    if "--" not in args:
        return None, None
    cut = args.index("--")
    return args[:cut], args[cut + 1 :]


def read(paths):
    graph = Graph()
    for path in paths:
        graph.parse(path, format=guess_format(path) or "turtle")
    return graph


def results(report, severity):
    """Top-level results only: pyshacl also puts the nested results of sh:node etc. (sh:detail) in the graph."""
    top = [r for node in report.subjects(RDF.type, SH.ValidationReport) for r in report.objects(node, SH.result)]
    return [r for r in top if (r, SH.resultSeverity, severity) in report]


def describe(report, result):
    def value(p):
        v = report.value(result, p)
        return "" if v is None else v.n3()

    return " | ".join(
        [value(SH.focusNode), value(SH.resultPath), value(SH.sourceConstraintComponent), value(SH.value), value(SH.resultMessage)]
    )


def main(args):
    shapes, data = split_args(args)
    if not shapes or not data:
        print(__doc__, file=sys.stderr)
        return 2
    _conforms, report, _text = pyshacl.validate(
        read(data),
        shacl_graph=read(shapes),
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
    )
    violations = results(report, SH.Violation)
    print(f"violations: {len(violations)}")
    print(f"warnings: {len(results(report, SH.Warning))}")
    for line in sorted(describe(report, r) for r in violations):
        print(line)
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
