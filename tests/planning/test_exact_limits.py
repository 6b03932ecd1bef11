"""A run the time limit cuts short is never called optimal, and its bound still holds."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.spatial import cKDTree

from territory._errors import InputError
from territory.planning import CoverageModel, Instance, exact, greedy
from territory.planning._highs import Model, solve_mip


def _crowded(seed: int = 7) -> CoverageModel:
    """Heavily overlapping coverage areas: hard to prove (as in the issue's 5,000 × 1,000)."""
    rng = np.random.default_rng(seed)
    demand = rng.uniform(0, 100, size=(3000, 2))
    sites = rng.uniform(0, 100, size=(800, 2))
    found = cKDTree(demand).sparse_distance_matrix(cKDTree(sites), 10.0,
                                                   output_type="coo_matrix").tocsr()
    return CoverageModel.from_cost_matrix(found, rng.uniform(0, 10, len(demand)),
                                          threshold_min=10.0)


def test_time_limit_status_and_gap() -> None:
    instance = Instance.create(_crowded(), n_new=20)
    solution = exact(instance, time_limit_s=0.01)
    assert solution.value < instance.weight.sum()  # not trivially everything
    assert solution.status == "time_limit"
    assert solution.bound >= solution.value
    assert solution.gap > 0
    assert solution.value >= greedy(instance).value - 1e-9
    assert len(solution.sites) == 20


def test_highs_status_is_read_from_the_model_status() -> None:
    # max x1 + x2 with x1 + x2 <= 1.5, binaries: optimum 1, LP bound 1.5.
    model = Model(cost=np.array([-1.0, -1.0]), lower=np.zeros(2), upper=np.ones(2),
                  matrix=sp.csc_array(np.array([[1.0, 1.0]])),
                  row_lower=np.array([-np.inf]), row_upper=np.array([1.5]),
                  integer=np.array([True, True]))
    result = solve_mip(model, time_limit_s=10, rel_gap=1e-9)
    assert result.status == "optimal"
    assert result.objective == pytest.approx(-1.0)
    assert result.bound == pytest.approx(-1.0)


def test_unknown_lp_solver() -> None:
    instance = Instance.create(_crowded(), n_new=1)
    with pytest.raises(InputError, match="lp_solver"):
        exact(instance, lp_solver="barrier")
