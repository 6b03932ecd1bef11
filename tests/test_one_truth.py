"""One figure, one function: the command line, the dashboard, the report and the map agree.

For the demo workspace and the default parameters (the whole record, 30 minutes), the
headline figures of the region and of one Mission Locale are read where a user meets them:
the file `territory indicators` writes, the director's view (its params, no browser), the
text of the report's PDF (pypdf) and the title box of the standalone map.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

from territory.dashboards import DirectorApp
from territory.io.workspace import Workspace
from territory.report import build_report
from territory.viz.labels import format_number

pytestmark = pytest.mark.slow

ML = "ML05"
SCOPES = (None, ML)


def territory(*args: str | Path) -> None:
    done = subprocess.run([sys.executable, "-m", "territory", *map(str, args)],
                          capture_output=True, text=True, check=False, timeout=600)
    assert done.returncode == 0, done.stderr


def _plain(text: str) -> str:
    """Text with every kind of space made one ordinary space."""
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


@pytest.fixture(scope="module")
def path(demo_workspace_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("one-truth") / "territoire.gpkg"
    shutil.copyfile(demo_workspace_file, copy)
    return copy


@pytest.fixture(scope="module")
def cli(path: Path) -> dict[str | None, dict[str, float]]:
    """The figures from `territory indicators` (communes for the region, catchments for ML)."""
    out = path.parent / "communes.json"
    territory("indicators", "--workspace", path, "--level", "commune", "--out", out)
    communes = pd.DataFrame(json.loads(out.read_text())["zones"])
    out = path.parent / "ml.json"
    territory("indicators", "--workspace", path, "--level", "catchment", "--out", out)
    mls = pd.DataFrame(json.loads(out.read_text())["zones"]).set_index("zone_id")
    columns = ["youth", "invisible_est", "reached", "covered_youth"]
    found = {None: communes[columns].sum().to_dict(), ML: mls.loc[ML, columns].to_dict()}
    for figures in found.values():
        figures["covered_share"] = figures["covered_youth"] / figures["youth"]
    return found


@pytest.fixture(scope="module")
def dashboard(path: Path) -> dict[str | None, dict[str, float]]:
    return {scope: DirectorApp(path, ml=scope or "").figures for scope in SCOPES}


@pytest.fixture(scope="module")
def report_text(path: Path) -> dict[str | None, str]:
    workspace = Workspace(path)
    layers = {name: workspace.read(name) for name in workspace.layers()}
    texts = {}
    for scope in SCOPES:
        report = build_report(layers, metadata=workspace.metadata(), ml_code=scope)
        (pdf,) = report.write(path.parent / f"rapport-{scope}.pdf")
        texts[scope] = _plain(" ".join(page.extract_text() for page in PdfReader(pdf).pages))
    return texts


@pytest.fixture(scope="module")
def map_title(path: Path) -> dict[str | None, str]:
    titles = {}
    for scope in SCOPES:
        out = path.parent / f"carte-{scope}.html"
        territory("map", "--workspace", path, "--out", out, *(("--ml", scope) if scope else ()))
        titles[scope] = _plain(out.read_text(encoding="utf-8"))
    return titles


@pytest.mark.parametrize("scope", SCOPES)
def test_the_dashboard_gives_the_command_lines_figures(cli, dashboard, scope) -> None:
    for key in ("youth", "invisible_est", "reached", "covered_share"):
        assert dashboard[scope][key] == pytest.approx(cli[scope][key], rel=1e-9), key


@pytest.mark.parametrize("scope", SCOPES)
def test_the_report_prints_the_dashboards_figures(dashboard, report_text, scope) -> None:
    figures, text = dashboard[scope], report_text[scope]
    shown = {"Jeunes de 16 à 25 ans": figures["youth"],
             "Jeunes invisibles estimés": figures["invisible_est"],
             "Jeunes atteints": figures["reached"],
             "Sites d'accueil": figures["sites"],
             "Actions d'aller-vers": figures["actions"]}
    # The key-figure cards print the value, then its label.
    for label, value in shown.items():
        assert f"{_plain(format_number(round(value)))} {label}" in text, label
    share = _plain(format_number(100 * figures["covered_share"], decimals=1))
    assert f"{share} % Part des jeunes à moins de 30 min" in text


@pytest.mark.parametrize("scope", SCOPES)
def test_the_map_prints_the_dashboards_figures(dashboard, map_title, scope) -> None:
    figures, page = dashboard[scope], map_title[scope]
    assert f"{_plain(format_number(round(figures['sites'])))} sites" in page
    assert (f"{_plain(format_number(round(figures['actions'])))} actions d’aller-vers"
            in page)
    assert f"{_plain(format_number(figures['youth']))} jeunes" in page


def _colourings(page: str) -> list[dict]:
    found = re.search(r"var tables = (\{.*?\});\s", page)
    assert found is not None
    return json.loads(found.group(1))["colourings"]


@pytest.mark.parametrize("scope", SCOPES)
def test_the_directors_map_export_is_the_command_lines_map(path: Path, map_title,
                                                           scope) -> None:
    from territory.dashboards import data, exports

    app = DirectorApp(path, ml=scope or "")
    page = _plain(exports.html_map(app.source, app.filters, ml_code=scope or "",
                                   title="t").decode("utf-8"))
    title = re.search(r"(\d[\d ]*) communes · [^<]*jeunes[^<]*", map_title[scope])
    assert title is not None and title.group(0) in page
    # The same colours: every colouring's classes, commune by commune.
    assert _colourings(page) == _colourings(map_title[scope])
    assert "temps d’accès en transports en commun (estimation)" in page
    assert data.Filters(None, 30.0, app.filters.action_kinds) == app.filters


def test_one_ml_is_a_part_of_the_region(dashboard) -> None:
    assert 0 < dashboard[ML]["youth"] < dashboard[None]["youth"]
    assert 0 < dashboard[ML]["sites"] < dashboard[None]["sites"]
