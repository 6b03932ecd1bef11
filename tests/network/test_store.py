"""Travel minutes built into a workspace, read back, and a failed build that changes nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from territory._errors import InputError
from territory.io.workspace import Workspace
from territory.network import NetworkSummary, TravelTimes, build_network, read_travel_times
from territory.network._modes import CAR_KMH

from .conftest import l93_line, write_pbf

GUERET = "23096"


def town_hall(workspace: Workspace, code: str) -> tuple[float, float]:
    mairies = workspace.read("mairies")
    point = mairies.loc[mairies["code_insee"] == code].geometry.iloc[0]
    return float(point.x), float(point.y)


def cross_extract(path: Path, centre: tuple[float, float], half_m: float = 5000) -> Path:
    """Two straight residential roads crossing at ``centre``, ``2 × half_m`` long each."""
    x, y = centre
    return write_pbf(path, [
        (l93_line((x - half_m, y), (x + half_m, y), 20), {"highway": "residential"}),
        (l93_line((x, y - half_m), (x, y + half_m), 20), {"highway": "residential"})])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_build_stores_what_read_gives_back(workspace: Workspace, tmp_path: Path) -> None:
    centre = town_hall(workspace, GUERET)
    extract = cross_extract(tmp_path / "gueret.osm.pbf", centre)
    summary = build_network(workspace, extract, max_min=30.0, progress=False)
    assert isinstance(summary, NetworkSummary)
    assert summary.source == "gueret.osm.pbf" and summary.origins == 4293
    # The base has no site yet: the destinations are the distinct town halls.
    halls = workspace.read("mairies").geometry
    assert summary.destinations == len({(round(p.x), round(p.y)) for p in halls})
    assert set(summary.pairs) == {"walk", "bike", "car"} and summary.pairs["car"] > 0

    times = read_travel_times(workspace)
    assert isinstance(times, TravelTimes)
    assert (times.source, times.max_min) == ("gueret.osm.pbf", 30.0)
    assert times.engine.startswith("scipy") and "pyrosm" in times.engine
    assert times.pairs() == summary.pairs
    assert times.frame.columns.tolist() == ["origin", "dest_x", "dest_y", "mode", "minutes"]
    assert times.frame["dest_x"].dtype == times.frame["dest_y"].dtype == np.int64
    assert times.frame["minutes"].dtype == np.float64
    assert (times.frame["minutes"] <= 30.0).all()
    meta = workspace.metadata()
    assert meta["layers"]["travel_times"]["source"] == "OpenStreetMap gueret.osm.pbf"
    assert meta["travel_times"]["built"] == times.built

    hall = np.array([centre])
    matrix = times.minutes([GUERET, "33063"], hall, "car")
    assert matrix.shape == (2, 1)
    # Guéret's origin is its town hall, on the crossing: about 0 minutes (the destination,
    # rounded to the metre, is walked to from up to 0.71 m away: 0.012 min).
    assert matrix.nnz == 1 and matrix[0, 0] == pytest.approx(0.0, abs=0.012)
    assert times.covers(np.array([centre, (0.0, 0.0)])).tolist() == [True, False]


def test_minutes_follow_the_road(workspace: Workspace, tmp_path: Path) -> None:
    centre = town_hall(workspace, GUERET)
    extract = cross_extract(tmp_path / "gueret.osm.pbf", centre)
    build_network(workspace, extract, modes=("car",), progress=False)
    times = read_travel_times(workspace)
    assert times is not None and set(times.frame["mode"]) == {"car"}
    rows = times.frame[times.frame["origin"] == GUERET]
    dx = rows["dest_x"] - centre[0]
    dy = rows["dest_y"] - centre[1]
    # A destination d metres along one road, s metres off it: d at 30 km/h, s on foot.
    along = np.maximum(np.abs(dx), np.abs(dy)).clip(upper=5000)
    assert (rows["minutes"] >= along / 1000 / CAR_KMH["residential"] * 60 - 1e-3).all()


def test_a_failed_build_leaves_the_workspace_as_it_was(workspace: Workspace,
                                                      tmp_path: Path) -> None:
    centre = town_hall(workspace, GUERET)
    build_network(workspace, cross_extract(tmp_path / "a.osm.pbf", centre), modes=("walk",),
                  progress=False)
    before = digest(workspace.path)
    bad = tmp_path / "b.osm.pbf"
    bad.write_bytes(b"\x00" * 64)
    with pytest.raises(InputError, match=r"b\.osm\.pbf"):
        build_network(workspace, bad, progress=False)
    far = write_pbf(tmp_path / "far.osm.pbf",
                    [(l93_line((100_000, 6_000_000), (103_000, 6_000_000), 3),
                      {"highway": "residential"})])
    with pytest.raises(InputError, match="none of the 4293 origins"):
        build_network(workspace, far, progress=False)
    assert digest(workspace.path) == before


def test_a_workspace_with_no_travel_times_reads_none(workspace: Workspace) -> None:
    assert read_travel_times(workspace) is None
