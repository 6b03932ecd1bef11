"""A network built from an extract flows through indicators, plans, the dashboard and the report."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from territory.analysis import Parameters, commune_origins, indicators
from territory.analysis.travel import Routed
from territory.cli import main
from territory.io.workspace import Workspace
from territory.network import build_network, read_travel_times

from .conftest import l93_line, write_pbf

GUERET = "23096"
HALF_M = 15_000.0
STEP_M = 2_500.0
CAR = Parameters(mode="car")


def grid_extract(path: Path, centre: tuple[float, float]) -> Path:
    """A grid of tertiary roads every 2.5 km over 30 × 30 km around ``centre``."""
    x, y = centre
    ticks = np.arange(-HALF_M, HALF_M + 1, STEP_M)
    ways = [(l93_line((x - HALF_M, y + t), (x + HALF_M, y + t), 24), {"highway": "tertiary"})
            for t in ticks]
    ways += [(l93_line((x + t, y - HALF_M), (x + t, y + HALF_M), 24), {"highway": "tertiary"})
             for t in ticks]
    return write_pbf(path, ways)


@pytest.fixture(scope="module")
def routed_file(demo_workspace_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("routed")
    path = folder / "territoire.gpkg"
    shutil.copyfile(demo_workspace_file, path)
    workspace = Workspace(path)
    mairies = workspace.read("mairies")
    hall = mairies.loc[mairies["code_insee"] == GUERET].geometry.iloc[0]
    extract = grid_extract(folder / "gueret.osm.pbf", (float(hall.x), float(hall.y)))
    build_network(workspace, extract, modes=("walk", "car"), max_min=60, progress=False)
    return path


@pytest.fixture(scope="module")
def layers(routed_file: Path) -> dict[str, pd.DataFrame]:
    workspace = Workspace(routed_file)
    return {name: workspace.read(name) for name in workspace.layers()}


def _routed_communes(layers: dict[str, pd.DataFrame]) -> np.ndarray:
    """Communes whose town hall lies on the grid's area (their trips were routed)."""
    routed = Routed.of(layers)
    assert routed is not None
    origins = commune_origins(layers["communes"], layers["mairies"])
    xy = np.column_stack([origins.geometry.x, origins.geometry.y])
    return routed.covers(xy)


def test_indicators_take_the_routed_minutes(layers: dict[str, pd.DataFrame]) -> None:
    on_grid = _routed_communes(layers)
    assert 5 < on_grid.sum() < 200
    routed = indicators(layers, params=CAR)
    estimate = indicators({k: v for k, v in layers.items() if k != "travel_times"}, params=CAR)
    changed = ~np.isclose(routed["nearest_min"], estimate["nearest_min"])
    assert changed[on_grid].any()
    assert not changed[~on_grid & (estimate["nearest_min"] > 90).to_numpy()].any()
    # The methodology says the minutes were routed.
    labels = [row["value"] for row in routed.attrs["sources"]]
    assert "routés sur OpenStreetMap" in labels
    assert "routés sur OpenStreetMap" not in [r["value"] for r in estimate.attrs["sources"]]


def test_public_transport_is_estimated_on_the_road_network(
        layers: dict[str, pd.DataFrame]) -> None:
    routed = Routed.of(layers)
    assert routed is not None
    codes = layers["communes"]["code_insee"].astype(str).to_numpy()
    mairies = layers["mairies"]
    hall = mairies.loc[mairies["code_insee"] == GUERET].geometry.iloc[0]
    target = np.array([[hall.x, hall.y]])
    car = routed.pairs(codes, target, mode="car", no_car_share=0.31).set_index("row")
    walk = routed.pairs(codes, target, mode="walk", no_car_share=0.31).set_index("row")
    transit = routed.pairs(codes, target, mode="transit", no_car_share=0.31).set_index("row")
    for row in car.index:
        bus = 10 + 2.5 * car.loc[row, "minutes"]
        on_foot = walk["minutes"].get(row, np.inf)
        assert transit.loc[row, "minutes"] == pytest.approx(min(bus, on_foot))


def test_the_command_line_the_plan_and_the_report_use_them(
        routed_file: Path, layers: dict[str, pd.DataFrame], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "communes.csv"
    assert main(["indicators", "--workspace", str(routed_file), "--mode", "car",
                 "--out", str(out)]) == 0
    table = pd.read_csv(out, sep=";", encoding="utf-8-sig", dtype=str)
    expected = indicators(layers, params=CAR)
    minutes = pd.to_numeric(table["minutes jusqu'au lieu le plus proche"].str.replace(",", "."))
    np.testing.assert_allclose(minutes.to_numpy(), expected["nearest_min"], atol=0.06)
    capsys.readouterr()
    assert main(["plan", "--workspace", str(routed_file), "--ml", "ML12", "--add", "2",
                 "--mode", "car", "--threshold-min", "10", "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["covered"] > 0
    assert main(["report", "--workspace", str(routed_file), "--ml", "ML12", "--mode", "car",
                 "--out", str(tmp_path / "rapport.pdf")]) == 0
    import pypdf

    text = " ".join(p.extract_text() for p in pypdf.PdfReader(tmp_path / "rapport.pdf").pages)
    assert "routés sur OpenStreetMap" in " ".join(text.split())


def test_the_dashboard_and_a_plan_measure_with_them(routed_file: Path,
                                                     layers: dict[str, pd.DataFrame]) -> None:
    pytest.importorskip("panel")
    from territory.dashboards import PlannerApp
    from territory.planning import model_from_layers

    app = PlannerApp(routed_file, mode="car", ml="ML12")
    table, _ = app.table_and_weights()
    expected = indicators(layers, params=CAR)
    np.testing.assert_allclose(table["nearest_min"], expected["nearest_min"])
    model = model_from_layers(layers, ml="ML12", params=CAR)
    assert model.routed is not None
    times = read_travel_times(routed_file)
    assert times is not None and times.pairs()["car"] > 0
