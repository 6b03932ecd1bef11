"""Public transport on a feed of a region's size: range RAPTOR against a time-expanded Dijkstra.

A synthetic regional feed is written as GTFS (``--stops`` stops at the town halls of the
most populous communes of Nouvelle-Aquitaine, ``--routes`` routes — lines and their return —
chaining nearby stops, ``--trips`` trips spread over the day at coach speed), then:

1. ``territory network build --gtfs`` on the demo workspace of the region, one window
   (weekday 7–9 h): every commune × every destination (sites, outreach places, town halls),
   a departure every minute — time of each stage and peak memory (in a child process: its
   peak resident size above its start);
2. the reference, Dijkstra on a time-expanded graph (scipy.sparse.csgraph, the tests'
   implementation), on the same feed and day for a sample of origins and departure minutes,
   against RAPTOR's arrivals for the same queries: the largest difference, and the time per
   query of each (RAPTOR's time per query: the whole window's build over its queries, and
   the same queries alone).

3. pyraptor, the Python RAPTOR package, on the same day's trips for a sample of queries (from
   a stop, at a departure minute; no walking: pyraptor walks only between the platforms of a
   station) against territory's RAPTOR on the same queries: arrivals compared, time per
   query. pyraptor pins pandas < 2 (and numpy < 2 with it), so it runs in its own virtual
   environment (``benchmarks/.pyraptor-venv``, made on the first run with pip; skipped, with
   the reason, when pip cannot install it).

    python benchmarks/bench_transit.py
    python benchmarks/bench_transit.py --stops 500 --routes 100 --trips 5000  # quicker
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pyproj import Transformer
from scipy.spatial import cKDTree

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "network"))

from gtfs_feed import hms, time_expanded_arrivals, write_feed  # noqa: E402

from territory._crs import LAMBERT93, WGS84  # noqa: E402
from territory.analysis.access import commune_origins  # noqa: E402
from territory.analysis.travel import WINDOWS  # noqa: E402
from territory.demo import build_demo  # noqa: E402
from territory.io.workspace import Workspace  # noqa: E402
from territory.network import build_transit  # noqa: E402
from territory.network.gtfs import read_feeds, service_day, stops_of  # noqa: E402
from territory.network.raptor import INF, Timetable, earliest_arrivals  # noqa: E402
from territory.network.routing import dest_keys  # noqa: E402
from territory.network.store import destinations_of  # noqa: E402
from territory.network.transit import (  # noqa: E402
    StraightWalk,
    TransitOptions,
    _footpaths,
    window_minutes,
)

DAY = dt.date(2026, 11, 10)
PYRAPTOR_VENV = HERE / ".pyraptor-venv"
# pyraptor imports attrs without declaring it, and its pandas 1.5 needs numpy < 2.
PYRAPTOR_REQUIREMENTS = ("pyraptor==1.3.10", "numpy<2", "attrs")
SEED = 2019
COACH_KMH = 40.0


def synthetic_feed(path: Path, workspace: Path, *, stops: int, routes: int, trips: int,
                   seed: int = SEED) -> dict[str, int]:
    """Write a feed of the region's size; return its counts."""
    rng = np.random.default_rng(seed)
    ws = Workspace(workspace)
    communes = ws.read("communes")
    origins = commune_origins(communes, ws.read("mairies"))
    order = np.argsort(-communes["population"].to_numpy(dtype=float))[:stops]
    xy = np.column_stack([origins.geometry.x, origins.geometry.y])[order]
    xy = xy + rng.normal(0, 80, xy.shape)  # a stop near, not at, the town hall
    lon, lat = Transformer.from_crs(LAMBERT93, WGS84, always_xy=True).transform(*xy.T)
    ids = [f"S{k}" for k in range(len(xy))]
    tree = cKDTree(xy)
    lines = routes // 2
    per_route = max(1, trips // (2 * lines))
    rows_trips, rows_times, rows_routes = [], [], []
    for line in range(lines):
        path_stops = [int(rng.integers(len(xy)))]
        for _ in range(int(rng.integers(8, 25))):
            _, near = tree.query(xy[path_stops[-1]], k=8)
            choices = [int(s) for s in near[1:] if int(s) not in path_stops]
            if not choices:
                break
            path_stops.append(int(rng.choice(choices)))
        legs = np.hypot(*np.diff(xy[path_stops], axis=0).T) * 1.3 / (COACH_KMH / 3.6)
        for direction, sequence in enumerate((path_stops, path_stops[::-1])):
            route = f"R{line}-{direction}"
            rows_routes.append({"route_id": route, "route_short_name": route,
                                "route_type": 3})
            seconds = legs if direction == 0 else legs[::-1]
            first = 5 * 3600 + rng.integers(0, 1800)
            headway = (16 * 3600) // per_route
            for k in range(per_route):
                trip = f"{route}-{k}"
                rows_trips.append({"route_id": route, "service_id": "SEM", "trip_id": trip})
                t = int(first + k * headway + rng.integers(-120, 120))
                for number, stop in enumerate(sequence):
                    rows_times.append({"trip_id": trip, "arrival_time": hms(t),
                                       "departure_time": hms(t + 30 if number else t),
                                       "stop_id": ids[stop], "stop_sequence": number + 1})
                    if number < len(seconds):
                        t += 30 + int(seconds[number])
    write_feed(path, {
        "agency.txt": [{"agency_id": "R", "agency_name": "Réseau synthétique",
                        "agency_url": "https://example.org",
                        "agency_timezone": "Europe/Paris"}],
        "stops.txt": [{"stop_id": i, "stop_name": i, "stop_lat": f"{a:.6f}",
                       "stop_lon": f"{o:.6f}"} for i, a, o in zip(ids, lat, lon, strict=True)],
        "routes.txt": rows_routes, "trips.txt": rows_trips, "stop_times.txt": rows_times,
        "calendar.txt": [{"service_id": "SEM", "monday": 1, "tuesday": 1, "wednesday": 1,
                          "thursday": 1, "friday": 1, "saturday": 0, "sunday": 0,
                          "start_date": "20260901", "end_date": "20261231"}]})
    return {"stops": len(ids), "routes": len(rows_routes), "trips": len(rows_trips),
            "stop_times": len(rows_times)}


def _child(task: str, args: dict[str, Any], queue: Any) -> None:
    start_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = _build(**args) if task == "build" else _reference(**args)
    result["peak_rss_mib"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                              - start_rss) / 1024
    queue.put(result)


def _run(task: str, **args: Any) -> dict[str, Any]:
    context = mp.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(task, args, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def _build(workspace: str, feed: str) -> dict[str, Any]:
    began = time.perf_counter()
    summary = build_transit(workspace, [feed], date=DAY, windows=["weekday_am"],
                            progress=False)
    return {"seconds": time.perf_counter() - began, "pairs": summary.windows["weekday_am"],
            "origins": summary.origins, "destinations": summary.destinations,
            "no_stop": summary.no_stop}


def _stage_times(workspace: str, feed: str) -> dict[str, float]:
    """Time the stages of one window apart (feeds, timetable, queries and rounds)."""
    times: dict[str, float] = {}
    t = time.perf_counter()
    feeds = read_feeds([feed])
    times["read and check the feed (gtfs-kit)"] = time.perf_counter() - t
    ws = Workspace(workspace)
    communes = ws.read("communes")
    origins = commune_origins(communes, ws.read("mairies"))
    origin_xy = np.column_stack([origins.geometry.x, origins.geometry.y])
    dests = destinations_of(ws)
    keys = dest_keys(np.column_stack([dests.geometry.x, dests.geometry.y])).astype(float)
    index, stops_xy = stops_of(feeds)
    window, walk, options = WINDOWS["weekday_am"], StraightWalk(), TransitOptions()
    t = time.perf_counter()
    footpaths = _footpaths(feeds, index, stops_xy, walk, options.access_min * 60)
    day = service_day(feeds, DAY, index, window.start_s, window.end_s + 5400)
    table = Timetable.build(day, len(index), footpaths=footpaths)
    times["the day's trips as patterns"] = time.perf_counter() - t
    t = time.perf_counter()
    found = window_minutes(table, stops_xy, origin_xy, keys, window=window, walk=walk,
                           options=options)
    times["every origin × destination, every minute (RAPTOR)"] = time.perf_counter() - t
    times["pairs"] = float(len(found))
    times["patterns"] = float(len(table.patterns))
    return times


def _reference(workspace: str, feed: str, origins: int, minutes: int) -> dict[str, Any]:
    """Time-expanded Dijkstra and RAPTOR on the same sample of queries."""
    feeds = read_feeds([feed])
    index, stops_xy = stops_of(feeds)
    window, walk, options = WINDOWS["weekday_am"], StraightWalk(), TransitOptions(max_rides=8)
    footpaths = _footpaths(feeds, index, stops_xy, walk, options.access_min * 60)
    day = service_day(feeds, DAY, index, window.start_s, window.end_s + 5400)
    table = Timetable.build(day, len(index), footpaths=footpaths)
    ws = Workspace(workspace)
    communes = ws.read("communes")
    origin_pts = commune_origins(communes, ws.read("mairies"))
    origin_xy = np.column_stack([origin_pts.geometry.x, origin_pts.geometry.y])
    acc_o, acc_s, acc_t = walk.legs(origin_xy, stops_xy, options.access_min * 60)
    rng = np.random.default_rng(SEED)
    sample = rng.choice(np.unique(acc_o), size=origins, replace=False)
    starts = np.sort(rng.choice(np.arange(window.start_s, window.end_s, 60), size=minutes,
                                replace=False))
    queries, q_index, q_stop, q_walk = [], [], [], []
    for origin in sample:
        access = [(int(s), float(w)) for s, w in zip(acc_s[acc_o == origin],
                                                      acc_t[acc_o == origin], strict=True)]
        for start in starts:
            q_index += [len(queries)] * len(access)
            q_stop += [s for s, _ in access]
            q_walk += [w for _, w in access]
            queries.append((int(start), access))
    start_s = np.array([q[0] for q in queries])
    t = time.perf_counter()
    reference = time_expanded_arrivals(day, len(index), footpaths, queries)
    te_s = time.perf_counter() - t
    t = time.perf_counter()
    best = earliest_arrivals(table, start_s, (np.array(q_index), np.array(q_stop),
                                              np.array(q_walk)),
                             max_rides=options.max_rides, limit_s=start_s + 10**6)
    raptor_s = time.perf_counter() - t
    # Within the cutoff (the reference, with no ride limit and no horizon, reaches stops
    # late in the day after many rides; the build stores nothing beyond 90 minutes).
    mine = np.where(best >= INF, np.inf, best)
    horizon = start_s[:, None] + 5400
    within = (mine <= horizon) | (reference <= horizon)
    diff = float(np.max(np.abs(mine[within] - reference[within]))) if within.any() else 0.0
    return {"queries": len(queries), "te_seconds": te_s, "raptor_seconds": raptor_s,
            "max_diff_s": diff, "events": len(day), "compared": int(within.sum())}


def _pyraptor_python() -> tuple[Path | None, str]:
    """Return pyraptor's environment's Python (made on the first run), or why there is none."""
    python = PYRAPTOR_VENV / "bin" / "python"
    if python.exists():
        return python, "benchmarks/.pyraptor-venv"
    try:
        subprocess.run([sys.executable, "-m", "venv", str(PYRAPTOR_VENV)], check=True,
                       capture_output=True, text=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *PYRAPTOR_REQUIREMENTS],
                       check=True, capture_output=True, text=True)
    except subprocess.CalledProcessError as error:
        shutil.rmtree(PYRAPTOR_VENV, ignore_errors=True)
        return None, (error.stderr or str(error)).strip().splitlines()[-1]
    return python, "benchmarks/.pyraptor-venv (made now)"


def _against_pyraptor(feed: str, queries: int, rounds: int, folder: Path) -> dict[str, Any]:
    """pyraptor and territory's RAPTOR on the same queries (stop, departure), no walking."""
    python, where = _pyraptor_python()
    if python is None:
        return {"skipped": where}
    feeds = read_feeds([feed])
    index, _ = stops_of(feeds)
    window = WINDOWS["weekday_am"]
    day = service_day(feeds, DAY, index, window.start_s, window.end_s + 5400)
    rng = np.random.default_rng(SEED)
    origin = rng.choice(np.unique(day["stop"].to_numpy()), size=queries, replace=False)
    start = rng.integers(window.start_s, window.end_s, size=queries)
    given, got = folder / "pyraptor-in.npz", folder / "pyraptor-out.npz"
    np.savez(given, trip=pd.factorize(day["trip"])[0], stop=day["stop"].to_numpy(),
             arr=day["arr"].to_numpy(), dep=day["dep"].to_numpy(), n_stops=len(index),
             origin=origin, start=start, rounds=rounds)
    subprocess.run([str(python), str(HERE / "_pyraptor_side.py"), str(given), str(got)],
                   check=True)
    theirs = np.load(got)
    t = time.perf_counter()
    table = Timetable.build(day, len(index))
    build_s = time.perf_counter() - t
    t = time.perf_counter()
    best = earliest_arrivals(table, start, (np.arange(queries), origin, np.zeros(queries)),
                             max_rides=rounds, limit_s=start + 10**6)
    query_s = time.perf_counter() - t
    mine = np.where(best >= INF, -1, best)
    return {"where": where, "queries": queries, "rounds": rounds, "cells": mine.size,
            "reached": int((mine >= 0).sum()),
            "differ": int((mine != theirs["arrivals"]).sum()),
            "their_build_s": float(theirs["build_s"]), "their_query_s": float(theirs["query_s"]),
            "build_s": build_s, "query_s": query_s}


def _print_pyraptor(result: dict[str, Any]) -> None:
    if "skipped" in result:
        print(f"\npyraptor: not run ({result['skipped']})")
        return
    n = result["queries"]
    per_theirs, per_mine = result["their_query_s"] / n, result["query_s"] / n
    print(f"\npyraptor 1.3.10 ({result['where']}), same {n} queries from a stop at a "
          f"departure minute, up to {result['rounds']} rides, no walking:")
    print(f"  arrivals that differ: {result['differ']:,} of {result['cells']:,} "
          f"query × stop cells ({result['reached']:,} reached)")
    print(f"  timetable: pyraptor {result['their_build_s']:.1f} s, territory "
          f"{result['build_s']:.2f} s")
    print(f"  per query: pyraptor {per_theirs * 1000:,.0f} ms, territory "
          f"{per_mine * 1000:.1f} ms (the {n} in one batch); ratio "
          f"{per_theirs / per_mine:,.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stops", type=int, default=2000)
    parser.add_argument("--routes", type=int, default=400)
    parser.add_argument("--trips", type=int, default=20_000)
    parser.add_argument("--sample-origins", type=int, default=6)
    parser.add_argument("--sample-minutes", type=int, default=20)
    parser.add_argument("--pyraptor-queries", type=int, default=6,
                        help="queries run by pyraptor (about 7 s each on this feed; 0: none)")
    parser.add_argument("--pyraptor-rounds", type=int, default=8)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder) / "base.gpkg"
        Workspace.create(base)
        build_demo(Workspace(base), seed=SEED)
        feed = Path(folder) / "region.zip"
        counts = synthetic_feed(feed, base, stops=args.stops, routes=args.routes,
                                trips=args.trips)
        print(f"feed: {counts['stops']:,} stops, {counts['routes']:,} routes, "
              f"{counts['trips']:,} trips, {counts['stop_times']:,} stop times "
              f"({feed.stat().st_size / 2**20:.1f} MiB zipped)")
        work = Path(folder) / "work.gpkg"
        shutil.copyfile(base, work)
        built = _run("build", workspace=str(work), feed=str(feed))
        print(f"\nterritory network build --gtfs, one window (weekday 7–9 h), "
              f"{built['origins']:,} communes × {built['destinations']:,} destinations, "
              f"a departure every minute:")
        print(f"  {built['seconds']:.1f} s in all, peak resident memory "
              f"+{built['peak_rss_mib']:.0f} MiB, "
              f"{built['pairs']:,} pairs within 90 min; {built['no_stop']:,} communes with "
              "no stop within 20 min on foot")
        stages = _stage_times(str(base), str(feed))
        print(f"  stages ({stages.pop('patterns'):.0f} patterns, "
              f"{stages.pop('pairs'):,.0f} pairs):")
        for name, seconds in stages.items():
            print(f"    {name}: {seconds:.1f} s")
        ref = _run("reference", workspace=str(base), feed=str(feed),
                   origins=args.sample_origins, minutes=args.sample_minutes)
        per_te = ref["te_seconds"] / ref["queries"] * 1000
        per_raptor = ref["raptor_seconds"] / ref["queries"] * 1000
        print(f"\nsame {ref['queries']:,} queries ({args.sample_origins} communes × "
              f"{args.sample_minutes} departure minutes; {ref['events']:,} stop events):")
        print(f"  time-expanded Dijkstra (scipy.sparse.csgraph): {ref['te_seconds']:.1f} s, "
              f"{per_te:.1f} ms per query")
        print(f"  RAPTOR (territory.network.raptor): {ref['raptor_seconds']:.2f} s, "
              f"{per_raptor:.2f} ms per query; ratio Dijkstra / RAPTOR "
              f"{per_te / per_raptor:.1f}")
        print(f"  largest difference of the arrivals within 90 min "
              f"({ref['compared']:,} query × stop pairs): {ref['max_diff_s']:.0f} s")
        whole = built["origins"] * 120
        print(f"  the window's {whole:,} origin-minutes by the reference, at its rate: "
              f"≈ {whole * per_te / 1000 / 60:.0f} min, against {built['seconds']:.0f} s for "
              "the build")
        if args.pyraptor_queries:
            _print_pyraptor(_against_pyraptor(str(feed), args.pyraptor_queries,
                                              args.pyraptor_rounds, Path(folder)))


if __name__ == "__main__":
    main()
