r"""How far outreach reaches, learned from the contacts.

Every contact records the outreach action that reached the young person (``action_id``) and
the commune where they live (``code_insee``). For each kind of action (maraude, bus,
événement, partenaire, numérique) this module counts the actions and their young people, the
shares mobilised and accompanied, and — for the kinds that happen at a place — fits how the
young people reached thin out with the travel time from the action's place to their commune.

**Model.** A young person reached by action ``a`` of a Mission Locale lives in commune ``j``
of its catchment with probability

.. math:: P(j \mid a) = \frac{y_j s_j e^{-t_{aj}/\tau}}{\sum_k y_k s_k e^{-t_{ak}/\tau}}

with ``y`` the young people of the commune, ``s`` its share in the catchment, ``t`` the travel
minutes in the chosen mode (:mod:`territory.analysis.travel`) from the action's place to the
commune's origin, and ``τ`` the kind's decay scale in minutes: the odds of a commune fall by a
factor e every ``τ`` minutes. ``τ`` is the maximum-likelihood estimate (a conditional logit with
one parameter, solved on a grid of 241 values from 0.5 to 500 minutes and refined by a parabola
in log τ); its 90 % interval comes from a bootstrap over actions (200 draws, seed 2019). The
curve is shown in words: "8 jeunes sur 10 atteints par un bus vivent à moins de ~N min" (the
80th percentile of the contacts' minutes, with the bootstrap's interval), from how many
actions and young people.

**Fallback.** A kind with fewer than :data:`MIN_CONTACTS` located young people or
:data:`MIN_ACTIONS` actions has no curve of its own: it takes the curve of all physical kinds
together, or, when that too is short, ``τ`` = :data:`DEFAULT_TAU_MIN` (an unconfirmed
convention). Online actions have no place and no curve.

Young people living outside the catchment of the Mission Locale that met them are counted
(``outside``) and left out of the fit; so are contacts with no action or an unknown one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from territory._french import of
from territory.analysis._checks import PeriodLike, as_period
from territory.analysis.access import ONLINE_KINDS, commune_origins, no_car_shares
from territory.analysis.params import DEFAULTS, Parameters
from territory.analysis.travel import MODES, Routed, split_travel, timetabled, travel_key

__all__ = ["DEFAULT_TAU_MIN", "KIND_WORDS", "MIN_ACTIONS", "MIN_CONTACTS", "ReachCurve",
           "fit_decay", "reach_curves"]

MIN_CONTACTS = 100
"""Located young people a kind needs for a curve of its own (convention)."""
MIN_ACTIONS = 10
"""Actions a kind needs for a curve of its own (convention)."""
DEFAULT_TAU_MIN = 10.0
"""Decay scale when the data are too few for any fit: 10 minutes (unconfirmed convention)."""
QUANTILE = 0.8
BOOTSTRAP = 200
SEED = 2019
_GRID = np.geomspace(0.5, 500.0, 241)
ALL_PHYSICAL = "toutes"

KIND_WORDS: dict[str, tuple[str, str]] = {
    "maraude": ("une maraude", "maraudes"), "bus": ("un bus", "bus"),
    "evenement": ("un événement", "événements"), "partenaire": ("une action chez un "
                                                                "partenaire", "partenaires"),
    "numerique": ("une action en ligne", "actions en ligne"),
    ALL_PHYSICAL: ("une action", "toutes les actions sur place"),
}


@dataclass(frozen=True)
class ReachCurve:
    """What a kind of action reaches: its counts, its funnel and its decay curve.

    Attributes
    ----------
    kind
        The kind of action (``maraude`` …), or ``toutes`` for all physical kinds together.
    actions, contacts
        Actions of the kind in the period, and young people recorded at them.
    located
        Young people of the fit: at an action with a place, living in its catchment.
    outside
        Young people at the kind's actions who live outside the Mission Locale's catchment.
    contacts_per_action, mobilised_share, accompanied_share
        Young people per action, and the shares of them mobilised and accompanied.
    tau_min, tau_low, tau_high
        Decay scale (minutes) and its bootstrap 90 % interval; NaN for online actions.
    reach_min, reach_low, reach_high
        Minutes within which 8 in 10 young people reached live, and its interval.
    fitted
        ``ajustée`` (its own data), ``repli : toutes actions`` or ``repli : défaut``
        (see the module), or ``sans lieu`` for online actions.
    mode
        The travel mode of the minutes.
    """

    kind: str
    actions: int
    contacts: int
    located: int
    outside: int
    contacts_per_action: float
    mobilised_share: float
    accompanied_share: float
    tau_min: float
    tau_low: float
    tau_high: float
    reach_min: float
    reach_low: float
    reach_high: float
    fitted: str
    mode: str = "transit"
    extra: Mapping[str, float] = field(default_factory=dict)

    def weight(self, minutes: NDArray[np.float64] | float) -> NDArray[np.float64]:
        """Return the relative odds of a commune at ``minutes``: exp(−minutes / τ)."""
        return np.exp(-np.asarray(minutes, dtype=np.float64) / self.tau_min)

    def words(self) -> str:
        """Say in French how far the kind reaches, with its interval and its evidence.

        Examples
        --------
        >>> curve = ReachCurve("bus", 40, 400, 380, 12, 10.0, 0.6, 0.35, 12.0, 10.0, 14.0,
        ...                    21.4, 19.0, 24.2, "ajustée", "car")
        >>> import textwrap
        >>> print(textwrap.fill(curve.words(), 80))
        8 jeunes sur 10 atteints par un bus vivent à moins de ~21 min en voiture,
        intervalle 19 à 24 min, d’après 40 actions et 380 jeunes
        """
        one = KIND_WORDS.get(self.kind, (f"une action {self.kind}", self.kind))[0]
        if not np.isfinite(self.reach_min):
            return f"{one.capitalize()} n’a pas de lieu : pas de distance à mesurer"
        travel, window = split_travel(self.mode)
        mode = ((timetabled(travel, window) if window else MODES[travel]).words
                if travel in MODES else self.mode)
        text = (f"8 jeunes sur 10 atteints par {one} vivent à moins de "
                f"~{self.reach_min:.0f} min {mode}, intervalle {self.reach_low:.0f} à "
                f"{self.reach_high:.0f} min")
        if self.fitted == "ajustée":
            return text + f", d’après {self.actions} actions et {self.located} jeunes"
        return text + f" — {self.fitted} (trop peu de données pour {of(one)})"


def fit_decay(pairs_action: NDArray[np.intp], pairs_minutes: NDArray[np.float64],
              pairs_odds: NDArray[np.float64], contact_action: NDArray[np.intp],
              contact_minutes: NDArray[np.float64], *, weights: NDArray[np.float64] | None = None,
              ) -> float:
    """Return the maximum-likelihood decay scale τ (minutes) of the module's model.

    Parameters
    ----------
    pairs_action, pairs_minutes, pairs_odds
        For every (action, candidate commune): the action's position, the minutes, and the
        commune's odds before decay (young people × share).
    contact_action, contact_minutes
        For every young person: the position of their action and the minutes to their
        commune.
    weights
        Weight of each action (a bootstrap's counts); default 1.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> minutes = np.tile(np.arange(0.0, 60.0, 2.0), 200)
    >>> action = np.repeat(np.arange(200), 30)
    >>> odds = np.ones_like(minutes)
    >>> p = np.exp(-np.arange(0.0, 60.0, 2.0) / 8.0); p /= p.sum()
    >>> picked = rng.choice(30, size=(200, 25), p=p)
    >>> c_action = np.repeat(np.arange(200), 25)
    >>> round(fit_decay(action, minutes, odds, c_action, 2.0 * picked.ravel()), 0)
    8.0
    """
    n_actions = int(max(pairs_action.max(initial=-1), contact_action.max(initial=-1))) + 1
    table = _loglik_table(pairs_action, pairs_minutes, pairs_odds, contact_action,
                          contact_minutes, n_actions=n_actions)
    w = np.ones(n_actions) if weights is None else np.asarray(weights, dtype=np.float64)
    return float(_argmax_tau((w @ table)[None, :])[0])


def _loglik_table(pairs_action: NDArray[np.intp], pairs_minutes: NDArray[np.float64],
                  pairs_odds: NDArray[np.float64], contact_action: NDArray[np.intp],
                  contact_minutes: NDArray[np.float64], *,
                  n_actions: int) -> NDArray[np.float64]:
    """Return each action's log-likelihood on the grid of τ (actions × grid)."""
    n = np.bincount(contact_action, minlength=n_actions).astype(np.float64)
    total = np.bincount(contact_action, weights=contact_minutes, minlength=n_actions)
    # Shift each action's minutes by its nearest commune's, for a stable log-sum-exp.
    nearest = np.full(n_actions, np.inf)
    np.minimum.at(nearest, pairs_action, pairs_minutes)
    nearest[~np.isfinite(nearest)] = 0.0
    shifted = pairs_minutes - nearest[pairs_action]
    log_odds = np.log(pairs_odds)
    table = np.empty((n_actions, len(_GRID)))
    for g, tau in enumerate(_GRID):
        z = np.bincount(pairs_action, weights=np.exp(log_odds - shifted / tau),
                        minlength=n_actions)
        log_z = np.log(np.where(z > 0, z, 1.0)) - nearest / tau
        table[:, g] = -total / tau - n * log_z
    table[n == 0] = 0.0
    return table


def _argmax_tau(loglik: NDArray[np.float64]) -> NDArray[np.float64]:
    """Return the τ of each row's maximum, refined by a parabola in log τ."""
    best = np.clip(loglik.argmax(axis=1), 1, len(_GRID) - 2)
    rows = np.arange(len(loglik))
    left, mid, right = (loglik[rows, best - 1], loglik[rows, best], loglik[rows, best + 1])
    curvature = left - 2 * mid + right
    step = np.log(_GRID[1] / _GRID[0])
    with np.errstate(divide="ignore", invalid="ignore"):
        shift = np.where(curvature < 0, 0.5 * (left - right) / curvature, 0.0)
    return np.asarray(np.exp(np.log(_GRID[best]) + np.clip(shift, -0.5, 0.5) * step))


def _weighted_quantile(values: NDArray[np.float64], weights: NDArray[np.float64],
                       q: float) -> NDArray[np.float64]:
    """Return the ``q`` quantile of ``values`` for each row of ``weights``."""
    order = np.argsort(values)
    cumulative = np.cumsum(weights[:, order], axis=1)
    total = cumulative[:, -1:]
    index = (cumulative < q * total).sum(axis=1)
    return np.asarray(values[order][np.minimum(index, len(values) - 1)])


@dataclass(frozen=True)
class _Sample:
    """The fit's data for one set of actions (positions into that set)."""

    pairs_action: NDArray[np.intp]
    pairs_minutes: NDArray[np.float64]
    pairs_odds: NDArray[np.float64]
    contact_action: NDArray[np.intp]
    contact_minutes: NDArray[np.float64]
    n_actions: int


def _catchment_pairs(actions: pd.DataFrame, layers: Mapping[str, pd.DataFrame],
                     params: Parameters) -> pd.DataFrame:
    """Return (action, commune, minutes, odds) for every commune of each action's catchment."""
    communes = layers["communes"]
    origins = commune_origins(communes, layers.get("mairies"))
    no_car = no_car_shares(communes)
    where = pd.DataFrame({"code_insee": communes["code_insee"].astype(str).to_numpy(),
                          "ox": origins.geometry.x.to_numpy(),
                          "oy": origins.geometry.y.to_numpy(),
                          "youth": pd.to_numeric(communes["youth"]).fillna(0.0).to_numpy(),
                          "no_car": (np.full(len(communes), np.nan) if no_car is None
                                     else no_car)})
    members = layers["catchment_members"][["ml_code", "code_insee", "share"]].astype(
        {"ml_code": str, "code_insee": str})
    members = members.merge(where, on="code_insee")
    xy = shapely.get_coordinates(actions.geometry.to_numpy())
    places = pd.DataFrame({"action": np.arange(len(actions)),
                           "ml_code": actions["ml_code"].astype(str).to_numpy(),
                           "ax": xy[:, 0], "ay": xy[:, 1]})
    pairs = places.merge(members, on="ml_code")
    metres = np.hypot(pairs["ax"].to_numpy() - pairs["ox"].to_numpy(),
                      pairs["ay"].to_numpy() - pairs["oy"].to_numpy())
    pairs["minutes"] = params.travel_min(metres, no_car=pairs["no_car"].to_numpy())
    routed = Routed.of(layers)
    if routed is not None:
        pairs["minutes"] = _routed_minutes(pairs, xy, routed, params)
    pairs["odds"] = pairs["youth"] * pd.to_numeric(pairs["share"]).fillna(1.0)
    return pairs[pairs["odds"] > 0]


def _routed_minutes(pairs: pd.DataFrame, action_xy: NDArray[np.float64], routed: Routed,
                    params: Parameters) -> NDArray[np.float64]:
    """Return the pairs' minutes, routed where the action's place was routed.

    A routed place's commune beyond the stored cutoff is at least that far.
    """
    covered = routed.covers(action_xy, params.mode, params.window)
    codes, first = np.unique(pairs["code_insee"].to_numpy(dtype=str), return_index=True)
    found = routed.pairs(codes, action_xy[covered], mode=params.mode,
                         no_car_share=params.shares(pairs["no_car"].to_numpy()[first]),
                         window=params.window)
    keyed = pd.Series(found["minutes"].to_numpy(), index=pd.MultiIndex.from_arrays(
        [codes[found["row"].to_numpy()], np.flatnonzero(covered)[found["col"].to_numpy()]]))
    key = pd.MultiIndex.from_arrays([pairs["code_insee"].to_numpy(), pairs["action"].to_numpy()])
    minutes = keyed.reindex(key).to_numpy()
    estimate = pairs["minutes"].to_numpy(dtype=float)
    beyond = np.maximum(estimate, routed.cutoff_min)
    on_network = covered[pairs["action"].to_numpy()]
    return np.where(on_network, np.where(np.isnan(minutes), beyond, minutes), estimate)


def _sample(actions: pd.DataFrame, pairs: pd.DataFrame, contacts: pd.DataFrame,
            ) -> tuple[_Sample, int]:
    """Return the fit's data for ``actions`` (rows of the located actions) and those outside."""
    position = pd.Series(np.arange(len(actions)), index=actions.index)
    chosen = pairs[pairs["action"].isin(actions.index)]
    keyed = chosen.set_index(["action", "code_insee"])["minutes"]
    mine = contacts[contacts["action"].isin(actions.index)]
    key = pd.MultiIndex.from_arrays([mine["action"].to_numpy(), mine["code_insee"].to_numpy()])
    minutes = keyed.reindex(key).to_numpy()
    inside = ~np.isnan(minutes)
    sample = _Sample(
        position[chosen["action"]].to_numpy(dtype=np.intp),
        chosen["minutes"].to_numpy(dtype=np.float64),
        chosen["odds"].to_numpy(dtype=np.float64),
        position[mine["action"].to_numpy()[inside]].to_numpy(dtype=np.intp),
        minutes[inside].astype(np.float64), len(actions))
    return sample, int((~inside).sum())


def _fit(sample: _Sample, *, bootstrap: int, seed: int, decay: bool = True) -> dict[str, Any]:
    """Return τ and the 80 % reach in minutes, with their bootstrap 90 % intervals.

    Without ``decay``, the reach alone (the contacts' 80th percentile: no likelihood to
    maximise), τ NaN.
    """
    if not decay:
        alone = float(_weighted_quantile(sample.contact_minutes,
                                         np.ones((1, len(sample.contact_minutes))),
                                         QUANTILE)[0])
        nan = float("nan")
        return {"tau_min": nan, "tau_low": nan, "tau_high": nan, "reach_min": alone,
                "reach_low": alone, "reach_high": alone}
    table = _loglik_table(sample.pairs_action, sample.pairs_minutes, sample.pairs_odds,
                          sample.contact_action, sample.contact_minutes,
                          n_actions=sample.n_actions)
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(sample.n_actions, np.full(sample.n_actions, 1 / sample.n_actions),
                            size=bootstrap).astype(np.float64)
    weights = np.vstack([np.ones(sample.n_actions), draws])
    taus = _argmax_tau(weights @ table)
    reach = _weighted_quantile(sample.contact_minutes, weights[:, sample.contact_action],
                               QUANTILE)
    # Without bootstrap draws (``bootstrap=0``: the point estimates alone) no interval.
    spread_t, spread_r = (taus[1:], reach[1:]) if bootstrap else (taus[:1], reach[:1])
    return {"tau_min": float(taus[0]), "tau_low": float(np.quantile(spread_t, 0.05)),
            "tau_high": float(np.quantile(spread_t, 0.95)), "reach_min": float(reach[0]),
            "reach_low": float(np.quantile(spread_r, 0.05)),
            "reach_high": float(np.quantile(spread_r, 0.95))}


def _default_fit(tau: float, params: Parameters) -> dict[str, Any]:
    """Return the 80 % reach of a curve exp(−t/τ) on a plane where young people are even.

    On a plane of even density, the young people at minutes t weigh t·exp(−t/τ) (a ring's
    area grows with its radius in a linear mode), a Gamma(2, τ) law: its 80th percentile is
    2.994 τ.
    """
    del params
    return {"tau_min": tau, "tau_low": tau, "tau_high": tau, "reach_min": 2.994 * tau,
            "reach_low": 2.994 * tau, "reach_high": 2.994 * tau}


def reach_curves(layers: Mapping[str, pd.DataFrame], *, params: Parameters = DEFAULTS,
                 period: PeriodLike = None, bootstrap: int = BOOTSTRAP,
                 seed: int = SEED, decay: bool = True) -> pd.DataFrame:
    """Return one :class:`ReachCurve` per kind of action, as a table (one row per kind).

    Parameters
    ----------
    layers
        ``communes``, ``mairies``, ``catchment_members``, ``actions`` and ``contacts`` (one
        row per young person, with ``action_id``, ``code_insee`` and ``stage``).
    params
        The travel mode of the minutes (public transport by default).
    period
        The actions dated in it and their young people; None for the whole record.
    bootstrap, seed
        Bootstrap draws over actions for the intervals (200, seed 2019).
    decay
        Fit the decay scale τ (False: the 80 % reach alone, for a caller that needs no
        curve; τ is then NaN, and so is the default fallback's).

    Returns
    -------
    curves
        Indexed by kind (``toutes`` last: all physical kinds together), the fields of
        :class:`ReachCurve`; ``curve`` holds the object.
    """
    actions = layers["actions"]
    contacts = layers["contacts"]
    if period and "date" in actions:
        actions = actions[as_period(period).contains(actions["date"])]
    actions = actions.reset_index(drop=True)
    by_id = pd.Series(np.arange(len(actions)), index=actions["action_id"].astype(str))
    by_id = by_id[~by_id.index.duplicated()]
    found = contacts["action_id"].astype(str).map(by_id)
    people = pd.DataFrame({"action": found.to_numpy(),
                           "code_insee": contacts["code_insee"].astype(str).to_numpy(),
                           "stage": contacts.get("stage", pd.Series("repere",
                                                                    contacts.index)).to_numpy()})
    people = people[people["action"].notna()].astype({"action": np.int64})
    geometry = actions.geometry.to_numpy()
    located = ~(shapely.is_missing(geometry) | shapely.is_empty(geometry))
    physical = located & ~actions["kind"].isin(ONLINE_KINDS).to_numpy()
    pairs = _catchment_pairs(actions[physical], layers, params)
    pairs["action"] = np.flatnonzero(physical)[pairs["action"].to_numpy()]
    kinds = [str(k) for k in pd.unique(actions["kind"].astype(str))]
    ordered = [k for k in KIND_WORDS if k in kinds] + sorted(set(kinds) - set(KIND_WORDS))
    pooled = actions[physical]
    pooled_sample, pooled_outside = _sample(pooled, pairs, people)
    pooled_fit = (_fit(pooled_sample, bootstrap=bootstrap, seed=seed, decay=decay)
                  if _enough(pooled_sample) else None)
    rows = []
    for kind in [*ordered, ALL_PHYSICAL]:
        chosen = pooled if kind == ALL_PHYSICAL else actions[actions["kind"].astype(str) == kind]
        stages = people.loc[people["action"].isin(chosen.index), "stage"]
        counts: dict[str, Any] = {"kind": kind, "actions": len(chosen), "contacts": len(stages),
                  "contacts_per_action": len(stages) / len(chosen) if len(chosen) else 0.0,
                  "mobilised_share": _share(stages, ("mobilise", "accompagne")),
                  "accompanied_share": _share(stages, ("accompagne",)),
                  "mode": travel_key(params.mode, params.window)}
        if kind in ONLINE_KINDS or not physical[chosen.index].any():
            nan = float("nan")
            rows.append(ReachCurve(**counts, located=0, outside=0, tau_min=nan, tau_low=nan,
                                   tau_high=nan, reach_min=nan, reach_low=nan, reach_high=nan,
                                   fitted="sans lieu"))
            continue
        sample, outside = ((pooled_sample, pooled_outside) if kind == ALL_PHYSICAL
                           else _sample(chosen[physical[chosen.index]], pairs, people))

        if _enough(sample):
            fit, how = _fit(sample, bootstrap=bootstrap, seed=seed, decay=decay), "ajustée"
        elif pooled_fit is not None:
            fit, how = pooled_fit, "repli : toutes actions confondues"
        else:
            fit, how = _default_fit(DEFAULT_TAU_MIN, params), "repli : valeur par défaut"
        rows.append(ReachCurve(**counts, located=len(sample.contact_minutes), outside=outside,
                               fitted=how, **fit))
    table = pd.DataFrame([{**{f: getattr(r, f) for f in r.__dataclass_fields__
                              if f != "extra"}, "curve": r} for r in rows])
    return table.set_index("kind", drop=False)


def _enough(sample: _Sample) -> bool:
    actions = len(np.unique(sample.contact_action))
    return len(sample.contact_minutes) >= MIN_CONTACTS and actions >= MIN_ACTIONS


def _share(stages: pd.Series, reached: tuple[str, ...]) -> float:
    return float(stages.isin(reached).mean()) if len(stages) else float("nan")
