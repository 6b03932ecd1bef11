"""INSEE's youth file: national, semicolon separated, the band and vintage read from the column."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from territory._errors import Problem
from territory.io.importing import ImportReport
from territory.io.workspace import YOUTH_SOURCE, Workspace

INSEE = (
    "CODGEO;LIBGEO;P21_POP;P21_POP1529;P21_POP1524;P15_POP1524\n"
    "01001;L'Abergement-Clémenciat;832;110.2;80.7;75\n"
    "33063;Bordeaux;261804;80012.43;60034.51;58000\n"
    "33522;Talence;43000;9100.5;7000.5;6800\n"
    "75056;Paris;2133111;400000;300000;310000\n"
    "97101;Les Abymes;53000;9000;7000;7100\n"
)


def test_national_file_with_several_columns(
    workspace: Workspace, write: Callable[..., Path], imported: Callable[..., ImportReport],
) -> None:
    report = imported("youth", write("base-cc.csv", INSEE), workspace)
    assert (report.rows_read, report.imported, report.skipped, report.rejected) == (5, 2, 3, 0)
    summary = str(report)
    assert "5 lignes lues, 2 importées, 3 hors région, 0 rejetée" in summary
    assert "colonne utilisée : P21_POP1524 — INSEE, recensement 2021, P21_POP1524 " \
           "(15–24 ans)" in summary
    assert "autres : P21_POP1529, P15_POP1524" in summary
    communes = workspace.read("communes").set_index("code_insee")
    assert communes.loc["33063", "youth"] == 60035
    assert communes.loc["33522", "youth"] == 7001
    assert communes.loc["33063", "youth_source"] == \
        "INSEE, recensement 2021, P21_POP1524 (15–24 ans)"
    assert communes.loc["33318", "youth_source"] == YOUTH_SOURCE
    missing = len(communes) - 2
    assert f"{missing} commune(s) de la région absente(s) du fichier gardent leur estimation" \
        in summary
    assert workspace.metadata()["layers"]["communes"]["youth_source"].startswith("INSEE")


def test_the_column_can_be_chosen_or_falls_back_to_1529(
    workspace: Workspace, write: Callable[..., Path], imported: Callable[..., ImportReport],
    refused: Callable[..., list[Problem]], problem: Callable[..., Problem],
) -> None:
    path = write("pop.csv", INSEE)
    report = imported("youth", path, workspace, column="P21_POP1529", dry_run=True)
    assert "P21_POP1529 (15–29 ans)" in str(report)
    only_1529 = write("pop1529.csv", "CODGEO;P19_POP1529\n33063;80000\n")
    assert "recensement 2019, P19_POP1529 (15–29 ans)" in str(
        imported("youth", only_1529, workspace, dry_run=True))
    problem(refused("youth", path, workspace, column="P21_POP1824"),
            "--column 'P21_POP1824': the file has no such column")


def test_undo_restores_the_estimate(workspace: Workspace, write: Callable[..., Path],
                                    imported: Callable[..., ImportReport]) -> None:
    before = workspace.read("communes")["youth"].tolist()
    imported("youth", write("pop.csv", INSEE), workspace)
    assert workspace.read("communes")["youth"].tolist() != before
    assert workspace.undo() == ["communes"]
    assert workspace.read("communes")["youth"].tolist() == before


@pytest.mark.parametrize("column", ["youth", "Jeunes 16-25"])
def test_a_users_own_counts(workspace: Workspace, write: Callable[..., Path],
                            imported: Callable[..., ImportReport], column: str) -> None:
    path = write("jeunes.csv", f"Code INSEE;{column}\n33063;59000\n")
    options = {"column": column} if column != "youth" else {}
    report = imported("youth", path, workspace, dry_run=True, **options)
    assert f"jeunes.csv, colonne {column}" in str(report)
