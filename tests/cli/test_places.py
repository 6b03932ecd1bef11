"""One file of places, two commands: `plan --candidates` and `import sites` read it alike."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from territory.io import read_places
from territory.io.workspace import Workspace

# As Excel saves it in France: Windows-1252, semicolons, decimal commas; row 3 has its
# longitude and latitude swapped.
SITES = ("Nom du site;Type;Longitude;Latitude\n"
         "Salle des fêtes de Bègles;Permanence;-0,5536;44,8086\n"
         "Gymnase Jean-Dauguet;Antenne;44,8400;-0,5800\n")
FIXED = SITES.replace("44,8400;-0,5800", "-0,5800;44,8400")


def territory(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "territory", *map(str, args)],
                          capture_output=True, text=True, timeout=600, check=False)


@pytest.fixture
def demo(demo_workspace_file: Path, tmp_path: Path) -> Path:
    path = tmp_path / "territoire.gpkg"
    shutil.copyfile(demo_workspace_file, path)
    return path


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="cp1252")
    return path


def _row_problems(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("sites.csv:")]


def test_the_same_problem_through_both_commands(demo: Path, tmp_path: Path) -> None:
    path = _write(tmp_path / "sites.csv", SITES)
    imported = territory("import", "sites", path, "--workspace", demo)
    planned = territory("plan", "--add", "1", "--candidates", path, "--workspace", demo)
    for result in (imported, planned):
        assert result.returncode == 2
        assert result.stdout == "" and "Traceback" not in result.stderr
    assert _row_problems(planned.stderr) == _row_problems(imported.stderr)
    assert len(_row_problems(planned.stderr)) == 1
    assert _row_problems(planned.stderr)[0].startswith(
        "sites.csv:3: `Longitude`/`Latitude`: (44.84, -0.58) are swapped")


def test_the_same_points_through_both_commands(demo: Path, tmp_path: Path) -> None:
    path = _write(tmp_path / "sites.csv", FIXED)
    other = tmp_path / "autre.gpkg"
    shutil.copyfile(demo, other)
    planned = territory("plan", "--add", "2", "--threshold-min", "5", "--method", "greedy",
                        "--candidates", path, "--workspace", demo, "--json")
    assert planned.returncode == 0, planned.stderr
    assert {site["name"] for site in json.loads(planned.stdout)["sites"]} <= {
        "Salle des fêtes de Bègles", "Gymnase Jean-Dauguet"}
    imported = territory("import", "sites", path, "--workspace", other)
    assert imported.returncode == 0, imported.stderr
    sites = Workspace(other).read("sites")
    places = read_places(path, workspace=demo)
    assert places["name"].tolist() == sites["name"].tolist()
    assert places["code_insee"].tolist() == sites["code_insee"].tolist() == ["33039", "33063"]
    assert places.geometry.geom_equals_exact(sites.geometry, tolerance=0.01).all()
