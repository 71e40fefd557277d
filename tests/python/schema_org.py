"""The schema.org description embedded in a dataset page, read by rdflib's JSON-LD parser.

Usage: schema_org.py PAGE_URL. The page's `@context` is the schema.org URL, which cannot be
fetched here (no network): it is replaced by the part of schema.org's context the
description relies on (its vocabulary and the properties whose values are IRIs)."""
import json
import re
import sys
import urllib.request

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF

SDO = Namespace("https://schema.org/")
CONTEXT = {
    "@vocab": "https://schema.org/",
    **{k: {"@type": "@id"} for k in ["url", "contentUrl", "license", "documentation"]},
}


def main(url):
    request = urllib.request.Request(url, headers={"Accept": "text/html"})
    page = urllib.request.urlopen(request).read().decode()
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(found) == 1, f"one schema.org description, found {len(found)}"
    doc = json.loads(found[0])
    assert doc["@context"] == "https://schema.org/", doc["@context"]
    doc["@context"] = CONTEXT
    g = Graph().parse(data=json.dumps(doc), format="json-ld")
    dataset = URIRef(doc["@id"])
    assert (dataset, RDF.type, SDO.Dataset) in g
    for prop in ["name", "description", "url", "identifier", "keywords", "license", "creator",
                 "publisher", "spatialCoverage", "temporalCoverage", "distribution",
                 "includedInDataCatalog", "dateModified"]:
        assert g.value(dataset, SDO[prop]) is not None, f"schema:{prop} missing"
    downloads = list(g.objects(dataset, SDO.distribution))
    assert downloads, "no distribution"
    for d in downloads:
        assert (d, RDF.type, SDO.DataDownload) in g
        assert g.value(d, SDO.contentUrl) is not None, "a download without contentUrl"
        assert g.value(d, SDO.encodingFormat) is not None, "a download without encodingFormat"
    catalog = g.value(dataset, SDO.includedInDataCatalog)
    assert (catalog, RDF.type, SDO.DataCatalog) in g
    publisher = g.value(dataset, SDO.publisher)
    assert g.value(publisher, SDO.name) is not None, "the publisher has no name"
    print(f"{len(g)} triples, {len(downloads)} downloads")
    print("ok")


if __name__ == "__main__":
    main(sys.argv[1])
