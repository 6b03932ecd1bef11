"""What a period means, in one place: its bounds, its text, and what it counts.

A period runs from its first day (included) to its stop (excluded); either bound may be
open. Every command, view, export and report reads a period with :func:`as_period` or
:func:`parse_period`, selects with the rules below and names it with :func:`period_label`:

- **Default period**: the whole record, ``Period()`` (no ``--period``, or the dashboards'
  full range of months). Its text is read from the dates of the actions and contacts.
- **Actions, outreach places and contacts**: those dated inside the period
  (:func:`in_period`); an undated row is in the whole record only.
- **Sites**: those in service on the period's last day (:func:`sites_in_service`): opened
  before the stop (or with no opening date) and not closed before the last day. With an open
  end, the sites that are not closed. The figures of a period describe the network as it
  stands at its end, which is also the network a plan for the next actions starts from.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from territory._errors import InputError
from territory._french import month_year

__all__ = [
    "Period",
    "PeriodLike",
    "as_period",
    "in_period",
    "parse_period",
    "period_label",
    "period_text",
    "public_period_error",
    "public_periods",
    "sites_in_service",
    "sites_rule",
]

WHOLE_RECORD = "toute la période des données"


@dataclass(frozen=True)
class Period:
    """A period of dates: ``start`` included, ``stop`` excluded (None: open).

    Examples
    --------
    >>> span = as_period(("2020-03", "2020-04"))
    >>> span.start, span.last_day
    (Timestamp('2020-03-01 00:00:00'), Timestamp('2020-04-30 00:00:00'))
    """

    start: pd.Timestamp | None = None
    stop: pd.Timestamp | None = None

    def __bool__(self) -> bool:
        # A period is "set" when it restricts something: the whole record reads like None.
        return not self.is_whole_record

    @property
    def is_whole_record(self) -> bool:
        """Whether the period is the default one: no bound at all."""
        return self.start is None and self.stop is None

    @property
    def last_day(self) -> pd.Timestamp | None:
        """The last day in the period (None when the end is open)."""
        return None if self.stop is None else self.stop - pd.Timedelta(days=1)

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


# What the functions accept as a period: a Period, ``(start, end)`` (either may be None), or
# None for the whole record.
PeriodLike = tuple[Any, Any] | Period | None


def as_period(period: PeriodLike) -> Period:
    """Read ``(start, end)``, both included; a string bound covers its whole year/month/day.

    ``("2020", "2020-06")`` runs from 1 January 2020 to 30 June 2020 inclusive.

    Examples
    --------
    >>> as_period(("2020", "2020-06")).stop
    Timestamp('2020-07-01 00:00:00')
    >>> as_period(None).is_whole_record
    True
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
    if value is None or (isinstance(value, str) and not value.strip()) or (
            not isinstance(value, str) and pd.isna(value)):
        return None
    try:
        if isinstance(value, str):
            span = pd.Period(value.strip())
            return span.end_time.ceil("D") if end else span.start_time
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise InputError(f"period bound {value!r} is not a date; expected e.g. "
                         "'2020-03-17', '2020-03' or '2020'") from None
    return stamp.normalize() + pd.Timedelta(days=1) if end else stamp


def parse_period(text: str | None, *, option: str = "--period") -> Period:
    """Read a period written ``START:END`` (either side may be empty; None: whole record).

    Examples
    --------
    >>> parse_period("2020-01:2021-11").last_day
    Timestamp('2021-11-30 00:00:00')
    >>> parse_period(":2021-06").start is None, parse_period(None).is_whole_record
    (True, True)
    """
    if text is None:
        return Period()
    start, colon, end = text.partition(":")
    if not colon:
        raise InputError(f"{option} {text!r}: expected START:END with dates such as "
                         "2020-01:2021-11 (either bound may be left empty)")
    try:
        return as_period((start or None, end or None))
    except InputError as error:
        raise InputError(f"{option} {text!r}: {error}") from None


def public_periods(dates: Iterable[pd.Series]) -> dict[str, tuple[str, str] | None]:
    """Return the periods a public output may show: the whole record and each calendar year.

    Counts of young people published for two periods, one inside the other, differ by those
    reached in the months between: a month of a commune's counts would be two tables' difference
    (13 − 11 = 2). Public outputs offer only these periods, which overlap little: a calendar
    year less the others is bounded, not given (young people reached in two years count in
    both), and :mod:`territory.analysis.disclosure` audits them read together.

    Returns
    -------
    periods
        By key (``""`` for the whole record, ``"2020"``): None for the whole record, else the
        year's ``(first month, last month)``, ``"YYYY-MM"``.

    Examples
    --------
    >>> public_periods([pd.Series(pd.to_datetime(["2019-11-02", "2021-03-01"]))])
    {'': None, '2019': ('2019-01', '2019-12'), '2020': ('2020-01', '2020-12'), \
'2021': ('2021-01', '2021-12')}
    """
    found = [pd.to_datetime(d, errors="coerce").dropna() for d in dates]
    found = [d for d in found if len(d)]
    periods: dict[str, tuple[str, str] | None] = {"": None}
    if not found:
        return periods
    first = min(int(d.min().year) for d in found)
    last = max(int(d.max().year) for d in found)
    for year in range(first, last + 1):
        periods[str(year)] = (f"{year}-01", f"{year}-12")
    return periods


# Levels whose public tables may show a calendar year: their counts are large, and a year
# less the whole record leaves large counts too. Smaller zones show the whole record only.
YEAR_LEVELS = ("catchment", "departement", "region")


def public_period_error(period: PeriodLike, dates: Iterable[pd.Series], *,
                        level: str = "commune", option: str = "--period") -> str | None:
    """Say why a period cannot be published at ``level`` (None when it can).

    Public outputs show the whole record; the tables of Missions Locales, départements and
    the region also each calendar year (:func:`public_periods`). Communes and EPCI show the
    whole record only: read beside the whole record's, a year's small counts of a commune
    were bounded to one value for a thousand of the demo's (``benchmarks/bench_disclosure.py``).

    Examples
    --------
    >>> dates = [pd.Series(pd.to_datetime(["2020-02-01", "2020-12-01"]))]
    >>> public_period_error(("2020-01", "2020-12"), dates, level="catchment") is None
    True
    >>> print(public_period_error(("2020-01", "2020-06"), dates, level="catchment"))
    ... # doctest: +ELLIPSIS
    --period 2020-01:2020-06: a public table of Missions Locales, départements or the ...
    >>> print(public_period_error(("2020-01", "2020-12"), dates))  # doctest: +ELLIPSIS
    --period 2020-01:2020-12: a public table of communes or EPCI shows the whole record ...
    """
    span = as_period(period)
    if span.is_whole_record:
        return None
    first, last = (span.start, span.last_day)
    shown = (f"{'' if first is None else f'{first:%Y-%m}'}:"
             f"{'' if last is None else f'{last:%Y-%m}'}")
    if level not in YEAR_LEVELS:
        return (f"{option} {shown}: a public table of communes or EPCI shows the whole record "
                "only (a year beside it would give small counts of communes by difference); "
                "leave --period out, or publish the year by Mission Locale or département")
    dates = list(dates)
    allowed = {k: v for k, v in public_periods(dates).items() if k and v is not None}
    for bounds in allowed.values():
        year = as_period(bounds)
        if span.start == year.start and span.last_day == year.last_day:
            return None
    years = ", ".join(allowed) or "aucune"
    return (f"{option} {shown}: a public table of Missions Locales, départements or the "
            f"region shows the whole record or one calendar year ({years}), so that two "
            "periods, one inside the other, never give a small count by difference; choose "
            "one of these")


def in_period(frame: pd.DataFrame, period: PeriodLike, *,
              column: str = "date") -> pd.DataFrame:
    """Return the rows of ``frame`` dated inside ``period`` (all rows for the whole record).

    Examples
    --------
    >>> rows = pd.DataFrame({"date": pd.to_datetime(["2020-01-05", "2021-02-01", None])})
    >>> len(in_period(rows, ("2020", "2020"))), len(in_period(rows, None))
    (1, 3)
    """
    span = as_period(period)
    if span.is_whole_record or column not in frame:
        return frame
    return frame[span.contains(frame[column])]


def sites_in_service(sites: pd.DataFrame, period: PeriodLike) -> np.ndarray:
    """Return a mask of the sites in service on the period's last day (open end: not closed).

    Examples
    --------
    >>> sites = pd.DataFrame({"opened": pd.to_datetime(["2018-01-01", "2020-06-01", None]),
    ...                       "closed": pd.to_datetime(["2021-08-31", None, None])})
    >>> sites_in_service(sites, None).tolist()
    [False, True, True]
    >>> sites_in_service(sites, ("2020-01", "2020-12")).tolist()
    [True, True, True]
    >>> sites_in_service(sites, ("2019-01", "2019-12")).tolist()
    [True, False, True]
    """
    span = as_period(period)
    closed = (pd.to_datetime(sites["closed"]) if "closed" in sites
              else pd.Series(pd.NaT, index=sites.index))
    keep = np.ones(len(sites), dtype=bool)
    last_day, stop = span.last_day, span.stop
    if last_day is None or stop is None:
        keep &= closed.isna().to_numpy()
    else:
        keep &= (closed.isna() | (closed >= last_day)).to_numpy()
        if "opened" in sites:
            opened = pd.to_datetime(sites["opened"])
            keep &= (opened.isna() | (opened < stop)).to_numpy()
    return keep


def period_text(period: PeriodLike, dates: Iterable[pd.Series] = ()) -> str:
    """Return the period in words; an open bound is read from ``dates`` (actions, contacts).

    Examples
    --------
    >>> period_text(("2020-01", "2021-06"))
    'janvier 2020 – juin 2021'
    >>> period_text(None, [pd.Series(pd.to_datetime(["2019-12-02", "2021-11-30"]))])
    'décembre 2019 – novembre 2021'
    >>> period_text(None)
    'toute la période des données'
    """
    span = as_period(period)
    known = [pd.to_datetime(d).dropna() for d in dates]
    values = pd.concat(known) if known else pd.Series(dtype="datetime64[ns]")
    start = span.start if span.start is not None else (values.min() if len(values) else None)
    last = span.last_day if span.stop is not None else (values.max() if len(values) else None)
    if start is None or last is None:
        return WHOLE_RECORD
    first, final = month_year(start), month_year(last)
    return first if first == final else f"{first} – {final}"


def period_label(period: PeriodLike, dates: Iterable[pd.Series] = ()) -> str:
    """Return the period and the rule of its sites, as every view and export prints it.

    Examples
    --------
    >>> period_label(("2020-01", "2021-06"))
    'janvier 2020 – juin 2021 (sites ouverts au 30/06/2021)'
    >>> period_label(None)
    'toute la période des données (sites ouverts à ce jour)'
    """
    return f"{period_text(period, dates)} (sites {sites_rule(period)})"


def sites_rule(period: PeriodLike) -> str:
    """Say which sites a period counts: ``"ouverts au 30/06/2021"`` or ``"ouverts à ce jour"``.

    Examples
    --------
    >>> sites_rule(("2020", "2020")), sites_rule(None)
    ('ouverts au 31/12/2020', 'ouverts à ce jour')
    """
    last_day = as_period(period).last_day
    return "ouverts à ce jour" if last_day is None else f"ouverts au {last_day:%d/%m/%Y}"
