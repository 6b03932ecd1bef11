r"""The invisible-zone score ("indice de zone invisible"): where the invisible are least reached.

For each zone, three components in [0, 1], kept as columns beside the score so that a tooltip
can say why a zone ranks high::

    need_index     = ln(1 + invisible_est) / ln(1 + max over zones of neet_est × s)
    access_deficit = ½ (1 − covered_share) + ½ min(1, nearest_min / (2 T))
    reach_deficit  = 1 − min(1, reached / neet_est)

    gap_score      = 100 × (w_n need_index + w_a access_deficit + w_r reach_deficit)
                         / (w_n + w_a + w_r)

- ``invisible_est`` = max(0, neet_est × s − reached) with ``s`` the invisible share (37 %,
  Dares Analyses 2020-006, 2018). The logarithm keeps a city's thousands from flattening every
  village; the denominator is the largest *potential* (before subtracting anyone reached), so
  the index depends on no contact count but the zone's own.
- ``T`` is the access threshold (30 min, France Services standard). ``nearest_min`` is the
  travel time to the nearest site or outreach place; a zone with neither is at 1. A zone
  without young people has no access deficit.
- ``reach_deficit`` is 0 where no NEET is estimated.
- Weights ``w_n, w_a, w_r`` = 0.4, 0.3, 0.3 (unconfirmed convention, overridable in
  :class:`~territory.analysis.params.Parameters`).

``gap_rank`` is 1 for the highest score (the least reached zone); ties go to the zone with more
estimated invisible young people. :func:`score_classes` gives map classes via mapclassify.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd

from territory._errors import InputError
from territory.analysis.params import DEFAULTS, Parameters

__all__ = ["COMPONENTS", "Classes", "gap_reasons", "gap_score", "score_classes"]

COMPONENTS = ("need_index", "access_deficit", "reach_deficit")
SCHEMES = ("NaturalBreaks", "Quantiles", "EqualInterval")
_SEED = 2019


def _components(frame: pd.DataFrame, params: Parameters) -> pd.DataFrame:
    youth = frame["youth"].astype("float64")
    neet = frame["neet_est"].astype("float64")
    potential = float((neet * params.invisible_share).max()) if len(frame) else 0.0
    need = np.log1p(frame["invisible_est"].astype("float64")) / np.log1p(potential or 1.0)
    far = (frame["nearest_min"] / (2 * params.threshold_min)).clip(upper=1).fillna(1.0)
    uncovered = (1 - frame["covered_share"]).fillna(far)
    access = (0.5 * uncovered + 0.5 * far).where(youth > 0, 0.0)
    ratio = (frame["reached"].astype("float64") / neet).clip(upper=1)
    reach = (1 - ratio).where(neet > 0, 0.0)
    return pd.DataFrame({"need_index": need.clip(0, 1), "access_deficit": access,
                         "reach_deficit": reach}, index=frame.index)


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
    0        0.75            0.04           0.77      54.43         2
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
