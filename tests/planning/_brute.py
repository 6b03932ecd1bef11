"""Brute-force answers of small planning instances, to check the solvers against."""

from __future__ import annotations

import itertools

import numpy as np

from territory.planning import CoverageModel, Instance


def feasible_sets(instance: Instance, *, size: int | None = None):
    """Every feasible set of new sites (forced ones included, budgets respected)."""
    model = instance.model
    forced = [int(j) for j in np.flatnonzero(instance.forced)]
    free = [int(j) for j in np.flatnonzero(instance.allowed & ~instance.forced)]
    limit = instance.n_new if size is None else size
    for k in range(0, max(limit - len(forced), 0) + 1):
        for extra in itertools.combinations(free, k):
            chosen = forced + list(extra)
            groups = model.group[chosen]
            counts = np.bincount(groups[groups >= 0], minlength=len(model.groups))
            if ((instance.budget >= 0) & (counts > instance.budget)).any():
                continue
            yield chosen


def coverage_value(instance: Instance, chosen: list[int]) -> float:
    model = instance.model
    open_ = model.always_open.copy()
    open_[chosen] = True
    covered = model.reach.toarray()[:, open_].any(axis=1)
    return float(instance.weight[covered].sum())


def distance_value(instance: Instance, chosen: list[int]) -> float:
    model = instance.model
    open_ = model.always_open.copy()
    open_[chosen] = True
    minutes = np.full((model.n_demand, model.n_facilities), model.cutoff_min)
    p = model.pairs
    minutes[p.origin, p.target] = np.minimum(p.minutes, model.cutoff_min)
    best = minutes[:, open_].min(axis=1) if open_.any() else np.full(model.n_demand,
                                                                      model.cutoff_min)
    return float((instance.weight * best).sum())


def brute_force(instance: Instance) -> float:
    """Optimal objective by enumeration."""
    if instance.objective == "coverage":
        return max(coverage_value(instance, c) for c in feasible_sets(instance))
    if instance.objective == "distance":
        return min(distance_value(instance, c) for c in feasible_sets(instance))
    sizes = [len(c) for c in feasible_sets(instance)
             if coverage_value(instance, c) >= instance.target - 1e-9]
    return float(min(sizes))


def random_model(rng: np.random.Generator, *, n_demand: int = 12, n_sites: int = 8,
                 required: int = 0, groups: int = 0, radius: float = 30.0,
                 capacity: bool = False, cutoff: float | None = None) -> CoverageModel:
    import pandas as pd

    demand_xy = rng.uniform(0, 100, size=(n_demand, 2))
    site_xy = rng.uniform(0, 100, size=(n_sites, 2))
    cost = np.hypot(*(demand_xy[:, None, :] - site_xy[None, :, :]).transpose(2, 0, 1))
    weights = pd.DataFrame({"youth": rng.integers(1, 100, n_demand).astype(float),
                            "invisible_est": rng.uniform(0, 10, n_demand)})
    roles = ["required"] * required + ["candidate"] * (n_sites - required)
    facilities = pd.DataFrame({"role": roles}, index=[f"s{k}" for k in range(n_sites)])
    if groups:
        facilities["group"] = [f"G{k % groups}" for k in range(n_sites)]
    if capacity:
        facilities["capacity"] = rng.uniform(2, 30, n_sites)
    return CoverageModel.from_cost_matrix(cost, weights, facilities=facilities,
                                          threshold_min=radius,
                                          cutoff_min=2 * radius if cutoff is None else cutoff)
