"""Contacts: young people reached, their funnel and their series over time.

A young person is one pseudonymous ``contact_id``. In a period, each is counted once: in the
commune (``code_insee``, residence) and the ML (``ml_code``) of their latest contact of the
period, at the furthest stage they reached (``repere`` < ``mobilise`` < ``accompagne``; a
missing stage counts as ``repere``: a contact means the young person was found). Counting each
person once keeps totals additive: the communes' counts sum to the region's.

The funnel counts, per zone, the young people whose furthest stage is at least each level, and
the conversion rates between levels (``mobilise_rate`` = mobilisés / repérés,
``accompagne_rate`` = accompagnés / mobilisés).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from territory._errors import InputError, Problem
from territory.analysis._checks import Period, PeriodLike, as_period, check_frame
from territory.analysis.period import in_period

__all__ = ["FUNNEL", "contact_series", "counts_of_period", "funnel", "funnel_rates",
           "period_key", "reached", "stage_counts", "young_people"]

STAGES = ("repere", "mobilise", "accompagne")
FUNNEL: dict[str, str] = {"repere": "repérés", "mobilise": "mobilisés",
                          "accompagne": "accompagnés"}
_LEVEL = {stage: level for level, stage in enumerate(STAGES, start=1)}
_FREQ = {"month": "M", "quarter": "Q"}
_MAX_LISTED = 10


def _stage_levels(stage: pd.Series) -> np.ndarray:
    level = stage.map(_LEVEL)
    bad = stage.notna() & level.isna()
    if bad.any():
        problems = [Problem(f"stage {value!r} is unknown; expected one of {list(STAGES)}",
                            file="contacts", row=int(i) if isinstance(i, int | np.integer)
                            else None, column="stage")
                    for i, value in stage[bad].head(_MAX_LISTED).items()]
        raise InputError(problems)
    return level.fillna(1).to_numpy(dtype=np.int8)


def young_people(contacts: pd.DataFrame, *, period: PeriodLike = None) -> pd.DataFrame:
    """Return one row per young person contacted in ``period``.

    Parameters
    ----------
    contacts
        The contacts layer: ``contact_id``, ``date``, ``code_insee``, ``ml_code``, ``stage``.
    period
        ``(start, end)``, both included; None for the whole record.

    Returns
    -------
    people
        Indexed by ``contact_id``: ``code_insee`` and ``ml_code`` of the latest contact,
        ``stage_level`` (1 repéré, 2 mobilisé, 3 accompagné), ``first_date``, ``last_date``.

    Examples
    --------
    >>> contacts = pd.DataFrame({"contact_id": ["j1", "j1"], "ml_code": ["ML1", "ML1"],
    ...     "date": pd.to_datetime(["2020-01-05", "2020-03-01"]),
    ...     "code_insee": ["33063", "33069"], "stage": ["mobilise", "repere"]})
    >>> young_people(contacts)[["code_insee", "stage_level"]]  # doctest: +NORMALIZE_WHITESPACE
               code_insee  stage_level
    contact_id
    j1              33069            2
    """
    check_frame(contacts, "contacts", ["contact_id", "date", "code_insee"], spatial=False)
    rows = in_period(contacts, period)
    frame = pd.DataFrame({
        "contact_id": rows["contact_id"].to_numpy(),
        "date": pd.to_datetime(rows["date"]).to_numpy(),
        "code_insee": rows["code_insee"].to_numpy(dtype=object),
        "ml_code": rows["ml_code"].to_numpy(dtype=object) if "ml_code" in rows else None,
        "stage_level": _stage_levels(rows["stage"]) if "stage" in rows else 1,
    }).sort_values("date", kind="stable")
    groups = frame.groupby("contact_id", sort=True)
    return pd.DataFrame({
        "code_insee": groups["code_insee"].last(),
        "ml_code": groups["ml_code"].last(),
        "stage_level": groups["stage_level"].max().astype("int8"),
        "first_date": groups["date"].min(),
        "last_date": groups["date"].max(),
    })


def reached(contacts: pd.DataFrame, *, by: str = "code_insee",
            period: PeriodLike = None) -> pd.Series:
    """Return the number of distinct young people contacted per ``by`` value.

    Examples
    --------
    >>> contacts = pd.DataFrame({"contact_id": ["j1", "j1", "j2"],
    ...     "date": pd.to_datetime(["2020-01-05", "2020-02-01", "2021-01-01"]),
    ...     "code_insee": ["33063", "33063", "33063"], "ml_code": "ML1"})
    >>> reached(contacts).to_dict(), reached(contacts, period=("2020", "2020")).to_dict()
    ({'33063': 2}, {'33063': 1})
    """
    people = young_people(contacts, period=period)
    return people.groupby(by).size().rename("reached").astype("int64")


def funnel_rates(counts: pd.DataFrame) -> pd.DataFrame:
    """Return conversion rates from funnel counts (NaN where the lower level is 0).

    Examples
    --------
    >>> funnel_rates(pd.DataFrame({"repere": [10.0], "mobilise": [5.0], "accompagne": [1.0]}))
       mobilise_rate  accompagne_rate
    0            0.5              0.2
    """
    def ratio(top: str, bottom: str) -> pd.Series:
        den = counts[bottom].astype("float64")
        return (counts[top].astype("float64") / den).where(den > 0)

    return pd.DataFrame({"mobilise_rate": ratio("mobilise", "repere"),
                         "accompagne_rate": ratio("accompagne", "mobilise")},
                        index=counts.index)


def funnel(contacts: pd.DataFrame, *, by: str = "code_insee",
           period: PeriodLike = None) -> pd.DataFrame:
    """Return the funnel repérés → mobilisés → accompagnés per ``by`` value.

    Parameters
    ----------
    contacts
        The contacts layer.
    by
        ``"code_insee"`` (residence) or ``"ml_code"`` (the ML of the latest contact).
    period
        ``(start, end)``, both included; None for the whole record.

    Returns
    -------
    funnel
        ``repere``, ``mobilise``, ``accompagne`` (young people whose furthest stage is at
        least that level), ``mobilise_rate`` and ``accompagne_rate``, indexed by ``by``.

    Examples
    --------
    >>> contacts = pd.DataFrame({"contact_id": ["j1", "j2", "j3", "j4"], "ml_code": "ML1",
    ...     "date": pd.to_datetime(["2020-01-05"] * 4), "code_insee": "33063",
    ...     "stage": ["repere", "mobilise", "accompagne", "mobilise"]})
    >>> funnel(contacts, by="ml_code")  # doctest: +NORMALIZE_WHITESPACE
             repere  mobilise  accompagne  mobilise_rate  accompagne_rate
    ml_code
    ML1           4         3           1           0.75         0.333333
    """
    table = stage_counts(young_people(contacts, period=period), by=by)
    return pd.concat([table, funnel_rates(table)], axis=1)


def stage_counts(people: pd.DataFrame, *, by: str = "code_insee") -> pd.DataFrame:
    """Return ``repere``, ``mobilise``, ``accompagne`` counts per ``by`` from young people.

    ``people`` is the output of :func:`young_people`; ``repere`` counts everyone.

    Examples
    --------
    >>> people = pd.DataFrame({"code_insee": ["a", "a", "b"], "stage_level": [1, 3, 2]})
    >>> stage_counts(people)  # doctest: +NORMALIZE_WHITESPACE
                repere  mobilise  accompagne
    code_insee
    a                2         1           1
    b                1         1           0
    """
    level = people["stage_level"].to_numpy()
    counts = pd.DataFrame({stage: (level >= n).astype("int64") for stage, n in _LEVEL.items()},
                          index=people.index)
    counts[by] = people[by].to_numpy()
    return counts.groupby(by).sum()


def contact_series(contacts: pd.DataFrame, *, freq: str | None = "month",
                   by: str | None = None, period: PeriodLike = None) -> pd.DataFrame:
    """Return contacts over time: per month, per quarter or for the whole period.

    Months (or quarters) without any contact appear with zeros, so a gap such as the spring
    2020 lockdown shows.

    Parameters
    ----------
    contacts
        The contacts layer.
    freq
        ``"month"``, ``"quarter"`` or None (the whole period in one row).
    by
        Optional column to split by, e.g. ``"ml_code"`` or ``"code_insee"``.
    period
        ``(start, end)``, both included; None for the whole record.

    Returns
    -------
    series
        ``period`` (a pandas Period, or ``"ensemble"``), ``by`` when given, ``contacts``
        (rows), ``reached`` (distinct young people that month) and ``first_contacts`` (young
        people met for the first time of the period).

    Examples
    --------
    >>> contacts = pd.DataFrame({"contact_id": ["j1", "j1", "j2"],
    ...     "date": pd.to_datetime(["2020-01-05", "2020-03-01", "2020-03-02"]),
    ...     "code_insee": "33063", "ml_code": "ML1"})
    >>> contact_series(contacts)[["period", "reached", "first_contacts"]]
        period  reached  first_contacts
    0  2020-01        1               1
    1  2020-02        0               0
    2  2020-03        2               1
    """
    check_frame(contacts, "contacts", ["contact_id", "date"], spatial=False)
    if freq is not None and freq not in _FREQ:
        raise InputError(f"freq is {freq!r}; expected 'month', 'quarter' or None")
    span = as_period(period)
    rows = contacts.loc[span.contains(contacts["date"])].copy()
    dates = pd.to_datetime(rows["date"])
    rows["period"] = dates.dt.to_period(_FREQ[freq]) if freq else "ensemble"
    first = rows.assign(_d=dates).sort_values("_d").drop_duplicates("contact_id")
    keys = [by, "period"] if by else ["period"]
    table = pd.DataFrame({
        "contacts": rows.groupby(keys).size(),
        "reached": rows.groupby(keys)["contact_id"].nunique(),
        "first_contacts": first.groupby(keys).size(),
    }).fillna(0).astype("int64")
    if freq and len(table):
        table = _fill_gaps(table, by, rows["period"], span)
    return table.reset_index()


def _fill_gaps(table: pd.DataFrame, by: str | None, periods: pd.Series,
               span: Period) -> pd.DataFrame:
    """Every month (quarter) of the period, or of the data where the period is open."""
    freq = periods.iloc[0].freq
    first = span.start.to_period(freq) if span.start is not None else periods.min()
    last = ((span.stop - pd.Timedelta(1, "ns")).to_period(freq) if span.stop is not None
            else periods.max())
    full = pd.period_range(first, last, freq=freq)
    index: pd.Index
    if by is None:
        index = pd.Index(full, name="period")
    else:
        groups = table.index.get_level_values(by).unique()
        index = pd.MultiIndex.from_product([groups, full], names=[by, "period"])
    return table.reindex(index, fill_value=0)


def period_key(period: PeriodLike | Period) -> str:
    """Return the period as stored with contact counts: ``first:last`` days, ``""`` for all.

    Examples
    --------
    >>> period_key(("2020-01", "2020-12")), period_key(None), period_key((None, "2021"))
    ('2020-01-01:2020-12-31', '', ':2021-12-31')
    """
    span = as_period(period)
    first = f"{span.start:%Y-%m-%d}" if span.start is not None else ""
    last = f"{span.stop - pd.Timedelta(days=1):%Y-%m-%d}" if span.stop is not None else ""
    return f"{first}:{last}" if first or last else ""


def counts_of_period(counts: pd.DataFrame, period: PeriodLike) -> pd.DataFrame:
    """Return the stored funnel counts of ``period``, indexed by ``code_insee``.

    A workspace whose contacts were counted elsewhere (``territory import contacts`` of
    Parquet files, on Dask) keeps, instead of the contacts, the young people reached per
    commune for the periods counted (layer ``contact_counts``: ``code_insee``, ``period``
    from :func:`period_key`, ``repere``, ``mobilise``, ``accompagne``). Distinct young people
    cannot be added up across periods, so only a period that was counted can be asked for.

    Raises
    ------
    InputError
        When ``period`` is not among the periods counted; the message lists them.

    Examples
    --------
    >>> stored = pd.DataFrame({"code_insee": ["33063"], "period": [""], "repere": [5],
    ...                        "mobilise": [2], "accompagne": [1]})
    >>> counts_of_period(stored, None).loc["33063", "mobilise"]
    np.int64(2)
    """
    check_frame(counts, "contact_counts", ["code_insee", "period", *STAGES], spatial=False)
    key = period_key(period)
    stored = counts["period"].fillna("").astype(str)
    if not (stored == key).any():
        known = sorted(set(stored))
        listed = ", ".join(repr(k) if k else "the whole record" for k in known)
        raise InputError(f"contact_counts: the young people were counted for the periods "
                         f"{listed}, not for {key or 'the whole record'!r}; choose one of "
                         "them, or count this one: territory import contacts FILE.parquet "
                         f"--period {key or 'A:B'}")
    rows = counts[(stored == key).to_numpy()]
    table = rows.groupby(rows["code_insee"].astype(str))[list(STAGES)].sum()
    return table.astype("int64").rename_axis("code_insee")
