"""Point in polygon: 1,000,000 contact points to the region's communes, against ``sjoin``.

The points are drawn around the town halls, weighted by population, with a 3 km spread (a
share falls outside the region, as geocoded addresses would near a border). territory's
:func:`~territory.analysis.points.locate` (grid cells tested against prepared polygons, then
``contains_xy`` for the points of boundary cells only) is compared with
``geopandas.sjoin(..., predicate="within")``; both assignments must be identical, point by
point. The two take turns, several times; the report gives the best and median seconds, the
speed-up, and the peak memory each one allocates (tracemalloc: Python and NumPy
allocations, not GEOS internals).
"""

from __future__ import annotations

import statistics
import time
import tracemalloc
from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd

from territory.analysis import count_points, locate
from territory.io.geodata import read_reference

N_POINTS = 1_000_000
SPREAD_M = 3000.0
REPEAT = 5


def _points(communes: gpd.GeoDataFrame, mairies: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(0)
    weight = communes.set_index("code_insee")["population"].reindex(mairies["code_insee"])
    p = weight.fillna(0).to_numpy(dtype=float)
    pick = rng.choice(len(mairies), size=N_POINTS, p=p / p.sum())
    x = mairies.geometry.x.to_numpy()[pick] + rng.normal(0, SPREAD_M, N_POINTS)
    y = mairies.geometry.y.to_numpy()[pick] + rng.normal(0, SPREAD_M, N_POINTS)
    return gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs=communes.crs)


def _sjoin(points: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> pd.Series:
    joined = gpd.sjoin(points, communes[["code_insee", "geometry"]], how="left",
                       predicate="within")
    return joined.loc[~joined.index.duplicated(), "code_insee"].astype("object")


def _peak_mb(run: Callable[[], pd.Series]) -> float:
    tracemalloc.start()
    run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6


def _interleaved(runs: dict[str, Callable[[], pd.Series]]) -> dict[str, list[float]]:
    """Seconds of each run, taking turns so that a busy machine hurts both alike."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(REPEAT):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return times


def main() -> None:
    communes = read_reference("communes")
    points = _points(communes, read_reference("mairies"))
    runs = {"sjoin": lambda: _sjoin(points, communes), "ours": lambda: locate(points, communes)}
    reference, ours = runs["sjoin"](), runs["ours"]()
    seconds = _interleaved(runs)
    ref_mb, our_mb = _peak_mb(runs["sjoin"]), _peak_mb(runs["ours"])
    same = bool((ours.fillna("") == reference.fillna("")).all())
    assert same, "locate() and sjoin() assign some points differently"
    counts = count_points(points, communes)
    by_sjoin = reference.value_counts().reindex(communes["code_insee"]).fillna(0)
    assert (counts.to_numpy() == by_sjoin.to_numpy()).all()
    inside = int(ours.notna().sum())
    print(f"{N_POINTS:,} points → {len(communes):,} communes ({inside:,} inside); "
          f"{REPEAT} interleaved runs; identical assignments: {same}")
    print(f"{'method':<38}{'best s':>8}{'median s':>10}{'peak MB':>9}")
    for label, name, peak in (("geopandas.sjoin (predicate=within)", "sjoin", ref_mb),
                              ("territory.analysis.locate", "ours", our_mb)):
        print(f"{label:<38}{min(seconds[name]):>8.3f}"
              f"{statistics.median(seconds[name]):>10.3f}{peak:>9.0f}")
    best = min(seconds["sjoin"]) / min(seconds["ours"])
    median = statistics.median(seconds["sjoin"]) / statistics.median(seconds["ours"])
    print(f"speed-up sjoin / territory: {best:.2f} (best), {median:.2f} (median); "
          f"memory ratio {our_mb / ref_mb:.2f}")


if __name__ == "__main__":
    main()
