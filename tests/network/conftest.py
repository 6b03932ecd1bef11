"""Small OpenStreetMap extracts written with pyosmium, around Guéret (lon 1.87, lat 46.17)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from pyproj import Transformer

from territory._crs import LAMBERT93, WGS84

osmium = pytest.importorskip("osmium")
pytest.importorskip("pyrosm")

GUERET = (1.87, 46.17)
TO_L93 = Transformer.from_crs(WGS84, LAMBERT93, always_xy=True)
TO_WGS84 = Transformer.from_crs(LAMBERT93, WGS84, always_xy=True)

Way = tuple[Sequence[tuple[float, float]], dict[str, str]]


def write_pbf(path: Path, ways: Sequence[Way]) -> Path:
    """Write ``ways`` (lon/lat points and tags) as an .osm.pbf; shared points share a node."""
    from osmium.osm.mutable import Node
    from osmium.osm.mutable import Way as OsmWay

    ids: dict[tuple[float, float], int] = {}
    for points, _ in ways:
        for point in points:
            ids.setdefault((round(point[0], 7), round(point[1], 7)), len(ids) + 1)
    path.unlink(missing_ok=True)
    writer = osmium.SimpleWriter(str(path))
    try:
        for (lon, lat), node_id in ids.items():
            writer.add_node(Node(id=node_id, location=osmium.osm.Location(lon, lat),
                                 version=1))
        for way_id, (points, tags) in enumerate(ways, start=1):
            nodes = [ids[(round(p[0], 7), round(p[1], 7))] for p in points]
            writer.add_way(OsmWay(id=way_id, nodes=nodes, tags=tags, version=1))
    finally:
        writer.close()
    return path


def l93_line(start_xy: tuple[float, float], end_xy: tuple[float, float],
             steps: int) -> list[tuple[float, float]]:
    """Points (lon/lat) of a straight line drawn in Lambert-93 between two points."""
    xs = np.linspace(start_xy[0], end_xy[0], steps + 1)
    ys = np.linspace(start_xy[1], end_xy[1], steps + 1)
    lon, lat = TO_WGS84.transform(xs, ys)
    return list(zip(lon.tolist(), lat.tolist(), strict=True))


def gueret_xy() -> tuple[float, float]:
    x, y = TO_L93.transform(*GUERET)
    return float(x), float(y)
