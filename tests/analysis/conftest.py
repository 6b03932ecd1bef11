"""A toy territory whose every indicator can be worked out by hand.

Four communes, 10 km squares in Lambert-93 around x = 500 000, y = 6 500 000::

    A [500–510 km]  B [510–520 km]  C [520–530 km]   ...   D [600–610 km]
    youth 1000      youth 500       youth 200               youth 100

Town halls at the centres of A, B, C (D has none: its origin is a point inside it, its
centre). Site S1 (10 sessions a month) at A's town hall, open since 2015; site S2 at D's
centre, closed in 2018. One maraude at C's town hall in May 2020, one online action.

With the defaults (detour 1.3, 50 km/h), 10 km take 10 × 1.3 / 50 × 60 = 15.6 minutes.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

X0, Y0 = 500_000.0, 6_500_000.0
KM = 1000.0
MIN_PER_10_KM = 15.6


def square(x_km: float, size_km: float = 10.0) -> shapely.Polygon:
    return shapely.box(X0 + x_km * KM, Y0, X0 + (x_km + size_km) * KM, Y0 + size_km * KM)


def centre(x_km: float) -> shapely.Point:
    return shapely.Point(X0 + (x_km + 5) * KM, Y0 + 5 * KM)


def toy_layers() -> dict[str, pd.DataFrame]:
    communes = gpd.GeoDataFrame({
        "code_insee": ["00001", "00002", "00003", "00004"],
        "nom": ["A", "B", "C", "D"],
        "dep_code": ["01", "01", "02", "02"],
        "epci_code": ["E1", "E1", "E1", "E2"],
        "population": [9400, 4700, 1900, 950],
        "youth": [1000, 500, 200, 100],
        "youth_source": "toy census",
    }, geometry=[shapely.MultiPolygon([square(x)]) for x in (0, 10, 20, 100)], crs=2154)
    mairies = gpd.GeoDataFrame({"code_insee": ["00001", "00002", "00003"]},
                               geometry=[centre(0), centre(10), centre(20)], crs=2154)
    sites = gpd.GeoDataFrame({
        "site_id": ["S1", "S2"], "ml_code": ["ML1", "ML2"], "name": ["Siège", "Ancienne"],
        "kind": ["siege", "permanence"], "sessions_per_month": [10.0, 4.0],
        "opened": pd.to_datetime(["2015-01-01", "2010-01-01"]),
        "closed": pd.to_datetime([None, "2018-06-30"]),
    }, geometry=[centre(0), centre(100)], crs=2154)
    actions = gpd.GeoDataFrame({
        "action_id": ["A1", "A2"], "ml_code": ["ML1", "ML1"], "kind": ["maraude", "numerique"],
        "date": pd.to_datetime(["2020-05-15", "2020-06-01"]), "youth_met": [12, 30],
    }, geometry=[centre(20), None], crs=2154)
    contacts = pd.DataFrame({
        "contact_id": ["j1", "j1", "j2", "j3", "j4", "j5"],
        "date": pd.to_datetime(["2020-05-15", "2021-02-01", "2020-05-15", "2020-06-01",
                                "2019-01-10", "2020-05-15"]),
        "ml_code": "ML1",
        "action_id": ["A1", None, "A1", "A2", None, "A1"],
        "code_insee": ["00001", "00002", "00001", "00001", "00003", "00003"],
        "stage": ["repere", "accompagne", "mobilise", "repere", "repere", "mobilise"],
    })
    members = pd.DataFrame({"ml_code": ["ML1", "ML1", "ML1", "ML2", "ML2"],
                            "code_insee": ["00001", "00002", "00003", "00003", "00004"],
                            "share": [1.0, 1.0, 0.5, 0.5, 1.0]})
    catchments = gpd.GeoDataFrame({"ml_code": ["ML1", "ML2"], "ml_name": ["Un", "Deux"],
                                   "in_consortium": [True, False]},
                                  geometry=[shapely.box(X0, Y0, X0 + 30 * KM, Y0 + 10 * KM),
                                            square(100)], crs=2154)
    return {"communes": communes, "mairies": mairies, "sites": sites, "actions": actions,
            "contacts": contacts, "catchment_members": members, "catchments": catchments}


@pytest.fixture
def toy() -> dict[str, pd.DataFrame]:
    """The toy territory's layers (a fresh copy per test)."""
    return toy_layers()


@pytest.fixture(scope="session")
def toy_factory():  # type: ignore[no-untyped-def]
    """The function building the toy layers (for Hypothesis tests, which need no fixture)."""
    return toy_layers


@pytest.fixture(scope="session")
def demo_layers(tmp_path_factory: pytest.TempPathFactory,
                base_workspace_file) -> dict[str, pd.DataFrame]:  # type: ignore[no-untyped-def]
    """Every layer of a demo workspace (seed 2019), read once for the session."""
    import shutil

    demo = pytest.importorskip("territory.demo", reason="the demo generator is not built yet")
    from territory.io.workspace import Workspace

    path = tmp_path_factory.mktemp("analysis-demo") / "territoire.gpkg"
    shutil.copyfile(base_workspace_file, path)
    workspace = Workspace(path)
    demo.build_demo(workspace, seed=2019)
    return {name: workspace.read(name) for name in workspace.layers()}
