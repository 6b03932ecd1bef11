"""The dashboards in a real browser: first full map, click round trip, twenty sessions at once.

Starts ``territory serve`` on a workspace (by default a demo workspace of the region, built
here; ``--workspace`` for another, e.g. a national one) on a free loopback port and drives
Debian's Chromium with Playwright, every request elsewhere than the server aborted:

- first full map: from navigation start to every tile of the zones drawn and fitted
  (``window.territoryMapDrawn``, the browser's clock), planner and director views, each in a
  new browser context (nothing cached), then once more in the same context (the tiles and
  libraries from the browser's cache, as on a second visit);
- bytes: what the first planner page took from the server (files and websocket frames), and
  what choosing a Mission Locale brings over the websocket;
- click round trip: a click on the map in "ajoute un lieu" mode at the town hall of a
  commune beyond the threshold (15 min), to the coverage card changing on screen (a
  MutationObserver on the cards, the browser's clock): each new place covers someone, and
  the map rings the communes it brings within reach;
- N sessions (20 by default): N pages opened at once until each has drawn its map, then the
  same click round trip in each while all stay open, and all N changing their Mission Locale
  at once (time until the last one shows its figures), with the server's CPU time for each:
  the N pages run in one Chromium on the same machine, so the wall-clock times include the
  browser drawing N maps, while the CPU time is the server's alone;
- memory: the server's resident memory (every process of it) with one session open, then
  with N open: the difference per extra session.

The reference: the standalone map that ``territory map`` writes with folium (Leaflet and the
same communes as GeoJSON in one HTML file), loaded in the same browser from the same server
machine, from navigation start to its ``load`` event: the ratio says what the tiles and the
session cost against a static page of the same geometry. Nothing here is asserted (tests
never assert wall-clock times).

    python benchmarks/bench_dashboard.py [--workspace W.gpkg] [--sessions 20] [--num-procs 1]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
from playwright.sync_api import sync_playwright

from territory.analysis import commune_origins, indicators
from territory.io.workspace import Workspace

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
LOADS = 4
CLICKS = 8
THRESHOLD_MIN = 15
TIMEOUT_MS = 180_000

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
# The page points of places [code, lat, lon] where the map shows that commune uncovered.
CLICKABLE = """([root, places]) => {
    const map = root.tmMap;
    const box = map.getContainer().getBoundingClientRect();
    const found = [];
    for (const [code, lat, lon] of places) {
        const p = map.latLngToContainerPoint([lat, lon]);
        const x = box.left + p.x, y = box.top + p.y;
        if (root.tmAreas.zoneAt(x, y) === code) { found.push([code, x, y]); }
    }
    return found;
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(workspace: Path, port: int, log: Any, num_procs: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen([sys.executable, "-m", "territory", "serve", "--workspace",
                                str(workspace), "--port", str(port), "--num-procs",
                                str(num_procs)], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5):
                return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise TimeoutError("the server did not start")


def _resident_mb(process: subprocess.Popen[bytes]) -> float:
    """Return the resident memory of the server and its worker processes, in MB."""
    root = psutil.Process(process.pid)
    return sum(p.memory_info().rss for p in [root, *root.children(recursive=True)]) / 1e6


def _cpu_s(process: subprocess.Popen[bytes]) -> float:
    """Return the CPU time (user and system) the server and its workers have used, in s."""
    root = psutil.Process(process.pid)
    return sum(t.user + t.system for t in (p.cpu_times() for p in [root, *root.children(
        recursive=True)]))


def _far_places(workspace: Path) -> list[list[Any]]:
    """Return ``[code, lat, lon]`` of communes beyond the threshold, most young people first.

    The point is the commune's town hall, its origin: the public-transport estimate counts
    10 minutes of walking and waiting before any ride, so a place within the threshold of a
    commune must be close to its town hall.
    """
    ws = Workspace(workspace)
    layers = {n: ws.read(n) for n in ("communes", "mairies", "sites", "actions", "contacts")}
    table = indicators(layers, period=("2019-12", "2021-11"), threshold_min=THRESHOLD_MIN)
    far = table[table["nearest_min"] > THRESHOLD_MIN].sort_values("youth", ascending=False)
    origins = commune_origins(layers["communes"], layers["mairies"]).to_crs(4326)
    origins.index = layers["communes"]["code_insee"].astype(str)
    points = origins.geometry.loc[far["zone_id"].astype(str)]
    return [[str(code), float(p.y), float(p.x)] for code, p in points.items()]


class _Traffic:
    """The bytes a page takes from the server: files and websocket frames."""

    def __init__(self, page: Any) -> None:
        self.frames = 0
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload: str | bytes) -> None:
        self.frames += len(payload.encode() if isinstance(payload, str) else payload)


def _offline(page: Any) -> _Traffic:
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(
        "http://127.0.0.1:") else r.abort())
    return _Traffic(page)


FILES_BYTES = """() => performance.getEntriesByType("resource").concat(
    performance.getEntriesByType("navigation")).reduce((s, e) => s + e.transferSize, 0)"""


def _open(context: Any, url: str) -> tuple[Any, float, int]:
    """Open ``url``; return the page, the time its map was drawn and the bytes it took."""
    page = context.new_page()
    traffic = _offline(page)
    page.goto(url)
    page.wait_for_function("() => window.territoryMapDrawn !== undefined", timeout=TIMEOUT_MS)
    drawn = float(page.evaluate("() => window.territoryMapDrawn"))
    page.wait_for_timeout(300)
    return page, drawn, int(page.evaluate(FILES_BYTES)) + traffic.frames


def _first_maps(browser: Any, url: str) -> dict[str, list[float]]:
    cold, warm, sent = [], [], []
    for _ in range(LOADS):
        context = browser.new_context(viewport={"width": 1500, "height": 950})
        page, drawn, size = _open(context, url)
        cold.append(drawn)
        sent.append(size / 1e6)
        page.close()
        page, drawn, _ = _open(context, url)
        warm.append(drawn)
        context.close()
    return {"cold": cold, "warm": warm, "mb": sent}


def _filter_bytes(browser: Any, url: str) -> float:
    """Return the websocket bytes (kB) that choosing a Mission Locale brings."""
    context = browser.new_context(viewport={"width": 1500, "height": 950})
    page = context.new_page()
    traffic = _offline(page)
    page.goto(url)
    page.wait_for_function("() => window.territoryMapDrawn !== undefined", timeout=TIMEOUT_MS)
    page.wait_for_timeout(3000)  # the table and the town halls, sent after the first view
    before = traffic.frames
    select = page.locator("select").first
    name = select.locator("option").nth(1).inner_text()
    select.select_option(index=1)
    page.locator(".tc-card", has_text=name).first.wait_for(timeout=TIMEOUT_MS)
    page.wait_for_timeout(2000)
    context.close()
    return (traffic.frames - before) / 1e3


def _prepare_clicks(page: Any) -> None:
    handle = page.locator(".noUi-handle").first
    handle.focus()
    for _ in range((30 - THRESHOLD_MIN) // 5):
        handle.press("ArrowLeft")
    page.locator(".tc-card", has_text=f"à moins de {THRESHOLD_MIN} min").first.wait_for(
        timeout=TIMEOUT_MS)
    page.locator("button.tm-mode[data-mode=add]").click()


def _round_trip(page: Any, x: float, y: float) -> float:
    cards = page.locator(".tc-cards").first.element_handle()
    page.evaluate(ARM_ROUND_TRIP, cards)
    page.mouse.click(x, y)
    return float(page.evaluate("() => window.territoryRoundTrip"))


def _clicks(page: Any, places: list[list[Any]], n: int = CLICKS, *,
            prepared: bool = False) -> list[float]:
    if not prepared:
        _prepare_clicks(page)
    root = page.locator(".tm-root").element_handle()
    found = page.evaluate(CLICKABLE, [root, places[:400]])[:n]
    return [_round_trip(page, x, y) for _, x, y in found]


def _sessions(browser: Any, url: str, places: list[list[Any]], n: int, *,
              memory: Callable[[], float], cpu: Callable[[], float]) -> dict[str, Any]:
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    pages = [context.new_page() for _ in range(n)]
    start = time.perf_counter()
    for page in pages:
        _offline(page)
        page.goto(url, wait_until="commit")
    drawn = []
    for page in pages:
        page.wait_for_function("() => window.territoryMapDrawn !== undefined",
                               timeout=TIMEOUT_MS)
        drawn.append(time.perf_counter() - start)
    time.sleep(5)  # the tables and town halls sent after each first view
    resident = memory()
    clicks = []
    for page in pages:
        _prepare_clicks(page)
    used = cpu()
    for i, page in enumerate(pages):
        found = _clicks(page, places[i * 7:], 1, prepared=True)
        clicks.extend(found)
    click_cpu = (cpu() - used) / max(len(clicks), 1)
    options = pages[0].locator("select").first.locator("option").count()
    names = [pages[0].locator("select").first.locator("option").nth(1 + i % (options - 1))
             .inner_text() for i in range(n)]
    start, used = time.perf_counter(), cpu()
    for i, page in enumerate(pages):
        page.locator("select").first.select_option(index=1 + i % (options - 1))
    changed = []
    for page, name in zip(pages, names, strict=True):
        page.locator(".tc-card", has_text=name).first.wait_for(timeout=TIMEOUT_MS)
        changed.append(time.perf_counter() - start)
    filter_cpu = cpu() - used
    context.close()
    return {"drawn_s": drawn, "click_ms": clicks, "filter_s": changed, "resident": resident,
            "click_cpu_ms": 1e3 * click_cpu, "filter_cpu_s": filter_cpu}


def _folium_reference(browser: Any, workspace: Path, folder: Path) -> list[float]:
    """Return the load times (ms) of the folium map of the same workspace, served locally."""
    out = folder / "carte.html"
    subprocess.run([sys.executable, "-m", "territory", "map", "--workspace", str(workspace),
                    "--out", str(out)], check=True, capture_output=True)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    times = []
    try:
        for _ in range(LOADS):
            context = browser.new_context(viewport={"width": 1500, "height": 950})
            page = context.new_page()
            _offline(page)
            page.goto(f"http://127.0.0.1:{httpd.server_address[1]}/carte.html",
                      wait_until="load", timeout=TIMEOUT_MS)
            times.append(float(page.evaluate(
                "() => performance.getEntriesByType('navigation')[0].loadEventEnd")))
            context.close()
    finally:
        httpd.shutdown()
    return times


def _row(name: str, values: list[float], unit: str) -> str:
    digits = 0 if unit in ("ms", "kB") else 2
    return (f"{name:<52} {statistics.median(values):>10.{digits}f} "
            f"{max(values):>10.{digits}f}  {unit}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", type=Path, default=None)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--num-procs", type=int, default=1)
    parser.add_argument("--no-reference", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workspace = args.workspace or Path(tmp) / "territoire.gpkg"
        if args.workspace is None:
            subprocess.run([sys.executable, "-m", "territory", "demo", "--workspace",
                            str(workspace)], check=True, capture_output=True)
        places = _far_places(workspace)
        port = _free_port()
        with (Path(tmp) / "server.log").open("wb") as log:
            started = time.perf_counter()
            server = _start(workspace, port, log, args.num_procs)
            ready_s = time.perf_counter() - started
            try:
                url = f"http://127.0.0.1:{port}"
                with sync_playwright() as playwright:
                    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                    # Memory first, on a server that has served nothing else.
                    context = browser.new_context(viewport={"width": 1500, "height": 950})
                    page, _, _ = _open(context, url + "/planification")
                    page.wait_for_timeout(5000)
                    one = _resident_mb(server)
                    clicks = _clicks(page, places)
                    many = _sessions(browser, url + "/planification", places, args.sessions,
                                     memory=lambda: _resident_mb(server),
                                     cpu=lambda: _cpu_s(server))
                    context.close()
                    planner = _first_maps(browser, url + "/planification")
                    director = _first_maps(browser, url + "/direction")
                    filter_kb = _filter_bytes(browser, url + "/planification")
                    reference = ([] if args.no_reference else
                                 _folium_reference(browser, workspace, Path(tmp)))
                    browser.close()
            finally:
                server.terminate()
                server.wait(timeout=30)
    communes = len(Workspace(workspace).read("communes")) if args.workspace else 4293
    print(f"workspace: {communes:,} communes; server ready in {ready_s:.1f} s; "
          f"--num-procs {args.num_procs}")
    _report(args.sessions, planner=planner, director=director, reference=reference,
            filter_kb=filter_kb, clicks=clicks, many=many, one=one)


def _report(n: int, *, planner: dict[str, list[float]], director: dict[str, list[float]],
            reference: list[float], filter_kb: float, clicks: list[float],
            many: dict[str, Any], one: float) -> None:
    print(f"{'measure':<52} {'median':>10} {'max':>10}")
    print(_row(f"first full map, planner, new browser ({LOADS})", planner["cold"], "ms"))
    print(_row(f"first full map, planner, second visit ({LOADS})", planner["warm"], "ms"))
    print(_row(f"first full map, director, new browser ({LOADS})", director["cold"], "ms"))
    print(_row(f"first full map, director, second visit ({LOADS})", director["warm"], "ms"))
    if reference:
        print(_row(f"reference: folium map of the same communes ({LOADS})", reference, "ms"))
        print(f"{'  ratio planner (new browser) / folium':<52} "
              f"{statistics.median(planner['cold']) / statistics.median(reference):>10.2f}")
    print(_row("bytes of the first planner page (files + websocket)", planner["mb"], "MB"))
    print(_row("websocket bytes of one Mission Locale chosen", [filter_kb], "kB"))
    print(_row(f"click → coverage figure updated, 1 session ({len(clicks)})", clicks, "ms"))
    print(_row(f"{n} sessions opened at once: map drawn", many["drawn_s"], "s"))
    print(_row(f"{n} sessions open: click round trip", many["click_ms"], "ms"))
    print(_row(f"{n} sessions change their ML at once (last)", many["filter_s"], "s"))
    print(f"{'  server CPU time per click, ' + str(n) + ' sessions open (ms)':<52} "
          f"{many['click_cpu_ms']:>10.0f}")
    print(f"{'  server CPU time of the ' + str(n) + ' ML changes (s)':<52} "
          f"{many['filter_cpu_s']:>10.2f}")
    extra = (many["resident"] - one) / max(n - 1, 1)
    print(f"{'server memory: 1 session, ' + str(n) + ' sessions (MB)':<52} {one:>10.0f} "
          f"{many['resident']:>10.0f}")
    print(f"{'memory per extra session (MB)':<52} {extra:>10.1f}")


if __name__ == "__main__":
    main()
