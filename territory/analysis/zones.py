"""Zones: from communes to EPCI, départements, ML catchments and H3 hexagons.

Every level is a :class:`Crosswalk` from communes to zones, each link with a weight:

- ``epci``, ``departement``: by code, weight 1;
- ``catchment``: by ``catchment_members``, weight = ``share`` (a commune shared by two MLs
  counts share × its figures in each);
- ``h3:6`` … ``h3:8``: by area, weight = the part of the commune's area in the hexagon (see
  :mod:`territory.analysis.hexagons`).

:func:`aggregate` then sums counts (youth, NEET and invisible estimates, young people reached,
funnel counts, covered youth) with the weights, recomputes rates from the sums
(``neet_rate``, ``contacts_per_1000``, ``covered_share`` = covered youth / youth, conversion
rates) and averages times and E2SFCA weighted by youth. When every commune's weights sum to 1,
totals are the same at every level as over the communes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from territory._errors import InputError, Problem
from territory.analysis._checks import check_frame
from territory.analysis.contacts import funnel_rates

__all__ = ["LEVELS", "Crosswalk", "aggregate", "by_code", "by_members", "ml_shares",
           "parse_level", "rates"]

LEVELS: tuple[str, ...] = ("commune", "epci", "catchment", "departement",
                           "h3:6", "h3:7", "h3:8")
H3_RESOLUTIONS = range(6, 9)

SUM_COLUMNS = ("youth", "neet_est", "invisible_est", "reached", "repere", "mobilise",
               "accompagne", "covered_youth")
MEAN_COLUMNS = ("site_min", "action_min", "nearest_min", "nearest_min_high", "e2sfca")
SOURCE_COLUMNS = ("youth_source", "neet_source", "invisible_source")
_SHARE_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Crosswalk:
    """Links from communes (positions ``row``) to zones (positions ``zone`` in ``zones``).

    ``apportionment`` says, in French, how a commune's figures are shared between zones.
    """

    row: NDArray[np.intp]
    zone: NDArray[np.intp]
    weight: NDArray[np.float64]
    zones: pd.Index
    apportionment: str

    def totals(self, n_rows: int) -> NDArray[np.float64]:
        """Sum of the weights of each commune (1 where it is fully counted)."""
        return np.bincount(self.row, weights=self.weight, minlength=n_rows).astype(np.float64)


def parse_level(level: str) -> tuple[str, int | None]:
    """Return the level's kind and H3 resolution.

    Examples
    --------
    >>> parse_level("h3:7"), parse_level("epci")
    (('h3', 7), ('epci', None))
    """
    match = re.fullmatch(r"h3:(\d+)", level)
    if match and int(match.group(1)) in H3_RESOLUTIONS:
        return "h3", int(match.group(1))
    if level in LEVELS and not match:
        return level, None
    raise InputError(f"level is {level!r}; expected one of {list(LEVELS)}")


def by_code(communes: pd.DataFrame, column: str, *, label: str) -> Crosswalk:
    """Crosswalk of communes to the zones named by ``column`` (weight 1 each).

    Communes without a code go to the zone ``"hors {label}"``.

    Examples
    --------
    >>> walk = by_code(pd.DataFrame({"dep_code": ["33", "40", "33"]}), "dep_code",
    ...                label="département")
    >>> list(walk.zones), walk.zone.tolist()
    (['33', '40'], [0, 1, 0])
    """
    check_frame(communes, "communes", [column], spatial=False)
    codes = communes[column].astype("object").fillna(f"hors {label}")
    zone, zones = pd.factorize(codes, sort=True)
    return Crosswalk(np.arange(len(communes), dtype=np.intp), zone.astype(np.intp),
                     np.ones(len(communes)), pd.Index(zones, name="zone_id"),
                     f"chaque commune dans son {label}")


def by_members(communes: pd.DataFrame, members: pd.DataFrame) -> Crosswalk:
    """Crosswalk of communes to ML catchments, weighted by ``catchment_members.share``.

    A missing share is split evenly between the commune's MLs. Shares outside [0, 1], or
    summing to more than 1 for a commune, are an error (the commune would be counted more
    than once). Members naming a commune absent from ``communes`` are ignored.

    Examples
    --------
    >>> communes = pd.DataFrame({"code_insee": ["a", "b"]})
    >>> members = pd.DataFrame({"ml_code": ["M1", "M1", "M2"], "code_insee": ["a", "b", "b"],
    ...                         "share": [1.0, 0.5, 0.5]})
    >>> by_members(communes, members).weight.tolist()
    [1.0, 0.5, 0.5]
    """
    check_frame(communes, "communes", ["code_insee"], spatial=False)
    check_frame(members, "catchment_members", ["ml_code", "code_insee"], spatial=False)
    row = pd.Index(communes["code_insee"]).get_indexer(members["code_insee"])
    known = members.loc[row >= 0]
    row = row[row >= 0]
    share = _shares(known)
    zone, zones = pd.factorize(known["ml_code"].astype("object"), sort=True)
    return Crosswalk(row.astype(np.intp), zone.astype(np.intp), share,
                     pd.Index(zones, name="zone_id"),
                     "commune partagée comptée au prorata de sa part (catchment_members.share)")


def ml_shares(communes: pd.DataFrame, members: pd.DataFrame, ml_code: str) -> pd.Series:
    """Return each commune's share in one Mission Locale's territory (0 outside it).

    The one rule for "one ML", the same as the catchment level of the indicators: a commune
    shared by two MLs counts its ``share`` in each, a missing share being split evenly.

    Raises
    ------
    InputError
        If ``ml_code`` is not a Mission Locale of ``members``, listing those that are.

    Examples
    --------
    >>> communes = pd.DataFrame({"code_insee": ["a", "b", "c"]})
    >>> members = pd.DataFrame({"ml_code": ["M1", "M1", "M2"], "code_insee": ["a", "b", "b"]})
    >>> ml_shares(communes, members, "M1").tolist()
    [1.0, 0.5, 0.0]
    """
    known = sorted(members["ml_code"].astype(str).unique()) if "ml_code" in members else []
    if ml_code not in known:
        raise InputError(f"no Mission Locale {ml_code!r} in layer `catchment_members`; "
                         f"expected one of {known}")
    # A commune's share depends on its own memberships only: those of the ML's communes.
    codes = members["code_insee"]
    members = members[codes.isin(codes[members["ml_code"].astype(str) == ml_code])]
    walk = by_members(communes, members)
    mine = walk.zones.get_loc(ml_code)
    share = np.zeros(len(communes))
    np.add.at(share, walk.row[walk.zone == mine], walk.weight[walk.zone == mine])
    return pd.Series(share, index=communes.index, name="share")


def _shares(members: pd.DataFrame) -> NDArray[np.float64]:
    share = (pd.to_numeric(members["share"]) if "share" in members
             else pd.Series(np.nan, index=members.index)).astype("float64")
    count = members.groupby("code_insee")["ml_code"].transform("size")
    share = share.fillna(1.0 / count)
    problems = [Problem(f"share {value!r} is outside [0, 1]", file="catchment_members",
                        row=int(i) if isinstance(i, int | np.integer) else None,
                        column="share")
                for i, value in share[(share < 0) | (share > 1)].head(10).items()]
    total = share.groupby(members["code_insee"]).sum()
    problems += [Problem(f"commune {code} has shares summing to {value:.3f}; expected at "
                         "most 1 (a commune shared by two MLs splits its share between them)",
                         file="catchment_members", column="share")
                 for code, value in total[total > 1 + _SHARE_TOLERANCE].head(10).items()]
    if problems:
        raise InputError(problems)
    return np.asarray(share.to_numpy(dtype=np.float64), dtype=np.float64)


def _weighted_sum(values: NDArray[np.float64], walk: Crosswalk,
                  weights: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.bincount(walk.zone, weights=weights * values[walk.row],
                       minlength=len(walk.zones)).astype(np.float64)


def _youth_mean(values: NDArray[np.float64], youth: NDArray[np.float64],
                walk: Crosswalk) -> NDArray[np.float64]:
    """Youth-weighted mean per zone; zones without youth fall back to the link weights."""
    known = ~np.isnan(values)
    clean = np.where(known, values, 0.0)
    out = np.full(len(walk.zones), np.nan)
    for w in (walk.weight * youth[walk.row], walk.weight):
        num = _weighted_sum(clean, walk, w)
        den = _weighted_sum(known.astype(np.float64), walk, w)
        fill = np.isnan(out) & (den > 0)
        out[fill] = num[fill] / den[fill]
    # Subnormal weights lose the ratio's precision: a mean stays within its values' range.
    low = np.full(len(walk.zones), np.inf)
    high = np.full(len(walk.zones), -np.inf)
    rows = known[walk.row]
    np.minimum.at(low, walk.zone[rows], values[walk.row][rows])
    np.maximum.at(high, walk.zone[rows], values[walk.row][rows])
    inside = ~np.isnan(out)
    out[inside] = np.clip(out[inside], low[inside], high[inside])
    return out


def _join_sources(values: pd.Series, walk: Crosswalk) -> NDArray[np.object_]:
    """Each zone's distinct source texts, joined with " ; " (usually a single text)."""
    code, texts = pd.factorize(values.astype("object").to_numpy()[walk.row])
    keep = code >= 0
    pairs = np.unique(walk.zone[keep].astype(np.int64) * len(texts) + code[keep])
    zone, text = np.divmod(pairs, max(len(texts), 1))
    out = np.full(len(walk.zones), "", dtype=object)
    single = np.bincount(zone, minlength=len(walk.zones)) == 1
    out[zone[single[zone]]] = np.asarray(texts, dtype=object)[text[single[zone]]]
    for z in np.flatnonzero(~single & (np.bincount(zone, minlength=len(walk.zones)) > 1)):
        out[z] = " ; ".join(str(texts[t]) for t in text[zone == z])
    return out


def rates(frame: pd.DataFrame) -> pd.DataFrame:
    """Recompute the rates of a table of counts: NEET rate, contacts per 1,000, shares.

    Examples
    --------
    >>> rates(pd.DataFrame({"youth": [200.0], "neet_est": [25.8], "reached": [3.0],
    ...                     "covered_youth": [150.0]})).round(3)
       neet_rate  contacts_per_1000  covered_share
    0      0.129               15.0           0.75
    """
    youth = frame["youth"].astype("float64")
    has = youth > 0
    out = pd.DataFrame(index=frame.index)
    if "neet_est" in frame:
        out["neet_rate"] = (frame["neet_est"] / youth).where(has)
    if "reached" in frame:
        out["contacts_per_1000"] = (frame["reached"] / youth * 1000).where(has)
    if "covered_youth" in frame:
        out["covered_share"] = (frame["covered_youth"] / youth).where(has)
    if {"repere", "mobilise", "accompagne"} <= set(frame.columns):
        out = out.join(funnel_rates(frame))
    return out


def aggregate(communes: pd.DataFrame, walk: Crosswalk, *,
              sums: Sequence[str] = SUM_COLUMNS,
              means: Sequence[str] = MEAN_COLUMNS) -> pd.DataFrame:
    """Aggregate commune figures to zones: counts summed, rates recomputed, times averaged.

    Parameters
    ----------
    communes
        One row per commune (in the crosswalk's row order) with any of the ``sums``
        columns, the ``means`` columns and the ``*_source`` columns.
    walk
        The crosswalk to the zones (:func:`by_code`, :func:`by_members`, hexagons).
    sums, means
        Columns summed with the link weights, and columns averaged weighted by youth.

    Returns
    -------
    zones
        One row per zone, indexed by ``zone_id``, with an ``apportionment`` column.

    Examples
    --------
    >>> communes = pd.DataFrame({"dep_code": ["33", "33"], "youth": [100.0, 300.0],
    ...                          "site_min": [10.0, 30.0]})
    >>> walk = by_code(communes, "dep_code", label="département")
    >>> aggregate(communes, walk)[["youth", "site_min"]]  # doctest: +NORMALIZE_WHITESPACE
             youth  site_min
    zone_id
    33       400.0      25.0
    """
    youth = communes["youth"].to_numpy(dtype=np.float64)
    data: dict[str, object] = {}
    for col in (c for c in sums if c in communes):
        data[col] = _weighted_sum(communes[col].to_numpy(dtype=np.float64), walk, walk.weight)
    for col in (c for c in means if c in communes):
        data[col] = _youth_mean(communes[col].to_numpy(dtype=np.float64), youth, walk)
    for col in (c for c in SOURCE_COLUMNS if c in communes):
        data[col] = _join_sources(communes[col], walk)
    out = pd.DataFrame(data, index=walk.zones)
    out = pd.concat([out, rates(out)], axis=1)
    out["apportionment"] = walk.apportionment
    return out
