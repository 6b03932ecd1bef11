r"""Plans that maximise the invisible young people reached by new outreach actions.

Where :class:`~territory.planning.CoverageModel` asks "how many young people are within the
threshold of a place", this module asks what outreach is for: where would N new actions of a
kind, held at a frequency, reach the most invisible young people nobody reaches yet?

**Expected reach of one place.** From the kind's curve learned from the contacts
(:func:`territory.analysis.reach.reach_curves`: ``c`` young people per action and a decay
scale ``τ`` in minutes of the chosen mode), one action at place ``i`` reaches in commune ``j``
on average ``c · y_j e^{-t_ij/τ} / Σ_k y_k e^{-t_ik/τ}`` young people (``y``: the young people
of the commune, over the communes within ``7 τ``). Over the commune's potential invisible
young people ``v_j`` (NEET estimate × invisible share), that is the chance
``p¹_ij`` that one of them is reached by one action; held ``f`` times a year,
``p_ij = 1 − (1 − p¹_ij)^f``.

**Who is left to reach.** ``r_j``: the commune's estimated invisible young people not yet
reached (:func:`territory.analysis.indicators`, ``invisible_est``), of whom the existing
programme keeps reaching, each year, the share it reached per year over the period
(``reached / years / v_j``): ``R_j = r_j · (1 − min(1, that share))``.

**Objective.** With ``S`` the new places, each young person's chance of being reached by at
least one of them combines with diminishing returns where their areas overlap::

    F(S) = Σ_j R_j · (1 − Π_{i ∈ S} (1 − p_ij))

``F`` is monotone and submodular (a weighted coverage function): the greedy choice is within
``1 − 1/e`` (63 %) of the optimum (Nemhauser, Wolsey & Fisher 1978). The plan is the greedy
one improved by swaps (one place out, one in, while ``F`` grows), and every plan comes with a
proven bound on the optimum, ``F(S) + Σ`` of the ``N`` largest gains of single places added to
``S`` (the online bound of Minoux 1978 and Leskovec et al. 2007), the smallest over the greedy
steps and the final plan.

**Exact where the model is small enough** (an ML or a département: at most
:data:`EXACT_MAX_PAIRS` pairs), a mixed-integer programme solved by HiGHS tightens the
bound and may improve the plan. With ``y_j = Σ_i x_i · (−ln(1 − p_ij))``, ``F`` is
``Σ_j R_j (1 − e^{−y_j})``, concave in ``y``: each commune's term is bounded above by its
tangents at :data:`TANGENTS` (an outer approximation), so the programme's optimum — and
HiGHS's dual bound, if its time runs out — is a proven bound on the optimum of ``F``; its
plan is measured on ``F`` itself and kept when it is better. The relative gap to the best
bound is reported: 0 means proven optimal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely
from numpy.typing import NDArray
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.spatial import cKDTree

from territory._errors import InputError
from territory.analysis import PeriodLike, as_period, commune_origins, indicators
from territory.analysis import selection_weights as commune_weights
from territory.analysis.access import no_car_shares
from territory.analysis.fca import TravelPairs
from territory.analysis.params import DEFAULTS, Parameters
from territory.analysis.reach import ALL_PHYSICAL, KIND_WORDS, reach_curves
from territory.analysis.travel import Routed

EXACT_MAX_PAIRS = 200_000
"""Largest model (places × communes pairs) the exact programme is tried on."""
TANGENTS = (0.0, 0.01, 0.03, 0.06, 0.1, 0.15, 0.22, 0.3, 0.4, 0.55, 0.75, 1.0, 1.4, 2.0, 3.0, 5.0)
"""Where each commune's term is bounded by its tangent: ``y`` (−ln of the chance unmet)."""
EXACT_TIME_LIMIT_S = 20.0

__all__ = [
    "CUTOFF_TAUS",
    "DEFAULT_FREQUENCY",
    "FREQUENCIES",
    "ReachModel",
    "ReachPlan",
    "plan_reach",
    "reach_model",
]

FREQUENCIES: dict[str, int] = {"hebdomadaire": 52, "mensuelle": 12, "trimestrielle": 4,
                               "annuelle": 1}
"""Frequencies an action can be held at, in actions per year."""
DEFAULT_FREQUENCY = 12
CUTOFF_TAUS = 7.0
"""Communes beyond 7 τ are left out of a place's reach (their odds are below 0.1 %)."""
_MAX_CUTOFF_MIN = 240.0
_SWAP_PASSES = 3


def frequency_words(per_year: int) -> str:
    """Say a frequency in French: 12 → « mensuelle ».

    Examples
    --------
    >>> frequency_words(12), frequency_words(6)
    ('mensuelle', '6 fois par an')
    """
    for words, value in FREQUENCIES.items():
        if value == per_year:
            return words
    return f"{per_year} fois par an"


@dataclass(frozen=True)
class ReachModel:
    """Who is left to reach, and each candidate place's chance of reaching them.

    Attributes
    ----------
    communes
        One row per commune of the selection: ``code_insee``, ``nom``, ``remaining`` (``R``),
        ``pool`` (``v``) and ``weight`` (its share of the selection).
    places
        The candidate places: ``name``, ``code_insee``, ``x``, ``y``, indexed by id.
    p, p_low, p_high
        Places × communes: the chance per year that a young person is reached (the curve's
        τ, then the ends of its interval).
    kind, frequency, curve
        The action planned, its yearly frequency and the curve's row of
        :func:`~territory.analysis.reach.reach_curves`.
    """

    communes: pd.DataFrame
    places: pd.DataFrame
    p: sp.csr_array
    p_low: sp.csr_array
    p_high: sp.csr_array
    kind: str
    frequency: int
    curve: pd.Series
    params: Parameters = DEFAULTS
    routed: Routed | None = None

    @property
    def remaining(self) -> NDArray[np.float64]:
        """``R_j`` × the commune's share of the selection."""
        return np.asarray(self.communes["remaining"] * self.communes["weight"], dtype=float)

    def value(self, chosen: Sequence[int], *, p: sp.csr_array | None = None) -> float:
        """Return ``F`` of the places at these positions: expected young people reached a year."""
        return float(self.remaining @ (1 - self._survival(chosen, self.p if p is None else p)))

    def _survival(self, chosen: Sequence[int], p: sp.csr_array) -> NDArray[np.float64]:
        """Return each commune's chance that none of the ``chosen`` places reaches a person."""
        if not len(chosen):
            return np.ones(p.shape[1])
        rows = p[np.asarray(chosen, dtype=np.intp)]
        log_keep = rows.copy()
        log_keep.data = np.log1p(-np.minimum(rows.data, 1 - 1e-12))
        return np.exp(np.asarray(log_keep.sum(axis=0)).ravel())

    def gains(self, chosen: Sequence[int] = ()) -> NDArray[np.float64]:
        """Return every place's gain added to ``chosen``, in one sparse product."""
        return np.asarray(self.p @ (self.remaining * self._survival(chosen, self.p)))

    def gain_interval(self, position: int,
                      chosen: Sequence[int] = ()) -> tuple[float, float, float]:
        """Return a place's gain added to ``chosen``, with the ends of the curve's interval."""
        values = []
        for p in (self.p, self.p_low, self.p_high):
            base = self.value(chosen, p=p)
            values.append(self.value([*chosen, position], p=p) - base)
        return values[0], min(values), max(values)

    def position(self, place_id: str) -> int:
        """Return the position of a place by its id."""
        found = self.places.index.get_indexer(pd.Index([place_id]))[0]
        if found < 0:
            raise InputError(f"place {place_id!r} is not a candidate of this reach model")
        return int(found)

    def with_places(self, places: pd.DataFrame) -> ReachModel:
        """Return the model with more candidate places (``x``, ``y``, ``name``; ids as index)."""
        extra = _chances(self.communes, places, self.curve, self.frequency, self.params,
                         routed=self.routed)
        return replace(self, places=pd.concat([self.places, places[self.places.columns
                                                                   .intersection(places.columns)]]),
                       p=sp.vstack([self.p, extra[0]]).tocsr(),
                       p_low=sp.vstack([self.p_low, extra[1]]).tocsr(),
                       p_high=sp.vstack([self.p_high, extra[2]]).tocsr())

    def words(self) -> str:
        """Say the action planned in French: « une maraude mensuelle », « un bus hebdomadaire ».

        Examples
        --------
        >>> curve = pd.Series({"tau_min": 10.0})
        >>> empty = sp.csr_array((0, 0))
        >>> for kind, per_year in (("maraude", 12), ("bus", 4), ("partenaire", 52), ("bus", 6)):
        ...     print(ReachModel(pd.DataFrame(), pd.DataFrame(), empty, empty, empty, kind=kind,
        ...                      frequency=per_year, curve=curve).words())
        une maraude mensuelle
        un bus trimestriel
        une action hebdomadaire chez un partenaire
        un bus, 6 fois par an
        """
        one = KIND_WORDS.get(self.kind, (f"une action {self.kind}", ""))[0]
        frequency = frequency_words(self.frequency)
        if frequency not in FREQUENCIES:
            return f"{one}, {frequency}"
        feminine = one.startswith("une ")
        adjective = frequency if feminine or not frequency.endswith("elle") else frequency[:-2]
        head, _, rest = one.partition(" chez ")
        return f"{head} {adjective}" + (f" chez {rest}" if rest else "")


@dataclass(frozen=True)
class ReachPlan:
    """The places chosen, each one's gain, the plan's value and its proven bound."""

    sites: pd.DataFrame
    value: float
    bound: float
    low: float
    high: float
    model: ReachModel = field(repr=False)
    exact: bool = False

    @property
    def gap(self) -> float:
        """Relative gap to the proven bound (0: proven optimal)."""
        return max(0.0, self.bound - self.value) / self.value if self.value > 0 else 0.0

    @property
    def status_text(self) -> str:
        """How good the plan is proven to be, in French."""
        gap = f"{100 * self.gap:.1f}".replace(".", ",")
        if self.gap <= 1e-4:
            return "optimal (prouvé : la borne est atteinte)"
        if self.exact:
            return (f"au plus {gap} % sous l’optimum (écart prouvé par le programme "
                    "exact, HiGHS)")
        return (f"au plus {gap} % sous l’optimum (écart prouvé ; glouton + échanges, "
                "garantie générale 63 %)")


def _chances(communes: pd.DataFrame, places: pd.DataFrame, curve: pd.Series, frequency: int,
             params: Parameters, *, routed: Routed | None,
             ) -> tuple[sp.csr_array, sp.csr_array, sp.csr_array]:
    """Return ``p`` (places × communes) for the curve's τ and the ends of its interval."""
    out = []
    xy = communes[["x", "y"]].to_numpy(dtype=float)
    youth = communes["youth"].to_numpy(dtype=float)
    pool = communes["pool"].to_numpy(dtype=float)
    per_action = float(curve["contacts_per_action"])
    codes = communes["code_insee"].astype(str).to_numpy(dtype=str)
    for tau in (float(curve["tau_min"]), float(curve["tau_low"]), float(curve["tau_high"])):
        cutoff = min(CUTOFF_TAUS * tau, _MAX_CUTOFF_MIN)
        # Communes are the origins, as everywhere: routed minutes where the place was routed.
        found = TravelPairs.from_points(xy, places[["x", "y"]].to_numpy(dtype=float),
                                        max_min=cutoff, params=params, routed=routed,
                                        origin_codes=codes,
                                        origin_no_car=communes["no_car"].to_numpy(dtype=float))
        i, j, minutes = found.target, found.origin, found.minutes
        odds = youth[j] * np.exp(-minutes / tau)
        total = np.bincount(i, weights=odds, minlength=len(places))
        expected = per_action * odds / np.where(total[i] > 0, total[i], 1.0)
        once = np.minimum(1.0, expected / np.where(pool[j] > 0, pool[j], np.inf))
        chance = -np.expm1(frequency * np.log1p(-np.minimum(once, 1 - 1e-12)))
        out.append(sp.csr_array((chance, (i, j)), shape=(len(places), len(communes))))
    return out[0], out[1], out[2]


def reach_model(layers: Mapping[str, pd.DataFrame], *, kind: str | None = None,
                frequency: int = DEFAULT_FREQUENCY, params: Parameters = DEFAULTS,
                period: PeriodLike = None, ml: str | None = None,
                departement: str | None = None, table: pd.DataFrame | None = None,
                curves: pd.DataFrame | None = None,
                places: gpd.GeoDataFrame | None = None) -> ReachModel:
    """Return the reach model of a workspace's layers (see the module).

    Parameters
    ----------
    layers
        ``communes``, ``mairies``, ``catchment_members``, ``actions``, ``contacts`` and, when
        imported, ``places`` (lycées, gares, partners' premises: candidates too).
    kind
        The kind of action to place (default: the kind with the most actions and a place).
    frequency
        Actions per year at each place (default 12: monthly).
    params
        Travel mode (public transport by default), rates and shares.
    period
        The period of the indicators and of the curves (default the whole record).
    ml, departement
        Plan within one Mission Locale (its communes, its share of shared ones, its town
        halls) or one département.
    table, curves
        The commune indicators and the reach curves when computed already.
    places
        More candidate places (lycées, gares, partners' premises: ``name`` and points in
        EPSG:2154), besides the town halls and a workspace's ``places`` layer.
    """
    if frequency < 1:
        raise InputError(f"frequency is {frequency}; expected at least one action a year")
    table = (indicators(layers, level="commune", period=period, params=params)
             if table is None else table)
    curves = (reach_curves(layers, params=params, period=period) if curves is None
              else curves)
    physical = curves[~curves["fitted"].isin(["sans lieu"]) & (curves.index != ALL_PHYSICAL)]
    if kind is None:
        if physical.empty:
            raise InputError("no outreach action with a place: nothing to learn a reach from; "
                             "import actions with their place (territory import actions)")
        kind = str(physical["actions"].idxmax())
    if kind not in physical.index:
        raise InputError(f"kind {kind!r} has no reach curve; expected one of "
                         f"{physical.index.tolist()} (actions with a place)")
    communes = _communes(layers, table, params, period, ml=ml, departement=departement)
    candidates = _places(layers, communes, places)
    curve = curves.loc[kind]
    assert isinstance(curve, pd.Series)  # one row per kind
    routed = Routed.of(layers)
    chances = _chances(communes, candidates, curve, frequency, params, routed=routed)
    return ReachModel(communes, candidates, *chances, kind=kind, frequency=frequency,
                      curve=curve, params=params, routed=routed)


def _communes(layers: Mapping[str, pd.DataFrame], table: pd.DataFrame, params: Parameters,
              period: PeriodLike, *, ml: str | None, departement: str | None) -> pd.DataFrame:
    communes = layers["communes"]
    origins = commune_origins(communes, layers.get("mairies"))
    pool = (pd.to_numeric(table["neet_est"]).to_numpy(dtype=float) * params.invisible_share)
    reached = pd.to_numeric(table["reached"]).fillna(0.0).to_numpy(dtype=float)
    years = _years(layers, period)
    yearly = np.divide(reached / years, pool, out=np.zeros_like(pool), where=pool > 0)
    remaining = (pd.to_numeric(table["invisible_est"]).fillna(0.0).to_numpy(dtype=float)
                 * (1 - np.minimum(1.0, yearly)))
    weight = commune_weights(communes, layers.get("catchment_members"), ml_code=ml,
                             dep_code=departement).to_numpy(dtype=float)
    return pd.DataFrame({
        "code_insee": communes["code_insee"].astype(str).to_numpy(),
        "nom": communes["nom"].astype(str).to_numpy() if "nom" in communes else "",
        "x": origins.geometry.x.to_numpy(), "y": origins.geometry.y.to_numpy(),
        "youth": pd.to_numeric(communes["youth"]).fillna(0.0).to_numpy(dtype=float),
        "pool": pool, "remaining": remaining, "weight": weight,
        "no_car": (np.full(len(communes), np.nan) if no_car_shares(communes) is None
                   else no_car_shares(communes))})


def _years(layers: Mapping[str, pd.DataFrame], period: PeriodLike) -> float:
    """Return the period's length in years (from the actions' and contacts' dates if open)."""
    span = as_period(period)
    dates = pd.concat([pd.to_datetime(layers[n]["date"]) for n in ("actions", "contacts")
                       if n in layers and "date" in layers[n]]).dropna()
    start = span.start if span.start is not None else (dates.min() if len(dates) else None)
    last = span.last_day if span.stop is not None else (dates.max() if len(dates) else None)
    if start is None or last is None:
        return 1.0
    return max((pd.Timestamp(last) - pd.Timestamp(start)).days + 1, 30) / 365.25


def _places(layers: Mapping[str, pd.DataFrame], communes: pd.DataFrame,
            places: gpd.GeoDataFrame | None) -> pd.DataFrame:
    """Return the candidates: town halls of the selection, and the user's places in it."""
    chosen = set(communes.loc[communes["weight"] > 0, "code_insee"])
    mairies = layers["mairies"]
    mine = mairies[mairies["code_insee"].astype(str).isin(chosen)]
    parts = [_frame(mine, "mairie-" + mine["code_insee"].astype(str),
                    mine.get("nom", "Mairie " + mine["code_insee"].astype(str)))]
    for extra in (layers.get("places"), places):
        if extra is not None and len(extra):
            parts.append(_user_places(extra, communes, chosen))
    found = pd.concat(parts)
    if found.empty:
        raise InputError("no candidate place in the selection: expected town halls "
                         "(`mairies`) or places of your own (--candidates FILE)")
    return found[~found.index.duplicated()]


def _user_places(places: gpd.GeoDataFrame, communes: pd.DataFrame,
                 chosen: set[str]) -> pd.DataFrame:
    """Return the user's places in the selection, each in the commune of the nearest origin."""
    xy = shapely.get_coordinates(places.geometry.to_numpy())
    nearest = cKDTree(communes[["x", "y"]].to_numpy()).query(xy)[1]
    codes = communes["code_insee"].to_numpy()[nearest]
    keep = pd.Series(codes).isin(chosen).to_numpy()
    ids = next((places[c].astype(str) for c in ("site_id", "place_id") if c in places),
               pd.Series([f"lieu-{k + 1}" for k in range(len(places))], places.index))
    names = places["name"].astype(str) if "name" in places else ids
    frame = _frame(places, ids, names)
    frame["code_insee"] = codes
    return frame[keep]


def _frame(points: gpd.GeoDataFrame, ids: pd.Series, names: pd.Series | str) -> pd.DataFrame:
    xy = shapely.get_coordinates(points.geometry.to_numpy())
    return pd.DataFrame({"name": np.asarray(names, dtype=object) if not isinstance(names, str)
                         else names,
                         "code_insee": points["code_insee"].astype(str).to_numpy()
                         if "code_insee" in points else "",
                         "x": xy[:, 0], "y": xy[:, 1]}, index=pd.Index(ids.to_numpy(),
                                                                      dtype=object))


def plan_reach(model: ReachModel, n_new: int, *, kept: Sequence[str] = (),
               swaps: bool = True, exact: bool | None = None,
               time_limit_s: float = EXACT_TIME_LIMIT_S) -> ReachPlan:
    """Choose ``n_new`` places that maximise the young people reached (see the module).

    Parameters
    ----------
    model
        The reach model (:func:`reach_model`).
    n_new
        Number of new places.
    kept
        Ids of places already in the plan: they count, and are not chosen again.
    swaps
        Improve the greedy plan by swaps (default True).
    exact
        Also solve the tangent programme with HiGHS (see the module); default: when the
        model has at most :data:`EXACT_MAX_PAIRS` pairs.
    time_limit_s
        HiGHS's time limit (20 s): past it, its dual bound still bounds the optimum.

    Returns
    -------
    plan
        The places in the order of their gains (each gain is what it adds after the ones
        before it and ``kept``: the gains sum to the plan's value), the value, its interval
        from the curve's, and the proven bound on the optimum.

    Examples
    --------
    >>> from territory.io.workspace import Workspace
    >>> workspace = Workspace(demo_path)
    >>> layers = {name: workspace.read(name) for name in workspace.layers()}
    >>> model = reach_model(layers, ml="ML23")
    >>> plan = plan_reach(model, 3)
    >>> len(plan.sites), plan.value > 0, plan.bound >= plan.value
    (3, True, True)
    """
    if n_new < 1:
        raise InputError(f"n_new is {n_new}; expected at least one place")
    base = [model.position(k) for k in kept]
    n = len(model.places)
    chosen: list[int] = []
    bound = np.inf
    for _ in range(min(n_new, n - len(base))):
        gains = model.gains([*base, *chosen])
        gains[[*base, *chosen]] = -np.inf
        top = np.sort(gains[np.isfinite(gains)])[::-1][:n_new]
        current = model.value([*base, *chosen]) - model.value(base)
        bound = min(bound, current + float(np.clip(top, 0, None).sum()))
        best = int(np.argmax(gains))
        if gains[best] <= 1e-9:
            break
        chosen.append(best)
    if swaps:
        chosen = _swap(model, base, chosen)
    value = model.value([*base, *chosen]) - model.value(base)
    gains = model.gains([*base, *chosen])
    gains[[*base, *chosen]] = -np.inf
    tail = np.sort(gains[np.isfinite(gains)])[::-1][:n_new]
    bound = min(bound, value + float(np.clip(tail, 0, None).sum()))
    solved = exact if exact is not None else model.p.nnz <= EXACT_MAX_PAIRS
    if solved:
        found, ceiling = _tangent_programme(model, base, len(chosen), time_limit_s)
        bound = min(bound, ceiling)
        if found is not None:
            other = model.value([*base, *found]) - model.value(base)
            if other > value * (1 + 1e-9):
                chosen, value = found, other
    return ReachPlan(_ordered(model, base, chosen), value, max(bound, value),
                     *_interval(model, base, chosen), model=model, exact=bool(solved))


def _tangent_programme(model: ReachModel, base: list[int], n: int,
                       time_limit_s: float) -> tuple[list[int] | None, float]:
    """Solve the tangent programme (see the module): its plan, and its bound on the gain."""
    remaining = model.remaining
    keep = np.flatnonzero(remaining > 0)
    if n == 0 or not len(keep):
        return [], 0.0
    a = model.p[:, keep].tocsr()
    a.data = -np.log1p(-np.minimum(a.data, 1 - 1e-12))
    places, communes = a.shape
    at = a.T.tocsr()
    blocks = [sp.hstack([-np.exp(-y) * at, sp.identity(communes, format="csr")])
              for y in TANGENTS]
    upper = np.concatenate([np.full(communes, 1 - np.exp(-y) - np.exp(-y) * y)
                            for y in TANGENTS])
    count = sp.hstack([sp.csr_array(np.ones((1, places))), sp.csr_array((1, communes))])
    lower_x = np.zeros(places)
    lower_x[base] = 1.0
    result = milp(
        c=np.concatenate([np.zeros(places), -remaining[keep]]),
        constraints=[LinearConstraint(sp.vstack(blocks).tocsr(), -np.inf, upper),
                     LinearConstraint(count.tocsr(), len(base) + n, len(base) + n)],
        integrality=np.concatenate([np.ones(places), np.zeros(communes)]),
        bounds=Bounds(np.concatenate([lower_x, np.zeros(communes)]),
                      np.concatenate([np.ones(places), np.ones(communes)])),
        options={"time_limit": time_limit_s, "disp": False})
    dual = getattr(result, "mip_dual_bound", None)
    if dual is None or not np.isfinite(dual):
        return None, np.inf
    # The programme bounds F of base + plan: the gain is at most that, less F of the base.
    ceiling = -float(dual) - model.value(base)
    if result.x is None:
        return None, ceiling
    picked = np.flatnonzero(result.x[:places] > 0.5)
    return [int(i) for i in picked if i not in set(base)], ceiling


def _swap(model: ReachModel, base: list[int], chosen: list[int]) -> list[int]:
    """Swap one place out and one in while the value grows (at most a few passes)."""
    chosen = list(chosen)
    for _ in range(_SWAP_PASSES):
        improved = False
        for k in range(len(chosen)):
            others = [*base, *chosen[:k], *chosen[k + 1:]]
            gains = model.gains(others)
            gains[[*others, chosen[k]]] = -np.inf
            best = int(np.argmax(gains))
            own = model.value([*others, chosen[k]]) - model.value(others)
            if gains[best] > own * (1 + 1e-9) + 1e-9:
                chosen[k] = best
                improved = True
        if not improved:
            break
    return chosen


def _ordered(model: ReachModel, base: list[int], chosen: list[int]) -> pd.DataFrame:
    """Return the chosen places in the order of their gains, each one's gain after those."""
    left, order, gains = list(chosen), list[int](), list[float]()
    while left:
        current = [*base, *order]
        values = [model.value([*current, i]) - model.value(current) for i in left]
        best = int(np.argmax(values))
        order.append(left.pop(best))
        gains.append(values[best])
    sites = model.places.iloc[order].copy()
    sites["rank"] = np.arange(1, len(order) + 1)
    sites["gain"] = gains
    intervals = [model.gain_interval(i, [*base, *order[:k]]) for k, i in enumerate(order)]
    sites["gain_low"] = [low for _, low, _ in intervals]
    sites["gain_high"] = [high for _, _, high in intervals]
    sites["position"] = order
    return sites


def _interval(model: ReachModel, base: list[int], chosen: list[int]) -> tuple[float, float]:
    values = [model.value([*base, *chosen], p=p) - model.value(base, p=p)
              for p in (model.p_low, model.p_high)]
    return min(values), max(values)
