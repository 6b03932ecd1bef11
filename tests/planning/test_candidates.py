"""Candidates: town halls, the user's places, hexagon centres far from any town hall."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy.spatial import cKDTree

from territory._errors import InputError
from territory.planning import (
    existing_sites,
    hexagon_candidates,
    planning_sites,
    town_hall_candidates,
    user_sites,
)

KM = 1000.0


def _communes() -> gpd.GeoDataFrame:
    # A small commune and a large one (40 km × 20 km) with its town hall in a corner.
    return gpd.GeoDataFrame(
        {"code_insee": ["00001", "00002"], "nom": ["Petite", "Grande"],
         "dep_code": ["33", "40"]},
        geometry=[shapely.box(0, 0, 5 * KM, 5 * KM), shapely.box(5 * KM, 0, 45 * KM, 20 * KM)],
        crs=2154)


def _mairies() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"code_insee": ["00001", "00002"],
                             "nom": ["Mairie de Petite", "Mairie de Grande"]},
                            geometry=gpd.points_from_xy([2.5 * KM, 6 * KM], [2.5 * KM, 1 * KM]),
                            crs=2154)


def test_hexagon_centres_are_inside_and_far_from_town_halls() -> None:
    communes, mairies = _communes(), _mairies()
    hexes = hexagon_candidates(communes, mairies, spacing_m=5 * KM, far_m=3 * KM)
    assert len(hexes) > 10
    xy = shapely.get_coordinates(hexes.geometry.to_numpy())
    distance, _ = cKDTree(shapely.get_coordinates(mairies.geometry.to_numpy())).query(xy)
    assert (distance > 3 * KM).all()
    assert hexes.geometry.within(communes.union_all()).all()
    assert set(hexes["code_insee"]) == {"00002"}
    assert hexes["site_id"].is_unique
    assert (hexes["role"] == "candidate").all()


def test_planning_sites_places_each_site() -> None:
    communes, mairies = _communes(), _mairies()
    sites = gpd.GeoDataFrame({"site_id": ["S1"], "ml_code": ["ML9"], "name": ["Siège"],
                              "closed": pd.to_datetime([None])},
                             geometry=[shapely.Point(KM, KM)], crs=2154)
    own = user_sites(gpd.GeoDataFrame({"name": ["Salle des fêtes"], "capacity": [12.0]},
                                      geometry=[shapely.Point(30 * KM, 10 * KM)], crs=2154))
    members = pd.DataFrame({"ml_code": ["ML1", "ML2", "ML1"],
                            "code_insee": ["00001", "00002", "00002"],
                            "share": [1.0, 0.7, 0.3]})
    table = planning_sites([existing_sites(sites), town_hall_candidates(mairies), own],
                           communes, members=members)
    assert list(table.index) == ["S1", "mairie-00001", "mairie-00002", "lieu-1"]
    assert table["role"].tolist() == ["required", "candidate", "candidate", "candidate"]
    assert table["group"].tolist() == ["ML9", "ML1", "ML2", "ML2"]
    assert table["code_insee"].tolist() == ["00001", "00001", "00002", "00002"]
    assert table["dep_code"].tolist() == ["33", "33", "40", "40"]
    assert table.loc["lieu-1", "capacity"] == 12.0


def test_duplicate_ids_are_refused() -> None:
    mairies = _mairies()
    with pytest.raises(InputError, match="mairie-00001"):
        planning_sites([town_hall_candidates(mairies), town_hall_candidates(mairies)],
                       _communes())


def test_closed_sites_are_not_required() -> None:
    sites = gpd.GeoDataFrame({"site_id": ["S1", "S2"],
                              "closed": pd.to_datetime([None, "2018-01-01"])},
                             geometry=gpd.points_from_xy([0, 1], [0, 0]), crs=2154)
    assert existing_sites(sites)["site_id"].tolist() == ["S1"]


def test_wrong_crs_is_named() -> None:
    with pytest.raises(InputError, match="EPSG:4326"):
        town_hall_candidates(_mairies().to_crs(4326))


def test_competitors_from_user_places() -> None:
    places = gpd.GeoDataFrame(geometry=gpd.points_from_xy([0.0, 1.0], [0.0, 0.0]), crs=2154)
    frame = user_sites(places, role="competitor", source="France Travail")
    assert frame["site_id"].tolist() == ["autre-1", "autre-2"]
    assert set(frame["role"]) == {"competitor"}
    assert np.all(frame["source"] == "France Travail")
