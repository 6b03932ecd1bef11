"""Travel seconds between network nodes within a limit: bounded Dijkstra, or pandana's CH.

The build uses :func:`seconds_dijkstra` (one search per source, bounded by the cutoff, read
at every target at once); :func:`seconds_pandana` (one contraction-hierarchy query per pair)
is kept for the comparison in ``benchmarks/bench_network.py``.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree
from tqdm import tqdm

from territory.network._graph import ModeGraph
from territory.network._optional import optional

__all__ = ["ENGINES", "NodePairs", "seconds_dijkstra", "seconds_pandana", "snap"]

ENGINES = ("dijkstra", "pandana")
# Cells of one batch of Dijkstra's dense output (sources × nodes): 2e7 float64 = 160 MB.
BATCH_CELLS = 20_000_000
# Pairs per batch of pandana queries.
PANDANA_BATCH = 500_000

#: Source node, target node and seconds of each pair within the limit.
NodePairs = tuple[np.ndarray, np.ndarray, np.ndarray]


def snap(graph: ModeGraph, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the nearest node of each point and the straight-line distance to it, in m.

    Examples
    --------
    >>> g = ModeGraph("walk", np.array([0.0, 100.0]), np.array([0.0, 0.0]),
    ...               np.array([0]), np.array([1]), np.array([100.0]), 3.6)
    >>> snap(g, np.array([[90.0, 30.0]]))
    (array([1]), array([31.6227766]))
    """
    distance, node = cKDTree(np.column_stack([graph.x, graph.y])).query(xy)
    return np.asarray(node, dtype=np.int64), np.asarray(distance, dtype=float)


def seconds_dijkstra(graph: ModeGraph, sources: np.ndarray, targets: np.ndarray,
                     limit_s: float, *, progress: bool = False) -> NodePairs:
    """Return the pairs of ``sources`` × ``targets`` (node numbers) within ``limit_s``.

    One Dijkstra search per source node, stopped at the limit (SciPy's
    ``csgraph.dijkstra(limit=...)``), read at every target; when there are fewer targets
    than sources, the searches start from the targets on the reversed graph.
    """
    sources, targets = np.unique(sources), np.unique(targets)
    reverse = len(targets) < len(sources)
    starts, ends = (targets, sources) if reverse else (sources, targets)
    matrix = graph.matrix(reverse=reverse)
    batch = max(1, BATCH_CELLS // max(graph.n_nodes, 1))
    found_start, found_end, found_s = [], [], []
    with tqdm(total=len(starts), desc=f"{graph.mode} : itinéraires", unit="recherche",
              disable=not progress, file=sys.stderr, leave=False) as bar:
        for i in range(0, len(starts), batch):
            chunk = starts[i:i + batch]
            dist = dijkstra(matrix, indices=chunk, limit=limit_s)[:, ends]
            row, col = np.nonzero(dist <= limit_s)
            found_start.append(chunk[row])
            found_end.append(ends[col])
            found_s.append(dist[row, col])
            bar.update(len(chunk))
    a, b = np.concatenate(found_start), np.concatenate(found_end)
    return (b, a, np.concatenate(found_s)) if reverse else (a, b, np.concatenate(found_s))


def seconds_pandana(graph: ModeGraph, sources: np.ndarray, targets: np.ndarray,
                    limit_s: float, *, progress: bool = False, network: Any = None) -> NodePairs:
    """Return the same pairs as :func:`seconds_dijkstra`, with pandana's CH queries.

    Only the pairs whose straight line can be covered within the limit at the graph's top
    speed are queried. ``network`` is a pandana Network of the graph already built
    (:func:`pandana_network`).
    """
    sources, targets = np.unique(sources), np.unique(targets)
    net = network if network is not None else pandana_network(graph)
    reach_m = limit_s * graph.max_kmh / 3.6
    tree = cKDTree(np.column_stack([graph.x[targets], graph.y[targets]]))
    near = tree.query_ball_point(np.column_stack([graph.x[sources], graph.y[sources]]), reach_m)
    counts = np.array([len(n) for n in near], dtype=np.int64)
    a = np.repeat(sources, counts)
    b = targets[np.concatenate([np.asarray(n, dtype=np.int64) for n in near])
                if len(near) else np.array([], dtype=np.int64)]
    lengths = []
    with tqdm(total=len(a), desc=f"{graph.mode} : itinéraires", unit="paire",
              disable=not progress, file=sys.stderr, leave=False) as bar:
        for i in range(0, len(a), PANDANA_BATCH):
            lengths.append(np.asarray(net.shortest_path_lengths(a[i:i + PANDANA_BATCH],
                                                                b[i:i + PANDANA_BATCH])))
            bar.update(len(lengths[-1]))
    seconds = np.concatenate(lengths) if lengths else np.array([], dtype=float)
    within = seconds <= limit_s
    return a[within], b[within], seconds[within]


def pandana_network(graph: ModeGraph) -> Any:
    """Return a pandana Network of the graph (its contraction hierarchy built), node ids 0…n-1.

    pandana reports the hierarchy's construction on standard output; it is kept off it so
    that a command's output stays its own.
    """
    pandana = optional("pandana")
    with _stdout_to_stderr():
        return pandana.Network(pd.Series(graph.x), pd.Series(graph.y), pd.Series(graph.tail),
                               pd.Series(graph.head), pd.DataFrame({"s": graph.seconds}),
                               twoway=False)


@contextlib.contextmanager
def _stdout_to_stderr() -> Iterator[None]:
    """Send what C code writes on file descriptor 1 to file descriptor 2 meanwhile."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
