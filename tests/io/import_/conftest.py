"""Fixtures for the import tests: workspaces with and without catchments, files as people make.

The catchments fixture covers the Gironde (33) with two fictional Missions Locales: ``ML-N``
(codes up to 33300, Bordeaux 33063 included) and ``ML-S`` (the rest), Pessac (33318) shared by
both.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from territory._errors import InputError, Problem
from territory.io import geodata
from territory.io.importing import ImportReport, import_file
from territory.io.workspace import Workspace

SHARED = "33318"
UNML_HEADER = ["Code INSEE", "Nom Commune", "Code ML", "Nom Officiel ML",
               "Commune présente sur plusieurs ML", "Adresse ML", "Code Postal ML", "Ville ML"]


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def csv_text(rows: Iterable[Iterable[object]], sep: str = ";") -> str:
    return "".join(sep.join(str(c) for c in row) + "\n" for row in rows)


def unml_rows() -> list[list[str]]:
    communes = geodata.read_reference("communes")
    gironde = communes[communes["dep_code"] == "33"]
    rows = [UNML_HEADER]
    for code, name in zip(gironde["code_insee"], gironde["nom"], strict=True):
        ml = "ML-N" if code <= "33300" else "ML-S"
        shared = "Oui" if code == SHARED else "Non"
        rows.append([code, name, ml, f"Mission Locale {ml}", shared, "1 rue de la Paix",
                     "33000", "Bordeaux"])
        if code == SHARED:
            rows.append([code, name, "ML-N", "Mission Locale ML-N", shared, "1 rue de la Paix",
                         "33000", "Bordeaux"])
    return rows


@pytest.fixture(scope="session")
def covered_workspace_file(base_workspace_file: Path,
                           tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A region workspace whose catchments (two MLs over the Gironde) are imported."""
    folder = tmp_path_factory.mktemp("covered")
    path = folder / "territoire.gpkg"
    shutil.copyfile(base_workspace_file, path)
    source = folder / "couverture.csv"
    source.write_text(csv_text(unml_rows()), encoding="cp1252")
    import_file("catchments", source, workspace=path)
    return path


@pytest.fixture
def covered(covered_workspace_file: Path, tmp_path: Path) -> Workspace:
    """A private copy of the workspace with catchments."""
    path = tmp_path / "covered.gpkg"
    shutil.copyfile(covered_workspace_file, path)
    return Workspace(path)


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Write a file in tmp_path: text (with an encoding) or bytes."""
    def _write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding=encoding)
        return path

    return _write


@pytest.fixture
def refused() -> Callable[..., list[Problem]]:
    """Import a file that must be refused; check the workspace is byte-for-byte unchanged."""
    def _refused(kind: str, path: Path, workspace: Workspace, **options: object) -> list[Problem]:
        before = sha256(workspace.path)
        with pytest.raises(InputError) as caught:
            import_file(kind, path, workspace=workspace, **options)  # type: ignore[arg-type]
        assert sha256(workspace.path) == before
        assert not path.with_name(path.stem + ".rejets.csv").exists()
        return caught.value.problems

    return _refused


@pytest.fixture
def imported() -> Callable[..., ImportReport]:
    """Import a file that must be accepted; check rows read = imported + skipped + rejected."""
    def _imported(kind: str, path: Path, workspace: Workspace, **options: object) -> ImportReport:
        report = import_file(kind, path, workspace=workspace, **options)  # type: ignore[arg-type]
        assert report.rows_read == report.imported + report.skipped + report.rejected
        return report

    return _imported


def find(problems: list[Problem], *fragments: str, row: int | None = None,
         column: str | None = None) -> Problem:
    """Return the problem whose message holds every fragment (and the row and column)."""
    for problem in problems:
        if (all(f in problem.message for f in fragments)
                and (row is None or problem.row == row)
                and (column is None or problem.column == column)):
            return problem
    raise AssertionError(f"no problem with {fragments} row={row} column={column} in:\n"
                         + "\n".join(map(str, problems)))


@pytest.fixture
def problem() -> Callable[..., Problem]:
    """The `find` helper, as a fixture."""
    return find
