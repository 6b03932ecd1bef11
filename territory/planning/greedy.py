"""Instant answers: lazy greedy, then swap improvement, with a proven bound.

The greedy adds, one at a time, the candidate that adds most (lazy evaluation: Minoux 1978,
"CELF" in Leskovec et al. 2007 — a gain can only shrink as sites open, so a stale gain that
still tops the queue is re-evaluated alone). Then Teitz & Bart (1968) swaps: close a chosen
site and open the candidate that gains most in its place, while that improves the objective.

Both objectives are submodular in the set of open sites, so for any plan ``S``, the optimum is
at most ``f(S)`` plus the ``n_new`` largest marginal gains with respect to ``S`` that respect
the budgets (Nemhauser, Wolsey & Fisher 1978): the greedy reports this bound, which proves a
gap without any solver. For maximal covering without budgets, the greedy alone gains at least
(1 − 1/e) ≈ 63 % of what the optimum gains; with swaps it is usually within a few per cent.
"""

from __future__ import annotations

import heapq
import time

import numpy as np
from numpy.typing import NDArray

from territory.planning._capacity import capacity_greedy
from territory.planning._state import CoverageState, DistanceState
from territory.planning.instance import Instance
from territory.planning.solution import Solution, finish, make_state

__all__ = ["greedy", "greedy_positions", "improve"]

_TOLERANCE = 1e-9
_MAX_PASSES = 50

State = CoverageState | DistanceState


def greedy(instance: Instance, *, swaps: bool = True) -> Solution:
    """Solve the instance with lazy greedy, then swaps.

    Parameters
    ----------
    instance
        The planning question (:class:`~territory.planning.Instance`).
    swaps
        Improve the greedy plan by Teitz–Bart swaps (coverage and distance objectives; the
        covering objective drops redundant sites instead).

    Returns
    -------
    solution
        Status ``heuristic``; ``bound`` is the submodularity bound on the optimum (none for
        the covering objective). When the greedy stops short — fewer sites than ``n_new``
        because no candidate left adds anything or none is left, or a covering target it
        cannot reach — ``shortfall`` says so (:data:`~territory.planning.SHORTFALLS`).

    Examples
    --------
    >>> from territory.planning import CoverageModel, Instance
    >>> model = CoverageModel.from_cost_matrix([[10, 40], [35, 5], [20, 25]], [100, 50, 30])
    >>> greedy(Instance.create(model, n_new=1)).sites.index.tolist()
    [0]
    """
    started = time.perf_counter()
    if instance.use_capacity:
        return finish(instance, capacity_greedy(instance), method="greedy",
                      status="heuristic", bound=float("nan"),
                      seconds=time.perf_counter() - started)
    chosen, bound = greedy_positions(instance, swaps=swaps)
    if instance.objective == "distance":
        bound = -bound
    return finish(instance, chosen, method="greedy", status="heuristic", bound=bound,
                  seconds=time.perf_counter() - started)


def greedy_positions(instance: Instance, *, swaps: bool = True,
                     ) -> tuple[NDArray[np.intp], float]:
    """Return the chosen site positions and the submodularity bound on the optimum.

    The bound is on the score to maximise: covered weight (coverage), minus the weighted
    minutes (distance); NaN for the covering objective.
    """
    state = make_state(instance)
    for site in np.flatnonzero(instance.fixed_open):
        state.add(int(site))
    chosen = [int(j) for j in np.flatnonzero(instance.forced)]
    for j in chosen:
        state.add(j)
    if instance.objective == "covering":
        chosen = _until_target(instance, state, chosen)
        return np.asarray(chosen, dtype=np.intp), float("nan")
    chosen, bound = _lazy(instance, state, chosen)
    if swaps:
        _swap(instance, state, chosen)
        bound = min(bound, _bound(instance, state))
    return np.asarray(chosen, dtype=np.intp), bound


def improve(instance: Instance, start: NDArray[np.intp]) -> NDArray[np.intp]:
    """Improve a feasible plan (forced sites included) by Teitz–Bart swaps."""
    state = make_state(instance)
    for site in np.flatnonzero(instance.fixed_open):
        state.add(int(site))
    chosen = [int(j) for j in start]
    for j in chosen:
        state.add(j)
    _swap(instance, state, chosen)
    return np.asarray(chosen, dtype=np.intp)


def _score(instance: Instance, state: State) -> float:
    """Return the objective as a score to maximise."""
    return -state.value if instance.objective == "distance" else state.value


def _bound(instance: Instance, state: State) -> float:
    score = _score(instance, state)
    bound = score + _top_gains(instance, state)
    if instance.objective == "distance":
        bound += _rounding(instance, abs(score))
    return bound


def _rounding(instance: Instance, value: float) -> float:
    """Most rounding error of ``−value + Σ gains`` for the distance objective.

    Before the sites open, the minutes are the cutoff: the value and each gain are sums of
    ``n_demand`` terms about as large as the value, and their difference loses the decimals
    (a cutoff of 1e12 minutes). Widening the bound by the error keeps it proven.
    """
    terms = (max(instance.n_new, 0) + 1) * (instance.model.n_demand + 2)
    return terms * float(np.finfo(np.float64).eps) * value


def _counts(instance: Instance, chosen: list[int]) -> NDArray[np.intp]:
    groups = instance.model.group[np.asarray(chosen, dtype=np.intp)]
    return np.bincount(groups[groups >= 0], minlength=len(instance.model.groups))


def _fits(instance: Instance, counts: NDArray[np.intp], j: int) -> bool:
    limit = instance.budget_of(j)
    return limit < 0 or counts[instance.model.group[j]] < limit


def _lazy(instance: Instance, state: State, chosen: list[int]) -> tuple[list[int], float]:
    """Lazy greedy; returns the plan and the best submodularity bound seen on the way."""
    counts = _counts(instance, chosen)
    gains = state.gains()
    heap = [(-gains[j], int(j)) for j in np.flatnonzero(instance.allowed & ~state.open)]
    heapq.heapify(heap)
    bound = _bound(instance, state)
    while len(chosen) < instance.n_new and heap:
        _, j = heapq.heappop(heap)
        if not _fits(instance, counts, j):
            continue
        gain = state.gain(j)
        if heap and gain < -heap[0][0] - _TOLERANCE:
            heapq.heappush(heap, (-gain, j))
            continue
        if gain <= _TOLERANCE:
            break
        state.add(j)
        chosen.append(j)
        if instance.model.group[j] >= 0:
            counts[instance.model.group[j]] += 1
        bound = min(bound, _bound(instance, state))
    return chosen, bound


def _top_gains(instance: Instance, state: State) -> float:
    """Largest sum of marginal gains of the sites a plan may add besides the forced ones.

    Any feasible plan adds at most ``n_new`` − forced sites within the budgets; by
    submodularity its objective is at most the current one plus their gains, and the best
    such set under a partition matroid is taken greedily.
    """
    forced = np.flatnonzero(instance.forced)
    left = instance.n_new - len(forced)
    if left <= 0:
        return 0.0
    gains = np.where(instance.allowed & ~state.open, state.gains(), 0.0)
    if (instance.budget < 0).all():
        top = np.partition(gains, len(gains) - left)[-left:] if left < len(gains) else gains
        return float(np.clip(top, 0, None).sum())
    counts = _counts(instance, [int(j) for j in forced])
    total, taken = 0.0, 0
    for j in np.argsort(-gains, kind="stable"):
        if taken == left or gains[j] <= 0:
            break
        if _fits(instance, counts, int(j)):
            total += float(gains[j])
            taken += 1
            if instance.model.group[j] >= 0:
                counts[instance.model.group[j]] += 1
    return total


def _swap(instance: Instance, state: State, chosen: list[int]) -> None:
    """Teitz–Bart: best swap for each chosen site in turn, until a pass improves nothing."""
    forced = set(np.flatnonzero(instance.forced).tolist())
    scale = max(abs(state.value), 1.0)
    for _ in range(_MAX_PASSES):
        improved = False
        for pos, j in enumerate(list(chosen)):
            if j in forced:
                continue
            deltas = state.swap_deltas(j)
            counts = _counts(instance, [c for c in chosen if c != j])
            ok = instance.allowed & ~state.open & _room(instance, counts)
            if not ok.any():
                continue
            k = int(np.argmax(np.where(ok, deltas, -np.inf)))
            if deltas[k] > _TOLERANCE * scale:
                state.remove(j)
                state.add(k)
                chosen[pos] = k
                improved = True
        if not improved:
            return


def _room(instance: Instance, counts: NDArray[np.intp]) -> NDArray[np.bool_]:
    """Sites whose group has room left in its budget, given the sites counted."""
    model = instance.model
    if (instance.budget < 0).all():
        return np.ones(model.n_facilities, dtype=bool)
    slot = np.where(model.group >= 0, model.group, len(instance.budget))
    limit = np.append(instance.budget, -1)[slot]
    used = np.append(counts, 0)[slot]
    return np.asarray((limit < 0) | (used < limit), dtype=bool)


def _until_target(instance: Instance, state: State, chosen: list[int]) -> list[int]:
    """Set covering: add the best site until the target is met, then drop redundant ones."""
    assert isinstance(state, CoverageState)
    counts = _counts(instance, chosen)
    slack = _TOLERANCE * max(instance.target, 1.0)
    while state.value < instance.target - slack and len(chosen) < instance.n_new:
        ok = instance.allowed & ~state.open & _room(instance, counts)
        gains = np.where(ok, state.gains(), 0.0)
        j = int(np.argmax(gains))
        if gains[j] <= _TOLERANCE:
            break
        state.add(j)
        chosen.append(j)
        if instance.model.group[j] >= 0:
            counts[instance.model.group[j]] += 1
    forced = set(np.flatnonzero(instance.forced).tolist())
    for j in sorted(chosen, key=lambda site: _exclusive(state, site)):
        if j not in forced and state.value - _exclusive(state, j) >= instance.target - slack:
            state.remove(j)
            chosen.remove(j)
    return chosen


def _exclusive(state: CoverageState, j: int) -> float:
    """Weight covered by site ``j`` alone (lost if it closed)."""
    rows = state.rows(j)
    return float(state.weight[rows[state.count[rows] == 1]].sum())
