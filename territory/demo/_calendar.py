"""The programme's calendar: its period, the lockdowns, the rhythm of outreach work."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = [
    "LOCKDOWNS",
    "PROGRAMME_END",
    "PROGRAMME_START",
    "activity_profile",
    "programme_days",
    "random_dates",
]

# IN Système ran from 1 December 2019 to the end of November 2021 (docs/methodology.md,
# "IN Système").
PROGRAMME_START = np.datetime64("2019-12-01", "D")
PROGRAMME_END = np.datetime64("2021-11-30", "D")
# The two national lockdowns of 2020, first and last day (décret n° 2020-260 of 16 March 2020,
# lifted on 11 May; décret n° 2020-1310 of 29 October 2020, lifted on 15 December), with the
# factor applied to face-to-face outreach and to online outreach. The factors are
# illustrative: almost nothing face to face in the first, about half in the second, when
# offices and schools stayed open; more online work in both.
LOCKDOWNS: tuple[tuple[str, str, float, float], ...] = (
    ("2020-03-17", "2020-05-10", 0.03, 3.0),
    ("2020-10-30", "2020-12-14", 0.45, 1.8),
)
# Outreach also happens in the evening and at weekends (docs/methodology.md, "IN Système"),
# less than on weekdays.
_WEEKDAY = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.35, 0.1])
# Less in July, much less in August and over the Christmas break.
_MONTH = {7: 0.8, 8: 0.45}
# A new programme takes about three months to reach its cruising rhythm.
_RAMP_DAYS = 90
_RAMP_FLOOR = 0.5


def programme_days() -> NDArray[np.datetime64]:
    """Return every day of the programme, first and last included.

    Examples
    --------
    >>> days = programme_days()
    >>> len(days), str(days[0]), str(days[-1])
    (731, '2019-12-01', '2021-11-30')
    """
    return np.arange(PROGRAMME_START, PROGRAMME_END + 1, dtype="datetime64[D]")


def activity_profile(days: NDArray[np.datetime64], *, online: bool) -> NDArray[np.float64]:
    """Return the relative amount of outreach on each day (1 = an ordinary weekday).

    Parameters
    ----------
    days
        Days (``datetime64[D]``).
    online
        Online outreach ("maraudes numériques") keeps the same rhythm every day of the week
        and grows during the lockdowns; face-to-face outreach nearly stops in the first.

    Returns
    -------
    numpy.ndarray
        One non-negative factor per day.
    """
    stamps = pd.DatetimeIndex(days)
    weekday = np.ones(len(days)) if online else _WEEKDAY[stamps.day_of_week]
    month = np.array([_MONTH.get(m, 1.0) for m in stamps.month])
    christmas = ((stamps.month == 12) & (stamps.day >= 24)) | ((stamps.month == 1)
                                                             & (stamps.day == 1))
    elapsed = (days - PROGRAMME_START).astype(np.int64)
    ramp = _RAMP_FLOOR + (1 - _RAMP_FLOOR) * np.clip(elapsed / _RAMP_DAYS, 0, 1)
    profile = weekday * month * np.where(christmas, 0.2, 1.0) * ramp
    for first, last, face_to_face, remote in LOCKDOWNS:
        inside = (days >= np.datetime64(first)) & (days <= np.datetime64(last))
        profile = np.where(inside, profile * (remote if online else face_to_face), profile)
    return np.asarray(profile, dtype=np.float64)


def random_dates(
    first: str, last: str, size: int, *, rng: np.random.Generator
) -> NDArray[np.datetime64]:
    """Return ``size`` days drawn uniformly between ``first`` and ``last`` (both included).

    Examples
    --------
    >>> dates = random_dates("2020-01-01", "2020-01-31", 100, rng=np.random.default_rng(1))
    >>> bool((dates >= np.datetime64("2020-01-01")).all()), str(dates.dtype)
    (True, 'datetime64[ms]')
    """
    start = np.datetime64(first, "D")
    span = int((np.datetime64(last, "D") - start).astype(np.int64)) + 1
    offsets = rng.integers(0, span, size=size)
    return (start + offsets.astype("timedelta64[D]")).astype("datetime64[ms]")
