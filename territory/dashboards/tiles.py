"""The workspace's polygons as vector tiles: PMTiles files written once, beside the workspace.

The dashboards' map draws the communes, EPCI, catchments and départements from vector tiles
(Mapbox Vector Tiles in one PMTiles archive per layer, written by GDAL's PMTiles driver
through pyogrio) that the browser reads by HTTP range requests and keeps in its cache. No
session sends polygons over its websocket: the map receives the zones' codes once and then
only numbers keyed by position (classes, values, ranks), which it joins to the tiles'
features by code.

The files live in a folder beside the workspace (``territoire.gpkg`` →
``territoire.tuiles/``), in a subfolder named after a digest of what they draw (each zone's
code, name and geometry): a base or catchments that change get new files under a new name,
so that the server can let browsers cache a file for good. A workspace whose folder cannot
be written to gets its tiles in the user's cache folder instead.

Generalisation. The polygons are first simplified as a coverage (shapely's
``coverage_simplify``, shared borders kept shared, :func:`territory.viz.simplify_coverage`)
at a tolerance finer than a pixel of the deepest zoom written (:data:`MAX_ZOOM`); each zoom
level is then generalised by the tile grid itself (4,096 units a tile, consecutive vertices
falling on the same unit merged). Both steps move the two sides of a shared border to the
same points, so that no gap or overlap appears between neighbours at any zoom. GDAL's own
``SIMPLIFICATION`` option is left off: it simplifies each polygon on its own and would
open slivers between neighbours. Beyond :data:`MAX_ZOOM` the map enlarges the deepest
tiles.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely

from territory.viz import simplify_coverage

__all__ = [
    "MAX_ZOOM",
    "MIN_ZOOM",
    "TILES_ROUTE",
    "TILE_LAYERS",
    "TileSet",
    "build_tiles",
    "tiles_folder",
]

TILES_ROUTE = "territoire-tuiles"
# A folder of tiles shared by every workspace (e.g. on a server of several workspaces, or
# when the workspaces' folders are read-only): files are named by content, never pruned.
TILES_DIR_ENV = "TERRITORY_TILES_DIR"
# Layer → (code column, name column). Features carry ``code`` and ``n`` (the name, text).
TILE_LAYERS: dict[str, tuple[str, str]] = {
    "communes": ("code_insee", "nom"),
    "epci": ("epci_code", "nom"),
    "catchments": ("ml_code", "ml_name"),
    "departements": ("dep_code", "nom"),
}
# Zoom 4 shows France whole in a window; at zoom 11 a tile unit is about 5 m at these
# latitudes, finer than the simplification below.
MIN_ZOOM = 4
MAX_ZOOM = 11
# Coverage simplification before tiling: about a third of a pixel at zoom 11 (55 m a pixel).
TOLERANCE_M = 20.0
# Raised when the files written change for the same input (options, columns).
FORMAT = "territory-tiles-1"
# Digests of each layer kept in the folder (the current one and the previous ones, which
# sessions opened before a change may still be reading).
KEEP = 3


@dataclass(frozen=True)
class TileSet:
    """The PMTiles files of a workspace: layer → file, and the digest naming each."""

    folder: Path
    files: Mapping[str, Path]

    def urls(self) -> dict[str, str]:
        """Return layer → address of its file, for the map (:meth:`url`)."""
        return {layer: self.url(layer) for layer in self.files}

    def url(self, layer: str) -> str:
        """Return the address of ``layer``'s file under :data:`TILES_ROUTE` ('' if none)."""
        path = self.files.get(layer)
        if path is None:
            return ""
        return f"/{TILES_ROUTE}/{path.relative_to(self.folder).as_posix()}"


def tiles_folder(workspace: Path | str) -> Path:
    """Return the folder of ``workspace``'s tiles: beside it, or the user's cache folder.

    ``$TERRITORY_TILES_DIR``, when set, is the folder of every workspace's tiles; beside
    ``territoire.gpkg``, the folder is ``territoire.tuiles``.
    """
    if os.environ.get(TILES_DIR_ENV):
        return Path(os.environ[TILES_DIR_ENV])
    path = Path(workspace).resolve()
    beside = path.with_suffix(".tuiles")
    if os.access(path.parent, os.W_OK) or (beside.is_dir() and os.access(beside, os.W_OK)):
        return beside
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    key = hashlib.blake2b(str(path).encode(), digest_size=8).hexdigest()
    return cache / "territory" / "tiles" / f"{path.stem}-{key}"


def _digest(frame: gpd.GeoDataFrame, code: str, name: str) -> str:
    h = hashlib.blake2b(FORMAT.encode(), digest_size=10)
    h.update(str(frame.crs).encode())
    h.update("\x1f".join(frame[code].astype(str)).encode())
    h.update("\x1f".join(frame[name].astype(str)).encode())
    for wkb in shapely.to_wkb(frame.geometry.to_numpy(), hex=False):
        h.update(b"" if wkb is None else wkb)
    return h.hexdigest()


def _write(frame: gpd.GeoDataFrame, layer: str, target: Path) -> None:
    code, name = TILE_LAYERS[layer]
    placed = frame[~(frame.geometry.isna() | frame.geometry.is_empty)]
    shapes = simplify_coverage(placed.geometry, tolerance_m=TOLERANCE_M)
    out = gpd.GeoDataFrame({"code": placed[code].astype(str).to_numpy(),
                            "n": placed[name].astype(str).to_numpy()},
                           geometry=shapes.to_crs(3857).to_numpy(), crs=3857)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Written under a temporary name and renamed: a reader (another server process) sees
    # the whole file or none.
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".building-") as scratch:
        partial = Path(scratch) / target.name
        with warnings.catch_warnings():
            # At the smallest zooms, a tile of France's communes passes GDAL's 500 kB and is
            # written at a coarser resolution: the generalisation those zooms need anyway.
            warnings.filterwarnings("ignore", "At least one tile exceeded", RuntimeWarning)
            pyogrio.write_dataframe(out, partial, driver="PMTiles", layer=layer,
                                    dataset_options={"MINZOOM": MIN_ZOOM, "MAXZOOM": MAX_ZOOM})
        os.replace(partial, target)


def _shared(folder: Path) -> bool:
    """Whether ``folder`` is ``$TERRITORY_TILES_DIR``: other workspaces' files are there."""
    shared = os.environ.get(TILES_DIR_ENV)
    return shared is not None and shared != "" and Path(shared).resolve() == folder.resolve()


def _prune(folder: Path, layer: str, current: Path) -> None:
    """Remove the oldest files of ``layer`` beyond the :data:`KEEP` most recent."""
    others = sorted((p for p in folder.glob(f"*/{layer}.pmtiles") if p != current),
                    key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in others[KEEP - 1:]:
        with contextlib.suppress(OSError):
            stale.unlink()
            if not any(stale.parent.iterdir()):
                shutil.rmtree(stale.parent, ignore_errors=True)


def build_tiles(layers: Mapping[str, gpd.GeoDataFrame], folder: Path) -> TileSet:
    """Write the PMTiles of each of :data:`TILE_LAYERS` in ``layers``, unless already there.

    Parameters
    ----------
    layers
        Layer name → polygons in a projected CRS in metres, with the code and name columns
        of :data:`TILE_LAYERS`. Other layers are ignored.
    folder
        Where the files go (:func:`tiles_folder`), each in a subfolder named by its digest.

    Returns
    -------
    TileSet
        The file of each layer written or found.
    """
    files: dict[str, Path] = {}
    for layer, (code, name) in TILE_LAYERS.items():
        frame = layers.get(layer)
        if frame is None or frame.empty:
            continue
        target = folder / _digest(frame, code, name) / f"{layer}.pmtiles"
        if not target.is_file():
            _write(frame, layer, target)
            if not _shared(folder):
                _prune(folder, layer, target)
        files[layer] = target
    return TileSet(folder, files)
