"""Peak memory of ``territory import actions`` on a large CSV, against the file's size.

Builds the demo workspace (seed 2019), writes its 5,174 outreach actions as a Mission
Locale's CSV (date, kind, young people met, INSEE code, longitude and latitude, ML code) and
repeats them until the file reaches the size asked for (200 MB by default; each repetition
moves the places by about a metre, so that nearly every line is distinct, as in a real
file), then imports it in a fresh process and reports that process's peak resident memory
(``ru_maxrss`` of ``RUSAGE_CHILDREN``, read by a small wrapper process so that each figure
is one import's alone) and its ratio to the file's size.

``--against DIR`` also measures the package found in ``DIR`` (another checkout of the
repository, e.g. an older version exported with ``git archive``) on the same file and
workspace, so that both figures come from one run::

    git archive HEAD~1 | tar -x -C /tmp/territory-old
    python benchmarks/bench_import_memory.py --size-mb 200 --against /tmp/territory-old

The workspace file is copied for each import, so that both start from the same state.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from territory._crs import WGS84
from territory.demo import build_demo
from territory.io.workspace import Workspace

SIZE_MB = 200
HERE = Path(__file__).resolve().parent.parent
KIND_LABELS = {"maraude": "Maraude", "bus": "Bus / permanence mobile",
               "evenement": "Événement", "partenaire": "Structure partenaire",
               "numerique": "Action numérique"}
HEADER = ("Date;Type d'action;Jeunes rencontrés;Code INSEE;Longitude;Latitude;Code ML\n")
# Runs the import in a child and prints the child's peak resident memory (kilobytes on Linux).
WRAPPER = """
import resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True, check=False)
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(done.returncode, peak, f"{seconds:.1f}")
sys.stderr.write(done.stdout[-2000:] + done.stderr[-4000:])
"""


def demo_rows(workspace: Workspace) -> list[tuple[str, str, int, str, float | None,
                                                  float | None, str]]:
    """Return the demo's actions as the cells of a CSV a Mission Locale would send."""
    actions = workspace.read("actions")
    points = actions.geometry.to_crs(WGS84)
    rows = []
    for row, point in zip(actions.itertuples(), points, strict=True):
        lon, lat = (None, None) if point is None or point.is_empty else (point.x, point.y)
        rows.append((f"{row.date:%d/%m/%Y}", KIND_LABELS[row.kind], int(row.youth_met),
                     str(row.code_insee), lon, lat, str(row.ml_code)))
    return rows


def _line(row: tuple[str, str, int, str, float | None, float | None, str], shift: float) -> str:
    date, kind, met, code, lon, lat, ml = row
    place = ";" if lon is None or lat is None else (
        f"{lon + shift:.5f};{lat + shift:.5f}".replace(".", ","))
    return f"{date};{kind};{met};{code};{place};{ml}\n"


def write_csv(path: Path, rows: list[tuple[str, str, int, str, float | None, float | None,
                                           str]], size_mb: float) -> int:
    """Write the header and the rows repeated until the file holds ``size_mb`` megabytes.

    Each repetition moves the places by a metre or so, so that, as in a real file, nearly
    every place is written differently (a file of a few thousand distinct lines repeated
    would flatter a reader that keeps one copy of each distinct value).
    """
    target = int(size_mb * 1e6)
    with open(path, "wb") as out:
        out.write(HEADER.encode("utf-8"))
        written, copy = len(HEADER), 0
        while written < target:
            block = "".join(_line(row, copy * 1e-5) for row in rows).encode("utf-8")
            out.write(block)
            written += len(block)
            copy += 1
    return written


def peak_rss(source: Path, csv: Path, workspace: Path) -> tuple[int, float, int]:
    """Import ``csv`` into a copy of ``workspace`` with the package of ``source``.

    Returns the exit code, the peak resident memory in bytes and the seconds taken.
    """
    copy = workspace.with_name(f"import-{os.getpid()}-{time.monotonic_ns()}.gpkg")
    shutil.copyfile(workspace, copy)
    env = {**os.environ, "PYTHONPATH": str(source)}
    command = [sys.executable, "-m", "territory", "import", "actions", str(csv),
               "--workspace", str(copy)]
    try:
        done = subprocess.run([sys.executable, "-c", WRAPPER, *command], capture_output=True,
                              text=True, env=env, check=True, cwd=source)
    finally:
        copy.unlink(missing_ok=True)
    code, peak_kb, seconds = done.stdout.split()
    if int(code) != 0:
        print(done.stderr, file=sys.stderr)
    return int(code), int(peak_kb) * 1024, float(seconds)


def main(size_mb: float = SIZE_MB, against: Path | None = None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        workspace = Workspace.create(Path(tmp) / "demo.gpkg")
        build_demo(workspace, seed=2019)
        rows = demo_rows(workspace)
        csv = Path(tmp) / "actions.csv"
        size = write_csv(csv, rows, size_mb)
        with open(csv, "rb") as lines:
            count = sum(1 for _ in lines) - 1
        print(f"actions CSV: {size / 1e6:.0f} MB, {count:,} rows (the demo's {len(rows):,} "
              "actions repeated, their places moved a little at each repetition)")
        print(f"{'package':<44}{'exit':>5}{'peak RSS MB':>13}{'× file':>8}{'s':>8}")
        sources = [("this checkout", HERE)]
        if against is not None:
            sources.insert(0, (f"--against {against}", against.resolve()))
        for name, source in sources:
            code, peak, seconds = peak_rss(source, csv, workspace.path)
            print(f"{name[:43]:<44}{code:>5}{peak / 1e6:>13.0f}{peak / size:>8.1f}"
                  f"{seconds:>8.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=SIZE_MB,
                        help=f"size of the CSV in megabytes (default {SIZE_MB})")
    parser.add_argument("--against", type=Path, default=None,
                        help="root of another checkout whose package is measured too")
    options = parser.parse_args()
    main(options.size_mb, options.against)
