"""The distance objective on a street lattice with a cutoff of 1e12 minutes, against enumeration.

As in spopt's p-median tests (a regular street lattice, PMedian.from_cost_matrix), every trip
is kept: the cutoff is so large that it never caps a trip, yet until a demand point is served
it counts as 1e12 minutes. The lattice here is 7 × 7 street corners 1.3 minutes apart, so the
travel time between two corners is 1.3 × their Manhattan distance (a regular lattice's network
distance); a demand point stands at each corner, weighing ``1 + (3 row + 5 column) mod 11``,
and five corners are candidates. The optimum of three sites comes from enumerating the ten
possible plans, with the trips of each plan summed directly.
"""

from __future__ import annotations

import numpy as np
import pytest

from territory.planning import CoverageModel, Instance, exact, greedy

from ._brute import brute_force, distance_value

CUTOFF_MIN = 1e12
SPACING_MIN = 1.3
SITES = [(0, 0), (1, 5), (3, 3), (5, 1), (6, 6)]


def lattice_model(*, size: int = 7, cutoff_min: float = CUTOFF_MIN) -> CoverageModel:
    corners = [(row, col) for row in range(size) for col in range(size)]
    minutes = np.array([[SPACING_MIN * (abs(r - sr) + abs(c - sc)) for sr, sc in SITES]
                        for r, c in corners])
    weight = np.array([1.0 + (3 * r + 5 * c) % 11 for r, c in corners])
    return CoverageModel.from_cost_matrix(minutes, weight, threshold_min=3.0,
                                          cutoff_min=cutoff_min)


@pytest.fixture
def lattice() -> Instance:
    return Instance.create(lattice_model(), objective="distance", n_new=3)


def test_exact_value_is_the_enumerated_optimum(lattice: Instance) -> None:
    best = brute_force(lattice)
    solution = exact(lattice)
    assert solution.status == "optimal"
    assert solution.value == pytest.approx(best, rel=1e-9)
    assert solution.value == pytest.approx(distance_value(lattice, list(solution.positions)),
                                           rel=1e-12)


def test_exact_bound_is_below_the_value_and_proves_it(lattice: Instance) -> None:
    solution = exact(lattice)
    assert solution.bound <= solution.value
    assert solution.bound == pytest.approx(solution.value, rel=1e-6)
    assert solution.gap == 0.0


def test_greedy_value_and_bound_hold_with_a_huge_cutoff(lattice: Instance) -> None:
    best = brute_force(lattice)
    solution = greedy(lattice)
    assert solution.value == pytest.approx(distance_value(lattice, list(solution.positions)),
                                           rel=1e-12)
    assert solution.value >= best * (1 - 1e-12)
    assert solution.bound <= best


def test_the_cutoff_changes_nothing_when_it_caps_no_trip(lattice: Instance) -> None:
    # The longest trip is 12 corners × 1.3 = 15.6 minutes: a 60-minute cutoff caps nothing.
    short = exact(Instance.create(lattice_model(cutoff_min=60.0), objective="distance",
                                  n_new=3))
    huge = exact(lattice)
    assert list(huge.sites.index) == list(short.sites.index)
    assert huge.value == pytest.approx(short.value, rel=1e-12)
