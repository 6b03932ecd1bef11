"""Checks shared by the analysis modules: CRS, key columns, periods.

Every check collects its problems and raises one :class:`~territory._errors.InputError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from territory._errors import InputError, Problem

CRS = "EPSG:2154"

PeriodLike = tuple[Any, Any] | None


def crs_problem(frame: pd.DataFrame, name: str) -> Problem | None:
    """Return the problem with ``frame``'s CRS, or None when it is Lambert-93."""
    if not isinstance(frame, gpd.GeoDataFrame):
        return Problem(f"received a {type(frame).__name__} without geometry; expected a "
                       f"GeoDataFrame in {CRS} (Lambert-93)", file=name)
    if frame.crs is None:
        return Problem(f"has no CRS; expected {CRS} (Lambert-93): if the coordinates are "
                       f"Lambert-93 metres, call .set_crs({CRS!r})", file=name)
    if not frame.crs.equals(CRS):
        return Problem(f"is in {frame.crs.to_string()}, expected {CRS} (Lambert-93); "
                       f"reproject it first with .to_crs({CRS!r})", file=name)
    return None


def column_problems(frame: pd.DataFrame, name: str, columns: Iterable[str]) -> list[Problem]:
    """Return one problem per column of ``columns`` that ``frame`` lacks."""
    return [Problem(f"missing column; the layer has {list(frame.columns)}", file=name,
                    column=col) for col in columns if col not in frame.columns]


def check_layers(layers: Mapping[str, pd.DataFrame],
                 spec: Mapping[str, tuple[bool, tuple[str, ...]]]) -> None:
    """Check each named layer: ``spec`` maps name to (has geometry, key columns).

    Layers absent from ``layers`` are skipped; the caller decides which are required.
    """
    problems: list[Problem] = []
    for name, (spatial, columns) in spec.items():
        if name not in layers:
            continue
        frame = layers[name]
        if spatial and (problem := crs_problem(frame, name)) is not None:
            problems.append(problem)
        problems += column_problems(frame, name, columns)
    if problems:
        raise InputError(problems)


def check_frame(frame: pd.DataFrame, name: str, columns: Iterable[str], *,
                spatial: bool) -> None:
    """Check one frame's CRS (when ``spatial``) and key columns."""
    check_layers({name: frame}, {name: (spatial, tuple(columns))})


@dataclass(frozen=True)
class Period:
    """A closed period of dates: ``start`` included, ``stop`` excluded (None: open)."""

    start: pd.Timestamp | None = None
    stop: pd.Timestamp | None = None

    def contains(self, dates: pd.Series) -> np.ndarray:
        """Return a boolean mask of ``dates`` inside the period (missing dates are out)."""
        values = pd.to_datetime(dates)
        mask = values.notna().to_numpy(dtype=bool, copy=True)
        if self.start is not None:
            mask = mask & (values >= self.start).to_numpy(dtype=bool, na_value=False)
        if self.stop is not None:
            mask = mask & (values < self.stop).to_numpy(dtype=bool, na_value=False)
        return mask

    def months(self, dates: pd.Series) -> float:
        """Length of the period in months, bounded by ``dates`` where it is open (≥ 1)."""
        values = pd.to_datetime(dates).dropna()
        start = self.start if self.start is not None else (
            values.min() if len(values) else None)
        stop = self.stop if self.stop is not None else (
            values.max() + pd.Timedelta(days=1) if len(values) else None)
        if start is None or stop is None:
            return 1.0
        calendar = (stop.year - start.year) * 12 + stop.month - start.month
        return max(1.0, calendar + (stop.day - start.day) / (365.25 / 12))


def as_period(period: PeriodLike | Period) -> Period:
    """Read ``(start, end)``, both included; a string bound covers its whole year/month/day.

    ``("2020", "2020-06")`` runs from 1 January 2020 to 30 June 2020 inclusive.
    """
    if period is None:
        return Period()
    if isinstance(period, Period):
        return period
    if not isinstance(period, tuple | list) or len(period) != 2:
        raise InputError(f"period is {period!r}; expected (start, end), e.g. "
                         "('2020-01', '2021-12') — either bound may be None")
    start, end = period
    begin = _bound(start, end=False)
    stop = _bound(end, end=True)
    if begin is not None and stop is not None and stop <= begin:
        raise InputError(f"period {period!r} ends before it starts; expected (start, end)")
    return Period(begin, stop)


def _bound(value: Any, *, end: bool) -> pd.Timestamp | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    try:
        if isinstance(value, str):
            span = pd.Period(value)
            return span.end_time.ceil("D") if end else span.start_time
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise InputError(f"period bound {value!r} is not a date; expected e.g. "
                         "'2020-03-17', '2020-03' or '2020'") from None
    return stamp.normalize() + pd.Timedelta(days=1) if end else stamp
