"""What-if: every incremental update equals a full recomputation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from territory._errors import InputError
from territory.analysis import by_code
from territory.planning import CoverageModel, Plan, plan_figures

from ._brute import random_model
from .conftest import toy_model


def _zoned(seed: int) -> CoverageModel:
    model = random_model(np.random.default_rng(seed), n_demand=15, n_sites=9, required=2,
                         groups=2)
    codes = pd.DataFrame({"dep": [f"D{k % 3}" for k in range(model.n_demand)]})
    return CoverageModel(model.demand, model.facilities, model.pairs, model.threshold_min,
                         model.cutoff_min, {"departement": by_code(codes, "dep", label="dép")})


def _assert_same(plan: Plan) -> None:
    full = plan_figures(plan.model, plan.chosen, closed=plan.closed)
    live = plan.figures()
    pd.testing.assert_series_equal(live.region, full.region, rtol=1e-9, atol=1e-9)
    for name, frame in full.zones.items():
        pd.testing.assert_frame_equal(live.zones[name], frame, rtol=1e-9, atol=1e-9)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32 - 1), st.lists(st.tuples(st.sampled_from(["add", "remove",
                                                                       "move"]),
                                                     st.integers(0, 8), st.integers(0, 8)),
                                           max_size=12))
def test_updates_equal_full_recomputation(seed: int, edits: list[tuple[str, int, int]]) -> None:
    model = _zoned(seed)
    plan = Plan(model)
    labels = model.facilities.index
    for action, a, b in edits:
        try:
            if action == "add":
                plan.add(labels[a])
            elif action == "remove":
                plan.remove(labels[a])
            else:
                plan.move(labels[a], labels[b])
        except InputError:
            continue
        _assert_same(plan)
        before = plan.region()["invisible_est_covered"]
        gains = plan.gains()
        for label, gain in gains.items():
            if plan.is_open[label]:
                assert gain == 0.0
                continue
            after = plan_figures(model, [*plan.chosen, label], closed=plan.closed).region[
                "invisible_est_covered"]
            assert gain == pytest.approx(after - before, abs=1e-9)


def test_toy_what_if_by_hand() -> None:
    plan = Plan(toy_model())
    assert plan.region()["invisible_est_covered"] == 0.0
    assert plan.gains().to_dict() == {"s1": 30.0, "s2": 50.0, "s3": 40.0}
    plan.add("s2")
    assert plan.region()["invisible_est_covered"] == 50.0
    assert plan.gains().to_dict() == {"s1": 10.0, "s2": 0.0, "s3": 40.0}
    assert plan.gains(figure="youth")["s1"] == 100.0
    plan.move("s2", "s3")
    assert list(plan.chosen) == ["s3"]
    assert plan.region()["invisible_est_covered"] == 40.0
    plan.remove("s3")
    assert plan.region()["new_sites"] == 0.0


def test_required_sites_can_be_closed_but_not_competitors() -> None:
    plan = Plan(toy_model(roles=("required", "candidate", "competitor")))
    assert plan.region()["sites"] == 1.0
    assert plan.region()["invisible_est_covered"] == 70.0
    plan.remove("s1")
    assert plan.region()["invisible_est_covered"] == 40.0
    with pytest.raises(InputError, match="not an open ML site"):
        plan.remove("s3")
    with pytest.raises(InputError, match="already open"):
        plan.add("s3")
    plan.add("s1")
    assert list(plan.closed) == [] and list(plan.chosen) == []
    assert plan.region()["invisible_est_covered"] == 70.0



def test_errors_name_the_site() -> None:
    plan = Plan(toy_model(), chosen=["s1"])
    with pytest.raises(InputError, match="already open"):
        plan.add("s1")
    with pytest.raises(InputError, match="'s9'"):
        plan.add("s9")
