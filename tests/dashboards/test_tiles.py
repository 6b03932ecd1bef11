"""The workspace's polygons as PMTiles: every zone at every zoom, borders shared, kept once."""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from territory.dashboards import tiles
from territory.io.workspace import Workspace


def _read(path: Path, zoom: int) -> gpd.GeoDataFrame:
    """Return the zones of a PMTiles file at ``zoom``, each zone's pieces (one a tile) merged."""
    found = pyogrio.read_dataframe(path, ZOOM_LEVEL=zoom)
    return found.dissolve(by="code", as_index=False)


def _cells(wiggle: list[float]) -> gpd.GeoDataFrame:
    """Return two communes of 10 × 6 km whose shared border zigzags by ``wiggle`` (metres)."""
    x0, y0 = 450_000.0, 6_500_000.0
    ys = np.linspace(y0, y0 + 6_000, len(wiggle) + 2)
    border = [(x0 + 10_000 + (w if 0 < i <= len(wiggle) else 0), y)
              for i, (w, y) in enumerate(zip([0.0, *wiggle, 0.0], ys, strict=True))]
    west = shapely.Polygon([(x0, y0), *border, (x0, y0 + 6_000)])
    east = shapely.Polygon([*border, (x0 + 20_000, y0 + 6_000), (x0 + 20_000, y0)])
    return gpd.GeoDataFrame({"code_insee": ["87001", "87002"], "nom": ["Ouest", "Est"]},
                            geometry=[west, east], crs=2154)


@settings(max_examples=6, deadline=None)
@given(st.lists(st.floats(-400, 400), min_size=3, max_size=30))
def test_neighbours_share_their_border_at_every_zoom(tmp_path_factory: pytest.TempPathFactory,
                                                     wiggle: list[float]) -> None:
    folder = tmp_path_factory.mktemp("tiles")
    written = tiles.build_tiles({"communes": _cells(wiggle)}, folder)
    for zoom in (tiles.MIN_ZOOM, 8, tiles.MAX_ZOOM):
        zones = _read(written.files["communes"], zoom)
        assert sorted(zones["code"]) == ["87001", "87002"]
        west, east = zones.to_crs(2154).geometry
        # No overlap and no gap between the two: their union is as large as both.
        assert west.intersection(east).area < 1e-6 * west.area
        assert abs(west.union(east).area - west.area - east.area) < 1e-6 * west.area
        holes = [shapely.Polygon(ring).area for ring in west.union(east).interiors]
        assert sum(holes) < 1.0  # m²: at most a trace of the pieces' reprojection


def test_every_commune_of_the_region_is_in_the_tiles(dash_file: Path) -> None:
    communes = Workspace(dash_file).read("communes")
    # The run's shared folder: the servers of the other tests write the same file.
    written = tiles.build_tiles({"communes": communes}, tiles.tiles_folder(dash_file))
    # From zoom 6 on (the region fills a window at 7); at 4 and 5, the smallest commune of
    # France (Castelmoron-d'Albret, 1.8 ha) is less than a tile's unit and is left out.
    for zoom in (6, tiles.MAX_ZOOM):
        found = pyogrio.read_dataframe(written.files["communes"], ZOOM_LEVEL=zoom,
                                       columns=["code", "n"], read_geometry=False)
        assert set(found["code"]) == set(communes["code_insee"].astype(str))
    # Names travel as the workspace holds them (the map writes them as text).
    named = found.drop_duplicates("code").set_index("code")["n"]
    assert (named == communes.set_index("code_insee")["nom"].reindex(named.index)).all()


def test_tiles_are_written_once_and_again_when_the_zones_change(tmp_path: Path) -> None:
    zones = _cells([100.0, -50.0])
    first = tiles.build_tiles({"communes": zones}, tmp_path)
    path = first.files["communes"]
    stamp = path.stat().st_mtime_ns
    again = tiles.build_tiles({"communes": zones.copy()}, tmp_path)
    assert again.files["communes"] == path and path.stat().st_mtime_ns == stamp
    assert again.url("communes") == f"/{tiles.TILES_ROUTE}/{path.parent.name}/communes.pmtiles"
    renamed = zones.assign(nom=["Ouest", "Est-sur-Vienne"])
    changed = tiles.build_tiles({"communes": renamed}, tmp_path)
    assert changed.files["communes"] != path
    # Older files are removed beyond the last few; no half-written file is left.
    for shift in range(tiles.KEEP + 2):
        moved = zones.set_geometry(zones.geometry.translate(shift * 10.0))
        tiles.build_tiles({"communes": moved}, tmp_path)
    assert len(list(tmp_path.glob("*/communes.pmtiles"))) == tiles.KEEP
    assert list(tmp_path.glob(".building-*")) == []


def test_tiles_go_beside_the_workspace_or_in_the_cache(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    workspace = tmp_path / "territoire.gpkg"
    monkeypatch.setenv(tiles.TILES_DIR_ENV, str(tmp_path / "shared"))
    assert tiles.tiles_folder(workspace) == tmp_path / "shared"
    monkeypatch.delenv(tiles.TILES_DIR_ENV)
    assert tiles.tiles_folder(workspace) == tmp_path / "territoire.tuiles"
    monkeypatch.setattr(os, "access", lambda *_args: False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    elsewhere = tiles.tiles_folder(workspace)
    assert elsewhere.parent == tmp_path / "cache" / "territory" / "tiles"
    assert elsewhere.name.startswith("territoire-")
