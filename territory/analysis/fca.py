"""Enhanced two-step floating catchment area (E2SFCA): supply per 1,000 young people.

Luo & Qi (2009), *Health & Place* 15(4):1100–1107. With demand ``D_i`` (young people of
commune ``i``), supply ``S_j`` (sessions per month at place ``j``), travel time ``t_ij`` and a
decay weight ``W(t)`` that is zero beyond the threshold ``T``::

    R_j = S_j / Σ_i D_i · W(t_ij)          (step 1: supply per young person around j)
    A_i = 1000 · Σ_j R_j · W(t_ij)          (step 2: what commune i can reach)

``A_i`` is in sessions per month per 1,000 young people. A place with nobody around it
(``Σ_i D_i W = 0``) serves nobody and adds nothing. The sum over communes of ``D_i · A_i``
equals 1000 × the supply that has demand within reach.

Travel times come as sparse :class:`TravelPairs` (origin, target, minutes) within the threshold:
from straight-line distances on a KD-tree (:meth:`TravelPairs.from_points`) or from a routed
travel-time matrix the user supplies (:meth:`TravelPairs.from_matrix`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from territory._errors import InputError
from territory.analysis.params import DECAYS, DEFAULTS, STEP_WEIGHTS, Parameters
from territory.analysis.travel import Routed

__all__ = ["TravelPairs", "decay_weights", "e2sfca"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class TravelPairs:
    """Travel minutes from origins to targets, for the pairs within a cutoff (sparse).

    ``origin`` and ``target`` are positions (0-based) into the origin and target tables.
    """

    origin: NDArray[np.intp]
    target: NDArray[np.intp]
    minutes: FloatArray
    n_origins: int
    n_targets: int

    @classmethod
    def from_points(cls, origins_xy: FloatArray, targets_xy: FloatArray, *,
                    max_min: float, params: Parameters = DEFAULTS,
                    routed: Routed | None = None,
                    origin_codes: Sequence[str] | NDArray[np.str_] | None = None,
                    origin_no_car: NDArray[np.float64] | None = None,
                    origin_tree: cKDTree | None = None) -> TravelPairs:
        """Pairs within ``max_min`` minutes: the mode's fixed time + metres × detour ÷ speed.

        The mode, detour and speed come from ``params`` (:mod:`territory.analysis.travel`:
        by default public transport, 10 min then 20 km/h, with a detour of 1.3 —
        unconfirmed conventions, docs/methodology.md, "Travel modes").

        ``origin_no_car`` gives each origin's share of young people without a car, for the
        ``mix`` mode (NaN: the default share).

        With ``routed`` minutes (``territory network build``) and the origins' codes INSEE,
        the targets that were routed take their routed minutes in the mode; the others keep
        the straight-line estimate.

        Uses a KD-tree on each side (``cKDTree.sparse_distance_matrix``): the cost grows with
        the number of close pairs, not with origins × targets; ``origin_tree``, the origins'
        tree built once, spares building it again when few targets are measured often. The
        pairs are sorted by origin, then target, so that sums over them are done in one order
        whatever the tree's (and give the same floating-point results when the origins are
        split into parts).

        Examples
        --------
        >>> pairs = TravelPairs.from_points(np.array([[0.0, 0.0]]),
        ...                                 np.array([[10_000.0, 0.0], [90_000.0, 0.0]]),
        ...                                 max_min=30, params=Parameters(mode="car"))
        >>> pairs.target.tolist(), pairs.minutes.round(1).tolist()
        ([0], [15.6])
        """
        origins_xy, targets_xy = _xy(origins_xy), _xy(targets_xy)
        if len(origins_xy) == 0 or len(targets_xy) == 0:
            return cls.empty(len(origins_xy), len(targets_xy))
        no_car = (None if origin_no_car is None or params.mode != "mix"
                  else np.asarray(origin_no_car, dtype=np.float64))
        if routed is not None and origin_codes is not None:
            return cls._mixed(origins_xy, targets_xy, max_min=max_min, params=params,
                              routed=routed, origin_codes=origin_codes, no_car=no_car,
                              origin_tree=origin_tree)
        # The fewer without a car, the quicker the mix: the widest radius is the lowest share.
        fastest = params if no_car is None else params.replace(
            no_car_share=float(np.min(params.shares(no_car), initial=params.no_car_share)))
        radius_m = fastest.reach_m(max_min)
        if radius_m <= 0:
            return cls.empty(len(origins_xy), len(targets_xy))
        tree = cKDTree(origins_xy) if origin_tree is None else origin_tree
        found = tree.sparse_distance_matrix(cKDTree(targets_xy), radius_m, output_type="ndarray")
        order = np.lexsort((found["j"], found["i"]))
        i, j = found["i"][order].astype(np.intp), found["j"][order].astype(np.intp)
        minutes = params.travel_min(found["v"][order].astype(np.float64),
                                    no_car=None if no_car is None else no_car[i])
        keep = minutes <= max_min
        return cls(i[keep], j[keep], np.asarray(minutes, dtype=np.float64)[keep],
                   len(origins_xy), len(targets_xy))

    @classmethod
    def _mixed(cls, origins_xy: FloatArray, targets_xy: FloatArray, *, max_min: float,
               params: Parameters, routed: Routed,
               origin_codes: Sequence[str] | NDArray[np.str_],
               no_car: NDArray[np.float64] | None,
               origin_tree: cKDTree | None = None) -> TravelPairs:
        """Routed minutes for the routed targets, the straight-line estimate for the others."""
        covered = routed.covers(targets_xy, params.mode, params.window)
        found = routed.pairs(origin_codes, targets_xy[covered], mode=params.mode,
                             no_car_share=params.shares(no_car),
                             window=params.window)
        found = found[found["minutes"] <= max_min]
        rest = np.flatnonzero(~covered)
        estimate = cls.from_points(origins_xy, targets_xy[rest], max_min=max_min,
                                   params=params, origin_no_car=no_car,
                                   origin_tree=origin_tree)
        origin = np.concatenate([found["row"].to_numpy(dtype=np.intp), estimate.origin])
        target = np.concatenate([np.flatnonzero(covered)[found["col"].to_numpy(dtype=np.intp)],
                                 rest[estimate.target]]).astype(np.intp)
        minutes = np.concatenate([found["minutes"].to_numpy(dtype=np.float64),
                                  estimate.minutes])
        order = np.lexsort((target, origin))
        return cls(origin[order], target[order], minutes[order], len(origins_xy),
                   len(targets_xy))

    @classmethod
    def from_matrix(cls, matrix: pd.DataFrame, origins: pd.Index, targets: pd.Index, *,
                    origin: str = "origin", target: str = "target",
                    minutes: str = "minutes") -> TravelPairs:
        """Pairs from a long travel-time table (one row per origin, target, minutes).

        ``origins`` and ``targets`` are the ids of the demand and supply tables, in order;
        rows naming other ids are an error.

        Examples
        --------
        >>> table = pd.DataFrame({"origin": ["a"], "target": ["s1"], "minutes": [12.0]})
        >>> TravelPairs.from_matrix(table, pd.Index(["a", "b"]), pd.Index(["s1"])).n_origins
        2
        """
        i = origins.get_indexer(pd.Index(matrix[origin]))
        j = targets.get_indexer(pd.Index(matrix[target]))
        unknown = int((i < 0).sum() + (j < 0).sum())
        if unknown:
            raise InputError(f"travel-time matrix: {unknown} id(s) in `{origin}`/`{target}` "
                             "are not among the origins or targets given; expected ids of "
                             "the communes and places")
        values = pd.to_numeric(matrix[minutes]).to_numpy(dtype=np.float64)
        return cls(i.astype(np.intp), j.astype(np.intp), values, len(origins), len(targets))

    @classmethod
    def empty(cls, n_origins: int, n_targets: int) -> TravelPairs:
        """No pair at all (no target, or nothing within the cutoff)."""
        return cls(np.empty(0, np.intp), np.empty(0, np.intp), np.empty(0), n_origins,
                   n_targets)

    def within(self, max_min: float) -> TravelPairs:
        """Keep the pairs of at most ``max_min`` minutes."""
        keep = self.minutes <= max_min
        return TravelPairs(self.origin[keep], self.target[keep], self.minutes[keep],
                           self.n_origins, self.n_targets)

    def nearest(self) -> FloatArray:
        """Minutes from each origin to its nearest target among the pairs (NaN: none)."""
        best = np.full(self.n_origins, np.inf)
        np.minimum.at(best, self.origin, self.minutes)
        best[np.isinf(best)] = np.nan
        return best


def _xy(points: FloatArray) -> FloatArray:
    return np.asarray(points, dtype=np.float64).reshape(-1, 2)


def decay_weights(minutes: FloatArray, *, threshold_min: float = 30.0,
                  decay: str = "step") -> FloatArray:
    """Return the E2SFCA weight of each travel time (zero beyond ``threshold_min``).

    ``"step"``: 1, 0.68 and 0.22 in the threshold's thirds (Luo & Qi 2009, zones 0–10,
    10–20, 20–30 min); ``"gaussian"``: exp(−t²/2σ²) with σ set so the weight at the threshold
    is 0.22, as at the end of the steps; ``"none"``: 1 within the threshold (2SFCA). Default
    threshold 30 min (France Services standard, docs/methodology.md, "Access").

    Examples
    --------
    >>> decay_weights(np.array([5.0, 15.0, 25.0, 35.0])).tolist()
    [1.0, 0.68, 0.22, 0.0]
    """
    t = np.asarray(minutes, dtype=np.float64)
    inside = t <= threshold_min
    if decay == "step":
        steps = np.array([threshold_min / 3, 2 * threshold_min / 3, threshold_min])
        zone = np.minimum(np.searchsorted(steps, t, side="left"), 2)
        weights = np.asarray(STEP_WEIGHTS)[zone]
    elif decay == "gaussian":
        sigma = threshold_min / np.sqrt(2 * np.log(1 / STEP_WEIGHTS[-1]))
        weights = np.exp(-(t**2) / (2 * sigma**2))
    elif decay == "none":
        weights = np.ones_like(t)
    else:
        raise InputError(f"decay is {decay!r}; expected one of {list(DECAYS)}")
    return np.where(inside, weights, 0.0)


def e2sfca(
    demand: pd.Series,
    supply: pd.Series,
    pairs: TravelPairs,
    *,
    threshold_min: float = 30.0,
    decay: str = "step",
    per_youth: float = 1000.0,
) -> pd.Series:
    """Return E2SFCA accessibility: supply within reach per ``per_youth`` young people.

    Parameters
    ----------
    demand
        Young people per origin (commune), in the order of ``pairs.origin`` positions.
    supply
        Supply per target (sessions per month), in the order of ``pairs.target`` positions.
    pairs
        Travel minutes between origins and targets, at least those within the threshold.
    threshold_min
        Catchment size in minutes (default 30, France Services standard,
        docs/methodology.md, "Access").
    decay
        Distance decay, see :func:`decay_weights` (default steps of Luo & Qi 2009).
    per_youth
        Express the result per this many young people (default 1,000).

    Returns
    -------
    e2sfca
        On ``demand``'s index; 0 where nothing is within reach.

    Examples
    --------
    >>> pairs = TravelPairs.from_points(np.array([[0.0, 0], [1000.0, 0]]),
    ...                                 np.array([[0.0, 0]]), max_min=30,
    ...                                 params=Parameters(mode="car"))
    >>> e2sfca(pd.Series([100.0, 300.0]), pd.Series([8.0]), pairs).tolist()
    [20.0, 20.0]
    """
    d = pd.to_numeric(demand).to_numpy(dtype=np.float64)
    s = pd.to_numeric(supply).to_numpy(dtype=np.float64)
    if len(d) != pairs.n_origins or len(s) != pairs.n_targets:
        raise InputError(f"e2sfca: {len(d)} demand and {len(s)} supply values for pairs of "
                         f"{pairs.n_origins} origins and {pairs.n_targets} targets; "
                         "expected the same counts")
    w = decay_weights(pairs.minutes, threshold_min=threshold_min, decay=decay)
    around = np.bincount(pairs.target, weights=d[pairs.origin] * w, minlength=len(s))
    ratio = np.divide(s, around, out=np.zeros_like(s), where=around > 0)
    reach = np.bincount(pairs.origin, weights=ratio[pairs.target] * w, minlength=len(d))
    return pd.Series(reach * per_youth, index=demand.index, name="e2sfca")
