"""Personal data: refused or dropped, never stored; contact identifiers pseudonymised."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from territory._errors import Problem
from territory.io.importing import ImportReport
from territory.io.workspace import Workspace

IMILO = (
    "Identifiant;Nom;Prénom;Date de naissance;Adresse;Courriel;Téléphone portable;Date;"
    "Code INSEE;Étape;Observations\n"
    "100234;Zorglubian;Kwyjibette;02/05/2003;3 rue des Xylophages;kwyjibette.z@example.org;"
    "0612345678;04/03/2021;33063;Repérée;RAS\n"
    "100235;Martin;Ali;11/09/2002;5 rue Neuve;;;05/03/2021;33522;Mobilisé;rappeler le "
    "07 11 22 33 44\n"
    "100236;Durand;Léa;01/01/2004;1 place;;;06/03/2021;33000;Orientée;\n"
)


def test_imilo_export_is_refused_listing_every_personal_column(
    covered: Workspace, write: Callable[..., Path], refused: Callable[..., list[Problem]],
    problem: Callable[..., Problem],
) -> None:
    problems = refused("contacts", write("imilo.csv", IMILO), covered)
    for column, what in [("Nom", "people's names"), ("Prénom", "people's names"),
                         ("Date de naissance", "dates of birth"),
                         ("Adresse", "young people's addresses"),
                         ("Courriel", "e-mail addresses"), ("Téléphone portable", "phone numbers"),
                         ("Observations", "phone numbers")]:
        found = problem(problems, "personal data", what, "--drop-personal", column=column)
        assert found.row is None
    observations = problem(problems, "row 3", column="Observations")
    assert "07 11 22 33 44" not in observations.message
    problem(problems, "postal code", row=4, column="Code INSEE")


def test_drop_personal_keeps_only_the_contract_and_pseudonyms(
    covered: Workspace, write: Callable[..., Path], imported: Callable[..., ImportReport],
) -> None:
    path = write("imilo.csv", IMILO)
    report = imported("contacts", path, covered, drop_personal=True, accept_partial=True)
    assert (report.imported, report.rejected) == (2, 1)
    assert any("Nom, Prénom, Date de naissance, Adresse, Courriel, Téléphone portable, "
               "Observations" in n for n in report.notes)
    contacts = covered.read("contacts")
    assert list(contacts.columns) == ["contact_id", "date", "ml_code", "action_id",
                                      "code_insee", "stage"]
    assert contacts["stage"].tolist() == ["repere", "mobilise"]
    assert contacts["ml_code"].tolist() == ["ML-N", "ML-S"]
    assert all(c.startswith("J") and len(c) == 21 for c in contacts["contact_id"])
    stored = covered.path.read_bytes()
    for secret in (b"100234", b"Zorglubian", b"Kwyjibette", b"kwyjibette.z@example.org",
                   b"0612345678", b"Xylophages"):
        assert secret not in stored
    rejects = report.rejects_file
    assert rejects is not None
    text = rejects.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "Identifiant;Date;Code INSEE;Étape;ligne;motif"
    for secret in ("Durand", "Léa", "1 place", "2004"):
        assert secret not in text


def test_pseudonyms_are_stable_and_the_key_is_made_once(
    covered: Workspace, write: Callable[..., Path], imported: Callable[..., ImportReport],
) -> None:
    first = write("a.csv", "Identifiant;Date;Code INSEE;Étape\nX1;04/03/2021;33063;repéré\n")
    second = write("b.csv", "Identifiant;Date;Code INSEE;Étape\nX1;05/03/2021;33063;mobilisé\n"
                            "X2;05/03/2021;33063;repéré\n")
    assert "pseudonym_key" not in covered.metadata()
    imported("contacts", first, covered)
    key = covered.metadata()["pseudonym_key"]
    pseudonym = covered.read("contacts")["contact_id"].iloc[0]
    imported("contacts", second, covered)
    assert covered.metadata()["pseudonym_key"] == key
    assert covered.read("contacts")["contact_id"].iloc[0] == pseudonym
    assert covered.read("contacts")["contact_id"].nunique() == 2


def test_social_security_numbers_as_identifiers_are_refused(
    covered: Workspace, write: Callable[..., Path], refused: Callable[..., list[Problem]],
    problem: Callable[..., Problem],
) -> None:
    body = "2850533063123"
    nir = f"{body}{97 - int(body) % 97:02d}"
    path = write("nir.csv", f"Identifiant;Date;Code INSEE;Étape\n{nir};04/03/2021;33063;"
                            "repéré\n")
    found = problem(refused("contacts", path, covered), "social security numbers (NIR)",
                    "not even pseudonymised", "i-Milo identifier", column="Identifiant")
    assert nir not in found.message
    dropped = refused("contacts", path, covered, drop_personal=True)
    problem(dropped, "no column for `contact_id`")


def test_site_files_with_phone_numbers(covered: Workspace, write: Callable[..., Path],
                                       refused: Callable[..., list[Problem]],
                                       problem: Callable[..., Problem],
                                       imported: Callable[..., ImportReport]) -> None:
    path = write("sites.csv", "Nom du site;Type;Code INSEE;Adresse;Tél.\n"
                              "Siège;Siège;33063;1 cours Victor Hugo;05 56 00 00 00\n")
    problem(refused("sites", path, covered), "phone numbers", column="Tél.")
    report = imported("sites", path, covered, drop_personal=True, dry_run=True)
    assert report.imported == 1
