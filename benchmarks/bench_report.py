"""Time to build the director's report: the region's and one Mission Locale's.

Builds the demo workspace (seed 2019) once, then times, as the median of a few runs: the
indicators the report needs alone (commune and catchment tables, the reference: what any
export of the same figures costs), ``build_report`` (indicators, simplified geometry, every
page drawn), and writing the PDF (vector maps), the PNG pages and the HTML file. The ratio
says how much the pages add to the figures.
"""

from __future__ import annotations

import datetime as dt
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from territory.analysis import indicators
from territory.cli.report import LAYERS
from territory.demo import build_demo
from territory.io.workspace import Workspace
from territory.report import Report, build_report

REPEAT = 3
ML = "ML28"  # the Landes: a whole département, the largest catchment of the demo
DATE = dt.date(2026, 1, 1)


def _median_s(run: Callable[[], object]) -> tuple[float, object]:
    times, result = [], None
    for _ in range(REPEAT):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def _figures(layers: dict[str, pd.DataFrame]) -> None:
    indicators(layers, level="commune", public=True)
    indicators(layers, level="catchment", public=True)


def _row(label: str, layers: dict[str, pd.DataFrame], metadata: dict,
         ml_code: str | None) -> None:
    figures_s, _ = _median_s(lambda: _figures(layers))
    build_s, report = _median_s(lambda: build_report(layers, metadata=metadata,
                                                     ml_code=ml_code, date=DATE))
    assert isinstance(report, Report)
    pdf_s, pdf = _median_s(lambda: report.to_bytes(".pdf"))
    png_s, _ = _median_s(report.png_pages)
    html_s, _ = _median_s(lambda: report.to_bytes(".html"))
    assert isinstance(pdf, bytes)
    total = build_s + pdf_s
    print(f"{label:<24}{len(report.pages):>6}{figures_s:>10.2f}{build_s:>9.2f}{pdf_s:>8.2f}"
          f"{total:>13.2f}{total / figures_s:>8.1f}{png_s:>8.2f}{html_s:>8.2f}"
          f"{len(pdf) / 1e6:>9.2f}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        workspace = Workspace.create(Path(tmp) / "territoire.gpkg")
        build_demo(workspace, seed=2019)
        layers = {name: workspace.read(name) for name in LAYERS}
        metadata = workspace.metadata()
        print(f"demo workspace (seed 2019), {len(layers['communes'])} communes, "
              f"{len(layers['contacts'])} contacts; median of {REPEAT} runs, seconds")
        print(f"{'report':<24}{'pages':>6}{'figures':>10}{'build':>9}{'PDF':>8}"
              f"{'build + PDF':>13}{'ratio':>8}{'PNG':>8}{'HTML':>8}{'PDF MB':>9}")
        _row("region (43 ML)", layers, metadata, None)
        _row(f"one ML ({ML})", layers, metadata, ML)
        print("figures: indicators(public=True) at commune and catchment level, the reference; "
              "ratio = (build + PDF) / figures.")


if __name__ == "__main__":
    main()
