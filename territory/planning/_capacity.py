"""Site capacities: a capacity-aware greedy and the exact value of a plan with capacities.

With capacities, a plan's value is no longer "the weight within reach" but the most weight
that can be assigned to open sites within reach without exceeding any capacity: a
transportation LP, solved exactly by HiGHS for a fixed plan (:func:`capacity_value`). The
greedy (:func:`capacity_greedy`) estimates a site's gain as the smaller of its capacity and
the unassigned weight around it, and assigns the nearest demand first.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from territory.planning import _formulations as form
from territory.planning._highs import solve_lp
from territory.planning.instance import Instance

IntArray = NDArray[np.intp]
FloatArray = NDArray[np.float64]


class _Residual:
    """Unassigned weight per demand point and the load of each open site."""

    def __init__(self, instance: Instance):
        model = instance.model
        self.instance = instance
        self.left = instance.weight.copy()
        self.room = np.where(np.isfinite(model.capacity), model.capacity, np.inf)
        for j in np.flatnonzero(instance.fixed_open):
            self.assign(int(j))

    def _around(self, j: int) -> tuple[IntArray, FloatArray]:
        minutes = self.instance.model.minutes_t
        span = slice(minutes.indptr[j], minutes.indptr[j + 1])
        rows = np.asarray(minutes.indices[span], dtype=np.intp)
        t = np.asarray(minutes.data[span])
        inside = t <= self.instance.model.threshold_min
        order = np.argsort(t[inside], kind="stable")
        return rows[inside][order], t[inside][order]

    def gain(self, j: int) -> float:
        rows, _ = self._around(j)
        return float(min(self.room[j], self.left[rows].sum()))

    def assign(self, j: int) -> float:
        rows, _ = self._around(j)
        wanted = self.left[rows]
        served = np.clip(self.room[j] - (np.cumsum(wanted) - wanted), 0, wanted)
        self.left[rows] -= served
        self.room[j] -= served.sum()
        return float(served.sum())


def capacity_greedy(instance: Instance) -> IntArray:
    """Choose sites one at a time by their capacity-limited gain."""
    state = _Residual(instance)
    chosen = [int(j) for j in np.flatnonzero(instance.forced)]
    for j in chosen:
        state.assign(j)
    model = instance.model
    counts = np.bincount(model.group[chosen][model.group[chosen] >= 0] if chosen else [],
                         minlength=len(model.groups))
    free = [int(j) for j in np.flatnonzero(instance.allowed & ~instance.forced)]
    while len(chosen) < instance.n_new:
        fits = [j for j in free if model.group[j] < 0 or instance.budget[model.group[j]] < 0
                or counts[model.group[j]] < instance.budget[model.group[j]]]
        gains = np.array([state.gain(j) for j in fits]) if fits else np.empty(0)
        if not len(gains) or gains.max() <= 1e-9:
            break
        j = fits[int(np.argmax(gains))]
        state.assign(j)
        chosen.append(j)
        free.remove(j)
        if model.group[j] >= 0:
            counts[model.group[j]] += 1
    return np.asarray(chosen, dtype=np.intp)


def capacity_gains(instance: Instance, chosen: IntArray) -> FloatArray:
    """Capacity-limited gain of every site once the plan's sites are open (0 for open ones).

    The greedy's estimate (:func:`capacity_greedy`): the smaller of a site's capacity and the
    weight within reach that no open site serves yet.
    """
    state = _Residual(instance)
    for j in chosen:
        state.assign(int(j))
    opened = instance.fixed_open.copy()
    opened[np.asarray(chosen, dtype=np.intp)] = True
    return np.array([0.0 if opened[j] else state.gain(j)
                     for j in range(instance.model.n_facilities)], dtype=np.float64)


def capacity_value(instance: Instance, chosen: IntArray) -> tuple[float, FloatArray]:
    """Exact value of a plan with capacities, and the weight each chosen site serves."""
    model, cands, pair_site = form.capacity_model(instance)
    on = np.isin(cands, chosen).astype(np.float64)
    lower, upper = model.lower.copy(), model.upper.copy()
    lower[: len(cands)] = upper[: len(cands)] = on
    fixed = form.Model(model.cost, lower, upper, model.matrix, model.row_lower,
                       model.row_upper, np.zeros_like(model.integer), model.offset)
    result = solve_lp(fixed, time_limit_s=600.0, solver_name="simplex")
    x = result.x if result.x is not None else np.zeros(len(model.cost))
    served = -model.cost[len(cands):] * x[len(cands):]
    loads = np.bincount(pair_site, weights=served, minlength=instance.model.n_facilities)
    return -result.objective, np.asarray(loads[np.asarray(chosen, dtype=np.intp)],
                                         dtype=np.float64)
