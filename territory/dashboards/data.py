"""Workspace layers and indicators for the dashboards, read and computed once, shared by sessions.

Every loader is cached with :func:`panel.cache` on the workspace path and its version (the
file's modification time when a session opened it), so that ten sessions on one workspace
read it once and compute each filter's indicators once. Cached frames are shared: callers
never modify them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import panel as pn

from territory.analysis import as_period, indicators
from territory.io.workspace import Workspace
from territory.viz import labels

__all__ = [
    "LAYERS",
    "Filters",
    "PeriodBounds",
    "Source",
    "WorkspaceInfo",
    "catchment_indicators",
    "commune_indicators",
    "counted_period",
    "filtered_layers",
    "in_period",
    "info",
    "layers",
    "selection_weights",
    "totals",
]

LAYERS = ("communes", "mairies", "catchments", "catchment_members", "sites", "actions",
          "contacts", "contact_counts", "departements", "region")
SUM_COLUMNS = ("youth", "neet_est", "invisible_est", "reached", "repere", "mobilise",
               "accompagne", "covered_youth")
# A period: first and last month (or day), both included, either may be open; None: all.
PeriodBounds = tuple[str | None, str | None] | None
MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre")
MONTHS_SHORT = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.",
                "oct.", "nov.", "déc.")


@dataclass(frozen=True)
class Source:
    """A workspace file and the version of it that a session reads (its modification time)."""

    path: str
    version: float

    @classmethod
    def of(cls, path: Path | str) -> Source:
        """Return the current version of the workspace at ``path``."""
        workspace = Workspace(path)
        return cls(str(workspace.path.resolve()), workspace.path.stat().st_mtime)


@dataclass(frozen=True)
class Filters:
    """What the indicators depend on: the period, the access threshold and the action kinds.

    ``period`` is ``(first month, last month)`` as ``"YYYY-MM"`` strings, both included (or,
    for contacts kept as counts, the first and last days of a period counted, either of which
    may be None), or None for the whole record; ``action_kinds`` the kinds of outreach
    action that count.
    """

    period: PeriodBounds
    threshold_min: float
    action_kinds: tuple[str, ...]


def _day(iso: str) -> str:
    return pd.Timestamp(iso).strftime("%d/%m/%Y")


@dataclass(frozen=True)
class WorkspaceInfo:
    """What the filters offer: Missions Locales, départements, months, action kinds.

    ``counted_periods`` are the periods for which the young people reached were counted, when
    the workspace keeps counts instead of contacts (``territory import contacts
    FILE.parquet``): only those periods can be shown. Empty when it keeps the contacts.
    """

    demo: bool
    mls: dict[str, str]
    departements: dict[str, str]
    months: tuple[str, ...]
    action_kinds: tuple[str, ...]
    counted_periods: tuple[str, ...] = ()
    area: str = "Nouvelle-Aquitaine"

    @staticmethod
    def counted_label(key: str) -> str:
        """Return a counted period (``"2020-01-01:2020-12-31"``) in French."""
        if not key:
            return "toute la période"
        first, _, last = key.partition(":")
        if first and last:
            return f"du {_day(first)} au {_day(last)}"
        return f"depuis le {_day(first)}" if first else f"jusqu’au {_day(last)}"

    def month_label(self, month: str, *, short: bool = False) -> str:
        """Return a month such as ``"2020-03"`` in French: ``"mars 2020"``."""
        year, number = month.split("-")
        names = MONTHS_SHORT if short else MONTHS_FR
        return f"{names[int(number) - 1]} {year}"


@pn.cache(max_items=4)
def layers(path: str, version: float) -> dict[str, pd.DataFrame]:
    """Return the workspace layers the dashboards use (shared: never modify them)."""
    workspace = Workspace(path)
    present = set(workspace.layers())
    return {name: workspace.read(name) for name in LAYERS if name in present}


def _months(frames: Sequence[pd.DataFrame]) -> tuple[str, ...]:
    dates = pd.concat([pd.to_datetime(f["date"]) for f in frames if len(f)], ignore_index=True)
    if dates.dropna().empty:
        return ()
    span = pd.period_range(dates.min().to_period("M"), dates.max().to_period("M"), freq="M")
    return tuple(str(p) for p in span)


@pn.cache(max_items=4)
def info(path: str, version: float) -> WorkspaceInfo:
    """Return what the workspace offers to filter on."""
    found = layers(path, version)
    catchments = found.get("catchments", pd.DataFrame(columns=["ml_code", "ml_name"]))
    deps = found.get("departements", pd.DataFrame(columns=["dep_code", "nom"]))
    actions = found.get("actions", pd.DataFrame(columns=["date", "kind"]))
    contacts = found.get("contacts", pd.DataFrame(columns=["date"]))
    region = found.get("region", pd.DataFrame(columns=["nom"]))
    counts = found.get("contact_counts")
    counted = (tuple(sorted(set(counts["period"].fillna("").astype(str))))
               if counts is not None and len(counts) and contacts.empty else ())
    mls = catchments.sort_values("ml_name")
    return WorkspaceInfo(
        demo=Workspace(path).is_demo(),
        mls=dict(zip(mls["ml_code"].astype(str), mls["ml_name"].astype(str), strict=True)),
        departements=dict(zip(deps["dep_code"].astype(str), deps["nom"].astype(str),
                              strict=True)),
        months=_months([actions, contacts]),
        action_kinds=tuple(sorted(actions["kind"].dropna().astype(str).unique())),
        counted_periods=counted,
        area=labels.area_name(region["nom"].astype(str).tolist()) if len(region) else "Région",
    )


def counted_period(key: str) -> PeriodBounds:
    """Return the period of a counted-period key (``"A:B"``, ``""`` for the whole record)."""
    if not key:
        return None
    first, _, last = key.partition(":")
    return (first or None, last or None)


def filtered_layers(path: str, version: float, filters: Filters) -> dict[str, pd.DataFrame]:
    """Return the layers with only the chosen kinds of action, and their contacts.

    Contacts made at an action of another kind are left out; contacts with no known action
    (met at a site) are kept.
    """
    found = dict(layers(path, version))
    actions = found.get("actions")
    if actions is None:
        return found
    keep = actions["kind"].astype(str).isin(filters.action_kinds)
    found["actions"] = actions[keep]
    contacts = found.get("contacts")
    if contacts is not None and "action_id" in contacts:
        dropped = set(actions.loc[~keep, "action_id"].astype(str))
        found["contacts"] = contacts[~contacts["action_id"].astype(str).isin(dropped)]
    return found


@pn.cache(max_items=48)
def _indicators(path: str, version: float, *, level: str, period: PeriodBounds,
                threshold_min: float, action_kinds: tuple[str, ...],
                public: bool) -> gpd.GeoDataFrame:
    filters = Filters(period, threshold_min, action_kinds)
    return indicators(filtered_layers(path, version, filters), level=level,
                      period=period, threshold_min=threshold_min, public=public)


def commune_indicators(source: Source, filters: Filters) -> gpd.GeoDataFrame:
    """Return the indicators of every commune of the region for ``filters`` (shared)."""
    return _indicators(source.path, source.version, level="commune", period=filters.period,
                       threshold_min=filters.threshold_min, action_kinds=filters.action_kinds,
                       public=False)


def catchment_indicators(source: Source, filters: Filters, *,
                         public: bool = True) -> gpd.GeoDataFrame:
    """Return the indicators of every Mission Locale's catchment for ``filters`` (shared).

    ``public`` masks small counts (territory.analysis.suppress, threshold 11).
    """
    return _indicators(source.path, source.version, level="catchment", period=filters.period,
                       threshold_min=filters.threshold_min, action_kinds=filters.action_kinds,
                       public=public)


@pn.cache(max_items=64)
def selection_weights(path: str, version: float, ml_code: str, dep_code: str) -> np.ndarray:
    """Return each commune's weight in the selection: its share of the ML, 1 or 0.

    An empty code selects everything; a commune shared by two MLs counts its share
    (``catchment_members.share``) in each.
    """
    found = layers(path, version)
    communes = found["communes"]
    weights = np.ones(len(communes))
    if ml_code:
        members = found["catchment_members"]
        mine = members[members["ml_code"].astype(str) == ml_code]
        share = pd.to_numeric(mine["share"]).fillna(1.0).groupby(mine["code_insee"]).sum()
        weights = communes["code_insee"].map(share).fillna(0.0).to_numpy(dtype=float)
    if dep_code:
        weights = weights * (communes["dep_code"].astype(str) == dep_code).to_numpy()
    return weights


def in_period(frame: pd.DataFrame, period: PeriodBounds) -> pd.DataFrame:
    """Return the rows of ``frame`` whose ``date`` falls in ``period`` (months: whole)."""
    if period is None or "date" not in frame:
        return frame
    dates = pd.to_datetime(frame["date"], errors="coerce")
    return frame[as_period(period).contains(dates)]


def totals(table: pd.DataFrame, weights: np.ndarray) -> dict[str, float]:
    """Return the weighted sums of the counts of a commune table, and the covered share."""
    sums = {col: float(np.nansum(table[col].to_numpy(dtype=float) * weights))
            for col in SUM_COLUMNS if col in table}
    youth = sums.get("youth", 0.0)
    sums["covered_share"] = sums.get("covered_youth", 0.0) / youth if youth > 0 else np.nan
    sums["communes"] = float((weights > 0).sum())
    return sums
