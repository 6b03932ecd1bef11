"""Plans that maximise the invisible young people reached (territory.planning.reach)."""

from __future__ import annotations

import itertools
import json
import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from territory.cli import build_parser, main
from territory.io.workspace import Workspace
from territory.planning.reach import ReachModel, plan_reach, reach_model


@pytest.fixture(scope="module")
def demo_path(demo_workspace_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("reach") / "territoire.gpkg"
    shutil.copyfile(demo_workspace_file, path)
    return path


@pytest.fixture(scope="module")
def demo_layers(demo_workspace_file: Path) -> dict[str, pd.DataFrame]:
    workspace = Workspace(demo_workspace_file)
    return {name: workspace.read(name) for name in workspace.layers()}


def _model(seed: int, places: int = 9, communes: int = 30) -> ReachModel:
    rng = np.random.default_rng(seed)
    dense = rng.uniform(0, 0.6, size=(places, communes)) * (rng.random((places, communes)) < 0.4)
    curve = pd.Series({"tau_min": 10.0, "tau_low": 9.0, "tau_high": 11.0,
                       "contacts_per_action": 2.0, "curve": None})
    frame = pd.DataFrame({"code_insee": [f"c{j}" for j in range(communes)],
                          "remaining": rng.uniform(0, 50, communes), "weight": 1.0})
    spots = pd.DataFrame({"name": [f"p{i}" for i in range(places)], "code_insee": "",
                          "x": 0.0, "y": 0.0}, index=[f"p{i}" for i in range(places)])
    p = sp.csr_array(dense)
    return ReachModel(frame, spots, p, p, p, kind="maraude", frequency=12, curve=curve)


def _brute_force(model: ReachModel, n: int) -> float:
    return max(model.value(list(c)) for c in itertools.combinations(range(len(model.places)), n))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 3))
def test_the_plan_is_within_its_proven_bound_of_the_true_optimum(seed: int, n: int) -> None:
    model = _model(seed)
    plan = plan_reach(model, n, exact=False)
    best = _brute_force(model, n)
    assert plan.value <= best + 1e-9
    assert best <= plan.bound + 1e-9  # the bound is proven: never below the optimum
    assert plan.value >= (1 - 1 / math.e) * best - 1e-9  # Nemhauser, Wolsey & Fisher
    # The tangent programme's bound is proven too, and tighter; its plan is never worse.
    exact = plan_reach(model, n, exact=True)
    assert exact.exact and best <= exact.bound + 1e-6
    assert exact.bound <= plan.bound + 1e-9 and exact.value >= plan.value - 1e-9
    assert exact.bound - best <= 0.01 * best + 1e-6  # 16 tangents: within 1 %
    # Each place's gain is what it adds after the ones before it: they sum to the value.
    assert plan.sites["gain"].sum() == pytest.approx(plan.value)
    assert list(plan.sites["gain"]) == sorted(plan.sites["gain"], reverse=True)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_more_places_never_reach_fewer_and_overlaps_give_diminishing_returns(seed: int) -> None:
    model = _model(seed)
    a, b = 0, 1
    alone = [model.value([i]) for i in (a, b)]
    both = model.value([a, b])
    assert both >= max(alone) - 1e-9
    assert both <= sum(alone) + 1e-9
    gains = model.gains([a])
    assert gains[b] == pytest.approx(both - alone[0])


def test_a_kept_place_counts_and_is_not_chosen_again() -> None:
    model = _model(7)
    first = plan_reach(model, 1)
    kept = str(first.sites.index[0])
    second = plan_reach(model, 2, kept=[kept])
    assert kept not in second.sites.index
    assert second.value == pytest.approx(model.value([model.position(kept),
                                                      *second.sites["position"]])
                                         - model.value([model.position(kept)]))


@pytest.fixture(scope="module")
def demo_model(demo_layers: dict[str, pd.DataFrame]) -> ReachModel:
    return reach_model(demo_layers, ml="ML05")


def test_on_the_demo_every_proposed_place_reaches_young_people(demo_model: ReachModel) -> None:
    plan = plan_reach(demo_model, 3)
    assert len(plan.sites) == 3 and (plan.sites["gain"] > 0).all()
    assert plan.low <= plan.value <= plan.high
    assert plan.value <= demo_model.remaining.sum()
    # Candidates are the ML's town halls, and its communes count their share.
    assert plan.sites.index.str.startswith("mairie-").all()
    assert (demo_model.communes["weight"] > 0).sum() < len(demo_model.communes)


def test_a_more_frequent_action_reaches_more(demo_layers: dict[str, pd.DataFrame],
                                             demo_model: ReachModel) -> None:
    weekly = reach_model(demo_layers, ml="ML05", frequency=52, curves=None)
    place = demo_model.position(str(plan_reach(demo_model, 1).sites.index[0]))
    assert weekly.value([place]) > demo_model.value([place])


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    args = build_parser().parse_args(argv)
    args.run(args)
    return capsys.readouterr().out


def test_cli_plans_reach_in_text_and_json(demo_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    base = ["plan", "--workspace", str(demo_path), "--objective", "reach", "--add", "2",
            "--ml", "ML05", "--kind", "bus", "--frequency", "hebdomadaire"]
    text = _run(base, capsys)
    assert "un bus hebdomadaire" in text
    assert "jeunes invisibles atteints en plus par an" in text
    assert "8 jeunes sur 10 atteints par un bus" in text and "Données fictives" in text
    result = json.loads(_run([*base, "--json"], capsys))
    assert result["kind"] == "bus" and result["frequency"] == 52 and result["mode"] == "transit"
    assert len(result["sites"]) == 2 and all(s["gain"] > 0 for s in result["sites"])
    assert sum(s["gain"] for s in result["sites"]) == pytest.approx(result["reached"], abs=0.02)
    assert result["bound"] >= result["reached"] and 0 <= result["gap"] < 1
    assert result["demo"] is True


def test_cli_reach_says_what_is_wrong(demo_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    base = ["plan", "--workspace", str(demo_path), "--objective", "reach", "--add", "1"]
    assert main([*base, "--kind", "numerique"]) == 2
    assert "no reach curve" in capsys.readouterr().err
    assert main([*base, "--frequency", "parfois"]) == 2
    assert "--frequency 'parfois'" in capsys.readouterr().err
    assert main([*base, "--compare", "Autre"]) == 2
    assert "--compare" in capsys.readouterr().err


def test_cli_reach_lists_every_kind(demo_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    text = _run(["reach", "--workspace", str(demo_path), "--mode", "bike"], capsys)
    for words in ("Maraudes", "Bus", "Événements", "Partenaires", "Actions en ligne"):
        assert words in text
    assert "à vélo" in text and "hors du territoire" in text
    document = json.loads(_run(["reach", "--workspace", str(demo_path), "--json"], capsys))
    kinds = {row["kind"]: row for row in document["kinds"]}
    assert kinds["numerique"]["tau_min"] is None and kinds["maraude"]["tau_min"] > 0
    assert document["words"]["bus"].startswith("8 jeunes sur 10")


def test_the_users_places_are_candidates_beside_the_town_halls(
        demo_layers: dict[str, pd.DataFrame], demo_model: ReachModel) -> None:
    import geopandas as gpd

    hall = demo_model.places.iloc[0]
    lycee = gpd.GeoDataFrame({"site_id": ["lycee-1"], "name": ["Lycée du bourg"]},
                             geometry=gpd.points_from_xy([hall["x"]], [hall["y"]]), crs=2154)
    model = reach_model(demo_layers, ml="ML05", places=lycee)
    assert "lycee-1" in model.places.index and len(model.places) == len(demo_model.places) + 1
    # At the town hall's very point, the same chances: the same gain.
    gains = model.gains()
    assert gains[model.position("lycee-1")] == pytest.approx(gains[0])
