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

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
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


@contextlib.contextmanager
def _serving(path: Path) -> Iterator[str]:
    """Run ``territory serve`` on the workspace ``path``; yield its address."""
    port = _free_port()
    log = path.with_name("server.log")
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "territory", "serve", "--workspace", str(path),
             "--port", str(port)], stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(url + "/", process, log, timeout_s=90)
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


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


class Page:
    """A page of the dashboards, every request elsewhere than the server aborted."""

    def __init__(self, browser: Any, url: str) -> None:
        self.page = browser.new_page(viewport={"width": 1500, "height": 1000},
                                     accept_downloads=True)
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.page.route("**/*", self._route)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.goto(url)
        self.page.wait_for_function("() => window.territoryMapDrawn !== undefined",
                                    timeout=TIMEOUT_MS)

    def _route(self, route: Any) -> None:
        if route.request.url.startswith("http://127.0.0.1:"):
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


# The middle of a commune that nothing (a dot, a name, a control) covers.
FREE_COMMUNE = """(first) => {
    const root = first.getRootNode();
    for (const path of root.querySelectorAll("path.territory-commune")) {
        const r = path.getBoundingClientRect();
        const x = r.left + r.width / 2, y = r.top + r.height / 2;
        if (r.width > 12 && root.elementFromPoint(x, y) === path) { return [x, y]; }
    }
    return null;
}"""


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
    assert page.locator("path.territory-commune").count() == COMMUNES
    assert page.locator(".tm-root").get_attribute("data-drawn") == str(COMMUNES)
    assert page.locator(".tm-banner").inner_text().lower() == "données fictives"
    assert "Part des jeunes à moins de 30 min" in planner.card("Part des jeunes")
    assert planner.blocked == []
    assert planner.errors == []


def test_choosing_an_ml_changes_the_map_and_the_figures(planner: Page) -> None:
    page = planner.page
    before = planner.card("Jeunes (16–25 ans)")
    select = page.locator("select").first
    name = select.locator("option").nth(1).inner_text()
    select.select_option(index=1)
    after = planner.wait_card_change("Jeunes (16–25 ans)", before)
    assert name in after
    faded = page.locator('path.territory-commune[fill="#f4f4f2"]')
    assert 0 < faded.count() < COMMUNES
    select.select_option(index=0)
    planner.wait_card_change("Jeunes (16–25 ans)", after)


def _far_commune(dash_file: Path, threshold_min: float) -> str:
    workspace = Workspace(dash_file)
    layers = {name: workspace.read(name) for name in
              ("communes", "mairies", "sites", "actions", "contacts")}
    table = indicators(layers, period=("2019-12", "2021-11"), threshold_min=threshold_min)
    far = table[table["nearest_min"] > threshold_min].sort_values("youth", ascending=False)
    return str(far["zone_id"].iloc[0])


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
    code = _far_commune(dash_file, 10)
    path = page.locator(f'path.territory-commune[data-code="{code}"]')
    page.locator("button.tm-mode[data-mode=add]").click()
    box = path.bounding_box()
    assert box is not None
    before = planner.card("Part des jeunes")
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    after = planner.wait_card_change("Part des jeunes", before)
    assert "→" in after and "+" in after
    assert page.locator(".tm-candidate").count() == 1
    assert "Lieux envisagés (1 lieu)" in page.locator(".tc-section").first.inner_text()


def test_clicking_a_commune_explains_its_score(planner: Page) -> None:
    page = planner.page
    page.locator("button.tm-mode[data-mode=explain]").click()
    x, y = page.locator("path.territory-commune").first.evaluate(FREE_COMMUNE)
    page.mouse.click(x, y)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=TIMEOUT_MS)
    assert "Indice de zone invisible" in popup.inner_text()


def test_the_director_exports_a_csv_with_small_counts_masked(browser: Any, server: str) -> None:
    director = Page(browser, server + "/direction")
    page = director.page
    assert page.locator("path.territory-catchment").count() == 43
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
def test_ten_sessions_at_once_each_keep_their_own_state(browser: Any, server: str) -> None:
    # Small windows: ten maps drawn at once by one browser on a small machine.
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    pages = [context.new_page() for _ in range(10)]
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
        page.locator(".tc-card", has_text=name).first.wait_for(timeout=TIMEOUT_MS)
        assert page.locator(".tm-candidate").count() == 0
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
