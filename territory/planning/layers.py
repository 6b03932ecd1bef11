"""The coverage model of a workspace's layers: communes as demand, sites as ArcGIS names them.

Demand: each commune's young people (``youth``) and estimated invisible young people
(``invisible_est``, from :func:`territory.analysis.indicators`: youth × NEET rate × invisible
share, minus those already reached), at its town hall. Sites: the ML sites open today
(required), the candidates (town halls, the user's places, hexagon centres far from any town
hall) and the competitors the user imports.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import pandas as pd

from territory._errors import InputError
from territory.analysis import indicators
from territory.analysis.params import DEFAULTS, Parameters
from territory.planning.candidates import (
    existing_sites,
    hexagon_candidates,
    planning_sites,
    town_hall_candidates,
    user_sites,
)
from territory.planning.model import CANDIDATE, COMPETITOR, CoverageModel

__all__ = ["model_from_layers"]

_DEMAND = ("youth", "invisible_est")


def _demand(layers: Mapping[str, pd.DataFrame], params: Parameters) -> gpd.GeoDataFrame:
    communes = layers["communes"]
    known = {k: v for k, v in layers.items() if k in ("communes", "mairies", "sites",
                                                      "actions", "contacts",
                                                      "contact_counts")}
    table = indicators(known, level="commune", params=params)
    keep = [c for c in ("code_insee", "nom", "dep_code", "epci_code") if c in communes]
    demand = gpd.GeoDataFrame(communes[keep].copy(), geometry=communes.geometry.to_numpy(),
                              crs=communes.crs, index=communes.index)
    for column in _DEMAND:
        demand[column] = table[column].to_numpy(dtype="float64")
    return demand


def _one_ml(demand: gpd.GeoDataFrame, members: pd.DataFrame | None,
            ml: str) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    if members is None or ml not in set(members["ml_code"]):
        known = sorted(set(members["ml_code"])) if members is not None else []
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


def model_from_layers(layers: Mapping[str, pd.DataFrame], *,
                      candidates: str | gpd.GeoDataFrame = "mairies",
                      competitors: gpd.GeoDataFrame | None = None, hexagons: bool = True,
                      ml: str | None = None, threshold_min: float | None = None,
                      cutoff_min: float | None = None,
                      params: Parameters = DEFAULTS) -> CoverageModel:
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
    threshold_min, cutoff_min, params
        As in :meth:`CoverageModel.from_geodataframe`.

    Returns
    -------
    model
        Demand on the communes' index, sites indexed by ``site_id``.
    """
    if "communes" not in layers or "mairies" not in layers:
        raise InputError("layers: expected at least `communes` and `mairies`")
    params = params if threshold_min is None else params.replace(threshold_min=threshold_min)
    communes, mairies = layers["communes"], layers["mairies"]
    members = layers.get("catchment_members")
    demand = _demand(layers, params)
    if ml is not None:
        demand, members = _one_ml(demand, members, ml)
    parts = []
    if "sites" in layers and len(layers["sites"]):
        parts.append(existing_sites(layers["sites"]))
    if isinstance(candidates, str):
        if candidates != "mairies":
            raise InputError(f"candidates is {candidates!r}; expected 'mairies' or a "
                             "GeoDataFrame of places")
        parts.append(town_hall_candidates(mairies))
    else:
        parts.append(user_sites(candidates, role=CANDIDATE))
    if hexagons:
        parts.append(hexagon_candidates(communes, mairies))
    if competitors is not None:
        parts.append(user_sites(competitors, role=COMPETITOR, source="autre service"))
    sites = planning_sites(parts, communes, members=layers.get("catchment_members"))
    if ml is not None:
        sites = sites[(sites["role"] != CANDIDATE) | (sites["group"] == ml)]
    return CoverageModel.from_geodataframe(demand, sites, mairies=mairies, members=members,
                                           threshold_min=params.threshold_min,
                                           cutoff_min=cutoff_min, params=params)
