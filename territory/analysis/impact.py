r"""The bilan d'impact: the young people outreach brought into contact with the MLs.

**Design.** Zones × months (:mod:`territory.analysis._impact_panel`): a zone is treated from
the month an outreach place first comes within reach of it, and stays treated. Treatment is
staggered (zones start in different months), so a two-way fixed-effects regression would
compare late-treated zones with already-treated ones and can even flip the sign of the effect
(Goodman-Bacon 2021). The estimator is Callaway & Sant'Anna (2021, *Journal of
Econometrics* 225(2):200–230): one difference-in-differences per cohort (zones first treated
in month ``g``) and month ``t``, ATT(g, t), against the zones **not yet treated** in ``t``
(never-treated zones included), each with its own base month (the month before, "varying"),
every zone weighing the same (weighted by young people, one city's cluster swung the
clustered bootstrap), then averaged by months since treatment (the event study) and by cohort
(the overall effect, CS's θ\ :sup:`O`).

**Library.** ``moderndid`` (a port of the authors' R package ``did``), weighed on the region's
panel against: ``csdid`` (the same estimator and the same estimates to 4 decimals, about twice
as fast, but it prints its tables on standard output and needs ``twine`` and ``plotnine`` at
run time), ``differences`` (fails on pandas 3 when clustering) and ``pyfixest``'s saturated
event study (Sun & Abraham 2021: about 24 times slower, no clustered bootstrap of its own).
Figures: ``benchmarks/bench_impact.py``.

**Inference.** Standard errors clustered by Mission Locale (a zone's main ML): 43 clusters, so
the multiplier bootstrap of CS (a wild bootstrap of the influence functions, Mammen weights
drawn per cluster; 999 draws, seed 2019) rather than an analytical formula, with a
simultaneous 95 % band over event times. The months before treatment are placebo estimates:
they should straddle 0.

**Refusals.** With too few treated zones (fewer than :data:`MIN_TREATED`), too few comparison
zones (:data:`MIN_CONTROLS`), no month of record before the first treatment, or fewer than
:data:`MIN_CLUSTERS` Missions Locales for a clustered bootstrap, the study says why instead of
giving a number. Estimates resting on fewer than ``suppression_threshold`` young people in the
treated zone-months are not published (statistical secrecy).
"""

from __future__ import annotations

import hashlib
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from territory._errors import InputError
from territory.analysis._impact_panel import LEVELS, OUTCOMES, Panel, build_panel
from territory.analysis.params import DEFAULTS, Parameters
from territory.analysis.reach import ALL_PHYSICAL, reach_curves

__all__ = ["BOOTSTRAP", "LEVELS", "MIN_CLUSTERS", "MIN_CONTROLS", "MIN_TREATED", "OUTCOMES",
           "SEED", "Estimate", "ImpactStudy", "Panel", "build_panel", "estimate", "impact",
           "learned_reach", "refusal"]

BOOTSTRAP = 999
"""Bootstrap draws (multiplier bootstrap of Callaway & Sant'Anna 2021)."""
SEED = 2019
MIN_TREATED = 5
"""Treated zones an estimate needs (convention)."""
MIN_CONTROLS = 5
"""Never- or not-yet-treated zones an estimate needs (convention)."""
MIN_CLUSTERS = 10
"""Missions Locales a clustered bootstrap needs; below, zones are the clusters (convention)."""
EVENT_MONTHS = (-12, 24)
"""Months since treatment shown in the event study (12 before as placebo, 24 after)."""
ALPHA = 0.05


@dataclass(frozen=True)
class Estimate:
    """An effect in young people in contact per 1,000 young people per month.

    ``support`` counts the young people of the treated zone-months it rests on, ``zones``
    the treated zones; ``published`` is False when ``support`` is under the threshold.
    """

    att: float
    se: float
    low: float
    high: float
    support: int
    zones: int
    published: bool = True

    @property
    def significant(self) -> bool:
        """Whether the interval leaves 0 out."""
        return bool(self.low > 0 or self.high < 0)


@dataclass(frozen=True)
class ImpactStudy:
    """What :func:`impact` found, or why it could not say.

    Attributes
    ----------
    overall
        The average effect over treated zones and months after treatment (None: refused).
    events
        One row per month since treatment ``e`` (negative: placebo months before): ``att``,
        ``se``, ``low``, ``high`` (simultaneous 95 % band), ``support``, ``zones``,
        ``published``.
    by_ml
        One row per Mission Locale: ``ml_code``, the fields of :class:`Estimate`, and
        ``reason`` when there is no estimate.
    consortium
        The 37 consortium members' zones against the others' (treated from the programme's
        first month), or None with ``consortium_reason``.
    refused
        Why there is no estimate (French), or None.
    pretrend_covered
        Share of the placebo months (before treatment) whose band holds 0: 1 when the months
        before show no gap (parallel trends not contradicted); NaN without placebo months.
    """

    level: str
    outcome: str
    source: str
    months: tuple[str, str]
    treated_zones: int
    control_zones: int
    treated_youth: float
    overall: Estimate | None
    events: pd.DataFrame
    by_ml: pd.DataFrame
    consortium: Estimate | None
    consortium_reason: str | None
    refused: str | None
    pretrend_covered: float
    bootstrap: int
    threshold: int
    notes: tuple[str, ...] = field(default=())

    def words(self) -> str:
        """Say the effect in plain French, with its interval and its check before treatment.

        Examples
        --------
        >>> est = Estimate(0.42, 0.1, 0.22, 0.62, 900, 120)
        >>> study = ImpactStudy("commune", "reached", "contacts", ("2017-12", "2021-11"),
        ...                     120, 300, 25_000.0, est, pd.DataFrame(), pd.DataFrame(),
        ...                     None, "", None, 1.0, 999, 11)
        >>> print(study.words())  # doctest: +NORMALIZE_WHITESPACE
        Là où l’aller-vers a commencé, ~0,42 jeune de plus par mois est entré en contact
        avec la Mission Locale pour 1 000 jeunes (intervalle 0,22 à 0,62), soit ~10 jeunes
        de plus par mois sur les 120 communes concernées. Les mois d’avant le début ne
        montrent pas d’écart significatif.
        """
        if self.refused:
            return f"Pas d’estimation : {self.refused}"
        est = self.overall
        assert est is not None
        if not est.published:
            return ("Estimation non publiée : elle repose sur moins de "
                    f"{self.threshold} jeunes (secret statistique).")
        more = "de plus" if est.att >= 0 else "de moins"
        zone = {"commune": "communes", "epci": "EPCI", "catchment": "territoires de ML"}
        extra = _int_fr(abs(est.att) * self.treated_youth / 1000)
        text = (f"Là où l’aller-vers a commencé, ~{_fr(abs(est.att))} jeune {more} par mois "
                "est entré en contact avec la Mission Locale pour 1 000 jeunes (intervalle "
                f"{_fr(est.low)} à {_fr(est.high)}), soit ~{extra} jeunes {more} par mois sur "
                f"les {_int_fr(self.treated_zones)} {zone[self.level]} concernées.")
        if not est.significant:
            text += " L’intervalle contient 0 : pas d’effet démontré."
        if math.isfinite(self.pretrend_covered):
            check = ("ne montrent pas d’écart significatif" if self.pretrend_covered == 1
                     else f"montrent déjà un écart pour {_pct(1 - self.pretrend_covered)} d’entre "
                     "eux : prudence")
            text += f" Les mois d’avant le début {check}."
        return text


def _fr(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def _pct(value: float) -> str:
    return f"{value * 100:.0f} %"


def _int_fr(value: float) -> str:
    return f"{value:,.0f}".replace(",", "\u202f")


def impact(layers: Mapping[str, pd.DataFrame], *, level: str = "commune",
           outcome: str = "reached", params: Parameters = DEFAULTS,
           reach_min: Mapping[str, float] | None = None,
           by_ml: bool | Sequence[str] = True, bootstrap: int = BOOTSTRAP,
           seed: int = SEED) -> ImpactStudy:
    """Estimate the effect of outreach on the young people in contact with the MLs.

    Parameters
    ----------
    layers
        The workspace's layers (see :func:`build_panel`).
    level
        Zones: ``commune`` (default), ``epci`` or ``catchment``.
    outcome
        ``reached``, ``mobilise`` or ``accompagne``.
    params
        Travel mode, access threshold and ``suppression_threshold``.
    reach_min
        Minutes of reach per kind of action; None learns them from the contacts
        (:func:`learned_reach`). A kind not listed takes the access threshold.
    by_ml
        Also estimate the effect within each Mission Locale's zones (True), within those of
        the Missions Locales listed, or not at all (False). The other figures do not depend
        on it.
    bootstrap, seed
        Multiplier-bootstrap draws and seed.

    Returns
    -------
    ImpactStudy
        The estimates, or the reason there are none.
    """
    # Parameters equal as values (30 and 30.0 minutes) hash alike: one study for both.
    which = by_ml if isinstance(by_ml, bool) else tuple(sorted(by_ml))
    key = _key(layers, level, outcome, hash(params), reach_min, which, bootstrap, seed)
    if key in _CACHE:
        return _CACHE[key]
    study = _impact(layers, level=level, outcome=outcome, params=params, reach_min=reach_min,
                    by_ml=which, bootstrap=bootstrap, seed=seed)
    _CACHE[key] = study
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.pop(next(iter(_CACHE)))
    return study


# The same layers and options give the same study: the command line, the dashboard and the
# report of one process compute it once (it takes seconds). Keyed by the layers' content.
_CACHE: dict[str, ImpactStudy] = {}
_CACHE_SIZE = 8
_KEYED = {"communes": ("code_insee", "epci_code", "youth"),
          "catchment_members": ("ml_code", "code_insee", "share"),
          "catchments": ("ml_code", "in_consortium"),
          "actions": ("ml_code", "kind", "date"), "mairies": ("code_insee",),
          "contacts": ("contact_id", "date", "code_insee", "action_id", "stage"),
          "first_contacts": ("code_insee", "month", "repere", "mobilise", "accompagne")}


def _key(layers: Mapping[str, pd.DataFrame], *options: Any) -> str:
    digest = hashlib.blake2b(repr(options).encode(), digest_size=20)
    for name, columns in _KEYED.items():
        frame = layers.get(name)
        if frame is None:
            digest.update(f"no {name}".encode())
            continue
        present = [c for c in columns if c in frame]
        digest.update(f"{name}:{present}:{len(frame)}".encode())
        digest.update(pd.util.hash_pandas_object(frame[present], index=False).to_numpy()
                      .tobytes())
        if isinstance(frame, gpd.GeoDataFrame):
            geometry = frame.geometry.to_numpy()
            digest.update(shapely.is_missing(geometry).tobytes())
            digest.update(shapely.get_coordinates(geometry).tobytes())
    return digest.hexdigest()


def _impact(layers: Mapping[str, pd.DataFrame], *, level: str, outcome: str,
            params: Parameters, reach_min: Mapping[str, float] | None,
            by_ml: bool | tuple[str, ...], bootstrap: int, seed: int) -> ImpactStudy:
    if reach_min is None:
        reach_min = learned_reach(layers, params=params)
    panel = build_panel(layers, level=level, outcome=outcome, params=params,
                        reach_min=reach_min)
    threshold = params.suppression_threshold
    zones = panel.zones
    treated = zones[zones["cohort"] > 1]
    common: dict[str, Any] = {"level": panel.level, "outcome": outcome, "source": panel.source,
              "months": (str(panel.months[0]), str(panel.months[-1])),
              "treated_zones": len(treated), "control_zones": int((zones["cohort"] == 0).sum()),
              "treated_youth": float(treated["youth"].sum()), "bootstrap": bootstrap,
              "threshold": threshold}
    consortium, why = _consortium(panel, layers, bootstrap=bootstrap, seed=seed,
                                  threshold=threshold)
    per_ml = pd.DataFrame()
    if by_ml is not False:
        per_ml = _by_ml(panel, None if by_ml is True else by_ml, bootstrap=bootstrap,
                        seed=seed, threshold=threshold)
    refused = refusal(panel.frame)
    if refused:
        return ImpactStudy(**common, overall=None, events=pd.DataFrame(), by_ml=per_ml,
                           consortium=consortium, consortium_reason=why, refused=refused,
                           pretrend_covered=float("nan"))
    result = estimate(panel.frame, bootstrap=bootstrap, seed=seed, threshold=threshold,
                      clustered=panel.frame["cluster"].nunique() >= MIN_CLUSTERS)
    return ImpactStudy(**common, overall=result["overall"], events=result["events"],
                       by_ml=per_ml, consortium=consortium, consortium_reason=why,
                       refused=None, pretrend_covered=result["pretrend_covered"],
                       notes=result["notes"])


def learned_reach(layers: Mapping[str, pd.DataFrame], *,
                  params: Parameters = DEFAULTS) -> dict[str, float]:
    """Return the minutes within which 8 in 10 young people reached by each kind live.

    From :func:`~territory.analysis.reach.reach_curves` (the reach alone, no decay fit) when
    the contacts name their actions; empty otherwise (every kind then takes the access
    threshold).
    """
    contacts = layers.get("contacts")
    if contacts is None or contacts.empty or "action_id" not in contacts \
            or not (contacts["action_id"].astype(str).str.len() > 0).any():
        return {}
    curves = reach_curves(layers, params=params, bootstrap=0, decay=False)
    found = curves[curves["kind"] != ALL_PHYSICAL]["reach_min"]
    return {str(k): float(v) for k, v in found.items() if np.isfinite(v)}


def refusal(frame: pd.DataFrame) -> str | None:
    """Return why the panel cannot support an estimate (French), or None.

    Examples
    --------
    >>> frame = pd.DataFrame({"zone": [1, 1, 2, 2], "month": [1, 2, 1, 2],
    ...                       "cohort": [1, 1, 0, 0]})
    >>> print(refusal(frame))  # doctest: +NORMALIZE_WHITESPACE
    aucune zone n’a de mois relevés avant le début de l’aller-vers (au moins 5 zones
    traitées sont nécessaires, 0 ici)
    """
    zones = frame.drop_duplicates("zone")
    cohorts = zones["cohort"].to_numpy()
    treated = int((cohorts > 1).sum())
    if treated < MIN_TREATED:
        if (cohorts == 1).any() and treated == 0:
            return ("aucune zone n’a de mois relevés avant le début de l’aller-vers (au moins "
                    f"{MIN_TREATED} zones traitées sont nécessaires, 0 ici)")
        return (f"trop peu de zones touchées par l’aller-vers pendant la période relevée "
                f"({treated}, il en faut au moins {MIN_TREATED})")
    latest = int(cohorts.max())
    controls = int(((cohorts == 0) | (cohorts > cohorts[cohorts > 1].min())).sum())
    if controls < MIN_CONTROLS and not (cohorts == 0).any() and latest <= 1:
        return "aucune zone de comparaison (jamais ou pas encore touchée)"
    if controls < MIN_CONTROLS:
        return (f"trop peu de zones de comparaison, jamais ou pas encore touchées ({controls}, "
                f"il en faut au moins {MIN_CONTROLS})")
    return None


def estimate(frame: pd.DataFrame, *, bootstrap: int = BOOTSTRAP, seed: int = SEED,
             threshold: int = 11, clustered: bool = True) -> dict[str, Any]:
    """Run Callaway & Sant'Anna on a panel frame (see :class:`Panel`) and aggregate it.

    Returns
    -------
    dict
        ``overall`` (:class:`Estimate`), ``events`` (table), ``pretrend_covered``
        (see :class:`ImpactStudy`) and ``notes`` (the library's warnings).
    """
    import moderndid as md  # noqa: PLC0415 (polars and statsmodels: only the study needs them)

    data = frame[frame["cohort"] != 1][["zone", "month", "cohort", "per_1000", "youth",
                                        "cluster", "count"]].copy()
    data["zone_id"] = pd.factorize(data["zone"])[0] + 1
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gt = md.att_gt(data=data, yname="per_1000", tname="month", idname="zone_id",
                       gname="cohort", control_group="notyettreated",
                       clustervars=["cluster"] if clustered else None, boot=True,
                       biters=bootstrap, est_method="reg", random_state=seed, alp=ALPHA)
        group = md.aggte(gt, type="group")
        dynamic = md.aggte(gt, type="dynamic", min_e=EVENT_MONTHS[0], max_e=EVENT_MONTHS[1])
    notes = tuple(dict.fromkeys(str(w.message).splitlines()[0] for w in caught))
    after = data[(data["cohort"] > 0) & (data["month"] >= data["cohort"])]
    overall = _estimate(group.overall_att, group.overall_se, 1.96,
                        support=int(after["count"].sum()), zones=after["zone"].nunique(),
                        threshold=threshold)
    events = _events(dynamic, data, threshold)
    return {"overall": overall, "events": events, "pretrend_covered": _pretrend(events),
            "notes": notes}


def _pretrend(events: pd.DataFrame) -> float:
    """Return the share of placebo months (before treatment) whose band holds 0 (NaN: none)."""
    before = events[(events["e"] < 0) & np.isfinite(events["se"])]
    if before.empty:
        return float("nan")
    return float(((before["low"] <= 0) & (before["high"] >= 0)).mean())


def _estimate(att: float, se: float, crit: float, *, support: int, zones: int,
              threshold: int) -> Estimate:
    att, se = float(att), float(se)
    return Estimate(att, se, att - crit * se, att + crit * se, support, zones,
                    published=support >= threshold)


def _events(dynamic: Any, data: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Return the event study, with each event time's support."""
    since = data["month"] - data["cohort"]
    treated = data[data["cohort"] > 0].assign(e=since)
    support = treated.groupby("e")["count"].sum()
    zones = treated.groupby("e")["zone"].nunique()
    e = np.asarray(dynamic.event_times, dtype=int)
    att = np.asarray(dynamic.att_by_event, dtype=float)
    se = np.asarray(dynamic.se_by_event, dtype=float)
    crit = np.broadcast_to(np.asarray(dynamic.critical_values, dtype=float), att.shape)
    table = pd.DataFrame({"e": e, "att": att, "se": se, "low": att - crit * se,
                          "high": att + crit * se,
                          "support": support.reindex(e, fill_value=0).to_numpy(dtype=int),
                          "zones": zones.reindex(e, fill_value=0).to_numpy(dtype=int)})
    table["published"] = table["support"] >= threshold
    return table


def _consortium(panel: Panel, layers: Mapping[str, pd.DataFrame], *, bootstrap: int,
                seed: int, threshold: int) -> tuple[Estimate | None, str | None]:
    """Compare the consortium's zones with the others', from the quarter of its first action."""
    catchments = layers.get("catchments")
    if catchments is None or "in_consortium" not in catchments:
        return None, "le territoire ne dit pas quelles ML étaient membres du consortium"
    members = set(catchments.loc[catchments["in_consortium"].astype(bool), "ml_code"]
                  .astype(str))
    actions = layers["actions"]
    mine = actions[actions["ml_code"].astype(str).isin(members)]
    if mine.empty or not members:
        return None, "aucune action des membres du consortium"
    start = pd.Period(pd.to_datetime(mine["date"]).min(), freq="M")
    month = (start - panel.months[0]).n + 1
    # By quarters (:func:`quarterly`): one cohort, a coarse comparison.
    frame = quarterly(panel.frame.assign(cohort=np.where(panel.frame["ml_code"].isin(members),
                                                         month, 0)))
    if month > len(panel.months):
        return None, "le programme commence après la période relevée"
    why = refusal(frame)
    if why:
        return None, why
    clustered = frame["cluster"].nunique() >= MIN_CLUSTERS
    return estimate(frame, bootstrap=bootstrap, seed=seed, threshold=threshold,
                    clustered=clustered)["overall"], None


def _by_ml(panel: Panel, chosen: tuple[str, ...] | None, *, bootstrap: int, seed: int,
           threshold: int) -> pd.DataFrame:
    """Return one row per Mission Locale: the effect within its own zones, or why not.

    By quarters (:func:`quarterly`): a Mission Locale has tens of zones, not thousands.
    """
    rows: list[dict[str, Any]] = []
    frame = panel.frame if chosen is None else panel.frame[panel.frame["ml_code"].isin(chosen)]
    for ml, part in quarterly(frame).groupby("ml_code", sort=True):
        why = refusal(part)
        if why:
            rows.append({"ml_code": ml, "reason": why})
            continue
        try:
            found = estimate(part, bootstrap=bootstrap, seed=seed, threshold=threshold,
                             clustered=False)["overall"]
        except (ValueError, np.linalg.LinAlgError) as error:
            rows.append({"ml_code": ml, "reason": f"estimation impossible ({error})"})
            continue
        rows.append({"ml_code": ml, **found.__dict__, "reason": None})
    columns = ["ml_code", "att", "se", "low", "high", "support", "zones", "published",
               "reason"]
    return pd.DataFrame(rows).reindex(columns=columns)


def quarterly(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the panel by quarters of record (months 1–3 → 1 …): fewer, steadier cells.

    A quarter's ``per_1000`` is the monthly average; a zone is treated from the quarter of
    its first treated month.
    """
    quarter = (frame["month"] - 1) // 3 + 1
    cohort = np.where(frame["cohort"] > 0, (frame["cohort"] - 1) // 3 + 1, 0)
    cohort[cohort > quarter.max()] = 0  # treated after the record: never within it
    grouped = frame.assign(month=quarter, cohort=cohort).groupby(
        ["zone", "month"], as_index=False, sort=False).agg(
        count=("count", "sum"), per_1000=("per_1000", "mean"), youth=("youth", "first"),
        cohort=("cohort", "first"), cluster=("cluster", "first"), ml_code=("ml_code", "first"))
    return grouped


def check_level(level: str) -> None:
    """Refuse a level the study is not made by."""
    if level not in LEVELS:
        raise InputError(f"--level {level}: the impact study is made by {', '.join(LEVELS)}")
