"""Routed travel minutes from an OpenStreetMap extract: every origin × destination pair.

Each mode's network is read on its own (pyrosm's filter of the mode), routed, then freed
before the next one. Points are snapped to their nearest node; the straight line to it is
added at the mode's access speed. Details and sources: docs/methodology.md, "Routed travel
times".
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from tqdm import tqdm

from territory._crs import LAMBERT93
from territory._errors import InputError, Problem
from territory.network._graph import ModeGraph, no_road, read_graph
from territory.network._modes import ACCESS_KMH, MODES
from territory.network._route import ENGINES, seconds_dijkstra, seconds_pandana, snap

__all__ = ["COLUMNS", "MAX_SNAP_M", "build_travel_times", "check_extract", "dest_keys"]

COLUMNS = ["origin", "dest_x", "dest_y", "mode", "minutes"]
#: A point farther than this from every node of a mode's network is taken as outside the
#: extract and gets no travel time in that mode (a town hall or a site stands within a few
#: hundred metres of a road). Unconfirmed convention.
MAX_SNAP_M = 2000.0


def build_travel_times(
    osm_path: Path | str,
    origins: gpd.GeoDataFrame,
    destinations: gpd.GeoDataFrame,
    *,
    modes: Sequence[str] = MODES,
    max_min: float = 90.0,
    progress: bool = True,
    engine: str = "dijkstra",
) -> pd.DataFrame:
    """Return the routed minutes of every origin × destination pair within ``max_min``.

    Parameters
    ----------
    osm_path
        An OpenStreetMap extract (``.osm.pbf``) covering the points.
    origins
        Points in Lambert-93, keyed by ``code_insee`` (a column, else the index).
    destinations
        Points in Lambert-93; points that round to the same metre are one destination.
    modes
        Among ``"walk"``, ``"bike"``, ``"car"``.
    max_min
        Cutoff: pairs farther apart in minutes are not returned.
    progress
        Show a progress bar on standard error.
    engine
        ``"dijkstra"`` (bounded searches, the default) or ``"pandana"`` (contraction
        hierarchies, one query per pair): same minutes, see ``benchmarks/bench_network.py``.

    Returns
    -------
    travel_times
        ``origin`` (code INSEE), ``dest_x``, ``dest_y`` (Lambert-93 metres, int64), ``mode``,
        ``minutes``: snapping at the access speed plus the route.

    Raises
    ------
    InputError
        The extract is missing or unreadable, has no road, or no origin lies on it.
    """
    path = check_extract(osm_path)
    _check_options(modes, max_min, engine)
    codes, origin_xy = _origin_points(origins)
    keys = dest_keys(_points(destinations, "destinations"))
    frames, found_road, found_origin = [], False, False
    for mode in tqdm(modes, desc="réseau", unit="mode", disable=not progress,
                     file=sys.stderr):
        graph = read_graph(path, mode)
        if graph is None:
            continue
        found_road = True
        frame, origins_on = _mode_times(graph, codes, origin_xy, keys, max_min=max_min,
                                        engine=engine, progress=progress)
        found_origin |= origins_on
        frames.append(frame)
        del graph
        gc.collect()
    if not found_road:
        raise no_road(path)
    if not found_origin:
        raise InputError([Problem(
            f"none of the {len(codes)} origins lies within {MAX_SNAP_M:.0f} m of a road of "
            "this extract: it covers another area; give the extract of the region the "
            "workspace covers (e.g. Geofabrik's nouvelle-aquitaine-latest.osm.pbf)",
            file=str(path))])
    return (pd.concat(frames, ignore_index=True) if frames else _empty()).sort_values(
        ["mode", "origin", "dest_x", "dest_y"], ignore_index=True)[COLUMNS]


def check_extract(osm_path: Path | str) -> Path:
    """Return the extract's path, or raise an error naming it when it cannot be one."""
    path = Path(osm_path)
    if not path.is_file():
        raise InputError([Problem(
            "no such file; download the region's OpenStreetMap extract, e.g. "
            "https://download.geofabrik.de/europe/france/nouvelle-aquitaine-latest.osm.pbf",
            file=str(path))])
    if not path.name.endswith(".pbf"):
        raise InputError([Problem(
            "expected an OpenStreetMap extract in PBF format (.osm.pbf); convert other "
            "formats with `osmium cat FILE -o FILE.osm.pbf`", file=str(path))])
    return path


def dest_keys(xy: np.ndarray) -> np.ndarray:
    """Return the distinct points rounded to the metre, as int64 (n, 2), sorted.

    Examples
    --------
    >>> dest_keys(np.array([[10.4, 20.6], [10.0, 21.0], [5.0, 5.0]])).tolist()
    [[5, 5], [10, 21]]
    """
    if not len(xy):
        return np.empty((0, 2), dtype=np.int64)
    return np.unique(np.rint(np.asarray(xy, dtype=float)).astype(np.int64), axis=0)


def _mode_times(graph: ModeGraph, codes: np.ndarray, origin_xy: np.ndarray,
                keys: np.ndarray, *, max_min: float, engine: str,
                progress: bool) -> tuple[pd.DataFrame, bool]:
    """Return one mode's pairs within the cutoff, and whether any origin was on the network."""
    mode = graph.mode
    access_ms = ACCESS_KMH[mode] / 3.6
    o_node, o_m = snap(graph, origin_xy)
    d_node, d_m = snap(graph, keys.astype(float)) if len(keys) else (
        np.empty(0, np.int64), np.empty(0))
    o_on, d_on = o_m <= MAX_SNAP_M, d_m <= MAX_SNAP_M
    if not o_on.any() or not d_on.any():
        return _empty(), bool(o_on.any())
    route = seconds_pandana if engine == "pandana" else seconds_dijkstra
    src, dst, seconds = route(graph, o_node[o_on], d_node[d_on], max_min * 60.0,
                              progress=progress)
    pairs = pd.DataFrame({"o_node": src, "d_node": dst, "route_s": seconds})
    starts = pd.DataFrame({"o_node": o_node[o_on], "origin": codes[o_on],
                           "o_s": o_m[o_on] / access_ms})
    ends = pd.DataFrame({"d_node": d_node[d_on], "dest_x": keys[d_on, 0],
                         "dest_y": keys[d_on, 1], "d_s": d_m[d_on] / access_ms})
    joined = pairs.merge(starts, on="o_node").merge(ends, on="d_node")
    minutes = (joined["o_s"] + joined["route_s"] + joined["d_s"]).to_numpy() / 60.0
    within = minutes <= max_min
    frame = pd.DataFrame({
        "origin": joined["origin"].to_numpy()[within].astype(str),
        "dest_x": joined["dest_x"].to_numpy()[within].astype(np.int64),
        "dest_y": joined["dest_y"].to_numpy()[within].astype(np.int64),
        "mode": mode,
        "minutes": minutes[within].astype(np.float64),
    })
    return frame, True


def _empty() -> pd.DataFrame:
    return pd.DataFrame({"origin": pd.Series([], dtype=str),
                         "dest_x": pd.Series([], dtype=np.int64),
                         "dest_y": pd.Series([], dtype=np.int64),
                         "mode": pd.Series([], dtype=str),
                         "minutes": pd.Series([], dtype=np.float64)})


def _check_options(modes: Sequence[str], max_min: float, engine: str) -> None:
    problems = [Problem(f"unknown mode {m!r}; expected some of {', '.join(MODES)}")
                for m in modes if m not in MODES]
    if not modes:
        problems.append(Problem(f"no mode given; expected some of {', '.join(MODES)}"))
    if not max_min > 0:
        problems.append(Problem(f"the cutoff must be a positive number of minutes, got "
                                f"{max_min!r}"))
    if engine not in ENGINES:
        problems.append(Problem(f"unknown engine {engine!r}; expected one of {ENGINES}"))
    if problems:
        raise InputError(problems)


def _points(frame: gpd.GeoDataFrame, name: str) -> np.ndarray:
    if frame.crs is None or not frame.crs.equals(LAMBERT93):
        raise InputError(f"{name} are in {frame.crs}, routing needs {LAMBERT93}; reproject "
                         f"them first with frame.to_crs({LAMBERT93!r})")
    geometry = frame.geometry
    usable = geometry.notna() & ~geometry.is_empty
    if not (geometry[usable].geom_type == "Point").all():
        raise InputError(f"{name} must be points (got {sorted(set(geometry.geom_type))})")
    return np.column_stack([geometry[usable].x.to_numpy(), geometry[usable].y.to_numpy()])


def _origin_points(origins: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    xy = _points(origins, "origins")
    usable = (origins.geometry.notna() & ~origins.geometry.is_empty).to_numpy()
    codes = (origins["code_insee"] if "code_insee" in origins else origins.index.to_series())
    return codes.to_numpy()[usable].astype(str), xy
