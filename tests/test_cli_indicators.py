"""`territory indicators` as a user runs it: real processes, real files."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from territory.analysis import Period, indicators, parse_period
from territory.cli.indicators import load_layers
from territory.io.workspace import Workspace


def territory(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "territory", *map(str, args)],
                          capture_output=True, text=True, timeout=600, check=False)


@pytest.fixture(scope="module")
def commune_table(demo_workspace_file: Path) -> gpd.GeoDataFrame:
    return indicators(load_layers(Workspace(demo_workspace_file)))


def test_csv_opens_in_a_french_spreadsheet(demo_workspace_file: Path, tmp_path: Path,
                                           commune_table: gpd.GeoDataFrame) -> None:
    out = tmp_path / "communes.csv"
    result = territory("indicators", "--workspace", demo_workspace_file, "--out", out)
    assert result.returncode == 0, result.stderr
    assert "données fictives" in result.stdout
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    table = pd.read_csv(out, sep=";", decimal=",", dtype={"code": str},
                        encoding="utf-8-sig")
    assert len(table) == 4293
    assert (table["données"] == "données fictives").all()
    assert table["jeunes atteints"].sum() == commune_table["reached"].sum()
    assert table["jeunes (16-25 ans)"].sum() == pytest.approx(commune_table["youth"].sum())
    assert table.set_index("code").loc["33063", "nom"] == "Bordeaux"


def test_public_csv_masks_every_small_count(demo_workspace_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "public.csv"
    result = territory("indicators", "--workspace", demo_workspace_file, "--public",
                       "--level", "epci", "--out", out)
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(out, sep=";", dtype=str, encoding="utf-8-sig")
    for column in ("jeunes atteints", "repérés", "mobilisés", "accompagnés"):
        shown = pd.to_numeric(table[column], errors="coerce")
        assert not shown.between(1, 10).any(), column
        assert table[column].isin(["< 11", "s"]).any() or shown.min() >= 11


def test_catchment_level_json_for_a_period(demo_workspace_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "ml.json"
    result = territory("indicators", "--workspace", demo_workspace_file, "--level",
                       "catchment", "--period", "2020-01:2020-12", "--out", out)
    assert result.returncode == 0, result.stderr
    document = json.loads(out.read_text())
    assert document["demo"] is True
    assert document["avertissement"] == "données fictives"
    assert len(document["zones"]) == 43
    assert {row["zone_id"] for row in document["zones"]} == set(
        Workspace(demo_workspace_file).read("catchments")["ml_code"])
    assert any("Dares" in str(row) for row in document["sources"])


def test_geopackage_output_opens_with_geometry(demo_workspace_file: Path,
                                               tmp_path: Path) -> None:
    out = tmp_path / "dep.gpkg"
    result = territory("indicators", "--workspace", demo_workspace_file, "--level",
                       "departement", "--out", out)
    assert result.returncode == 0, result.stderr
    table = gpd.read_file(out, engine="pyogrio")
    assert len(table) == 12
    assert table.crs.equals("EPSG:2154")
    assert table.geometry.notna().all()


@pytest.mark.parametrize(
    ("args", "message"),
    [(("--out", "x.xlsx"), "expected one of .csv"),
     (("--out", "x.csv", "--period", "2020"), "START:END"),
     (("--out", "x.csv", "--level", "canton"), "canton")],
)
def test_bad_arguments_are_explained(demo_workspace_file: Path, tmp_path: Path,
                                     args: tuple[str, ...], message: str) -> None:
    result = territory("indicators", "--workspace", demo_workspace_file,
                       *[a if not a.startswith("x.") else str(tmp_path / a) for a in args])
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_parse_period() -> None:
    assert parse_period("2020-01:2021-06") == Period(pd.Timestamp("2020-01-01"),
                                                      pd.Timestamp("2021-07-01"))
    assert parse_period(None) == Period()


def test_the_cli_and_the_director_write_the_same_csv(demo_workspace_file: Path,
                                                     tmp_path: Path) -> None:
    from territory.dashboards.exports import csv_table

    out = tmp_path / "ml.csv"
    result = territory("indicators", "--workspace", demo_workspace_file, "--public",
                       "--level", "catchment", "--out", out)
    assert result.returncode == 0, result.stderr
    table = indicators(load_layers(Workspace(demo_workspace_file)), level="catchment",
                       public=True)
    assert out.read_bytes() == csv_table(table, demo=True)


def test_a_public_table_shows_the_whole_record_or_one_calendar_year(
        demo_workspace_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "c.csv"

    def public(level: str, period: str) -> subprocess.CompletedProcess[str]:
        return territory("indicators", "--workspace", demo_workspace_file, "--public",
                         "--level", level, "--period", period, "--out", out)

    # Communes and EPCI: the whole record only (a year beside it gives months by difference).
    for level in ("commune", "epci"):
        refused = public(level, "2020-01:2020-12")
        assert refused.returncode == 2 and not out.exists(), refused.stderr
        assert "shows the whole record only" in refused.stderr
    # Missions Locales and départements: the whole record or a calendar year.
    refused = public("catchment", "2020-04:2020-04")
    assert refused.returncode == 2 and not out.exists()
    assert "calendar year (2019, 2020, 2021)" in refused.stderr
    kept = public("departement", "2020-01:2020-12")
    assert kept.returncode == 0, kept.stderr
    # The planner's own tables (not --public) take any period.
    private = territory("indicators", "--workspace", demo_workspace_file,
                        "--period", "2020-04:2020-04", "--out", out)
    assert private.returncode == 0, private.stderr


def test_names_that_look_like_formulas_are_neutralised(demo_workspace_file: Path,
                                                       tmp_path: Path) -> None:
    path = tmp_path / "ws.gpkg"
    shutil.copyfile(demo_workspace_file, path)
    workspace = Workspace(path)
    catchments = workspace.read("catchments")
    catchments.loc[0, "ml_name"] = '=HYPERLINK("http://x.test","ML")'
    workspace.write({"catchments": catchments}, demo=True)
    out = tmp_path / "ml.csv"
    result = territory("indicators", "--workspace", path, "--level", "catchment",
                       "--out", out)
    assert result.returncode == 0, result.stderr
    names = pd.read_csv(out, sep=";", dtype=str, encoding="utf-8-sig")["nom"]
    assert "'=HYPERLINK(\"http://x.test\",\"ML\")" in set(names)
    assert not names.str.startswith(("=", "+", "@")).any()
