"""The impact study's panel: zones × months, the month each zone is treated, its outcome.

A commune is **treated** from the first month an outreach action with a place (not online)
takes place within reach of its origin (its town hall): within the minutes in which 8 in 10
young people reached by that kind of action live (:func:`territory.analysis.reach.reach_curves`)
when the contacts support a curve, else within the access threshold (30 min by default), both
in the chosen travel mode, turned into a straight-line radius by
:meth:`~territory.analysis.params.Parameters.reach_m`. An EPCI or a catchment is treated from
the month its treated communes hold half of its young people.

The **outcome** is the number of young people who got in touch with a Mission Locale for the
first time that month, living in the zone, per 1,000 young people of the zone: from the
``first_contacts`` layer (monthly counts from the ML information system, every channel) when
the workspace has it, else from the ``contacts`` layer (each young person counted in the month
of their first contact).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from territory._errors import InputError
from territory.analysis.access import ONLINE_KINDS, commune_origins
from territory.analysis.params import Parameters
from territory.analysis.zones import parse_level

__all__ = ["LEVELS", "OUTCOMES", "Panel", "build_panel"]

LEVELS = ("commune", "epci", "catchment")
#: Outcome → the furthest funnel stages it counts.
OUTCOMES: dict[str, tuple[str, ...]] = {
    "reached": ("repere", "mobilise", "accompagne"),
    "mobilise": ("mobilise", "accompagne"),
    "accompagne": ("accompagne",),
}
_ZONE_COLUMN = {"commune": "code_insee", "epci": "epci_code"}


@dataclass(frozen=True)
class Panel:
    """Zones × months with the outcome and each zone's first treated month.

    ``frame`` has one row per zone and month: ``zone``, ``month`` (1 = the first month of
    the outcome's record), ``count`` (young people), ``youth``, ``per_1000``, ``cohort``
    (the month the zone is treated, 0 = never within the record), ``cluster`` (the zone's
    main Mission Locale) and ``ml_code``. ``months`` names the months (``2019-12`` …).
    """

    frame: pd.DataFrame
    months: pd.PeriodIndex
    level: str
    outcome: str
    source: str
    reach_min: Mapping[str, float]

    @property
    def zones(self) -> pd.DataFrame:
        """One row per zone: ``zone``, ``youth``, ``cohort``, ``cluster``, ``ml_code``."""
        return (self.frame.drop_duplicates("zone")
                [["zone", "youth", "cohort", "cluster", "ml_code"]].reset_index(drop=True))


def build_panel(layers: Mapping[str, pd.DataFrame], *, level: str = "commune",
                outcome: str = "reached", params: Parameters,
                reach_min: Mapping[str, float] | None = None) -> Panel:
    """Return the zones × months panel of the impact study.

    Parameters
    ----------
    layers
        ``communes``, ``catchment_members``, ``actions``, and ``first_contacts`` or
        ``contacts``; ``mairies`` when present (the communes' origins).
    level
        ``commune``, ``epci`` or ``catchment``.
    outcome
        ``reached`` (every young person in contact), ``mobilise`` or ``accompagne`` (those
        who reached that stage).
    params
        The travel mode and the access threshold.
    reach_min
        Minutes of reach per kind of action (the threshold for a kind not listed).

    Returns
    -------
    Panel
        The balanced panel.
    """
    _check(level, outcome, layers)
    counts, source, span = _monthly_counts(layers, outcome)
    months = pd.period_range(*span, freq="M")
    communes = layers["communes"]
    codes = communes["code_insee"].astype(str).to_numpy()
    treated = _commune_cohorts(layers, months, params, reach_min or {})
    main_ml = _main_ml(layers["catchment_members"])
    youth = pd.to_numeric(communes["youth"], errors="coerce").fillna(0.0).to_numpy()
    zone_of = _zone_of(layers, level, codes, main_ml)
    zones = pd.DataFrame({"zone": zone_of, "youth": youth, "cohort": treated,
                          "ml_code": pd.Series(codes).map(main_ml).to_numpy()})
    zones = zones[pd.notna(zones["zone"]) & pd.notna(zones["ml_code"])]
    table = _zone_table(zones)
    table = table[table["youth"] > 0]
    by_code = pd.Series(zone_of, index=codes)
    counts = counts.assign(zone=counts["code_insee"].map(by_code)).dropna(subset=["zone"])
    counts["month"] = (counts["month"] - months[0]).map(lambda off: off.n + 1)
    grid = pd.MultiIndex.from_product([table["zone"], np.arange(1, len(months) + 1)],
                                      names=["zone", "month"])
    summed = counts.groupby(["zone", "month"])["count"].sum().reindex(grid, fill_value=0)
    frame = summed.reset_index().merge(table, on="zone")
    frame["per_1000"] = frame["count"] / frame["youth"] * 1000.0
    return Panel(frame, months, level, outcome, source, dict(reach_min or {}))


def _check(level: str, outcome: str, layers: Mapping[str, pd.DataFrame]) -> None:
    if parse_level(level)[0] not in LEVELS:
        raise InputError(f"level {level!r}: the impact study is made by {', '.join(LEVELS)}")
    if outcome not in OUTCOMES:
        raise InputError(f"outcome {outcome!r}: expected one of {', '.join(OUTCOMES)}")
    missing = [n for n in ("communes", "catchment_members", "actions") if n not in layers]
    if "first_contacts" not in layers and "contacts" not in layers:
        missing.append("contacts")
    if missing:
        raise InputError(f"the impact study needs the layers {', '.join(missing)}; import "
                         "them first (territory import …)")


def _monthly_counts(layers: Mapping[str, pd.DataFrame], outcome: str,
                    ) -> tuple[pd.DataFrame, str, tuple[pd.Period, pd.Period]]:
    """Return the outcome's counts, their source and the record's first and last months.

    The counts have ``code_insee``, ``month`` (Period) and ``count``; the record's months
    are those of every row, whatever the outcome.
    """
    stages = OUTCOMES[outcome]
    first = layers.get("first_contacts")
    if first is not None and len(first):
        month = pd.PeriodIndex(first["month"].astype(str), freq="M")
        count = first[list(stages)].apply(pd.to_numeric, errors="coerce").fillna(0).sum(axis=1)
        return (pd.DataFrame({"code_insee": first["code_insee"].astype(str).to_numpy(),
                              "month": month, "count": count.to_numpy()}), "first_contacts",
                (month.min(), month.max()))
    contacts = layers["contacts"]
    if contacts.empty:
        raise InputError("the workspace has no contacts: nothing to measure")
    level = contacts.get("stage", pd.Series("repere", contacts.index)).fillna("repere")
    people = pd.DataFrame({"id": contacts["contact_id"].astype(str),
                           "date": pd.to_datetime(contacts["date"]),
                           "code_insee": contacts["code_insee"].astype(str),
                           "rank": level.map({s: i for i, s in enumerate(OUTCOMES["reached"])})
                           .fillna(0)})
    people = people.sort_values("date").groupby("id").agg(
        date=("date", "first"), code_insee=("code_insee", "last"), rank=("rank", "max"))
    chosen = people[people["rank"] >= OUTCOMES["reached"].index(stages[0])]
    span = pd.to_datetime(contacts["date"]).dropna().dt.to_period("M")
    return (pd.DataFrame({"code_insee": chosen["code_insee"].to_numpy(),
                          "month": chosen["date"].dt.to_period("M").to_numpy(),
                          "count": 1}), "contacts", (span.min(), span.max()))


def _commune_cohorts(layers: Mapping[str, pd.DataFrame], months: pd.PeriodIndex,
                     params: Parameters, reach_min: Mapping[str, float]) -> np.ndarray:
    """Return each commune's first treated month (1-based), 0 when never within the record."""
    communes = layers["communes"]
    origins = shapely.get_coordinates(
        commune_origins(communes, layers.get("mairies")).geometry.to_numpy())
    actions = layers["actions"]
    geometry = actions.geometry.to_numpy()
    keep = ~(shapely.is_missing(geometry) | shapely.is_empty(geometry))
    keep &= ~actions["kind"].isin(ONLINE_KINDS).to_numpy()
    dates = pd.to_datetime(actions["date"])
    keep &= dates.notna().to_numpy()
    placed = actions[keep]
    first = np.full(len(communes), np.iinfo(np.int64).max)
    if placed.empty:
        return np.zeros(len(communes), dtype=np.int64)
    xy = shapely.get_coordinates(placed.geometry.to_numpy())
    month = (dates[keep].dt.to_period("M") - months[0]).map(lambda off: off.n + 1).to_numpy()
    tree = cKDTree(origins)
    for kind in pd.unique(placed["kind"].astype(str)):
        mine = (placed["kind"].astype(str) == kind).to_numpy()
        radius = params.reach_m(float(reach_min.get(kind, params.threshold_min)))
        near = tree.query_ball_point(xy[mine], r=radius)
        for action_month, found in zip(month[mine], near, strict=True):
            if found:
                np.minimum.at(first, np.asarray(found, dtype=np.intp), action_month)
    never = first == np.iinfo(np.int64).max
    first = np.clip(first, 1, None)
    first[never | (first > len(months))] = 0
    return first.astype(np.int64)


def _main_ml(members: pd.DataFrame) -> pd.Series:
    """Return each commune's main Mission Locale (the largest share)."""
    ordered = members.assign(share=pd.to_numeric(members["share"], errors="coerce")
                             .fillna(1.0)).sort_values("share", ascending=False, kind="stable")
    first = ordered.drop_duplicates("code_insee")
    return pd.Series(first["ml_code"].astype(str).to_numpy(),
                     index=first["code_insee"].astype(str).to_numpy())


def _zone_of(layers: Mapping[str, pd.DataFrame], level: str, codes: np.ndarray,
             main_ml: pd.Series) -> np.ndarray:
    if level == "catchment":
        return pd.Series(codes).map(main_ml).to_numpy(dtype=object)
    column = _ZONE_COLUMN[level]
    return layers["communes"][column].astype("string").to_numpy(dtype=object)


def _zone_table(zones: pd.DataFrame) -> pd.DataFrame:
    """Return one row per zone: its young people, cohort (half its youth treated), ML."""
    if not zones["zone"].duplicated().any():
        table = zones.sort_values("zone", kind="stable").reset_index(drop=True)
        table["cluster"] = pd.factorize(table["ml_code"], sort=True)[0] + 1
        return table[["zone", "youth", "cohort", "ml_code", "cluster"]]
    rows = []
    for zone, part in zones.groupby("zone", sort=True):
        youth = part["youth"].to_numpy()
        cohort = part["cohort"].to_numpy()
        order = np.argsort(np.where(cohort == 0, np.iinfo(np.int64).max, cohort), kind="stable")
        covered = np.cumsum(youth[order]) >= youth.sum() / 2
        first = cohort[order][np.argmax(covered)] if covered.any() else 0
        ml = part.groupby("ml_code")["youth"].sum().idxmax()
        rows.append((zone, youth.sum(), int(first), ml))
    table = pd.DataFrame(rows, columns=["zone", "youth", "cohort", "ml_code"])
    table["cluster"] = pd.factorize(table["ml_code"], sort=True)[0] + 1
    return table
