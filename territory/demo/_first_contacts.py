"""Fictional first contacts with the Missions Locales, every channel, month by month.

The ML information system counts the young people who come to a Mission Locale for the first
time; it keeps earlier years. The demo draws, for each commune and month from December 2017
to November 2021 (two years before IN Système and its two years), the young people who came
on their own to an ML site — the **baseline** — and adds the young people the outreach
actions reached (the ``contacts`` layer), in the month of their first contact — the
**planted effect** of outreach. The effect therefore has the shape of the outreach work in
:mod:`territory.demo._calendar`: a three-month ramp-up from December 2019, almost nothing face
to face in the first lockdown and about half in the second, and nothing before the programme.

The baseline follows parallel trends by construction: each commune has its own level per
1,000 young people (higher near an ML site) and every commune moves by the same amount per
1,000 each month (fewer in August, in the lockdowns). A study of the demo should recover the
planted effect, and find none in a run without it (``effect=False``).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from territory.demo._calendar import LOCKDOWNS, PROGRAMME_END, PROGRAMME_START
from territory.demo._reference import Region

__all__ = ["BASELINE_MONTHS", "BASELINE_PER_MONTH", "FIRST_STAGES", "build_first_contacts"]

#: Months of record before the programme: two years, from December 2017.
BASELINE_MONTHS = 24
#: Young people coming to an ML of the region for the first time in a month, without
#: outreach: 2,500, about a third of the 90,000 the region's MLs see in a year (ARML
#: Nouvelle-Aquitaine; the share of newcomers is illustrative).
BASELINE_PER_MONTH = 2_500.0
#: A commune's level falls from 1 to 0.4 of its maximum with the distance to the nearest ML
#: site, by a factor e every 15 km (illustrative).
SITE_DECAY_M = 15_000.0
_FLOOR = 0.4
#: Furthest stage of the young people who came on their own: repéré, mobilisé, accompagné
#: (illustrative).
FIRST_STAGES = (0.35, 0.35, 0.30)
#: Month factors of the baseline (1 = an ordinary month): August, Christmas, the lockdowns.
_AUGUST, _DECEMBER, _LOCKDOWN = 0.7, 0.85, 0.55


def build_first_contacts(region: Region, sites: gpd.GeoDataFrame, contacts: pd.DataFrame, *,
                         rng: np.random.Generator, effect: bool = True) -> pd.DataFrame:
    """Return the ``first_contacts`` layer: young people in first contact per commune and month.

    Parameters
    ----------
    region
        The communes (youth population, anchors).
    sites
        The ML sites (the baseline is higher near one).
    contacts
        The young people reached by outreach, one row each (the planted effect).
    rng
        The random generator.
    effect
        Add the outreach contacts (False: the baseline alone, a placebo demo).

    Returns
    -------
    pandas.DataFrame
        ``code_insee``, ``month`` (``YYYY-MM``) and the young people by furthest stage:
        ``repere``, ``mobilise``, ``accompagne``; only commune-months with someone.
    """
    months = pd.period_range(pd.Period(str(PROGRAMME_START), "M") - BASELINE_MONTHS,
                             pd.Period(str(PROGRAMME_END), "M"), freq="M")
    level = _levels(region, sites)
    factor = _month_factors(months)
    rate = level[:, None] + level.mean() * (factor[None, :] - 1.0)
    expected = region.youth[:, None] / 1000.0 * rate
    drawn = rng.poisson(np.clip(expected, 0.0, None))
    stages = _split(drawn.ravel(), rng=rng)
    frame = pd.DataFrame({"code_insee": np.repeat(region.code, len(months)),
                          "month": np.tile(months.astype(str), len(region.code)),
                          "repere": stages[:, 0], "mobilise": stages[:, 1],
                          "accompagne": stages[:, 2]})
    if effect:
        frame = pd.concat([frame, _outreach(contacts)], ignore_index=True)
    counted = frame.groupby(["code_insee", "month"], as_index=False, sort=True)[
        ["repere", "mobilise", "accompagne"]].sum()
    return counted[counted[["repere", "mobilise", "accompagne"]].sum(axis=1) > 0] \
        .reset_index(drop=True).astype({"repere": "int64", "mobilise": "int64",
                                        "accompagne": "int64"})


def _levels(region: Region, sites: gpd.GeoDataFrame) -> np.ndarray:
    """Return each commune's baseline per 1,000 young people and month."""
    xy = shapely.get_coordinates(sites.geometry.to_numpy())
    distance, _ = cKDTree(xy).query(region.anchor)
    shape = _FLOOR + (1 - _FLOOR) * np.exp(-distance / SITE_DECAY_M)
    scale = BASELINE_PER_MONTH / (region.youth * shape / 1000.0).sum()
    return np.asarray(shape * scale, dtype=np.float64)


def _month_factors(months: pd.PeriodIndex) -> np.ndarray:
    factor = np.ones(len(months))
    factor[months.month == 8] = _AUGUST
    factor[months.month == 12] = _DECEMBER
    for first, last, _face, _online in LOCKDOWNS:
        inside = (months >= pd.Period(first, "M")) & (months <= pd.Period(last, "M"))
        factor[inside] = _LOCKDOWN
    return factor


def _split(counts: np.ndarray, *, rng: np.random.Generator) -> np.ndarray:
    """Split each count by furthest stage."""
    return rng.multinomial(counts, FIRST_STAGES)


def _outreach(contacts: pd.DataFrame) -> pd.DataFrame:
    """Return the outreach contacts counted per commune, month of first contact and stage."""
    people = contacts.sort_values("date").drop_duplicates("contact_id")
    month = pd.to_datetime(people["date"]).dt.to_period("M").astype(str)
    table = pd.crosstab([people["code_insee"].astype(str), month], people["stage"])
    table = table.reindex(columns=["repere", "mobilise", "accompagne"], fill_value=0)
    table.index.names = ["code_insee", "month"]
    return table.reset_index()
