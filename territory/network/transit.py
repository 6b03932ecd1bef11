"""Public-transport minutes from GTFS timetables, over departure windows.

For every commune (its town hall, as everywhere) and every destination point (sites,
outreach places, town halls, imported places), and for each departure window
(:data:`territory.analysis.travel.WINDOWS`), the trip time is computed for a departure at
every minute of the window — walking to a stop, waiting, riding, changing, walking from the
last stop, or walking all the way when that is quicker — and the median and a high
percentile of those minutes are stored. This is the measure of accessibility studies with
R5 (Conway, Byrd & van der Linden 2017; r5r's ``travel_time_matrix``, whose defaults of at
most 3 rides and a percentile of the minute-by-minute times are followed here).

The earliest arrivals come from :mod:`territory.network.raptor`. For one origin, a departure
at minute *t* arrives as early as the best query leaving at or after *t* (one may wait), and
only departures that catch a vehicle matter: one query per boarding event reachable from the
origin in the window (a stop's departure less the walk to it), plus one at the window's end
— or, where those are more than the window's minutes, one query at each minute.

Walking legs (to the first stop, from the last, between stops, and all the way) follow the
OpenStreetMap walk network when an extract is given, else the straight line × the detour
factor at 3.6 km/h (R5's walking speed), as the walking estimate elsewhere.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree
from tqdm import tqdm

from territory._errors import InputError, Problem
from territory.analysis.access import commune_origins
from territory.analysis.params import DEFAULTS
from territory.analysis.travel import FEEDS_LAYER, ROUTED_LAYER, WINDOWS, Window
from territory.io.workspace import Workspace
from territory.network._graph import no_road, read_graph
from territory.network._modes import WALK_KMH
from territory.network._route import seconds_dijkstra, snap
from territory.network.gtfs import (
    Feed,
    read_feeds,
    service_dates,
    service_day,
    stops_of,
    transfers_of,
)
from territory.network.raptor import INF, Timetable, earliest_arrivals
from territory.network.routing import MAX_SNAP_M, check_extract, dest_keys
from territory.network.store import destinations_of, typed_times

__all__ = ["Legs", "NetworkWalk", "StraightWalk", "TransitOptions", "TransitSummary",
           "build_transit", "window_minutes"]

#: Walking speed, m/s (R5's default, 3.6 km/h).
WALK_MS = WALK_KMH / 3.6
# Labels matrix cells (queries × stops) per batch of queries.
_CELLS = 6_000_000
#: Queries of an origin beyond which it is queried at every minute of the window instead of
#: at every boarding event within a walk (None: the window's minutes, 120 for two hours).
SAMPLED_ABOVE: int | None = None
_UNREACHED = 1e9


@dataclass(frozen=True)
class TransitOptions:
    """The settings of the timetabled minutes, each with its source.

    Attributes
    ----------
    max_min
        Cutoff: pairs whose median is longer are not stored (90 min, as the road build).
    max_rides
        Most vehicles boarded: 3, the default of r5r's ``max_rides``.
    access_min
        Longest walk to the first stop, from the last, or between two stops: 20 minutes
        (≈ 920 m in a straight line at 3.6 km/h with the 1.3 detour). Unconfirmed convention.
    percentile
        The high percentile stored beside the median: 90 (nine departures in ten arrive
        within it). Unconfirmed convention.
    """

    max_min: float = 90.0
    max_rides: int = 3
    access_min: float = 20.0
    percentile: int = 90

    def problems(self) -> list[Problem]:
        """Return what is wrong with the settings."""
        found = []
        if not self.max_min > 0:
            found.append(Problem(f"the cutoff must be a positive number of minutes, got "
                                 f"{self.max_min!r}"))
        if not 1 <= self.max_rides <= 10:
            found.append(Problem(f"--max-rides must be between 1 and 10, got "
                                 f"{self.max_rides!r}"))
        if not 0 < self.access_min <= 60:
            found.append(Problem(f"--max-walk-minutes must be above 0 and at most 60, got "
                                 f"{self.access_min!r}"))
        if not 50 < self.percentile < 100:
            found.append(Problem(f"the high percentile must be between 50 and 100, got "
                                 f"{self.percentile!r}"))
        return found


class Walk(Protocol):
    """Walking legs between two sets of points within a time."""

    @property
    def label(self) -> str:
        """How the legs are walked, in French."""
        ...

    def legs(self, a_xy: np.ndarray, b_xy: np.ndarray,
             max_s: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return (i, j, seconds) of the pairs within ``max_s``."""
        ...


@dataclass(frozen=True)
class StraightWalk:
    """Walking in a straight line × the detour factor, at 3.6 km/h.

    Examples
    --------
    >>> i, j, s = StraightWalk().legs(np.array([[0.0, 0.0]]), np.array([[300.0, 400.0]]), 900)
    >>> s.round().tolist()
    [650.0]
    """

    detour: float = DEFAULTS.detour_factor
    label: str = ("en ligne droite × 1,3 à 3,6 km/h (pas de réseau piéton : donner l'extrait "
                  "OpenStreetMap avec --osm)")

    def legs(self, a_xy: np.ndarray, b_xy: np.ndarray,
             max_s: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return (i, j, seconds) of the pairs within ``max_s``."""
        if not len(a_xy) or not len(b_xy):
            return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
        radius = max_s * WALK_MS / self.detour
        found = cKDTree(a_xy).sparse_distance_matrix(cKDTree(b_xy), radius,
                                                      output_type="ndarray")
        seconds = found["v"] * self.detour / WALK_MS
        return found["i"].astype(np.int64), found["j"].astype(np.int64), seconds


@dataclass(frozen=True, eq=False)
class NetworkWalk:
    """Walking on the OpenStreetMap walk network (pyrosm), at 3.6 km/h.

    Points are snapped to their nearest node and the straight line to it is walked; a point
    farther than 2 km from the network walks in a straight line instead (as the road build).
    """

    graph: Any
    source: str
    label: str = "sur le réseau piéton OpenStreetMap à 3,6 km/h"

    def legs(self, a_xy: np.ndarray, b_xy: np.ndarray,
             max_s: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return (i, j, seconds) of the pairs within ``max_s``."""
        if not len(a_xy) or not len(b_xy):
            return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
        a_node, a_m = snap(self.graph, a_xy)
        b_node, b_m = snap(self.graph, b_xy)
        a_on, b_on = a_m <= MAX_SNAP_M, b_m <= MAX_SNAP_M
        src, dst, seconds = seconds_dijkstra(self.graph, a_node[a_on], b_node[b_on], max_s)
        pairs = pd.DataFrame({"a_node": src, "b_node": dst, "route": seconds})
        starts = pd.DataFrame({"a_node": a_node[a_on], "i": np.flatnonzero(a_on),
                               "a_s": a_m[a_on] / WALK_MS})
        ends = pd.DataFrame({"b_node": b_node[b_on], "j": np.flatnonzero(b_on),
                             "b_s": b_m[b_on] / WALK_MS})
        joined = pairs.merge(starts, on="a_node").merge(ends, on="b_node")
        total = (joined["a_s"] + joined["route"] + joined["b_s"]).to_numpy()
        within = total <= max_s
        i, j = joined["i"].to_numpy()[within], joined["j"].to_numpy()[within]
        # Off the network: the straight line.
        off_a, off_b = np.flatnonzero(~a_on), np.flatnonzero(~b_on)
        line_i, line_j, line_s = [i], [j], [total[within]]
        for rows, cols in ((off_a, np.arange(len(b_xy))), (np.flatnonzero(a_on), off_b)):
            if len(rows) and len(cols):
                k, m, s = StraightWalk().legs(a_xy[rows], b_xy[cols], max_s)
                line_i.append(rows[k])
                line_j.append(cols[m])
                line_s.append(s)
        return (np.concatenate(line_i).astype(np.int64), np.concatenate(line_j).astype(np.int64),
                np.concatenate(line_s))


@dataclass(frozen=True)
class TransitSummary:
    """What :func:`build_transit` computed and stored.

    ``no_stop`` counts the communes with no stop within the walk to a stop (their young
    people, ``no_stop_youth``): there, public transport is walking all the way — true when
    the feeds cover the territory, too harsh when a network is missing from them.
    """

    workspace: Path
    feeds: tuple[dict[str, Any], ...]
    weekday: dt.date
    saturday: dt.date | None
    windows: dict[str, int]
    walk: str
    origins: int
    destinations: int
    stops: int
    no_stop: int
    no_stop_youth: float
    seconds: float


def build_transit(workspace: Workspace | Path | str, gtfs_paths: Sequence[Path | str], *,
                  date: dt.date | None = None, osm_path: Path | str | None = None,
                  windows: Sequence[str] = tuple(WINDOWS), options: TransitOptions | None = None,
                  progress: bool = True, demo: bool = False) -> TransitSummary:
    """Compute the timetabled minutes of every window and store them in the workspace.

    The feeds are checked first (every problem listed). The ``transit`` rows of
    ``travel_times`` and the ``transit_feeds`` table replace the previous ones in one
    transaction, the road modes' rows are kept: a build that fails leaves the workspace as
    it was. ``demo``: the feeds are fictional (the demo's), the layers are marked demo.
    """
    options = options or TransitOptions()
    problems = options.problems() + [
        Problem(f"unknown window {w!r}; expected some of {', '.join(WINDOWS)}")
        for w in windows if w not in WINDOWS]
    if problems:
        raise InputError(problems)
    ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
    began = time.perf_counter()
    feeds = read_feeds(gtfs_paths)
    communes = ws.read("communes")
    origins = commune_origins(communes, ws.read("mairies"))
    codes = communes["code_insee"].astype(str).to_numpy()
    origin_xy = np.column_stack([origins.geometry.x, origins.geometry.y])
    keys = dest_keys(_xy(destinations_of(ws)))
    stop_index, stops_xy = stops_of(feeds)
    _check_area(feeds, stops_xy, origin_xy)
    weekday, saturday = service_dates(feeds, date)
    walk = _walk(osm_path)
    footpaths = _footpaths(feeds, stop_index, stops_xy, walk, options.access_min * 60)
    legs = Legs.walked(walk, origin_xy, stops_xy, keys.astype(float), options=options)
    far = legs.stranded
    youth = communes["youth"].to_numpy(dtype=float) if "youth" in communes else \
        np.zeros(len(codes))
    frames, counts = [], {}
    for name in tqdm(windows, desc="horaires", unit="fenêtre", disable=not progress,
                     file=sys.stderr):
        window = WINDOWS[name]
        day = saturday if window.saturday else weekday
        if day is None:
            continue
        times = service_day(feeds, day, stop_index, window.start_s,
                            window.end_s + int(options.max_min * 60))
        table = Timetable.build(times, len(stop_index), footpaths=footpaths)
        found = window_minutes(table, stops_xy, origin_xy, keys.astype(float), window=window,
                               walk=walk, options=options, legs=legs, progress=progress)
        counts[name] = len(found)
        frames.append(pd.DataFrame({
            "origin": codes[found["origin"].to_numpy()],
            "dest_x": keys[found["dest"].to_numpy(), 0],
            "dest_y": keys[found["dest"].to_numpy(), 1],
            "mode": "transit", "window": name, "minutes": found["minutes"].to_numpy(),
            "minutes_high": found["minutes_high"].to_numpy()}))
    feeds_table = pd.DataFrame([{
        **{k: v for k, v in f.describe().items() if k != "agencies"},
        "agencies": ", ".join(f.agencies), "weekday": weekday.isoformat(),
        "saturday": saturday.isoformat() if saturday else "", "walk": walk.label,
        "max_rides": options.max_rides, "access_min": options.access_min,
        "percentile": options.percentile, "max_min": options.max_min,
        "no_stop": len(far), "communes": len(codes),
        "built": dt.date.today().isoformat()} for f in feeds])
    previous = _road_rows(ws)
    frame = pd.concat([previous, *frames], ignore_index=True) if frames else previous
    meta = {"feeds": [f.describe() for f in feeds], "weekday": weekday.isoformat(),
            "saturday": saturday.isoformat() if saturday else None,
            "windows": counts, "walk": walk.label, "max_rides": options.max_rides,
            "access_min": options.access_min, "percentile": options.percentile,
            "max_min": options.max_min, "no_stop": len(far),
            "engine": "RAPTOR (numpy), territory",
            "built": dt.date.today().isoformat()}
    ws.write({ROUTED_LAYER: typed_times(frame), FEEDS_LAYER: feeds_table},
             source="GTFS " + ", ".join(f.name for f in feeds),
             metadata={"transit_times": meta}, demo=demo)
    return TransitSummary(ws.path, tuple(f.describe() for f in feeds), weekday, saturday,
                          counts, walk.label, len(codes), len(keys), len(stop_index),
                          len(far), float(np.nansum(youth[far])), time.perf_counter() - began)


@dataclass(frozen=True, eq=False)
class Legs:
    """The walks of a build, the same for every window, sorted for lookups.

    Access (origin → stop) sorted by origin with ``acc_ptr`` its offsets; egress (stop →
    destination) sorted by destination, ``egr_starts`` where each destination's begin;
    walking all the way (origin → destination within the cutoff) sorted by origin.
    """

    acc_o: np.ndarray
    acc_s: np.ndarray
    acc_t: np.ndarray
    acc_ptr: np.ndarray
    egr_s: np.ndarray
    egr_t: np.ndarray
    egr_starts: np.ndarray
    egr_dest: np.ndarray
    dir_d: np.ndarray
    dir_t: np.ndarray
    dir_ptr: np.ndarray

    @classmethod
    def walked(cls, walk: Walk, origins_xy: np.ndarray, stops_xy: np.ndarray,
               dest_xy: np.ndarray, *, options: TransitOptions) -> Legs:
        """Compute the walks within reach (and, all the way, within the cutoff)."""
        reach_s = options.access_min * 60
        acc_o, acc_s, acc_t = walk.legs(origins_xy, stops_xy, reach_s)
        egr_s, egr_d, egr_t = walk.legs(stops_xy, dest_xy, reach_s)
        dir_o, dir_d, dir_t = walk.legs(origins_xy, dest_xy, round(options.max_min * 60))
        order = np.lexsort((acc_s, acc_o))
        acc_o, acc_s = acc_o[order], acc_s[order]
        acc_t = np.rint(acc_t[order]).astype(np.int64)
        order = np.argsort(egr_d, kind="stable")
        egr_s, egr_d = egr_s[order], egr_d[order]
        egr_t = np.rint(egr_t[order]).astype(np.int64)
        starts = np.flatnonzero(np.r_[True, egr_d[1:] != egr_d[:-1]]) if len(egr_d) else \
            np.empty(0, np.int64)
        order = np.lexsort((dir_d, dir_o))
        dir_o, dir_d, dir_t = dir_o[order], dir_d[order], dir_t[order]
        every = np.arange(len(origins_xy) + 1)
        return cls(acc_o, acc_s, acc_t, np.searchsorted(acc_o, every), egr_s, egr_t, starts,
                   egr_d[starts], dir_d, dir_t, np.searchsorted(dir_o, every))

    @property
    def stranded(self) -> np.ndarray:
        """The origins with no stop within reach on foot."""
        return np.flatnonzero(self.acc_ptr[1:] == self.acc_ptr[:-1])


def window_minutes(table: Timetable, stops_xy: np.ndarray, origins_xy: np.ndarray,
                   dest_xy: np.ndarray, *, window: Window, walk: Walk,
                   options: TransitOptions | None = None, legs: Legs | None = None,
                   progress: bool = False) -> pd.DataFrame:
    """Return the median and high percentile of the minute-by-minute trip times of a window.

    Columns ``origin``, ``dest`` (positions), ``minutes`` (the median, at most the cutoff),
    ``minutes_high`` (the high percentile; NaN when beyond the cutoff). Walking all the way
    counts when it is quicker. ``legs``: the walks, when already computed (they do not
    depend on the window).
    """
    options = options or TransitOptions()
    cutoff = round(options.max_min * 60)
    samples = np.arange(window.start_s, window.end_s, 60, dtype=np.int64)
    legs = legs or Legs.walked(walk, origins_xy, stops_xy, dest_xy, options=options)
    acc_s, acc_t, acc_ptr = legs.acc_s, legs.acc_t, legs.acc_ptr
    egr_s, egr_t, egr_starts, egr_dest = legs.egr_s, legs.egr_t, legs.egr_starts, legs.egr_dest
    dir_d, dir_t, dir_ptr = legs.dir_d, legs.dir_t, legs.dir_ptr
    q_origin, q_time = _queries(table, legs.acc_o, acc_s, acc_t, window)
    q_ptr = np.searchsorted(q_origin, np.arange(len(origins_xy) + 1))
    found: list[pd.DataFrame] = []
    # Origins with no stop within reach walk all the way.
    walkers = np.flatnonzero(q_ptr[1:] == q_ptr[:-1])
    found.append(_walk_only(walkers, dir_ptr, dir_d, dir_t, cutoff))
    batch = max(1, _CELLS // max(table.n_stops, 1))
    riders = np.flatnonzero(q_ptr[1:] > q_ptr[:-1])
    groups = _batches(riders, q_ptr, batch)
    for group in tqdm(groups, desc=window.label, unit="lot", disable=not progress,
                      file=sys.stderr, leave=False):
        first, last = q_ptr[group[0]], q_ptr[group[-1] + 1]
        rows = np.arange(first, last)
        counts = acc_ptr[q_origin[rows] + 1] - acc_ptr[q_origin[rows]]
        query = np.repeat(np.arange(len(rows)), counts)
        pick = np.repeat(acc_ptr[q_origin[rows]], counts) + _ranges(counts)
        best = earliest_arrivals(table, q_time[rows], (query, acc_s[pick], acc_t[pick]),
                                 max_rides=options.max_rides, limit_s=q_time[rows] + cutoff)
        at_dest = _egress(best, egr_s, egr_t, egr_starts)
        via = _walked_via_stops(table, group, legs, cutoff)
        for number, origin in enumerate(group):
            a, b = q_ptr[origin] - first, q_ptr[origin + 1] - first
            mine = slice(dir_ptr[origin], dir_ptr[origin + 1])
            found.append(_window_stats(origin, at_dest[a:b], q_time[first + a:first + b],
                                       samples=samples, dests=egr_dest, walk_d=dir_d[mine],
                                       walk_s=dir_t[mine], via_s=via[number], cutoff=cutoff,
                                       percentile=options.percentile))
    result = pd.concat(found, ignore_index=True)
    return result.sort_values(["origin", "dest"], ignore_index=True)


def _walked_via_stops(table: Timetable, group: np.ndarray, legs: Legs,
                      cutoff: int) -> np.ndarray:
    """Return origins × destinations seconds on foot through stops, without a ride.

    To a stop, along a footpath (a ``transfers.txt`` link may be quicker than the street),
    from a stop: the same at every minute, so that the queries at boarding events alone
    would miss it.
    """
    counts = legs.acc_ptr[group + 1] - legs.acc_ptr[group]
    pick = np.repeat(legs.acc_ptr[group], counts) + _ranges(counts)
    start = np.zeros(len(group), dtype=np.int64)
    best = earliest_arrivals(table, start, (np.repeat(np.arange(len(group)), counts),
                                            legs.acc_s[pick], legs.acc_t[pick]),
                             max_rides=0, limit_s=start + cutoff)
    return _egress(best, legs.egr_s, legs.egr_t, legs.egr_starts)


def _queries(table: Timetable, acc_o: np.ndarray, acc_s: np.ndarray, acc_t: np.ndarray,
             window: Window) -> tuple[np.ndarray, np.ndarray]:
    """Return the departures that matter, per origin (sorted).

    One per boarding event reachable in the window — at a stop within a walk, or one
    footpath beyond it, as RAPTOR walks — and one at the window's end.
    """
    acc_o, acc_s, acc_t = _with_footpaths(table, acc_o, acc_s, acc_t)
    stop, when = table.departures()
    key = stop * np.int64(2**21) + when
    base = acc_s.astype(np.int64) * np.int64(2**21) + acc_t
    lo = np.searchsorted(key, base + window.start_s)
    hi = np.searchsorted(key, base + window.end_s)
    counts = hi - lo
    origin = np.repeat(acc_o, counts)
    leave = when[np.repeat(lo, counts) + _ranges(counts)] - np.repeat(acc_t, counts)
    ends = np.unique(acc_o)
    origin = np.r_[origin, ends].astype(np.int64)
    leave = np.r_[leave, np.full(len(ends), window.end_s)].astype(np.int64)
    pairs = np.unique(np.column_stack([origin, leave]), axis=0)
    return _sampled_where_dense(pairs[:, 0], pairs[:, 1], window)


def _with_footpaths(table: Timetable, acc_o: np.ndarray, acc_s: np.ndarray,
                    acc_t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Add to the walks to stops those continued along one footpath; the shortest per stop."""
    walks = pd.DataFrame({"o": acc_o, "stop": acc_s, "t": acc_t})
    if len(table.foot_from) and len(walks):
        foot = pd.DataFrame({"stop": table.foot_from, "to": table.foot_to, "f": table.foot_s})
        on = walks.merge(foot, on="stop")
        walks = pd.concat([walks, pd.DataFrame({"o": on["o"], "stop": on["to"],
                                                "t": on["t"] + on["f"]})])
    shortest = walks.groupby(["o", "stop"])["t"].min()
    return (shortest.index.get_level_values("o").to_numpy(np.int64),
            shortest.index.get_level_values("stop").to_numpy(np.int64),
            shortest.to_numpy(np.int64))


def _sampled_where_dense(origin: np.ndarray, leave: np.ndarray,
                         window: Window) -> tuple[np.ndarray, np.ndarray]:
    """Replace an origin's departures by the window's minutes when they are more.

    Near a tram or a busy bus line, the boarding events within a walk number thousands in
    a window; a query at each of the window's minutes gives the same minute-by-minute
    times with at most 120 queries (the earliest arrival of a departure at a minute is the
    query's own).
    """
    samples = np.arange(window.start_s, window.end_s, 60, dtype=np.int64)
    limit = len(samples) if SAMPLED_ABOVE is None else SAMPLED_ABOVE
    counts = np.bincount(origin) if len(origin) else np.zeros(0, np.int64)
    dense = np.flatnonzero(counts > limit)
    if not len(dense):
        return origin, leave
    keep = ~np.isin(origin, dense)
    origin = np.r_[origin[keep], np.repeat(dense, len(samples))]
    leave = np.r_[leave[keep], np.tile(samples, len(dense))]
    order = np.lexsort((leave, origin))
    return origin[order], leave[order]


def _egress(best: np.ndarray, stops: np.ndarray, seconds: np.ndarray,
            starts: np.ndarray) -> np.ndarray:
    """Return queries × destinations (with a stop within reach) earliest arrivals."""
    if not len(starts):
        return np.full((len(best), 0), INF)
    out = np.empty((len(best), len(starts)), dtype=np.int64)
    step = max(1, 4_000_000 // max(len(stops), 1))
    for i in range(0, len(best), step):
        out[i:i + step] = np.minimum.reduceat(best[i:i + step][:, stops] + seconds, starts,
                                              axis=1)
    return out


def _window_stats(origin: int, at_dest: np.ndarray, leave: np.ndarray, *, samples: np.ndarray,
                  dests: np.ndarray, walk_d: np.ndarray, walk_s: np.ndarray,
                  via_s: np.ndarray, cutoff: int, percentile: int) -> pd.DataFrame:
    """One origin's median and high percentile over the window's minutes.

    ``via_s``: the walk through stops to each destination (:func:`_walked_via_stops`).
    """
    best_after = np.minimum.accumulate(at_dest[::-1], axis=0)[::-1]
    useful = np.flatnonzero((best_after[0] - samples[0] <= cutoff + (samples[-1] - samples[0]))
                            | (via_s <= cutoff))
    index = np.searchsorted(leave, samples)
    ride = (np.minimum(best_after[index][:, useful] - samples[:, None], via_s[useful])
            .astype(float))
    ride[ride > 10 * cutoff] = _UNREACHED
    union = np.union1d(dests[useful], walk_d)
    minutes = np.full((len(samples), len(union)), _UNREACHED)
    minutes[:, np.searchsorted(union, dests[useful])] = ride
    at = np.searchsorted(union, walk_d)
    minutes[:, at] = np.minimum(minutes[:, at], walk_s[None, :])
    return _stats(origin, union, minutes, cutoff, percentile)


def _walk_only(origins: np.ndarray, ptr: np.ndarray, dest: np.ndarray, seconds: np.ndarray,
               cutoff: int) -> pd.DataFrame:
    counts = ptr[origins + 1] - ptr[origins]
    pick = np.repeat(ptr[origins], counts) + _ranges(counts)
    minutes = seconds[pick] / 60
    keep = seconds[pick] <= cutoff
    return pd.DataFrame({"origin": np.repeat(origins, counts)[keep], "dest": dest[pick][keep],
                         "minutes": minutes[keep], "minutes_high": minutes[keep]})


def _stats(origin: int, dests: np.ndarray, seconds: np.ndarray, cutoff: int,
           percentile: int) -> pd.DataFrame:
    median, high = np.percentile(seconds, [50, percentile], axis=0)
    keep = median <= cutoff
    high = np.where(high <= cutoff, high / 60, np.nan)[keep]
    return pd.DataFrame({"origin": origin, "dest": dests[keep], "minutes": median[keep] / 60,
                         "minutes_high": high})


def _batches(origins: np.ndarray, ptr: np.ndarray, size: int) -> list[np.ndarray]:
    """Consecutive origins whose queries fill batches of about ``size`` rows."""
    groups: list[np.ndarray] = []
    current: list[int] = []
    filled = 0
    for origin in origins:
        n = int(ptr[origin + 1] - ptr[origin])
        if current and filled + n > size:
            groups.append(np.array(current))
            current, filled = [], 0
        current.append(int(origin))
        filled += n
    if current:
        groups.append(np.array(current))
    return groups


def _ranges(counts: np.ndarray) -> np.ndarray:
    """0…n-1 for each n of ``counts``, concatenated."""
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    if not total:
        return np.empty(0, np.int64)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return np.arange(total, dtype=np.int64) - starts


def _footpaths(feeds: Sequence[Feed], stop_index: pd.Index, stops_xy: np.ndarray,
               walk: Walk, max_s: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the walks between distinct stops within reach, with ``transfers.txt``'s."""
    i, j, seconds = walk.legs(stops_xy, stops_xy, max_s)
    walks = pd.DataFrame({"from": i, "to": j, "seconds": seconds})
    walks = walks[walks["from"] != walks["to"]]
    given = transfers_of(feeds, stop_index)
    if len(given):
        walks = pd.concat([walks, given.astype({"from": np.int64, "to": np.int64})])
        walks = walks.drop_duplicates(["from", "to"], keep="last")
        walks = walks[walks["seconds"] >= 0]
    return (walks["from"].to_numpy(np.int64), walks["to"].to_numpy(np.int64),
            walks["seconds"].to_numpy(float))


def _walk(osm_path: Path | str | None) -> Walk:
    if osm_path is None:
        return StraightWalk()
    path = check_extract(osm_path)
    graph = read_graph(path, "walk")
    if graph is None:
        raise no_road(path)
    return NetworkWalk(graph, path.name)


def _check_area(feeds: Sequence[Feed], stops_xy: np.ndarray, origin_xy: np.ndarray) -> None:
    """Refuse feeds none of whose stops lies within 20 km of the workspace's communes."""
    if not len(stops_xy):
        raise InputError([Problem("no boarding stop (stops.txt has only stations or "
                                  "entrances)", file=f.name) for f in feeds])
    lo, hi = origin_xy.min(axis=0) - 20_000, origin_xy.max(axis=0) + 20_000
    inside = ((stops_xy >= lo) & (stops_xy <= hi)).all(axis=1)
    if not inside.any():
        raise InputError([Problem(
            "none of the feeds' stops lies within 20 km of the workspace's communes: the "
            "feeds cover another area; give the feeds of the region the workspace covers "
            "(e.g. the aggregated feed of Nouvelle-Aquitaine on transport.data.gouv.fr)",
            file=", ".join(f.name for f in feeds))])


def _road_rows(ws: Workspace) -> pd.DataFrame:
    """Return the stored rows of the road modes (kept when the timetables are rebuilt)."""
    if ROUTED_LAYER not in ws.layers():
        return typed_times(pd.DataFrame(columns=["origin", "dest_x", "dest_y", "mode", "window",
                                            "minutes", "minutes_high"]))
    frame = pd.DataFrame(ws.read(ROUTED_LAYER))
    return typed_times(frame[frame["mode"].astype(str) != "transit"])


def _xy(frame: gpd.GeoDataFrame) -> np.ndarray:
    if not len(frame):
        return np.empty((0, 2))
    return np.column_stack([frame.geometry.x, frame.geometry.y])
