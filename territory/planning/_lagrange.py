"""Lagrangian bound and candidate fixing for maximal covering.

Relaxing the coverage rows ``x_i ≤ Σ_j y_j`` with multipliers ``0 ≤ λ_i ≤ w_i`` leaves

    L(λ) = Σ_i (w_i − λ_i) + max { Σ_j c_j y_j : y a feasible set of sites },
    c_j = fold_j + Σ_{i reached by j} λ_i,

an upper bound on the covered weight for *any* such λ (Fisher 1981); with the duals of the
LP relaxation it equals the LP bound. The inner maximum is over sets of at most ``n_new``
sites within the group budgets, forced sites included: a matroid, so sorting by ``c`` solves
it, and the best set that contains (or avoids) a given site differs from the optimum by one
exchange. A site whose best set scores below the incumbent cannot be part of a better plan
and is removed; a site without which every set scores below it is fixed open. Both are
proofs, not heuristics: the remaining problem has the same optimum.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from territory.planning._formulations import CoverSub
from territory.planning.instance import Instance

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class Fixing:
    """The Lagrangian bound (total covered weight) and what it proves about each candidate."""

    bound: float
    keep: BoolArray
    fixed_in: BoolArray


def slots(group: NDArray[np.intp], budget: NDArray[np.intp],
           ) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Group of each site with one extra slot (last) for sites without a group."""
    n_groups = len(budget)
    return (np.where(group >= 0, group, n_groups).astype(np.intp),
            np.append(budget, -1).astype(np.intp))


def best_set(profit: FloatArray, forced: BoolArray, slot: NDArray[np.intp],
              budget: NDArray[np.intp], n_new: int) -> BoolArray:
    """Return the forced sites, then the most profitable ones within the limits."""
    chosen = forced.copy()
    counts = np.bincount(slot[forced], minlength=len(budget))
    taken = int(forced.sum())
    for j in np.argsort(-profit, kind="stable"):
        if taken >= n_new or profit[j] <= 0:
            break
        if chosen[j] or 0 <= budget[slot[j]] <= counts[slot[j]]:
            continue
        chosen[j] = True
        taken += 1
        counts[slot[j]] += 1
    return chosen


def lagrange_fix(instance: Instance, sub: CoverSub, lam: FloatArray,
                 incumbent: float, *, tolerance: float = 1e-9) -> Fixing:
    """Bound the covered weight with multipliers ``lam``; fix candidates against ``incumbent``.

    ``lam`` holds one multiplier per merged demand row of ``sub`` (clipped to [0, w]);
    ``incumbent`` is the covered weight of a feasible plan.
    """
    lam = np.clip(np.nan_to_num(lam), 0.0, sub.weight)
    profit = sub.fold + sub.rows.T @ lam
    slot, budget = slots(instance.model.group[sub.cands], instance.budget)
    forced = instance.forced[sub.cands]
    best = best_set(profit, forced, slot, budget, instance.n_new)
    bound = float((sub.weight - lam).sum() + profit[best].sum()) + sub.constant
    slack = incumbent - tolerance * max(abs(incumbent), 1.0)
    counts = np.bincount(slot[best], minlength=len(budget))
    full = ((budget >= 0) & (counts >= budget))[slot]
    enter = bound + profit - _drop(profit, best, forced, slot, full,
                                   n_new=instance.n_new)
    leave = bound - profit + _replacement(profit, best, slot, full)
    keep = best | (enter >= slack)
    fixed_in = best & ~forced & (leave < slack)
    return Fixing(bound, keep, fixed_in)


def _drop(profit: FloatArray, best: BoolArray, forced: BoolArray, slot: NDArray[np.intp],
          full: BoolArray, *, n_new: int) -> FloatArray:
    """Profit lost from the best set to make room for each site outside it (inf: no room).

    ``full`` tells, per site, whether its group's budget is used up by the best set.
    """
    free = best & ~forced
    group_min = np.full(slot.max(initial=0) + 1, np.inf)
    np.minimum.at(group_min, slot[free], profit[free])
    overall = float(profit[free].min()) if free.any() else np.inf
    drop = np.full(len(profit), overall if int(best.sum()) >= n_new else 0.0)
    return np.where(full, group_min[slot], drop)


def _replacement(profit: FloatArray, best: BoolArray, slot: NDArray[np.intp],
                 full: BoolArray) -> FloatArray:
    """Best profit that can replace each site of the best set once it leaves (0: none)."""
    outside = ~best
    anywhere = float(profit[outside & ~full].max()) if (outside & ~full).any() else 0.0
    same = np.full(slot.max(initial=0) + 1, -np.inf)
    np.maximum.at(same, slot[outside], profit[outside])
    own = np.where(full, same[slot], -np.inf)
    return np.maximum(np.maximum(anywhere, own), 0.0)
