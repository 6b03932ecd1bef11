"""What a planner and a director see in Chromium, the real server running on loopback.

Every request that does not go to the server is aborted and recorded: the dashboards must
work with no network at all.
"""

from __future__ import annotations

import contextlib
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from territory.analysis import indicators
from territory.io.workspace import Workspace

from .conftest import CHROMIUM

COMMUNES = 4293
TIMEOUT_MS = 60_000

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} "
                       "(apt-get install chromium)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path,
                   timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"no answer from {url} after {timeout_s} s")


class _PortTakenError(RuntimeError):
    """Another server took the port between its choice and the server's start."""


def _start(path: Path, options: tuple[str, ...], log: Path) -> tuple[subprocess.Popen[bytes],
                                                                     str]:
    port = _free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "territory", "serve", "--workspace", str(path),
             "--port", str(port), *options], stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url + "/", process, log, timeout_s=180)
    except RuntimeError:
        if "already in use" in log.read_text(errors="replace"):
            raise _PortTakenError(port) from None
        raise
    return process, url


@contextlib.contextmanager
def _serving(path: Path, *options: str) -> Iterator[str]:
    """Run ``territory serve`` on the workspace ``path``; yield its address.

    The port is chosen free, then bound once the views are computed: meanwhile a server of
    another test may take it. The server is then started again on another port.
    """
    log = path.with_name("server.log")
    for attempt in range(3):
        try:
            process, url = _start(path, options, log)
            break
        except _PortTakenError:
            if attempt == 2:
                raise
    try:
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def server(dash_file: Path) -> Iterator[str]:
    with _serving(dash_file) as url:
        yield url


class Page:
    """A page of the dashboards, every request elsewhere than the server aborted."""

    def __init__(self, browser: Any, url: str) -> None:
        self.page = browser.new_page(viewport={"width": 1500, "height": 1000},
                                     accept_downloads=True)
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.tiles: list[str] = []
        self.page.route("**/*", self._route)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.refused: list[str] = []  # what the Content-Security-Policy refused
        self.page.on("console", lambda m: self.refused.append(m.text)
                     if "Content Security Policy" in m.text else None)
        self.page.goto(url)
        self.page.wait_for_function("() => window.territoryMapDrawn !== undefined",
                                    timeout=TIMEOUT_MS)

    def _route(self, route: Any) -> None:
        if route.request.url.startswith("http://127.0.0.1:"):
            if "/territoire-tuiles/" in route.request.url:
                self.tiles.append(route.request.url)
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def card(self, title: str) -> str:
        return str(self.page.locator(".tc-card", has_text=title).first.inner_text())

    def wait_card_change(self, title: str, before: str) -> str:
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while time.monotonic() < deadline:
            now = self.card(title)
            if now != before:
                return now
            self.page.wait_for_timeout(50)
        raise AssertionError(f"card {title!r} still reads {before!r}")


# A point well inside a zone (the same zone 4 px around) that nothing (a dot, a name, a
# control) covers, from the middle of the map outwards.
FREE_COMMUNE = """(root) => {
    const r = root.tmMap.getContainer().getBoundingClientRect();
    const cx = r.left + r.width / 2, cy = r.top + r.height / 2;
    const zone = (x, y) => root.tmAreas.zoneAt(x, y);
    for (let d = 0; d < Math.max(r.width, r.height) / 2; d += 7) {
        for (const [x, y] of [[cx + d, cy], [cx - d, cy], [cx, cy + d], [cx, cy - d]]) {
            const code = zone(x, y);
            if (code && [[4, 0], [-4, 0], [0, 4], [0, -4]].every(
                    ([dx, dy]) => zone(x + dx, y + dy) === code)) { return [x, y]; }
        }
    }
    return null;
}"""
# Where a place [lat, lon] is on the page, the map as it is.
SCREEN_POINT = """([root, lat, lon]) => {
    const p = root.tmMap.latLngToContainerPoint([lat, lon]);
    const r = root.tmMap.getContainer().getBoundingClientRect();
    return [r.left + p.x, r.top + p.y];
}"""
FADED = "#f4f4f2"


def fills(page: Any) -> list[str]:
    """Return the fill of every zone of the page's map, by position."""
    return list(page.locator(".tm-root").evaluate("(root) => root.tmAreas.fills()"))


def free_commune(page: Any) -> tuple[float, float]:
    """Return a point of the page well inside a commune that nothing covers."""
    point = page.locator(".tm-root").evaluate(FREE_COMMUNE)
    assert point is not None, "no commune free of dots, names and controls"
    return float(point[0]), float(point[1])


@pytest.fixture(scope="module")
def planner(browser: Any, server: str) -> Iterator[Page]:
    page = Page(browser, server + "/planification")
    yield page
    page.page.close()


def test_the_index_links_both_views(browser: Any, server: str) -> None:
    page = browser.new_page()
    page.goto(server + "/")
    assert page.locator("a#planification").is_visible()
    assert page.locator("a#direction").is_visible()
    page.close()


def test_the_planner_loads_offline_with_every_commune(planner: Page) -> None:
    page = planner.page
    assert page.locator(".tm-root").get_attribute("data-drawn") == str(COMMUNES)
    assert len(fills(page)) == COMMUNES
    # The zones are drawn on canvas tiles read from the workspace's vector tiles.
    assert page.locator(".leaflet-tmAreas-pane canvas.leaflet-tile").count() > 0
    assert all(url.endswith(".pmtiles") for url in planner.tiles)
    assert page.locator(".tm-banner").inner_text().lower() == "données fictives"
    assert "Part des jeunes à moins de 30 min" in planner.card("Part des jeunes")
    assert planner.blocked == []
    assert planner.errors == []


def test_tiles_and_libraries_are_served_for_the_browser_to_keep(planner: Page,
                                                                server: str) -> None:
    # The browser reads a tile file by ranges, and keeps it for good: its address names its
    # content. The libraries' addresses do not: kept a day.
    tile = planner.tiles[0]
    request = urllib.request.Request(tile, headers={"Range": "bytes=0-126"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 206
        assert response.read()[:7] == b"PMTiles"
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    library = server + "/territoire-js/protomaps-leaflet/dist/protomaps-leaflet.js"
    with urllib.request.urlopen(library, timeout=30) as response:
        assert response.headers["Cache-Control"] == "public, max-age=86400"
    with urllib.request.urlopen(server + "/planification", timeout=120) as response:
        assert "Cache-Control" not in response.headers or \
            "immutable" not in response.headers["Cache-Control"]
        page = response.read().decode("utf-8")
    # Bokeh's bundles the views use, and not the two they never use (TeX, WebGL).
    assert "static/js/bokeh-widgets.min.js" in page
    assert "bokeh-mathjax" not in page and "bokeh-gl" not in page


def test_choosing_an_ml_changes_the_map_and_the_figures(planner: Page) -> None:
    page = planner.page
    before = planner.card("Jeunes (16–25 ans)")
    select = page.locator("select").first
    name = select.locator("option").nth(1).inner_text()
    select.select_option(index=1)
    after = planner.wait_card_change("Jeunes (16–25 ans)", before)
    assert name in after
    faded = fills(page).count(FADED)
    assert 0 < faded < COMMUNES
    # A commune of the ML, hovered: its rank among the ML's communes (sent as their
    # positions in rank order).
    point = _eventually(lambda: page.locator(".tm-root").evaluate(IN_SELECTION, FADED),
                        lambda p: p is not None, timeout_s=15)
    assert point is not None, "no commune of the ML on screen"
    page.mouse.move(*point)
    tip = page.locator(".leaflet-tooltip.tm-tooltip", has_text="rang ")
    tip.wait_for(timeout=TIMEOUT_MS)
    found = re.search(r"rang (\d+) / ([\d\s\u202f]+)", tip.inner_text())
    assert found, tip.inner_text()
    total = int(re.sub(r"\D", "", found.group(2)))
    assert total == COMMUNES - faded and 1 <= int(found.group(1)) <= total
    select.select_option(index=0)
    planner.wait_card_change("Jeunes (16–25 ans)", after)


# A point of the page over a commune of the selection (not faded), away from the controls.
IN_SELECTION = """(root, faded) => {
    const box = root.tmMap.getContainer().getBoundingClientRect();
    for (let y = box.top + 60; y < box.bottom - 60; y += 9) {
        for (let x = box.left + 60; x < box.right - 60; x += 9) {
            const code = root.tmAreas.zoneAt(x, y);
            if (code && root.tmAreas.fill(code) !== faded) { return [x, y]; }
        }
    }
    return null;
}"""


def _far_commune(dash_file: Path, threshold_min: float) -> tuple[float, float]:
    """Return a point inside the most populous commune farther than ``threshold_min``."""
    workspace = Workspace(dash_file)
    layers = {name: workspace.read(name) for name in
              ("communes", "mairies", "sites", "actions", "contacts")}
    table = indicators(layers, period=("2019-12", "2021-11"), threshold_min=threshold_min)
    far = table[table["nearest_min"] > threshold_min].sort_values("youth", ascending=False)
    communes = layers["communes"].set_index("code_insee")
    point = communes.loc[[str(far["zone_id"].iloc[0])]].representative_point().to_crs(4326)
    return float(point.iloc[0].y), float(point.iloc[0].x)


def test_a_click_on_the_map_adds_a_site_and_coverage_changes(planner: Page,
                                                             dash_file: Path) -> None:
    page = planner.page
    handle = page.locator(".noUi-handle").first
    handle.focus()
    before = planner.card("Part des jeunes")
    for _ in range(4):
        handle.press("ArrowLeft")
    planner.wait_card_change("Part des jeunes", before)
    page.locator(".tc-card", has_text="à moins de 10 min").wait_for(timeout=TIMEOUT_MS)
    lat, lon = _far_commune(dash_file, 10)
    page.locator("button.tm-mode[data-mode=add]").click()
    before = planner.card("Part des jeunes")
    page.mouse.click(*page.evaluate(SCREEN_POINT, [page.locator(".tm-root").element_handle(),
                                                   lat, lon]))
    after = planner.wait_card_change("Part des jeunes", before)
    assert "→" in after and "+" in after
    assert page.locator(".tm-candidate").count() == 1
    assert "Lieux envisagés (1 lieu)" in page.locator(".tc-section").first.inner_text()


def test_clicking_a_commune_explains_its_score(planner: Page) -> None:
    page = planner.page
    page.locator("button.tm-mode[data-mode=explain]").click()
    x, y = free_commune(page)
    page.mouse.click(x, y)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=TIMEOUT_MS)
    assert "Indice de zone invisible" in popup.inner_text()
    # What an outreach action there would reach, from the curves learned from the contacts.
    assert "jeunes invisibles atteints en plus par an" in popup.locator(".tm-whatif").inner_text()


def test_proposals_for_outreach_say_what_they_reach(planner: Page) -> None:
    page = planner.page
    page.get_by_text("Aller-vers (portée)").click()
    page.get_by_text("Proposer les meilleurs lieux").click()
    listing = page.locator(".tc-plan", has_text="jeunes invisibles atteints en plus par an")
    listing.wait_for(timeout=TIMEOUT_MS)
    # The listing and the markers arrive in two messages: wait for the markers too.
    proposals = page.locator(".tm-proposal")
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while proposals.count() < 3 and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert proposals.count() == 3
    assert planner.errors == []


def test_the_gain_of_an_action_at_every_town_hall_is_a_map_layer(planner: Page) -> None:
    page = planner.page
    assert "8 jeunes sur 10 atteints par" in page.get_by_text("8 jeunes sur 10").inner_text()
    page.get_by_text("Gain d’une action à la mairie (par an)").click()
    legend = page.locator(".tm-legend h4", has_text="Gain d’une action à la mairie")
    legend.wait_for(timeout=TIMEOUT_MS)
    page.get_by_text("Indice de zone invisible (0–100)").first.click()
    page.locator(".tm-legend h4", has_text="Indice de zone invisible").wait_for(
        timeout=TIMEOUT_MS)
    assert planner.errors == []


def test_the_director_exports_a_csv_with_small_counts_masked(browser: Any, server: str) -> None:
    director = Page(browser, server + "/direction")
    page = director.page
    assert len(fills(page)) == 43
    assert "DONNÉES FICTIVES" in page.locator(".tc-badge").inner_text().upper()
    with page.expect_download(timeout=TIMEOUT_MS) as info:
        page.get_by_text("Tableau par Mission Locale (CSV)").click()
    download = info.value
    assert download.suggested_filename.endswith("-donnees-fictives.csv")
    table = pd.read_csv(download.path(), sep=";", encoding="utf-8-sig", dtype=str)
    assert len(table) == 43
    assert director.blocked == [] and director.errors == []
    page.close()


@pytest.mark.slow
def test_sessions_at_once_each_keep_their_own_state(browser: Any, server: str) -> None:
    # Small windows: six maps drawn at once by one browser on a small machine (the load of
    # twenty sessions is measured in benchmarks/bench_dashboard.py).
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    pages = [context.new_page() for _ in range(6)]
    for page in pages:
        page.goto(server + "/planification", wait_until="commit")
    for page in pages:
        page.wait_for_function("() => window.territoryMapDrawn !== undefined",
                               timeout=TIMEOUT_MS * 2)
    names = []
    for index, page in enumerate(pages, start=1):
        select = page.locator("select").first
        names.append(select.locator("option").nth(index).inner_text())
        select.select_option(index=index)
    for page, name in zip(pages, names, strict=True):
        page.locator(".tc-card", has_text=name).first.wait_for(timeout=TIMEOUT_MS * 2)
        assert page.locator(".tm-candidate").count() == 0
        # Each map fades the communes outside its own Mission Locale.
        faded = _eventually(lambda page=page: fills(page).count(FADED),
                            lambda n: 0 < n < COMMUNES)
        assert 0 < faded < COMMUNES
    context.close()


def test_counts_kept_instead_of_contacts_show_the_periods_counted(browser: Any,
                                                                 counts_file: Path) -> None:
    with _serving(counts_file) as url:
        director = Page(browser, url + "/direction")
        page = director.page
        period = page.locator("select", has=page.locator("option", has_text="toute la période"))
        assert period.locator("option").all_inner_texts() == [
            "toute la période", "du 01/01/2020 au 31/12/2020"]
        before = director.card("Jeunes atteints")
        period.select_option(index=1)
        after = director.wait_card_change("Jeunes atteints", before)
        assert 0 < _first_number(after) < _first_number(before)
        funnel = page.locator(".tc-section", has_text="Parcours des jeunes atteints")
        assert "du 01/01/2020 au 31/12/2020" in funnel.inner_text()
        assert director.blocked == [] and director.errors == []
        page.close()


def _first_number(text: str) -> int:
    found = re.search(r"\d[\d\s\u202f\u00a0]*", text)
    assert found, text
    return int(re.sub(r"\D", "", found.group()))


TRUNCATED_TITLES = """(titles) => titles
    .filter((t) => t.textContent.trim() && t.scrollWidth > t.clientWidth + 1)
    .map((t) => t.textContent)"""


@pytest.mark.parametrize("view", ["direction", "planification"])
def test_every_table_header_reads_in_full(browser: Any, server: str, view: str) -> None:
    page = Page(browser, f"{server}/{view}")
    titles = page.page.locator(".tabulator-col-title:visible")
    titles.first.wait_for(timeout=TIMEOUT_MS)
    page.page.wait_for_timeout(500)
    assert titles.count() >= 8
    assert titles.evaluate_all(TRUNCATED_TITLES) == []
    assert "Invisibles" in " ".join(titles.all_inner_texts())
    page.page.close()


# -- what covers what ------------------------------------------------------------------------
# A commune under the click modes: a popup that opens upwards from it meets the controls.
UNDER_THE_MODES = """(root) => {
    const r = root.querySelector(".tm-modes").getBoundingClientRect();
    for (let y = r.bottom + 12; y < r.bottom + 160; y += 4) {
        for (let x = r.left + 10; x < r.right - 10; x += 8) {
            if (root.tmAreas.zoneAt(x, y)) { return [x, y]; }
        }
    }
    return null;
}"""
# How much of the popup a person cannot see: points of a 9 × 9 grid over it that something
# else covers, and whether it passes the map's edges.
POPUP_SEEN = """(popup) => {
    const doc = popup.getRootNode();
    const frame = popup.closest(".tm-map").getBoundingClientRect();
    const r = popup.querySelector(".leaflet-popup-content-wrapper").getBoundingClientRect();
    let covered = 0;
    for (let i = 1; i < 10; i++) {
        for (let j = 1; j < 10; j++) {
            const el = doc.elementFromPoint(r.left + r.width * i / 10, r.top + r.height * j / 10);
            if (!popup.contains(el)) { covered += 1; }
        }
    }
    const outside = r.left < frame.left || r.top < frame.top || r.right > frame.right ||
        r.bottom > frame.bottom;
    return {covered: covered, outside: outside};
}"""
# Communes of the selection (not faded) whose inner point ([code, lat, lon]) the legend
# hides, and the map's centre.
UNDER_THE_LEGEND = """([legend, points]) => {
    const doc = legend.getRootNode();
    const root = legend.closest(".tm-root");
    const map = root.tmMap;
    const box = map.getContainer().getBoundingClientRect();
    const chosen = points.filter(([code]) => root.tmAreas.fill(code) !== "#f4f4f2");
    let hidden = 0;
    for (const [, lat, lon] of chosen) {
        const p = map.latLngToContainerPoint([lat, lon]);
        if (legend.contains(doc.elementFromPoint(box.left + p.x, box.top + p.y))) {
            hidden += 1;
        }
    }
    const m = legend.closest(".tm-map").getBoundingClientRect();
    const centre = legend.contains(doc.elementFromPoint(m.left + m.width / 2,
                                                        m.top + m.height / 2));
    return {chosen: chosen.length, hidden: hidden, centre: centre};
}"""


def _eventually(read: Any, ok: Any, timeout_s: float = 5.0) -> Any:
    """Read until ``ok(value)`` (a pan or a redraw may be under way); return the last value."""
    deadline = time.monotonic() + timeout_s
    value = read()
    while not ok(value) and time.monotonic() < deadline:
        time.sleep(0.1)
        value = read()
    return value


def _choose_ml(page: Any, dash_file: Path, code: str) -> None:
    catchments = Workspace(dash_file).read("catchments").set_index("ml_code")
    name = str(catchments.loc[code, "ml_name"])
    page.locator("select").first.select_option(label=name)
    page.locator(".tc-card", has_text=name).first.wait_for(timeout=TIMEOUT_MS)


def _inner_points(dash_file: Path) -> list[list[Any]]:
    """Return ``[code, lat, lon]`` of a point inside each commune."""
    communes = Workspace(dash_file).read("communes")
    points = communes.representative_point().to_crs(4326)
    return [[str(c), float(p.y), float(p.x)]
            for c, p in zip(communes["code_insee"], points, strict=True)]


def _add_site_at_a_free_commune(planner: Page) -> None:
    page = planner.page
    page.locator("button.tm-mode[data-mode=add]").click()
    x, y = free_commune(page)
    page.mouse.click(x, y)
    page.locator(".tm-candidate").first.wait_for(timeout=TIMEOUT_MS)


def test_the_explanation_popup_opens_clear_of_the_map_controls(browser: Any, server: str,
                                                                dash_file: Path) -> None:
    planner = Page(browser, server + "/planification")
    page = planner.page
    _choose_ml(page, dash_file, "ML05")
    # The card tells of the ML before the map has framed it and drawn its tiles.
    point = _eventually(lambda: page.locator(".tm-root").evaluate(UNDER_THE_MODES),
                        lambda p: p is not None, timeout_s=15)
    assert point is not None, "no commune under the click modes"
    page.mouse.click(*point)
    popup = page.locator(".leaflet-popup")
    popup.wait_for(timeout=TIMEOUT_MS)
    assert "Indice de zone invisible" in popup.inner_text()
    seen = _eventually(lambda: popup.evaluate(POPUP_SEEN),
                       lambda s: s["covered"] == 0 and not s["outside"])
    assert seen == {"covered": 0, "outside": False}
    assert planner.errors == []
    page.close()


def test_a_candidate_site_tooltip_reads_in_lines_not_a_word_a_line(browser: Any,
                                                                   server: str) -> None:
    planner = Page(browser, server + "/planification")
    page = planner.page
    _add_site_at_a_free_commune(planner)
    page.locator(".tm-candidate").first.hover()
    tip = page.locator(".leaflet-tooltip.tm-tooltip", has_text="Lieu 1")
    tip.wait_for(timeout=TIMEOUT_MS)
    box = tip.bounding_box()
    assert box is not None
    line = float(tip.evaluate("(t) => parseFloat(getComputedStyle(t).lineHeight)"))
    # A name and one sentence of gain: a few lines, and a tooltip wide enough to hold them.
    assert box["height"] < 5 * line, box
    assert box["width"] > 150, box
    page.close()


def test_the_legend_folds_away_from_the_chosen_ml_and_stays_folded(browser: Any, server: str,
                                                                   dash_file: Path) -> None:
    planner = Page(browser, server + "/planification")
    page = planner.page
    _choose_ml(page, dash_file, "ML05")
    legend = page.locator(".tm-legend")
    points = _inner_points(dash_file)
    before = _eventually(lambda: page.evaluate(UNDER_THE_LEGEND,
                                               [legend.element_handle(), points]),
                         lambda s: s["chosen"] > 100)
    assert before["hidden"] > 0  # open, it hides part of the catchment of ML05
    toggle = legend.locator("button.tm-legend-toggle")
    assert toggle.get_attribute("aria-expanded") == "true"
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "false"
    after = page.evaluate(UNDER_THE_LEGEND, [legend.element_handle(), points])
    assert after["hidden"] == 0 and not after["centre"]
    assert not legend.locator(".tm-legend-body").is_visible()
    page.reload()
    page.wait_for_function("() => window.territoryMapDrawn !== undefined", timeout=TIMEOUT_MS)
    toggle = page.locator(".tm-legend button.tm-legend-toggle")
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    assert page.locator(".tm-legend .tm-legend-body").is_visible()
    page.close()


def test_the_scenario_comparison_has_room_for_its_columns(browser: Any, server: str) -> None:
    planner = Page(browser, server + "/planification")
    page = planner.page
    _add_site_at_a_free_commune(planner)
    name = page.get_by_placeholder("ex. Printemps 2027")
    name.fill("Comparaison")
    name.press("Enter")
    page.get_by_text("Enregistrer le scénario").click()
    table = page.locator("table.tc-table", has_text="Scénario")
    table.wait_for(timeout=TIMEOUT_MS)
    box = table.bounding_box()
    assert box is not None and box["width"] >= 600, box
    headers = table.locator("th")
    assert headers.evaluate_all(TRUNCATED_TITLES) == []
    line = float(headers.first.evaluate("(t) => parseFloat(getComputedStyle(t).lineHeight)"))
    heights = [b["height"] for b in (h.bounding_box() for h in headers.all()) if b]
    assert max(heights) < 2 * line + 10, heights  # a header on one or two lines
    page.close()


def test_the_director_table_shows_masks_and_whole_headers(browser: Any, server: str) -> None:
    director = Page(browser, server + "/direction")
    page = director.page
    # A public view offers the whole record or a calendar year; 2019, the programme's first
    # weeks, has MLs with 1 to 10 young people reached.
    periods = page.locator("select", has=page.locator("option", has_text="Année 2019"))
    assert periods.locator("option").all_inner_texts() == [
        "Toute la période", "Année 2019", "Année 2020", "Année 2021"]
    assert page.locator("select", has=page.locator("option", has_text="avr. 2020")).count() == 0
    before = director.card("Jeunes atteints")
    periods.select_option(label="Année 2019")
    director.wait_card_change("Jeunes atteints", before)
    table = page.locator(".tabulator", has=page.locator(".tabulator-col-title",
                                                         has_text="Mission Locale"))
    table.locator(".tabulator-cell", has_text="< 11").first.wait_for(timeout=TIMEOUT_MS)
    cells = [t.strip() for t in table.locator(".tabulator-cell").all_inner_texts()]
    assert "NaN" not in cells and not any("NaN" in t for t in cells)
    assert table.locator(".tabulator-col-title").evaluate_all(TRUNCATED_TITLES) == []
    holder = table.locator(".tabulator-tableholder")
    assert holder.evaluate("(h) => h.scrollWidth <= h.clientWidth + 1")
    assert director.errors == []
    page.close()


def test_the_public_transport_window_changes_every_figure_of_access(
        browser: Any, own_file: Path) -> None:
    """With timetables, both views offer the departure window and their figures follow it."""
    import datetime as dt

    from territory.network import build_transit

    from ..network.gtfs_feed import gueret_tables, write_feed
    from ..network.test_transit import stop_points

    feed = write_feed(own_file.with_name("car.zip"),
                      gueret_tables(stop_points(Workspace(own_file).read("mairies"))))
    build_transit(own_file, [feed], date=dt.date(2026, 11, 10), progress=False)
    with _serving(own_file) as url:
        planner = Page(browser, url + "/planification")
        page = planner.page
        window = page.locator("select", has=page.locator("option", has_text="Samedi 10 h–12 h"))
        assert window.locator("option").all_inner_texts() == [
            "Estimation (sans horaires)", "Semaine 7 h–9 h", "Semaine 17 h–19 h",
            "Samedi 10 h–12 h"]
        # The "?" beside the window names the feed, its validity and the days read.
        page.locator("label:has-text('Horaires des transports en commun') "
                     ".bk-description").hover()
        tip = page.get_by_text("Horaires : car.zip (")
        tip.wait_for(timeout=TIMEOUT_MS)
        assert "valable du 01/09/2026 au 31/12/2026" in tip.inner_text()
        assert "mardi 10/11/2026 et du samedi 14/11/2026" in tip.inner_text()
        title = "Part des jeunes à moins de"
        before = planner.card(title)
        assert "en transports en commun (semaine 7 h–9 h)" in before
        window.select_option(label="Samedi 10 h–12 h")
        after = planner.wait_card_change(title, before)
        assert "en transports en commun (samedi 10 h–12 h)" in after
        # By car, the window has no meaning: it is hidden.
        mode = page.locator("select", has=page.locator("option", has_text="En voiture"))
        mode.select_option(label="En voiture")
        window.wait_for(state="hidden", timeout=TIMEOUT_MS)
        assert planner.blocked == [] and planner.errors == []
        page.close()
        director = Page(browser, url + "/direction")
        page = director.page
        card = director.card("Jeunes à moins de")
        assert "transports en commun (semaine 7 h–9 h)" in card
        window = page.locator("select", has=page.locator("option", has_text="Samedi 10 h–12 h"))
        window.select_option(label="Estimation (sans horaires)")
        assert "transports en commun (est.)" in director.wait_card_change(
            "Jeunes à moins de", card)
        assert director.blocked == [] and director.errors == []
        page.close()
