"""The toy instance, solved by hand (see conftest): every objective and constraint."""

from __future__ import annotations

import numpy as np
import pytest

from territory._errors import InputError
from territory.planning import CoverageModel, Instance, exact, greedy, solve

from .conftest import toy_model


@pytest.mark.parametrize("method", ["exact", "greedy"])
@pytest.mark.parametrize(("n_new", "sites", "covered"),
                         [(0, [], 0.0), (1, ["s2"], 50.0), (2, ["s2", "s3"], 90.0),
                          (3, ["s2", "s3", "s1"], 100.0)])
def test_maximal_covering_by_hand(toy: CoverageModel, method: str, n_new: int,
                                  sites: list[str], covered: float) -> None:
    solution = solve(toy, n_new=n_new, method=method)
    assert list(solution.sites.index) == sites
    assert solution.value == pytest.approx(covered)
    assert solution.sites["gain"].sum() == pytest.approx(covered)


def test_gains_are_sequential_and_carry_every_figure(toy: CoverageModel) -> None:
    sites = solve(toy, n_new=3).sites
    assert sites["gain"].tolist() == pytest.approx([50.0, 40.0, 10.0])
    assert sites["gain_youth"].tolist() == pytest.approx([500.0, 400.0, 100.0])
    assert sites["rank"].tolist() == [1, 2, 3]
    assert set(sites["role"]) == {"chosen"}


def test_exact_is_proven_optimal_with_zero_gap(toy: CoverageModel) -> None:
    solution = exact(Instance.create(toy, n_new=2))
    assert solution.status == "optimal"
    assert solution.gap == 0.0
    assert solution.bound == pytest.approx(90.0)


def test_greedy_reports_a_valid_bound(toy: CoverageModel) -> None:
    solution = greedy(Instance.create(toy, n_new=1))
    assert solution.status == "heuristic"
    assert solution.bound >= 50.0


@pytest.mark.parametrize("method", ["exact", "greedy"])
def test_forced_candidate_is_chosen(toy: CoverageModel, method: str) -> None:
    solution = solve(toy, n_new=2, forced=["s1"], method=method)
    assert set(solution.sites.index) == {"s1", "s3"}
    assert solution.value == pytest.approx(70.0)


@pytest.mark.parametrize("method", ["exact", "greedy"])
def test_excluded_candidate_is_never_chosen(toy: CoverageModel, method: str) -> None:
    solution = solve(toy, n_new=1, excluded=["s2"], method=method)
    assert list(solution.sites.index) == ["s3"]


@pytest.mark.parametrize("method", ["exact", "greedy"])
def test_budget_per_mission_locale(toy: CoverageModel, method: str) -> None:
    solution = solve(toy, n_new=2, per_group=1, method=method)
    assert set(solution.sites.index) == {"s1", "s3"}
    assert solution.value == pytest.approx(70.0)
    zero = solve(toy, n_new=2, per_group={"G1": 0}, method=method)
    assert list(zero.sites.index) == ["s1"]
    assert zero.shortfall == "no_candidate"  # G1's budget is spent, s1 is taken


@pytest.mark.parametrize("role", ["required", "competitor"])
def test_always_open_sites_count_as_covering(role: str) -> None:
    model = toy_model(roles=("candidate", "candidate", role))
    solution = solve(model, n_new=1)
    assert list(solution.sites.index) == ["s2"]
    assert solution.value == pytest.approx(90.0)
    assert solution.sites["gain"].tolist() == pytest.approx([50.0])


@pytest.mark.parametrize("method", ["exact", "greedy"])
def test_set_covering_fewest_sites(toy: CoverageModel, method: str) -> None:
    solution = solve(toy, objective="covering", target_share=0.9, method=method)
    assert set(solution.sites.index) == {"s2", "s3"}
    assert solution.value == 2.0
    assert solution.covered["invisible_est"] >= 90.0


def test_distance_objective_by_hand(toy: CoverageModel) -> None:
    # Youth-weighted minutes, trips capped at 60. s2 alone: A 60, B 25, C 5, D 60 ->
    # 100*60 + 200*25 + 300*5 + 400*60 = 36 500; s3 alone: A 60, B 60, C 55, D 0 -> 34 500;
    # s1 alone: 10, 20, 60, 60 -> 47 000. So s3.
    solution = solve(toy, objective="distance", n_new=1)
    assert list(solution.sites.index) == ["s3"]
    assert solution.value == pytest.approx(34_500.0)
    both = solve(toy, objective="distance", n_new=2)
    # s2 + s3: A 60, B 25, C 5, D 0 -> 6000 + 5000 + 1500 = 12 500.
    assert set(both.sites.index) == {"s2", "s3"}
    assert both.value == pytest.approx(12_500.0)


def test_capacity_limits_what_a_site_serves() -> None:
    model = toy_model(capacity=(np.nan, 15.0, np.nan))
    solution = solve(model, n_new=1)
    # s2 reaches 50 but serves at most 15; s3 serves its 40 and wins.
    assert list(solution.sites.index) == ["s3"]
    assert solution.value == pytest.approx(40.0)
    two = solve(model, n_new=2)
    assert set(two.sites.index) == {"s1", "s3"} or two.value == pytest.approx(70.0)
    assert two.value == pytest.approx(70.0)
    assert "served" in two.sites


def test_greedy_with_capacity_is_valued_exactly() -> None:
    model = toy_model(capacity=(np.nan, 15.0, np.nan))
    solution = solve(model, n_new=3, method="greedy")
    assert solution.value == pytest.approx(10 + 20 + 15 + 40 - 20 + 20)


def test_every_problem_is_listed_at_once(toy: CoverageModel) -> None:
    with pytest.raises(InputError) as caught:
        Instance.create(toy, n_new=0, forced=["s1", "s9"], excluded=["s1"], weight="nope",
                        per_group={"G7": 1})
    messages = [str(p) for p in caught.value.problems]
    assert len(messages) == 5, messages
    assert any("s9" in m for m in messages)
    assert any("both forced and excluded" in m for m in messages)
    assert any("nope" in m for m in messages)
    assert any("G7" in m for m in messages)
    assert any("forced sites but only 0" in m for m in messages)


def test_unknown_method_and_objective(toy: CoverageModel) -> None:
    with pytest.raises(InputError, match="method"):
        solve(toy, n_new=1, method="magic")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="objective"):
        Instance.create(toy, objective="median", n_new=1)  # type: ignore[arg-type]


def test_covering_needs_a_share(toy: CoverageModel) -> None:
    with pytest.raises(InputError, match="target_share"):
        Instance.create(toy, objective="covering")


def test_greedy_says_when_a_covering_target_cannot_be_reached(toy: CoverageModel) -> None:
    # Without s3, nothing reaches D (40 of 100): at most 60 % can be covered, not 90 %.
    solution = solve(toy, objective="covering", target_share=0.9, excluded=["s3"],
                     method="greedy")
    assert solution.shortfall == "target_not_reached"
    assert set(solution.sites.index) == {"s1", "s2"}
    assert solution.covered["invisible_est"] == pytest.approx(60.0)
    with pytest.raises(InputError, match="cannot all be met"):
        solve(toy, objective="covering", target_share=0.9, excluded=["s3"])


def test_greedy_covering_keeps_to_the_site_limit(toy: CoverageModel) -> None:
    # 90 % needs s2 and s3; with one site at most, s2 (50 %) is all the greedy may open.
    solution = solve(toy, objective="covering", target_share=0.9, n_new=1, method="greedy")
    assert list(solution.sites.index) == ["s2"]
    assert solution.shortfall == "target_not_reached"


@pytest.mark.parametrize("method", ["exact", "greedy"])
def test_fewer_sites_when_no_candidate_adds_anything(method: str) -> None:
    # Both sites reach A alone (10 and 20 min); B is 50 min from each: a second site adds 0.
    model = CoverageModel.from_cost_matrix([[10.0, 20.0], [50.0, 50.0]], [3.0, 4.0])
    solution = solve(model, n_new=2, method=method)
    assert list(solution.sites.index) == [0]
    assert solution.value == pytest.approx(3.0)
    assert solution.shortfall == "no_gain"


@pytest.mark.parametrize("method", ["exact", "greedy"])
@pytest.mark.parametrize("objective", ["coverage", "distance"])
def test_fewer_sites_when_no_candidate_is_left(toy: CoverageModel, method: str,
                                              objective: str) -> None:
    solution = solve(toy, objective=objective, n_new=3, excluded=["s3"],  # type: ignore[arg-type]
                     method=method)
    assert set(solution.sites.index) == {"s1", "s2"}
    assert solution.shortfall == "no_candidate"


@pytest.mark.parametrize("method", ["exact", "greedy"])
def test_no_shortfall_when_the_plan_is_what_was_asked(toy: CoverageModel, method: str) -> None:
    assert solve(toy, n_new=2, method=method).shortfall is None
    assert solve(toy, objective="covering", target_share=0.9, method=method).shortfall is None
