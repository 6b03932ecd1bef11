"""The price of transactional writes: territory's Workspace against plain geopandas.

Writes and reads the region's communes (4,293 polygons) and a 100,000-row contacts table,
once with ``geopandas.GeoDataFrame.to_file`` / ``geopandas.read_file`` (pyogrio engine, no
transaction) and once through :class:`territory.io.workspace.Workspace` (copy, write, fsync,
atomic rename). Reports medians of several runs and the ratio ours / reference.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from territory.io.workspace import Workspace

REPEAT = 5


def _median_s(run: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _contacts(n: int, codes: np.ndarray) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame({
        "contact_id": [f"J{i:08x}" for i in range(n)],
        "date": pd.to_datetime("2019-12-01") + pd.to_timedelta(rng.integers(0, 730, n), "D"),
        "ml_code": "ML01",
        "action_id": "A1",
        "code_insee": rng.choice(codes, n),
        "stage": rng.choice(["repere", "mobilise", "accompagne"], n),
    })


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace.create(Path(tmp) / "ws.gpkg")
        communes = ws.read("communes")
        contacts = _contacts(100_000, communes["code_insee"].to_numpy())
        ref_path = Path(tmp) / "plain.gpkg"
        cases = {
            "write communes": (
                lambda: communes.to_file(ref_path, layer="communes_b", engine="pyogrio"),
                lambda: ws.write({"communes_b": communes}),
            ),
            "write 100k contacts": (
                lambda: gpd.GeoDataFrame(contacts).to_file(ref_path, layer="contacts",
                                                           engine="pyogrio"),
                lambda: ws.write({"contacts": contacts}),
            ),
            "read communes": (
                lambda: gpd.read_file(ws.path, layer="communes", engine="pyogrio"),
                lambda: ws.read("communes"),
            ),
        }
        size_mb = ws.path.stat().st_size / 1e6
        print(f"workspace file: {size_mb:.1f} MB; median of {REPEAT} runs")
        print(f"{'case':<22}{'geopandas s':>12}{'territory s':>13}{'ratio':>8}")
        for name, (reference, ours) in cases.items():
            ref_s, our_s = _median_s(reference), _median_s(ours)
            print(f"{name:<22}{ref_s:>12.3f}{our_s:>13.3f}{our_s / ref_s:>8.2f}")


if __name__ == "__main__":
    main()
