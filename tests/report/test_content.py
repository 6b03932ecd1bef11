"""What the report says: its figures are the public indicators, small counts never show."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from territory.analysis import Parameters, indicators, open_sites, public_tables
from territory.report import Report, build_report
from territory.viz.labels import format_number

from .conftest import DATE, ML, SMALL_ML, drawn_text, normalise

pytestmark = pytest.mark.slow
THRESHOLD = Parameters().suppression_threshold
COUNTS = ("youth", "neet_est", "invisible_est", "reached", "repere", "mobilise", "accompagne",
          "covered_youth")


def count(value: float) -> str:
    return normalise(format_number(round(value)))


def decimal(value: float) -> str:
    return normalise(format_number(value, decimals=1))


def expected_headline(totals: pd.Series, sites: int, actions: int) -> list[tuple[str, str]]:
    """(value as printed, start of its label) for each headline figure."""
    return [
        (count(totals["youth"]), "Jeunes de 16 à 25 ans"),
        (count(totals["neet_est"]), "NEET estimés"),
        (count(totals["invisible_est"]), "Jeunes invisibles estimés"),
        (decimal(100 * totals["covered_youth"] / totals["youth"]) + " %", "Part des jeunes"),
        (count(sites), "Sites d'accueil"),
        (count(actions), "Actions d'aller-vers"),
        (count(totals["reached"]), "Jeunes atteints"),
        (decimal(1000 * totals["reached"] / totals["youth"]), "Jeunes atteints pour 1 000"),
    ]


def test_region_headline_is_the_public_indicators_total(region_pdf, layers) -> None:
    # The region's row of the public tables: the sum of the MLs' counts, none masked.
    region = public_tables(layers)["region"].iloc[0]
    totals = indicators(layers, level="catchment")[list(COUNTS)].sum()
    assert region[list(COUNTS)].astype(float).round(6).tolist() == totals.round(6).tolist()
    page = region_pdf[1]
    assert "Chiffres clés" in page
    for value, label in expected_headline(totals, len(open_sites(layers["sites"])),
                                          len(layers["actions"])):
        assert f"{value}\n{label}" in page, (value, label)
    for stage in ("repere", "mobilise", "accompagne"):
        assert f"\n{count(totals[stage])}\n" in page, stage


def test_ml_headline_is_its_row_of_the_public_table(ml_pdf, layers) -> None:
    zones = indicators(layers, level="catchment", public=True).set_index("zone_id")
    row = zones.loc[ML]
    sites = open_sites(layers["sites"])
    page = ml_pdf[1]
    for value, label in expected_headline(row, int((sites["ml_code"] == ML).sum()),
                                          int((layers["actions"]["ml_code"] == ML).sum())):
        assert f"{value}\n{label}" in page, (value, label)


def test_a_period_changes_the_figures_and_the_title(layers, metadata) -> None:
    period = ("2020-01", "2020-12")
    report = build_report(layers, metadata=metadata, ml_code=SMALL_ML, period=period,
                          date=DATE)
    zones = indicators(layers, level="catchment", period=period, public=True)
    row = zones.set_index("zone_id").loc[SMALL_ML]
    pages = drawn_text(report)
    assert "Période : janvier 2020 – décembre 2020" in pages[0]
    reached = (row["reached_secret"] if pd.notna(row["reached_secret"])
               else count(row["reached"]))
    assert f"{reached}\nJeunes atteints" in pages[1]


def _small_counts(report: Report) -> list[tuple[str, str, str]]:
    found = []
    for page in report.pages:
        for table in page.tables:
            for column in table.counts:
                for cell in table.column(column):
                    digits = normalise(cell).replace(" ", "")
                    if digits.isdigit() and 0 < int(digits) < THRESHOLD:
                        found.append((table.title, column, cell))
    return found


def test_no_small_count_in_any_table(region_report, ml_report, small_report) -> None:
    for report in (region_report, ml_report, small_report):
        counted = [t for p in report.pages for t in p.tables if t.counts]
        assert len(counted) >= 5
        assert not _small_counts(report)


def test_masked_counts_show_as_masked(ml_report, ml_pdf, layers) -> None:
    months = next(t for p in ml_report.pages for t in p.tables
                  if t.title.startswith("Jeunes en contact"))
    assert f"< {THRESHOLD}" in months.column("Jeunes en contact")
    top = next(t for p in ml_report.pages for t in p.tables if "moins atteintes" in t.title)
    communes = indicators(layers, level="commune").set_index("zone_name")
    for row in top.rows:
        name = row[1].rsplit(" (", 1)[0]
        reached = communes.loc[name, "reached"]
        cell = row[top.columns.index("Jeunes atteints")]
        if 0 < reached < THRESHOLD:
            assert cell == f"< {THRESHOLD}", (name, reached, cell)
    text = "\n".join(ml_pdf)
    assert f"< {THRESHOLD}" in text


def test_the_small_ml_series_falls_back_to_the_region(small_report) -> None:
    page = next(p for p in small_report.pages if p.title.startswith("Jeunes en contact"))
    assert "Courbe de la région" in page.text[0]
    assert len(page.tables[0].rows) == 24


def test_methodology_lists_every_source_and_parameter(region_pdf, region_report) -> None:
    start = next(i for i, p in enumerate(region_report.pages)
                 if p.title == "Méthodologie et sources")
    text = re.sub(r"\s+", " ", " ".join(region_pdf[start:]))
    for source in ("IGN, ADMIN EXPRESS", "INSEE, population municipale 2017",
                   "Dares Analyses n° 2020-006", "Norme France Services",
                   "un service à moins de 30 minutes", "Baromètre digiNEET", "Luo & Qi (2009)",
                   "DILA, Annuaire de l'administration", "Licence Ouverte",
                   "population municipale 2017 × 10,6 %", "graine 2019"):
        assert source in text, source
    for row in Parameters().sources().itertuples():
        assert re.sub(r"\s+", " ", normalise(row.label)) in text, row.label
        assert re.sub(r"\s+", " ", normalise(row.value)) in text, row.value


def test_every_page_of_a_demo_report_says_so(region_pdf, ml_pdf) -> None:
    for pages in (region_pdf, ml_pdf):
        assert all("données fictives" in page.lower() for page in pages)


def test_real_data_carry_no_demo_mark(layers, metadata) -> None:
    real = {**metadata, "demo": False,
            "layers": {k: {**v, "demo": False} for k, v in metadata["layers"].items()}}
    report = build_report(layers, metadata=real, ml_code=SMALL_ML, date=DATE)
    pages = drawn_text(report)
    assert not any("données fictives" in page.lower() for page in pages)
    assert all("décembre 2019 – novembre 2021" in page for page in pages)


def test_ml_report_shows_only_that_ml(ml_report, ml_pdf, layers) -> None:
    names = layers["catchments"].set_index("ml_code")["ml_name"]
    text = re.sub(r"\s+", " ", " ".join(ml_pdf))
    assert names[ML] in text
    for code, name in names.drop(ML).items():
        short = "ML " + name.removeprefix("Mission Locale ")
        assert name not in text and short not in text, code
    table = next(t for p in ml_report.pages for t in p.tables if t.total)
    assert [row[0] for row in table.rows] == [ML.removeprefix("ML"), ""]


def test_region_report_has_every_ml_and_the_pages_asked_for(region_report, layers) -> None:
    titles = [p.title for p in region_report.pages]
    for expected in ("Page de titre", "Chiffres clés", "Carte de l'indice de zone invisible",
                     "Jeunes en contact par mois", "Les communes les moins atteintes",
                     "Tableau par Mission Locale", "Méthodologie et sources"):
        assert expected in titles
    rows = [r for p in region_report.pages for t in p.tables
            if t.title.startswith("Tableau par Mission Locale") for r in t.rows]
    assert len(rows) == len(layers["catchments"]) + 1
    top = next(t for p in region_report.pages for t in p.tables
               if "moins atteintes" in t.title)
    assert [r[0] for r in top.rows] == [str(n) for n in range(1, 11)]
    assert all(r[-1] for r in top.rows), "every commune says why"


def test_unknown_ml_lists_the_known_ones(layers, metadata) -> None:
    from territory import InputError

    with pytest.raises(InputError, match=r"NOPE.*expected one of.*ML01"):
        build_report(layers, metadata=metadata, ml_code="NOPE")


def test_every_ml_territory_is_protected_as_a_group(layers, metadata, lone_masked) -> None:
    from territory.report._data import collect

    data = collect(layers, metadata=metadata, ml_code=None, period=None,
                   params=Parameters())
    tables = public_tables(layers)
    pd.testing.assert_series_equal(data.public_communes["reached_secret"],
                                   tables["commune"]["reached_secret"])
    assert lone_masked(tables, layers["communes"], layers["catchment_members"]) == []
