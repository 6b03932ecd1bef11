"""Saved plans in the workspace: save, list, load, compare, delete; whole or not at all."""

from __future__ import annotations

import geopandas as gpd
import pytest

from territory._errors import InputError
from territory.io.scenarios import (
    delete_scenario,
    list_scenarios,
    load_scenario,
    save_scenario,
)
from territory.io.workspace import Workspace


def _sites(n: int = 2) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"site_id": [f"mairie-{k}" for k in range(n)], "name": [f"Mairie {k}" for k in range(n)],
         "ml_code": ["ML01"] * n, "gain": [12.5 + k for k in range(n)]},
        geometry=gpd.points_from_xy([400_000 + 1000 * k for k in range(n)], [6_500_000] * n),
        crs=2154)


def test_round_trip(workspace: Workspace) -> None:
    first = save_scenario(workspace, "Printemps 2027", parameters={"add": 2, "threshold_min": 30},
                          sites=_sites())
    second = save_scenario(workspace, "Automne", parameters={"add": 1}, sites=_sites(1))
    assert (first, second) == ("scn-0001", "scn-0002")
    listing = list_scenarios(workspace)
    assert listing["name"].tolist() == ["Printemps 2027", "Automne"]
    assert listing["sites"].tolist() == [2, 1]
    plan = load_scenario(workspace, "Printemps 2027")
    assert plan.parameters == {"add": 2, "threshold_min": 30}
    assert plan.sites["site_id"].tolist() == ["mairie-0", "mairie-1"]
    assert plan.sites["gain"].tolist() == [12.5, 13.5]
    assert plan.sites.crs.equals("EPSG:2154")
    assert load_scenario(workspace, "scn-0002").name == "Automne"


def test_same_name_needs_overwrite(workspace: Workspace) -> None:
    save_scenario(workspace, "Plan", parameters={}, sites=_sites())
    with pytest.raises(InputError, match="exists already"):
        save_scenario(workspace, "Plan", parameters={}, sites=_sites(1))
    assert save_scenario(workspace, "Plan", parameters={"v": 2}, sites=_sites(1),
                         overwrite=True) == "scn-0001"
    assert len(load_scenario(workspace, "Plan").sites) == 1


def test_delete(workspace: Workspace) -> None:
    save_scenario(workspace, "Plan", parameters={}, sites=_sites())
    delete_scenario(workspace, "Plan")
    assert list_scenarios(workspace).empty
    with pytest.raises(InputError, match="has none yet"):
        load_scenario(workspace, "Plan")


def test_bad_input_writes_nothing(workspace: Workspace) -> None:
    before = workspace.path.read_bytes()
    loop: dict[str, object] = {}
    loop["self"] = loop
    with pytest.raises(InputError) as caught:
        save_scenario(workspace, " ", parameters=loop, sites=_sites().to_crs(4326))
    assert len(caught.value.problems) == 3
    assert workspace.path.read_bytes() == before


def test_demo_workspace_marks_scenarios_demo(workspace: Workspace) -> None:
    workspace.write({}, metadata={"demo": True})
    save_scenario(workspace, "Plan", parameters={}, sites=_sites())
    assert workspace.is_demo("scenarios") and workspace.is_demo("scenario_sites")
