"""The invisible-zone score: its formula by hand, its bounds, its ranks and map classes."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from territory._errors import InputError
from territory.analysis import Parameters, gap_reasons, gap_score, score_classes


def zones(**columns: list) -> pd.DataFrame:
    base = {"youth": [1000.0, 100.0], "neet_est": [129.0, 12.9],
            "invisible_est": [17.73, 4.773], "reached": [30.0, 0.0],
            "covered_share": [1.0, 0.0], "nearest_min": [5.0, 60.0]}
    base.update(columns)
    return pd.DataFrame(base)


def test_formula_by_hand() -> None:
    got = gap_score(zones())
    pools = [129 * 0.37, 12.9 * 0.37]
    potential = math.log1p(pools[0])
    reach = [math.exp(-30 / pools[0]), 1.0]  # the expected share of the pool never met
    need = [math.log1p(pool * unmet) / potential for pool, unmet in zip(pools, reach,
                                                                         strict=True)]
    access = [0.5 * 0 + 0.5 * 5 / 60, 0.5 * 1 + 0.5 * 1]
    assert got["need_index"].tolist() == pytest.approx(need)
    assert got["access_deficit"].tolist() == pytest.approx(access)
    assert got["reach_deficit"].tolist() == pytest.approx(reach)
    expected = [100 * (0.4 * n + 0.3 * a + 0.3 * r) for n, a, r in zip(need, access, reach,
                                                                        strict=True)]
    assert got["gap_score"].tolist() == pytest.approx(expected)
    assert got["gap_rank"].tolist() == [2, 1]


def test_weights_change_the_ranking() -> None:
    need_only = gap_score(zones(), params=Parameters(weight_need=1, weight_access=0,
                                                     weight_reach=0))
    assert need_only["gap_rank"].tolist() == [1, 2]


def test_no_young_people_no_access_deficit_and_no_site_is_the_worst() -> None:
    got = gap_score(zones(youth=[0.0, 10.0], neet_est=[0.0, 1.29], invisible_est=[0.0, 0.4],
                          nearest_min=[np.nan, np.nan], covered_share=[np.nan, 0.0]))
    assert got["access_deficit"].tolist() == [0.0, 1.0]
    assert got["reach_deficit"].iloc[0] == 0
    assert got["gap_score"].iloc[0] == 0


def test_ties_go_to_more_invisible_young_people() -> None:
    same = zones(invisible_est=[1.0, 2.0], neet_est=[10.0, 10.0], reached=[0.0, 0.0],
                 covered_share=[1.0, 1.0], nearest_min=[0.0, 0.0], youth=[50.0, 50.0])
    same["invisible_est"] = [3.0, 3.0]
    assert gap_score(same)["gap_rank"].tolist() == [1, 2]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5000), st.integers(0, 400), st.floats(0, 1),
                          st.one_of(st.none(), st.floats(0, 200))), min_size=1, max_size=40))
def test_components_are_shares_and_ranks_a_permutation(rows: list) -> None:
    youth = np.array([r[0] for r in rows], dtype=float)
    neet = youth * 0.129
    reached = np.array([r[1] for r in rows], dtype=float)
    frame = pd.DataFrame({
        "youth": youth, "neet_est": neet, "reached": reached,
        "invisible_est": np.maximum(0, neet * 0.37 - reached),
        "covered_share": [r[2] for r in rows],
        "nearest_min": [np.nan if r[3] is None else r[3] for r in rows],
    })
    got = gap_score(frame)
    for col in ("need_index", "access_deficit", "reach_deficit"):
        assert got[col].between(0, 1).all(), col
    assert got["gap_score"].between(0, 100).all()
    assert sorted(got["gap_rank"]) == list(range(1, len(rows) + 1))
    best = got["gap_score"].idxmax()
    assert got.loc[best, "gap_rank"] == 1 or got["gap_score"].eq(got["gap_score"].max()).sum() > 1


def test_reasons_in_french_skip_masked_figures() -> None:
    frame = zones(need_index=[0.8, 0.1], reach_deficit=[np.nan, 0.95],
                  neet_rate=[0.129, 0.2])
    reasons = gap_reasons(frame)
    assert reasons.iloc[0].startswith("beaucoup de jeunes (1000)")
    assert "atteint" not in reasons.iloc[0]
    assert "presque personne atteint" in reasons.iloc[1]
    assert "au-dessus du taux de référence" in reasons.iloc[1]
    assert "loin de tout lieu d'accueil (60 min)" in reasons.iloc[1]


def test_classes_are_reproducible_and_labelled() -> None:
    values = pd.DataFrame({"gap_score": np.random.default_rng(1).gamma(2, 10, 500)})
    first = score_classes(values, k=5)
    state = np.random.get_state()[1].copy()
    again = score_classes(values, k=5)
    assert first.bins == again.bins and first.classes.equals(again.classes)
    assert (np.random.get_state()[1] == state).all()  # the global seed is left alone
    assert len(first.labels) == 5 and all(" – " in label for label in first.labels)
    assert first.classes.between(0, 4).all()
    quantiles = score_classes(values, k=4, scheme="Quantiles")
    assert quantiles.classes.value_counts().tolist() == [125] * 4


def test_classes_of_few_distinct_values_do_not_warn() -> None:
    found = score_classes(pd.DataFrame({"gap_score": [1.0, 1.0, 2.0]}), k=5)
    assert len(found.bins) == 2
    empty = score_classes(pd.DataFrame({"gap_score": [np.nan]}))
    assert empty.labels == () and empty.classes.tolist() == [-1]
    with pytest.raises(InputError, match="scheme"):
        score_classes(pd.DataFrame({"gap_score": [1.0]}), scheme="Jenks")


def _frame(rows: list) -> pd.DataFrame:
    youth = np.array([r[0] for r in rows], dtype=float)
    neet = youth * 0.129
    reached = np.array([r[1] for r in rows], dtype=float)
    return pd.DataFrame({
        "youth": youth, "neet_est": neet, "reached": reached,
        "invisible_est": np.maximum(0, neet * 0.37 - reached),
        "covered_share": [r[2] for r in rows],
        "nearest_min": [r[3] for r in rows],
    })


ROWS = st.lists(st.tuples(st.integers(1, 5000), st.integers(0, 400), st.floats(0, 1),
                          st.floats(0, 200)), min_size=1, max_size=30)


@settings(max_examples=80, deadline=None)
@given(rows=ROWS, which=st.integers(0, 29), more=st.integers(1, 500))
def test_more_young_people_reached_never_raise_the_score(rows: list, which: int,
                                                         more: int) -> None:
    frame = _frame(rows)
    k = which % len(rows)
    after = frame.copy()
    after.loc[k, "reached"] += more
    after["invisible_est"] = np.maximum(0, after["neet_est"] * 0.37 - after["reached"])
    assert gap_score(after)["gap_score"].iloc[k] <= gap_score(frame)["gap_score"].iloc[k] + 1e-9
    # Strictly lower while anyone is left to meet: no cliff, no plateau at 37 %.
    before = gap_score(frame)["reach_deficit"].iloc[k]
    if before > 1e-12:
        assert gap_score(after)["reach_deficit"].iloc[k] < before


@settings(max_examples=80, deadline=None)
@given(rows=ROWS, which=st.integers(0, 29), longer=st.floats(0.1, 100), fewer=st.floats(0, 1))
def test_longer_travel_never_lowers_the_score(rows: list, which: int, longer: float,
                                              fewer: float) -> None:
    frame = _frame(rows)
    k = which % len(rows)
    after = frame.copy()
    after.loc[k, "nearest_min"] += longer
    after.loc[k, "covered_share"] *= fewer
    assert gap_score(after)["gap_score"].iloc[k] >= gap_score(frame)["gap_score"].iloc[k] - 1e-9


def test_contacts_beyond_the_invisible_estimate_keep_a_zone_ranked() -> None:
    # 60 reached of 129 × 37 % = 47.7 potential invisible: the published estimate is 0, the
    # score still tells this zone from one where everyone was met many times over.
    frame = zones(reached=[60.0, 400.0], neet_est=[129.0, 129.0], youth=[1000.0, 1000.0],
                  invisible_est=[0.0, 0.0], covered_share=[1.0, 1.0], nearest_min=[5.0, 5.0])
    got = gap_score(frame)
    assert (got["need_index"] > 0).all() and got["gap_score"].iloc[0] > got["gap_score"].iloc[1]
