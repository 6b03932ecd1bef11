"""A solved plan: the chosen sites with their gains, the objective, its proven bound and status.

Statuses: ``optimal`` (proven, within the relative gap tolerance), ``time_limit`` (the limit
cut the search short: the plan is the best found and ``gap`` is the proven distance to the
optimum), ``heuristic`` (greedy and swaps; ``gap`` is then a proven bound from
submodularity, usually loose).

A plan can also fall short of the question whatever its status: fewer new sites than
``n_new``, or, for the covering objective, less than the target share covered.
``shortfall`` then says why, in the words of :data:`SHORTFALLS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from territory.planning._capacity import capacity_gains, capacity_value
from territory.planning._state import CoverageState, DistanceState
from territory.planning.instance import Instance
from territory.planning.model import CHOSEN

__all__ = ["SHORTFALLS", "STATUSES", "Solution", "make_state"]

STATUSES: tuple[str, ...] = ("optimal", "time_limit", "heuristic")
SHORTFALLS: Mapping[str, str] = {
    "no_gain": "fewer new sites than asked: no candidate left adds anything to the objective",
    "no_candidate": "fewer new sites than asked: no candidate is left (all chosen or "
                    "excluded, or their group's budget is spent)",
    "target_not_reached": "the plan covers less than the target share: no candidate left "
                          "within the limits covers anything more",
}
# A gain this small is no gain (as in the greedy).
_TOLERANCE = 1e-9
State = CoverageState | DistanceState


@dataclass(frozen=True)
class Solution:
    """The chosen sites, in the order of their gains, and how good the plan is proven to be.

    Attributes
    ----------
    objective
        ``coverage``, ``distance`` or ``covering``.
    method
        ``exact`` or ``greedy``.
    status
        One of :data:`STATUSES`.
    value
        Objective of the plan: covered weight (coverage), weighted minutes (distance) or
        number of new sites (covering).
    bound
        Proven bound on the optimum (upper for coverage, lower otherwise; NaN if none).
    sites
        The chosen sites (rows of the model's facilities, on their index) in the order they
        add most, with ``role`` = ``chosen``, ``rank``, ``gain`` (what each adds to the
        objective after the ones before it: the gains sum to the plan's total) and
        ``gain_<figure>`` (young people newly within the threshold, per demand figure).
    covered
        Demand weight within the threshold of an open site, per figure, with the plan.
    seconds
        Wall-clock time of the solve.
    details
        Solver facts: timings of each stage, sizes, fixed sites.
    shortfall
        Why the plan falls short of the question, a key of :data:`SHORTFALLS`: fewer new
        sites than ``n_new`` (``no_gain``, ``no_candidate``) or, for the covering objective,
        less than the target share covered (``target_not_reached``); ``None`` otherwise.
    """

    objective: str
    method: str
    status: str
    value: float
    bound: float
    sites: pd.DataFrame
    covered: pd.Series
    seconds: float
    details: Mapping[str, Any] = field(default_factory=dict)
    shortfall: str | None = None

    @property
    def gap(self) -> float:
        """Proven relative gap ``|value − bound| / |value|`` (0 when proven optimal)."""
        if self.status == "optimal":
            return 0.0
        if not np.isfinite(self.bound):
            return float("nan")
        return abs(self.value - self.bound) / max(abs(self.value), 1e-9)

    @property
    def status_text(self) -> str:
        """How good the plan is proven to be, in French, as every view says it.

        Examples
        --------
        >>> empty = pd.DataFrame()
        >>> Solution("coverage", "exact", "optimal", 10.0, 10.0, empty, pd.Series(),
        ...          0.1).status_text
        'optimal (prouvé par le solveur)'
        >>> Solution("coverage", "greedy", "heuristic", 9.0, 10.0, empty, pd.Series(),
        ...          0.1).status_text
        'heuristique (glouton + échanges) : au plus 11,1 % sous l’optimum (écart prouvé)'
        """
        if self.status == "optimal":
            return "optimal (prouvé par le solveur)"
        gap = ("" if pd.isna(self.gap) else " : au plus "
               + f"{100 * self.gap:.1f}".replace(".", ",") + " % sous l’optimum (écart prouvé)")
        if self.status == "time_limit":
            return "limite de temps atteinte" + gap
        return "heuristique (glouton + échanges)" + gap

    @property
    def positions(self) -> NDArray[np.intp]:
        """Row positions of the chosen sites in the model's facilities."""
        return np.asarray(self.sites["position"], dtype=np.intp)


def make_state(instance: Instance, *, weight: NDArray[np.float64] | None = None) -> State:
    """Return the empty incremental state of the instance's objective."""
    model = instance.model
    w = instance.weight if weight is None else weight
    if instance.objective == "distance":
        return DistanceState(model.minutes, model.minutes_t, w, model.cutoff_min)
    return CoverageState(model.reach, model.reach_t, w)


def finish(instance: Instance, chosen: NDArray[np.intp], *, method: str, status: str,
           bound: float, seconds: float, details: Mapping[str, Any] | None = None) -> Solution:
    """Order the chosen sites by gain and return the :class:`Solution`.

    The value is recomputed from the plan itself, whatever the solver's objective says;
    with capacities it is the capacitated one (an exact transportation LP for the plan) and
    each site's ``served`` weight is added. The bound is kept on the optimum's side of the
    value, and ``shortfall`` read from the plan.
    """
    model = instance.model
    state = make_state(instance)
    figures = {c: model.demand[c].to_numpy(dtype=np.float64) for c in model.demand.columns}
    cover = CoverageState(model.reach, model.reach_t, next(iter(figures.values())))
    for j in np.flatnonzero(instance.fixed_open):
        state.add(int(j))
        cover.add(int(j))
    order, gains, new_rows = _ordered(state, cover, [int(j) for j in chosen])
    sites = model.facilities.iloc[order].copy()
    sites.insert(0, "position", np.asarray(order, dtype=np.intp))
    sites["role"] = CHOSEN
    sites["rank"] = np.arange(1, len(order) + 1)
    sites["gain"] = gains
    for name, values in figures.items():
        sites[f"gain_{name}"] = [float(values[rows].sum()) for rows in new_rows]
    covered = pd.Series({name: float(values[cover.count > 0].sum())
                         for name, values in figures.items()}, dtype="float64")
    value = float(len(order)) if instance.objective == "covering" else state.value
    if instance.use_capacity:
        value, served = capacity_value(instance, np.asarray(order, dtype=np.intp))
        sites["served"] = served
    return Solution(instance.objective, method, status, float(value),
                    _consistent_bound(instance, value, bound, status=status), sites, covered,
                    seconds, dict(details or {}), _shortfall(instance, state, order))


def _consistent_bound(instance: Instance, value: float, bound: float, *, status: str) -> float:
    """Return the bound on the optimum's side of the value (the value itself if unknown).

    The optimum is at least a plan's value when maximising (coverage) and at most when
    minimising, so a bound past the value is rounding, and the value is then the bound.
    """
    if not np.isfinite(bound):
        return float(value) if status == "optimal" else float(bound)
    if instance.objective == "coverage":
        return float(max(bound, value))
    return float(min(bound, value))


def _shortfall(instance: Instance, state: State, order: list[int]) -> str | None:
    """Why the plan falls short of the question (a key of :data:`SHORTFALLS`), or ``None``."""
    if instance.objective == "covering":
        slack = _TOLERANCE * max(instance.target, 1.0)
        return "target_not_reached" if state.value < instance.target - slack else None
    if len(order) >= instance.n_new:
        return None
    left = instance.allowed & ~state.open & _budget_room(instance, order)
    if not left.any():
        return "no_candidate"
    chosen = np.asarray(order, dtype=np.intp)
    gains = capacity_gains(instance, chosen) if instance.use_capacity else state.gains()
    return "no_gain" if float(gains[left].max()) <= _TOLERANCE else None


def _budget_room(instance: Instance, chosen: list[int]) -> NDArray[np.bool_]:
    """Sites whose group (if any) has room left in its budget after the chosen sites."""
    group = instance.model.group
    counts = np.bincount(group[chosen][group[chosen] >= 0] if chosen else [],
                         minlength=len(instance.model.groups))
    # A site without a group (-1) reads the appended entries: no limit, nothing used.
    limit = np.append(instance.budget, -1)[group]
    used = np.append(counts, 0)[group]
    return np.asarray((limit < 0) | (used < limit), dtype=bool)


def _ordered(state: State, cover: CoverageState, chosen: list[int],
             ) -> tuple[list[int], list[float], list[NDArray[np.intp]]]:
    """Add the chosen sites one by one, the one that adds most first."""
    order: list[int] = []
    gains: list[float] = []
    new_rows: list[NDArray[np.intp]] = []
    left = list(chosen)
    while left:
        values = [state.gain(j) for j in left]
        pick = left.pop(int(np.argmax(values)))
        gains.append(float(max(values)))
        state.add(pick)
        new_rows.append(cover.add(pick))
        order.append(pick)
    return order, gains, new_rows
