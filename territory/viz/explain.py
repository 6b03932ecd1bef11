"""What a commune's tooltip or popup says about it, in French, the same in every view.

The planner's explanation popup (:mod:`territory.dashboards`) and the standalone map's
tooltips write a commune's figures with these functions. A figure masked in a public table
(:func:`territory.analysis.suppress`) shows its mask, « < 11 » or « s », never its value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from territory.viz.classes import INDICATORS
from territory.viz.labels import format_number

__all__ = ["UNKNOWN", "commune_facts", "masked", "value_text"]

UNKNOWN = "n. d."
Row = Mapping[Any, Any]


def masked(row: Row, column: str) -> str | None:
    """Return the mask of a cell (« < 11 », « s ») or None when its value may be shown.

    Examples
    --------
    >>> masked({"reached": None, "reached_secret": "< 11"}, "reached")
    '< 11'
    >>> masked({"reached": 40.0}, "reached") is None
    True
    """
    flag = row.get(f"{column}_secret")
    return None if flag is None or pd.isna(flag) else str(flag)


def _number(row: Row, column: str, decimals: int) -> str:
    value = row.get(column)
    if value is None or pd.isna(value):
        return UNKNOWN
    return format_number(round(float(value), decimals), decimals=decimals)


def value_text(row: Row, column: str, *, decimals: int | None = None) -> str:
    """Return a figure as shown: French number, its mask, or ``"n. d."``.

    ``decimals`` defaults to the indicator's (:data:`~territory.viz.classes.INDICATORS`), else 0.

    Examples
    --------
    >>> value_text({"gap_score": 54.4292}, "gap_score")
    '54,4'
    >>> value_text({"gap_score": None, "gap_score_secret": "s"}, "gap_score")
    's'
    """
    flag = masked(row, column)
    if flag is not None:
        return flag
    spec = INDICATORS.get(column)
    places = decimals if decimals is not None else (spec.decimals if spec else 0)
    return _number(row, column, places)


def commune_facts(row: Row) -> str:
    """Return the line of a commune's figures under its score.

    Examples
    --------
    >>> print(commune_facts({"youth": 480.2, "invisible_est": 23.4, "reached": 12.0,
    ...                      "nearest_min": 41.3}))
    480 jeunes (16–25 ans) · ~23 invisibles estimés · 12 jeunes atteints sur la période · lieu le plus proche à 41 min
    >>> print(commune_facts({"youth": 480.2, "invisible_est": None, "invisible_est_secret": "s",
    ...     "reached": None, "reached_secret": "< 11", "nearest_min": 0.4}))
    480 jeunes (16–25 ans) · invisibles estimés : s · < 11 jeunes atteints sur la période · lieu le plus proche à 0 min
    >>> print(commune_facts({"youth": 90, "invisible_est": 4, "reached": 0,
    ...                      "nearest_min": 24.6, "nearest_min_high": 51.2}))
    90 jeunes (16–25 ans) · ~4 invisibles estimés · 0 jeunes atteints sur la période · lieu le plus proche à 25 min (1 départ sur 10 : 51 min ou plus)
    """  # noqa: E501
    invisible = masked(row, "invisible_est")
    reached = masked(row, "reached")
    facts = [f"{_number(row, 'youth', 0)} jeunes (16–25 ans)",
             f"invisibles estimés : {invisible}" if invisible
             else f"~{_number(row, 'invisible_est', 0)} invisibles estimés",
             f"jeunes atteints sur la période : {reached}" if reached == "s"
             else f"{reached or _number(row, 'reached', 0)} jeunes atteints sur la période",
             f"lieu le plus proche à {_number(row, 'nearest_min', 0)} min{_spread(row)}"]
    return " · ".join(facts)


def _spread(row: Row) -> str:
    """With timetables: the slow tail the median hides, when there is one.

    ``nearest_min_high`` is the smallest of the places' 90th percentiles: for every place,
    at least one departure in ten takes that long or longer (at the stored cutoff, longer
    than it), whichever place is chosen.
    """
    high, median = row.get("nearest_min_high"), row.get("nearest_min")
    if high is None or median is None or pd.isna(high) or pd.isna(median) or \
            round(float(high)) <= round(float(median)):
        return ""
    return f" (1 départ sur 10 : {_number(row, 'nearest_min_high', 0)} min ou plus)"
