"""National access and hexagons: one process, Dask on spatial partitions, and PySAL access.

Input: the 34,742 communes of metropolitan France (``~/.cache/territory/france.gpkg``, built as
in ``bench_dask``), youth = population × 10.6 %, origins at the town halls; supply: ML sites
at the town halls of the communes of 5,000 inhabitants or more (8 sessions a month each)
plus 100,000 synthetic outreach actions at town halls drawn with population weights over
2020 (one in ten online). Threshold 30 minutes, step weights (Luo & Qi 2009).

Runs, one after the other on this machine:

* **local**: :func:`territory.analysis.access` and :func:`territory.analysis.by_hexagons`
  (resolution 7, cache emptied), in this process;
* **dask**: :func:`territory.scale.access.access_graph` and
  :func:`~territory.scale.access.hexagons_graph` on a local cluster of two single-threaded
  workers (the cluster's start is timed apart); results must be equal to the local ones,
  bit for bit;
* **PySAL** ``access`` 1.1 ``enhanced_two_stage_fca`` on the same demand, supply and pairs
  within 30 minutes (a dense table would hold 34,742 × 104,000 pairs); its values must agree
  with ours within 1e-9 (relative).

Run: ``python benchmarks/bench_dask_access.py`` or ``make bench``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from access import Access

import territory.analysis.hexagons as hexagon_cache
from territory import scale
from territory.analysis import (
    TravelPairs,
    access,
    by_hexagons,
    commune_origins,
    open_sites,
    outreach_places,
    supply_points,
)
from territory.analysis.params import DEFAULTS
from territory.io import geodata
from territory.io.workspace import YOUTH_SHARE
from territory.scale.access import access_graph, commune_partitions, hexagons_graph

SITE_POPULATION = 5_000
ACTIONS = 100_000
RESOLUTION = 7
WORKERS = 2
TOLERANCE = 1e-9


def _timed(run: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def national_inputs() -> dict[str, gpd.GeoDataFrame]:
    """Communes, town halls, sites and actions of metropolitan France."""
    import bench_dask  # noqa: PLC0415  (the national base is built there)

    base = bench_dask.national_base()
    communes = geodata.read_reference("communes", path=base)
    communes["youth"] = (communes["population"] * YOUTH_SHARE).round().astype("int64")
    mairies = geodata.read_reference("mairies", path=base)
    big = set(communes.loc[communes["population"] >= SITE_POPULATION, "code_insee"])
    at = mairies[mairies["code_insee"].isin(big)]
    sites = gpd.GeoDataFrame({"site_id": at["code_insee"].to_numpy(),
                              "sessions_per_month": 8.0}, geometry=at.geometry.to_numpy(),
                             crs=2154)
    rng = np.random.default_rng(2020)
    weight = communes.set_index("code_insee")["population"].reindex(mairies["code_insee"])
    p = weight.fillna(0).to_numpy(dtype=float)
    pick = rng.choice(len(mairies), ACTIONS, p=p / p.sum())
    actions = gpd.GeoDataFrame({
        "kind": np.where(rng.random(ACTIONS) < 0.1, "numerique", "maraude"),
        "date": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 366, ACTIONS),
                                                             unit="D"),
    }, geometry=mairies.geometry.to_numpy()[pick], crs=2154)
    return {"communes": communes, "mairies": mairies, "sites": sites, "actions": actions}


def _pysal(inputs: dict[str, gpd.GeoDataFrame], period: tuple[str, str]) -> tuple[float, Any]:
    """PySAL's E2SFCA on our demand, supply and pairs within the threshold."""
    communes = inputs["communes"]
    on = open_sites(inputs["sites"], period=period)
    places = outreach_places(inputs["actions"], period=period)
    supply_xy, sessions = supply_points(on, places, period=period, params=DEFAULTS)
    origins = commune_origins(communes, inputs["mairies"])
    pairs = TravelPairs.from_points(shapely.get_coordinates(origins.geometry.to_numpy()),
                                    supply_xy, max_min=DEFAULTS.threshold_min)
    demand = pd.DataFrame({"youth": communes["youth"].astype(float).to_numpy()},
                          index=pd.RangeIndex(len(communes), name="geoid"))
    supply = pd.DataFrame({"sessions": sessions}, index=pd.RangeIndex(len(sessions),
                                                                      name="geoid"))
    cost = pd.DataFrame({"origin": pairs.origin, "dest": pairs.target,
                         "minutes": pairs.minutes})

    def run() -> pd.Series:
        model = Access(demand_df=demand, demand_index=True, demand_value="youth",
                       supply_df=supply, supply_index=True, supply_value="sessions",
                       cost_df=cost, cost_origin="origin", cost_dest="dest",
                       cost_name="minutes")
        found = model.enhanced_two_stage_fca(name="e2sfca", max_cost=DEFAULTS.threshold_min)
        return found["e2sfca_sessions"].reindex(demand.index).fillna(0.0) * 1000

    return _timed(run)


def main() -> None:
    logging.getLogger("access").setLevel(logging.WARNING)
    inputs = national_inputs()
    communes = inputs["communes"]
    period = ("2020-01", "2020-12")
    print(f"{len(communes):,} communes; {len(inputs['sites']):,} sites and "
          f"{ACTIONS:,} actions; {WORKERS} Dask workers")
    local_s, local = _timed(lambda: access(communes, inputs["sites"],
                                           actions=inputs["actions"],
                                           mairies=inputs["mairies"], period=period))
    hexagon_cache._CACHE.clear()  # a first build, as the Dask engine does
    hex_local_s, hex_local = _timed(lambda: by_hexagons(communes, resolution=RESOLUTION))
    started = time.perf_counter()
    with scale.cluster(n_workers=WORKERS) as client:
        start_s = time.perf_counter() - started
        parts = commune_partitions(communes, 4 * WORKERS)
        dask_s, dask = _timed(lambda: scale.compute(client, access_graph(
            communes, parts, inputs["sites"], actions=inputs["actions"],
            mairies=inputs["mairies"], period=period, params=DEFAULTS), progress=False))
        hex_dask_s, hex_dask = _timed(lambda: scale.compute(
            client, hexagons_graph(communes, parts, RESOLUTION), progress=False))
    pd.testing.assert_frame_equal(dask, local, check_exact=True)
    for name in ("row", "zone", "weight"):
        assert np.array_equal(getattr(hex_dask[0], name), getattr(hex_local[0], name))
    pysal_s, reference = _pysal(inputs, period)
    scale_ = np.maximum(np.abs(reference.to_numpy()), 1e-12)
    worst = float(np.max(np.abs(local["e2sfca"].to_numpy() - reference.to_numpy()) / scale_))
    assert worst <= TOLERANCE, f"E2SFCA differs from PySAL by {worst:.2e}"
    print(f"{'step':<38}{'local s':>9}{'dask s':>9}{'PySAL s':>9}  same result")
    print(f"{'access (nearest site, place, E2SFCA)':<38}{local_s:>9.2f}{dask_s:>9.2f}"
          f"{pysal_s:>9.2f}  dask: bit for bit; PySAL E2SFCA within {worst:.1e}")
    print(f"{f'H3 resolution {RESOLUTION} apportionment':<38}{hex_local_s:>9.2f}"
          f"{hex_dask_s:>9.2f}{'':>9}  bit for bit ({len(hex_local[0].zones):,} hexagons)")
    print(f"Dask cluster start: {start_s:.1f} s (not in the times above); PySAL's time "
          "excludes building the pairs, which ours includes.")


if __name__ == "__main__":
    main()
