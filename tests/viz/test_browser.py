"""What a person sees when opening a written map in a browser with no network at all."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest

from territory.viz import workspace_map, write_html

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} "
                       "(apt-get install chromium)"),
]


class OfflinePage:
    """A page opened from a file, every request to the network aborted and recorded."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.requests: list[str] = []
        self.errors: list[str] = []


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


def _open(browser: Any, path: Path) -> OfflinePage:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    offline = OfflinePage(page)

    def route(route: Any) -> None:
        url = route.request.url
        if url.startswith("file://"):
            route.continue_()
        else:
            offline.requests.append(url)
            route.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda error: offline.errors.append(str(error)))
    page.goto(path.as_uri())
    page.wait_for_selector("path.territory-commune", timeout=60_000)
    return offline


@pytest.fixture(scope="module")
def region_page(
    browser: Any, region_layers: dict[str, gpd.GeoDataFrame],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[OfflinePage]:
    path = tmp_path_factory.mktemp("map") / "carte.html"
    fmap = workspace_map(region_layers["communes"], catchments=region_layers["catchments"],
                         sites=region_layers["sites"], actions=region_layers["actions"],
                         demo=True, title="Nouvelle-Aquitaine")
    write_html(fmap, path)
    offline = _open(browser, path)
    yield offline
    offline.page.close()


def test_map_draws_every_commune_with_no_network(
    region_page: OfflinePage, region_layers: dict[str, gpd.GeoDataFrame],
) -> None:
    page = region_page.page
    assert page.locator(".leaflet-container").count() == 1
    drawn = page.locator("path.territory-commune").count()
    assert drawn == len(region_layers["communes"]) == 4293
    assert page.locator("path.territory-catchment").count() == 12
    assert region_page.requests == []
    assert region_page.errors == []


def test_legend_title_and_banner_are_visible(region_page: OfflinePage) -> None:
    page = region_page.page
    legend = page.locator(".territory-legend")
    assert legend.is_visible()
    assert "Jeunes (16–25 ans) estimés par km²" in legend.inner_text()
    assert "40 actions numériques" in legend.inner_text()
    banner = page.locator(".territory-banner")
    assert banner.is_visible()
    assert "DONNÉES FICTIVES" in banner.inner_text()
    assert page.locator(".territory-title").is_visible()
    assert "données fictives" in page.title()


def test_controls_do_not_overlap(region_page: OfflinePage) -> None:
    page = region_page.page
    boxes = [page.locator(selector).bounding_box()
             for selector in (".territory-banner", ".territory-title",
                              ".leaflet-control-layers", ".territory-legend",
                              ".leaflet-control-zoom")]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a is not None and b is not None
            apart = (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                     or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])
            assert apart, (a, b)


def test_layers_can_be_switched_off(region_page: OfflinePage) -> None:
    page = region_page.page
    control = page.locator(".leaflet-control-layers-overlays label")
    communes = control.filter(has_text="Communes")
    communes.locator("input").uncheck()
    assert page.locator("path.territory-commune").count() == 0
    communes.locator("input").check()
    assert page.locator("path.territory-commune").count() == 4293


def test_hovering_a_commune_tells_its_figures(region_page: OfflinePage) -> None:
    page = region_page.page
    # The middle of a commune that nothing (a dot, a name, a control) covers.
    x, y = page.evaluate("""() => {
        for (const path of document.querySelectorAll("path.territory-commune")) {
            const r = path.getBoundingClientRect();
            const x = r.left + r.width / 2, y = r.top + r.height / 2;
            if (r.width > 15 && document.elementFromPoint(x, y) === path) { return [x, y]; }
        }
        return null;
    }""")
    page.mouse.move(x, y)
    tooltip = page.locator(".territory-tooltip")
    tooltip.wait_for(state="visible", timeout=5_000)
    text = tooltip.inner_text()
    assert "code INSEE" in text
    assert "population municipale 2017 (INSEE)" in text
    assert "jeunes (16–25 ans) estimés" in text
    assert "territoire d’intervention : Mission Locale" in text


@pytest.fixture
def indicator_page(browser: Any, tmp_path: Path, grid_communes: gpd.GeoDataFrame,
                   grid_catchments: gpd.GeoDataFrame,
                   grid_indicators: pd.DataFrame) -> Iterator[OfflinePage]:
    """The grid coloured by its public indicators, opened with no network."""
    path = tmp_path / "carte.html"
    fmap = workspace_map(grid_communes, catchments=grid_catchments, indicators=grid_indicators,
                         demo=True, title="Grille d’essai")
    write_html(fmap, path)
    offline = _open(browser, path)
    yield offline
    offline.page.close()


def _fills(page: Any) -> list[str]:
    return page.evaluate("""() => Array.from(document.querySelectorAll(
        "path.territory-commune"), (path) => path.getAttribute("fill"))""")


def _legend_title(page: Any) -> str:
    return page.locator(".territory-colouring:visible h2").inner_text()


def test_choosing_score_reach_or_access_recolours_the_same_communes(
        indicator_page: OfflinePage) -> None:
    page = indicator_page.page
    control = page.locator(".leaflet-control-layers-base label")
    assert control.count() == 4
    assert _legend_title(page) == "Indice de zone invisible (0–100)"
    seen = {_legend_title(page): _fills(page)}
    for name in ("Jeunes atteints", "Temps d’accès", "Jeunes (16–25 ans)", "Indice"):
        control.filter(has_text=name).locator("input").check()
        assert page.locator("path.territory-commune").count() == 9
        assert _legend_title(page).startswith(name)
        seen[_legend_title(page)] = _fills(page)
    assert len({tuple(fills) for fills in seen.values()}) == 4
    assert seen["Indice de zone invisible (0–100)"][0] == "#810f7c"  # rank 1, the darkest
    assert page.locator(".territory-banner").inner_text().startswith("DONNÉES FICTIVES")
    assert indicator_page.requests == [] and indicator_page.errors == []


def test_the_tooltip_gives_the_value_rank_and_reasons_of_the_colouring(
        indicator_page: OfflinePage) -> None:
    page = indicator_page.page
    page.locator(".leaflet-control-layers-base label").filter(
        has_text="Indice").locator("input").check()
    box = page.locator("path.territory-commune").nth(4).bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tooltip = page.locator(".territory-tooltip")
    tooltip.wait_for(state="visible", timeout=5_000)
    text = tooltip.inner_text()
    assert "Commune 5" in text
    assert "indice : 50,0 · rang 5 / 9" in text
    assert "lieu le plus proche à 41 min" in text
    assert "loin de tout lieu d'accueil (41 min)" in text
