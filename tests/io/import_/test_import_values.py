"""Cell values as people type them: French dates and decimals, labels, yes/no, headers."""

from __future__ import annotations

import datetime as dt

import pytest

from territory.io._columns import field_for
from territory.io._personal import find_personal, pseudonymise
from territory.io._values import (
    BadValue,
    normalise,
    parse_bool,
    parse_count,
    parse_date,
    parse_number,
    parse_share,
)
from territory.io._vocabulary import action_kind, site_kind, stage


@pytest.mark.parametrize(("raw", "expected"), [
    ("04/03/2021", dt.date(2021, 3, 4)),
    ("4/3/2021", dt.date(2021, 3, 4)),
    ("04/03/21", dt.date(2021, 3, 4)),
    ("04-03-2021", dt.date(2021, 3, 4)),
    ("04.03.2021", dt.date(2021, 3, 4)),
    ("2021-03-04", dt.date(2021, 3, 4)),
    ("2021-03-04T10:30:00", dt.date(2021, 3, 4)),
    ("2021-03-04 10:30:00", dt.date(2021, 3, 4)),
    ("04/03/2021 14:30", dt.date(2021, 3, 4)),
    ("4 mars 2021", dt.date(2021, 3, 4)),
    ("1er février 2020", dt.date(2020, 2, 1)),
    ("29/02/2020", dt.date(2020, 2, 29)),
    (dt.datetime(2021, 3, 4, 12, 0), dt.date(2021, 3, 4)),
    (44259, dt.date(2021, 3, 4)),
])
def test_dates_as_written(raw: object, expected: dt.date) -> None:
    assert parse_date(raw) == expected


@pytest.mark.parametrize(("raw", "fragment"), [
    ("31/02/2021", "February 2021 has 28 days"),
    ("29/02/2021", "February 2021 has 28 days"),
    ("31/04/2021", "April 2021 has 30 days"),
    ("03/31/2021", "there is no month 31"),
    ("12/13/2021", "did you mean 13/12/2021?"),
    ("2021-13-01", "there is no month 13"),
    ("demain", "is not a date"),
    ("", "is empty"),
    (12, "is a number, not a date"),
])
def test_impossible_dates_say_why(raw: object, fragment: str) -> None:
    with pytest.raises(BadValue, match=fragment.replace("?", r"\?")):
        parse_date(raw)


@pytest.mark.parametrize(("raw", "expected"), [
    ("2,5", 2.5), ("2.5", 2.5), ("1 234,5", 1234.5), ("1\u00a0234,5", 1234.5),
    ("1.234,5", 1234.5), ("1,234.5", 1234.5), ("-0,5792", -0.5792), ("417000", 417000.0),
    (3, 3.0), (2.25, 2.25), ("6 421 000,12", 6421000.12),
])
def test_numbers_french_and_english(raw: object, expected: float) -> None:
    assert parse_number(raw) == pytest.approx(expected)


@pytest.mark.parametrize(("raw", "fragment"), [
    ("-2", "is negative"), ("2,5", "not a whole number"), ("beaucoup", "is not a number"),
    ("", "is empty"),
])
def test_counts_are_whole_and_not_negative(raw: str, fragment: str) -> None:
    with pytest.raises(BadValue, match=fragment):
        parse_count(raw)


@pytest.mark.parametrize("raw", ["1e309", "-1e309", 10**400, float("inf")])
def test_no_number_is_infinite(raw: object) -> None:
    with pytest.raises(BadValue, match="is too large to be a number"):
        parse_number(raw)


@pytest.mark.parametrize("raw", ["99999999999999999999", 10**12, "1e300"])
def test_no_count_is_beyond_what_a_layer_holds(raw: object) -> None:
    with pytest.raises(BadValue, match="is too large; expected a count, at most 1 000 000 000"):
        parse_count(raw)


def test_shares_and_booleans() -> None:
    assert parse_share("0,5") == 0.5
    assert parse_share("50 %") == 0.5
    assert parse_share("1") == 1.0
    with pytest.raises(BadValue, match="not a share"):
        parse_share("0")
    assert parse_bool("Oui") is True
    assert parse_bool("NON") is False
    assert parse_bool("") is False
    with pytest.raises(BadValue, match="neither yes nor no"):
        parse_bool("peut-être")


@pytest.mark.parametrize(("label", "kind"), [
    ("Maraude", "maraude"), ("Bus / permanence mobile", "bus"), ("Événement", "evenement"),
    ("EVENEMENT", "evenement"), ("Structure partenaire", "partenaire"),
    ("Action numérique", "numerique"), ("Maraude numérique", "numerique"),
    ("Forum de l'emploi", "evenement"), ("Réseaux sociaux", "numerique"),
])
def test_action_kinds_in_french(label: str, kind: str) -> None:
    assert action_kind(label) == kind


def test_site_kinds_and_stages_in_french() -> None:
    assert [site_kind(v) for v in ("Siège", "ANTENNE", "Permanence", "Structure partenaire")] \
        == ["siege", "antenne", "permanence", "partenaire"]
    assert [stage(v) for v in ("repéré", "Repérée", "mobilisé", "MOBILISÉS", "accompagné",
                               "orienté", "Orientée vers le droit commun")] \
        == ["repere", "repere", "mobilise", "mobilise", "accompagne", "accompagne",
            "accompagne"]
    with pytest.raises(BadValue, match="expected one of 'repéré', 'mobilisé'"):
        stage("perdu de vue")


@pytest.mark.parametrize(("kind", "header", "field"), [
    ("actions", "Type d'action", "kind"), ("actions", "TYPE D’ACTION", "kind"),
    ("actions", "type_d_action", "kind"), ("actions", "Date", "date"),
    ("contacts", "Étape", "stage"), ("contacts", "ETAPE", "stage"),
    ("youth", "CODGEO", "code_insee"), ("actions", "Code INSEE", "code_insee"),
    ("sites", "Longitude", "x"), ("sites", "X", "x"), ("sites", "Latitude", "y"),
    ("sites", "Nom du site", "name"), ("catchments", "Nom Officiel ML", "ml_name"),
    ("catchments", "Commune présente sur plusieurs ML", "shared"),
    ("catchments", "Code Postal ML", "ignored"), ("actions", "Commentaire", None),
])
def test_headers_match_without_case_or_accents(kind: str, header: str,
                                               field: str | None) -> None:
    assert field_for(kind, header) == field
    assert normalise("Étape  du   Parcours") == "etape du parcours"


def test_pseudonyms_are_keyed_and_stable() -> None:
    key_a, key_b = "00" * 32, "11" * 32
    assert pseudonymise(["123"], key_a) == pseudonymise([" 123 "], key_a)
    assert pseudonymise(["123"], key_a) != pseudonymise(["123"], key_b)
    assert "123" not in pseudonymise(["123"], key_a)[0]


def _nir(body: str) -> str:
    return f"{body}{97 - int(body) % 97:02d}"


@pytest.mark.parametrize(("values", "what"), [
    (["ok", "jeanne.dupont@example.org"], "email"),
    (["06 12 34 56 78"], "phone"),
    (["+33 6 12 34 56 78"], "phone"),
    (["0556123456"], "phone"),
    ([_nir("1850533063123")], "nir"),
    (["2 85 05 33 063 123"], "nir"),
])
def test_personal_values_are_caught_whatever_the_header(values: list[str], what: str) -> None:
    import pandas as pd

    cells = pd.DataFrame({"Info": values}, dtype=object)
    found = find_personal(cells, list(range(2, 2 + len(values))), kind="actions", known=set())
    assert [(c.header, c.what, c.by_content) for c in found] == [("Info", what, True)]
    assert values[-1] not in found[0].example


def test_ordinary_values_are_not_personal() -> None:
    import pandas as pd

    cells = pd.DataFrame({"Code INSEE": ["33063"], "Jeunes": ["12"], "X": ["417000,5"],
                          "Y": ["6421000"], "Date": ["04/03/2021"], "Id": ["A-0001"]},
                         dtype=object)
    assert find_personal(cells, [2], kind="contacts", known=set()) == []
