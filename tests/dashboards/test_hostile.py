"""Names that are markup, imported as any Mission Locale's file, stay text in both views.

Catchments, sites and outreach places are imported through ``territory import``, every name
written as markup that would run a script if a page took it for HTML (the views show no
outreach place's label: it must merely do no harm). The test serves the
workspace, opens both views in Chromium with ``window.alert`` hooked and every
Content-Security-Policy violation recorded, hovers zones and points, opens the legend and
the popups, adds a place and saves a scenario under such a name; no script may run, no
violation occur, and each name must read, letter for letter, as the text it is.

The served pages carry a Content-Security-Policy that refuses inline event handlers: a
second line of defence, checked on its own.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from territory.io.workspace import Workspace

from .conftest import CHROMIUM
from .test_browser import TIMEOUT_MS, _serving

# The last would be TeX in a chart's title if Bokeh read it so (the pages load no MathJax).
HOSTILE = ('<img src=x onerror=alert(2)>', '"><script>alert(1)</script>',
           '</b><svg onload=alert(3)>', r'$$\href{javascript:alert(4)}{x}$$')

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} "
                       "(apt-get install chromium)"),
]

# Before any script of the page: alert and its kin record their calls, and every refusal of
# the Content-Security-Policy is kept.
HOOKS = """
window.__alerts = [];
for (const name of ["alert", "confirm", "prompt"]) {
    window[name] = (message) => { window.__alerts.push(name + ":" + String(message)); };
}
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
    window.__violations.push(e.violatedDirective + " " + e.blockedURI + " " + e.sourceFile);
});
"""
# Every element of the page, shadow roots included, that carries an inline event handler or
# is an element a hostile name would have made.
INJECTED = """() => {
    const found = [];
    const walk = (root) => {
        for (const el of root.querySelectorAll("*")) {
            if (el.shadowRoot) { walk(el.shadowRoot); }
            const handlers = [...el.attributes].filter((a) => /^on/i.test(a.name));
            if (handlers.length || (el.tagName === "IMG" && el.getAttribute("src") === "x")) {
                found.push(el.outerHTML.slice(0, 120));
            }
        }
    };
    walk(document);
    return found;
}"""
# A point of the zone ``code`` ('' any zone) that nothing covers, or null.
FREE_ZONE = """([root, code]) => {
    const r = root.tmMap.getContainer().getBoundingClientRect();
    for (let y = r.top + 20; y < r.bottom - 20; y += 8) {
        for (let x = r.left + 20; x < r.right - 20; x += 8) {
            const found = root.tmAreas.zoneAt(x, y);
            if (found && (!code || found === code)) { return [x, y]; }
        }
    }
    return null;
}"""
# A point near the map's centre where a commune is on top (clear of the map's controls).
CENTRAL_COMMUNE = """(root) => {
    const r = root.tmMap.getContainer().getBoundingClientRect();
    const cx = r.left + r.width / 2, cy = r.top + r.height / 2;
    for (let d = 0; d < Math.min(r.width, r.height) / 3; d += 6) {
        for (const [x, y] of [[cx + d, cy], [cx - d, cy], [cx, cy + d], [cx, cy - d]]) {
            if (root.tmAreas.zoneAt(x, y)) { return [x, y]; }
        }
    }
    return null;
}"""
# Centre the map on the first candidate place (a popup may have panned it away).
CENTRE_ON_CANDIDATE = """(root) => {
    const map = root.tmMap;
    let at = null;
    map.eachLayer((layer) => {
        const el = layer.getElement && layer.getElement();
        if (!at && el && el.classList && el.classList.contains("tm-candidate")) {
            at = layer.getLatLng();
        }
    });
    map.setView(at, map.getZoom(), {animate: false});
}"""
# The screen point of a place on the map, the map zoomed in on it.
PLACE_POINT = """([root, lat, lon]) => {
    const map = root.tmMap;
    map.setView([lat, lon], 13, {animate: false});
    const p = map.latLngToContainerPoint([lat, lon]);
    const r = map.getContainer().getBoundingClientRect();
    return [r.left + p.x, r.top + p.y];
}"""


def _cli(*args: str | Path) -> None:
    result = subprocess.run([sys.executable, "-m", "territory", *map(str, args)],
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def _hostile(i: int, code: str) -> str:
    return f"{HOSTILE[i % len(HOSTILE)]} {code}"


@pytest.fixture(scope="module")
def hostile_file(demo_workspace_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo workspace after importing catchments, sites and actions named as markup.

    The communes come from the reference base, not from an import: their names are changed
    in the workspace, as a reference rebuilt from a hostile source would have them.
    """
    folder = tmp_path_factory.mktemp("hostile")
    path = folder / "territoire.gpkg"
    shutil.copyfile(demo_workspace_file, path)
    workspace = Workspace(path)
    catchments = workspace.read("catchments").set_index("ml_code")
    names = {code: f"Mission Locale {_hostile(i, str(code))}"
             for i, code in enumerate(catchments.index)}
    members = workspace.read("catchment_members")
    shared = members.groupby("code_insee")["ml_code"].transform("size") > 1
    pd.DataFrame({
        "code insee": members["code_insee"], "code ml": members["ml_code"],
        "nom ml": members["ml_code"].map(names),
        "commune presente sur plusieurs ml": shared.map({True: "oui", False: "non"}),
        "part": [f"{100 * s:g} %" if many else "" for s, many in
                 zip(members["share"], shared, strict=True)],
        "consortium": members["ml_code"].map(catchments["in_consortium"])
        .map({True: "oui", False: "non"}),
    }).to_csv(folder / "couverture.csv", sep=";", index=False)
    sites = workspace.read("sites").to_crs(4326)
    sites["name"] = [_hostile(i, str(s)) for i, s in enumerate(sites["site_id"])]
    sites.to_file(folder / "sites.geojson")
    actions = workspace.read("actions").to_crs(4326)
    placed = actions.geometry.notna()
    pd.DataFrame({
        "action_id": actions["action_id"], "ml_code": actions["ml_code"],
        "kind": actions["kind"], "date": actions["date"].dt.strftime("%Y-%m-%d"),
        "youth_met": actions["youth_met"],
        "lon": actions.geometry.x.where(placed).round(5),
        "lat": actions.geometry.y.where(placed).round(5),
        "label": [_hostile(i, str(a)) for i, a in enumerate(actions["action_id"])],
    }).to_csv(folder / "actions.csv", sep=";", index=False)
    for kind, file in (("catchments", "couverture.csv"), ("sites", "sites.geojson"),
                       ("actions", "actions.csv")):
        _cli("import", kind, folder / file, "--workspace", path)
    communes = workspace.read("communes")
    communes["nom"] = [_hostile(i, str(c)) for i, c in enumerate(communes["code_insee"])]
    workspace.write({"communes": communes})
    return path


@pytest.fixture(scope="module")
def server(hostile_file: Path) -> Iterator[str]:
    with _serving(hostile_file) as url:
        yield url


class Watched:
    """A page of the dashboards with alert hooked, violations and errors recorded."""

    def __init__(self, browser: Any, url: str) -> None:
        self.page = browser.new_page(viewport={"width": 1500, "height": 1000})
        self.console: list[str] = []
        self.errors: list[str] = []
        self.page.add_init_script(HOOKS)
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(
            "http://127.0.0.1:") else r.abort())
        self.page.goto(url)
        self.page.wait_for_function("() => window.territoryMapDrawn !== undefined",
                                    timeout=TIMEOUT_MS)
        self.root = self.page.locator(".tm-root").element_handle()

    def hover_zone(self, code: str) -> None:
        """Move the mouse over the zone ``code`` ('' any zone) where nothing covers it."""
        point = self.page.evaluate(FREE_ZONE, [self.root, code])
        assert point is not None, f"no zone {code!r} to hover"
        self.page.mouse.move(*point)

    def tooltip(self, has_text: str) -> str:
        tip = self.page.locator(".leaflet-tooltip.tm-tooltip", has_text=has_text).first
        tip.wait_for(timeout=TIMEOUT_MS)
        return str(tip.inner_text())

    def assert_nothing_ran(self) -> None:
        self.page.wait_for_timeout(300)
        assert self.page.evaluate("window.__alerts") == []
        assert self.page.evaluate("window.__violations") == []
        assert [m for m in self.console if "Content Security Policy" in m] == []
        assert self.page.evaluate(INJECTED) == []
        assert self.errors == []


def test_the_director_shows_hostile_names_as_text(browser: Any, server: str) -> None:
    view = Watched(browser, server + "/direction")
    page = view.page
    view.hover_zone("ML01")
    assert f"Mission Locale {HOSTILE[0]} ML01" in view.tooltip("ML01")
    label = page.locator(".tm-name", has_text="ML02").first  # hidden if it covers another
    label.wait_for(state="attached", timeout=TIMEOUT_MS)
    assert label.text_content() == f"ML {HOSTILE[1]} ML02"
    # The table and the figures of the chosen Mission Locale, the legend.
    table = page.locator(".tabulator", has=page.locator(".tabulator-col-title",
                                                         has_text="Mission Locale"))
    table.locator(".tabulator-cell", has_text="ML03").first.wait_for(timeout=TIMEOUT_MS)
    cells = table.locator(".tabulator-cell").all_inner_texts()
    assert f"ML {HOSTILE[2]} ML03" in [c.strip() for c in cells]
    page.locator("select").first.select_option(label=f"Mission Locale {HOSTILE[1]} ML02")
    card = page.locator(".tc-card", has_text="ML02").first
    card.wait_for(timeout=TIMEOUT_MS)
    assert f"Mission Locale {HOSTILE[1]} ML02" in card.inner_text()
    # A name written as TeX titles the chart as text: no MathJax, no error.
    page.locator("select").first.select_option(label=f"Mission Locale {HOSTILE[3]} ML04")
    card = page.locator(".tc-card", has_text="ML04").first
    card.wait_for(timeout=TIMEOUT_MS)
    assert f"Mission Locale {HOSTILE[3]} ML04" in card.inner_text()
    page.locator(".tm-legend h4").first.wait_for(timeout=TIMEOUT_MS)
    view.assert_nothing_ran()
    page.close()


SITE_NAME = re.compile("(" + "|".join(re.escape(h) for h in HOSTILE) + r") ML\d+-S\d+")
COMMUNE_NAME = re.compile("(" + "|".join(re.escape(h) for h in HOSTILE) + r") \d{5}")


def _site(hostile_file: Path, index: int) -> tuple[float, float]:
    sites = Workspace(hostile_file).read("sites").to_crs(4326)
    point = sites.geometry.iloc[index]
    return float(point.y), float(point.x)


def _marker_popup(page: Any, marker: Any) -> str:
    """Click a marker and return its popup's text.

    The markers are drawn anew whenever the plan's figures come back: a click whose press
    and release meet two drawings reaches the map instead (an explanation opens). Tried
    again then.
    """
    timeout = pytest.importorskip("playwright.sync_api").TimeoutError
    popup = page.locator(".leaflet-popup-content", has_text="Retirer ce lieu")
    for _ in range(3):
        marker.click()
        try:
            popup.wait_for(timeout=5_000)
            return str(popup.inner_text())
        except timeout:
            page.keyboard.press("Escape")
    raise AssertionError("the marker's popup never opened")


def test_the_planner_shows_hostile_names_as_text(browser: Any, server: str,
                                                 hostile_file: Path) -> None:
    view = Watched(browser, server + "/planification")
    page = view.page
    # A commune's tooltip, and its explanation (HTML built in Python).
    view.hover_zone("")
    tip = view.tooltip("indice")
    assert any(name in tip for name in HOSTILE), tip
    page.locator("button.tm-mode[data-mode=explain]").click()
    point = page.evaluate(CENTRAL_COMMUNE, view.root)
    assert point is not None, "no commune near the map's centre"
    page.mouse.click(*point)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=TIMEOUT_MS)
    title = popup.locator("h4").inner_text()
    assert COMMUNE_NAME.fullmatch(title), title
    # A place at its town hall: its marker's tooltip and popup, the plan's listing.
    # The button's own click event: the popup may still be panning clear of the controls.
    popup.get_by_text("Ajouter un lieu à la mairie").dispatch_event("click")
    listing = page.locator(".tc-plan", has_text="jeunes")  # the place's figures are in
    listing.wait_for(timeout=TIMEOUT_MS)
    assert title in listing.inner_text()
    marker = page.locator(".tm-candidate").first
    marker.wait_for(timeout=TIMEOUT_MS)
    page.evaluate(CENTRE_ON_CANDIDATE, view.root)
    marker.hover()
    assert title in view.tooltip(title)
    assert title in _marker_popup(page, marker)
    # A site's tooltip (of the site there, or of another at the same place), zoomed in on it.
    page.mouse.move(*page.evaluate(PLACE_POINT, [view.root, *_site(hostile_file, 0)]))
    first_line = view.page.locator(".leaflet-tooltip.tm-tooltip b", has_text=SITE_NAME).first
    first_line.wait_for(timeout=TIMEOUT_MS)
    assert SITE_NAME.fullmatch(first_line.inner_text())
    # A scenario saved under a hostile name.
    scenario = HOSTILE[0]
    field = page.get_by_placeholder("ex. Printemps 2027")
    field.fill(scenario)
    field.press("Enter")
    page.get_by_text("Enregistrer le scénario").click()
    saved = page.locator(".tc-help", has_text="enregistré")
    saved.wait_for(timeout=TIMEOUT_MS)
    assert f"Scénario « {scenario} » enregistré" in saved.inner_text()
    # A hostile Mission Locale chosen: the legend names it.
    page.locator("select").first.select_option(label=f"Mission Locale {HOSTILE[2]} ML03")
    note = page.locator(".tm-legend .tm-note", has_text="ML03").first
    note.wait_for(timeout=TIMEOUT_MS)
    assert f"Mission Locale {HOSTILE[2]} ML03 en couleur" in note.inner_text()
    view.assert_nothing_ran()
    page.close()


def test_the_pages_hold_no_imported_name(server: str) -> None:
    # The nonce goes to every script of a page: no text of the workspace may be in it.
    for view in ("direction", "planification"):
        with urllib.request.urlopen(f"{server}/{view}", timeout=120) as response:
            body = response.read().decode("utf-8")
        assert not any(name in body for name in HOSTILE)
        assert "onerror" not in body and "alert(" not in body


POLICY = re.compile(r"script-src 'self' 'nonce-([A-Za-z0-9_-]{16,})'")


@pytest.mark.parametrize("path", ["/", "/direction", "/planification"])
def test_every_page_carries_a_content_security_policy(server: str, path: str) -> None:
    with urllib.request.urlopen(server + path, timeout=120) as response:
        policy = response.headers["Content-Security-Policy"]
        body = response.read().decode("utf-8")
    assert policy, "no Content-Security-Policy"
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'self'"
    assert directives["frame-ancestors"] == "'self'"
    assert "'unsafe-inline'" not in directives["script-src"]
    found = POLICY.search(policy)
    assert found, policy
    scripts = re.findall(r"<script\b[^>]*>", body)
    assert all(f'nonce="{found.group(1)}"' in tag for tag in scripts), scripts


def test_an_inline_event_handler_does_not_run(browser: Any, server: str) -> None:
    # Markup that a slip let into the page stays inert: the policy refuses inline handlers.
    view = Watched(browser, server + "/direction")
    view.page.evaluate("""() => {
        const box = document.createElement("div");
        box.innerHTML = '<img src="data:," onerror="alert(9)"><svg onload="alert(8)"></svg>';
        document.body.appendChild(box);
    }""")
    view.page.wait_for_timeout(500)
    assert view.page.evaluate("window.__alerts") == []
    assert any("script-src" in v for v in view.page.evaluate("window.__violations"))
    view.page.close()
