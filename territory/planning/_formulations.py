"""Sparse mixed-integer formulations of the planning objectives, for HiGHS.

Every matrix is built from the model's sparse reach lists (demand points within the threshold
of each site), so a formulation's size grows with the number of close pairs, never with
demand × sites. Before building, demand already covered by required or competitor sites is
set aside as a constant, demand points reached by the same candidates are merged, and a demand
point reached by a single candidate is folded into that candidate's objective coefficient.
Client variables are continuous: with the site variables integer, they are integral at the
optimum (Church & ReVelle 1974).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray

from territory.planning._highs import Model
from territory.planning.instance import Instance

IntArray = NDArray[np.intp]
FloatArray = NDArray[np.float64]
_HASH_SEED = 20191201


@dataclass(frozen=True)
class CoverSub:
    """The coverage part a solver decides: candidates, merged demand rows, folded weights.

    ``rows`` has one row per group of demand points reached by the same two or more
    candidates (columns: positions in ``cands``), weighing ``weight``; ``fold[k]`` is the
    weight reached by candidate ``cands[k]`` alone; ``constant`` the weight already covered.
    """

    cands: IntArray
    rows: sp.csr_array
    weight: FloatArray
    fold: FloatArray
    constant: float


def precovered(instance: Instance) -> NDArray[np.bool_]:
    """Demand points within the threshold of a required or competitor site."""
    model = instance.model
    return np.asarray(model.reach @ instance.fixed_open.astype(np.float64) > 0)


def cover_sub(instance: Instance, cands: IntArray) -> CoverSub:
    """Reduce the coverage problem to the given candidate positions."""
    model, w = instance.model, instance.weight
    pre = precovered(instance)
    sub = sp.csr_array(model.reach[:, cands])
    degree = np.diff(sub.indptr)
    live = ~pre & (w > 0) & (degree > 0)
    single = live & (degree == 1)
    fold = np.bincount(sub.indices[sub.indptr[:-1][single]], weights=w[single],
                       minlength=len(cands)).astype(np.float64)
    multi = np.flatnonzero(live & (degree > 1))
    rows, weight = _merge(sp.csr_array(sub[multi]), w[multi])
    return CoverSub(np.asarray(cands, dtype=np.intp), rows, weight, fold,
                    float(w[pre].sum()))


def _merge(rows: sp.csr_array, weight: FloatArray) -> tuple[sp.csr_array, FloatArray]:
    """Merge rows with the same columns (two independent 64-bit hashes of the column set)."""
    if rows.shape[0] == 0:
        return rows, weight
    rng = np.random.default_rng(_HASH_SEED)
    keys = []
    for _ in range(2):
        salt = rng.integers(1, 2**63, size=rows.shape[1], dtype=np.uint64)
        keys.append(np.add.reduceat(salt[rows.indices], rows.indptr[:-1]))
    group = np.asarray(pd.factorize(pd.MultiIndex.from_arrays(keys))[0], dtype=np.intp)
    _, first = np.unique(group, return_index=True)
    return sp.csr_array(rows[first]), np.bincount(group, weights=weight).astype(np.float64)


def _limits(instance: Instance, cands: IntArray) -> tuple[sp.csr_array, FloatArray]:
    """Cardinality row and one row per group with a budget, over the ``cands`` columns."""
    model = instance.model
    group = model.group[cands]
    limited = [g for g in range(len(model.groups)) if instance.budget[g] >= 0]
    data = [np.ones(len(cands))]
    cols = [np.arange(len(cands))]
    row_ids = [np.zeros(len(cands), dtype=np.intp)]
    upper = [float(instance.n_new)]
    for r, g in enumerate(limited, start=1):
        members = np.flatnonzero(group == g)
        data.append(np.ones(len(members)))
        cols.append(members)
        row_ids.append(np.full(len(members), r, dtype=np.intp))
        upper.append(float(instance.budget[g]))
    matrix = sp.csr_array((np.concatenate(data), (np.concatenate(row_ids),
                                                  np.concatenate(cols))),
                          shape=(len(upper), len(cands)))
    return matrix, np.asarray(upper)


def coverage_model(instance: Instance, sub: CoverSub, *,
                   fixed_in: NDArray[np.bool_] | None = None) -> Model:
    """Maximal covering: ``max Σ w x`` s.t. ``x_i ≤ Σ_{j reaches i} y_j``, ``Σ y ≤ n_new``."""
    n_y, n_x = len(sub.cands), sub.rows.shape[0]
    link = sp.hstack([-sub.rows, sp.eye_array(n_x)], format="csr")
    limits, upper = _limits(instance, sub.cands)
    matrix = sp.vstack([link, sp.hstack([limits, sp.csr_array((len(upper), n_x))])])
    lower_y = (instance.forced[sub.cands] | (fixed_in if fixed_in is not None else False))
    return Model(cost=-np.concatenate([sub.fold, sub.weight]),
                 lower=np.concatenate([lower_y.astype(np.float64), np.zeros(n_x)]),
                 upper=np.ones(n_y + n_x), matrix=sp.csc_array(matrix),
                 row_lower=np.full(n_x + len(upper), -np.inf),
                 row_upper=np.concatenate([np.zeros(n_x), upper]),
                 integer=np.concatenate([np.ones(n_y, bool), np.zeros(n_x, bool)]),
                 offset=-sub.constant)


def covering_model(instance: Instance, sub: CoverSub) -> Model:
    """Set covering: ``min Σ y`` s.t. ``Σ w x ≥ target − covered``, ``x_i ≤ Σ y_j``."""
    n_y, n_x = len(sub.cands), sub.rows.shape[0]
    link = sp.hstack([-sub.rows, sp.eye_array(n_x)], format="csr")
    total = sp.csr_array(np.concatenate([sub.fold, sub.weight])[None, :])
    limits, upper = _limits(instance, sub.cands)
    matrix = sp.vstack([link, total, sp.hstack([limits, sp.csr_array((len(upper), n_x))])])
    need = instance.target - sub.constant
    return Model(cost=np.concatenate([np.ones(n_y), np.zeros(n_x)]),
                 lower=np.concatenate([instance.forced[sub.cands].astype(np.float64),
                                       np.zeros(n_x)]),
                 upper=np.ones(n_y + n_x), matrix=sp.csc_array(matrix),
                 row_lower=np.concatenate([np.full(n_x, -np.inf), [need],
                                           np.full(len(upper), -np.inf)]),
                 row_upper=np.concatenate([np.zeros(n_x), [np.inf], upper]),
                 integer=np.concatenate([np.ones(n_y, bool), np.zeros(n_x, bool)]))


def distance_model(instance: Instance) -> tuple[Model, IntArray, float]:
    """p-median on the pairs that beat each demand point's nearest always-open site.

    ``min Σ w_i t_ij z_ij + Σ w_i b_i u_i`` s.t. ``Σ_j z_ij + u_i = 1``, ``z_ij ≤ y_j``, where
    ``b_i`` is the minutes to the nearest required or competitor site (capped at the cutoff)
    and ``u_i`` stands for "no new site is closer". Every coefficient is a trip's own weighted
    minutes: none is a difference from ``b_i``, so a cutoff of 1e12 minutes cannot swamp
    the objective in rounding. Demand points that no candidate brings closer weigh a
    constant ``Σ w_i b_i``, returned apart and added after the solve, so that HiGHS's gap
    is measured on what the sites change.

    Returns
    -------
    model, cands, constant
        The model, the candidate of each ``y`` column, and the weighted minutes of the
        demand points the model leaves out.
    """
    model, w = instance.model, instance.weight
    base = _base_minutes(instance)
    pairs = model.pairs
    cands = np.flatnonzero(instance.allowed | instance.forced)
    column = np.full(model.n_facilities, -1, dtype=np.intp)
    column[cands] = np.arange(len(cands))
    keep = (column[pairs.target] >= 0) & (pairs.minutes < base[pairs.origin]) \
        & (w[pairs.origin] > 0)
    i, j = pairs.origin[keep], column[pairs.target[keep]]
    demand_rows, demand_of = np.unique(i, return_inverse=True)
    n_y, n_z, n_u = len(cands), len(i), len(demand_rows)
    z = np.arange(n_z)
    assign = sp.csr_array((np.ones(n_z + n_u),
                           (np.concatenate([demand_of, np.arange(n_u)]),
                            np.concatenate([n_y + z, n_y + n_z + np.arange(n_u)]))),
                          shape=(n_u, n_y + n_z + n_u))
    link = sp.csr_array((np.concatenate([-np.ones(n_z), np.ones(n_z)]),
                         (np.concatenate([z, z]), np.concatenate([j, n_y + z]))),
                        shape=(n_z, n_y + n_z + n_u))
    limits, upper = _limits(instance, cands)
    limits = sp.hstack([limits, sp.csr_array((len(upper), n_z + n_u))])
    matrix = sp.vstack([assign, link, limits])
    left_out = np.ones(model.n_demand, dtype=bool)
    left_out[demand_rows] = False
    constant = math.fsum((w[left_out] * base[left_out]).tolist())
    return Model(cost=np.concatenate([np.zeros(n_y), w[i] * pairs.minutes[keep],
                                      w[demand_rows] * base[demand_rows]]),
                 lower=np.concatenate([instance.forced[cands].astype(np.float64),
                                       np.zeros(n_z + n_u)]),
                 upper=np.ones(n_y + n_z + n_u), matrix=sp.csc_array(matrix),
                 row_lower=np.concatenate([np.ones(n_u), np.full(n_z + len(upper), -np.inf)]),
                 row_upper=np.concatenate([np.ones(n_u), np.zeros(n_z), upper]),
                 integer=np.concatenate([np.ones(n_y, bool), np.zeros(n_z + n_u, bool)]),
                 ), cands, constant


def _base_minutes(instance: Instance) -> FloatArray:
    model = instance.model
    base = np.full(model.n_demand, model.cutoff_min)
    pairs = model.pairs
    fixed = instance.fixed_open[pairs.target]
    np.minimum.at(base, pairs.origin[fixed], pairs.minutes[fixed])
    return base


def capacity_model(instance: Instance) -> tuple[Model, IntArray, IntArray]:
    """Capacitated maximal covering: demand assigned to sites within reach, up to capacity.

    ``max Σ w_i z_ij`` s.t. ``Σ_j z_ij ≤ 1``, ``Σ_i w_i z_ij ≤ cap_j y_j`` (capacity, where
    given), ``z_ij ≤ y_j`` for candidates, ``Σ y ≤ n_new``. Demand within reach of an
    always-open site without capacity is covered and set aside. Returns the model, the
    candidate of each ``y`` column and the site of each ``z`` column.
    """
    model, w = instance.model, instance.weight
    open_free = instance.fixed_open & ~np.isfinite(model.capacity)
    pre = np.asarray(model.reach @ open_free.astype(np.float64) > 0)
    cands = np.flatnonzero(instance.allowed | instance.forced)
    servers = np.concatenate([cands, np.flatnonzero(instance.fixed_open & ~open_free)])
    column = np.full(model.n_facilities, -1, dtype=np.intp)
    column[servers] = np.arange(len(servers))
    coo = sp.coo_array(model.reach)
    keep = (column[coo.col] >= 0) & ~pre[coo.row] & (w[coo.row] > 0)
    i, s = coo.row[keep].astype(np.intp), column[coo.col[keep]]
    n_y, n_z = len(cands), len(i)
    z = n_y + np.arange(n_z)
    demand_rows, demand_of = np.unique(i, return_inverse=True)
    assign = sp.csr_array((np.ones(n_z), (demand_of, z)), shape=(len(demand_rows), n_y + n_z))
    cap = model.capacity[servers]
    capped = np.isfinite(cap)
    load_rows = np.full(len(servers), -1, dtype=np.intp)
    load_rows[capped] = np.arange(int(capped.sum()))
    on = capped[s]
    y_cap = np.flatnonzero(capped[:n_y])
    load = sp.csr_array((np.concatenate([w[i][on], -cap[y_cap]]),
                         (np.concatenate([load_rows[s[on]], load_rows[y_cap]]),
                          np.concatenate([z[on], y_cap]))),
                        shape=(int(capped.sum()), n_y + n_z))
    cand_pair = np.flatnonzero(s < n_y)
    link = sp.csr_array((np.concatenate([np.ones(len(cand_pair)), -np.ones(len(cand_pair))]),
                         (np.concatenate([np.arange(len(cand_pair))] * 2),
                          np.concatenate([z[cand_pair], s[cand_pair]]))),
                        shape=(len(cand_pair), n_y + n_z))
    limits, upper = _limits(instance, cands)
    limits = sp.hstack([limits, sp.csr_array((len(upper), n_z))])
    load_upper = np.where(np.arange(len(servers))[capped] < n_y, 0.0, cap[capped])
    matrix = sp.vstack([assign, load, link, limits])
    return Model(cost=-np.concatenate([np.zeros(n_y), w[i]]),
                 lower=np.concatenate([instance.forced[cands].astype(np.float64),
                                       np.zeros(n_z)]),
                 upper=np.ones(n_y + n_z), matrix=sp.csc_array(matrix),
                 row_lower=np.full(matrix.shape[0], -np.inf),
                 row_upper=np.concatenate([np.ones(len(demand_rows)), load_upper,
                                           np.zeros(len(cand_pair)), upper]),
                 integer=np.concatenate([np.ones(n_y, bool), np.zeros(n_z, bool)]),
                 offset=-float(w[pre].sum())), cands, servers[s]
