"""All indicators of the region, after the workspace is loaded (target: commune level < 2 s).

Builds the demo workspace (4,293 communes, ~800 sites, ~5,000 actions, ~17,500 young people;
données fictives) in a temporary folder, reads its layers once, then times
:func:`territory.analysis.indicators` at each level over the IN Système period. The commune
level is the one a planner waits for; the other levels are reported for information (for H3,
the first run builds the hexagon crosswalk and the second reuses it).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from territory.analysis import indicators
from territory.demo import build_demo
from territory.io.workspace import Workspace

REPEAT = 5
PERIOD = ("2019-12", "2021-11")
TARGET_S = 2.0
LEVELS = ("commune", "epci", "departement", "catchment", "h3:6", "h3:7", "h3:8")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        workspace = Workspace.create(Path(tmp) / "territoire.gpkg")
        build_demo(workspace, seed=2019)
        start = time.perf_counter()
        layers = {name: workspace.read(name) for name in workspace.layers()}
        load_s = time.perf_counter() - start
    sizes = ", ".join(f"{len(layers[n]):,} {n}" for n in ("communes", "sites", "actions",
                                                          "contacts"))
    print(f"demo workspace: {sizes}; layers read in {load_s:.2f} s (not counted below)")
    print(f"{'level':<13}{'zones':>7}{'first s':>9}{'best s':>9}{'median s':>10}{'runs':>6}")
    for level in LEVELS:
        runs = REPEAT if not level.startswith("h3") else 2
        times = []
        for _ in range(runs):
            begin = time.perf_counter()
            table = indicators(layers, level=level, period=PERIOD)
            times.append(time.perf_counter() - begin)
        print(f"{level:<13}{len(table):>7,}{times[0]:>9.3f}{min(times):>9.3f}"
              f"{statistics.median(times):>10.3f}{runs:>6}")
        if level == "commune":
            verdict = "met" if statistics.median(times) < TARGET_S else "MISSED"
            public = time.perf_counter()
            indicators(layers, level=level, period=PERIOD, public=True)
            print(f"{'  --public':<13}{'':>7}{time.perf_counter() - public:>9.3f}{'':>19}"
                  f"{1:>6}   (target < {TARGET_S:g} s at commune level: {verdict})")
    print("h3 levels: the first run builds the commune → hexagon crosswalk, later runs reuse it")


if __name__ == "__main__":
    main()
