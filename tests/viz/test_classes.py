"""One classification of the indicators: the report, the dashboards and the map colour alike."""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

from territory.analysis import Parameters, indicators, suppress
from territory.io.workspace import Workspace
from territory.viz import workspace_map, write_html
from territory.viz.classes import INDICATORS, NO_VALUE_COLOUR, map_classes

LAYERS = ("communes", "mairies", "departements", "region", "catchments", "catchment_members",
          "sites", "actions", "contacts")


@pytest.fixture(scope="module")
def demo_layers(demo_workspace_file: Path) -> dict[str, pd.DataFrame]:
    workspace = Workspace(demo_workspace_file)
    return {name: workspace.read(name) for name in LAYERS}


@pytest.fixture(scope="module")
def table(demo_layers: dict[str, pd.DataFrame]) -> gpd.GeoDataFrame:
    """The region's commune indicators, as the dashboards and the report compute them."""
    return indicators(demo_layers, level="commune")


def map_colours(page: str) -> list[str]:
    """Each commune's colour on opening, read in a written map: palette and class of each."""
    decoder = json.JSONDecoder()
    tables, _ = decoder.raw_decode(page, page.index("var tables = ") + len("var tables = "))
    communes = page.rfind("L.geoJson(", 0, page.index('className: "territory-commune"'))
    collection, _ = decoder.raw_decode(page, communes + len("L.geoJson("))
    palette = tables["colourings"][0]["colours"]
    return [palette[f["properties"]["q"][0]] if f["properties"]["q"][0] >= 0
            else NO_VALUE_COLOUR for f in collection["features"]]


def report_colours(demo_layers: dict[str, pd.DataFrame], ml_code: str | None) -> pd.Series:
    """Each commune's colour as the report's map draws it, by INSEE code."""
    from territory.report._data import collect
    from territory.report._maps import map_page

    data = collect(demo_layers, metadata={"demo": True}, ml_code=ml_code, period=None,
                   params=Parameters())
    page = map_page(data)
    drawn = next(c for ax in page.figure.axes for c in ax.collections
                 if c.get_gid() == "communes")
    colours = [to_hex(c) for c in drawn.get_facecolor()]
    return pd.Series(colours, index=data.communes["zone_id"].astype(str).to_numpy())


@pytest.mark.slow
def test_the_report_the_dashboard_and_the_map_colour_the_score_alike(
        demo_layers: dict[str, pd.DataFrame], table: gpd.GeoDataFrame, tmp_path: Path) -> None:
    pytest.importorskip("panel")
    from territory.dashboards._styles import map_style

    codes = table["zone_id"].astype(str).to_numpy()
    style = map_style(table, np.ones(len(table)), "gap_score", params=Parameters(),
                      territory="Nouvelle-Aquitaine")
    dashboard = pd.Series([style.palette[c] for c in style.classes], index=codes)

    communes = demo_layers["communes"]
    write_html(workspace_map(communes, indicators=table), tmp_path / "carte.html")
    drawn = pd.Series(map_colours((tmp_path / "carte.html").read_text(encoding="utf-8")),
                      index=communes["code_insee"].astype(str).to_numpy())

    report = report_colours(demo_layers, None)
    assert len(set(dashboard)) == 5
    pd.testing.assert_series_equal(report.sort_index(), dashboard.sort_index())
    pd.testing.assert_series_equal(drawn.sort_index(), dashboard.sort_index())
    # An ML's report keeps the region's colours.
    ml = report_colours(demo_layers, "ML05")
    pd.testing.assert_series_equal(ml, dashboard.loc[ml.index])


def test_the_public_table_gets_the_classes_of_the_raw_one(table: gpd.GeoDataFrame) -> None:
    public = suppress(pd.DataFrame(table.drop(columns="geometry")))
    assert public["gap_score"].isna().any(), "the demo has masked scores"
    raw, masked = map_classes(table, "gap_score"), map_classes(public, "gap_score")
    assert raw.classes.tolist() == masked.classes.tolist()
    assert (raw.classes >= 0).all()
    assert np.bincount(raw.classes).min() >= len(table) // 5


def test_score_classes_are_quintiles_darkest_for_the_least_reached() -> None:
    zones = pd.DataFrame({"gap_rank": np.arange(1, 11), "gap_score": np.linspace(90, 10, 10)})
    found = map_classes(zones, "gap_score")
    assert found.classes.tolist() == [4, 4, 3, 3, 2, 2, 1, 1, 0, 0]
    assert found.zone_colours()[0] == INDICATORS["gap_score"].palette[-1]
    assert found.labels[-1].startswith("très élevé")
    # Public outputs print the words; the planner's legend also the values.
    assert not any(re.search(r"\d", text) for _, text in found.legend(ranges=False)[1:4])
    assert "10,0 – 18,9" in found.legend(ranges=True)[0][1]


def test_reach_classes_keep_nobody_reached_apart_and_masked_cells_out() -> None:
    zones = pd.DataFrame({"contacts_per_1000": [0.0, 0.0, 2.0, 5.0, 9.0, 30.0, None]})
    found = map_classes(zones, "contacts_per_1000")
    assert found.classes.iloc[:2].tolist() == [0, 0]
    assert found.classes.iloc[-1] == -1
    assert found.zone_colours()[-1] == NO_VALUE_COLOUR
    assert found.labels[0] == "0 : personne atteint"
    assert len(found.colours) == len(found.labels)


def test_access_classes_are_fixed_around_the_threshold() -> None:
    zones = pd.DataFrame({"nearest_min": [5.0, 10.0, 25.0, 30.0, 31.0, 60.0, None]})
    found = map_classes(zones, "nearest_min", threshold_min=30)
    assert found.classes.tolist() == [0, 0, 2, 2, 3, 4, -1]
    assert found.labels[2] == "20 à 30 min (seuil)"


def test_an_unknown_indicator_lists_the_known_ones() -> None:
    from territory import InputError

    with pytest.raises(InputError, match=r"'youth'.*gap_score"):
        map_classes(pd.DataFrame({"youth": [1.0]}), "youth")
