"""CKAN's client library, ckanapi, reads a hosted table through katalog's datastore_search,
as it would read a CKAN site's. Usage: ckan_datastore.py BASE_URL RESOURCE_ID."""
import sys

import ckanapi


def main():
    base, resource = sys.argv[1].rstrip("/"), sys.argv[2]
    site = ckanapi.RemoteCKAN(base, user_agent="katalog-test")
    # ckanapi POSTs the parameters as JSON.
    first = site.action.datastore_search(resource_id=resource, limit=5)
    assert first["total"] == 290, first["total"]
    assert [f["id"] for f in first["fields"]][:3] == ["_id", "kod", "namn"], first["fields"]
    assert len(first["records"]) == 5
    assert first["records"][0]["_id"] == 1 and first["records"][0]["kod"] == "0100"

    skane = site.action.datastore_search(
        resource_id=resource, filters={"län": "Skåne"}, limit=100, offset=50,
        fields=["namn", "invånare"], sort="invånare desc")
    assert skane["total"] == 58, skane["total"]
    assert len(skane["records"]) == 8
    values = [r["invånare"] for r in skane["records"]]
    assert values == sorted(values, reverse=True), values
    assert set(skane["records"][0]) == {"_id", "namn", "invånare"}, skane["records"][0]

    both = site.action.datastore_search(
        resource_id=resource, filters={"län": ["Skåne", "Uppsala"]}, q="Kommun", limit=1)
    assert both["total"] == 116, both["total"]

    try:
        site.action.datastore_search(resource_id="kommuner/saknas")
        raise AssertionError("a missing resource was found")
    except ckanapi.NotFound:
        pass
    try:
        site.action.datastore_search(resource_id=resource, filters={"nope": 1})
        raise AssertionError("an unknown column was taken")
    except ckanapi.ValidationError:
        pass
    print("ok")


if __name__ == "__main__":
    main()
