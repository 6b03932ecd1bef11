"""Cells of public tables as French text: masked counts stay masked.

A count derived from contacts is never printed from its value alone: the ``<column>_secret``
beside it wins ("< 11" or "s"), exactly as :func:`territory.analysis.as_text` does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from territory.viz.labels import format_number

SECRET_NOTE = ("« < 11 » : effectif de 1 à 10, masqué (secret statistique) ; « s » : masqué "
               "pour qu'aucun petit effectif ne se déduise par différence.")
DASH = "–"
Row = Mapping[Any, Any]


def _value(row: Row, column: str) -> float | None:
    value = row.get(column)
    return None if value is None or pd.isna(value) else float(value)


def secret(row: Row, column: str) -> str | None:
    """Return the mask of a cell ("< 11", "s") or None when it may be shown."""
    flag = row.get(f"{column}_secret")
    return None if flag is None or pd.isna(flag) else str(flag)


def count(row: Row, column: str) -> str:
    """Return a count rounded to a whole number, or its mask.

    Examples
    --------
    >>> count({"reached": 370.7}, "reached"), count({"reached": None,
    ...     "reached_secret": "< 11"}, "reached")
    ('371', '< 11')
    """
    flag = secret(row, column)
    if flag is not None:
        return flag
    value = _value(row, column)
    return DASH if value is None else format_number(round(value))


def share(row: Row, column: str, *, decimals: int = 1) -> str:
    """Return a share (0–1) as a French percentage, or its mask.

    Examples
    --------
    >>> share({"covered_share": 0.8734}, "covered_share")
    '87,3 %'
    """
    flag = secret(row, column)
    if flag is not None:
        return flag
    value = _value(row, column)
    return DASH if value is None else f"{format_number(100 * value, decimals=decimals)} %"


def number(row: Row, column: str, *, decimals: int = 1) -> str:
    """Return a number with ``decimals`` decimals, or its mask.

    Examples
    --------
    >>> number({"gap_score": 54.4292}, "gap_score")
    '54,4'
    """
    flag = secret(row, column)
    if flag is not None:
        return flag
    value = _value(row, column)
    return DASH if value is None else format_number(value, decimals=decimals)


def minutes(row: Row, column: str) -> str:
    """Return travel minutes, ``"< 1 min"`` below one minute.

    Examples
    --------
    >>> minutes({"site_min": 0.4}, "site_min"), minutes({"site_min": 41.2}, "site_min")
    ('< 1 min', '41 min')
    """
    value = _value(row, column)
    if value is None:
        return DASH
    return "< 1 min" if value < 1 else f"{format_number(round(value))} min"


def thousands(text: str) -> str:
    r"""Write the numbers of 4 digits or more in a sentence with French thousands spaces.

    Examples
    --------
    >>> thousands("beaucoup de jeunes (26970)")
    'beaucoup de jeunes (26\u202f970)'
    """
    return re.sub(r"\d{4,}", lambda m: format_number(int(m.group())), text)
