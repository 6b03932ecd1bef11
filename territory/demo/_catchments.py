"""Fictional Mission Locale catchments built from whole, contiguous EPCI.

Each département is cut into a given number of catchments. The building blocks are the parts
of EPCI inside one département; an EPCI is split further only where it must be: around a
commune that forms a Mission Locale on its own (Bordeaux), whose EPCI's other communes then
become blocks of their own, and where a block falls in pieces (an exclave). Blocks are grouped
into contiguous catchments of similar youth population; a few border communes are then shared
between two neighbouring Missions Locales.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from territory.demo._graph import (
    adjacency_matrix,
    link_islands,
    neighbour_pairs,
    quotient_graph,
)
from territory.demo._names import ml_name
from territory.demo._partition import partition
from territory.demo._reference import CRS, Region

__all__ = [
    "CONSORTIUM_SIZE",
    "DEFAULT_ALLOCATION",
    "SINGLE_COMMUNE_ML",
    "Catchments",
    "build_catchments",
]

# Missions Locales per département: 43 in all, as in the region (ARML Nouvelle-Aquitaine,
# docs/methodology.md, "Missions Locales and their territories"). The split is illustrative:
# roughly in proportion to population, with one Mission Locale for a whole département where
# the population is small or, as in the Landes (same section), where one Mission Locale
# covers it.
DEFAULT_ALLOCATION: dict[str, int] = {
    "16": 3, "17": 5, "19": 3, "23": 1, "24": 4, "33": 11,
    "40": 1, "47": 3, "64": 5, "79": 3, "86": 3, "87": 1,
}
# Communes that form a Mission Locale on their own (Bordeaux, docs/methodology.md,
# "Missions Locales and their territories").
SINGLE_COMMUNE_ML: tuple[str, ...] = ("33063",)
# IN Système: a consortium of 37 of the 43 Missions Locales of the region
# (docs/methodology.md, "IN Système").
CONSORTIUM_SIZE = 37
# Border communes shared by two Missions Locales ("a few communes are shared between two
# MLs", docs/methodology.md, "Missions Locales and their territories").
SHARED_COMMUNES = 5
# Residents per Mission Locale for a département missing from the allocation: the region's
# 5.96 million residents (INSEE 2017) over its 43 Missions Locales.
_RESIDENTS_PER_ML = 138_500
_GRID_M = 0.01


@dataclass(frozen=True)
class Catchments:
    """The catchments, as layers and as arrays aligned on the region's communes."""

    codes: tuple[str, ...]
    primary: NDArray[np.intp]
    member_ml: NDArray[np.intp]
    member_commune: NDArray[np.intp]
    member_share: NDArray[np.float64]
    in_consortium: NDArray[np.bool_]
    layer: gpd.GeoDataFrame
    members: pd.DataFrame


def build_catchments(
    region: Region,
    *,
    rng: np.random.Generator,
    allocation: Mapping[str, int] = DEFAULT_ALLOCATION,
    singles: Sequence[str] = SINGLE_COMMUNE_ML,
    consortium: int = CONSORTIUM_SIZE,
    shared: int = SHARED_COMMUNES,
) -> Catchments:
    """Cut the region into fictional catchments.

    Parameters
    ----------
    region
        The communes.
    rng
        The random generator.
    allocation
        Missions Locales per département (default: 43 for Nouvelle-Aquitaine, see
        :data:`DEFAULT_ALLOCATION`).
    singles
        INSEE codes of communes that form a Mission Locale alone (default: Bordeaux).
    consortium
        How many Missions Locales belong to the consortium (IN Système: 37 of 43).
    shared
        How many border communes are shared by two Missions Locales.

    Returns
    -------
    Catchments
        Layers ``catchments`` and ``catchment_members`` and the arrays behind them.
    """
    domains = _domains(region, singles)
    left, right = neighbour_pairs(region.geometry)
    same = domains[left] == domains[right]
    graph = link_islands(
        region.geometry, adjacency_matrix(left[same], right[same], len(region)), domains
    )
    units = _unit_labels(region, graph, domains)
    groups = _group_units(region, graph, units, domains, allocation=allocation, rng=rng)
    primary = _order_groups(region, groups)
    n_ml = int(primary.max()) + 1
    lone = np.flatnonzero(np.bincount(primary, minlength=n_ml) == 1)
    pairs = _shared_pairs(region, (left, right), primary, lone, n=shared, rng=rng)
    member_ml, member_commune, member_share = _members(primary, pairs, rng=rng)
    codes = tuple(f"ML{i + 1:02d}" for i in range(n_ml))
    chosen = rng.choice(n_ml, size=min(consortium, n_ml), replace=False)
    in_consortium = np.isin(np.arange(n_ml), chosen)
    members = pd.DataFrame({
        "ml_code": np.asarray(codes)[member_ml],
        "code_insee": region.code[member_commune],
        "share": member_share,
    })
    layer = _catchment_layer(
        region, codes, primary, (member_ml, member_commune, member_share), in_consortium,
        rng=rng,
    )
    return Catchments(codes, primary, member_ml, member_commune, member_share, in_consortium,
                      layer, members)


def _domains(region: Region, singles: Sequence[str]) -> NDArray[np.str_]:
    """Return where each commune is partitioned.

    A commune that is a Mission Locale alone is its own domain; the rest of the EPCI it was
    carved from forms a domain of its own (so that it makes whole catchments, not pieces of
    rural ones); every other commune is partitioned with its département.
    """
    is_single = np.isin(region.code, np.asarray(singles, dtype=str))
    key = np.char.add(np.char.add(region.dep, "|"), region.epci)
    carved = np.isin(key, key[is_single]) & ~is_single
    return np.where(is_single, np.char.add("=", region.code), np.where(carved, key, region.dep))


def _unit_labels(
    region: Region, graph: sparse.csr_array, domains: NDArray[np.str_]
) -> NDArray[np.intp]:
    """Label the building blocks: EPCI parts by département, split only where they must be.

    Communes outside their département's domain (a single-commune Mission Locale, the rest of
    its EPCI) are blocks of their own; a block that falls in pieces is split into them.
    """
    key = np.where(domains == region.dep, np.char.add(np.char.add(region.dep, "|"), region.epci),
                   np.char.add("=", region.code))
    _, units = np.unique(key, return_inverse=True)
    inside = graph.tocoo()
    keep = units[inside.row] == units[inside.col]
    within = adjacency_matrix(
        inside.row[keep].astype(np.intp), inside.col[keep].astype(np.intp), len(region)
    )
    _, pieces = connected_components(within, directed=False)
    return pieces.astype(np.intp)


def _group_units(
    region: Region,
    graph: sparse.csr_array,
    units: NDArray[np.intp],
    domains: NDArray[np.str_],
    *,
    allocation: Mapping[str, int],
    rng: np.random.Generator,
) -> NDArray[np.intp]:
    """Partition each domain's blocks into contiguous groups; return the group of each commune."""
    n_units = int(units.max()) + 1
    unit_graph = quotient_graph(graph, units, n_units)
    weight = np.bincount(units, weights=region.youth, minlength=n_units).astype(np.float64)
    mass = np.bincount(units, weights=region.population + 1.0, minlength=n_units)
    xy = np.column_stack([
        np.bincount(units, weights=region.anchor[:, axis] * (region.population + 1.0))
        for axis in (0, 1)
    ]) / mass[:, None]
    unit_domain = np.empty(n_units, dtype=domains.dtype)
    unit_domain[units] = domains
    group_of_unit = np.empty(n_units, dtype=np.intp)
    groups_in = _groups_per_domain(region, domains, allocation)
    offset = 0
    for domain in np.unique(unit_domain):
        nodes = np.flatnonzero(unit_domain == domain)
        k = groups_in[str(domain)]
        labels = partition(unit_graph[nodes][:, nodes], weight[nodes], xy[nodes],
                           min(k, len(nodes)), rng=rng)
        group_of_unit[nodes] = offset + labels
        offset += int(labels.max()) + 1
    return group_of_unit[units]


def _groups_per_domain(
    region: Region, domains: NDArray[np.str_], allocation: Mapping[str, int]
) -> dict[str, int]:
    """Return how many Missions Locales each domain gets.

    A single commune gets one; the rest of a carved EPCI gets its share of its département's
    youth population; the département's own domain gets what remains of its allocation.
    """
    counts: dict[str, int] = {}
    for dep in np.unique(region.dep):
        in_dep = region.dep == dep
        total = allocation.get(str(dep)) or max(
            1, round(region.population[in_dep].sum() / _RESIDENTS_PER_ML))
        per_ml = region.youth[in_dep].sum() / total
        others = [str(d) for d in np.unique(domains[in_dep]) if d != dep]
        for domain in others:
            youth = region.youth[domains == domain].sum()
            counts[domain] = 1 if domain.startswith("=") else max(1, round(youth / per_ml))
        counts[str(dep)] = max(1, total - sum(counts[d] for d in others))
    return counts


def _order_groups(region: Region, groups: NDArray[np.intp]) -> NDArray[np.intp]:
    """Renumber groups by département, then by decreasing youth population."""
    n = int(groups.max()) + 1
    youth = np.bincount(groups, weights=region.youth, minlength=n)
    dep = np.empty(n, dtype=region.dep.dtype)
    dep[groups] = region.dep
    order = np.lexsort((-youth, dep))
    rank = np.empty(n, dtype=np.intp)
    rank[order] = np.arange(n)
    return rank[groups]


def _shared_pairs(
    region: Region,
    pairs: tuple[NDArray[np.intp], NDArray[np.intp]],
    primary: NDArray[np.intp],
    lone: NDArray[np.intp],
    *,
    n: int,
    rng: np.random.Generator,
) -> list[tuple[int, int]]:
    """Pick border communes to share, each with a neighbouring Mission Locale.

    A commune qualifies when it touches (no ferry link) a commune of another Mission Locale of
    the same département, is not the largest commune of its own, and neither Mission Locale is
    a single commune. At most one shared commune per pair of Missions Locales.
    """
    left, right = pairs
    largest = _largest_commune(region, primary)
    ok = ((primary[left] != primary[right]) & (region.dep[left] == region.dep[right])
          & ~np.isin(primary[left], lone) & ~np.isin(primary[right], lone)
          & ~np.isin(left, largest))
    candidates = rng.permutation(np.unique(left[ok]))
    chosen: list[tuple[int, int]] = []
    used: set[tuple[int, int]] = set()
    # First at most one per département, so that the examples are spread over the region.
    for spread in (True, False):
        deps = {str(region.dep[c]) for c, _ in chosen}
        for commune in candidates:
            if len(chosen) >= n:
                return chosen
            if spread and str(region.dep[commune]) in deps:
                continue
            other = int(rng.choice(np.unique(primary[right[ok & (left == commune)]])))
            key = (min(int(primary[commune]), other), max(int(primary[commune]), other))
            if key not in used and commune not in {c for c, _ in chosen}:
                used.add(key)
                deps.add(str(region.dep[commune]))
                chosen.append((int(commune), other))
    return chosen


def _largest_commune(region: Region, primary: NDArray[np.intp]) -> NDArray[np.intp]:
    """Return, for each Mission Locale, its most populous commune (ties: lowest code)."""
    order = np.lexsort((region.code, -region.population, primary))
    first = np.r_[True, primary[order][1:] != primary[order][:-1]]
    return order[first]


def _members(
    primary: NDArray[np.intp], shared: list[tuple[int, int]], *, rng: np.random.Generator
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.float64]]:
    """Return (Mission Locale, commune, share) rows; the shares of a commune sum to 1."""
    n = len(primary)
    share = np.ones(n)
    extra_ml: list[int] = []
    extra_commune: list[int] = []
    extra_share: list[float] = []
    for shared_commune, other in shared:
        kept = float(rng.choice([0.5, 0.6, 0.7, 0.8]))
        share[shared_commune] = kept
        extra_ml.append(other)
        extra_commune.append(shared_commune)
        extra_share.append(round(1.0 - kept, 2))
    ml = np.concatenate([primary, np.asarray(extra_ml, dtype=np.intp)])
    commune = np.concatenate([np.arange(n), np.asarray(extra_commune, dtype=np.intp)])
    shares = np.concatenate([share, np.asarray(extra_share, dtype=float)])
    order = np.lexsort((commune, ml))
    return ml[order].astype(np.intp), commune[order].astype(np.intp), shares[order]


def _catchment_layer(
    region: Region,
    codes: tuple[str, ...],
    primary: NDArray[np.intp],
    members: tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.float64]],
    in_consortium: NDArray[np.bool_],
    *,
    rng: np.random.Generator,
) -> gpd.GeoDataFrame:
    """Dissolve each catchment's member communes and name it."""
    ml, commune, share = members
    n_ml = len(codes)
    largest = _largest_commune(region, primary)
    dep = region.dep[largest]
    whole = np.array([
        bool(np.all(primary[region.dep == dep[i]] == i)) for i in range(n_ml)
    ])
    names = [
        ml_name(str(region.name[largest[i]]), population=int(region.population[largest[i]]),
                communes=int(np.sum(ml == i)), dep_code=str(dep[i]),
                whole_departement=bool(whole[i]), rng=rng)
        for i in range(n_ml)
    ]
    geometry = [
        _as_multipolygon(shapely.union_all(region.geometry[commune[ml == i]], grid_size=_GRID_M))
        for i in range(n_ml)
    ]
    return gpd.GeoDataFrame(
        {
            "ml_code": list(codes),
            "ml_name": names,
            "in_consortium": in_consortium,
            "dep_code": dep,
            "population": np.bincount(ml, weights=share * region.population[commune],
                                      minlength=n_ml).round().astype(np.int64),
            "youth": np.bincount(ml, weights=share * region.youth[commune],
                                 minlength=n_ml).round().astype(np.int64),
            "communes": np.bincount(ml, minlength=n_ml).astype(np.int64),
            "main_commune": region.code[largest],
            "whole_departement": whole,
        },
        geometry=geometry,
        crs=CRS,
    )


def _as_multipolygon(geometry: shapely.Geometry) -> shapely.MultiPolygon:
    if isinstance(geometry, shapely.MultiPolygon):
        return geometry
    if isinstance(geometry, shapely.Polygon):
        return shapely.MultiPolygon([geometry])
    parts = [g for g in shapely.get_parts(geometry) if isinstance(g, shapely.Polygon)]
    return shapely.MultiPolygon(parts)
