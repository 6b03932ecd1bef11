r"""The invisible-zone score ("indice de zone invisible"): where the invisible are least reached.

For each zone, three components in [0, 1], kept as columns beside the score so that a tooltip
can say why a zone ranks high::

    pool           = neet_est × s                    (the zone's potential invisible)
    unmet          = exp(−reached / pool)            (expected share never met)
    need_index     = ln(1 + pool × unmet) / ln(1 + max over zones of pool)
    access_deficit = ½ (1 − covered_share) + ½ min(1, nearest_min / (2 T))
    reach_deficit  = unmet

    gap_score      = 100 × (w_n need_index + w_a access_deficit + w_r reach_deficit)
                         / (w_n + w_a + w_r)

- ``s`` is the invisible share (37 %, Dares Analyses 2020-006, 2018). Each young person
  reached is taken as one draw among the zone's potential invisible young people: after
  ``reached`` draws, the expected share never met is ``exp(−reached / pool)`` (draws with
  replacement), so the need and reach components fall smoothly as outreach meets more young
  people and never drop to zero at once — where ``max(0, pool − reached)`` (the published
  ``invisible_est``) reaches zero as soon as the contacts pass 37 % of the NEET estimate. More
  young people reached never raise the score; a longer trip never lowers it.
- The logarithm keeps a city's thousands from flattening every village; the denominator is the
  largest potential, so the index depends on no contact count but the zone's own.
- A zone without young people (``pool`` = 0) scores 0 on need and reach, and on access.
- ``T`` is the access threshold (30 min, France Services standard). ``nearest_min`` is the
  travel time to the nearest site or outreach place; a zone with neither is at 1. A zone
  without young people has no access deficit.
- Weights ``w_n, w_a, w_r`` = 0.4, 0.3, 0.3 (unconfirmed convention, overridable in
  :class:`~territory.analysis.params.Parameters`).

``gap_rank`` is 1 for the highest score (the least reached zone); ties go to the zone with more
estimated invisible young people. :func:`score_classes` gives map classes via mapclassify.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from territory._errors import InputError
from territory.analysis.params import DEFAULTS, Parameters

__all__ = ["COMPONENTS", "Classes", "component_words", "gap_reasons", "gap_score",
           "score_classes", "unmet_share"]

COMPONENTS = ("need_index", "access_deficit", "reach_deficit")
SCHEMES = ("NaturalBreaks", "Quantiles", "EqualInterval")
_SEED = 2019


def unmet_share(reached: pd.Series, pool: pd.Series) -> pd.Series:
    """Return the expected share of a zone's potential invisible young people never met.

    ``exp(−reached / pool)``: each young person reached is one draw among the ``pool``; 0
    where the pool is empty.

    Examples
    --------
    >>> unmet_share(pd.Series([0.0, 10.0, 5.0]), pd.Series([10.0, 10.0, 0.0])).round(3).tolist()
    [1.0, 0.368, 0.0]
    """
    r = pd.to_numeric(reached).astype("float64").fillna(0.0)
    p = pd.to_numeric(pool).astype("float64")
    ratio = r / p.where(p > 0)
    return pd.Series(np.exp(-ratio.to_numpy()), index=r.index).where(p > 0, 0.0)


def _components(frame: pd.DataFrame, params: Parameters) -> pd.DataFrame:
    youth = frame["youth"].astype("float64")
    pool = frame["neet_est"].astype("float64") * params.invisible_share
    potential = float(pool.max()) if len(frame) else 0.0
    unmet = unmet_share(frame["reached"], pool)
    need = np.log1p((pool * unmet).fillna(0.0)) / np.log1p(potential or 1.0)
    far = (frame["nearest_min"] / (2 * params.threshold_min)).clip(upper=1).fillna(1.0)
    uncovered = (1 - frame["covered_share"]).fillna(far)
    access = (0.5 * uncovered + 0.5 * far).where(youth > 0, 0.0)
    return pd.DataFrame({"need_index": need.clip(0, 1), "access_deficit": access,
                         "reach_deficit": unmet}, index=frame.index)


def gap_score(frame: pd.DataFrame, *, params: Parameters = DEFAULTS) -> pd.DataFrame:
    """Return the score's components, ``gap_score`` (0–100) and ``gap_rank`` (1 = least reached).

    Parameters
    ----------
    frame
        One row per zone with ``youth``, ``neet_est``, ``invisible_est``, ``reached``,
        ``covered_share`` and ``nearest_min``.
    params
        Threshold (30 min, France Services), invisible share (37 %, Dares 2020-006) and score
        weights (0.4 / 0.3 / 0.3, unconfirmed convention).

    Returns
    -------
    score
        ``need_index``, ``access_deficit``, ``reach_deficit``, ``gap_score``, ``gap_rank``,
        on the frame's index. The formula is in this module's docstring.

    Examples
    --------
    >>> zones = pd.DataFrame({"youth": [1000.0, 100.0], "neet_est": [129.0, 12.9],
    ...     "invisible_est": [17.73, 4.77], "reached": [30.0, 0.0],
    ...     "covered_share": [1.0, 0.0], "nearest_min": [5.0, 60.0]})
    >>> gap_score(zones).round(2)
       need_index  access_deficit  reach_deficit  gap_score  gap_rank
    0        0.84            0.04           0.53      50.97         2
    1        0.45            1.00           1.00      78.04         1
    """
    parts = _components(frame, params)
    w_need, w_access, w_reach = params.weights
    score = 100 * (w_need * parts["need_index"] + w_access * parts["access_deficit"]
                   + w_reach * parts["reach_deficit"]) / sum(params.weights)
    parts["gap_score"] = score
    parts["gap_rank"] = _rank(score, frame["invisible_est"])
    return parts


def _rank(score: pd.Series, invisible: pd.Series) -> pd.Series:
    key = score.fillna(-np.inf).to_numpy()
    order = np.lexsort((-invisible.fillna(0).to_numpy(), -key))
    rank = np.empty(len(score), dtype=np.int64)
    rank[order] = np.arange(1, len(score) + 1)
    return pd.Series(rank, index=score.index, dtype="int64")


def gap_reasons(frame: pd.DataFrame, *, params: Parameters = DEFAULTS) -> pd.Series:
    """Return, per zone, why it scores high, in French (for a tooltip).

    Masked figures (NA) are left out of the reasons.

    Examples
    --------
    >>> zones = pd.DataFrame({"youth": [480.0], "invisible_est": [23.0], "neet_rate": [0.15],
    ...     "reach_deficit": [0.97], "need_index": [0.7], "nearest_min": [41.0],
    ...     "covered_share": [0.0]})
    >>> for reason in gap_reasons(zones).iloc[0].split(" ; "):
    ...     print(reason)
    beaucoup de jeunes (480), ~23 invisibles estimés
    taux de NEET estimé au-dessus du taux de référence
    presque personne atteint
    loin de tout lieu d'accueil (41 min)
    """
    threshold = params.threshold_min
    rows = frame.to_dict("records")
    return pd.Series([" ; ".join(_reasons(row, threshold, params.neet_rate)) for row in rows],
                     index=frame.index, dtype="object")


def _reasons(row: dict, threshold: float, neet_rate: float) -> Iterator[str]:
    def value(key: str) -> float:
        got = row.get(key)
        return float("nan") if got is None or pd.isna(got) else float(got)

    if value("need_index") >= 0.5:
        yield (f"beaucoup de jeunes ({value('youth'):.0f}), ~{value('invisible_est'):.0f} "
               "invisibles estimés")
    if value("neet_rate") > neet_rate + 1e-12:
        yield "taux de NEET estimé au-dessus du taux de référence"
    if value("reach_deficit") >= 0.9:
        yield "presque personne atteint"
    elif value("reach_deficit") >= 0.5:
        yield "peu de jeunes atteints"
    if value("nearest_min") > threshold:
        yield f"loin de tout lieu d'accueil ({value('nearest_min'):.0f} min)"
    elif value("covered_share") < 0.5:
        yield f"moins de la moitié des jeunes à moins de {threshold:g} min"


def component_words(row: Mapping[str, Any], *,
                    params: Parameters = DEFAULTS) -> tuple[str, str, str]:
    """Say each component of a zone's score in young people, in French (need, access, reach).

    A masked figure (NA) is said to be masked.

    Examples
    --------
    >>> row = {"youth": 480.0, "neet_est": 62.0, "reached": 9.0, "covered_share": 0.25,
    ...        "nearest_min": 41.0}
    >>> for words in component_words(row, params=Parameters(mode="walk")):
    ...     print(words)
    ~15 jeunes invisibles pas encore rencontrés, sur ~23 estimés
    75 % des jeunes à plus de 30 min à pied ; lieu le plus proche à 41 min
    9 jeunes atteints : ~32 % des invisibles estimés rencontrés
    """
    def value(key: str) -> float:
        got = row.get(key)
        return float("nan") if got is None or pd.isna(got) else float(got)

    pool = value("neet_est") * params.invisible_share
    reached = value("reached")
    if np.isnan(reached):
        need = f"~{pool:.0f} jeunes invisibles estimés (atteints : masqué)"
        reach = "jeunes atteints : masqué (secret statistique)"
    else:
        unmet = float(np.exp(-reached / pool)) if pool > 0 else 0.0
        need = (f"~{pool * unmet:.0f} jeunes invisibles pas encore rencontrés, sur "
                f"~{pool:.0f} estimés")
        people = "jeune atteint" if round(reached) == 1 else "jeunes atteints"
        reach = (f"{reached:.0f} {people} : ~{100 * (1 - unmet):.0f} % des invisibles "
                 "estimés rencontrés")
    far = 1 - value("covered_share")
    words = params.travel_mode.words
    access = (f"{100 * far:.0f} % des jeunes à plus de {params.threshold_min:g} min {words}"
              if not np.isnan(far) else "accès : sans jeunes")
    nearest = value("nearest_min")
    access += (f" ; lieu le plus proche à {nearest:.0f} min" if not np.isnan(nearest)
               else " ; aucun lieu")
    return need, access, reach


@dataclass(frozen=True, eq=False)
class Classes:
    """Map classes: upper ``bins``, French ``labels`` and each zone's class (-1: no value)."""

    bins: tuple[float, ...]
    labels: tuple[str, ...]
    classes: pd.Series
    scheme: str


@contextmanager
def _seeded() -> Iterator[None]:
    """Make mapclassify's k-means (NaturalBreaks) reproducible without leaking the seed."""
    state = np.random.get_state()
    np.random.seed(_SEED)
    try:
        yield
    finally:
        np.random.set_state(state)


def _fmt(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def score_classes(indicators: pd.DataFrame, column: str = "gap_score", *, k: int = 5,
                  scheme: str = "NaturalBreaks") -> Classes:
    """Return class breaks of ``column`` for a choropleth map (mapclassify).

    ``NaturalBreaks`` (Jenks, k-means in one dimension) is seeded so that the same data give
    the same map every run.

    Examples
    --------
    >>> zones = pd.DataFrame({"gap_score": [10.0, 12.0, 50.0, 55.0, 90.0, None]})
    >>> found = score_classes(zones, k=3, scheme="Quantiles")
    >>> found.labels
    ('10,0 – 24,7', '24,7 – 53,3', '53,3 – 90,0')
    >>> found.classes.tolist()
    [0, 0, 1, 2, 2, -1]
    """
    if scheme not in SCHEMES:
        raise InputError(f"scheme is {scheme!r}; expected one of {list(SCHEMES)}")
    values = pd.to_numeric(indicators[column]).astype("float64")
    known = values.dropna()
    if known.empty:
        return Classes((), (), pd.Series(-1, index=values.index), scheme)
    k = max(1, min(k, known.nunique()))
    with _seeded():
        # mapclassify pulls in scikit-learn (seconds): imported only when classes are asked.
        import mapclassify  # noqa: PLC0415

        found = getattr(mapclassify, scheme)(known.to_numpy(), k=k)
    bins = tuple(float(b) for b in found.bins)
    lows = (float(known.min()), *bins[:-1])
    labels = tuple(f"{_fmt(lo)} – {_fmt(hi)}" for lo, hi in zip(lows, bins, strict=True))
    classes = pd.Series(-1, index=values.index, dtype="int64")
    classes[known.index] = np.asarray(found.yb, dtype=np.int64)
    return Classes(bins, labels, classes, scheme)
