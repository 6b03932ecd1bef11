"""Access and hexagons on spatial partitions of the communes equal the single-machine ones."""

from __future__ import annotations

import dask
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from territory.analysis import access, by_hexagons
from territory.analysis.params import DEFAULTS
from territory.scale.access import access_graph, commune_partitions, hexagons_graph

KINDS = np.array(["maraude", "evenement", "numerique", "permanence_partenaire"], dtype=object)


def outreach_actions(communes: gpd.GeoDataFrame, n: int, *, seed: int) -> gpd.GeoDataFrame:
    """Actions at random communes' points, over 2019–2021, some online and some unplaced."""
    rng = np.random.default_rng(seed)
    at = shapely.point_on_surface(communes.geometry.to_numpy()[rng.integers(0, len(communes),
                                                                            n)])
    at[rng.random(n) < 0.05] = None
    return gpd.GeoDataFrame({
        "kind": rng.choice(KINDS, n),
        "date": pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, 1000, n), "D"),
    }, geometry=at, crs=2154)


@pytest.mark.parametrize("npartitions", [1, 2, 7])
@pytest.mark.parametrize("period", [None, ("2020-01", "2020-12")])
def test_access_equals_local_exactly(national: dict[str, gpd.GeoDataFrame], client: object,
                                     npartitions: int,
                                     period: tuple[str, str] | None) -> None:
    communes, sites = national["communes"], national["sites"]
    actions = outreach_actions(communes, 80, seed=npartitions)
    params = DEFAULTS.replace(threshold_min=8.0)
    expected = access(communes, sites, actions=actions, mairies=national["mairies"],
                      period=period, params=params)
    graph = access_graph(communes, commune_partitions(communes, npartitions), sites,
                         actions=actions, mairies=national["mairies"], period=period,
                         params=params)
    result = client.compute(graph).result()  # type: ignore[attr-defined]
    pd.testing.assert_frame_equal(result, expected, check_exact=True)
    assert result["e2sfca"].gt(0).any()
    assert 0 < result["covered"].sum() < len(result)


def test_access_without_sites_nor_actions(national: dict[str, gpd.GeoDataFrame]) -> None:
    communes, none = national["communes"], national["sites"].iloc[:0]
    graph = access_graph(communes, commune_partitions(communes, 3), none, params=DEFAULTS)
    (result,) = dask.compute(graph, scheduler="sync")
    pd.testing.assert_frame_equal(result, access(communes, none), check_exact=True)
    assert result["site_min"].isna().all() and result["e2sfca"].eq(0).all()


def test_hexagons_equal_local_exactly(national: dict[str, gpd.GeoDataFrame],
                                      client: object) -> None:
    communes = national["communes"]
    walk, shapes = client.compute(  # type: ignore[attr-defined]
        hexagons_graph(communes, commune_partitions(communes, 5), 7)).result()
    expected_walk, expected_shapes = by_hexagons(communes, resolution=7)
    for name in ("row", "zone", "weight"):
        np.testing.assert_array_equal(getattr(walk, name), getattr(expected_walk, name))
    pd.testing.assert_index_equal(walk.zones, expected_walk.zones)
    assert walk.apportionment == expected_walk.apportionment
    pd.testing.assert_index_equal(shapes.index, expected_shapes.index)
    assert shapes.geom_equals_exact(expected_shapes, tolerance=0).all()


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), sizes=st.tuples(st.integers(1, 60), st.integers(0, 12)),
       npartitions=st.integers(1, 9), threshold=st.sampled_from([10.0, 30.0, 60.0]),
       decay=st.sampled_from(["step", "gaussian", "none"]))
def test_any_partitioning_gives_the_same_bits(seed: int, sizes: tuple[int, int],
                                              npartitions: int, threshold: float,
                                              decay: str) -> None:
    n_communes, n_sites = sizes
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(400_000, 500_000, (2, n_communes))
    communes = gpd.GeoDataFrame({
        "code_insee": [f"{i:05d}" for i in range(n_communes)],
        "youth": rng.integers(0, 5000, n_communes),
    }, geometry=shapely.buffer(shapely.points(x, y), 800), crs=2154,
        index=rng.permutation(n_communes) * 3)
    sites = gpd.GeoDataFrame({"sessions_per_month": rng.uniform(0, 20, n_sites)},
                             geometry=gpd.points_from_xy(*rng.uniform(400_000, 500_000,
                                                                      (2, n_sites))),
                             crs=2154)
    params = DEFAULTS.replace(threshold_min=threshold, decay=decay)
    graph = access_graph(communes, commune_partitions(communes, npartitions), sites,
                         params=params)
    (result,) = dask.compute(graph, scheduler="sync")
    pd.testing.assert_frame_equal(result, access(communes, sites, params=params),
                                  check_exact=True)
