"""Outside clients against a running katalog: rdflib reads every feed syntax, SPARQLWrapper
queries the endpoint. Usage: clients.py BASE_URL EXPECTED_DATASETS. Exits non-zero on failure."""
import sys
import urllib.request

import rdflib
from rdflib.namespace import DCAT, RDF
from SPARQLWrapper import JSON, SPARQLWrapper

HYDRA = rdflib.Namespace("http://www.w3.org/ns/hydra/core#")


def fetch(url, accept):
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request) as response:
        return response.read(), response.headers["Content-Type"]


def harvest(base, accept, rdflib_format, page_size):
    """Follows hydra:next through the catalogue, as a harvester would."""
    graph = rdflib.Graph()
    url, pages = f"{base}/catalog?pageSize={page_size}", 0
    while url:
        body, content_type = fetch(url, accept)
        assert content_type.startswith(accept), (accept, content_type)
        page = rdflib.Graph().parse(data=body, format=rdflib_format)
        graph += page
        pages += 1
        nexts = list(page.objects(None, HYDRA.next))
        # Page links use the server's base URI; follow them on the address under test.
        url = str(nexts[0]).replace("http://katalog.test", base) if nexts else None
    return graph, pages


def main():
    base, expected = sys.argv[1].rstrip("/"), int(sys.argv[2])
    for accept, fmt in [
        ("text/turtle", "turtle"),
        ("application/rdf+xml", "xml"),
        ("application/ld+json", "json-ld"),
        ("application/n-triples", "nt"),
    ]:
        graph, pages = harvest(base, accept, fmt, 7)
        datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
        assert len(datasets) == expected, (accept, len(datasets))
        print(f"rdflib {fmt}: {len(graph)} triples, {len(datasets)} datasets in {pages} pages")

    body, _ = fetch(f"{base}/datasets/dcat", "application/rdf+xml")
    full = rdflib.Graph().parse(data=body, format="xml")
    assert len(set(full.subjects(RDF.type, DCAT.Dataset))) == expected

    sparql = SPARQLWrapper(f"{base}/sparql")
    sparql.setQuery(
        """PREFIX dcat: <http://www.w3.org/ns/dcat#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?d ?title WHERE { ?d a dcat:Dataset ; dcterms:title ?title FILTER(lang(?title) = "sv") }"""
    )
    sparql.setReturnFormat(JSON)
    rows = sparql.query().convert()["results"]["bindings"]
    assert len(rows) == expected, len(rows)
    print(f"SPARQLWrapper: {len(rows)} rows")

    sparql.setQuery("CONSTRUCT { ?d a <http://www.w3.org/ns/dcat#Dataset> } WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> }")
    sparql.setReturnFormat("turtle")
    constructed = rdflib.Graph().parse(data=sparql.query().convert(), format="turtle")
    assert len(constructed) == expected, len(constructed)
    print("ok")


if __name__ == "__main__":
    main()
