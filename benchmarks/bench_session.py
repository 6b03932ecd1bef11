"""The server's side of a dashboard session, in one process: build, Mission Locale, click.

``bench_dashboard.py`` measures what a user waits for in a browser, where the server's share
is mixed with Chromium's; this one measures the server alone, on the same workspace, after
``territory.dashboards.server.warm`` (as ``territory serve`` does before its first visit):

- a planner session's document built (the views' Python and every Bokeh model of the page);
- a Mission Locale chosen (the first ten MLs in turn), with the bytes Bokeh sends for it:
  its JSON and its binary buffers (the per-commune columns);
- a place added by a click in "ajoute un lieu" mode, at the town hall of a commune beyond
  15 minutes (eight clicks, one place more each time);
- the reference: the derived arrays of the model with the plan's places (reach matrices,
  roles, groups, capacities) computed from every pair again, as before, against the
  extension of the model without them that ``CoverageModel.with_sites`` now does, on the
  same sites and pairs.

    python benchmarks/bench_session.py [--workspace W.gpkg]

Without ``--workspace``, a demo workspace of the region is built in a temporary folder.
Nothing is asserted (tests never assert wall-clock times).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from bokeh.core.json_encoder import serialize_json
from bokeh.core.serialization import Serializer
from bokeh.document import Document
from bokeh.document.events import DocumentPatchedEvent
from bokeh.protocol import Protocol
from panel.io.state import set_curdoc
from param.parameterized import Comparator

from territory.dashboards import _planning, data, server
from territory.dashboards.planner import PlannerApp
from territory.planning import CoverageModel

THRESHOLD_MIN = 15
MLS = 10
CLICKS = 8


def _session(workspace: Path) -> tuple[Document, PlannerApp, float]:
    doc = Document()
    start = time.perf_counter()
    with set_curdoc(doc):
        app = PlannerApp(data.Source.of(workspace))
        app.__panel__().server_doc(doc)
    built = time.perf_counter() - start
    with set_curdoc(doc):
        app.load()
    return doc, app, built


def _sent(events: list[DocumentPatchedEvent]) -> int:
    """Return the bytes of the patch Bokeh would send for ``events`` (JSON and buffers)."""
    if not events:
        return 0
    message = Protocol().create("PATCH-DOC", events)
    return len(message.content_json) + sum(len(b.data) for b in message.buffers)


def _map_sent(before: dict[str, Any], after: dict[str, Any]) -> int:
    """Return the bytes of the map's params that changed, as Bokeh serialises them.

    The map component's data reach the browser outside the document's change events that
    :func:`_sent` sees; param tells the browser of the params that differ.
    """
    size = 0
    for name, value in after.items():
        if not Comparator.is_equal(before[name], value):
            encoded = Serializer(deferred=True).serialize(value)
            size += len(serialize_json(encoded.content)) + sum(len(b.data) for b in
                                                           encoded.buffers)
    return size


def _ml_changes(doc: Document, app: PlannerApp) -> tuple[list[float], list[int]]:
    events: list[DocumentPatchedEvent] = []
    doc.on_change(events.append)  # type: ignore[arg-type]
    times, sizes = [], []
    for code in sorted(app.info.mls)[:MLS]:
        events.clear()
        before = app.map.param.values()
        start = time.perf_counter()
        with set_curdoc(doc):
            app.ml = code
        times.append(time.perf_counter() - start)
        sizes.append(_sent(events) + _map_sent(before, app.map.param.values()))
    with set_curdoc(doc):
        app.ml = ""
    return times, sizes


def _clicks(doc: Document, app: PlannerApp) -> list[float]:
    with set_curdoc(doc):
        app.threshold_min = THRESHOLD_MIN
        app.map.click_mode = "add"
    nearest = app.table_and_weights()[0]["nearest_min"].to_numpy()
    times = []
    for row in np.flatnonzero(nearest > 2 * THRESHOLD_MIN)[:CLICKS]:
        lat, lon = app.origin_latlon(int(row))
        start = time.perf_counter()
        with set_curdoc(doc):
            app.map._handle_msg({"type": "click", "mode": "add", "lat": lat, "lon": lon,
                                 "id": app.map.codes[int(row)]})
        times.append(time.perf_counter() - start)
    return times


def _extension(app: PlannerApp) -> tuple[float, float]:
    """Return the median seconds of a model's derived arrays extended and from scratch.

    The same sites and pairs (the selection's model with the plan's places): the reach
    matrices, roles, groups and capacities computed from the model without the places
    (``extends``, as ``with_sites`` does), or from every pair again.
    """
    model = data.coverage_model(app.scope)
    more = model.with_sites(_planning.places(app.candidates))
    fields = (more.demand, more.facilities, more.pairs, more.threshold_min, more.cutoff_min,
              more.zones, more.demand_xy, more.params, more.routed, more.demand_codes,
              more.demand_no_car)
    extended, scratch = [], []
    for _ in range(5):
        start = time.perf_counter()
        CoverageModel(*fields, model)
        extended.append(time.perf_counter() - start)
        start = time.perf_counter()
        CoverageModel(*fields)
        scratch.append(time.perf_counter() - start)
    return statistics.median(extended), statistics.median(scratch)


def _ms(values: list[float]) -> str:
    return f"{1000 * statistics.median(values):8.0f} {1000 * max(values):8.0f}  ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        workspace = args.workspace
        if workspace is None:
            workspace = Path(folder) / "territoire.gpkg"
            subprocess.run([sys.executable, "-m", "territory", "demo", "--workspace",
                            str(workspace)], check=True, capture_output=True)
        server.warm(workspace)
        _session(workspace)  # the first session computes what the others share
        builds = [_session(workspace)[2] for _ in range(3)]
        doc, app, _ = _session(workspace)
        ml_times, ml_bytes = _ml_changes(doc, app)
        clicks = _clicks(doc, app)
        extended, scratch = _extension(app)
        report: list[tuple[str, Any]] = [
            ("planner session built (3)", _ms(builds)),
            (f"Mission Locale chosen ({len(ml_times)})", _ms(ml_times)),
            ("  bytes sent for it (median, kB)", f"{statistics.median(ml_bytes) / 1e3:8.0f}"),
            (f"click, a place added ({len(clicks)})", _ms(clicks)),
            (f"model + {len(app.candidates)} places, arrays extended",
             f"{1000 * extended:8.1f}          ms"),
            ("  the same from every pair again", f"{1000 * scratch:8.1f}          ms"),
            ("  ratio from scratch / extended", f"{scratch / extended:8.1f}"),
        ]
    communes = len(app.map.codes)
    print(f"workspace: {communes:,} communes; {app.threshold_min:g} min for the clicks")
    print(f"{'measure':<48} {'median':>8} {'max':>8}")
    for name, value in report:
        print(f"{name:<48} {value}")


if __name__ == "__main__":
    main()
