"""New places on a model, each place's gain in the plan's order, and two plans compared.

The dashboard measures its places, proposes and compares with these three: adding places to a
model equals building the model with them; a plan's gains in its order equal a brute-force
count and a solver's gains; a comparison ranks the plan that brings more young people first.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from territory._errors import InputError
from territory.planning import (
    REQUIRED,
    CoverageModel,
    Plan,
    compare,
    compare_places,
    plan_figures,
    solve,
)


def _points_model(seed: int, *, n_demand: int = 30, n_sites: int = 8,
                  required: int = 2) -> CoverageModel:
    rng = np.random.default_rng(seed)
    demand = gpd.GeoDataFrame({"youth": rng.integers(1, 100, n_demand).astype(float),
                               "invisible_est": rng.random(n_demand) * 10}, crs=2154,
                              geometry=gpd.points_from_xy(*rng.random((2, n_demand)) * 40_000))
    roles = ["required"] * required + ["candidate"] * (n_sites - required)
    sites = gpd.GeoDataFrame({"role": roles}, index=[f"s{k}" for k in range(n_sites)],
                             geometry=gpd.points_from_xy(*rng.random((2, n_sites)) * 40_000),
                             crs=2154)
    return CoverageModel.from_geodataframe(demand, sites, threshold_min=10)


def _new_places(seed: int, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed + 1)
    x, y = rng.random((2, n)) * 40_000
    return pd.DataFrame({"x": x, "y": y}, index=[f"C{k + 1}" for k in range(n)])


def _brute_gains(model: CoverageModel, order: list[str]) -> list[float]:
    """Young people newly within the threshold of each site, in order, counted pair by pair."""
    reach = model.reach.toarray() > 0
    covered = reach[:, model.always_open].any(axis=1)
    youth = model.demand["youth"].to_numpy()
    gains = []
    for label in order:
        new = reach[:, model.facilities.index.get_loc(label)] & ~covered
        gains.append(float(youth[new].sum()))
        covered |= new
    return gains


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 4))
def test_added_places_are_measured_as_if_built_with_the_model(seed: int, n: int) -> None:
    model = _points_model(seed)
    places = _new_places(seed, n)
    more = model.with_sites(places)
    rebuilt = CoverageModel.from_cost_matrix(
        model.params.travel_min(
            np.hypot(model.demand_xy[:, [0]] - np.r_[model.facilities["x"], places["x"]],
                     model.demand_xy[:, [1]] - np.r_[model.facilities["y"], places["y"]])),
        model.demand, threshold_min=10)
    assert np.array_equal(more.reach.toarray(), rebuilt.reach.toarray())
    assert list(more.facilities.index[-n:]) == list(places.index)
    assert (more.role[-n:] == "candidate").all() and len(model.facilities) == 8  # unchanged


def _rebuilt(model: CoverageModel) -> CoverageModel:
    """The same model with every derived array computed from scratch."""
    return CoverageModel(model.demand, model.facilities, model.pairs, model.threshold_min,
                         model.cutoff_min, model.zones, model.demand_xy, model.params,
                         model.routed, model.demand_codes, model.demand_no_car)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1),
       st.lists(st.lists(st.sampled_from(["ML1", "ML2", "ML3", None]), min_size=1,
                         max_size=3), min_size=1, max_size=3))
def test_places_added_one_batch_after_another_give_the_model_built_at_once(
        seed: int, batches: list[list[str | None]]) -> None:
    # with_sites extends the reach matrices, roles, groups and capacities of the model it
    # starts from: the same as computing them again on every site.
    model = _points_model(seed)
    model = CoverageModel(model.demand, model.facilities.assign(group=["ML1", "ML2"] * 4),
                          model.pairs, model.threshold_min, model.cutoff_min,
                          demand_xy=model.demand_xy, params=model.params)
    rng = np.random.default_rng(seed)
    for b, groups in enumerate(batches):
        x, y = rng.random((2, len(groups))) * 40_000
        model = model.with_sites(pd.DataFrame(
            {"x": x, "y": y, "group": groups, "capacity": rng.choice([np.nan, 5.0], len(x))},
            index=[f"B{b}-{k}" for k in range(len(groups))]))
        whole = _rebuilt(model)
        for name in ("reach", "reach_t"):
            mine, theirs = getattr(model, name), getattr(whole, name)
            assert mine.has_sorted_indices
            assert np.array_equal(mine.indptr, theirs.indptr)
            assert np.array_equal(mine.indices, theirs.indices)
        assert model.role.tolist() == whole.role.tolist()
        assert model.group.tolist() == whole.group.tolist()
        assert model.groups.equals(whole.groups)
        assert np.array_equal(model.capacity, whole.capacity, equal_nan=True)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 4))
def test_a_plans_gains_in_its_order_are_the_brute_force_ones(seed: int, n: int) -> None:
    model = _points_model(seed).with_sites(_new_places(seed, n))
    order = [f"C{k}" for k in range(n, 0, -1)]
    plan = Plan(model, chosen=order)
    added = plan.added()
    assert added["gain_youth"].tolist() == pytest.approx(_brute_gains(model, order))
    assert added["gain_youth"].sum() == pytest.approx(
        plan.region()["youth_covered"] - Plan(model).region()["youth_covered"])


def test_a_solvers_proposals_keep_their_gains_once_added() -> None:
    model = _points_model(7, n_demand=60, n_sites=20)
    mine = _new_places(7, 1)
    fixed = model.with_sites(mine, role=REQUIRED)  # the plan's places stay open
    solution = solve(fixed, n_new=3, weight="youth")
    kept = solution.sites[["x", "y"]].set_axis([f"P{k}" for k in range(len(solution.sites))])
    plan = Plan(model.with_sites(pd.concat([mine, kept])), chosen=[*mine.index, *kept.index])
    assert plan.added()["gain_youth"].iloc[1:].tolist() == pytest.approx(
        solution.sites["gain_youth"].tolist())


def test_new_places_need_new_labels_and_points() -> None:
    model = _points_model(1)
    with pytest.raises(InputError, match="already taken"):
        model.with_sites(pd.DataFrame({"x": [0.0], "y": [0.0]}, index=["s1"]))
    bare = CoverageModel.from_cost_matrix([[10.0]], [1.0])
    with pytest.raises(InputError, match="from_geodataframe"):
        bare.with_sites(pd.DataFrame({"x": [0.0], "y": [0.0]}, index=["C1"]))


def test_compare_places_ranks_the_plan_that_covers_more_young_people_first() -> None:
    model = _points_model(3, n_demand=80)
    small, large = _new_places(3, 1), _new_places(4, 5)
    result = compare_places(model, small, large, names=("Petit", "Grand"))
    both = model.with_sites(pd.concat([small.rename(index="a{}".format),
                                       large.rename(index="b{}".format)]))
    expected = compare(plan_figures(both, ["aC1"]),
                       plan_figures(both, large.index.map("b{}".format)),
                       names=("Petit", "Grand"))
    pd.testing.assert_frame_equal(result.region, expected.region)
    table = result.ranking()
    youth = table["youth_covered"]
    assert table.loc[youth.idxmax(), "rank"] == 1
    assert table["youth_gain"].tolist() == pytest.approx(
        (youth - plan_figures(model).region["youth_covered"]).tolist())
    if youth["Grand"] != youth["Petit"]:
        best = str(youth.idxmax())
        assert result.best == best and result.verdict().startswith(f"« {best} » met")


def test_equal_plans_share_the_first_rank() -> None:
    model = _points_model(5)
    same = _new_places(5, 2)
    result = compare_places(model, same, same, names=("A", "B"))
    assert result.ranking()["rank"].tolist() == [1, 1]
    assert result.best is None and "autant" in result.verdict()
