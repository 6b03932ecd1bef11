"""Access and hexagons on Dask: the communes in spatial partitions, sums in one order.

The communes are split into spatially coherent ``dask-geopandas`` partitions (runs along a
Hilbert curve), and every partition computes, for its communes:

* the origin (town hall, else a point inside), the minutes to the nearest open ML site and to
  the nearest outreach place of the period (KD-trees over all sites and places);
* the E2SFCA pairs: every (commune, supply point) within the threshold, their decay weights
  and weighted demand;
* for an ``h3`` level, the commune's share of area in each hexagon it overlaps.

E2SFCA's first step sums, for each supply point, the demand around it: the pairs are
shuffled by supply point (range buckets), and each bucket sums them in the order of the
communes, which is the order :func:`territory.analysis.e2sfca` sums them in; its second step
sums, for each commune, the ratios of the points within reach, in each commune's partition.
Floating-point sums done in the same order give the same bits, so the table equals the
single-machine engine's exactly, whatever the number of partitions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import dask
import dask_geopandas
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from dask.delayed import Delayed

from territory.analysis import (
    Crosswalk,
    Parameters,
    TravelPairs,
    commune_origins,
    decay_weights,
    hexagon_crosswalk,
    hexagon_weights,
    nearest_min,
    open_sites,
    outreach_places,
    supply_points,
)
from territory.analysis.hexagons import check_polygons
from territory.analysis.period import PeriodLike

__all__ = ["access_graph", "commune_partitions", "hexagons_graph"]

PER_YOUTH = 1000.0
HILBERT_LEVEL = 16
_POSITION = "_pos"


def commune_partitions(communes: gpd.GeoDataFrame, npartitions: int) -> list[Delayed]:
    """Return the communes as ``npartitions`` spatial partitions, delayed.

    The communes are ordered along a Hilbert curve over their extent (the order
    ``dask-geopandas``' ``spatial_shuffle`` uses) and cut into runs of equal length, so each
    partition is a compact area. The communes are all at hand, so this needs no pass over
    the cluster. Each partition keeps the communes' columns and gains ``_pos``, the
    commune's position in ``communes``, which puts the results back in order.
    """
    frame = communes.assign(**{_POSITION: np.arange(len(communes), dtype=np.int64)})
    parts = max(1, min(npartitions, len(frame)))
    if parts > 1:
        distance = frame.geometry.hilbert_distance(total_bounds=frame.total_bounds,
                                                   level=HILBERT_LEVEL).to_numpy()
        frame = frame.iloc[np.argsort(distance, kind="stable")]
    ddf = dask_geopandas.from_geopandas(frame, npartitions=parts, sort=False)
    return list(ddf.to_delayed())


@dataclass(frozen=True)
class _Pairs:
    """One partition's access results and E2SFCA pairs."""

    table: pd.DataFrame  # _pos, origin_source, site_min, action_min
    origin: np.ndarray  # position of the commune in its partition
    position: np.ndarray  # position of the commune in all communes
    target: np.ndarray
    weight: np.ndarray
    demand: np.ndarray  # youth × weight


@dataclass(frozen=True)
class _Supply:
    """What every partition needs besides its communes: small tables."""

    mairies: gpd.GeoDataFrame | None
    sites: gpd.GeoDataFrame  # open in the period
    places: gpd.GeoDataFrame  # outreach places of the period
    xy: np.ndarray  # E2SFCA supply points: sites, then places


def _partition_access(part: gpd.GeoDataFrame, supply: _Supply, params: Parameters) -> _Pairs:
    origins = commune_origins(part, supply.mairies)
    xy = shapely.get_coordinates(origins.geometry.to_numpy()).reshape(-1, 2)
    pairs = TravelPairs.from_points(xy, supply.xy, max_min=params.threshold_min,
                                    params=params)
    weight = decay_weights(pairs.minutes, threshold_min=params.threshold_min,
                           decay=params.decay)
    youth = pd.to_numeric(part["youth"]).astype("float64").fillna(0.0).to_numpy()
    position = part[_POSITION].to_numpy(dtype=np.int64)
    table = pd.DataFrame({
        _POSITION: position,
        "origin_source": origins["origin_source"].to_numpy(dtype=object),
        "site_min": nearest_min(origins, supply.sites, params=params).to_numpy(),
        "action_min": nearest_min(origins, supply.places, params=params).to_numpy(),
    })
    return _Pairs(table, pairs.origin, position[pairs.origin], pairs.target, weight,
                  youth[pairs.origin] * weight)


_Piece = tuple[np.ndarray, np.ndarray, np.ndarray]  # commune position, target, demand


def _split_by_target(pairs: _Pairs, bounds: Sequence[tuple[int, int]]) -> tuple[_Piece, ...]:
    """Cut a partition's pairs into the supply-point buckets ``bounds`` (the shuffle)."""
    return tuple((pairs.position[keep], pairs.target[keep], pairs.demand[keep])
                 for lo, hi in bounds for keep in [(pairs.target >= lo) & (pairs.target < hi)])


def _bucket_demand(pieces: Sequence[_Piece], lo: int, hi: int) -> np.ndarray:
    """Demand around supply points ``lo``..``hi``, summed in the order of the communes."""
    position = np.concatenate([piece[0] for piece in pieces])
    target = np.concatenate([piece[1] for piece in pieces])
    demand = np.concatenate([piece[2] for piece in pieces])
    order = np.lexsort((position, target))
    return np.bincount(target[order] - lo, weights=demand[order], minlength=hi - lo)


def _ratios(sessions: np.ndarray, *around: np.ndarray) -> np.ndarray:
    total = np.concatenate(around) if around else np.zeros(0)
    return np.divide(sessions, total, out=np.zeros_like(sessions), where=total > 0)


def _partition_result(pairs: _Pairs, ratio: np.ndarray, threshold_min: float) -> pd.DataFrame:
    table = pairs.table
    reach = np.bincount(pairs.origin, weights=ratio[pairs.target] * pairs.weight,
                        minlength=len(table))
    near = np.fmin(table["site_min"].to_numpy(), table["action_min"].to_numpy())
    return table.assign(nearest_min=near, covered=near <= threshold_min,
                        e2sfca=reach * PER_YOUTH)


def _assemble(index: pd.Index, *parts: pd.DataFrame) -> pd.DataFrame:
    table = pd.concat(parts, ignore_index=True).sort_values(_POSITION, kind="stable")
    table.index = index[table.pop(_POSITION).to_numpy()]
    table["covered"] = table["covered"].astype(bool)
    # Straight-line minutes only: no timetable, so no high percentile (as access()).
    table["nearest_min_high"] = np.nan
    return table[["origin_source", "site_min", "action_min", "nearest_min",
                  "nearest_min_high", "covered", "e2sfca"]]


def access_graph(communes: gpd.GeoDataFrame, partitions: Sequence[Delayed],
                 sites: gpd.GeoDataFrame, *, actions: gpd.GeoDataFrame | None = None,
                 mairies: gpd.GeoDataFrame | None = None, period: PeriodLike = None,
                 params: Parameters) -> Delayed:
    """Return the delayed :func:`territory.analysis.access` table of ``communes``.

    ``partitions`` are :func:`commune_partitions` of ``communes``; the other arguments are
    :func:`territory.analysis.access`'s.
    """
    on = open_sites(sites, period=period)
    places = outreach_places(actions, period=period) if actions is not None else sites.iloc[:0]
    supply_xy, sessions = supply_points(on, places, period=period, params=params)
    # Small tables (sites, places, town halls) travel in the graph, once.
    shared = dask.delayed(_Supply(mairies, on, places, supply_xy), pure=True)
    parts = [dask.delayed(_partition_access, pure=True)(part, shared, params)
             for part in partitions]
    size = max(1, -(-len(sessions) // max(1, len(parts))))
    bounds = [(lo, min(lo + size, len(sessions))) for lo in range(0, len(sessions), size)]
    # Each partition's pairs are cut by supply point, and each bucket gathers its pieces.
    pieces = [dask.delayed(_split_by_target, pure=True, nout=len(bounds))(part, bounds)
              for part in parts]
    around = [dask.delayed(_bucket_demand, pure=True)([split[b] for split in pieces], lo, hi)
              for b, (lo, hi) in enumerate(bounds)]
    ratio = dask.delayed(_ratios, pure=True)(sessions, *around)
    results = [dask.delayed(_partition_result, pure=True)(part, ratio, params.threshold_min)
               for part in parts]
    return dask.delayed(_assemble, pure=True)(communes.index, *results)


def _partition_hexagons(part: gpd.GeoDataFrame, resolution: int,
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray, gpd.GeoSeries]:
    row, cells, weight, hexagons = hexagon_weights(part.geometry.to_numpy(), resolution)
    return part[_POSITION].to_numpy(dtype=np.int64)[row], cells, weight, hexagons


def _join_hexagons(*parts: tuple[np.ndarray, np.ndarray, np.ndarray, gpd.GeoSeries],
                   ) -> tuple[Crosswalk, gpd.GeoSeries]:
    row = np.concatenate([p[0] for p in parts])
    order = np.argsort(row, kind="stable")  # communes in order, each one's cells in h3's
    cells = np.concatenate([p[1] for p in parts])[order]
    weight = np.concatenate([p[2] for p in parts])[order]
    hexagons = pd.concat([p[3] for p in parts])
    return hexagon_crosswalk(row[order].astype(np.intp), cells, weight, hexagons)


def hexagons_graph(communes: gpd.GeoDataFrame, partitions: Sequence[Delayed],
                   resolution: int) -> Delayed:
    """Return the delayed :func:`territory.analysis.by_hexagons` of ``communes``."""
    check_polygons(communes, resolution)
    parts = [dask.delayed(_partition_hexagons, pure=True)(part, resolution)
             for part in partitions]
    return dask.delayed(_join_hexagons, pure=True)(*parts)
