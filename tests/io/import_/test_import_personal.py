"""Personal data: refused or dropped, never stored; contact identifiers pseudonymised."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from territory._errors import Problem
from territory.io._personal import _first_match, find_personal
from territory.io._values import as_text
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


def test_the_same_identifier_gets_the_same_pseudonym_at_every_import(
    covered: Workspace, write: Callable[..., Path], imported: Callable[..., ImportReport],
) -> None:
    first = write("a.csv", "Identifiant;Date;Code INSEE;Étape\nX1;04/03/2021;33063;repéré\n")
    second = write("b.csv", "Identifiant;Date;Code INSEE;Étape\nX2;05/03/2021;33063;repéré\n"
                            "X1;05/03/2021;33063;mobilisé\n")
    imported("contacts", first, covered)
    pseudonym = covered.read("contacts")["contact_id"].iloc[0]
    names = covered.metadata()["pseudonyms"]
    imported("contacts", second, covered)
    assert covered.metadata()["pseudonyms"] == names  # the key is made once
    assert covered.read("contacts")["contact_id"].tolist()[1] == pseudonym
    assert covered.read("contacts")["contact_id"].nunique() == 2
    assert "pseudonym_key" not in covered.metadata()


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


@pytest.mark.parametrize(("secret", "what"), [
    ("kwyjibette.z@example.org", "e-mail addresses"),
    ("06 12 34 56 78", "phone numbers"),
    ("1 85 05 78 006 084 36", "social security numbers (NIR)"),
])
def test_personal_data_far_down_the_file_is_refused_by_the_command(
    covered: Workspace, tmp_path: Path, secret: str, what: str,
) -> None:
    """Every row is read: one value at row 6,001 of 7,001 fails `territory import`."""
    lines = ["Identifiant;Date;Code INSEE;Étape;Action"]
    lines += [f"X{i};04/03/2021;33063;repéré;A{i % 50}" for i in range(7000)]
    lines[6000] = f"X5999;04/03/2021;33063;repéré;{secret}"  # the file's row 6,001
    path = tmp_path / "contacts.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = covered.path.read_bytes()
    result = subprocess.run([sys.executable, "-m", "territory", "import", "contacts", path,
                             "--workspace", covered.path], capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 2, result.stdout
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert (f"contacts.csv: `Action`: personal data: its values look like {what} (row 6001: "
            in result.stderr), result.stderr
    assert "--drop-personal" in result.stderr and secret not in result.stderr
    assert covered.path.read_bytes() == before
    assert not (tmp_path / "contacts.rejets.csv").exists()


# The check as it read each cell before (first 5,000 rows), for the property below.
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\d+])(?:(?:\+|00)33[\s.-]?(?:\(0\))?|0)[1-9](?:[\s.-]?\d{2}){4}"
                    r"(?!\d)")
_NIR = re.compile(r"(?<!\d)([1-478])\s?(\d{2})\s?(\d{2})\s?(\d{2}|2A|2B)\s?(\d{3})\s?"
                  r"(\d{3})(?:\s?(\d{2}))?(?!\d)", re.IGNORECASE)
_DIGIT = st.sampled_from([*"0123456789" * 3, "\u0663", "\uff10"])  # other scripts' too
_SEPARATOR = st.sampled_from(["", "", "", " ", "  ", "\u00a0", "\u202f", "\t", ".", "-"])
_EDGE = st.sampled_from(["", "", "a", "1", "+", "é", " ", "\n"])


def _digits(n: int) -> st.SearchStrategy[str]:
    return st.lists(_DIGIT, min_size=n, max_size=n).map("".join)


@st.composite
def _phone_like(draw: st.DrawFn) -> str:
    parts = [draw(_EDGE), draw(st.sampled_from(["0", "0", "+33", "0033", "+33 (0)", ""])),
             draw(_digits(1))]
    parts += [draw(_SEPARATOR) + draw(_digits(2)) for _ in range(draw(st.integers(3, 5)))]
    return "".join(parts) + draw(_EDGE)


@st.composite
def _nir_like(draw: st.DrawFn) -> str:
    groups = [draw(st.sampled_from("1234789")), draw(_digits(2)),
              draw(st.one_of(_digits(2), st.sampled_from(["05", "13", "20", "42", "43", "99"]))),
              draw(st.one_of(_digits(2), st.sampled_from(["2A", "2b"]))), draw(_digits(3)),
              draw(_digits(3)), *draw(st.lists(_digits(2), max_size=2))]
    return draw(_EDGE) + "".join(draw(_SEPARATOR) + g for g in groups) + draw(_EDGE)


_PIECES = st.one_of(
    st.sampled_from([*"0123456789", " ", "\u00a0", ".", "-", "+", "@", "_", "a", "é", "x.fr",
                     "[", "]", "^", "\\", "\n"]),
    _phone_like(), _nir_like(),
)


def _cell_by_cell(text: str) -> str | None:
    shown = as_text(text)
    if _EMAIL.search(shown):
        return "email"
    if _PHONE.search(shown):
        return "phone"
    for match in _NIR.finditer(shown):
        month = int(match.group(3))
        if 1 <= month <= 12 or 20 <= month <= 42 or 50 <= month <= 99:
            return "nir"
    return None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_PIECES, max_size=4).map("".join), min_size=1, max_size=6),
       st.booleans())
def test_the_column_scan_finds_what_reading_each_cell_found(cells: list[str],
                                                             arrow: bool) -> None:
    """The patterns run over a column (in Arrow's RE2) miss nothing a cell-by-cell read saw."""
    column = pd.Series(cells, dtype="string[pyarrow]" if arrow else object)
    rows = list(range(2, len(cells) + 2))
    found = find_personal(pd.DataFrame({"Info": column}), rows, kind="actions", known=set())
    seen = [row for row, text in zip(rows, cells, strict=True) if _cell_by_cell(text)]
    if seen:
        assert found and (found[0].example_row or 0) <= seen[0]
    if found:  # what is found, the patterns see (a NIR after an overlapping number, too)
        hit = _first_match(as_text(cells[(found[0].example_row or 0) - 2]))
        assert hit is not None and hit[0] == found[0].what
