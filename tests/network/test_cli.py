"""`territory network build` and `territory network show` on a workspace of the region."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from territory.cli import main
from territory.io.workspace import Workspace

from .test_store import GUERET, cross_extract, digest, town_hall


def test_build_then_show(workspace: Workspace, tmp_path: Path,
                         capsys: pytest.CaptureFixture[str]) -> None:
    extract = cross_extract(tmp_path / "gueret.osm.pbf", town_hall(workspace, GUERET))
    code = main(["network", "build", "--osm", str(extract), "--modes", "walk,car",
                 "--max-minutes", "45", "--quiet", "--workspace", str(workspace.path)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "4293 origines" in out and re.search(r"\b\d{4} destinations", out)
    assert "à pied :" in out and "en voiture :" in out and "à vélo" not in out
    assert str(workspace.path) in out

    assert main(["network", "show", "--workspace", str(workspace.path)]) == 0
    shown = capsys.readouterr().out
    assert "gueret.osm.pbf" in shown and "Dijkstra" in shown and "45 min" in shown
    assert "en voiture :" in shown


def test_a_bad_extract_exits_2_and_changes_nothing(workspace: Workspace,
                                                   tmp_path: Path) -> None:
    bad = tmp_path / "region.osm.pbf"
    bad.write_text("not an extract")
    before = digest(workspace.path)
    done = subprocess.run(
        [sys.executable, "-m", "territory", "network", "build", "--osm", str(bad),
         "--workspace", str(workspace.path)], capture_output=True, text=True, timeout=300,
        check=False)
    assert done.returncode == 2
    assert str(bad) in done.stderr and "Traceback" not in done.stderr
    assert digest(workspace.path) == before


def test_show_with_nothing_built_exits_2(workspace: Workspace,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["network", "show", "--workspace", str(workspace.path)]) == 2
    assert "territory network build --osm" in capsys.readouterr().err
