"""Routed travel minutes kept in the workspace: table ``travel_times`` and its metadata.

The table holds one row per origin (code INSEE), destination point (Lambert-93, rounded to
the metre) and mode within the cutoff; the metadata key ``travel_times`` holds its source
(the extract's file name), date, engine, cutoff, pairs per mode and the destination points
routed (so that a point beyond the cutoff is told from a point never routed).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy
from scipy.sparse import csr_array

from territory._crs import LAMBERT93
from territory.analysis.access import commune_origins
from territory.analysis.travel import routed_pairs
from territory.io.workspace import Workspace
from territory.network._modes import MODES
from territory.network._optional import optional
from territory.network.routing import build_travel_times, check_extract, dest_keys

__all__ = ["LAYER", "NetworkSummary", "TravelTimes", "build_network", "read_transit",
           "read_travel_times"]

LAYER = "travel_times"
#: The workspace layers whose points are destinations (``places`` when imported).
DESTINATION_LAYERS = ("sites", "actions", "mairies", "places")
# Destination points fold into one int64 key: x below this, y any Lambert-93 northing.
_KEY = 10_000_000


@dataclass(frozen=True, eq=False)
class TravelTimes:
    """The routed minutes a workspace holds, with where and when they come from.

    ``frame`` has the columns ``origin``, ``dest_x``, ``dest_y``, ``mode``, ``minutes``.
    """

    frame: pd.DataFrame
    source: str
    built: str
    engine: str
    max_min: float
    destinations: np.ndarray = field(repr=False)

    def minutes(self, origin_codes: Sequence[str], dest_xy: np.ndarray, mode: str) -> csr_array:
        """Return origins × destinations minutes in ``mode`` (a sparse matrix).

        Stored entries are the routed minutes (an explicit 0 where the destination is the
        origin's own point); an absent entry is beyond the cutoff, or a point never routed
        (see :meth:`covers`). Destination points are matched to the metre.

        Examples
        --------
        >>> frame = pd.DataFrame({"origin": ["23096"], "dest_x": [1], "dest_y": [2],
        ...                       "mode": ["car"], "minutes": [12.5]})
        >>> times = TravelTimes(frame, "x.osm.pbf", "2026-01-01", "e", 90.0,
        ...                     np.array([[1, 2]]))
        >>> times.minutes(["23096", "23001"], np.array([[1.2, 2.4], [5, 5]]), "car").toarray()
        array([[12.5,  0. ],
               [ 0. ,  0. ]])
        """
        xy = np.asarray(dest_xy, dtype=float).reshape(-1, 2)
        found = routed_pairs(self.frame, origin_codes, xy, mode)
        return csr_array((found["minutes"].to_numpy(), (found["row"].to_numpy(),
                                                         found["col"].to_numpy())),
                         shape=(len(origin_codes), len(xy)))

    def covers(self, dest_xy: np.ndarray) -> np.ndarray:
        """Return which points were routed as destinations (matched to the metre).

        Examples
        --------
        >>> times = TravelTimes(pd.DataFrame(), "x.osm.pbf", "2026-01-01", "e", 90.0,
        ...                     np.array([[1, 2]]))
        >>> times.covers(np.array([[1.3, 1.8], [3.0, 4.0]])).tolist()
        [True, False]
        """
        keys = _keys(np.rint(np.asarray(dest_xy, dtype=float).reshape(-1, 2)).astype(np.int64))
        return np.isin(keys, _keys(self.destinations))

    def pairs(self) -> dict[str, int]:
        """Return the number of stored pairs of each mode."""
        counts = self.frame["mode"].value_counts()
        return {mode: int(counts.get(mode, 0)) for mode in MODES if mode in counts}


@dataclass(frozen=True)
class NetworkSummary:
    """What ``build_network`` computed and where it stored it."""

    workspace: Path
    source: str
    built: str
    engine: str
    max_min: float
    origins: int
    destinations: int
    pairs: dict[str, int]
    seconds: float


def build_network(workspace: Workspace | Path | str, osm_path: Path | str, *,
                  modes: Sequence[str] = MODES, max_min: float = 90.0,
                  progress: bool = True, engine: str = "dijkstra") -> NetworkSummary:
    """Route every commune's origin to every destination point and store the minutes.

    Origins are :func:`territory.analysis.access.commune_origins` (town hall, else a point
    inside the commune); destinations the distinct points of ``sites``, ``actions``,
    ``mairies`` and ``places``. The table replaces any previous one in one transaction: a
    build that fails leaves the workspace as it was.
    """
    ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
    path = check_extract(osm_path)
    start = time.perf_counter()
    communes = ws.read("communes")
    mairies = ws.read("mairies")
    origins = commune_origins(communes, mairies).assign(
        code_insee=communes["code_insee"].to_numpy())
    destinations = destinations_of(ws)
    frame = build_travel_times(path, origins, destinations, modes=modes, max_min=max_min,
                               progress=progress, engine=engine)
    keys = dest_keys(np.column_stack([destinations.geometry.x, destinations.geometry.y]))
    meta = {"source": path.name, "built": dt.date.today().isoformat(),
            "engine": engine_label(engine), "max_min": float(max_min), "modes": list(modes),
            "origins": len(origins), "pairs": _pair_counts(frame, modes),
            "destinations": keys.tolist()}
    ws.write({LAYER: _with_transit(ws, frame)}, source=f"OpenStreetMap {path.name}",
             metadata={LAYER: meta})
    return NetworkSummary(ws.path, path.name, meta["built"], meta["engine"], float(max_min),
                          len(origins), len(keys), meta["pairs"],
                          time.perf_counter() - start)


def read_travel_times(workspace: Workspace | Path | str) -> TravelTimes | None:
    """Return the routed minutes the workspace holds, or None when none were built.

    Examples
    --------
    >>> read_travel_times(demo_path) is None
    True
    """
    ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
    meta: dict[str, Any] | None = ws.metadata().get(LAYER)
    if not meta or LAYER not in ws.layers():
        return None
    frame = pd.DataFrame(ws.read(LAYER))
    frame = frame[frame["mode"].astype(str) != "transit"]
    frame = pd.DataFrame({"origin": frame["origin"].astype(str),
                          "dest_x": frame["dest_x"].astype(np.int64),
                          "dest_y": frame["dest_y"].astype(np.int64),
                          "mode": frame["mode"].astype(str),
                          "minutes": frame["minutes"].astype(np.float64)})
    return TravelTimes(frame, meta["source"], meta["built"], meta["engine"],
                       float(meta["max_min"]),
                       np.asarray(meta["destinations"], dtype=np.int64).reshape(-1, 2))


def read_transit(workspace: Workspace | Path | str) -> dict[str, Any] | None:
    """Return what the workspace records of its timetabled minutes (``--gtfs``), or None.

    Keys: ``feeds`` (file, agencies, validity, stops, routes, trips), ``weekday`` and
    ``saturday`` (the days used), ``windows`` (pairs stored per window), ``walk``,
    ``max_rides``, ``access_min``, ``percentile``, ``max_min``, ``engine``, ``built``.
    """
    ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
    meta: dict[str, Any] | None = ws.metadata().get("transit_times")
    return meta if meta and LAYER in ws.layers() else None


def _with_transit(ws: Workspace, roads: pd.DataFrame) -> pd.DataFrame:
    """Return the new road rows, with the stored timetabled rows (``--gtfs``) kept."""
    if LAYER not in ws.layers():
        return typed_times(roads)
    stored = pd.DataFrame(ws.read(LAYER))
    transit = stored[stored["mode"].astype(str) == "transit"]
    return typed_times(pd.concat([typed_times(roads), typed_times(transit)], ignore_index=True))


def engine_label(engine: str) -> str:
    """Return the engine's name and version as the metadata records it."""
    network = f"sur réseau pyrosm {optional('pyrosm').__version__}"
    if engine == "pandana":
        version = optional("pandana").__version__
        return f"pandana {version} (contraction hierarchies) {network}"
    return f"scipy {scipy.__version__} (Dijkstra borné) {network}"


def destinations_of(ws: Workspace) -> gpd.GeoDataFrame:
    present = ws.layers()
    frames = []
    for name in DESTINATION_LAYERS:
        if name not in present:
            continue
        layer = ws.read(name, columns=[])
        if not isinstance(layer, gpd.GeoDataFrame):
            continue
        usable = layer.geometry.notna() & ~layer.geometry.is_empty
        frames.append(layer.loc[usable, ["geometry"]])
    if not frames:
        return gpd.GeoDataFrame(geometry=[], crs=LAMBERT93)
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=LAMBERT93)


def _pair_counts(frame: pd.DataFrame, modes: Sequence[str]) -> dict[str, int]:
    counts = frame["mode"].value_counts()
    return {mode: int(counts.get(mode, 0)) for mode in modes}


def _keys(xy: np.ndarray) -> np.ndarray:
    xy = np.asarray(xy, dtype=np.int64).reshape(-1, 2)
    return xy[:, 0] * _KEY + xy[:, 1]


def typed_times(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the ``travel_times`` columns and types (window and high minutes filled)."""
    frame = pd.DataFrame(frame)
    if "window" not in frame:
        frame["window"] = ""
    if "minutes_high" not in frame:
        frame["minutes_high"] = np.nan
    return pd.DataFrame({
        "origin": frame["origin"].astype(str), "dest_x": frame["dest_x"].astype(np.int64),
        "dest_y": frame["dest_y"].astype(np.int64), "mode": frame["mode"].astype(str),
        "window": frame["window"].fillna("").astype(str),
        "minutes": frame["minutes"].astype(np.float64),
        "minutes_high": frame["minutes_high"].astype(np.float64)}).reset_index(drop=True)
