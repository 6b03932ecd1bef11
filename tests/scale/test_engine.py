"""The Dask engine on a two-worker local cluster gives the single-machine engine's table."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from scipy.spatial import cKDTree

from territory import scale
from territory._errors import InputError
from territory.analysis import (
    Parameters,
    commune_origins,
    indicators,
    stage_counts,
    young_people,
)
from territory.cli.indicators import load_layers
from territory.io.workspace import Workspace
from territory.network.store import typed_times
from territory.scale.partitions import assign_communes, overlap_zones

from .conftest import draw_contacts, write_parts


def assert_same_table(local: pd.DataFrame, dask: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(dask, local, check_exact=True)
    assert dask.attrs == local.attrs


def located(points: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> pd.DataFrame:
    """The single-machine reading of point contacts: each point's commune, no geometry."""
    return assign_communes(points, communes, overlap_zones(communes))


def counts_of(contacts: pd.DataFrame, period: tuple[str, str] | None = None) -> pd.DataFrame:
    table = stage_counts(young_people(contacts, period=period), by="code_insee")
    table.index = pd.Index(table.index.to_numpy(dtype=object), name="code_insee")
    return table.astype("int64").sort_index()


@pytest.fixture(scope="module")
def demo_layers(demo_workspace_file: Path) -> dict[str, pd.DataFrame]:
    return load_layers(Workspace(demo_workspace_file))


@pytest.mark.parametrize(("level", "period", "public"), [
    ("commune", None, False),
    ("epci", ("2020-01", "2020-12"), True),
    ("catchment", (None, "2021-06"), False),
    ("departement", None, True),
    ("h3:7", ("2020", "2021"), False),
])
def test_demo_workspace_same_table_as_local(demo_layers: dict[str, pd.DataFrame],
                                            client: object, level: str,
                                            period: tuple[str | None, str] | None,
                                            public: bool) -> None:
    local = indicators(demo_layers, level=level, period=period, public=public)
    dask = scale.indicators(demo_layers, level=level, period=period, public=public,
                            client=client, npartitions=3)
    assert_same_table(local, dask)
    assert dask["reached"].sum() > 0 or public


def test_routed_minutes_give_the_local_table(demo_layers: dict[str, pd.DataFrame],
                                             client: object) -> None:
    """With stored travel minutes, the Dask engine measures with them, as the local one."""
    origins = commune_origins(demo_layers["communes"], demo_layers["mairies"])
    origin_xy = np.column_stack([origins.geometry.x, origins.geometry.y])
    sites = demo_layers["sites"]
    site_xy = np.column_stack([sites.geometry.x, sites.geometry.y])
    distance = cKDTree(origin_xy).sparse_distance_matrix(cKDTree(site_xy), 40_000,
                                                         output_type="ndarray")
    codes = demo_layers["communes"]["code_insee"].astype(str).to_numpy()
    # By car on a winding road: twice the straight line at 50 km/h.
    routed = typed_times(pd.DataFrame({
        "origin": codes[distance["i"]], "dest_x": np.rint(site_xy[distance["j"], 0]),
        "dest_y": np.rint(site_xy[distance["j"], 1]), "mode": "car",
        "minutes": distance["v"] * 2 / 1000 / 50 * 60}))
    layers = {**demo_layers, "travel_times": routed}
    params = Parameters(mode="car")
    local = indicators(layers, params=params)
    assert not np.allclose(local["site_min"], indicators(demo_layers, params=params)["site_min"])
    dask = scale.indicators(layers, params=params, client=client, npartitions=3)
    assert_same_table(local, dask)


def test_national_points_from_geoparquet(national: dict[str, gpd.GeoDataFrame],
                                         client: object, tmp_path: Path) -> None:
    points = draw_contacts(national["communes"], national["mairies"], 60_000, seed=1)
    folder = write_parts(points, tmp_path / "points", files=3, row_group=5_000)
    expected = located(points, national["communes"])
    for spatial in (True, False):
        counts = scale.commune_contacts(folder, national["communes"], client=client,
                                        spatial=spatial)
        pd.testing.assert_frame_equal(counts, counts_of(expected), check_exact=True)
    layers = {**national, "contacts": expected}
    local = indicators(layers, level="departement", period=("2019-06", "2020-12"))
    dask = scale.indicators(national, contacts=folder, client=client, level="departement",
                            period=("2019-06", "2020-12"))
    assert_same_table(local, dask)
    assert len(dask) == 96


def test_national_code_tables_from_parquet(national: dict[str, gpd.GeoDataFrame],
                                           client: object, tmp_path: Path) -> None:
    points = draw_contacts(national["communes"], national["mairies"], 30_000, seed=2)
    contacts = located(points, national["communes"])
    folder = write_parts(contacts, tmp_path / "codes", files=4, row_group=3_000)
    local = indicators({**national, "contacts": contacts}, period=("2020", "2021"))
    dask = scale.indicators(national, contacts=folder, client=client, period=("2020", "2021"))
    assert_same_table(local, dask)


def test_points_in_another_crs_are_reprojected(national: dict[str, gpd.GeoDataFrame],
                                               client: object, tmp_path: Path) -> None:
    points = draw_contacts(national["communes"], national["mairies"], 5_000, seed=3)
    points.to_crs(4326).to_parquet(tmp_path / "wgs84.parquet")
    back = gpd.read_parquet(tmp_path / "wgs84.parquet").to_crs(2154)
    counts = scale.commune_contacts(tmp_path / "wgs84.parquet", national["communes"],
                                    client=client)
    pd.testing.assert_frame_equal(counts, counts_of(located(back, national["communes"])))


def test_existing_scheduler_by_address(demo_layers: dict[str, pd.DataFrame],
                                       client: object) -> None:
    address = client.scheduler.address  # type: ignore[attr-defined]
    dask = scale.indicators(demo_layers, level="epci", scheduler=address, npartitions=2)
    assert_same_table(indicators(demo_layers, level="epci"), dask)
    assert client.status == "running"  # type: ignore[attr-defined]


def test_unreachable_scheduler_is_an_input_error(demo_layers: dict[str, pd.DataFrame],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # The package exports a function named like the module: patch the module itself.
    monkeypatch.setattr(sys.modules["territory.scale.cluster"], "CONNECT_TIMEOUT_S", 1)
    with pytest.raises(InputError, match=r"tcp://127\.0\.0\.1:9: no Dask scheduler answers"):
        scale.indicators(demo_layers, scheduler="tcp://127.0.0.1:9")


def test_bad_row_group_names_its_file_without_hanging(national: dict[str, gpd.GeoDataFrame],
                                                      client: object, tmp_path: Path) -> None:
    points = draw_contacts(national["communes"], national["mairies"], 4_000, seed=4)
    folder = write_parts(points, tmp_path / "bad", files=2, row_group=1_000)
    bad = folder / "part-001.parquet"
    data = bytearray(bad.read_bytes())
    data[200:1200] = b"\xff" * 1000  # a data page, not the footer: found only when read
    bad.write_bytes(bytes(data))
    started = time.perf_counter()
    with pytest.raises(InputError, match=r"part-001\.parquet: row group 0 cannot be read"):
        scale.commune_contacts(folder, national["communes"], client=client)
    assert time.perf_counter() - started < 60


def test_unreadable_file_is_named_before_the_run(national: dict[str, gpd.GeoDataFrame],
                                                 client: object, tmp_path: Path) -> None:
    draw_contacts(national["communes"], national["mairies"], 100).to_parquet(
        tmp_path / "a.parquet")
    (tmp_path / "b.parquet").write_bytes(b"not parquet at all")
    pd.DataFrame({"contact_id": ["x"]}).to_parquet(tmp_path / "c.parquet")
    with pytest.raises(InputError) as error:
        scale.commune_contacts(tmp_path, national["communes"], client=client)
    message = str(error.value)
    assert "b.parquet: cannot be read as Parquet" in message
    assert "c.parquet: `date`: missing column" in message


@pytest.mark.parametrize("step", ["contacts", "indicators"])
def test_killed_worker_still_gives_the_exact_result(national: dict[str, gpd.GeoDataFrame],
                                                    tmp_path: Path, step: str) -> None:
    points = draw_contacts(national["communes"], national["mairies"], 120_000, seed=5)
    folder = write_parts(points, tmp_path / "kill", files=24, row_group=5_000)
    if step == "contacts":
        expected: pd.DataFrame = counts_of(located(points, national["communes"]))
    else:
        expected = indicators({**national, "contacts": located(points, national["communes"])},
                              level="h3:6")
    with scale.cluster(n_workers=2, threads_per_worker=1, memory_limit="1GiB") as client:
        pids = client.run(os.getpid)
        result: dict[str, object] = {}

        def run() -> None:
            try:
                result["value"] = (
                    scale.commune_contacts(folder, national["communes"], client=client)
                    if step == "contacts" else
                    scale.indicators(national, contacts=folder, client=client, level="h3:6",
                                     npartitions=6))
            except Exception as error:  # handed to the test's thread below
                result["error"] = error

        worker = threading.Thread(target=run)
        worker.start()
        victim = _busy_worker(client, worker)
        os.kill(pids[victim], signal.SIGKILL)
        worker.join(timeout=300)
        assert not worker.is_alive()
        assert pids[victim] not in client.run(os.getpid).values()
    assert "error" not in result, result.get("error")
    pd.testing.assert_frame_equal(result["value"], expected, check_exact=True)


def _busy_worker(client: object, running: threading.Thread) -> str:
    """Wait until a worker holds finished results and is running a task; return it."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and running.is_alive():
        held = client.has_what()  # type: ignore[attr-defined]
        busy = client.processing()  # type: ignore[attr-defined]
        for address, keys in held.items():
            if len(keys) >= 2 and busy.get(address):
                return str(address)
        time.sleep(0.05)
    raise AssertionError("the run ended before a worker could be killed")


def test_progress_bar_goes_to_standard_error(demo_layers: dict[str, pd.DataFrame],
                                             client: object,
                                             capfd: pytest.CaptureFixture[str]) -> None:
    scale.commune_contacts(demo_layers["contacts"], demo_layers["communes"], client=client,
                           npartitions=2, progress=True)
    out, err = capfd.readouterr()
    assert "100% Completed" in err
    assert "Completed" not in out
