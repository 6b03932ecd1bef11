"""The coverage model of a workspace's layers: communes as demand, sites as ArcGIS names them.

Demand: each commune's young people (``youth``) and estimated invisible young people
(``invisible_est``, from :func:`territory.analysis.indicators`: youth × NEET rate × invisible
share, minus those already reached), at its town hall. Sites: the ML sites in service
(required), the period's outreach places (competitors: they already reach the young people
around them, as in the indicators' access), the candidates (town halls, the user's places,
hexagon centres far from any town hall) and the competitors the user imports. The period
follows :mod:`territory.analysis.period`, so the model's coverage with no new site is the
``covered_youth`` of ``territory indicators``.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import pandas as pd

from territory._errors import InputError
from territory.analysis import PeriodLike, indicators, outreach_places
from territory.analysis.params import DEFAULTS, Parameters
from territory.analysis.travel import Routed
from territory.planning.candidates import (
    existing_sites,
    hexagon_candidates,
    planning_sites,
    town_hall_candidates,
    user_sites,
)
from territory.planning.model import CANDIDATE, COMPETITOR, CoverageModel

__all__ = ["layer_sites", "model_from_layers", "outreach_competitors"]

_DEMAND = ("youth", "invisible_est")


def _demand(layers: Mapping[str, pd.DataFrame], params: Parameters, period: PeriodLike,
            table: pd.DataFrame | None) -> gpd.GeoDataFrame:
    communes = layers["communes"]
    if table is None:
        known = {k: v for k, v in layers.items() if k in ("communes", "mairies", "sites",
                                                          "actions", "contacts",
                                                          "contact_counts")}
        table = indicators(known, level="commune", period=period, params=params)
    elif len(table) != len(communes):
        raise InputError(f"table has {len(table)} rows; expected the commune indicators of "
                         f"the {len(communes)} communes, in the communes layer's order")
    keep = [c for c in ("code_insee", "nom", "dep_code", "epci_code", "no_car_share")
            if c in communes]
    demand = gpd.GeoDataFrame(communes[keep].copy(), geometry=communes.geometry.to_numpy(),
                              crs=communes.crs, index=communes.index)
    for column in _DEMAND:
        demand[column] = pd.to_numeric(table[column]).to_numpy(dtype="float64")
    return demand


def _one_ml(demand: gpd.GeoDataFrame, members: pd.DataFrame | None,
            ml: str) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    if members is None or ml not in set(members["ml_code"].unique()):
        known = sorted(members["ml_code"].unique()) if members is not None else []
        raise InputError(f"no Mission Locale {ml!r} in `catchment_members`; expected one of "
                         f"{known}")
    mine = members[members["ml_code"] == ml]
    share = mine.set_index("code_insee")["share"].fillna(1.0) if "share" in mine else None
    demand = demand[demand["code_insee"].isin(mine["code_insee"])].copy()
    if share is not None:
        factor = demand["code_insee"].map(share).to_numpy(dtype="float64")
        for column in _DEMAND:
            demand[column] = demand[column] * factor
    return demand, mine.assign(share=1.0)


def _one_departement(demand: gpd.GeoDataFrame, departement: str) -> gpd.GeoDataFrame:
    codes = demand["dep_code"].astype(str) if "dep_code" in demand else None
    if codes is None or departement not in set(codes):
        known = sorted(set(codes)) if codes is not None else []
        raise InputError(f"no département {departement!r} among the communes (`dep_code`); "
                         f"expected one of {known}")
    return demand[codes == departement]


def outreach_competitors(actions: gpd.GeoDataFrame, *,
                         period: PeriodLike = None) -> gpd.GeoDataFrame:
    """Return the period's outreach places, one per point, as competitors (``aller-vers-<n>``).

    Examples
    --------
    >>> actions = gpd.GeoDataFrame({"kind": ["maraude", "maraude"]}, crs=2154,
    ...                            geometry=gpd.points_from_xy([0, 0], [0, 0]))
    >>> outreach_competitors(actions)["site_id"].tolist()
    ['aller-vers-1']
    """
    places = outreach_places(actions, period=period)
    points = gpd.GeoDataFrame(geometry=places.geometry.to_numpy(), crs=places.crs)
    points = points[~points.geometry.to_wkb().duplicated()].reset_index(drop=True)
    points["site_id"] = [f"aller-vers-{k + 1}" for k in range(len(points))]
    points["name"] = "Lieu d’aller-vers"
    return user_sites(points, role=COMPETITOR, source="aller-vers")


def layer_sites(layers: Mapping[str, pd.DataFrame], *,
                candidates: str | gpd.GeoDataFrame = "mairies",
                competitors: gpd.GeoDataFrame | None = None, hexagons: bool = True,
                period: PeriodLike = None, outreach: bool = True) -> gpd.GeoDataFrame:
    """Return every site of a workspace's layers, each placed in its commune and catchment.

    The sites of :func:`model_from_layers` before it keeps the candidates of one Mission
    Locale or département: the same for every selection of a period, so a caller that
    plans many selections computes them once (placing each site in its commune is a
    nearest-polygon search). The arguments are :func:`model_from_layers`'s.
    """
    if "communes" not in layers or "mairies" not in layers:
        raise InputError("layers: expected at least `communes` and `mairies`")
    communes, mairies = layers["communes"], layers["mairies"]
    parts = []
    if "sites" in layers and len(layers["sites"]):
        parts.append(existing_sites(layers["sites"], period=period))
    if isinstance(candidates, str):
        if candidates != "mairies":
            raise InputError(f"candidates is {candidates!r}; expected 'mairies' or a "
                             "GeoDataFrame of places")
        parts.append(town_hall_candidates(mairies))
    else:
        parts.append(user_sites(candidates, role=CANDIDATE))
    if hexagons:
        parts.append(hexagon_candidates(communes, mairies))
    if outreach and "actions" in layers and len(layers["actions"]):
        parts.append(outreach_competitors(layers["actions"], period=period))
    if competitors is not None:
        parts.append(user_sites(competitors, role=COMPETITOR, source="autre service"))
    return planning_sites(parts, communes, members=layers.get("catchment_members"))


def model_from_layers(layers: Mapping[str, pd.DataFrame], *,
                      candidates: str | gpd.GeoDataFrame = "mairies",
                      competitors: gpd.GeoDataFrame | None = None, hexagons: bool = True,
                      ml: str | None = None, departement: str | None = None,
                      period: PeriodLike = None, outreach: bool = True,
                      table: pd.DataFrame | None = None, threshold_min: float | None = None,
                      cutoff_min: float | None = None,
                      params: Parameters = DEFAULTS,
                      sites: gpd.GeoDataFrame | None = None) -> CoverageModel:
    """Return the coverage model of a workspace's layers.

    Parameters
    ----------
    layers
        ``communes``, ``mairies``, ``sites`` and, when present, ``actions`` and ``contacts``
        (for the invisible estimate) and ``catchment_members`` (Missions Locales).
    candidates
        ``"mairies"`` for every town hall, or a GeoDataFrame of the user's places.
    competitors
        Places of other services already reaching young people (EPSG:2154).
    hexagons
        Add hexagon centres where no town hall is near.
    ml
        Plan for one Mission Locale: its communes (its share of shared ones) and the
        candidates in its catchment; every existing site still counts.
    departement
        Plan for one département (``dep_code``): its communes and the candidates in it
        (with ``ml``: the ML's communes in the département).
    period
        The period (:mod:`territory.analysis.period`): the sites in service at its end, its
        outreach places and the young people reached in it; default the whole record.
    outreach
        Count the period's physical outreach places (``actions``) as competitors, as the
        indicators' access does (default True).
    table
        The communes' indicators for these layers, period and threshold, when computed
        already (one row per commune, in the layer's order); None computes them.
    threshold_min, cutoff_min, params
        As in :meth:`CoverageModel.from_geodataframe`.
    sites
        The sites of these layers and arguments (:func:`layer_sites`), when computed
        already; None computes them.

    Returns
    -------
    model
        Demand on the communes' index, sites indexed by ``site_id``.
    """
    if "communes" not in layers or "mairies" not in layers:
        raise InputError("layers: expected at least `communes` and `mairies`")
    params = params if threshold_min is None else params.replace(threshold_min=threshold_min)
    if sites is None:
        sites = layer_sites(layers, candidates=candidates, competitors=competitors,
                            hexagons=hexagons, period=period, outreach=outreach)
    members = layers.get("catchment_members")
    demand = _demand(layers, params, period, table)
    if ml is not None:
        demand, members = _one_ml(demand, members, ml)
    if departement is not None:
        demand = _one_departement(demand, departement)
    if ml is not None:
        sites = sites[(sites["role"] != CANDIDATE) | (sites["group"] == ml)]
    if departement is not None:
        sites = sites[(sites["role"] != CANDIDATE)
                      | (sites["dep_code"].astype(str) == departement)]
    return CoverageModel.from_geodataframe(demand, sites, mairies=layers["mairies"],
                                           members=members,
                                           threshold_min=params.threshold_min,
                                           cutoff_min=cutoff_min, params=params,
                                           routed=Routed.of(layers))
