"""Counting each young person once over partitions gives the single-machine count."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from territory._errors import InputError
from territory.analysis import locate, stage_counts, young_people
from territory.scale import as_people
from territory.scale.partitions import (
    assign_communes,
    combine,
    commune_counts,
    order_rows,
    overlap_zones,
    with_order,
)

CODES = [None, "00001", "00002", "00003"]
STAGE_NAMES = [None, "repere", "mobilise", "accompagne"]


def local_counts(contacts: pd.DataFrame, period: tuple[str, str] | None = None) -> pd.DataFrame:
    counts = stage_counts(young_people(contacts, period=period), by="code_insee")
    return counts.astype("int64").sort_index()


def partitioned_counts(contacts: pd.DataFrame, cuts: list[int], buckets: int,
                       period: tuple[str, str] | None = None) -> pd.DataFrame:
    """The Dask engine's steps, by hand: parts, combine, shuffle by person, combine, count."""
    bounds = [0, *sorted(set(cuts)), len(contacts)]
    parts = [with_order(contacts.iloc[a:b], part=i, first_row=a)
             for i, (a, b) in enumerate(itertools.pairwise(bounds))]
    partial = pd.concat([combine(order_rows(p, period=period)) for p in parts])
    bucket = pd.util.hash_pandas_object(partial["contact_id"], index=False) % buckets
    counts = [commune_counts(combine(partial[(bucket == b).to_numpy()]))
              for b in range(buckets)]
    total = pd.concat(counts).groupby("code_insee").sum()
    total.index = total.index.astype(object)
    return total.sort_index()


contact_rows = st.lists(
    st.tuples(st.integers(0, 6), st.integers(0, 40) | st.none(), st.sampled_from(CODES),
              st.sampled_from(STAGE_NAMES)),
    min_size=1, max_size=60)


@settings(max_examples=100, deadline=None)
@given(rows=contact_rows, cuts=st.lists(st.integers(0, 60), max_size=5),
       buckets=st.integers(1, 4), period=st.sampled_from([None, ("2020-01-10", "2020-02-05")]))
def test_any_partitioning_gives_the_single_machine_counts(
        rows: list[tuple[int, int | None, str | None, str | None]], cuts: list[int],
        buckets: int, period: tuple[str, str] | None) -> None:
    # Few people, few dates: ties between partitions, missing dates, codes and stages.
    contacts = pd.DataFrame({
        "contact_id": [f"j{r[0]}" for r in rows],
        "date": [pd.Timestamp("2020-01-01") + pd.Timedelta(days=r[1]) if r[1] is not None
                 else pd.NaT for r in rows],
        "code_insee": [r[2] for r in rows],
        "stage": [r[3] for r in rows],
    })
    cuts = [c for c in cuts if c <= len(contacts)]
    expected = local_counts(contacts, period)
    got = partitioned_counts(contacts, cuts, buckets, period)
    pd.testing.assert_frame_equal(got, expected, check_names=False, check_index_type=False)


def test_latest_known_commune_wins_across_partitions() -> None:
    # j1's last contact (part 1) has no commune: the latest known one is 00002, in part 0.
    contacts = pd.DataFrame({
        "contact_id": ["j1", "j1", "j1"],
        "date": pd.to_datetime(["2020-01-01", "2021-01-01", "2022-01-01"]),
        "code_insee": ["00001", "00002", None],
        "stage": ["repere", "repere", "accompagne"],
    })
    got = partitioned_counts(contacts, [2], buckets=2)
    assert got.to_dict("index") == {"00002": {"repere": 1, "mobilise": 1, "accompagne": 1}}
    pd.testing.assert_frame_equal(got, local_counts(contacts), check_names=False,
                                  check_index_type=False)


def test_unknown_stage_names_the_file_and_row() -> None:
    contacts = with_order(pd.DataFrame({"contact_id": ["a", "b"], "date": ["2020-01-01"] * 2,
                                        "code_insee": ["00001"] * 2,
                                        "stage": ["repere", "embauche"]}),
                          part=1, first_row=40)
    with pytest.raises(InputError, match=r"b\.parquet:41: `stage`: stage 'embauche'"):
        order_rows(contacts, sources=["a.parquet", "b.parquet"])


@given(reached=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5), st.integers(0, 5)),
                        min_size=1, max_size=6),
       period=st.sampled_from([None, ("2020-03", "2020-04"), (None, "2021"), ("2019", None)]))
def test_people_rows_count_back_to_the_counts(reached: list[tuple[int, int, int]],
                                              period: tuple[str | None, str | None] | None,
                                              ) -> None:
    levels = np.sort(np.array(reached), axis=1)[:, ::-1]
    counts = pd.DataFrame(levels, columns=["repere", "mobilise", "accompagne"],
                          index=pd.Index([f"{i:05d}" for i in range(len(levels))],
                                         name="code_insee"))
    people = as_people(counts, period=period)
    assert len(people) == counts["repere"].sum()
    back = stage_counts(young_people(people, period=period), by="code_insee")
    expected = counts[counts["repere"] > 0]
    pd.testing.assert_frame_equal(back.astype("int64"), expected, check_names=False,
                                  check_index_type=False)


def test_points_are_placed_as_locate_places_them() -> None:
    communes = gpd.GeoDataFrame({"code_insee": ["a", "b", "c"]},
                                geometry=[shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10),
                                          shapely.box(500, 500, 510, 510)], crs=2154)
    points = gpd.GeoDataFrame({"contact_id": ["x", "y", "z", "w"]},
                              geometry=gpd.points_from_xy([5, 15, 10, 99], [5, 5, 5, 99]),
                              crs=2154)
    placed = assign_communes(points, communes)
    assert placed["code_insee"].tolist() == locate(points, communes).tolist()
    assert "geometry" not in placed
    assert assign_communes(points.iloc[:0], communes)["code_insee"].tolist() == []


def test_a_point_in_two_communes_goes_to_the_first_however_partitioned() -> None:
    # b overlaps a on [8, 10] × [0, 10]; c is far away, so that subsets differ.
    communes = gpd.GeoDataFrame({"code_insee": ["b", "a", "c"]},
                                geometry=[shapely.box(8, 0, 20, 10), shapely.box(0, 0, 10, 10),
                                          shapely.box(500, 0, 510, 10)], crs=2154)
    zones = overlap_zones(communes)
    assert [round(z.area) for z in zones] == [20]
    points = gpd.GeoDataFrame({"contact_id": ["x", "y", "z"]},
                              geometry=gpd.points_from_xy([9, 9, 505], [5, 6, 5]), crs=2154)
    together = assign_communes(points, communes, zones)["code_insee"].tolist()
    apart = [assign_communes(points.iloc[[i]], communes, zones)["code_insee"].iloc[0]
             for i in range(3)]
    assert together == apart == ["b", "b", "c"]
