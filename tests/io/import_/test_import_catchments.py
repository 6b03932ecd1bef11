"""Catchments: the UNML coverage table as published, or polygons; shared communes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from territory.io.importing import ImportReport
from territory.io.workspace import Workspace


def test_the_unml_table_as_published(covered: Workspace) -> None:
    """The session fixture imported the Gironde's table (cp1252, ';', 'Oui'/'Non')."""
    catchments = covered.read("catchments")
    members = covered.read("catchment_members")
    communes = covered.read("communes")
    gironde = communes[communes["dep_code"] == "33"]
    assert catchments["ml_code"].tolist() == ["ML-N", "ML-S"]
    assert catchments["ml_name"].tolist() == ["Mission Locale ML-N", "Mission Locale ML-S"]
    assert not catchments["in_consortium"].any()
    assert len(members) == len(gironde) + 1
    shared = members[members["code_insee"] == "33318"]
    assert sorted(shared["ml_code"]) == ["ML-N", "ML-S"]
    assert shared["share"].tolist() == [0.5, 0.5]
    assert members.groupby("code_insee")["share"].sum().eq(1.0).all()
    assert catchments["population"].sum() == pytest.approx(gironde["population"].sum(), abs=2)
    dissolved = shapely.union_all(catchments.geometry.values)
    assert dissolved.symmetric_difference(gironde.union_all()).area < 1e3
    assert catchments.geom_type.eq("MultiPolygon").all()
    meta = covered.metadata()["layers"]
    assert meta["catchments"]["sha256"] == meta["catchment_members"]["sha256"]
    assert not covered.is_demo("catchments")


def test_table_variants(workspace: Workspace, write: Callable[..., Path],
                        imported: Callable[..., ImportReport]) -> None:
    path = write("couverture.csv", (
        "code insee,code ml,nom ml,commune presente sur plusieurs ml,part,consortium\n"
        "33063,A,ML A,non,,oui\n"
        "33318,A,ML A,oui,,oui\n"       # shared with an ML absent from the file: 1/2
        "33522,B,ML B,non,,non\n"
        "33550,B,ML B,oui,30 %,non\n"   # share given
        "33550,A,ML A,oui,0,7,oui\n"
        "31555,T,ML Toulouse,non,,non\n"  # outside the region: counted, skipped
    ))
    report = imported("catchments", path, workspace, accept_partial=True)
    assert report.skipped == 1
    assert report.rejected == 1   # '0,7' unquoted in a comma file: one value too many
    assert any("part 1/2 supposée" in n for n in report.notes)
    members = workspace.read("catchment_members").set_index(["ml_code", "code_insee"])
    assert members.loc[("A", "33318"), "share"] == 0.5
    assert members.loc[("B", "33550"), "share"] == pytest.approx(0.3)
    catchments = workspace.read("catchments").set_index("ml_code")
    assert catchments["in_consortium"].to_dict() == {"A": True, "B": False}


def test_polygons_become_member_communes(workspace: Workspace, tmp_path: Path,
                                         imported: Callable[..., ImportReport]) -> None:
    communes = workspace.read("communes").set_index("code_insee")
    north = communes.geometry[["33063", "33069"]].union_all()
    south = communes.geometry[["33522", "33550"]].union_all()
    # Drawn by hand: a little inside the boundaries, and overlapping at Talence.
    frame = gpd.GeoDataFrame(
        {"ml_code": ["N", "S"], "ml_name": ["Nord", "Sud"]},
        geometry=[north.union(communes.geometry["33522"]).buffer(-50), south.buffer(-50)],
        crs="EPSG:2154").to_crs("EPSG:4326")
    path = tmp_path / "territoires.geojson"
    frame.to_file(path)
    report = imported("catchments", path, workspace)
    assert report.imported == 2
    members = workspace.read("catchment_members")
    pairs = sorted(zip(members["ml_code"], members["code_insee"], members["share"],
                       strict=True))
    assert pairs == [("N", "33063", 1.0), ("N", "33069", 1.0), ("N", "33522", 0.5),
                     ("S", "33522", 0.5), ("S", "33550", 1.0)]
    catchments = workspace.read("catchments").set_index("ml_code")
    assert catchments.loc["S", "ml_name"] == "Sud"
    assert catchments.geometry["S"].symmetric_difference(south).area < 1e3


def test_undo_restores_both_layers(covered: Workspace, write: Callable[..., Path],
                                   imported: Callable[..., ImportReport]) -> None:
    before = {name: covered.read(name) for name in ("catchments", "catchment_members")}
    imported("catchments", write("c.csv", "Code INSEE;Code ML\n33063;X\n"), covered)
    assert covered.read("catchments")["ml_code"].tolist() == ["X"]
    assert covered.undo() == ["catchments", "catchment_members"]
    assert covered.read("catchments")["ml_code"].tolist() == before["catchments"][
        "ml_code"].tolist()
    assert len(covered.read("catchment_members")) == len(before["catchment_members"])
