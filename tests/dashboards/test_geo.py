"""What the dashboards' map receives: names as text, which the map writes as text.

The map (coverage_map.js) writes names, labels and tips with textContent: they travel as the
workspace holds them, never escaped (escaped, "&" would read "&amp;"). The legend alone is
HTML, its texts escaped once, in Python (territory.viz.labels.html_text).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely

from territory.dashboards import _geo, tiles

HOSTILE = "<img src=x onerror=alert(1)> & « Mission »"


def _catchment() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"ml_code": ["ML99"], "ml_name": [f"Mission Locale {HOSTILE}"]},
                            geometry=[shapely.box(400_000, 6_500_000, 410_000, 6_510_000)],
                            crs=2154)


def test_zone_names_and_labels_reach_the_map_as_text(tmp_path: Path) -> None:
    frame = _catchment()
    written = tiles.build_tiles({"catchments": frame}, tmp_path)
    found = pyogrio.read_dataframe(written.files["catchments"], ZOOM_LEVEL=tiles.MAX_ZOOM)
    assert set(found["n"]) == {f"Mission Locale {HOSTILE}"}
    (label,) = _geo.catchment_names(frame)
    assert label[2] == f"ML {HOSTILE}"


def test_site_tips_are_lines_of_text() -> None:
    sites = gpd.GeoDataFrame({"name": [HOSTILE], "kind": ["antenne"], "ml_code": ["ML99"]},
                             geometry=[shapely.Point(405_000, 6_505_000)], crs=2154)
    found = _geo.site_points(sites, {"ML99": "Mission Locale & Co"})
    assert found["tip"] == [[HOSTILE, "antenne · Mission Locale & Co"]]


def test_outreach_places_are_one_dot_per_place_and_kind() -> None:
    here, there = shapely.Point(405_000, 6_505_000), shapely.Point(406_000, 6_505_000)
    actions = gpd.GeoDataFrame(
        {"kind": ["maraude", "maraude", "permanence", "maraude"],
         "date": ["2020-01-05", "2020-02-05", "2020-01-05", "2020-01-09"]},
        geometry=[here, here, here, there], crs=2154)
    found = _geo.action_points(actions)
    assert set(found) == {"lat", "lon", "colour"}  # no text: the dots take no pointer
    assert len(found["lat"]) == 3
    assert len(set(zip(found["lat"], found["lon"], found["colour"], strict=True))) == 3


def test_the_legend_is_html_with_its_texts_escaped_once() -> None:
    html = _geo.legend_items([("#ffffff", HOSTILE)])
    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; « Mission »" in html
    assert "&amp;amp;" not in html
