"""A static file while sessions open: does the server answer it at once, or after them?

Builds a demo workspace and starts ``territory serve`` on a free loopback port. Twenty
clients then open sessions at once, each requesting ``/direction`` or ``/planification`` in
turn (an HTTP GET builds a session's whole document on the server), while one more client
requests a static CSS file (Leaflet's, from the package) every 100 ms.
Reports the median and 95th percentile of the CSS file's latency while the sessions are
being built, the same with no session opening (the floor), and the pages' latency.

Nothing here is asserted (tests never assert wall-clock times).
"""

from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from territory.dashboards._assets import LEAFLET_CSS_URL

CLIENTS = 20
ROUNDS = 2  # sessions opened by each client, one after the other
PROBE_EVERY_S = 0.1
PROBERS = 200
IDLE_PROBES = 40
VIEWS = ("direction", "planification")


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


def _get_s(url: str) -> float:
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=300) as response:
        response.read()
    return time.perf_counter() - start


def _probe(url: str, stop: threading.Event, times: list[float]) -> None:
    """Request ``url`` every PROBE_EVERY_S until ``stop``, each request on its own thread.

    A request waits for the server, never for the one before it: a blocked server shows in
    every request sent while it is blocked.
    """
    with ThreadPoolExecutor(max_workers=PROBERS) as pool:
        futures = []
        while not stop.is_set():
            futures.append(pool.submit(_get_s, url))
            time.sleep(PROBE_EVERY_S)
        times.extend(f.result() for f in futures)


def _sessions(base: str, css: str) -> tuple[list[float], list[float]]:
    """Open the sessions while probing the CSS file; return both latencies (s)."""
    pages: list[float] = []
    lock = threading.Lock()

    def client(index: int) -> None:
        for round_ in range(ROUNDS):
            took = _get_s(f"{base}/{VIEWS[(index + round_) % len(VIEWS)]}")
            with lock:
                pages.append(took)

    start = threading.Barrier(CLIENTS + 1)

    def waiting(index: int) -> None:
        start.wait()
        client(index)

    clients = [threading.Thread(target=waiting, args=(i,)) for i in range(CLIENTS)]
    for thread in clients:
        thread.start()
    stop = threading.Event()
    probes: list[float] = []
    prober = threading.Thread(target=_probe, args=(css, stop, probes))
    start.wait()
    prober.start()
    for thread in clients:
        thread.join()
    stop.set()
    prober.join()
    return probes, pages


def _row(name: str, values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (f"{name:<52} {1000 * statistics.median(values):>9.0f} {1000 * p95:>9.0f}"
            f" {len(values):>6}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        workspace = Path(tmp) / "territoire.gpkg"
        subprocess.run([sys.executable, "-m", "territory", "demo", "--workspace",
                        str(workspace)], check=True, capture_output=True)
        port = _free_port()
        with (Path(tmp) / "server.log").open("wb") as log:
            server = _start(workspace, port, log)
            try:
                base = f"http://127.0.0.1:{port}"
                css = base + LEAFLET_CSS_URL
                for view in VIEWS:  # the first session of each view reads the caches
                    _get_s(f"{base}/{view}")
                idle = []
                for _ in range(IDLE_PROBES):
                    idle.append(_get_s(css))
                    time.sleep(PROBE_EVERY_S)
                busy, pages = _sessions(base, css)
            finally:
                server.terminate()
                server.wait(timeout=20)
    print(f"{'measure (ms)':<52} {'median':>9} {'p95':>9} {'n':>6}")
    print(_row("static CSS, no session opening", idle))
    print(_row(f"static CSS, {CLIENTS} clients opening sessions", busy))
    print(_row(f"page GET (a session built), {CLIENTS} at once", pages))


if __name__ == "__main__":
    main()
