"""The dashboards in a real browser: first full map, click round trip, ten sessions at once.

Builds a demo workspace, starts ``territory serve`` on a free loopback port and drives
Debian's Chromium with Playwright, every request elsewhere than the server aborted:

- first full map: from navigation start to the 4,293 commune paths drawn and fitted
  (``window.territoryMapDrawn``, the browser's clock), planner and director views;
- click round trip: a click on the map in "ajoute un lieu" mode, to the coverage card
  changing on screen (a MutationObserver on the cards, the browser's clock), threshold 10 min
  so that each new site covers someone;
- ten sessions: ten pages opened at once until each has drawn its map, then the same click
  round trip in each while all ten stay open, and all ten changing their Mission Locale at
  once.

Reports medians and maxima; nothing here is asserted (tests never assert wall-clock times).
"""

from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from territory.analysis import indicators
from territory.io.workspace import Workspace

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
LOADS = 4
CLICKS = 8
SESSIONS = 10
THRESHOLD_MIN = 10
TIMEOUT_MS = 120_000

ARM_ROUND_TRIP = """(cards) => {
    // Panel replaces the cards' HTML: watch their shadow root, not the element.
    const root = cards.getRootNode();
    const text = () => root.querySelector(".tc-cards")?.innerHTML;
    window.territoryRoundTrip = new Promise((resolve) => {
        const before = text();
        let t0 = null;
        document.addEventListener("mousedown", () => { t0 = performance.now(); },
                                  {capture: true, once: true});
        setTimeout(() => resolve(NaN), 15000);
        const observer = new MutationObserver(() => {
            if (text() !== before) {
                observer.disconnect();
                requestAnimationFrame(() => resolve(performance.now() - t0));
            }
        });
        observer.observe(root, {childList: true, subtree: true, characterData: true});
    });
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(workspace: Path, port: int, log: Any) -> subprocess.Popen[bytes]:
    process = subprocess.Popen([sys.executable, "-m", "territory", "serve", "--workspace",
                                str(workspace), "--port", str(port)], stdout=log,
                               stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5):
                return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise TimeoutError("the server did not start")


def _far_communes(workspace: Path) -> list[str]:
    ws = Workspace(workspace)
    layers = {n: ws.read(n) for n in ("communes", "mairies", "sites", "actions", "contacts")}
    table = indicators(layers, period=("2019-12", "2021-11"), threshold_min=THRESHOLD_MIN)
    far = table[table["nearest_min"] > THRESHOLD_MIN].sort_values("youth", ascending=False)
    return far["zone_id"].astype(str).tolist()


def _offline(page: Any) -> None:
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(
        "http://127.0.0.1:") else r.abort())


def _open(context: Any, url: str) -> tuple[Any, float]:
    page = context.new_page()
    _offline(page)
    page.goto(url)
    page.wait_for_function("() => window.territoryMapDrawn !== undefined", timeout=TIMEOUT_MS)
    return page, float(page.evaluate("() => window.territoryMapDrawn"))


def _first_maps(browser: Any, url: str) -> list[float]:
    times = []
    for _ in range(LOADS):
        context = browser.new_context(viewport={"width": 1500, "height": 950})
        _, drawn = _open(context, url)
        times.append(drawn)
        context.close()
    return times


def _prepare_clicks(page: Any) -> None:
    handle = page.locator(".noUi-handle").first
    handle.focus()
    for _ in range((30 - THRESHOLD_MIN) // 5):
        handle.press("ArrowLeft")
    page.locator(".tc-card", has_text=f"à moins de {THRESHOLD_MIN} min").first.wait_for(
        timeout=TIMEOUT_MS)
    page.locator("button.tm-mode[data-mode=add]").click()


def _round_trip(page: Any, code: str) -> float:
    box = page.locator(f'path.territory-commune[data-code="{code}"]').bounding_box()
    cards = page.locator(".tc-cards").first.element_handle()
    page.evaluate(ARM_ROUND_TRIP, cards)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    return float(page.evaluate("() => window.territoryRoundTrip"))


VISIBLE = """(paths) => paths.filter((path) => {
    const r = path.getBoundingClientRect();
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    return r.width > 6 && path.getRootNode().elementFromPoint(x, y) === path;
}).map((path) => path.dataset.code)"""


def _clickable(page: Any, codes: list[str], n: int) -> list[str]:
    """The first ``n`` of ``codes`` whose commune is on screen and not covered."""
    visible = set(page.locator("path.territory-commune").evaluate_all(VISIBLE))
    return [c for c in codes if c in visible][:n]


def _clicks(page: Any, codes: list[str], n: int = CLICKS) -> list[float]:
    _prepare_clicks(page)
    return [_round_trip(page, code) for code in _clickable(page, codes, n)]


def _ten_sessions(browser: Any, url: str, codes: list[str]) -> dict[str, list[float]]:
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    pages = [context.new_page() for _ in range(SESSIONS)]
    start = time.perf_counter()
    for page in pages:
        _offline(page)
        page.goto(url, wait_until="commit")
    drawn = []
    for page in pages:
        page.wait_for_function("() => window.territoryMapDrawn !== undefined",
                               timeout=TIMEOUT_MS)
        drawn.append(time.perf_counter() - start)
    clicks = [_clicks(page, codes[i:], 1)[0] for i, page in enumerate(pages)]
    start = time.perf_counter()
    for index, page in enumerate(pages, start=1):
        page.locator("select").first.select_option(index=index)
    names = [p.locator("select").first.locator("option").nth(i).inner_text()
             for i, p in enumerate(pages, start=1)]
    changed = []
    for page, name in zip(pages, names, strict=True):
        page.locator(".tc-card", has_text=name).first.wait_for(timeout=TIMEOUT_MS)
        changed.append(time.perf_counter() - start)
    context.close()
    return {"drawn_s": drawn, "click_ms": clicks, "filter_s": changed}


def _row(name: str, values: list[float], unit: str) -> str:
    return (f"{name:<48} {statistics.median(values):>9.0f} {max(values):>9.0f}  {unit}"
            if unit == "ms" else
            f"{name:<48} {statistics.median(values):>9.2f} {max(values):>9.2f}  {unit}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        workspace = Path(tmp) / "territoire.gpkg"
        subprocess.run([sys.executable, "-m", "territory", "demo", "--workspace",
                        str(workspace)], check=True, capture_output=True)
        codes = _far_communes(workspace)
        port = _free_port()
        with (Path(tmp) / "server.log").open("wb") as log:
            server = _start(workspace, port, log)
            try:
                url = f"http://127.0.0.1:{port}"
                with sync_playwright() as playwright:
                    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                    planner = _first_maps(browser, url + "/planification")
                    director = _first_maps(browser, url + "/direction")
                    context = browser.new_context(viewport={"width": 1500, "height": 950})
                    page, _ = _open(context, url + "/planification")
                    clicks = _clicks(page, codes)
                    context.close()
                    ten = _ten_sessions(browser, url + "/planification", codes)
                    browser.close()
            finally:
                server.terminate()
                server.wait(timeout=20)
    print(f"{'measure':<48} {'median':>9} {'max':>9}")
    print(_row(f"first full map, planner ({LOADS} loads)", planner, "ms"))
    print(_row(f"first full map, director ({LOADS} loads)", director, "ms"))
    print(_row(f"click → coverage figure updated ({CLICKS} clicks)", clicks, "ms"))
    print(_row(f"{SESSIONS} sessions opened at once: map drawn", ten["drawn_s"], "s"))
    print(_row(f"{SESSIONS} sessions open: click round trip", ten["click_ms"], "ms"))
    print(_row(f"{SESSIONS} sessions change their ML at once", ten["filter_s"], "s"))


if __name__ == "__main__":
    main()
