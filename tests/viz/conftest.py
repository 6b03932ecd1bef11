"""Fixtures of the map tests: a hand-built 3 × 3 grid of communes, and the real region.

The grid is nine 1 km squares in Lambert-93 near Bordeaux; two catchments split it (the two
left columns belong to a consortium member, the right column to a non-member), with sites of
every kind and actions of every kind, two of them online (no place).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from territory.io.workspace import Workspace

X0, Y0, SIDE_M = 417_000.0, 6_421_000.0, 1_000.0
CRS = "EPSG:2154"
YOUTH_SOURCE = "estimation de test : population × 10 %"


@pytest.fixture
def grid_communes() -> gpd.GeoDataFrame:
    """Nine square communes of 1 km², populations 100, 200, ..., 900."""
    squares = [shapely.box(X0 + i * SIDE_M, Y0 + j * SIDE_M, X0 + (i + 1) * SIDE_M,
                           Y0 + (j + 1) * SIDE_M) for j in range(3) for i in range(3)]
    population = np.arange(1, 10) * 100
    return gpd.GeoDataFrame(
        {
            "code_insee": [f"3390{i}" for i in range(1, 10)],
            "nom": [f"Commune {i}" for i in range(1, 10)],
            "dep_code": ["33"] * 9,
            "epci_code": ["200000001"] * 9,
            "population": population,
            "youth": population // 10,
            "youth_source": [YOUTH_SOURCE] * 9,
            "area_km2": [1.0] * 9,
        },
        geometry=shapely.multipolygons([[s] for s in squares]),
        crs=CRS,
    )


@pytest.fixture
def grid_catchments(grid_communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """ML01 (member) holds the two left columns, ML02 (non-member) the right column."""
    column = np.arange(9) % 3
    ml_code = np.where(column < 2, "ML01", "ML02")
    dissolved = grid_communes.assign(ml_code=ml_code).dissolve("ml_code").reset_index()
    return gpd.GeoDataFrame(
        {
            "ml_code": dissolved["ml_code"],
            "ml_name": ["Mission Locale de l’Ouest", "Mission Locale de l’Est"],
            "in_consortium": [True, False],
        },
        geometry=dissolved.geometry.values,
        crs=CRS,
    )


@pytest.fixture
def grid_sites() -> gpd.GeoDataFrame:
    """One site of each kind, one of them of a kind the map does not know."""
    kinds = ["siege", "antenne", "permanence", "partenaire", "point_info"]
    return gpd.GeoDataFrame(
        {
            "site_id": [f"S{i}" for i in range(5)],
            "ml_code": ["ML01", "ML01", "ML01", "ML02", "ML02"],
            "name": ["Siège", "Antenne & co", "Permanence <mairie>", "Partenaire", "Point"],
            "kind": kinds,
            "sessions_per_month": [20.0, 8.0, 2.0, 1.0, np.nan],
        },
        geometry=gpd.points_from_xy(X0 + 500 + 400 * np.arange(5), [Y0 + 1500] * 5),
        crs=CRS,
    )


@pytest.fixture
def grid_actions() -> gpd.GeoDataFrame:
    """Four placed actions (one per kind) and two online ones without a place."""
    kinds = ["maraude", "bus", "evenement", "partenaire", "numerique", "numerique"]
    geometry = [shapely.Point(X0 + 300 + 500 * i, Y0 + 2500) for i in range(4)] + [None, None]
    return gpd.GeoDataFrame(
        {
            "action_id": [f"A{i}" for i in range(6)],
            "ml_code": ["ML01", "ML01", "ML02", "ML02", "ML01", "ML02"],
            "kind": kinds,
            "date": pd.to_datetime(["2020-03-02", "2020-06-15", "2021-01-20", "2021-05-05",
                                    "2020-04-01", "2020-04-08"]),
            "youth_met": [5, 12, 40, 1, 30, 25],
        },
        geometry=gpd.GeoSeries(geometry, crs=CRS),
    )


@pytest.fixture(scope="session")
def region_layers(base_workspace_file: Path) -> dict[str, gpd.GeoDataFrame]:
    """The region's communes, with made-up catchments (one per département) and points.

    Sites stand at the town halls of the 60 most populated communes; actions at the town
    halls of 200 others, every fifth one online.
    """
    workspace = Workspace(base_workspace_file)
    communes = workspace.read("communes")
    mairies = workspace.read("mairies").set_index("code_insee")
    deps = communes.dissolve("dep_code").reset_index()
    catchments = gpd.GeoDataFrame(
        {"ml_code": "ML" + deps["dep_code"], "ml_name": "Mission Locale " + deps["dep_code"],
         "in_consortium": deps["dep_code"] != "23"},
        geometry=deps.geometry.values, crs=CRS,
    )
    ranked = communes.sort_values("population", ascending=False)
    site_codes, action_codes = ranked["code_insee"][:60], ranked["code_insee"][60:260]
    kinds = ["siege", "antenne", "permanence", "partenaire"]
    sites = gpd.GeoDataFrame(
        {"site_id": site_codes.to_numpy(), "ml_code": "ML" + site_codes.str[:2].to_numpy(),
         "name": "Site " + site_codes.to_numpy(), "kind": [kinds[i % 4] for i in range(60)]},
        geometry=mairies.geometry.loc[site_codes].to_numpy(), crs=CRS,
    )
    action_kinds = ["maraude", "bus", "evenement", "partenaire", "numerique"]
    online = np.arange(200) % 5 == 4
    places = np.where(online, None, mairies.geometry.loc[action_codes].to_numpy())
    actions = gpd.GeoDataFrame(
        {"action_id": action_codes.to_numpy(), "ml_code": "ML" + action_codes.str[:2].to_numpy(),
         "kind": [action_kinds[i % 5] for i in range(200)],
         "date": pd.Timestamp("2020-01-06") + pd.to_timedelta(np.arange(200) * 3, unit="D"),
         "youth_met": np.arange(200) % 17},
        geometry=gpd.GeoSeries(places, crs=CRS),
    )
    return {"communes": communes, "catchments": catchments, "sites": sites, "actions": actions}


@pytest.fixture
def grid_indicators(grid_communes: gpd.GeoDataFrame) -> pd.DataFrame:
    """Public indicators of the grid: commune 1 masked (« < 11 »), commune 2 « s ».

    Scores fall from commune 1 (rank 1) to commune 9; commune 5 is beyond the threshold.
    """
    codes = grid_communes["code_insee"].tolist()
    youth = grid_communes["youth"].astype(float).to_numpy()
    reached = np.array([4.0, 15.0, 0.0, 30.0, 12.0, 20.0, 50.0, 40.0, 80.0])
    table = pd.DataFrame({
        "zone_id": codes, "zone_name": grid_communes["nom"].tolist(), "youth": youth,
        "invisible_est": youth * 0.129 * 0.37, "reached": reached,
        "contacts_per_1000": 1000 * reached / youth,
        "nearest_min": [5.0, 8.0, 12.0, 18.0, 41.0, 3.0, 2.0, 25.0, 1.0],
        "covered_share": [1.0, 1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0],
        "gap_score": np.linspace(80.0, 20.0, 9), "gap_rank": np.arange(1, 10),
        "reasons": ["presque personne atteint"] + [""] * 3
                   + ["loin de tout lieu d'accueil (41 min)"] + [""] * 4,
    })
    for column in ("reached", "contacts_per_1000", "invisible_est", "gap_score"):
        flag = ["< 11" if column == "reached" else "s", "s"] + [None] * 7
        table[column] = table[column].mask(pd.Series(flag).notna())
        table.insert(list(table.columns).index(column) + 1, f"{column}_secret", flag)
    return table
