"""build_demo: one transaction of five demo layers, reproducible, inputs untouched."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal

from territory._errors import InputError
from territory.demo import DemoSummary, demo_layers
from territory.io._schema import SCHEMA
from territory.io.workspace import Workspace

DEMO = ("catchments", "catchment_members", "sites", "actions", "contacts")


def _assert_layers_equal(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    assert list(a) == list(b)
    for name, frame in a.items():
        if isinstance(frame, gpd.GeoDataFrame):
            assert_geodataframe_equal(frame, b[name])
        else:
            pd.testing.assert_frame_equal(frame, b[name])


def test_same_seed_gives_the_same_layers(
    reference: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame],
    memory_layers: dict[str, pd.DataFrame],
) -> None:
    _assert_layers_equal(demo_layers(*reference, seed=2019), memory_layers)


def test_another_seed_gives_another_demo(
    reference: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame],
    memory_layers: dict[str, pd.DataFrame],
) -> None:
    other = demo_layers(*reference, seed=7)
    for name in DEMO:
        assert not other[name].equals(memory_layers[name]), name
    assert set(other["catchments"]["ml_name"]) != set(memory_layers["catchments"]["ml_name"])


def test_inputs_are_not_modified(reference: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]) -> None:
    communes, mairies = reference
    before = communes.copy(), mairies.copy()
    demo_layers(communes, mairies, seed=1)
    assert_geodataframe_equal(communes, before[0])
    assert_geodataframe_equal(mairies, before[1])


def test_every_layer_keeps_the_contract(memory_layers: dict[str, pd.DataFrame]) -> None:
    for name in DEMO:
        frame = memory_layers[name]
        spec = SCHEMA[name]
        for column, dtype in spec["columns"].items():
            assert str(frame[column].dtype) == dtype, (name, column, frame[column].dtype)
        if spec["geometry"] is None:
            assert not isinstance(frame, gpd.GeoDataFrame), name
        else:
            assert frame.crs == "EPSG:2154", name
            kinds = set(frame.geometry.dropna().geom_type)
            assert kinds == {spec["geometry"]}, (name, kinds)


def test_the_workspace_holds_what_was_generated(
    workspace_layers: dict[str, pd.DataFrame], memory_layers: dict[str, pd.DataFrame]
) -> None:
    for name in DEMO:
        written, generated = workspace_layers[name], memory_layers[name]
        assert len(written) == len(generated), name
        key = next(iter(SCHEMA[name]["columns"]))
        assert written[key].tolist() == generated[key].astype(str).tolist(), name


def test_every_demo_layer_is_flagged_demo(
    demo_workspace: tuple[Workspace, DemoSummary],
) -> None:
    workspace, _ = demo_workspace
    for name in DEMO:
        assert workspace.is_demo(name), name
        assert workspace.metadata()["layers"][name]["source"] == "territory demo (seed 2019)"
    assert workspace.is_demo()
    assert not workspace.is_demo("communes")


def test_summary_counts_the_layers(
    demo_workspace: tuple[Workspace, DemoSummary],
    workspace_layers: dict[str, pd.DataFrame],
) -> None:
    _, summary = demo_workspace
    assert summary.catchments == 43
    assert summary.consortium_members == 37
    assert summary.sites == len(workspace_layers["sites"])
    assert summary.actions == len(workspace_layers["actions"])
    assert summary.contacts == summary.young_people == len(workspace_layers["contacts"])
    assert summary.young_people >= summary.mobilised >= summary.accompanied > 0
    text = str(summary)
    assert text.startswith("43 Missions Locales fictives (37 membres du consortium)")
    assert text.endswith("données fictives")


def test_layers_in_another_crs_are_refused(
    reference: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame],
) -> None:
    communes, mairies = reference
    with pytest.raises(InputError, match=r"EPSG:4326.*EPSG:2154"):
        demo_layers(communes.head(3).to_crs("EPSG:4326"), mairies, seed=1)


def test_a_commune_without_town_hall_is_refused(
    reference: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame],
) -> None:
    communes, mairies = reference
    with pytest.raises(InputError, match="no town hall for 1 commune"):
        demo_layers(communes, mairies.iloc[1:], seed=1)
