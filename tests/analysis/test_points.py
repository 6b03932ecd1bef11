"""Points to communes: the same answer as geopandas.sjoin, point by point."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from territory._errors import InputError
from territory.analysis import count_points, locate
from territory.analysis.points import _positions

X0, Y0 = 500_000.0, 6_500_000.0


def test_points_in_the_toy_communes(toy) -> None:
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(
        [X0 + 5000, X0 + 15000, X0 + 10000, X0 + 50000, X0 + 105000],
        [Y0 + 5000, Y0 + 1000, Y0 + 5000, Y0 + 5000, Y0 + 9999]), crs=2154)
    got = locate(points, toy["communes"])
    # the third point is on the A|B boundary: in neither, as with sjoin(predicate="within")
    assert got.fillna("-").tolist() == ["00001", "00002", "-", "-", "00004"]
    assert count_points(points, toy["communes"]).tolist() == [1, 1, 0, 1]


def test_no_points_and_wrong_crs(toy) -> None:
    empty = gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=2154))
    assert locate(empty, toy["communes"]).empty
    with pytest.raises(InputError, match="EPSG:4326"):
        locate(empty.to_crs(4326), toy["communes"])


def test_the_input_polygons_are_not_prepared_in_place(toy) -> None:
    points = gpd.GeoDataFrame(geometry=[shapely.Point(X0 + 1, Y0 + 1)], crs=2154)
    locate(points, toy["communes"])
    assert not shapely.is_prepared(toy["communes"].geometry.to_numpy()).any()


coordinates = st.lists(st.tuples(st.floats(-2000, 42_000), st.floats(-2000, 22_000)),
                       min_size=1, max_size=300)


@settings(max_examples=40, deadline=None)
@given(coordinates, st.integers(1, 6), st.floats(300, 5000))
def test_same_assignments_as_sjoin(xy: list, columns: int, cell_m: float) -> None:
    width = 40_000 / columns
    polygons = gpd.GeoDataFrame(
        {"code_insee": [f"{i:05d}" for i in range(columns * 2)]},
        geometry=[shapely.box(X0 + c * width, Y0 + r * 10_000, X0 + (c + 1) * width,
                              Y0 + (r + 1) * 10_000).buffer(-1 if (c + r) % 3 else 0)
                  for c in range(columns) for r in range(2)], crs=2154)
    # points on grid lines and corners as well as anywhere
    snapped = [(round(x / 1000) * 1000 if i % 3 == 0 else x, y) for i, (x, y) in enumerate(xy)]
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(
        [X0 + x for x, _ in snapped], [Y0 + y for _, y in snapped]), crs=2154)
    joined = gpd.sjoin(points, polygons, how="left", predicate="within")
    expected = joined.loc[~joined.index.duplicated(), "code_insee"].astype(object)
    got = locate(points, polygons)
    assert got.fillna("").tolist() == expected.fillna("").tolist()
    # any grid size gives the same answer
    positions = _positions(points.geometry, polygons.geometry, cell_m=cell_m)
    codes = polygons["code_insee"].to_numpy()
    assert [codes[p] if p >= 0 else "" for p in positions] == got.fillna("").tolist()
