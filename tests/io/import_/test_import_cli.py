"""`territory import` and `territory undo` as Claire meets them: real processes, exit codes."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from territory.io.workspace import Workspace

ACTIONS = (
    "Date;Type d'action;Jeunes rencontrés;Code INSEE;Lieu\n"
    "04/03/2021;Maraude;5;33063;Place de la Victoire\n"
    "05/03/2021;Bus / permanence mobile;3;33000;Parking\n"
    "31/02/2021;Événement;12;33522;Forum\n"
)


def territory(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "territory", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, timeout=300, check=False)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_claires_walkthrough(covered: Workspace, tmp_path: Path) -> None:
    """A bad row names file, row and column; fixed, the file imports; undo takes it back."""
    path = tmp_path / "actions.csv"
    path.write_text(ACTIONS, encoding="cp1252")
    before = _sha(covered.path)
    result = territory("import", "actions", path.name, "--workspace", covered.path, cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == ("territory import: actions.csv: 2 problems; nothing was imported, the "
                        "workspace is unchanged")
    assert lines[1] == ("actions.csv:3: `Code INSEE`: '33000' is a postal code, not an INSEE "
                        "code: use '33063' (Bordeaux)")
    assert lines[2].startswith("actions.csv:4: `Date`: '31/02/2021' is not a date: February "
                               "2021 has 28 days")
    assert _sha(covered.path) == before

    result = territory("import", "actions", path.name, "--workspace", covered.path,
                       "--accept-partial", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == ("actions.csv : 3 lignes lues, 1 importée, "
                                             "2 rejetées (voir actions.rejets.csv)")
    assert (tmp_path / "actions.rejets.csv").exists()

    path.write_text(ACTIONS.replace(";33000;", ";33063;").replace("31/02", "28/02"),
                    encoding="cp1252")
    result = territory("import", "actions", path.name, "--workspace", covered.path, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "3 lignes lues, 3 importées, 0 rejetée" in result.stdout

    result = territory("undo", "--workspace", covered.path, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Annulé : couche actions" in result.stdout
    assert len(Workspace(covered.path).read("actions")) == 1


def test_errors_never_show_a_traceback(tmp_path: Path, covered: Workspace) -> None:
    (tmp_path / "bruit.csv").write_bytes(bytes(range(256)) * 8)
    result = territory("import", "contacts", "bruit.csv", "--workspace", covered.path,
                       "--dry-run", cwd=tmp_path)
    assert result.returncode == 2
    assert "bruit.csv: this is not a text (CSV) file" in result.stderr
    assert "Traceback" not in result.stderr
