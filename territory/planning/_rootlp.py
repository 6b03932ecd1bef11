"""The LP relaxation of maximal covering, by column generation, for its multipliers.

The LP is first solved over a few candidates (the incumbent, the forced sites and those that
reach most weight) by HiGHS's interior point; its duals price every other candidate
(reduced profit ``Σ λ_i − μ − π_group``, with ``λ_i = w_i`` for demand no restricted column
reaches), and the best-priced candidates join until none prices in — the full LP's optimum —
or the restricted set grows large, when the full LP is solved instead. Whatever the path,
the multipliers only serve the Lagrangian bound, which is valid for any of them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from territory.planning import _formulations as form
from territory.planning._highs import Clock, solve_lp
from territory.planning.instance import Instance

IntArray = NDArray[np.intp]
FloatArray = NDArray[np.float64]
_MAX_ROUNDS = 30
_LARGE_SHARE = 0.5
_PRICE_TOLERANCE = 1e-7


def _restricted(sub: form.CoverSub, columns: IntArray) -> tuple[form.CoverSub, IntArray]:
    """Restrict the sub-problem to some candidate columns; return it and the rows kept."""
    rows = sub.rows[:, columns]
    present = np.flatnonzero(np.diff(rows.indptr) > 0)
    part = form.CoverSub(sub.cands[columns], rows[present], sub.weight[present],
                         sub.fold[columns], sub.constant)
    return part, present


def _duals(instance: Instance, sub: form.CoverSub, columns: IntArray, clock: Clock, *,
           threads: int | None, solver: str,
           ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """LP over ``columns``: multipliers of all merged rows, μ, group prices, site values."""
    part, present = _restricted(sub, columns)
    result = solve_lp(form.coverage_model(instance, part), time_limit_s=clock.left(),
                      threads=threads, solver_name=solver)
    duals = result.row_dual if result.row_dual is not None else np.zeros(0)
    n_rows = len(present)
    lam = sub.weight.copy()
    if len(duals):
        lam[present] = np.clip(-duals[:n_rows], 0.0, sub.weight[present])
    limits = -duals[n_rows:] if len(duals) else np.zeros(1)
    group_price = np.zeros(len(instance.budget) + 1)
    limited = np.flatnonzero(instance.budget >= 0)
    group_price[limited] = np.maximum(limits[1:1 + len(limited)], 0.0)
    y = np.zeros(len(sub.cands))
    if result.x is not None:
        y[columns] = result.x[: len(columns)]
    return lam, np.asarray([max(limits[0], 0.0)]), group_price, y


def _start(instance: Instance, sub: form.CoverSub, incumbent: IntArray) -> IntArray:
    reach = sub.fold + sub.rows.T @ sub.weight
    top = np.argsort(-reach, kind="stable")[: 4 * max(instance.n_new, 10)]
    mine = np.flatnonzero(np.isin(sub.cands, incumbent) | instance.forced[sub.cands])
    return np.unique(np.concatenate([top, mine])).astype(np.intp)


def root_multipliers(instance: Instance, sub: form.CoverSub, incumbent: IntArray, *,
                     clock: Clock, threads: int | None = None, solver: str = "ipm",
                     ) -> tuple[FloatArray, FloatArray, dict[str, Any]]:
    """Multipliers of the merged rows of ``sub`` and site values, from the LP relaxation."""
    columns = _start(instance, sub, incumbent)
    group = instance.model.group[sub.cands]
    rounds = 0
    for rounds in range(1, _MAX_ROUNDS + 1):
        lam, mu, price, y = _duals(instance, sub, columns, clock, threads=threads,
                                   solver=solver)
        profit = sub.fold + sub.rows.T @ lam
        reduced = profit - mu[0] - price[np.where(group >= 0, group, len(price) - 1)]
        reduced[columns] = -np.inf
        scale = max(float(mu[0]), 1.0)
        new = np.flatnonzero(reduced > _PRICE_TOLERANCE * scale)
        if len(new) == 0 or clock.left() <= 0:
            return lam, y, {"lp_rounds": rounds, "lp_columns": len(columns), "lp_full": False}
        if len(columns) + len(new) > _LARGE_SHARE * len(sub.cands):
            break
        add = max(200, 5 * instance.n_new, len(columns) // 2)
        columns = np.concatenate([columns, new[np.argsort(-reduced[new])][:add]])
    everything = np.arange(len(sub.cands), dtype=np.intp)
    lam, _, _, y = _duals(instance, sub, everything, clock, threads=threads, solver=solver)
    return lam, y, {"lp_rounds": rounds, "lp_columns": len(sub.cands), "lp_full": True}
