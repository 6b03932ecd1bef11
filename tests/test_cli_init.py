"""`territory init` on another base: two regions built from the source, imported into, used."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from territory.io import geodata
from territory.io.workspace import Workspace

from .test_cli import territory

REGIONS = ("94", "24")  # Corse and Centre-Val de Loire: small, and not Nouvelle-Aquitaine
AREA = "Centre-Val de Loire / Corse"


@pytest.fixture(scope="module")
def two_regions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A reference base of two regions, built as `territory geodata build --region 94,24`."""
    out = tmp_path_factory.mktemp("base") / "corse-centre.gpkg"
    result = territory("geodata", "build", "--region", ",".join(REGIONS), "--out", out)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def workspace_file(two_regions: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ws") / "territoire.gpkg"
    result = territory("init", "--reference", two_regions, "--workspace", path)
    assert result.returncode == 0, result.stderr
    assert AREA in result.stdout and "2\u202f114 communes" in result.stdout
    return path


def test_the_workspace_holds_both_regions(workspace_file: Path) -> None:
    workspace = Workspace(workspace_file)
    communes = workspace.read("communes")
    assert set(communes["dep_code"]) == {"2A", "2B", "18", "28", "36", "37", "41", "45"}
    assert len(workspace.read("region")) == 2
    assert workspace.metadata()["reference"]["file"] == "corse-centre.gpkg"
    assert not workspace.is_demo()


def test_imports_check_places_against_both_regions(workspace_file: Path,
                                                   tmp_path: Path) -> None:
    path = tmp_path / "territoire.gpkg"
    path.write_bytes(workspace_file.read_bytes())
    actions = tmp_path / "actions.csv"
    actions.write_text("Date;Type;Code INSEE;Code ML;Jeunes rencontrés\n"
                       "12/03/2021;maraude;2A004;ML-A;4\n"
                       "15/03/2021;événement;45234;ML-B;12\n"
                       "16/03/2021;maraude;33063;ML-C;3\n", encoding="utf-8")
    result = territory("import", "actions", actions, "--workspace", path, "--accept-partial")
    assert result.returncode == 0, result.stderr
    assert "3 lignes lues, 2 importées" in result.stdout
    rejects = pd.read_csv(tmp_path / "actions.rejets.csv", sep=";", dtype=str)
    assert rejects.to_string().count(f"outside {AREA}") == 1
    out = tmp_path / "departements.csv"
    result = territory("indicators", "--workspace", path, "--level", "departement",
                       "--out", out)
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(out, sep=";", dtype=str, encoding="utf-8-sig")
    assert len(table) == 8


@pytest.mark.parametrize(("args", "message"), [
    (("--reference", "missing.gpkg"), "no such file; build one with territory geodata build"),
    (("--reference", "bad.gpkg"), "not a GeoPackage"),
    (("--reference", geodata.REGION_PATH, "--workspace", "exists.gpkg"),
     "a workspace exists already"),
])
def test_init_explains_what_is_wrong(tmp_path: Path, args: tuple[str | Path, ...],
                                     message: str) -> None:
    (tmp_path / "bad.gpkg").write_text("not a geopackage")
    Workspace.create(tmp_path / "exists.gpkg")
    before = (tmp_path / "exists.gpkg").read_bytes()
    result = territory("init", "--workspace", "new.gpkg", *args, cwd=tmp_path) \
        if "--workspace" not in args else territory("init", *args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert (tmp_path / "exists.gpkg").read_bytes() == before
    assert not (tmp_path / "new.gpkg").exists()
