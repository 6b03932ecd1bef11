"""Proven answers: HiGHS on sparse formulations, under a time limit, with the true status.

Maximal covering goes through these stages; only the last two prove anything, the others
find good plans that make the proof short:

1. the greedy with swaps (:mod:`~territory.planning.greedy`) gives a first plan;
2. the LP relaxation, by column generation with HiGHS's interior point without crossover (on
   these models several times faster than the default dual simplex), gives site values
   and multipliers;
3. roundings of the LP's values, improved by swaps, and a short branch and bound on the
   sites the LP opens (its support) give a better plan, the incumbent;
4. the Lagrangian bound of the multipliers (:mod:`~territory.planning._lagrange`) removes
   every candidate that cannot be part of a better plan, and fixes open those that must be;
5. HiGHS's branch and bound on what is left, started from the incumbent.

The other objectives (distance, covering, capacities) go to HiGHS directly, started from the
greedy plan where there is one. The status is HiGHS's: ``optimal`` only when the optimum is
proven within ``rel_gap``; ``time_limit`` otherwise, with the best plan found and the proven
bound — never "optimal" for a run the limit cut short.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from territory._errors import InputError
from territory.planning import _formulations as form
from territory.planning._capacity import capacity_greedy
from territory.planning._highs import Clock, Result, solve_mip
from territory.planning._lagrange import best_set, lagrange_fix, slots
from territory.planning._rootlp import root_multipliers
from territory.planning._state import CoverageState
from territory.planning.greedy import greedy_positions, improve
from territory.planning.instance import Instance
from territory.planning.solution import Solution, finish

__all__ = ["LP_SOLVERS", "exact"]

LP_SOLVERS: tuple[str, ...] = ("ipm", "simplex", "pdlp")
_ROUNDINGS = 12
# The kernel's branch and bound (sites of the LP's support) gets this share of the time left.
_KERNEL_SHARE = 0.2
_SUPPORT = 1e-6
_ROUNDING_SEED = 2019

IntArray = NDArray[np.intp]


def exact(instance: Instance, *, time_limit_s: float = 60.0, rel_gap: float = 1e-6,
          lp_solver: str = "ipm", threads: int | None = None) -> Solution:
    """Solve the instance with HiGHS and prove how good the plan is.

    Parameters
    ----------
    instance
        The planning question (:class:`~territory.planning.Instance`).
    time_limit_s
        Wall-clock limit of the whole solve, greedy and LP included.
    rel_gap
        Relative gap under which HiGHS stops and calls the plan optimal (default 1e-6).
    lp_solver
        How HiGHS solves the LP relaxation of maximal covering: ``"ipm"`` (interior point,
        without crossover: on these models several times faster than the dual simplex),
        ``"simplex"`` or ``"pdlp"``. Branch and bound uses HiGHS's defaults.
    threads
        HiGHS threads (default: HiGHS's choice).

    Returns
    -------
    solution
        Status ``optimal`` or ``time_limit``, the plan, and the proven ``bound``.

    Examples
    --------
    >>> from territory.planning import CoverageModel, Instance
    >>> model = CoverageModel.from_cost_matrix([[10, 40], [35, 5], [20, 25]], [100, 50, 30])
    >>> solution = exact(Instance.create(model, n_new=1))
    >>> solution.status, solution.value
    ('optimal', 130.0)
    """
    if lp_solver not in LP_SOLVERS:
        raise InputError(f"lp_solver is {lp_solver!r}; expected one of {list(LP_SOLVERS)}")
    clock = Clock(time_limit_s)
    options: dict[str, Any] = {"rel_gap": rel_gap, "lp_solver": lp_solver, "threads": threads}
    incumbent = (capacity_greedy(instance) if instance.use_capacity
                 else greedy_positions(instance)[0])
    details: dict[str, Any] = {"greedy_seconds": clock.elapsed()}
    if _trivial(instance):
        return finish(instance, incumbent, method="exact", status="optimal", bound=np.nan,
                      seconds=clock.elapsed(), details=details)
    if instance.objective == "coverage" and not instance.use_capacity:
        chosen, status, bound = _coverage(instance, incumbent, clock, details, options)
    else:
        chosen, status, bound = _direct(instance, incumbent, clock, details, options)
    return finish(instance, chosen, method="exact", status=status, bound=bound,
                  seconds=clock.elapsed(), details=details)


def _trivial(instance: Instance) -> bool:
    """No choice to make: no candidate, or no new site allowed besides the forced ones."""
    free = instance.allowed & ~instance.forced
    if instance.objective == "covering":
        return not free.any() and _covered(instance, np.flatnonzero(instance.forced)) \
            >= instance.target * (1 - 1e-9)
    return not free.any() or instance.n_new <= int(instance.forced.sum())


def _covered(instance: Instance, chosen: IntArray) -> float:
    state = CoverageState(instance.model.reach, instance.model.reach_t, instance.weight)
    for j in np.flatnonzero(instance.fixed_open).tolist() + [int(j) for j in chosen]:
        state.add(int(j))
    return state.value


def _coverage(instance: Instance, incumbent: IntArray, clock: Clock,
              details: dict[str, Any], options: dict[str, Any],
              ) -> tuple[IntArray, str, float]:
    cands = np.flatnonzero(instance.allowed | instance.forced)
    sub = form.cover_sub(instance, cands)
    value = _covered(instance, incumbent)
    if value >= sub.constant + sub.fold.sum() + sub.weight.sum() or instance.n_new == 0:
        return incumbent, "optimal", value
    began = clock.elapsed()
    lam, y, facts = root_multipliers(instance, sub, incumbent, clock=clock,
                                     threads=options["threads"], solver=options["lp_solver"])
    details.update(greedy_value=value, lp_only_seconds=clock.elapsed() - began)
    incumbent, value = _round_and_swap(instance, sub, y, incumbent=incumbent, value=value,
                                       clock=clock)
    details.update(rounded_value=value)
    fixing = lagrange_fix(instance, sub, lam, value)
    details.update(facts, candidates=len(cands), demand_rows=sub.rows.shape[0],
                   lp_seconds=clock.elapsed() - began, lagrange_bound=fixing.bound)
    if fixing.bound - value <= options["rel_gap"] * max(abs(value), 1.0):
        return incumbent, "optimal", fixing.bound
    incumbent, value = _kernel(instance, sub, y, incumbent=incumbent, value=value,
                               clock=clock, options=options)
    fixing = lagrange_fix(instance, sub, lam, value)
    details.update(kernel_value=value, candidates_kept=int(fixing.keep.sum()),
                   fixed_open=int(fixing.fixed_in.sum()))
    if fixing.bound - value <= options["rel_gap"] * max(abs(value), 1.0):
        return incumbent, "optimal", fixing.bound
    if clock.left() <= 0:
        return incumbent, "time_limit", fixing.bound
    kept = form.cover_sub(instance, cands[fixing.keep])
    model = form.coverage_model(instance, kept, fixed_in=fixing.fixed_in[fixing.keep])
    result = _mip(model, _cover_start(kept, incumbent), clock.left(), details, options)
    chosen = _chosen(result, kept.cands, incumbent, value, instance)
    return chosen, _status(result), min(fixing.bound, -result.bound)


def _kernel(instance: Instance, sub: form.CoverSub, y: NDArray[np.float64], *,
            incumbent: IntArray, value: float, clock: Clock,
            options: dict[str, Any]) -> tuple[IntArray, float]:
    """Solve the problem restricted to the LP's support and the incumbent, then swap.

    The sites the LP relaxation opens, even partly, usually hold a near-optimal plan; a
    short branch and bound on them (a share of the time left) finds it.
    """
    columns = np.flatnonzero((y > _SUPPORT) | np.isin(sub.cands, incumbent)
                             | instance.forced[sub.cands])
    if len(columns) >= len(sub.cands):
        return incumbent, value
    kernel = form.cover_sub(instance, sub.cands[columns])
    result = solve_mip(form.coverage_model(instance, kernel),
                       time_limit_s=clock.left() * _KERNEL_SHARE, rel_gap=options["rel_gap"],
                       start=_cover_start(kernel, incumbent), threads=options["threads"])
    if result.x is None:
        return incumbent, value
    plan = improve(instance, kernel.cands[result.x[: len(kernel.cands)] > 0.5])
    covered = _covered(instance, plan)
    return (plan, covered) if covered > value else (incumbent, value)


def _cover_start(sub: form.CoverSub, chosen: IntArray) -> NDArray[np.float64]:
    """Return a full starting point of a coverage model: the sites and what they cover."""
    y = np.isin(sub.cands, chosen).astype(np.float64)
    return np.concatenate([y, (sub.rows @ y > 0).astype(np.float64)])


def _rounded(instance: Instance, sub: form.CoverSub, keys: NDArray[np.float64]) -> IntArray:
    """Return the sites of largest key within the limits (forced ones first)."""
    slot, budget = slots(instance.model.group[sub.cands], instance.budget)
    chosen = best_set(keys, instance.forced[sub.cands], slot, budget, instance.n_new)
    return sub.cands[chosen]


def _round_and_swap(instance: Instance, sub: form.CoverSub, y: NDArray[np.float64], *,
                    incumbent: IntArray, value: float, clock: Clock,
                    ) -> tuple[IntArray, float]:
    """Round the LP solution (by value, then randomly in proportion), improve by swaps.

    Randomised rounding draws sites without replacement with probabilities proportional to
    their LP values (keys ``u ** (1 / y)``, Efraimidis & Spirakis 2006); a fixed seed keeps
    runs reproducible. Spends at most a tenth of the time limit.
    """
    rng = np.random.default_rng(_ROUNDING_SEED)
    support = np.clip(y, 0.0, 1.0) + 1e-9
    stop = clock.elapsed() + 0.1 * clock.left()
    for attempt in range(_ROUNDINGS):
        keys = support if attempt == 0 else rng.uniform(size=len(y)) ** (1.0 / support)
        plan = improve(instance, _rounded(instance, sub, keys))
        covered = _covered(instance, plan)
        if covered > value:
            incumbent, value = plan, covered
        if clock.elapsed() > stop:
            break
    return incumbent, value


def _mip(model: form.Model, start: NDArray[np.float64] | None, time_limit_s: float,
         details: dict[str, Any], options: dict[str, Any]) -> Result:
    result = solve_mip(model, time_limit_s=time_limit_s, rel_gap=options["rel_gap"],
                       start=start, threads=options["threads"])
    details.update(mip_seconds=result.seconds, mip_status=result.status,
                   mip_nodes=result.nodes, mip_columns=len(model.cost),
                   mip_rows=len(model.row_lower), mip_nonzeros=int(model.matrix.nnz))
    if result.status == "infeasible":
        raise InputError("the constraints cannot all be met (budgets, forced sites, target "
                         "share); loosen them and try again")
    return result


def _chosen(result: Result, cands: IntArray, incumbent: IntArray, value: float,
            instance: Instance) -> IntArray:
    """Return the MIP's plan, unless it found nothing better than the incumbent."""
    if result.x is None:
        return incumbent
    chosen = cands[result.x[: len(cands)] > 0.5]
    if instance.objective == "coverage" and _covered(instance, chosen) < value:
        return incumbent
    return chosen


def _status(result: Result) -> str:
    return "optimal" if result.status == "optimal" else "time_limit"


def _direct(instance: Instance, incumbent: IntArray, clock: Clock,
            details: dict[str, Any], options: dict[str, Any],
            ) -> tuple[IntArray, str, float]:
    constant = 0.0
    if instance.objective == "distance":
        model, cands, constant = form.distance_model(instance)
    elif instance.objective == "covering":
        cands = np.flatnonzero(instance.allowed | instance.forced)
        sub = form.cover_sub(instance, cands)
        model = form.covering_model(instance, sub)
    else:
        model, cands, _ = form.capacity_model(instance)
    start = None
    if _feasible(instance, incumbent):
        start = (_cover_start(sub, incumbent) if instance.objective == "covering"
                 else np.isin(cands, incumbent).astype(np.float64))
    result = _mip(model, start, clock.left(), details, options)
    bound = _natural(instance, result.bound) + constant
    if result.x is None:
        return incumbent, "time_limit", bound
    chosen = cands[result.x[: len(cands)] > 0.5]
    return chosen, _status(result), bound


def _feasible(instance: Instance, chosen: IntArray) -> bool:
    if instance.objective != "covering":
        return True
    return _covered(instance, chosen) >= instance.target * (1 - 1e-9)


def _natural(instance: Instance, bound: float) -> float:
    """HiGHS's bound (minimisation form) in the objective's own sense."""
    return -bound if instance.objective == "coverage" else bound
