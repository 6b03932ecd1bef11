"""What the dashboards' map receives: names escaped once, in Python, before any HTML."""

from __future__ import annotations

import json

import geopandas as gpd
import shapely

from territory.dashboards import _geo

HOSTILE = "<img src=x onerror=alert(1)> & « Mission »"


def test_zone_names_reach_the_map_as_text_never_as_markup() -> None:
    frame = gpd.GeoDataFrame({"ml_code": ["ML99"], "ml_name": [HOSTILE]},
                             geometry=[shapely.box(400_000, 6_500_000, 410_000, 6_510_000)],
                             crs=2154)
    found = json.loads(_geo.areas_geojson(frame, "catchments"))
    name = found["features"][0]["properties"]["n"]
    assert "<" not in name and ">" not in name
    assert name == "&lt;img src=x onerror=alert(1)&gt; &amp; « Mission »"
    (label,) = _geo.catchment_names(frame)
    assert "<" not in label[2]
