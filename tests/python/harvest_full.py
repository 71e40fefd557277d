"""dataportal.se-style harvest with rdflib: GET BASE/datasets/dcat (RDF/XML, unpaged), check that
it holds every triple of every dataset in the generated catalogue, and that one sub-catalogue per
organisation is reachable through dcterms:hasPart. Usage: harvest_full.py ADDRESS BASE GENERATED.ttl
(BASE is the base URI the catalogue's IRIs were minted under; links are followed on ADDRESS)."""
import sys
import urllib.request

import rdflib
from rdflib.namespace import DCAT, DCTERMS, RDF


def fetch(url):
    request = urllib.request.Request(url, headers={"Accept": "application/rdf+xml"})
    with urllib.request.urlopen(request) as response:
        assert response.headers["Content-Type"].startswith("application/rdf+xml")
        return response.read()


def main():
    address, base, generated = sys.argv[1].rstrip("/"), sys.argv[2].rstrip("/"), sys.argv[3]
    served = rdflib.Graph().parse(data=fetch(f"{address}/datasets/dcat"), format="xml")
    loaded = rdflib.Graph().parse(generated, format="turtle", publicID=f"{base}/")
    datasets = set(loaded.subjects(RDF.type, DCAT.Dataset))
    assert set(served.subjects(RDF.type, DCAT.Dataset)) == datasets, "datasets differ"
    missing = [t for t in loaded if t not in served]
    assert not missing, f"{len(missing)} loaded triples are not served, e.g. {missing[:3]}"
    parts = list(served.objects(None, DCTERMS.hasPart))
    publishers = set(loaded.objects(None, DCTERMS.publisher))
    assert len(parts) == len(publishers), (len(parts), len(publishers))
    seen = set()
    for part in parts:
        sub = rdflib.Graph().parse(data=fetch(str(part).replace(base, address)), format="xml")
        seen |= set(sub.subjects(RDF.type, DCAT.Dataset))
    assert seen == datasets, "the sub-catalogues do not cover every dataset"
    print(f"{len(datasets)} datasets, {len(served)} triples, {len(parts)} sub-catalogues: ok")


if __name__ == "__main__":
    main()
