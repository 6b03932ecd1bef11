"""The workspace: contract layers, metadata, transactional writes that survive a kill."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from territory._errors import InputError, WorkspaceError
from territory.io._datafrance import sha256_file
from territory.io._schema import SCHEMA
from territory.io.workspace import SCHEMA_VERSION, YOUTH_SHARE, Workspace


def _sites(n: int = 3) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "site_id": [f"S{i}" for i in range(n)],
            "ml_code": ["ML01"] * n,
            "name": [f"Permanence {i}" for i in range(n)],
            "kind": ["permanence"] * n,
            "sessions_per_month": [2.0] * n,
            "opened": pd.to_datetime(["2019-01-01"] * n).astype("datetime64[ms]"),
            "closed": pd.Series([pd.NaT] * n, dtype="datetime64[ms]"),
        },
        geometry=gpd.points_from_xy([420_000.0 + i for i in range(n)], [6_420_000.0] * n),
        crs="EPSG:2154",
    )


def test_new_workspace_has_every_contract_layer(workspace: Workspace) -> None:
    assert set(SCHEMA) <= set(workspace.layers())
    for name, spec in SCHEMA.items():
        frame = workspace.read(name)
        assert set(spec["columns"]) <= set(frame.columns), name
    meta = workspace.metadata()
    assert meta["schema_version"] == SCHEMA_VERSION
    assert meta["reference"]["population_vintage"] == 2017
    assert not workspace.is_demo()


def test_youth_estimate_says_its_source(workspace: Workspace) -> None:
    communes = workspace.read("communes")
    expected = (communes["population"] * YOUTH_SHARE).round().astype(int)
    pd.testing.assert_series_equal(communes["youth"], expected, check_names=False)
    assert communes["youth_source"].str.contains("10,6 %").all()


def test_layers_are_standard_geopackage_with_spatial_index(workspace: Workspace) -> None:
    info = pyogrio.read_info(workspace.path, layer="communes")
    assert info["driver"] == "GPKG"
    assert info["geometry_type"] == "MultiPolygon"
    import sqlite3

    with sqlite3.connect(workspace.path) as db:
        tables = {row[0] for row in db.execute("select name from sqlite_master")}
        app_id = db.execute("pragma application_id").fetchone()[0]
    assert "rtree_communes_geom" in tables
    assert "gpkg_contents" in tables
    assert app_id == 0x47504B47  # "GPKG"


def test_round_trip(workspace: Workspace) -> None:
    sites = _sites()
    workspace.write({"sites": sites}, demo=True, source="test")
    back = workspace.read("sites")
    pd.testing.assert_frame_equal(pd.DataFrame(back.drop(columns="geometry")),
                                  pd.DataFrame(sites.drop(columns="geometry")))
    assert shapely.equals(back.geometry.values, sites.geometry.values).all()
    assert workspace.is_demo("sites")
    assert workspace.is_demo()
    assert not workspace.is_demo("communes")


def test_undo_restores_the_replaced_layer_and_redo_brings_it_back(
    workspace: Workspace,
) -> None:
    with pytest.raises(WorkspaceError, match="nothing to undo"):
        workspace.undo()
    workspace.write({"sites": _sites(2)}, source="first.csv")
    workspace.write({"sites": _sites(5)}, source="second.csv", keep_previous=True)
    assert len(workspace.read("sites")) == 5
    assert "previous_sites" not in workspace.layers()
    assert workspace.undo() == ["sites"]
    assert len(workspace.read("sites")) == 2
    assert workspace.metadata()["layers"]["sites"]["source"] == "first.csv"
    workspace.undo()
    assert len(workspace.read("sites")) == 5
    assert workspace.metadata()["layers"]["sites"]["source"] == "second.csv"


def test_missing_columns_are_all_listed(workspace: Workspace) -> None:
    before = sha256_file(workspace.path)
    bad = _sites().drop(columns=["kind", "ml_code"])
    with pytest.raises(InputError) as error:
        workspace.write({"sites": bad, "contacts": pd.DataFrame({"date": []})})
    message = str(error.value)
    assert "kind" in message and "ml_code" in message and "contact_id" in message
    assert sha256_file(workspace.path) == before


def test_crs_mismatch_names_both_crs(workspace: Workspace) -> None:
    with pytest.raises(InputError, match=r"EPSG:4326.*EPSG:2154"):
        workspace.write({"sites": _sites().to_crs(4326)})


def test_failed_transaction_leaves_workspace_byte_identical(workspace: Workspace) -> None:
    before = sha256_file(workspace.path)
    with pytest.raises(RuntimeError), workspace.transaction() as staging:
        pyogrio.write_dataframe(_sites(), staging, layer="sites")
        raise RuntimeError("crash in the middle of a write")
    assert sha256_file(workspace.path) == before
    assert workspace.read("sites").empty
    assert not list(workspace.path.parent.glob("*.tmp.gpkg"))


def test_second_writer_is_refused(workspace: Workspace) -> None:
    with workspace.transaction(), pytest.raises(WorkspaceError, match="another territory"):
        workspace.write({"sites": _sites()})


def test_missing_workspace_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="territory demo"):
        Workspace(tmp_path / "nowhere.gpkg")


def test_create_refuses_to_overwrite(workspace: Workspace) -> None:
    with pytest.raises(WorkspaceError, match="overwrite"):
        Workspace.create(workspace.path)


_WRITER = textwrap.dedent(
    """
    import sys
    import geopandas as gpd
    from territory.io.workspace import Workspace

    ws = Workspace(sys.argv[1])
    import pandas as pd
    communes = ws.read("communes")
    big = gpd.GeoDataFrame(pd.concat([communes] * 6, ignore_index=True), crs=communes.crs)
    while True:
        ws.write({"communes_copy": big}, source="writer")
    """
)


def _staging(workspace: Workspace) -> list[Path]:
    return list(workspace.path.parent.glob("*.tmp.gpkg"))


def _kill_mid_write(workspace: Workspace, delay_s: float) -> bool:
    """Start a writer, let it run ``delay_s``, kill it while a staging copy exists.

    Returns whether the kill interrupted a write (its staging copy is left behind).
    """
    writer = subprocess.Popen([sys.executable, "-c", _WRITER, str(workspace.path)],
                              stderr=subprocess.PIPE)
    time.sleep(delay_s)
    deadline = time.monotonic() + 60
    while not _staging(workspace) and writer.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    alive = writer.poll() is None
    os.kill(writer.pid, signal.SIGKILL)
    _, stderr = writer.communicate()
    assert alive, stderr.decode()
    return bool(_staging(workspace))


@pytest.mark.slow
@pytest.mark.parametrize("delay_s", [0.3, 0.9, 1.7])
def test_kill_during_write_leaves_previous_state(workspace: Workspace, delay_s: float) -> None:
    before = sha256_file(workspace.path)
    # A kill can land between two writes; try again until one lands inside a write.
    interrupted = any(_kill_mid_write(workspace, delay_s) for _ in range(5))
    assert interrupted
    # Whatever the kill interrupted, the file is the previous state or a whole write.
    reopened = Workspace(workspace.path)
    assert len(reopened.read("communes")) == 4293
    if sha256_file(workspace.path) != before:
        assert len(reopened.read("communes_copy")) == 6 * 4293
    assert reopened.metadata()["schema_version"] == SCHEMA_VERSION
    # The next writer cleans up what the killed one left.
    reopened.write({"sites": _sites()})
    assert not _staging(workspace)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(
        st.tuples(
            st.text(alphabet="ABCDEFabcdef0123456789", min_size=1, max_size=12),
            st.sampled_from(["repere", "mobilise", "accompagne"]),
            st.dates(min_value=pd.Timestamp("2019-12-01").date(),
                     max_value=pd.Timestamp("2021-11-30").date()),
            st.from_regex(r"\A(16|17|19|23|24|33|40|47|64|79|86|87)[0-9]{3}\Z"),
        ),
        max_size=30,
    )
)
def test_contacts_round_trip_property(workspace: Workspace, rows: list) -> None:
    contacts = pd.DataFrame(
        {
            "contact_id": [r[0] for r in rows],
            "date": pd.to_datetime([r[2] for r in rows]).astype("datetime64[ms]"),
            "ml_code": "ML01",
            "action_id": "A1",
            "code_insee": [r[3] for r in rows],
            "stage": [r[1] for r in rows],
        }
    )
    workspace.write({"contacts": contacts})
    back = workspace.read("contacts")
    pd.testing.assert_frame_equal(back[contacts.columns].reset_index(drop=True), contacts,
                                  check_dtype=False)
