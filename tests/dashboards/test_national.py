"""Both views on a workspace beyond one region: several regions and an overseas département.

The workspace is built as a national one is (``territory geodata build --region …``, then
``territory demo --reference``), on three regions: Corse, Centre-Val de Loire and La Réunion,
9,000 km away (a base of all of France takes minutes to build and serve:
``benchmarks/bench_dashboard.py --workspace`` measures it). The same checks as on the region:
the map drawn from tiles with no network, a Mission Locale chosen, a commune explained, a
site added, the director's table and export; served by two processes.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from territory.io.workspace import Workspace

from .test_browser import (
    CHROMIUM,
    FADED,
    TIMEOUT_MS,
    Page,
    _serving,
    fills,
    free_commune,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} "
                       "(apt-get install chromium)"),
]

REGIONS = "94,24,04"  # Corse, Centre-Val de Loire, La Réunion
# The map's centre, latitude: the mainland (Corse and Centre) or La Réunion.
CENTRE = "(root) => root.tmMap.getCenter().lat"


def _territory(*args: str | Path) -> None:
    result = subprocess.run([sys.executable, "-m", "territory", *map(str, args)],
                            capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def several_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("national")
    _territory("geodata", "build", "--region", REGIONS, "--out", folder / "base.gpkg")
    _territory("demo", "--reference", folder / "base.gpkg", "--workspace",
               folder / "territoire.gpkg")
    return folder / "territoire.gpkg"


@pytest.fixture(scope="module")
def server(several_file: Path) -> Iterator[str]:
    # Two processes, as a shared server runs (`--num-procs`): a page and its websocket may
    # reach either; each view must still draw whole, every style sheet from the server.
    with _serving(several_file, "--num-procs", "2") as url:
        yield url
    # Stopping the first process stops the processes it forked: none still serves.
    for _ in range(50):
        if not _serving_processes(several_file):
            break
        time.sleep(0.2)
    assert _serving_processes(several_file) == []


def _serving_processes(workspace: Path) -> list[str]:
    """Return the ids of the processes whose command line serves ``workspace``."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"serve" in command and str(workspace).encode() in command:
            found.append(entry.name)
    return found


@pytest.mark.slow
def test_both_views_beyond_one_region(browser: Any, server: str, several_file: Path) -> None:
    # One test, so that one worker builds and serves the workspace.
    _planner_frames_the_mainland_and_each_departement(browser, server, several_file)
    _planner_adds_a_site_in_a_mission_locale(browser, server)
    _director_shows_every_mission_locale_and_exports_them(browser, server, several_file)


def _planner_frames_the_mainland_and_each_departement(browser: Any, server: str,
                                                      several_file: Path) -> None:
    planner = Page(browser, server + "/planification")
    page = planner.page
    communes = len(Workspace(several_file).read("communes"))
    assert page.locator(".tm-root").get_attribute("data-drawn") == str(communes)
    assert all(url.endswith(".pmtiles") for url in planner.tiles)
    root = page.locator(".tm-root")
    assert root.evaluate(CENTRE) > 40  # not half-way to the Indian Ocean
    options = page.locator("select").first.locator("option").all_inner_texts()
    assert options[0] == "Toutes les régions" and len(options) > 3
    # La Réunion, chosen by its département, fills the map; its communes are drawn.
    deps = page.locator("select").nth(1)
    before = planner.card("Jeunes (16–25 ans)")
    deps.select_option(label="La Réunion (974)")
    planner.wait_card_change("Jeunes (16–25 ans)", before)
    deadline = TIMEOUT_MS / 1000
    page.wait_for_function("(root) => root.tmMap.getCenter().lat < -15",
                           arg=root.element_handle(), timeout=deadline * 1000)
    page.wait_for_function("() => window.territoryMapDrawn !== undefined")
    x, y = free_commune(page)
    page.mouse.click(x, y)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=TIMEOUT_MS)
    assert "Indice de zone invisible" in popup.inner_text()
    assert 0 < fills(page).count(FADED) < communes
    assert planner.blocked == [] and planner.errors == [] and planner.refused == []
    page.close()


def _planner_adds_a_site_in_a_mission_locale(browser: Any, server: str) -> None:
    planner = Page(browser, server + "/planification")
    page = planner.page
    select = page.locator("select").first
    name = select.locator("option").nth(2).inner_text()
    select.select_option(index=2)
    page.locator(".tc-card", has_text=name).first.wait_for(timeout=TIMEOUT_MS)
    page.locator("button.tm-mode[data-mode=add]").click()
    before = planner.card("Part des jeunes")
    page.wait_for_timeout(500)  # the map fitted to the Mission Locale
    page.mouse.click(*free_commune(page))
    page.locator(".tm-candidate").first.wait_for(timeout=TIMEOUT_MS)
    assert planner.wait_card_change("Part des jeunes", before) != before
    assert planner.errors == [] and planner.refused == []
    page.close()


def _director_shows_every_mission_locale_and_exports_them(browser: Any, server: str,
                                                          several_file: Path) -> None:
    director = Page(browser, server + "/direction")
    page = director.page
    mls = len(Workspace(several_file).read("catchments"))
    assert len(fills(page)) == mls
    with page.expect_download(timeout=TIMEOUT_MS) as info:
        page.get_by_text("Tableau par Mission Locale (CSV)").click()
    table = pd.read_csv(info.value.path(), sep=";", encoding="utf-8-sig", dtype=str)
    assert len(table) == mls
    assert director.blocked == [] and director.errors == [] and director.refused == []
    page.close()
