"""All indicators of a level in one table: the indicator contract.

The columns are described in docs/architecture.md, "Indicator contract".

:func:`indicators` computes demand (:mod:`~territory.analysis.demand`), contacts
(:mod:`~territory.analysis.contacts`) and access (:mod:`~territory.analysis.access`) per
commune, aggregates them to the requested level (:mod:`~territory.analysis.zones`,
:mod:`~territory.analysis.hexagons`), scores the zones (:mod:`~territory.analysis.score`) and,
for public outputs, masks small counts (:mod:`~territory.analysis.suppression`).
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd

from territory._errors import InputError
from territory.analysis._checks import CRS, PeriodLike, as_period, check_layers
from territory.analysis.access import access
from territory.analysis.contacts import (
    counts_of_period,
    funnel_rates,
    stage_counts,
    young_people,
)
from territory.analysis.demand import demand
from territory.analysis.headline import HEADLINE_SUMS, headline_row
from territory.analysis.hexagons import by_hexagons
from territory.analysis.params import DEFAULTS, Parameters
from territory.analysis.protection import Link, nested_links, protect
from territory.analysis.score import gap_score
from territory.analysis.suppression import publish, with_public_score
from territory.analysis.travel import Routed
from territory.analysis.zones import Crosswalk, aggregate, by_code, by_members, parse_level

__all__ = ["COMPONENT_COLUMNS", "INDICATOR_COLUMNS", "PROTECTED_LEVELS", "commune_table",
           "indicators", "public_tables"]

# Levels whose counts add up into each other, masked together in public
# (:func:`public_tables`); hexagons share communes by population and are masked alone.
PROTECTED_LEVELS = ("commune", "epci", "catchment", "departement")

INDICATOR_COLUMNS = ("zone_id", "zone_name", "youth", "neet_est", "invisible_est", "reached",
                     "contacts_per_1000", "site_min", "action_min", "covered_share", "e2sfca",
                     "gap_score", "gap_rank")
COMPONENT_COLUMNS = ("need_index", "access_deficit", "reach_deficit", "nearest_min",
                     "nearest_min_high", "covered_youth", "neet_rate", "repere", "mobilise",
                     "accompagne", "mobilise_rate", "accompagne_rate", "youth_source",
                     "neet_source", "invisible_source", "apportionment")
_LAYER_SPEC: dict[str, tuple[bool, tuple[str, ...]]] = {
    "communes": (True, ("code_insee", "youth")),
    "mairies": (True, ("code_insee",)),
    "sites": (True, ()),
    "actions": (True, ()),
    "contacts": (False, ("contact_id", "date", "code_insee")),
    "contact_counts": (False, ("code_insee", "period", "repere", "mobilise", "accompagne")),
    "catchment_members": (False, ("ml_code", "code_insee")),
    "catchments": (True, ("ml_code",)),
    "epci": (True, ("epci_code",)),
    "departements": (True, ("dep_code",)),
}
_EXTRA = ("in_consortium",)
_NAMES = {"epci": ("epci", "epci_code", "nom", "EPCI"),
          "departement": ("departements", "dep_code", "nom", "département"),
          "catchment": ("catchments", "ml_code", "ml_name", "territoire d'intervention")}


def _empty_points() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=CRS))


def _contact_counts(communes: pd.DataFrame, contacts: pd.DataFrame | None,
                    period: PeriodLike,
                    stored: pd.DataFrame | None = None) -> tuple[pd.DataFrame, int]:
    """Young people reached and funnel counts per commune, and those living elsewhere.

    From the contacts; without any, from the counts stored for the period (``stored``).
    """
    columns = ["reached", "repere", "mobilise", "accompagne"]
    if contacts is not None and not contacts.empty:
        counts = stage_counts(young_people(contacts, period=period), by="code_insee")
    elif stored is not None and not stored.empty:
        counts = counts_of_period(stored, period)
    else:
        return pd.DataFrame(0, index=communes.index, columns=columns, dtype="int64"), 0
    counts.insert(0, "reached", counts["repere"])
    outside = int(counts.loc[~counts.index.isin(communes["code_insee"]), "reached"].sum())
    table = counts.reindex(communes["code_insee"].to_numpy()).fillna(0).astype("int64")
    table.index = communes.index
    return table, outside


def commune_table(layers: Mapping[str, pd.DataFrame], *, period: PeriodLike = None,
                  params: Parameters = DEFAULTS,
                  access_table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return demand, contacts and access per commune, before scoring and aggregation.

    Parameters
    ----------
    layers
        Workspace layers by name, as for :func:`indicators`.
    period
        ``(start, end)``, both included; None for the whole record.
    params
        Every default with its source (:class:`~territory.analysis.params.Parameters`).
    access_table
        :func:`~territory.analysis.access.access`'s table for these communes, period and
        parameters, when it was computed elsewhere (the Dask engine); None computes it.

    Returns
    -------
    communes
        One row per commune, on the communes' index; ``attrs["contacts_outside"]`` counts
        the young people reached who live in none of the communes given.

    Examples
    --------
    >>> import shapely
    >>> communes = gpd.GeoDataFrame({"code_insee": ["a"], "youth": [100]},
    ...                             geometry=[shapely.box(0, 0, 1000, 1000)], crs=2154)
    >>> commune_table({"communes": communes})[["youth", "neet_est", "reached"]]
       youth  neet_est  reached
    0  100.0      12.9        0
    """
    communes = layers["communes"]
    counts, outside = _contact_counts(communes, layers.get("contacts"), period,
                                      layers.get("contact_counts"))
    table = demand(communes, reached=counts["reached"], params=params)
    table = table.join(counts)
    table["contacts_per_1000"] = (table["reached"] / table["youth"] * 1000).where(
        table["youth"] > 0)
    table = table.join(funnel_rates(table))
    reach = access_table if access_table is not None else access(
        communes, layers.get("sites", _empty_points()), actions=layers.get("actions"),
        mairies=layers.get("mairies"), period=period, params=params,
        routed=Routed.of(layers))
    if not reach.index.equals(communes.index):
        raise InputError("access_table: its index is not the communes'; expected the table "
                         "access() returns for these communes")
    table = table.join(reach)
    table["covered_youth"] = table["youth"] * table["covered"]
    table["covered_share"] = table["covered"].astype("float64").where(table["youth"] > 0)
    for key in ("dep_code", "epci_code"):
        if key in communes:
            table[key] = communes[key]
    table.attrs["contacts_outside"] = outside
    return table


def _zone_frame(kind: str, resolution: int | None, layers: Mapping[str, pd.DataFrame],
                hexagons: tuple[Crosswalk, gpd.GeoSeries] | None = None,
                ) -> tuple[Crosswalk, gpd.GeoDataFrame]:
    """Return the crosswalk to the level's zones, and their names and polygons."""
    communes = layers["communes"]
    if kind == "h3":
        walk, cells = hexagons or by_hexagons(communes, resolution=resolution or 7)
        return walk, gpd.GeoDataFrame({"zone_name": cells.index.to_numpy()},
                                      geometry=cells, index=cells.index)
    layer, key, name, label = _NAMES[kind]
    if kind == "catchment":
        if "catchment_members" not in layers:
            raise InputError("level 'catchment' needs the catchment_members layer; import "
                             "catchments first (territory import catchments FILE)")
        walk = by_members(communes, layers["catchment_members"])
    else:
        walk = by_code(communes, key, label=label)
    return walk, _zone_shapes(walk, communes, layers.get(layer), key, name)


def _zone_shapes(walk: Crosswalk, communes: gpd.GeoDataFrame, layer: pd.DataFrame | None,
                 key: str, name: str) -> gpd.GeoDataFrame:
    if layer is not None and set(walk.zones) <= set(layer[key]):
        known = layer.drop_duplicates(key).set_index(key).reindex(walk.zones)
        names = (known[name] if name in known else pd.Series(np.nan, index=walk.zones))
        shapes = gpd.GeoDataFrame({"zone_name": names.fillna(walk.zones.to_series())},
                                  geometry=known.geometry, crs=CRS)
        for extra in (c for c in _EXTRA if c in known):
            shapes[extra] = known[extra]
        return shapes
    parts = gpd.GeoDataFrame({"zone_id": walk.zones[walk.zone]},
                             geometry=communes.geometry.to_numpy()[walk.row], crs=CRS)
    shapes = parts.dissolve("zone_id").reindex(walk.zones)
    return gpd.GeoDataFrame({"zone_name": walk.zones}, geometry=shapes.geometry,
                            index=walk.zones, crs=CRS)


def _commune_zones(communes: gpd.GeoDataFrame, table: pd.DataFrame) -> pd.DataFrame:
    names = communes["nom"] if "nom" in communes else communes["code_insee"]
    zones = table.copy()
    zones.insert(0, "zone_id", communes["code_insee"].astype("object"))
    zones.insert(1, "zone_name", names.astype("object"))
    zones["apportionment"] = "commune"
    return zones.drop(columns=["covered"])


def _memberships(kind: str, layers: Mapping[str, pd.DataFrame]) -> pd.DataFrame | None:
    """Communes of each ML catchment: a group whose total the catchment table publishes."""
    members = layers.get("catchment_members")
    if kind != "commune" or members is None:
        return None
    return pd.DataFrame({"zone_id": members["code_insee"], "group": members["ml_code"]})


def _order(frame: pd.DataFrame) -> list[str]:
    first = [c for c in (*INDICATOR_COLUMNS, *COMPONENT_COLUMNS) if c in frame]
    return first + [c for c in frame.columns if c not in first and c != "geometry"]


def indicators(
    layers: Mapping[str, pd.DataFrame],
    *,
    level: str = "commune",
    period: PeriodLike = None,
    threshold_min: float | None = None,
    params: Parameters = DEFAULTS,
    public: bool = False,
    access_table: pd.DataFrame | None = None,
    hexagons: tuple[Crosswalk, gpd.GeoSeries] | None = None,
) -> gpd.GeoDataFrame:
    """Return every indicator of every zone of ``level`` (the indicator contract).

    Parameters
    ----------
    layers
        Workspace layers by name: ``communes`` (required), ``mairies``, ``sites``,
        ``actions``, ``contacts`` (or, without it, ``contact_counts``: young people counted
        per commune for given periods, see
        :func:`~territory.analysis.contacts.counts_of_period`), ``catchment_members`` (for
        ``catchment``), and for names
        and polygons ``catchments``, ``epci``, ``departements``. GeoDataFrames in EPSG:2154.
    level
        ``commune``, ``epci``, ``catchment``, ``departement`` or ``h3:6`` … ``h3:8``.
    period
        ``(start, end)``, both included, e.g. ``("2020-01", "2021-11")``; None for the whole
        record (and the sites open today).
    threshold_min
        Access threshold; None keeps ``params.threshold_min`` (30 min, France Services).
    params
        Every default with its source (:class:`~territory.analysis.params.Parameters`).
    public
        Mask small counts and whatever would reveal them
        (:func:`~territory.analysis.suppression.publish`: small counts masked, score and rank
        from published figures only, threshold
        ``params.suppression_threshold``, default 11, digiNEET).
    access_table
        The communes' access table computed elsewhere (see :func:`commune_table`).
    hexagons
        For an ``h3`` level, the crosswalk and hexagons computed elsewhere (as
        :func:`~territory.analysis.hexagons.by_hexagons` returns them); None builds them.

    Returns
    -------
    indicators
        One row per zone: the contract columns (:data:`INDICATOR_COLUMNS`), the score's
        components and sources (:data:`COMPONENT_COLUMNS`), then geometry. At commune level
        the rows are on the communes' index. ``attrs`` holds the level, the period and the
        methodology rows (``attrs["sources"]``).

    Examples
    --------
    >>> import shapely
    >>> communes = gpd.GeoDataFrame({"code_insee": ["a"], "nom": ["A"], "youth": [100]},
    ...                             geometry=[shapely.box(0, 0, 1000, 1000)], crs=2154)
    >>> indicators({"communes": communes})[["zone_name", "neet_est", "gap_rank"]]
      zone_name  neet_est  gap_rank
    0         A      12.9         1
    """
    if threshold_min is not None:
        params = params.replace(threshold_min=threshold_min)
    if "communes" not in layers:
        raise InputError("layers: no `communes` layer; expected at least the communes")
    check_layers(layers, _LAYER_SPEC)
    kind, resolution = parse_level(level)
    as_period(period)
    table = commune_table(layers, period=period, params=params, access_table=access_table)
    zones, geometry, _ = _level(kind, resolution=resolution, layers=layers, table=table,
                                params=params, hexagons=hexagons)
    result = gpd.GeoDataFrame(zones[_order(zones)], geometry=np.asarray(geometry), crs=CRS)
    if public and kind in PROTECTED_LEVELS:
        result = gpd.GeoDataFrame(
            public_tables(layers, table, params=params)[kind], geometry=result.geometry,
            crs=CRS)
    elif public:
        result = publish(result, params=params, memberships=_memberships(kind, layers))
    youth_source = "; ".join(sorted(set(zones["youth_source"].dropna().astype(str))))
    result.attrs = {"level": level, "period": _period_bounds(period),
                    "parameters": params.as_dict(), "public": public,
                    "contacts_outside": table.attrs.get("contacts_outside", 0),
                    "sources": _sources(params, youth_source, layers)
                    .to_dict("records")}
    return result


def _level(kind: str, *, resolution: int | None, layers: Mapping[str, pd.DataFrame],
           table: pd.DataFrame, params: Parameters,
           hexagons: tuple[Crosswalk, gpd.GeoSeries] | None = None,
           ) -> tuple[pd.DataFrame, gpd.GeoSeries, Crosswalk | None]:
    """Return one level's zones with their score, their shapes and the crosswalk to them."""
    if kind == "commune":
        zones, geometry = _commune_zones(layers["communes"], table), layers["communes"].geometry
        walk = None
    else:
        walk, shapes = _zone_frame(kind, resolution, layers, hexagons)
        zones = aggregate(table, walk)
        zones = pd.DataFrame(shapes.drop(columns="geometry")).join(zones)
        zones.insert(0, "zone_id", zones.index.to_numpy())
        geometry = shapes.geometry.reindex(zones.index)
        zones, geometry = zones.reset_index(drop=True), geometry.reset_index(drop=True)
    return zones.join(gap_score(zones, params=params)), geometry, walk


def public_tables(layers: Mapping[str, pd.DataFrame], table: pd.DataFrame | None = None, *,
                  period: PeriodLike = None,
                  params: Parameters = DEFAULTS) -> dict[str, pd.DataFrame]:
    """Return the public tables of every level whose counts add up, masked together.

    The communes, EPCI, Mission Locale catchments and départements of a period, and the
    region's total (``"region"``, one row), are published together and sum into each other:
    they are masked at once (:func:`~territory.analysis.protection.protect`) so that no
    table, nor any two read together, gives a small count back. Scores and ranks are then
    those of the published figures (:func:`~territory.analysis.suppression.with_public_score`).
    Periods are masked one by one: public outputs show only the whole record and calendar
    years (:func:`~territory.analysis.period.public_periods`).

    Parameters
    ----------
    layers
        Workspace layers (``communes``; ``catchment_members`` for the catchments).
    table
        The communes' table (:func:`commune_table`) of ``period``, when computed already.
    period, params
        As for :func:`indicators`.

    Returns
    -------
    tables
        By level name (:data:`PROTECTED_LEVELS` present, and ``"region"``), without shapes.
    """
    if table is None:
        table = commune_table(layers, period=period, params=params)
    communes = layers["communes"]
    raw: dict[str, pd.DataFrame] = {}
    links: list[Link] = []
    for kind in PROTECTED_LEVELS:
        if kind == "catchment" and "catchment_members" not in layers:
            continue
        if kind in {"epci", "departement"} and _NAMES[kind][1] not in communes:
            continue
        zones, _, walk = _level(kind, resolution=None, layers=layers, table=table,
                                params=params)
        raw[kind] = zones[_order(zones)]
        if walk is not None:
            position = pd.Index(raw[kind]["zone_id"]).get_indexer(walk.zones[walk.zone])
            links.append(Link(kind, "commune", position.astype(np.intp), walk.row,
                              walk.weight))
    zones = raw["commune"]
    raw["region"] = headline_row({c: float(zones[c].sum()) for c in HEADLINE_SUMS
                                  if c in zones}, name="Région")
    links.append(Link("region", "commune", np.zeros(len(zones), dtype=np.intp),
                      np.arange(len(zones), dtype=np.intp), np.ones(len(zones))))
    links += nested_links(links, {k: len(v) for k, v in raw.items()})
    covers = ([("catchment", "epci", "commune"), ("epci", "catchment", "commune")]
              if {"catchment", "epci"} <= set(raw) else [])
    costs = {name: {"commune": 0, "epci": 1}.get(name, 2) for name in raw}
    public = protect(raw, links, threshold=params.suppression_threshold, covers=covers,
                     costs=costs)
    return {kind: with_public_score(frame, params=params) for kind, frame in public.items()}


def _period_bounds(period: PeriodLike) -> list[str | None] | None:
    """Return the period's first and last days as text (None: the whole record)."""
    span = as_period(period)
    if span.is_whole_record:
        return None
    return [None if day is None else f"{day:%Y-%m-%d}" for day in (span.start, span.last_day)]


def _sources(params: Parameters, youth_source: str, layers: Mapping[str, pd.DataFrame]
             ) -> pd.DataFrame:
    """Return the methodology rows, saying whether times were routed, from which feeds."""
    routed = Routed.of(layers)
    return params.sources(youth_source=youth_source,
                          routed=routed is not None and routed.on_roads,
                          feeds=routed.feeds_text() if routed is not None else None)
