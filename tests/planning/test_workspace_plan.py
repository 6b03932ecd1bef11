"""The demo territory end to end: model from the workspace, solvers, what-if, command line."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from territory._errors import InputError, TerritoryError
from territory.cli import build_parser
from territory.demo import build_demo
from territory.io.scenarios import list_scenarios
from territory.io.workspace import Workspace
from territory.planning import CoverageModel, Plan, layer_sites, model_from_layers, solve

LAYERS = ("communes", "mairies", "sites", "actions", "contacts", "catchment_members")


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("plan") / "demo.gpkg"
    build_demo(Workspace.create(path), seed=2019)
    return path


@pytest.fixture(scope="module")
def layers(demo_path: Path) -> dict:
    workspace = Workspace(demo_path)
    return {name: workspace.read(name) for name in LAYERS}


@pytest.fixture(scope="module")
def model(layers: dict) -> CoverageModel:
    return model_from_layers(layers, threshold_min=15)


def test_model_of_the_demo(model: CoverageModel, layers: dict) -> None:
    roles = model.facilities["role"].value_counts()
    open_sites = layers["sites"]["closed"].isna().sum()
    assert roles["required"] == open_sites
    assert roles["candidate"] > len(layers["mairies"])  # town halls and hexagon centres
    assert set(model.zones) == {"ml", "departement"}
    assert model.demand["invisible_est"].sum() > 0
    assert model.facilities["group"].notna().all()


def test_exact_and_greedy_on_the_demo(model: CoverageModel) -> None:
    proven = solve(model, n_new=5, time_limit_s=60)
    quick = solve(model, n_new=5, method="greedy")
    assert proven.status == "optimal"
    assert quick.value <= proven.value + 1e-6
    assert proven.sites["gain"].sum() == pytest.approx(
        proven.value - solve(model, n_new=0).value)
    assert (proven.sites["role"] == "chosen").all()


def test_budgets_forced_and_excluded_on_the_demo(model: CoverageModel) -> None:
    first = solve(model, n_new=4, method="greedy")
    best = first.sites.index[0]
    forced = model.facilities.index[model.role == "candidate"][0]
    solution = solve(model, n_new=4, per_group=1, excluded=[best], forced=[forced])
    assert best not in solution.sites.index
    assert forced in solution.sites.index
    assert solution.sites["group"].value_counts().max() <= 1


def test_one_mission_locale(layers: dict) -> None:
    model = model_from_layers(layers, threshold_min=15, ml="ML12", hexagons=False)
    candidates = model.facilities[model.facilities["role"] == "candidate"]
    assert set(candidates["group"]) == {"ML12"}
    solution = solve(model, n_new=2)
    assert set(solution.sites["group"]) <= {"ML12"}
    with pytest.raises(InputError, match="ML99"):
        model_from_layers(layers, ml="ML99")


def test_the_sites_of_the_layers_serve_every_mission_locale(layers: dict) -> None:
    # Placing the sites once and planning each ML on them gives each ML's own model.
    sites = layer_sites(layers, hexagons=False)
    for ml in ("ML03", "ML12"):
        alone = model_from_layers(layers, threshold_min=15, ml=ml, hexagons=False)
        shared = model_from_layers(layers, threshold_min=15, ml=ml, hexagons=False,
                                   sites=sites)
        assert shared.facilities.index.equals(alone.facilities.index)
        assert (shared.reach != alone.reach).nnz == 0
        assert Plan(shared).region().equals(Plan(alone).region())


def test_what_if_matches_the_solver(model: CoverageModel) -> None:
    solution = solve(model, n_new=3, method="greedy")
    plan = Plan(model, chosen=solution.sites.index)
    assert plan.region()["invisible_est_covered"] == pytest.approx(solution.value)
    gains = plan.gains()
    best = gains.idxmax()
    before = plan.region()["invisible_est_covered"]
    plan.add(best)
    assert plan.region()["invisible_est_covered"] == pytest.approx(before + gains[best])
    per_ml = plan.figures().zones["ml"]
    assert per_ml["invisible_est_covered"].sum() == pytest.approx(
        plan.region()["invisible_est_covered"])


def _parse(argv: list[str]) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def test_cli_json(demo_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = _parse(["plan", "--workspace", str(demo_path), "--add", "2", "--threshold-min",
                   "15", "--json"])
    args.run(args)
    result = json.loads(capsys.readouterr().out)
    assert len(result["sites"]) == 2
    site = result["sites"][0]
    assert {"id", "name", "commune", "x", "y", "lon", "lat", "gain"} <= set(site)
    assert -2 < site["lon"] < 2 and 42 < site["lat"] < 47
    assert result["gap"] == 0.0 and result["status"] == "optimal"
    assert result["covered"] > 0 and result["demo"] is True
    assert result["reason"] is None and result["suggestion"] is None


def test_cli_text_saves_and_compares(demo_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    for name, extra in (("Printemps 2027", []), ("Automne", ["--compare", "Printemps 2027"])):
        args = _parse(["plan", "--workspace", str(demo_path), "--add", "2", "--threshold-min",
                       "15", "--method", "greedy", "--per-ml", "1", "--name", name, *extra])
        args.run(args)
    out = capsys.readouterr().out
    assert "Plan enregistré : « Printemps 2027 »" in out
    assert "Comparaison" in out and "écart" in out
    assert "données fictives" in out
    assert "heuristique" in out
    assert list_scenarios(Workspace(demo_path))["name"].tolist() == ["Printemps 2027",
                                                                     "Automne"]


def test_cli_everything_covered_says_so(demo_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    args = _parse(["plan", "--workspace", str(demo_path), "--add", "1"])
    args.run(args)
    out = capsys.readouterr().out
    assert "optimal (prouvé par le solveur)" in out
    assert "Aucun nouveau site" in out or "1." in out


def test_cli_json_says_why_nothing_is_proposed(demo_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    # By car, every young person of the demo is within 30 min of a site already.
    argv = ["plan", "--workspace", str(demo_path), "--add", "1", "--mode", "car"]
    args = _parse([*argv, "--json"])
    args.run(args)
    result = json.loads(capsys.readouterr().out)
    assert result["sites"] == []
    assert result["reason"] == ("Aucun nouveau site n'apporte de gain : les jeunes sont déjà "
                                "à moins de 30 min d'un site.")
    assert result["suggestion"] == ("Essayez un seuil plus court (--threshold-min) ou "
                                    "l'objectif distance.")
    args = _parse(argv)
    args.run(args)
    assert f"{result['reason']} {result['suggestion']}" in capsys.readouterr().out.splitlines()


def test_cli_json_says_when_no_candidate_reaches_the_far_youth(
        demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sites = Workspace(demo_path).read("sites")
    site = sites[sites["closed"].isna()].geometry.iloc[0]
    places = tmp_path / "lieux.csv"
    places.write_text(f"name;x;y\nAu même endroit;{site.x:.2f};{site.y:.2f}\n")
    args = _parse(["plan", "--workspace", str(demo_path), "--add", "1", "--threshold-min",
                   "15", "--candidates", str(places), "--json"])
    args.run(args)
    result = json.loads(capsys.readouterr().out)
    assert result["sites"] == [] and result["covered"] < result["totals"]["invisible_est"]
    assert "aucun lieu candidat n'est à moins de 15 min" in result["reason"]
    assert "seuil plus long" in result["suggestion"]


def test_cli_json_says_when_no_candidate_is_left(demo_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    args = _parse(["plan", "--workspace", str(demo_path), "--add", "2", "--threshold-min",
                   "10", "--per-ml", "0", "--method", "greedy", "--json"])
    args.run(args)
    result = json.loads(capsys.readouterr().out)
    assert result["sites"] == []
    assert "il ne reste aucun lieu candidat" in result["reason"]
    assert "--per-ml" in result["suggestion"]


def test_cli_says_when_the_plan_is_shorter_than_asked(
        demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from scipy.spatial import cKDTree

    workspace = Workspace(demo_path)
    sites = workspace.read("sites")
    sites = sites[sites["closed"].isna()]
    mairies = workspace.read("mairies")
    xy = lambda frame: np.column_stack([frame.geometry.x, frame.geometry.y])  # noqa: E731
    far = mairies.geometry.iloc[int(np.argmax(cKDTree(xy(sites)).query(xy(mairies))[0]))]
    site = sites.geometry.iloc[0]
    places = tmp_path / "lieux.csv"
    places.write_text(f"name;x;y\nLoin;{far.x:.2f};{far.y:.2f}\n"
                      f"Au même endroit;{site.x:.2f};{site.y:.2f}\n")
    argv = ["plan", "--workspace", str(demo_path), "--add", "2", "--threshold-min", "10",
            "--candidates", str(places)]
    args = _parse([*argv, "--json"])
    args.run(args)
    result = json.loads(capsys.readouterr().out)
    assert [s["name"] for s in result["sites"]] == ["Loin"]
    assert result["shortfall"] == "no_gain" and result["reason"] is None
    assert result["shortfall_text"].startswith("1 site proposé au lieu de 2")
    args = _parse(argv)
    args.run(args)
    assert result["shortfall_text"] in capsys.readouterr().out.splitlines()


def test_cli_bad_input_is_a_territory_error(demo_path: Path) -> None:
    args = _parse(["plan", "--workspace", str(demo_path), "--add", "1", "--ml", "ML99"])
    with pytest.raises(TerritoryError, match="ML99"):
        args.run(args)


def test_cli_reads_a_csv_of_candidates(demo_path: Path, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    places = tmp_path / "lieux.csv"
    places.write_text("site_id;name;lon;lat\nL1;Salle des fêtes;-0,58;44,84\n"
                      "L2;Gymnase;0,34;46,58\n", encoding="utf-8")
    args = _parse(["plan", "--workspace", str(demo_path), "--add", "1", "--threshold-min",
                   "10", "--candidates", str(places), "--json"])
    args.run(args)
    result = json.loads(capsys.readouterr().out)
    assert {s["id"] for s in result["sites"]} <= {"L1", "L2"}
    bad = tmp_path / "bad.csv"
    bad.write_text("name,lon,lat\nA,,44\n", encoding="utf-8")
    args = _parse(["plan", "--workspace", str(demo_path), "--add", "1",
                   "--candidates", str(bad)])
    with pytest.raises(InputError, match=r"bad\.csv:2"):
        args.run(args)


def test_territory_plan_command(demo_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "territory", "plan", "--workspace",
                           str(demo_path), "--add", "2", "--threshold-min", "15", "--json"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert len(result["sites"]) == 2 and "covered" in result and "gap" in result
    bad = subprocess.run([sys.executable, "-m", "territory", "plan", "--workspace",
                          str(demo_path), "--add", "1", "--ml", "ML99"],
                         capture_output=True, text=True, check=False)
    assert bad.returncode == 2
    assert "ML99" in bad.stderr and "Traceback" not in bad.stderr
