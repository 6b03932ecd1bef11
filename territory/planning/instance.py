"""A planning question on a model: objective, how many sites, and the constraints.

Objectives (Church & ReVelle 1974; Hakimi 1964; Toregas et al. 1971):

- ``coverage`` (maximal covering): the most demand weight (default: estimated invisible young
  people) within the threshold of an open site, with at most ``n_new`` new sites;
- ``distance`` (p-median): the least weighted travel time (default weight: young people) to
  the nearest open site, trips capped at the model's ``cutoff_min``;
- ``covering`` (set covering, partial): the fewest new sites that bring the covered share of
  the weight to ``target_share``.

Required and competitor sites are always open. Constraints: ``per_group`` (at most so many new
sites per Mission Locale), ``forced`` candidates (always chosen, counted in ``n_new``) and
``excluded`` candidates (never chosen).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from territory._errors import InputError, Problem
from territory.planning.model import CANDIDATE, CoverageModel

__all__ = ["OBJECTIVES", "Instance", "Objective"]

Objective = Literal["coverage", "distance", "covering"]
OBJECTIVES: tuple[str, ...] = ("coverage", "distance", "covering")
_DEFAULT_WEIGHT = {"coverage": "invisible_est", "covering": "invisible_est",
                   "distance": "youth"}


@dataclass(frozen=True, eq=False)
class Instance:
    """A model with an objective and constraints, checked, ready for a solver.

    Build it with :meth:`create`. Positions refer to the model's demand and site rows.
    """

    model: CoverageModel
    objective: Objective
    weight_name: str
    weight: NDArray[np.float64]
    n_new: int
    target: float
    allowed: NDArray[np.bool_]
    forced: NDArray[np.bool_]
    budget: NDArray[np.intp]
    use_capacity: bool

    @classmethod
    def create(cls, model: CoverageModel, *, objective: Objective = "coverage",
               n_new: int | None = None, target_share: float | None = None,
               weight: str | None = None, per_group: int | Mapping[Hashable, int] | None = None,
               forced: Iterable[Hashable] = (), excluded: Iterable[Hashable] = (),
               use_capacity: bool = True) -> Instance:
        """Check a planning question and return it as an instance.

        Parameters
        ----------
        model
            The coverage model.
        objective
            ``coverage``, ``distance`` or ``covering`` (see the module docstring).
        n_new
            Most new sites (``coverage`` and ``distance``; required there).
        target_share
            Share of the total weight to cover, in (0, 1] (``covering``; required there).
        weight
            Demand column to weigh by; default ``invisible_est`` for coverage and covering,
            ``youth`` for distance (or the model's first column when absent).
        per_group
            Most new sites per group (Mission Locale): one number for all, or per group.
        forced, excluded
            Site labels (the model's facilities index) always or never chosen.
        use_capacity
            Honour site capacities (coverage only).

        Returns
        -------
        instance
            The checked question; :class:`~territory._errors.InputError` lists every problem.

        Examples
        --------
        >>> model = CoverageModel.from_cost_matrix([[10, 40], [35, 5]], [100, 50])
        >>> Instance.create(model, n_new=1).n_new
        1
        """
        problems: list[Problem] = []
        if objective not in OBJECTIVES:
            raise InputError(f"objective is {objective!r}; expected one of {list(OBJECTIVES)}")
        name, values = _weight(model, objective, weight, problems)
        allowed = model.role == CANDIDATE
        forced_mask = _mask(model, forced, "forced", problems)
        excluded_mask = _mask(model, excluded, "excluded", problems)
        both = forced_mask & excluded_mask
        problems += [Problem(f"site {label!r} is both forced and excluded; expected one or "
                             "the other", file="constraints")
                     for label in model.facilities.index[both]]
        problems += [Problem(f"forced site {label!r} has role "
                             f"{model.role[pos]!r}; only candidates can be forced",
                             file="constraints")
                     for pos, label in zip(np.flatnonzero(forced_mask & ~allowed),
                                           model.facilities.index[forced_mask & ~allowed],
                                           strict=True)]
        limit, target = _size(model, objective, n_new, target_share, weight=values,
                              problems=problems)
        budget = _budget(model, per_group, problems)
        problems += _consistency(model, forced_mask, limit, budget, objective)
        capacity = use_capacity and model.has_capacity
        if capacity and objective != "coverage":
            problems.append(Problem(f"site capacities apply to the coverage objective, not "
                                    f"to {objective!r}; drop the capacities or pass "
                                    "use_capacity=False", file="facilities",
                                    column="capacity"))
        if problems:
            raise InputError(problems)
        return cls(model, objective, name, values, limit, target,
                   allowed & ~excluded_mask, forced_mask, budget, capacity)

    @property
    def fixed_open(self) -> NDArray[np.bool_]:
        """Sites open in every plan: required and competitor sites."""
        return self.model.always_open

    def budget_of(self, site: int) -> int:
        """Budget of the site's group (-1: no limit)."""
        group = self.model.group[site]
        return int(self.budget[group]) if group >= 0 else -1


def _weight(model: CoverageModel, objective: str, weight: str | None,
            problems: list[Problem]) -> tuple[str, NDArray[np.float64]]:
    columns = list(model.demand.columns)
    name = weight or _DEFAULT_WEIGHT[objective]
    if name not in columns:
        if weight is not None:
            problems.append(Problem(f"weight column {weight!r} is not in the demand; expected "
                                    f"one of {columns}", file="demand"))
        name = str(columns[0])
    return name, model.demand[name].to_numpy(dtype=np.float64)


def _mask(model: CoverageModel, labels: Iterable[Hashable], what: str,
          problems: list[Problem]) -> NDArray[np.bool_]:
    labels = list(labels)
    index = model.facilities.index
    found = index.get_indexer(pd.Index(labels)) if labels else np.empty(0, dtype=np.intp)
    problems += [Problem(f"{what} site {label!r} is not among the sites (e.g. "
                         f"{list(index[:3])})", file="constraints")
                 for label, pos in zip(labels, found, strict=True) if pos < 0]
    mask = np.zeros(model.n_facilities, dtype=bool)
    mask[found[found >= 0]] = True
    return mask


def _size(model: CoverageModel, objective: str, n_new: int | None, share: float | None, *,
          weight: NDArray[np.float64], problems: list[Problem]) -> tuple[int, float]:
    n_candidates = int((model.role == CANDIDATE).sum())
    if objective == "covering":
        if share is None or not 0 < share <= 1:
            problems.append(Problem(f"`target_share` is {share!r}; the covering objective "
                                    "needs a share in (0, 1], e.g. 0.95", file="parameters"))
            return n_candidates, np.nan
        return n_candidates if n_new is None else int(n_new), float(share * weight.sum())
    if n_new is None or int(n_new) != n_new or n_new < 0:
        problems.append(Problem(f"`n_new` is {n_new!r}; expected a number of new sites ≥ 0",
                                file="parameters"))
        return 0, np.nan
    return int(n_new), np.nan


def _budget(model: CoverageModel, per_group: int | Mapping[Hashable, int] | None,
            problems: list[Problem]) -> NDArray[np.intp]:
    budget = np.full(len(model.groups), -1, dtype=np.intp)
    if per_group is None:
        return budget
    if isinstance(per_group, Mapping):
        for key, value in per_group.items():
            where = model.groups.get_indexer(pd.Index([key]))[0]
            if where < 0:
                problems.append(Problem(f"budget for unknown group {key!r}; expected one of "
                                        f"{list(model.groups[:5])}…", file="constraints"))
            elif value < 0:
                problems.append(Problem(f"budget of {key!r} is {value}; expected ≥ 0",
                                        file="constraints"))
            else:
                budget[where] = int(value)
        return budget
    if per_group < 0:
        problems.append(Problem(f"`per_group` is {per_group}; expected ≥ 0",
                                file="constraints"))
    budget[:] = int(per_group)
    return budget


def _consistency(model: CoverageModel, forced: NDArray[np.bool_], limit: int,
                 budget: NDArray[np.intp], objective: str) -> list[Problem]:
    problems = []
    if objective != "covering" and forced.sum() > limit:
        problems.append(Problem(f"{int(forced.sum())} forced sites but only {limit} new "
                                "site(s) allowed; raise `n_new` or force fewer",
                                file="constraints"))
    groups = model.group[forced]
    counts = np.bincount(groups[groups >= 0], minlength=len(model.groups))
    over = (budget >= 0) & (counts > budget)
    problems += [Problem(f"group {model.groups[int(g)]!r} has {counts[g]} forced sites "
                         f"but a budget of {budget[g]}", file="constraints")
                 for g in np.flatnonzero(over)]
    return problems
