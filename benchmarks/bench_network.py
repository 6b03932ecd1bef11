"""Many origins × many destinations within a cutoff: bounded Dijkstra against pandana's CH.

Both engines answer the same question on the same car graph (read with pyrosm, largest
strongly connected component): the travel seconds of every origin × destination pair
within the cutoff. SciPy's ``csgraph.dijkstra(limit=...)`` runs one search per origin and
reads every destination at once (what ``territory network build`` uses); pandana 0.8 builds
a contraction hierarchy, then answers one query per pair (pairs beyond the cutoff at the
graph's top speed in a straight line are not asked). Each engine runs in a child process of
its own; the report gives its time (pandana: hierarchy, then queries), its peak memory
(tracemalloc: what Python and NumPy allocate; and the child's peak resident size above
its start, which includes pandana's C++), the pairs found, the largest difference between
the two, and the ratios pandana / Dijkstra.

    python benchmarks/bench_network.py                # a generated extract
    python benchmarks/bench_network.py region.osm.pbf --origins 300 --dests 500
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
import osmium
from osmium.osm.mutable import Node, Way
from pyproj import Transformer

from territory._crs import LAMBERT93, WGS84
from territory.network._graph import ModeGraph, read_graph
from territory.network._route import pandana_network, seconds_dijkstra, seconds_pandana

# The generated extract: a grid of streets every SPACING_M metres around Guéret, a primary
# road every 10th line, a motorway every 50th (a hierarchy, as real networks have).
GRID = 150
SPACING_M = 150.0
ORIGINS, DESTS, MAX_MIN, SEED = 200, 400, 30.0, 2019


def generated_extract(path: Path, grid: int = GRID) -> Path:
    """Write a grid of ways (residential, primary, motorway) as an .osm.pbf with pyosmium."""
    to_wgs = Transformer.from_crs(LAMBERT93, WGS84, always_xy=True)
    x0, y0 = 600_000.0, 6_550_000.0
    ii, jj = np.meshgrid(np.arange(grid), np.arange(grid), indexing="ij")
    lon, lat = to_wgs.transform(x0 + ii.ravel() * SPACING_M, y0 + jj.ravel() * SPACING_M)
    path.unlink(missing_ok=True)
    writer = osmium.SimpleWriter(str(path))
    for k in range(grid * grid):
        writer.add_node(Node(id=k + 1, location=osmium.osm.Location(lon[k], lat[k]),
                             version=1))
    way = 0
    for line in range(grid):
        kind = ("motorway" if line % 50 == 25 else "primary" if line % 10 == 5
                else "residential")
        for nodes in (line * grid + np.arange(grid) + 1, np.arange(grid) * grid + line + 1):
            way += 1
            writer.add_way(Way(id=way, nodes=nodes.tolist(), tags={"highway": kind},
                               version=1))
    writer.close()
    return path


def _run(engine: str, task: tuple[ModeGraph, np.ndarray, np.ndarray, float],
         queue: Any) -> None:
    graph, sources, targets, limit_s = task
    start_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    start = time.perf_counter()
    built = 0.0
    if engine == "pandana":
        network = pandana_network(graph)
        built = time.perf_counter() - start
        pairs = seconds_pandana(graph, sources, targets, limit_s, network=network)
    else:
        pairs = seconds_dijkstra(graph, sources, targets, limit_s)
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - start_rss
    order = np.lexsort((pairs[1], pairs[0]))
    queue.put((elapsed, built, peak, rss * 1024, tuple(p[order] for p in pairs)))


def measure(engine: str, graph: ModeGraph, sources: np.ndarray, targets: np.ndarray,
            limit_s: float) -> tuple[float, float, int, int, tuple[np.ndarray, ...]]:
    context = mp.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_run,
                            args=(engine, (graph, sources, targets, limit_s), queue))
    child.start()
    result = queue.get()
    child.join()
    return result


def main(extract: str | None = None, *, origins: int = ORIGINS, dests: int = DESTS,
         max_min: float = MAX_MIN, grid: int = GRID) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(extract) if extract else generated_extract(Path(folder) / "grid.osm.pbf",
                                                              grid)
        start = time.perf_counter()
        graph = read_graph(path, "car")
        read_s = time.perf_counter() - start
    assert graph is not None, f"{path}: no car network"
    rng = np.random.default_rng(SEED)
    sources = rng.choice(graph.n_nodes, min(origins, graph.n_nodes), replace=False)
    targets = rng.choice(graph.n_nodes, min(dests, graph.n_nodes), replace=False)
    print(f"car graph of {path.name if extract else 'a generated grid'}: {graph.n_nodes:,} "
          f"nodes, {len(graph.tail):,} edges (read in {read_s:.1f} s); {len(sources)} origins "
          f"× {len(targets)} destinations within {max_min:g} min")
    results = {engine: measure(engine, graph, sources, targets, max_min * 60)
               for engine in ("dijkstra", "pandana")}
    for engine, (elapsed, built, peak, rss, pairs) in results.items():
        extra = f" (hierarchy {built:.2f} s, queries {elapsed - built:.2f} s)" if built else ""
        print(f"  {engine:9s} {elapsed:8.2f} s{extra}; peak {peak / 2**20:7.1f} MiB traced, "
              f"{rss / 2**20:7.1f} MiB resident; {len(pairs[0]):,} pairs")
    d, p = results["dijkstra"][4], results["pandana"][4]
    same = len(d[0]) == len(p[0]) and all(np.array_equal(a, b) for a, b in zip(d[:2], p[:2],
                                                                             strict=True))
    gap = float(np.max(np.abs(d[2] - p[2]))) if same and len(d[2]) else float("nan")
    print(f"  same pairs: {same}; largest difference {gap:.4f} s")
    time_ratio = results["pandana"][0] / results["dijkstra"][0]
    memory_ratio = results["pandana"][3] / max(results["dijkstra"][3], 1)
    print(f"  ratio pandana / dijkstra: time {time_ratio:.2f}, resident memory "
          f"{memory_ratio:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("extract", nargs="?", help="an .osm.pbf (default: a generated grid)")
    parser.add_argument("--origins", type=int, default=ORIGINS)
    parser.add_argument("--dests", type=int, default=DESTS)
    parser.add_argument("--max-min", type=float, default=MAX_MIN)
    parser.add_argument("--grid", type=int, default=GRID,
                        help=f"streets per side of the generated grid (default {GRID})")
    options = parser.parse_args()
    main(options.extract, origins=options.origins, dests=options.dests,
         max_min=options.max_min, grid=options.grid)
