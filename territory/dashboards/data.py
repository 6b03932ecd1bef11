"""Everything the dashboards load or compute once and share between sessions, in one module.

Every value that sessions share is cached here, and only here, with :func:`panel.cache` on
the workspace path and its version (the file's modification time when a session opened it):
the layers, what the filters offer, the indicators of each filter, the map's geometry and
styles, the points of sites and outreach places, the town halls to pick from and the coverage
model of each selection (:func:`coverage_model`), from which the planner's figures, proposals
and comparisons all come. Ten sessions on one workspace read it once and compute each filter's
figures once. Cached values are shared: callers never modify them. The other modules compute
from frames; this one decides what is kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import panel as pn

from territory import planning
from territory._errors import InputError
from territory._french import MONTHS, MONTHS_SHORT
from territory.analysis import (
    Parameters,
    commune_origins,
    indicators,
    open_sites,
    outreach_places,
    public_tables,
)
from territory.analysis import (
    selection_weights as commune_weights,
)
from territory.analysis.impact import ImpactStudy, impact
from territory.analysis.params import DEFAULTS
from territory.analysis.reach import ALL_PHYSICAL, reach_curves
from territory.analysis.travel import DEFAULT_MODE, Routed, split_travel
from territory.dashboards import _geo, _styles, tiles
from territory.io.workspace import Workspace
from territory.viz import labels

__all__ = [
    "LAYERS",
    "Filters",
    "PeriodBounds",
    "Scope",
    "Source",
    "WorkspaceInfo",
    "action_points",
    "area_bounds",
    "area_codes",
    "catchment_indicators",
    "catchment_names",
    "commune_indicators",
    "commune_style",
    "counted_period",
    "coverage_model",
    "filtered_layers",
    "impact_study",
    "info",
    "layers",
    "mairie_options",
    "origins_xy",
    "placed_kinds",
    "public_row",
    "reach_curves_of",
    "reach_kinds",
    "reach_model",
    "record_dates",
    "selection_weights",
    "site_points",
    "tile_set",
    "totals",
]

LAYERS = ("communes", "epci", "mairies", "catchments", "catchment_members", "sites", "actions",
          "contacts", "contact_counts", "departements", "region", "places", "travel_times",
          "transit_feeds", "first_contacts")
SUM_COLUMNS = ("youth", "neet_est", "invisible_est", "reached", "repere", "mobilise",
               "accompagne", "covered_youth")
# A period: first and last month (or day), both included, either may be open; None: all.
PeriodBounds = tuple[str | None, str | None] | None


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
    mode: str = DEFAULT_MODE

    @property
    def params(self) -> Parameters:
        """The parameters of the indicators: the threshold and the travel mode.

        ``mode`` is a travel key (:func:`territory.analysis.travel.travel_key`): the mode, and
        the departure window of timetabled public transport.
        """
        mode, window = split_travel(self.mode)
        return Parameters(threshold_min=self.threshold_min, mode=mode,  # type: ignore[arg-type]
                          window=window)


@dataclass(frozen=True)
class Scope:
    """A selection: the workspace, the filters, the Mission Locale and the département.

    Everything a plan's figures depend on, and the key of its coverage model
    (:func:`coverage_model`). An empty code selects everything.
    """

    source: Source
    filters: Filters
    ml_code: str = ""
    dep_code: str = ""

    @property
    def key(self) -> tuple[str, float]:
        """The workspace and its version: the first arguments of the cached loaders."""
        return self.source.path, self.source.version


def _day(iso: str) -> str:
    return pd.Timestamp(iso).strftime("%d/%m/%Y")


@dataclass(frozen=True)
class WorkspaceInfo:
    """What the filters offer: Missions Locales, départements, months, action kinds.

    ``counted_periods`` are the periods for which the young people reached were counted, when
    the workspace keeps counts instead of contacts (``territory import contacts
    FILE.parquet``): only those periods can be shown. Empty when it keeps the contacts.
    ``windows`` are the departure windows with timetabled public transport (``territory
    network build --gtfs``), ``feeds`` the French words naming their feeds, validity and
    days (the report's, :meth:`territory.analysis.travel.Routed.feeds_text`).
    """

    demo: bool
    mls: dict[str, str]
    departements: dict[str, str]
    months: tuple[str, ...]
    action_kinds: tuple[str, ...]
    counted_periods: tuple[str, ...] = ()
    area: str = "Nouvelle-Aquitaine"
    windows: tuple[str, ...] = ()
    feeds: str = ""

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
        names = MONTHS_SHORT if short else MONTHS
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
        windows=routed.windows if (routed := Routed.of(found)) is not None else (),
        feeds=(routed.feeds_text() or "") if routed is not None else "",
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
                threshold_min: float, action_kinds: tuple[str, ...], mode: str,
                public: bool) -> gpd.GeoDataFrame:
    filters = Filters(period, threshold_min, action_kinds, mode)
    table = indicators(filtered_layers(path, version, filters), level=level,
                       period=period, params=filters.params, public=public)
    # The views show the sources of their own; pandas deep-copies a frame's attrs (here the
    # sources, parameters and period) into every column and slice taken from it, which
    # came to a tenth of the server's work when a Mission Locale is chosen.
    table.attrs = {}
    return table


def commune_indicators(source: Source, filters: Filters) -> gpd.GeoDataFrame:
    """Return the indicators of every commune of the region for ``filters`` (shared)."""
    return _indicators(source.path, source.version, level="commune", period=filters.period,
                       threshold_min=filters.threshold_min, action_kinds=filters.action_kinds,
                       mode=filters.mode, public=False)


def catchment_indicators(source: Source, filters: Filters, *,
                         public: bool = True) -> gpd.GeoDataFrame:
    """Return the indicators of every Mission Locale's catchment for ``filters`` (shared).

    ``public`` masks small counts (territory.analysis.suppress, threshold 11).
    """
    return _indicators(source.path, source.version, level="catchment", period=filters.period,
                       threshold_min=filters.threshold_min, action_kinds=filters.action_kinds,
                       mode=filters.mode, public=public)


@pn.cache(max_items=24)
def _public_tables(path: str, version: float, *, period: PeriodBounds, threshold_min: float,
                   action_kinds: tuple[str, ...], mode: str) -> dict[str, pd.DataFrame]:
    filters = Filters(period, threshold_min, action_kinds, mode)
    return public_tables(filtered_layers(path, version, filters), period=period,
                         params=filters.params)


def public_row(source: Source, filters: Filters, *, ml_code: str = "",
               dep_code: str = "") -> dict[str, Any]:
    """Return the public figures of the region, one ML or one département (shared).

    The row of :func:`territory.analysis.public_tables` (masked with every table a reader
    holds): the director's cards and funnel show exactly what the tables and the report
    show, and nothing a sum of them would give back.
    """
    tables = _public_tables(source.path, source.version, period=filters.period,
                            threshold_min=filters.threshold_min,
                            action_kinds=filters.action_kinds, mode=filters.mode)
    level, code = (("catchment", ml_code) if ml_code else ("departement", dep_code)
                   if dep_code else ("region", ""))
    table = tables.get(level)
    if table is None:
        table = tables["region"]
    rows = table[table["zone_id"].astype(str) == code] if level != "region" else table
    if rows.empty:
        raise InputError(f"{level} {code!r}: no such zone in the workspace")
    return {str(k): v for k, v in rows.iloc[0].items()}


@pn.cache(max_items=64)
def selection_weights(path: str, version: float, ml_code: str, dep_code: str) -> np.ndarray:
    """Return each commune's weight in the selection: its share of the ML, 1 or 0.

    The one rule of :func:`territory.analysis.selection_weights` (an empty code selects
    everything; a commune shared by two MLs counts its share in each).
    """
    found = layers(path, version)
    weights = commune_weights(found["communes"], found.get("catchment_members"),
                              ml_code=ml_code or None, dep_code=dep_code or None)
    return weights.to_numpy(dtype=float)


def totals(table: pd.DataFrame, weights: np.ndarray) -> dict[str, float]:
    """Return the weighted sums of the counts of a commune table, and the covered share."""
    sums = {col: float(np.nansum(table[col].to_numpy(dtype=float) * weights))
            for col in SUM_COLUMNS if col in table}
    youth = sums.get("youth", 0.0)
    sums["covered_share"] = sums.get("covered_youth", 0.0) / youth if youth > 0 else np.nan
    sums["communes"] = float((weights > 0).sum())
    return sums


# -- the map's geometry, styles and points ---------------------------------------------------
@pn.cache(max_items=4)
def tile_set(path: str, version: float) -> tiles.TileSet:
    """Return the workspace's vector tiles, written on first use (cached, shared)."""
    return tiles.build_tiles(layers(path, version), tiles.tiles_folder(path))


@pn.cache(max_items=8)
def area_codes(path: str, version: float, layer: str) -> list[str]:
    """Return the codes of a layer's zones in row order: the map's positions (cached)."""
    code, _ = tiles.TILE_LAYERS[layer]
    return layers(path, version)[layer][code].astype(str).tolist()


@pn.cache(max_items=8)
def area_bounds(path: str, version: float, layer: str) -> np.ndarray:
    """Return the WGS84 bounds of each row of a layer (cached, shared)."""
    return _geo.area_bounds(layers(path, version)[layer])


@pn.cache(max_items=4)
def catchment_names(path: str, version: float) -> list[list[object]]:
    """Return the catchments' labels for the map (cached, shared)."""
    return _geo.catchment_names(layers(path, version).get("catchments"))


@pn.cache(max_items=64)
def _style(path: str, version: float, *, period: PeriodBounds, threshold_min: float,
           action_kinds: tuple[str, ...], mode: str, indicator: str, ml_code: str,
           dep_code: str, territory: str) -> _styles.MapStyle:
    filters = Filters(period, threshold_min, action_kinds, mode)
    table = commune_indicators(Source(path, version), filters)
    return _styles.map_style(table, selection_weights(path, version, ml_code, dep_code),
                             indicator, params=filters.params, territory=territory)


def commune_style(source: Source, filters: Filters, indicator: str, *, ml_code: str,
                  dep_code: str, territory: str) -> _styles.MapStyle:
    """Return the communes' colours, values and ranks for a selection (cached, shared)."""
    return _style(source.path, source.version, period=filters.period,
                  threshold_min=filters.threshold_min, action_kinds=filters.action_kinds,
                  mode=filters.mode, indicator=indicator, ml_code=ml_code, dep_code=dep_code,
                  territory=territory)


@pn.cache(max_items=16)
def site_points(path: str, version: float, period: PeriodBounds) -> dict[str, Any]:
    """Return the sites in service in the period, as map points (cached, shared)."""
    sites = layers(path, version).get("sites")
    if sites is None or sites.empty:
        return {}
    return _geo.site_points(open_sites(sites, period=period), info(path, version).mls)


@pn.cache(max_items=16)
def action_points(path: str, version: float, period: PeriodBounds,
                  kinds: tuple[str, ...]) -> dict[str, Any]:
    """Return the physical outreach places of the period and kinds, as map points."""
    actions = layers(path, version).get("actions")
    if actions is None or actions.empty:
        return {}
    chosen = actions[actions["kind"].astype(str).isin(kinds)]
    return _geo.action_points(outreach_places(chosen, period=period))


@pn.cache(max_items=4)
def origins_xy(path: str, version: float) -> np.ndarray:
    """Return the Lambert-93 origin of each commune (its town hall, else a point inside)."""
    found = layers(path, version)
    origins = commune_origins(found["communes"], found.get("mairies"))
    return np.column_stack([origins.geometry.x.to_numpy(), origins.geometry.y.to_numpy()])


# -- planning ---------------------------------------------------------------------------------
@pn.cache(max_items=4)
def mairie_options(path: str, version: float) -> dict[str, str]:
    """Return the town halls to pick from: "Commune (département)" → code INSEE."""
    communes = layers(path, version)["communes"]
    return {f"{n} ({d})": str(c) for n, d, c in zip(
        communes["nom"], communes["dep_code"], communes["code_insee"], strict=True)}


@pn.cache(max_items=4)
def _planning_sites(path: str, version: float, period: PeriodBounds,
                    action_kinds: tuple[str, ...]) -> gpd.GeoDataFrame:
    """Return the period's sites, town halls and outreach places, each in its commune.

    The same for every Mission Locale, département and threshold: computed once per period
    and action kinds, and shared, so that choosing another ML only builds its model.
    """
    # The layers of these action kinds (the threshold and the mode do not choose layers).
    found = filtered_layers(path, version, Filters(period, DEFAULTS.threshold_min, action_kinds))
    return planning.layer_sites(found, candidates="mairies", hexagons=False, period=period)


@pn.cache(max_items=16)
def _coverage_model(path: str, version: float, *, period: PeriodBounds, threshold_min: float,
                    action_kinds: tuple[str, ...], mode: str, ml_code: str,
                    dep_code: str) -> planning.CoverageModel:
    filters = Filters(period, threshold_min, action_kinds, mode)
    found = filtered_layers(path, version, filters)
    table = commune_indicators(Source(path, version), filters)
    # Town halls only (the list the planner picks from); coverage only, so no trip longer
    # than the threshold is kept. The period's sites and outreach places are those of the
    # indicators: the plan with no new site covers the indicators' young people.
    return planning.model_from_layers(
        found, candidates="mairies", hexagons=False, ml=ml_code or None,
        departement=dep_code or None, period=period, table=table,
        threshold_min=threshold_min, cutoff_min=threshold_min, params=filters.params,
        sites=_planning_sites(path, version, period, action_kinds))


def coverage_model(scope: Scope) -> planning.CoverageModel:
    """Return the coverage model of a selection, on the town halls (cached, shared).

    The one model of the planner: its figures, its proposals and its comparisons of plans
    (:mod:`territory.dashboards._planning`).
    """
    filters = scope.filters
    return _coverage_model(*scope.key, period=filters.period,
                           threshold_min=filters.threshold_min,
                           action_kinds=filters.action_kinds, mode=filters.mode,
                           ml_code=scope.ml_code,
                           dep_code=scope.dep_code)


@pn.cache(max_items=16)
def _coverage_baseline(path: str, version: float, **key: Any) -> pd.Series:
    return planning.Plan(_coverage_model(path, version, **key)).region()


def coverage_baseline(scope: Scope) -> pd.Series:
    """Return the selection's coverage with no new place (cached, shared).

    :meth:`territory.planning.Plan.region` of :func:`coverage_model`: every figure of the
    plan is measured against it, at each place added or moved.
    """
    filters = scope.filters
    return _coverage_baseline(*scope.key, period=filters.period,
                              threshold_min=filters.threshold_min,
                              action_kinds=filters.action_kinds, mode=filters.mode,
                              ml_code=scope.ml_code, dep_code=scope.dep_code)


# -- how far outreach reaches ------------------------------------------------------------------
@pn.cache(max_items=4)
def placed_kinds(path: str, version: float) -> list[str]:
    """Return the kinds of action with a place whose reach the contacts can tell, most first.

    Cheap (no fit): what the reach selectors offer before any curve is computed. Empty when
    the workspace keeps no contact with its action (counts only, or no contact).
    """
    found = layers(path, version)
    contacts, actions = found.get("contacts"), found.get("actions")
    if (contacts is None or "action_id" not in contacts or contacts.empty or actions is None
            or "catchment_members" not in found):
        return []
    located = outreach_places(actions)
    return [str(k) for k in located["kind"].astype(str).value_counts().index]


@pn.cache(max_items=8)
def _reach_curves(path: str, version: float, *, period: PeriodBounds,
                  action_kinds: tuple[str, ...], mode: str) -> pd.DataFrame | None:
    filters = Filters(period, 30.0, action_kinds, mode)
    found = filtered_layers(path, version, filters)
    contacts = found.get("contacts")
    needed = ("actions", "catchment_members")
    if contacts is None or "action_id" not in contacts or contacts.empty or any(
            name not in found for name in needed):
        return None
    return reach_curves(found, params=filters.params, period=period)


def reach_curves_of(source: Source, filters: Filters) -> pd.DataFrame | None:
    """Return the reach of each kind of action learned from the contacts (cached, shared).

    None when the workspace keeps no contact with its action (counts only, or no contact).
    """
    return _reach_curves(source.path, source.version, period=filters.period,
                         action_kinds=filters.action_kinds, mode=filters.mode)


@pn.cache(max_items=16)
def _reach_model(path: str, version: float, *, period: PeriodBounds, threshold_min: float,
                 action_kinds: tuple[str, ...], mode: str, ml_code: str, dep_code: str,
                 kind: str, frequency: int) -> planning.ReachModel | None:
    filters = Filters(period, threshold_min, action_kinds, mode)
    curves = reach_curves_of(Source(path, version), filters)
    if curves is None or kind not in reach_kinds(curves):
        return None
    return planning.reach_model(
        filtered_layers(path, version, filters), kind=kind, frequency=frequency,
        params=filters.params, period=period, ml=ml_code or None,
        departement=dep_code or None, table=commune_indicators(Source(path, version), filters),
        curves=curves)


def reach_kinds(curves: pd.DataFrame | None) -> list[str]:
    """Return the kinds of action a plan can place: those with a place and a curve."""
    if curves is None:
        return []
    return [str(k) for k in curves.index
            if curves.loc[k, "fitted"] != "sans lieu" and k != ALL_PHYSICAL]


def reach_model(scope: Scope, kind: str, frequency: int) -> planning.ReachModel | None:
    """Return the reach model of a selection for an action kind and frequency (cached)."""
    filters = scope.filters
    return _reach_model(*scope.key, period=filters.period, threshold_min=filters.threshold_min,
                        action_kinds=filters.action_kinds, mode=filters.mode,
                        ml_code=scope.ml_code, dep_code=scope.dep_code, kind=kind,
                        frequency=frequency)


@pn.cache(max_items=4)
def record_dates(path: str, version: float) -> tuple[pd.Series, ...]:
    """Return the dates of the actions and contacts: the whole record's bounds."""
    found = layers(path, version)
    return tuple(pd.to_datetime(found[name]["date"]) for name in ("actions", "contacts")
                 if name in found and "date" in found[name])


@pn.cache(max_items=8)
def impact_study(path: str, version: float, mode: str, threshold_min: float) -> ImpactStudy:
    """Return the workspace's impact study, with ``territory impact``'s defaults (shared)."""
    travel, window = split_travel(mode)
    return impact(layers(path, version), params=Parameters(
        mode=travel, window=window, threshold_min=threshold_min))  # type: ignore[arg-type]
