"""The command line as a user meets it: real processes, exit codes, no tracebacks."""

from __future__ import annotations

import html
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from territory.io._datafrance import sha256_file
from territory.io.workspace import Workspace


def territory(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "territory", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, timeout=600, check=False)


@pytest.fixture(scope="module")
def demo_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "territoire.gpkg"
    result = territory("demo", "--workspace", path)
    assert result.returncode == 0, result.stderr
    assert "données fictives" in result.stdout
    return path


def test_demo_builds_a_demo_workspace(demo_workspace: Path) -> None:
    workspace = Workspace(demo_workspace)
    assert workspace.is_demo()
    assert len(workspace.read("catchments")) == 43


def test_demo_never_overwrites_imported_data(demo_workspace: Path, tmp_path: Path) -> None:
    # A demo workspace into which real sites were imported: every other layer is demo.
    path = tmp_path / "territoire.gpkg"
    shutil.copyfile(demo_workspace, path)
    workspace = Workspace(path)
    real = workspace.read("sites").head(7)
    workspace.write({"sites": real}, demo=False, source="sites.csv")
    before = sha256_file(path)
    result = territory("demo", "--workspace", path)
    assert result.returncode == 2
    assert "imported data (layers sites)" in result.stderr and "--force" in result.stderr
    assert "Traceback" not in result.stderr
    assert sha256_file(path) == before

    result = territory("demo", "--workspace", path, "--force")
    assert result.returncode == 0, result.stderr
    (kept,) = tmp_path.glob("territoire.avant-demo-*.gpkg")
    assert sha256_file(kept) == before and str(kept) in result.stdout
    assert len(Workspace(path).read("sites")) > 7 and Workspace(path).real_layers() == []


def test_demo_replaces_a_demo_or_empty_workspace(workspace: Workspace) -> None:
    result = territory("demo", "--workspace", workspace.path)
    assert result.returncode == 0, result.stderr
    assert workspace.is_demo()


def test_map_writes_an_offline_demo_map(demo_workspace: Path, tmp_path: Path) -> None:
    out = tmp_path / "carte.html"
    result = territory("map", "--workspace", demo_workspace, "--out", out)
    assert result.returncode == 0, result.stderr
    html = out.read_text()
    assert "données fictives" in html
    assert 'src="http' not in html and 'href="http' not in html
    assert str(out) in result.stdout


def test_map_of_one_ml(demo_workspace: Path, tmp_path: Path) -> None:
    catchment = Workspace(demo_workspace).read("catchments").iloc[0]
    region, one = tmp_path / "region.html", tmp_path / "ml.html"
    assert territory("map", "--workspace", demo_workspace, "--out", region).returncode == 0
    result = territory("map", "--workspace", demo_workspace, "--out", one,
                       "--ml", catchment["ml_code"])
    assert result.returncode == 0, result.stderr
    assert html.escape(catchment["ml_name"]) in one.read_text()
    assert one.stat().st_size < region.stat().st_size / 2


def test_unknown_ml_lists_the_known_ones(demo_workspace: Path, tmp_path: Path) -> None:
    result = territory("map", "--workspace", demo_workspace, "--out", tmp_path / "x.html",
                       "--ml", "NOPE")
    assert result.returncode == 2
    assert "NOPE" in result.stderr and "expected one of" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_workspace_is_a_clear_error(tmp_path: Path) -> None:
    result = territory("map", "--workspace", tmp_path / "absent.gpkg", "--out",
                       tmp_path / "x.html")
    assert result.returncode == 2
    assert "territory demo" in result.stderr
    assert "Traceback" not in result.stderr


def test_workspace_from_environment(demo_workspace: Path, tmp_path: Path) -> None:
    import os

    env = {**os.environ, "TERRITORY_WORKSPACE": str(demo_workspace)}
    result = subprocess.run([sys.executable, "-m", "territory", "map", "--out", "c.html"],
                            capture_output=True, text=True, cwd=tmp_path, env=env,
                            timeout=600, check=False)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "c.html").exists()


def test_bad_arguments_exit_2_with_usage() -> None:
    result = territory("map")
    assert result.returncode == 2
    assert "--out" in result.stderr
