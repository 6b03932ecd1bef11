"""The director's "Bilan d'impact" tab: the command line's study, in words, a chart, a table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from territory.dashboards.director import DirectorApp

from .conftest import ARGS, CHROMIUM
from .test_browser import TIMEOUT_MS, _serving


@pytest.fixture(scope="module")
def director(dash_file: Path) -> DirectorApp:
    app = DirectorApp(dash_file)
    app.__panel__()
    app.tabs.active = 1
    return app


@pytest.fixture(scope="module")
def cli_json(dash_file: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from territory.cli import main

    # In this process: the command line and the view share the study's cache, as two
    # computations of one function must give one figure.
    out = tmp_path_factory.mktemp("impact") / "impact.json"
    assert main(["impact", "--workspace", str(dash_file), "--out", str(out)]) == 0
    return dict(json.loads(out.read_text(encoding="utf-8")))


def _fr(value: float) -> str:
    return f"{value:+.2f}".replace(".", ",").replace("-", "−")


def test_the_tab_shows_the_command_lines_estimates(director: DirectorApp,
                                                   cli_json: dict[str, Any]) -> None:
    table = director.impact.table.value
    rows = {r["what"]: r for r in cli_json["estimations"] if r["what"] != "ml"}
    region = table[table["Territoire"].str.startswith("Région")].iloc[0]
    assert region["Effet"] == _fr(rows["ensemble"]["att"])
    assert region["Intervalle à 95 %"] == (f"{_fr(rows['ensemble']['low'])} à "
                                          f"{_fr(rows['ensemble']['high'])}")
    assert cli_json["lecture"] in director.impact.reading.object
    assert cli_json["données"] == "données fictives"
    # One row per ML after the region and the consortium comparison.
    assert len(table) == 2 + len(director.info.mls)


def test_the_report_prints_the_same_reading_and_figures(dash_file: Path,
                                                       cli_json: dict[str, Any]) -> None:
    from territory.io.workspace import Workspace
    from territory.report import build_report

    workspace = Workspace(dash_file)
    layers = {name: workspace.read(name) for name in workspace.layers()}
    report = build_report(layers, metadata=workspace.metadata())
    page = next(p for p in report.pages if p.title == "Bilan d’impact")
    assert page.text[0] == cli_json["lecture"]
    region = next(r for r in cli_json["estimations"] if r["what"] == "ensemble")
    table = page.tables[0]
    assert table.column("Effet")[0] == _fr(region["att"])
    assert table.column("Intervalle à 95 %")[0] == (f"{_fr(region['low'])} à "
                                                    f"{_fr(region['high'])}")


def test_choosing_an_ml_adds_its_own_line(director: DirectorApp) -> None:
    study = director.impact.study
    assert study is not None
    has = study.by_ml[study.by_ml["att"].notna()].iloc[0]
    director.ml = str(has["ml_code"])
    try:
        assert director.info.mls[director.ml] in director.impact.reading.object
        assert _fr(float(has["att"])) in director.impact.reading.object
    finally:
        director.ml = ""


def test_the_event_chart_hides_unpublished_months(director: DirectorApp) -> None:
    from territory.dashboards._impact import event_chart

    study = director.impact.study
    assert study is not None
    events = study.events.copy()
    events.loc[events["e"] == 3, "published"] = False
    hidden = type(study)(**{**study.__dict__, "events": events})
    drawn = [r.data_source.data["e"] for r in event_chart(hidden, demo=True).renderers
             if hasattr(r, "data_source") and "e" in r.data_source.data]
    assert drawn and all(3 not in list(e) for e in drawn)


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}")
def test_the_director_opens_the_impact_tab_and_reads_the_effect(
        dash_file: Path, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    with _serving(dash_file) as url, sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1000})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(url + "/direction")
        page.get_by_text("Bilan d’impact", exact=True).first.click(timeout=TIMEOUT_MS)
        reading = page.locator(".tc-impact-reading").first
        reading.wait_for(timeout=TIMEOUT_MS)
        text = reading.inner_text()
        assert "pour 1 000 jeunes (intervalle" in text
        page.wait_for_timeout(1500)
        page.screenshot(path=str(tmp_path / "impact.png"), full_page=True)
        browser.close()
    assert not errors
