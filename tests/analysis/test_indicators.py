"""The indicator table: the contract at every level, by hand on the toy territory.

The contract is docs/architecture.md, "Indicator contract".
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import territory.analysis
from territory._errors import InputError
from territory.analysis import INDICATOR_COLUMNS, Parameters, indicators, public_tables

CAR = Parameters(mode="car")

M10 = 15.6
TOTALS = ["youth", "neet_est", "invisible_est", "reached", "repere", "mobilise", "accompagne",
          "covered_youth"]


def test_commune_level_by_hand(toy) -> None:
    got = indicators(toy, params=CAR)
    assert list(got.columns[: len(INDICATOR_COLUMNS)]) == list(INDICATOR_COLUMNS)
    assert got.columns[-1] == "geometry" and got.crs.to_epsg() == 2154
    assert got.index.equals(toy["communes"].index)
    assert got["zone_name"].tolist() == ["A", "B", "C", "D"]
    assert got["reached"].tolist() == [2, 1, 2, 0]
    assert got["contacts_per_1000"].tolist() == pytest.approx([2, 2, 10, 0])
    assert got["site_min"].tolist() == pytest.approx([0, M10, 2 * M10, 10 * M10])
    assert got["action_min"].tolist() == pytest.approx([2 * M10, M10, 0, 8 * M10])
    assert got["covered_share"].tolist() == [1, 1, 1, 0]
    assert got["invisible_est"].tolist() == pytest.approx([129 * 0.37 - 2, 64.5 * 0.37 - 1,
                                                           25.8 * 0.37 - 2, 12.9 * 0.37])
    assert sorted(got["gap_rank"]) == [1, 2, 3, 4]
    assert got.attrs["level"] == "commune"
    assert any("Dares" in row["source"] for row in got.attrs["sources"])


def test_departement_level_by_hand(toy) -> None:
    got = indicators(toy, level="departement", params=CAR).set_index("zone_id")
    assert got.loc["01", "youth"] == 1500
    assert got.loc["01", "site_min"] == pytest.approx((500 * M10) / 1500)
    assert got.loc["02", "covered_share"] == pytest.approx(200 / 300)
    assert got.loc["02", "reached"] == 2
    assert got.loc["01", "zone_name"] == "01"  # no départements layer: the code


def test_catchment_level_counts_shared_communes_by_share(toy) -> None:
    got = indicators(toy, level="catchment", params=CAR).set_index("zone_id")
    assert got["zone_name"].tolist() == ["Un", "Deux"]
    assert got["youth"].tolist() == [1600, 200]
    assert got["reached"].tolist() == [4, 1]
    assert got["in_consortium"].tolist() == [True, False]
    assert got.geometry.notna().all()


@pytest.mark.parametrize("level", ["epci", "departement", "catchment", "h3:6", "h3:7"])
def test_totals_are_preserved_at_every_level(toy, level: str) -> None:
    communes = indicators(toy, period=("2020", "2021"))
    zones = indicators(toy, level=level, period=("2020", "2021"))
    for col in TOTALS:
        assert zones[col].sum() == pytest.approx(communes[col].sum()), col
    assert zones["covered_share"].dropna().between(0, 1).all()
    assert zones["zone_id"].is_unique and zones.geometry.notna().all()
    assert sorted(zones["gap_rank"]) == list(range(1, len(zones) + 1))


def test_period_and_threshold(toy) -> None:
    got = indicators(toy, period=("2020", "2020"), threshold_min=10)
    assert got["reached"].tolist() == [3, 0, 1, 0]
    assert got["covered_share"].tolist() == [1, 0, 1, 0]
    assert got.attrs["parameters"]["threshold_min"] == 10
    assert got.attrs["period"] == ["2020-01-01", "2020-12-31"]


def test_public_table_masks_small_counts(toy, lone_masked) -> None:
    got = indicators(toy, public=True)
    # C is alone in département 02 beside D's zero: the département's total is masked, or
    # it would give C back (the tables of every level are masked together).
    assert got["reached_secret"].fillna("").tolist() == ["< 11", "< 11", "< 11", ""]
    departements = indicators(toy, level="departement", public=True).set_index("zone_id")
    assert departements.loc["02", "reached_secret"] == "< 11"
    masked = got["reached_secret"].notna()
    assert got["contacts_per_1000"][masked].isna().all()
    assert got["invisible_est"][masked].isna().all()
    assert got.loc[~masked, "contacts_per_1000"].tolist() == [0.0]
    assert got["youth"].notna().all() and got["site_min"].notna().all()
    assert got["gap_rank"].notna().all()
    lenient = Parameters(suppression_threshold=2)
    tables = public_tables(toy, params=lenient)
    assert tables["commune"]["reached_secret"].tolist()[1] == "< 2"
    assert lone_masked(tables, toy["communes"], toy.get("catchment_members")) == []


def test_inputs_are_never_modified(toy) -> None:
    before = {name: frame.copy() for name, frame in toy.items()}
    indicators(toy, level="catchment", period=("2020", "2021"), public=True)
    for name, frame in toy.items():
        pd.testing.assert_frame_equal(frame, before[name])


def test_only_communes_are_required(toy) -> None:
    got = indicators({"communes": toy["communes"]})
    assert (got["reached"] == 0).all() and got["site_min"].isna().all()
    with pytest.raises(InputError, match="communes"):
        indicators({"sites": toy["sites"]})
    with pytest.raises(InputError, match="catchment_members"):
        indicators({"communes": toy["communes"]}, level="catchment")


def test_every_problem_is_listed_once(toy) -> None:
    layers = dict(toy, sites=toy["sites"].to_crs(4326),
                  contacts=toy["contacts"].drop(columns="code_insee"))
    with pytest.raises(InputError) as caught:
        indicators(layers)
    message = str(caught.value)
    assert "sites" in message and "EPSG:4326" in message and "EPSG:2154" in message
    assert "code_insee" in message
    assert len(caught.value.problems) == 2


PACKAGE = Path(territory.analysis.__file__).parent
FORBIDDEN = ("territory.io", "pyogrio", "folium", "panel")


def test_analysis_never_imports_io_in_its_source() -> None:
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                assert not any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN), (
                    f"{path.name} imports {name}")


def test_importing_analysis_loads_no_io() -> None:
    code = ("import sys, territory.analysis; "
            f"print([m for m in sys.modules if m.split('.')[0] in {FORBIDDEN[1:]!r} "
            "or m.startswith('territory.io')])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=PACKAGE.parents[1])
    assert result.stdout.strip() == "[]"
