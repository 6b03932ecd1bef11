"""The workspace: contract layers, metadata, transactional writes that survive a kill."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import stat
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
from territory.io import workspace as workspace_module
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


def test_second_writer_waits_then_gives_up(workspace: Workspace,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workspace_module, "LOCK_WAIT_S", 0.3)
    with workspace.transaction(), pytest.raises(WorkspaceError, match="another territory"):
        workspace.write({"sites": _sites()})


HOT_JOURNAL = """
import os, shutil, sqlite3, sys
workspace, staging = sys.argv[1], sys.argv[2]
shutil.copyfile(workspace, staging)
db = sqlite3.connect(staging, isolation_level=None)
db.execute("PRAGMA journal_mode=DELETE")
db.execute("PRAGMA cache_size=1")  # spill to the file, so that the journal is hot
db.execute("BEGIN")
for (name,) in db.execute("SELECT table_name FROM gpkg_contents").fetchall():
    db.execute(f'DELETE FROM "{name}"')
os._exit(9)  # killed in the middle of its transaction
"""


def test_a_hot_journal_left_with_a_reused_pid_is_never_rolled_into_the_workspace(
        workspace: Workspace, tmp_path: Path) -> None:
    # A writer killed in the middle of a write left its staging copy of the workspace as it
    # was then, with a hot SQLite journal, under the name the old code gave this very
    # process (PID 1 after a restart). Since then, another import changed the workspace.
    communes = len(workspace.read("communes"))
    staging = workspace.path.with_name(f".{workspace.path.stem}.{os.getpid()}.tmp.gpkg")
    subprocess.run([sys.executable, "-c", HOT_JOURNAL, str(workspace.path), str(staging)],
                   check=False)
    assert Path(f"{staging}-journal").stat().st_size > 0
    later = tmp_path / "later" / "autre.gpkg"
    later.parent.mkdir()
    shutil.copyfile(workspace.path, later)
    Workspace(later).write({"sites": _sites(5)})
    shutil.copyfile(later, workspace.path)

    workspace.write({"contacts": workspace.read("contacts")})
    with sqlite3.connect(workspace.path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert len(workspace.read("communes")) == communes
    assert len(workspace.read("sites")) == 5
    assert not list(workspace.path.parent.glob(".*.tmp.gpkg*"))


def test_a_damaged_staging_copy_is_refused(workspace: Workspace) -> None:
    before = sha256_file(workspace.path)
    with (pytest.raises(WorkspaceError, match="integrity"),
          workspace.transaction() as staging, open(staging, "r+b") as f):
        f.seek(4096)  # wreck the pages after the header
        f.write(b"\xff" * 8192)
    assert sha256_file(workspace.path) == before


def test_concurrent_writers_lose_no_update(workspace: Workspace) -> None:
    script = textwrap.dedent("""
        import sys
        import geopandas as gpd
        from territory.io.workspace import Workspace
        ws = Workspace(sys.argv[1])
        layer = sys.argv[2]
        ws.write({layer: ws.read(layer).iloc[:0]}, source=f"writer {layer}")
    """)
    layers = ["sites", "actions", "contacts", "catchments", "catchment_members"]
    writers = [subprocess.Popen([sys.executable, "-c", script, str(workspace.path), name])
               for name in layers]
    assert all(w.wait(timeout=300) == 0 for w in writers)
    meta = workspace.metadata()["layers"]
    assert {name: meta[name]["source"] for name in layers} == {
        name: f"writer {name}" for name in layers}


def test_a_private_workspace_stays_private(workspace: Workspace) -> None:
    workspace.path.chmod(0o600)
    workspace.write({"sites": _sites()})
    assert stat.S_IMODE(workspace.path.stat().st_mode) == 0o600


def test_a_linked_workspace_stays_a_link(workspace: Workspace, tmp_path: Path) -> None:
    link = tmp_path / "lien.gpkg"
    link.symlink_to(workspace.path)
    Workspace(link).write({"sites": _sites()})
    assert link.is_symlink() and link.resolve() == workspace.path.resolve()
    assert len(workspace.read("sites")) == 3


def test_missing_workspace_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="territory demo"):
        Workspace(tmp_path / "nowhere.gpkg")


def test_create_refuses_to_overwrite(workspace: Workspace) -> None:
    with pytest.raises(WorkspaceError, match="overwrite"):
        Workspace.create(workspace.path)


def test_a_large_layer_is_written_in_chunks(workspace: Workspace,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    written: list[tuple[str, int]] = []
    write = pyogrio.write_dataframe

    def counted(frame: pd.DataFrame, path: Path, **kwargs: object) -> None:
        written.append((str(kwargs["layer"]), len(frame)))
        write(frame, path, **kwargs)

    monkeypatch.setattr(workspace_module, "WRITE_CHUNK_ROWS", 2)
    monkeypatch.setattr(pyogrio, "write_dataframe", counted)
    sites = _sites(5)
    workspace.write({"sites": sites})
    assert [n for layer, n in written if layer == "sites"] == [2, 2, 1]
    back = workspace.read("sites")
    assert back["site_id"].tolist() == sites["site_id"].tolist()
    assert back.geometry.equals(sites.geometry)
    workspace.write({"sites": _sites(0)})
    assert workspace.read("sites").empty and "sites" in workspace.layers()


def test_a_damaged_workspace_is_named_when_read(workspace: Workspace) -> None:
    data = bytearray(workspace.path.read_bytes())
    start, end = len(data) // 5, len(data) * 4 // 5
    data[start:end] = bytes(end - start)  # pages zeroed, the file's size unchanged
    workspace.path.write_bytes(bytes(data))
    with pytest.raises(WorkspaceError, match=f"{workspace.path}: .*damaged"):
        Workspace(workspace.path).read("communes")


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
