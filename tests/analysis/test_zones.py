"""Zones: totals are the same at every level; rates recomputed; times averaged by youth."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from territory._errors import InputError
from territory.analysis import aggregate, by_code, by_hexagons, by_members
from territory.analysis.zones import SUM_COLUMNS, parse_level

X0, Y0 = 500_000.0, 6_500_000.0
COUNTS = ["youth", "neet_est", "invisible_est", "reached", "repere", "mobilise",
          "accompagne", "covered_youth"]


def commune_table(youth: list[int], reached: list[int], minutes: list[float],
                  covered: list[bool]) -> pd.DataFrame:
    n = len(youth)
    table = pd.DataFrame({
        "code_insee": [f"{i:05d}" for i in range(n)],
        "dep_code": [f"{i % 3:02d}" for i in range(n)],
        "youth": np.asarray(youth, dtype=float),
        "reached": np.asarray(reached[:n], dtype=float),
        "site_min": minutes[:n],
        "e2sfca": np.linspace(0, 10, n),
    })
    table["neet_est"] = table["youth"] * 0.129
    table["invisible_est"] = np.maximum(0, table["neet_est"] * 0.37 - table["reached"])
    table["repere"] = table["reached"]
    table["mobilise"] = table["reached"] // 2
    table["accompagne"] = table["reached"] // 4
    table["covered_youth"] = table["youth"] * np.asarray(covered[:n], dtype=float)
    return table


def test_departement_sums_and_youth_weighted_minutes() -> None:
    table = commune_table([100, 300, 50, 0], [5, 10, 0, 1], [10.0, 30.0, 5.0, 60.0],
                          [True, False, True, False])
    got = aggregate(table, by_code(table, "dep_code", label="département"))
    assert got.loc["00", "youth"] == 100  # communes 0 and 3
    assert got.loc["00", "site_min"] == 10  # the youth-less commune weighs nothing
    assert got.loc["00", "contacts_per_1000"] == pytest.approx(60)  # 6 / 100 × 1000
    assert got.loc["01", "covered_share"] == 0
    assert got.loc["02", "covered_share"] == 1
    assert (got["apportionment"] == "chaque commune dans son département").all()


def test_zone_without_youth_falls_back_to_a_plain_mean() -> None:
    table = commune_table([0, 0], [0, 0], [10.0, 20.0], [True, True]).assign(dep_code="01")
    got = aggregate(table, by_code(table, "dep_code", label="département"))
    assert got.loc["01", "site_min"] == 15
    assert np.isnan(got.loc["01", "covered_share"])


def test_shared_commune_counts_its_share_in_each_ml() -> None:
    table = commune_table([100, 200], [10, 20], [1.0, 2.0], [True, True])
    members = pd.DataFrame({"ml_code": ["M1", "M1", "M2"],
                            "code_insee": ["00000", "00001", "00001"],
                            "share": [1.0, 0.25, 0.75]})
    got = aggregate(table, by_members(table, members))
    assert got["youth"].tolist() == [150, 150]
    assert got["reached"].tolist() == [15, 15]


def test_missing_shares_are_split_and_excess_is_refused() -> None:
    table = commune_table([100, 200], [10, 20], [1.0, 2.0], [True, True])
    members = pd.DataFrame({"ml_code": ["M1", "M2", "M2"], "code_insee": ["00000", "00000",
                                                                         "00001"],
                            "share": [None, None, 1.0]})
    assert by_members(table, members).weight.tolist() == [0.5, 0.5, 1.0]
    members["share"] = [0.8, 0.8, 1.0]
    with pytest.raises(InputError, match=r"00000 has shares summing to 1\.600"):
        by_members(table, members)


def test_levels_are_checked() -> None:
    assert parse_level("h3:8") == ("h3", 8)
    for bad in ("h3:12", "region", "h3:", "commune:2"):
        with pytest.raises(InputError, match="expected one of"):
            parse_level(bad)


tables = st.integers(1, 25).flatmap(lambda n: st.tuples(
    st.lists(st.integers(0, 3000), min_size=n, max_size=n),
    st.lists(st.integers(0, 60), min_size=n, max_size=n),
    st.lists(st.floats(0, 120), min_size=n, max_size=n),
    st.lists(st.booleans(), min_size=n, max_size=n),
    st.lists(st.tuples(st.sampled_from(["M1", "M2", "M3"]), st.sampled_from(["M1", "M2", "M3"]),
                       st.floats(0, 1)), min_size=n, max_size=n),
))


@settings(max_examples=80, deadline=None)
@given(tables)
def test_totals_are_preserved_commune_to_departement_and_catchment(data: tuple) -> None:
    youth, reached, minutes, covered, split = data
    table = commune_table(youth, reached, minutes, covered)
    rows = [(a, code, s) for code, (a, b, s) in zip(table["code_insee"], split, strict=True)]
    rows += [(b, code, 1 - s) for code, (a, b, s) in zip(table["code_insee"], split,
                                                         strict=True)]
    members = pd.DataFrame(rows, columns=["ml_code", "code_insee", "share"])
    members = members.groupby(["ml_code", "code_insee"], as_index=False)["share"].sum()
    for walk in (by_code(table, "dep_code", label="département"), by_members(table, members)):
        got = aggregate(table, walk)
        for col in COUNTS:
            assert got[col].sum() == pytest.approx(table[col].sum(), rel=1e-9, abs=1e-6)
        shares = got["covered_share"].dropna()
        assert ((shares >= -1e-12) & (shares <= 1 + 1e-12)).all()
        assert (got["site_min"].dropna() >= min(minutes) - 1e-9).all()
        assert (got["site_min"].dropna() <= max(minutes) + 1e-9).all()


def test_hexagons_of_the_toy(toy) -> None:
    walk, hexagons = by_hexagons(toy["communes"], resolution=6)
    assert walk.totals(len(toy["communes"])) == pytest.approx(np.ones(4))
    assert hexagons.crs.to_epsg() == 2154
    assert len(hexagons) == len(walk.zones)
    # A 10 km square is about 100 km²; resolution-6 hexagons are about 36 km² each.
    per_commune = np.bincount(walk.row)
    assert (per_commune >= 3).all() and (per_commune <= 12).all()
    covered = gpd.GeoSeries(hexagons.to_numpy(), crs=2154).union_all()
    assert covered.contains(toy["communes"].union_all().buffer(-1))


grids = st.tuples(st.integers(1, 4), st.integers(1, 3),
                  st.lists(st.floats(1.0, 8.0), min_size=12, max_size=12),
                  st.lists(st.integers(0, 2000), min_size=12, max_size=12))


@settings(max_examples=12, deadline=None)
@given(grids, st.sampled_from([6, 7]))
def test_totals_are_preserved_commune_to_hexagons(grid: tuple, resolution: int) -> None:
    cols, rows, sizes, youth = grid
    boxes = []
    for i in range(cols * rows):
        col, row = divmod(i, rows)
        size = sizes[i] * 1000
        boxes.append(shapely.box(X0 + col * 9000, Y0 + row * 9000,
                                 X0 + col * 9000 + size, Y0 + row * 9000 + size))
    communes = gpd.GeoDataFrame({"youth": youth[: len(boxes)]}, geometry=boxes, crs=2154)
    table = commune_table(list(communes["youth"]), [0] * len(boxes), [1.0] * len(boxes),
                          [True] * len(boxes))
    walk, _ = by_hexagons(communes, resolution=resolution)
    got = aggregate(table, walk)
    for col in SUM_COLUMNS:
        assert got[col].sum() == pytest.approx(table[col].sum(), rel=1e-9, abs=1e-6)
    assert (walk.weight > 0).all() and (walk.weight <= 1 + 1e-12).all()
    assert got["apportionment"].str.contains("surface").all()


def test_hexagon_crosswalks_are_reused_read_only(toy) -> None:
    first, hexagons = by_hexagons(toy["communes"], resolution=7)
    again, _ = by_hexagons(toy["communes"].copy(), resolution=7)
    assert again is first
    with pytest.raises(ValueError, match="read-only"):
        first.weight[0] = 2.0
    hexagons.iloc[:] = None  # the caller's copy, not the cached one
    assert by_hexagons(toy["communes"], resolution=7)[1].notna().all()
    assert not shapely.is_prepared(toy["communes"].geometry.to_numpy()).any()
