"""The figures of the report, computed once through :mod:`territory.analysis`.

Everything a page prints about young people comes from here, already safe to publish:

- communes: :func:`~territory.analysis.indicators` over the whole region (so that a commune
  has the same score and rank in the region's report and in its ML's), masked once by
  :func:`~territory.analysis.publish` with the département, the EPCI and each ML's territory
  as groups, as ``indicators(..., public=True)`` masks them: every report and every public
  table shows the same masks, and no ML's total less its communes gives a small count;
- Missions Locales: the catchment table of the 43 MLs with ``public=True`` masks, shared by
  every report, so that no two reports mask differently what a reader could subtract;
- the least-reached communes: ranked by the score computed from published figures only
  (:func:`publishable_score`), since a commune's place in a list ordered by the score itself,
  between communes whose counts are printed, would bound its masked count;
- the map's classes: the region's quintiles of the published ``gap_rank``
  (:func:`territory.viz.classes.map_classes`), the dashboards' and the standalone map's;
- totals: the sum over the MLs (a total the masks allow to publish), itself masked when it is
  a small count; an ML's totals are its own row of the public table;
- contacts over time: :func:`~territory.analysis.contact_series` of the young people living
  in the territory, masked the same way, by month, or by quarter (or for the whole period)
  when too many months are small counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd

from territory._errors import InputError
from territory._french import area_name
from territory.analysis import (
    Parameters,
    PeriodLike,
    as_period,
    contact_series,
    gap_reasons,
    indicators,
    open_sites,
    outreach_places,
    period_text,
    public_tables,
    suppress,
)
from territory.analysis.headline import public_headline
from territory.analysis.params import DEFAULTS
from territory.analysis.suppression import publishable_score
from territory.viz.classes import MapClasses, map_classes

REQUIRED = ("communes", "catchments", "catchment_members")
SUM_COLUMNS = ("youth", "neet_est", "invisible_est", "reached", "repere", "mobilise",
               "accompagne", "covered_youth")
# Above this share of masked months, count by quarter (then over the whole period).
_MAX_SMALL_MONTHS = 0.25


@dataclass(frozen=True, eq=False)
class ReportData:
    """What the pages draw: public tables, the territory's places, labels and parameters."""

    territory: str
    ml_code: str | None
    period: PeriodLike
    period_label: str
    demo: bool
    params: Parameters
    communes: gpd.GeoDataFrame
    region_size: int
    score_classes: MapClasses
    potential_max: float
    public_communes: pd.DataFrame
    catchments: pd.DataFrame
    total: pd.DataFrame
    region_total: pd.DataFrame
    series: pd.DataFrame
    series_freq: str
    series_note: str
    sites: gpd.GeoDataFrame
    places: gpd.GeoDataFrame
    actions: int
    ml_of_commune: pd.Series
    sites_by_ml: pd.Series
    actions_by_ml: pd.Series
    sources: tuple[dict[str, str], ...]
    layers: Mapping[str, pd.DataFrame]
    metadata: Mapping[str, Any]

    @property
    def region(self) -> bool:
        """Whether the report covers the whole region (no ``ml_code``)."""
        return self.ml_code is None


def is_demo(metadata: Mapping[str, Any]) -> bool:
    """Whether the workspace metadata mark any layer as demo data (as ``Workspace.is_demo``).

    Examples
    --------
    >>> is_demo({"demo": False, "layers": {"contacts": {"demo": True}}})
    True
    """
    return bool(metadata.get("demo")) or any(
        bool(v.get("demo")) for v in metadata.get("layers", {}).values())


def check_layers(layers: Mapping[str, pd.DataFrame], ml_code: str | None) -> None:
    """Raise when a layer the report needs is missing or ``ml_code`` is unknown."""
    missing = [name for name in REQUIRED if name not in layers]
    if missing:
        raise InputError(f"layers: missing {missing}; the report needs {list(REQUIRED)} "
                         "(import catchments first: territory import catchments FILE)")
    if ml_code is not None:
        known = sorted(str(c) for c in layers["catchments"]["ml_code"].unique())
        if ml_code not in known:
            raise InputError(f"--ml {ml_code!r} is not a Mission Locale of layer `catchments`; "
                             f"expected one of {known}")


def _record_dates(layers: Mapping[str, pd.DataFrame]) -> list[pd.Series]:
    """Return the dates of the actions and contacts: an open period's bounds, as the dashboards."""
    return [pd.to_datetime(layers[name]["date"]) for name in ("actions", "contacts")
            if name in layers and "date" in layers[name]]


def _empty(layers: Mapping[str, pd.DataFrame], name: str) -> gpd.GeoDataFrame:
    frame = layers.get(name)
    if isinstance(frame, gpd.GeoDataFrame):
        return frame
    return gpd.GeoDataFrame({"ml_code": pd.Series(dtype="object")},
                            geometry=gpd.GeoSeries([], crs=2154))


def _in_period(frame: pd.DataFrame, period: PeriodLike) -> pd.DataFrame:
    if not period or "date" not in frame or frame.empty:
        return frame
    return frame[as_period(period).contains(frame["date"])]


def total_row(raw: pd.DataFrame, *, name: str, threshold: int) -> pd.DataFrame:
    """Return the one-row public total of a raw zone table (sums, rates, small counts masked).

    Examples
    --------
    >>> zones = pd.DataFrame({"youth": [100.0, 50.0], "neet_est": [12.9, 6.45],
    ...     "invisible_est": [4.0, 2.0], "reached": [3.0, 4.0], "repere": [3.0, 4.0],
    ...     "mobilise": [2.0, 1.0], "accompagne": [1.0, 0.0], "covered_youth": [100.0, 0.0]})
    >>> total_row(zones, name="Région", threshold=11)[["reached", "reached_secret"]]
       reached reached_secret
    0      NaN           < 11
    """
    return public_headline({col: float(raw[col].sum()) for col in SUM_COLUMNS if col in raw},
                           threshold=threshold, name=name)


def _series(contacts: pd.DataFrame | None, period: PeriodLike,
            threshold: int) -> tuple[pd.DataFrame, str]:
    """Return young people in contact per month, per quarter, or over the whole period.

    The first whose share of masked counts is at most :data:`_MAX_SMALL_MONTHS` wins.
    """
    if contacts is None or contacts.empty:
        return pd.DataFrame({"period": [], "reached": [], "reached_secret": []}), "month"
    public = pd.DataFrame()
    for freq in ("month", "quarter", None):
        raw = contact_series(contacts, freq=freq, period=period)[["period", "reached"]]
        public = suppress(raw, threshold=threshold, groups=[])
        if public["reached_secret"].notna().mean() <= _MAX_SMALL_MONTHS:
            return public, freq or "period"
    return public, "period"


COUNTED_NOTE = ("Les contacts sont conservés sous forme de comptes par période (jeunes "
                "distincts par commune de résidence), sans dates : pas de courbe dans le "
                "temps, seulement le total de la période.")


def _counted(layers: Mapping[str, pd.DataFrame]) -> bool:
    """Tell whether the young people reached come from counts kept instead of contacts."""
    contacts, counts = layers.get("contacts"), layers.get("contact_counts")
    return (contacts is None or contacts.empty) and counts is not None and not counts.empty


def _counted_total(total: pd.DataFrame) -> pd.DataFrame:
    """Return the period's total as a one-row series (already masked when small)."""
    row = total.iloc[0]
    return pd.DataFrame({"period": [None], "reached": [row["reached"]],
                         "reached_secret": [row.get("reached_secret")]})


def _too_few(series: pd.DataFrame) -> str:
    """Say why an ML's curve is not shown, with its total over the period."""
    row = series.iloc[0] if len(series) else pd.Series({"reached": 0.0})
    secret = row.get("reached_secret")
    total = str(secret) if isinstance(secret, str) else f"{row['reached']:.0f}"
    return ("Trop peu de jeunes en contact par trimestre sur le territoire pour publier sa "
            f"courbe sans révéler de petits effectifs (secret statistique) : {total} jeunes "
            "sur toute la période. Courbe de la région, pour comparaison.")


def _data_span(period: PeriodLike, contacts: pd.DataFrame | None) -> PeriodLike:
    """Return the period with its open bounds set to the first and last contact's dates."""
    if contacts is None or contacts.empty:
        return period
    span = as_period(period)
    dates = pd.to_datetime(contacts["date"]).dropna()
    if dates.empty:
        return period
    return (dates.min() if span.start is None else span.start,
            dates.max() if span.last_day is None else span.last_day)


def _ml_of_commune(members: pd.DataFrame) -> pd.Series:
    return members.groupby("code_insee")["ml_code"].agg(
        lambda codes: " / ".join(sorted(str(c) for c in codes)))


def _territory(layers: Mapping[str, pd.DataFrame], ml_code: str | None) -> str:
    if ml_code is not None:
        catchments = layers["catchments"]
        return str(catchments.loc[catchments["ml_code"] == ml_code, "ml_name"].iloc[0])
    region = layers.get("region")
    if region is not None and len(region) and "nom" in region:
        return area_name(region["nom"].astype(str).tolist())
    return "Région"


@dataclass(frozen=True, eq=False)
class _Activity:
    """Sites open in the period, outreach places and actions of the period, contacts."""

    sites: gpd.GeoDataFrame
    places: gpd.GeoDataFrame
    actions: pd.DataFrame
    contacts: pd.DataFrame | None

    @classmethod
    def of(cls, layers: Mapping[str, pd.DataFrame], period: PeriodLike) -> _Activity:
        actions = layers.get("actions", pd.DataFrame({"ml_code": pd.Series(dtype=object)}))
        return cls(open_sites(_empty(layers, "sites"), period=period),
                   outreach_places(_empty(layers, "actions"), period=period),
                   _in_period(actions, period), layers.get("contacts"))

    def only(self, ml_code: str, codes: set[str]) -> _Activity:
        """Return the ML's own sites and actions, and its territory's residents' contacts."""
        contacts = self.contacts
        if contacts is not None:
            contacts = contacts[contacts["code_insee"].isin(codes)]
        return _Activity(self.sites[self.sites["ml_code"] == ml_code],
                         self.places[self.places["ml_code"] == ml_code],
                         self.actions[self.actions["ml_code"] == ml_code], contacts)


def main_ml(members: pd.DataFrame) -> pd.Series:
    """Return each commune's main ML: the largest share, then the first code.

    Examples
    --------
    >>> members = pd.DataFrame({"ml_code": ["M2", "M1", "M1"], "code_insee": ["a", "a", "b"],
    ...                         "share": [0.5, 0.5, 1.0]})
    >>> main_ml(members).to_dict()
    {'a': 'M1', 'b': 'M1'}
    """
    share = members["share"] if "share" in members else pd.Series(1.0, index=members.index)
    ordered = members.assign(_share=share.fillna(0)).sort_values(
        ["code_insee", "_share", "ml_code"], ascending=[True, False, True], kind="stable")
    return ordered.drop_duplicates("code_insee").set_index("code_insee")["ml_code"]


def _public_communes(public: pd.DataFrame, members: pd.DataFrame,
                     params: Parameters) -> pd.DataFrame:
    """Add to the region's public commune table what the reports print beside it.

    The masks are those of every public table (:func:`territory.analysis.public_tables`:
    communes, EPCI, MLs, départements and the region masked together), so that no report,
    nor two reports read together, nor a report and a table, give back a small count.
    """
    table = pd.DataFrame(public.drop(columns="geometry", errors="ignore")).copy()
    table["main_ml"] = table["zone_id"].map(main_ml(members)).fillna("")
    table["reasons"] = gap_reasons(table, params=params)
    return pd.concat([table, publishable_score(table, params=params)], axis=1)


def public_communes(layers: Mapping[str, pd.DataFrame], *, period: PeriodLike = None,
                    params: Parameters = DEFAULTS) -> pd.DataFrame:
    """Return the region's commune indicators as every public output shows them.

    The masks are those of every report (see this module): a map or a table handed out with
    them masks exactly what the reports mask, so that reading them together gives nothing
    back. ``reasons`` says why each commune scores high, from its published figures.

    Parameters
    ----------
    layers
        Workspace layers by name, in EPSG:2154, with ``catchment_members``.
    period
        ``(start, end)``, both included; None for the whole record.
    params
        Threshold, rates, weights and the suppression threshold (11).

    Returns
    -------
    public
        One row per commune of the region, on the communes layer's order.
    """
    check_layers(layers, None)
    tables = public_tables(layers, period=period, params=params)
    return _public_communes(tables["commune"], layers["catchment_members"], params)


def collect(layers: Mapping[str, pd.DataFrame], *, metadata: Mapping[str, Any],
            ml_code: str | None, period: PeriodLike, params: Parameters) -> ReportData:
    """Compute every public figure of the report of the region or of one ML."""
    check_layers(layers, ml_code)
    threshold = params.suppression_threshold
    raw_communes = indicators(layers, level="commune", period=period, params=params)
    raw_zones = indicators(layers, level="catchment", period=period, params=params)
    tables = public_tables(layers, period=period, params=params)
    catchments = gpd.GeoDataFrame(tables["catchment"], geometry=raw_zones.geometry.to_numpy(),
                                  crs=raw_zones.crs)
    region = _Activity.of(layers, period)
    region_total = tables["region"].assign(zone_name=_territory(layers, None))
    scope, total, local = raw_communes, region_total, region
    if ml_code is not None:
        members = layers["catchment_members"]
        codes = set(members.loc[members["ml_code"] == ml_code, "code_insee"])
        scope = raw_communes[raw_communes["zone_id"].isin(codes)]
        total = catchments[catchments["zone_id"] == ml_code].reset_index(drop=True)
        local = region.only(ml_code, codes)
    span = _data_span(period, region.contacts)
    series, freq = _series(local.contacts, span, threshold)
    public = _public_communes(tables["commune"], layers["catchment_members"], params)
    note = ""
    if _counted(layers):
        series, freq, note = _counted_total(total), "period", COUNTED_NOTE
    elif freq == "period" and ml_code is not None:
        note = _too_few(series)
        series, freq = _series(region.contacts, span, threshold)
    return ReportData(
        territory=_territory(layers, ml_code), ml_code=ml_code, period=period,
        period_label=period_text(period, _record_dates(layers)), demo=is_demo(metadata),
        params=params, communes=scope, region_size=len(raw_communes),
        score_classes=map_classes(raw_communes, "gap_score",
                                  threshold_min=params.threshold_min),
        potential_max=float((raw_communes["neet_est"] * params.invisible_share).max()),
        public_communes=public.loc[scope.index], catchments=catchments, total=total,
        region_total=region_total, series=series, series_freq=freq, series_note=note,
        sites=local.sites,
        places=local.places, actions=len(local.actions),
        ml_of_commune=_ml_of_commune(layers["catchment_members"]),
        sites_by_ml=region.sites["ml_code"].astype(str).value_counts(),
        actions_by_ml=region.actions["ml_code"].astype(str).value_counts(),
        sources=tuple(raw_communes.attrs["sources"]), layers=layers, metadata=metadata)
