"""Importing again: the same file changes nothing; a newer one replaces the layer, undoably."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from territory._errors import InputError, Problem
from territory.io._schema import empty_layer
from territory.io.importing import ImportReport, import_file
from territory.io.workspace import Workspace

SITES = "Nom du site;Type;Code INSEE\nSiège;Siège;33063\nAntenne;Antenne;33522\n"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_same_file_twice_changes_nothing(covered: Workspace, write: Callable[..., Path],
                                         imported: Callable[..., ImportReport]) -> None:
    path = write("sites.csv", SITES)
    first = imported("sites", path, covered)
    assert not first.unchanged
    before = _sha(covered.path)
    again = imported("sites", path, covered)
    assert again.unchanged
    assert str(again) == "sites.csv : déjà importé, rien n'a changé (couche sites)"
    assert (again.rows_read, again.imported) == (2, 2)
    assert _sha(covered.path) == before
    info = covered.metadata()["layers"]["sites"]
    assert info["sha256"] == _sha(path)
    assert info["rows"] == {"read": 2, "imported": 2, "rejected": 0, "skipped": 0}


def test_newer_file_replaces_and_undo_restores(
    covered: Workspace, write: Callable[..., Path], imported: Callable[..., ImportReport],
) -> None:
    path = write("sites.csv", SITES)
    imported("sites", path, covered)
    path.write_text(SITES + "Permanence;Permanence;33550\n")
    report = imported("sites", path, covered)
    assert not report.unchanged
    assert len(covered.read("sites")) == 3
    assert covered.undo() == ["sites"]
    assert len(covered.read("sites")) == 2
    assert covered.undo() == ["sites"]  # undoing the undo
    assert len(covered.read("sites")) == 3


def test_other_options_import_again(covered: Workspace, write: Callable[..., Path],
                                    imported: Callable[..., ImportReport]) -> None:
    path = write("sites.csv", "Libellé;Catégorie;Code INSEE\nSiège;Siège;33063\n")
    imported("sites", path, covered, mapping=["Catégorie=kind"])
    report = imported("sites", path, covered, mapping=["Catégorie=kind", "Libellé=name"])
    assert not report.unchanged


def test_importing_real_data_clears_the_demo_flag(
    covered: Workspace, write: Callable[..., Path], imported: Callable[..., ImportReport],
) -> None:
    covered.write({"sites": empty_layer("sites"), "actions": empty_layer("actions")}, demo=True)
    assert covered.is_demo("sites")
    imported("sites", write("sites.csv", SITES), covered)
    assert not covered.is_demo("sites")
    assert covered.is_demo("actions")


def test_dry_run_writes_nothing(covered: Workspace, write: Callable[..., Path],
                                imported: Callable[..., ImportReport]) -> None:
    path = write("actions.csv", "Date;Type;Jeunes;Code INSEE\n04/03/2021;Maraude;3;33063\n"
                                "31/02/2021;Maraude;3;33063\n")
    before = _sha(covered.path)
    report = imported("actions", path, covered, dry_run=True, accept_partial=True)
    assert (report.imported, report.rejected) == (1, 1)
    assert "essai à blanc" in str(report)
    assert _sha(covered.path) == before
    assert not path.with_name("actions.rejets.csv").exists()


def test_a_missing_workspace_is_created_only_on_success(
    tmp_path: Path, write: Callable[..., Path],
) -> None:
    workspace = tmp_path / "nouveau" / "territoire.gpkg"
    bad = write("bad.csv", "Code INSEE;Code ML\n33000;A\n")
    with pytest.raises(InputError, match="postal code"):
        import_file("catchments", bad, workspace=workspace)
    assert list(workspace.parent.iterdir()) == []
    report = import_file("catchments", write("ok.csv", "Code INSEE;Code ML\n33063;A\n"),
                         workspace=workspace)
    assert any("espace de travail créé" in n for n in report.notes)
    assert Workspace(workspace).read("catchments")["ml_code"].tolist() == ["A"]


def test_failed_reimport_keeps_the_previous_import(
    covered: Workspace, write: Callable[..., Path], refused: Callable[..., list[Problem]],
    imported: Callable[..., ImportReport],
) -> None:
    path = write("sites.csv", SITES)
    imported("sites", path, covered)
    kept = covered.read("sites")
    path.write_text(SITES + "Bus;Camion;33063\n")
    refused("sites", path, covered)
    pd.testing.assert_frame_equal(pd.DataFrame(covered.read("sites")), pd.DataFrame(kept))
