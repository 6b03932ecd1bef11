"""Routed minutes on small extracts whose answers are known, and an invariant on random ones."""

from __future__ import annotations

import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from territory._errors import InputError
from territory.network import MODES, build_travel_times
from territory.network._modes import ACCESS_KMH, BIKE_KMH, CAR_KMH, WALK_KMH

from .conftest import TO_L93, gueret_xy, l93_line, write_pbf

X0, Y0 = (round(v) for v in gueret_xy())
LENGTH_M = 3000.0
# Positions written to a .osm.pbf keep 7 decimals of a degree (about 1 cm).
TOL_MIN = 1e-3


def _points(xy: list[tuple[float, float]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=[shapely.Point(p) for p in xy], crs=2154)


def _origins(xy: list[tuple[float, float]]) -> gpd.GeoDataFrame:
    return _points(xy).assign(code_insee=[f"{23000 + i}" for i in range(len(xy))])


def _road(tmp_path: Path, tags: dict[str, str]) -> Path:
    line = l93_line((X0, Y0), (X0 + LENGTH_M, Y0), 12)
    return write_pbf(tmp_path / "route.osm.pbf", [(line, tags)])


def _minutes(frame: pd.DataFrame, mode: str, dest_x: int) -> float:
    rows = frame[(frame["mode"] == mode) & (frame["dest_x"] == dest_x)]
    assert len(rows) == 1, frame
    return float(rows["minutes"].iloc[0])


@pytest.mark.parametrize("engine", ["dijkstra", "pandana"])
def test_a_straight_road_takes_its_length_over_the_speed(tmp_path: Path, engine: str) -> None:
    path = _road(tmp_path, {"highway": "residential"})
    # The second destination stands 100 m off the road, beside its middle.
    far, off = (X0 + LENGTH_M, Y0), (X0 + LENGTH_M / 2, Y0 + 100)
    frame = build_travel_times(path, _origins([(X0, Y0)]), _points([far, off]),
                               progress=False, engine=engine)
    assert frame.columns.tolist() == ["origin", "dest_x", "dest_y", "mode", "minutes"]
    assert frame.dtypes.astype(str).tolist()[1:3] == ["int64", "int64"]
    assert frame["minutes"].dtype == np.float64 and set(frame["origin"]) == {"23000"}
    for mode, kmh in (("walk", WALK_KMH), ("bike", BIKE_KMH), ("car", CAR_KMH["residential"])):
        expected = LENGTH_M / 1000 / kmh * 60
        assert _minutes(frame, mode, X0 + 3000) == pytest.approx(expected, abs=TOL_MIN)
        snapped = 100 / 1000 / ACCESS_KMH[mode] * 60
        assert _minutes(frame, mode, X0 + 1500) == pytest.approx(expected / 2 + snapped,
                                                                 abs=TOL_MIN)


def test_maxspeed_replaces_the_class_speed_for_cars(tmp_path: Path) -> None:
    path = _road(tmp_path, {"highway": "primary", "maxspeed": "90"})
    frame = build_travel_times(path, _origins([(X0, Y0)]), _points([(X0 + LENGTH_M, Y0)]),
                               modes=("car",), progress=False)
    assert _minutes(frame, "car", X0 + 3000) == pytest.approx(2.0, abs=TOL_MIN)


def test_walkers_keep_off_motorways_and_cars_off_footways(tmp_path: Path) -> None:
    path = write_pbf(tmp_path / "m.osm.pbf", [
        (l93_line((X0, Y0), (X0 + LENGTH_M, Y0), 6), {"highway": "motorway"}),
        (l93_line((X0, Y0 + 500), (X0 + LENGTH_M, Y0 + 500), 6), {"highway": "footway"})])
    frame = build_travel_times(path, _origins([(X0, Y0)]), _points([(X0 + LENGTH_M, Y0)]),
                               progress=False)
    car = _minutes(frame, "car", X0 + 3000)
    assert car == pytest.approx(LENGTH_M / 1000 / CAR_KMH["motorway"] * 60, abs=TOL_MIN)
    # On foot, the footway 500 m away: 500 m each end at walking speed, plus the path.
    walk = _minutes(frame, "walk", X0 + 3000)
    assert walk == pytest.approx(4000 / 1000 / WALK_KMH * 60, abs=TOL_MIN)


def test_pairs_beyond_the_cutoff_are_left_out(tmp_path: Path) -> None:
    path = _road(tmp_path, {"highway": "residential"})
    frame = build_travel_times(path, _origins([(X0, Y0)]), _points([(X0 + LENGTH_M, Y0)]),
                               max_min=20.0, progress=False)
    assert sorted(frame["mode"]) == ["bike", "car"]  # walking takes 50 minutes


def test_the_engines_agree_on_pyrosms_test_extract() -> None:
    pyrosm = pytest.importorskip("pyrosm")
    path = pyrosm.get_data("test_pbf")  # bundled with pyrosm: no download
    nodes, _ = pyrosm.OSM(path).get_network("driving", nodes=True)
    rng = np.random.default_rng(3)
    lon, lat = nodes["lon"].to_numpy(), nodes["lat"].to_numpy()
    x, y = TO_L93.transform(lon[rng.choice(len(lon), 12)] + 1e-4, lat[rng.choice(len(lat), 12)])
    origins, dests = _origins(list(zip(x[:6], y[:6], strict=True))), _points(
        list(zip(x[6:], y[6:], strict=True)))
    frames = [build_travel_times(path, origins, dests, progress=False, engine=engine)
              for engine in ("dijkstra", "pandana")]
    key = ["mode", "origin", "dest_x", "dest_y"]
    merged = frames[0].merge(frames[1], on=key, how="outer", suffixes=("_d", "_p"))
    assert len(merged) > 50
    near_cutoff = merged[["minutes_d", "minutes_p"]].max(axis=1) > 90 - TOL_MIN
    agree = merged[~near_cutoff]
    np.testing.assert_allclose(agree["minutes_d"], agree["minutes_p"], atol=TOL_MIN)


CLASSES = ["residential", "primary", "footway", "motorway", "cycleway", "tertiary"]
way_points = st.lists(st.tuples(st.integers(0, 4000), st.integers(0, 4000)),
                      min_size=2, max_size=5, unique=True)


@settings(max_examples=8, deadline=None)
@given(ways=st.lists(st.tuples(way_points, st.sampled_from(CLASSES)), min_size=1, max_size=5))
def test_routed_minutes_are_never_shorter_than_the_straight_line(
        ways: list[tuple[list[tuple[int, int]], str]]) -> None:
    # One residential street, usable in every mode, so that every mode has a network.
    ways = [([(0, 0), (4000, 4000)], "residential"), *ways]
    vertices = sorted({(X0 + dx, Y0 + dy) for points, _ in ways for dx, dy in points})
    with tempfile.TemporaryDirectory() as folder:
        path = write_pbf(Path(folder) / "random.osm.pbf", [
            (l93_line_points([(X0 + dx, Y0 + dy) for dx, dy in points]), {"highway": kind})
            for points, kind in ways])
        frame = build_travel_times(path, _origins(vertices), _points(vertices),
                                   progress=False)
    assert set(frame["mode"]) <= set(MODES) and len(frame)
    xy = dict(zip(_origins(vertices)["code_insee"], vertices, strict=True))
    start = np.array([xy[code] for code in frame["origin"]])
    straight_m = np.hypot(start[:, 0] - frame["dest_x"], start[:, 1] - frame["dest_y"])
    top_kmh = frame["mode"].map({"walk": WALK_KMH, "bike": BIKE_KMH,
                                 "car": max(CAR_KMH.values())})
    # 1 m: the positions a .osm.pbf keeps (1 cm) and destinations rounded to the metre.
    assert (frame["minutes"] / 60 * top_kmh * 1000 >= straight_m - 1.0).all()


def l93_line_points(points: list[tuple[int, int]]) -> list[tuple[float, float]]:
    lon, lat = TO_L93.transform(*np.array(points, dtype=float).T, direction="INVERSE")
    return list(zip(lon.tolist(), lat.tolist(), strict=True))


@pytest.mark.parametrize(("content", "expected"), [
    (None, "no such file"),
    (b"not an extract", "not a readable OpenStreetMap extract"),
])
def test_a_bad_file_is_named_with_its_fix(tmp_path: Path, content: bytes | None,
                                          expected: str) -> None:
    path = tmp_path / "region.osm.pbf"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError, match=expected) as error:
        build_travel_times(path, _origins([(X0, Y0)]), _points([(X0, Y0)]), progress=False)
    assert str(path) in str(error.value) and "geofabrik" in str(error.value).lower()


def test_a_file_that_is_not_pbf_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "region.osm"
    path.write_text("<osm/>")
    with pytest.raises(InputError, match=r"region\.osm: expected an OpenStreetMap extract"):
        build_travel_times(path, _origins([(X0, Y0)]), _points([(X0, Y0)]), progress=False)


def test_an_extract_with_no_road_is_refused(tmp_path: Path) -> None:
    path = write_pbf(tmp_path / "b.osm.pbf",
                     [(l93_line((X0, Y0), (X0 + 50, Y0), 2), {"building": "yes"})])
    with pytest.raises(InputError, match="no road in this OpenStreetMap extract"):
        build_travel_times(path, _origins([(X0, Y0)]), _points([(X0, Y0)]), progress=False)


def test_an_extract_of_another_area_is_refused(tmp_path: Path) -> None:
    path = _road(tmp_path, {"highway": "residential"})
    far = (X0 - 200_000, Y0)
    with pytest.raises(InputError, match="none of the 1 origins lies within"):
        build_travel_times(path, _origins([far]), _points([(X0, Y0)]), progress=False)


def test_points_must_be_in_lambert93(tmp_path: Path) -> None:
    path = _road(tmp_path, {"highway": "residential"})
    with pytest.raises(InputError, match="EPSG:2154"):
        build_travel_times(path, _origins([(X0, Y0)]).to_crs(4326), _points([(X0, Y0)]),
                           progress=False)
