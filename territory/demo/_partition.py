"""Cut a connected graph into k contiguous groups of balanced weight.

Seeds are spread apart (k-means++ on the node coordinates), groups grow from them (the
lightest group takes its nearest free neighbour), then border nodes move from heavier to
lighter neighbouring groups while that reduces the imbalance and keeps every group in one
piece. The best of a few seeded attempts is kept.
"""

from __future__ import annotations

import heapq

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from territory.demo._graph import is_connected

__all__ = ["imbalance", "partition"]


def imbalance(weights: NDArray[np.float64], labels: NDArray[np.intp], k: int) -> float:
    """Return the sum of squared deviations of the group weights from their mean.

    Examples
    --------
    >>> imbalance(np.array([1.0, 1.0, 2.0]), np.array([0, 0, 1]), 2)
    0.0
    """
    totals = np.bincount(labels, weights=weights, minlength=k)
    return float(((totals - totals.mean()) ** 2).sum())


def partition(
    adjacency: sparse.csr_array,
    weights: NDArray[np.float64],
    coords: NDArray[np.float64],
    k: int,
    *,
    rng: np.random.Generator,
    attempts: int = 12,
) -> NDArray[np.intp]:
    """Split a connected graph into ``k`` contiguous groups of similar total weight.

    Parameters
    ----------
    adjacency
        Symmetric adjacency matrix of the nodes; the graph must be connected.
    weights
        Non-negative weight of each node (e.g. its youth population).
    coords
        Node positions, shape (n, 2), used to spread the seeds and keep groups compact.
    k
        Number of groups, from 1 to the number of nodes.
    rng
        The random generator (the only source of randomness).
    attempts
        Seeded attempts; the most balanced result is kept.

    Returns
    -------
    numpy.ndarray
        The group (0 to k - 1) of each node; every group is non-empty and connected.

    Examples
    --------
    >>> from territory.demo._graph import adjacency_matrix
    >>> line = adjacency_matrix(np.arange(3), np.arange(1, 4), 4)
    >>> labels = partition(line, np.ones(4), np.c_[np.arange(4.0), np.zeros(4)], 2,
    ...                    rng=np.random.default_rng(0))
    >>> sorted(np.bincount(labels).tolist())
    [2, 2]
    """
    n = len(weights)
    if not 1 <= k <= n:
        raise ValueError(f"cannot cut {n} nodes into k={k} groups; expected 1 <= k <= {n}")
    if connected_components(adjacency, directed=False)[0] != 1:
        raise ValueError("the graph is not connected; link its pieces first (link_islands)")
    best: NDArray[np.intp] | None = None
    best_score = np.inf
    for _ in range(max(1, attempts)):
        seeds = _spread_seeds(coords, k, rng=rng)
        labels = _rebalance(adjacency, weights, _grow(adjacency, coords, seeds), k)
        score = imbalance(weights, labels, k)
        if score < best_score:
            best, best_score = labels, score
    assert best is not None
    return best


def _spread_seeds(
    coords: NDArray[np.float64], k: int, *, rng: np.random.Generator
) -> NDArray[np.intp]:
    """Pick k distinct nodes far apart (k-means++ seeding)."""
    n = len(coords)
    chosen = [int(rng.integers(n))]
    nearest = ((coords - coords[chosen[0]]) ** 2).sum(axis=1)
    for _ in range(1, k):
        free = np.ones(n, dtype=bool)
        free[chosen] = False
        odds = np.where(free, nearest, 0.0)
        if odds.sum() <= 0:
            odds = free.astype(float)
        pick = int(rng.choice(n, p=odds / odds.sum()))
        chosen.append(pick)
        nearest = np.minimum(nearest, ((coords - coords[pick]) ** 2).sum(axis=1))
    return np.array(chosen, dtype=np.intp)


def _grow(
    adjacency: sparse.csr_array, coords: NDArray[np.float64], seeds: NDArray[np.intp]
) -> NDArray[np.intp]:
    """Grow groups from the seeds: the lightest open group takes its nearest free neighbour.

    Group weight here is the number of nodes taken, so that growth stays even; the weights
    are balanced afterwards by :func:`_rebalance`.
    """
    n = adjacency.shape[0]
    labels = np.full(n, -1, dtype=np.intp)
    labels[seeds] = np.arange(len(seeds))
    frontier: list[set[int]] = [set() for _ in seeds]
    for group, seed in enumerate(seeds):
        frontier[group].update(_neighbours(adjacency, int(seed)))
    heap = [(1, group) for group in range(len(seeds))]
    while heap:
        size, group = heapq.heappop(heap)
        free = [v for v in frontier[group] if labels[v] < 0]
        if not free:
            continue
        gaps = ((coords[free] - coords[seeds[group]]) ** 2).sum(axis=1)
        node = free[int(np.argmin(gaps))]
        labels[node] = group
        frontier[group].discard(node)
        frontier[group].update(_neighbours(adjacency, node))
        heapq.heappush(heap, (size + 1, group))
    return labels


def _neighbours(adjacency: sparse.csr_array, node: int) -> list[int]:
    start, stop = adjacency.indptr[node], adjacency.indptr[node + 1]
    return [int(v) for v in adjacency.indices[start:stop]]


def _rebalance(
    adjacency: sparse.csr_array, weights: NDArray[np.float64], labels: NDArray[np.intp], k: int
) -> NDArray[np.intp]:
    """Move border nodes to a lighter neighbouring group while that lowers the imbalance.

    Moving a node of weight w from group a to group b lowers the sum of squares exactly when
    ``total[a] - total[b] > w``; the donor must stay in one piece.
    """
    labels = labels.copy()
    totals = np.bincount(labels, weights=weights, minlength=k).astype(np.float64)
    moved = True
    while moved:
        moved = False
        for node in np.argsort(-weights, kind="stable"):
            target = _better_group(adjacency, weights, labels, totals, int(node))
            if target is None:
                continue
            source = labels[node]
            labels[node] = target
            totals[source] -= weights[node]
            totals[target] += weights[node]
            moved = True
    return labels


def _better_group(
    adjacency: sparse.csr_array,
    weights: NDArray[np.float64],
    labels: NDArray[np.intp],
    totals: NDArray[np.float64],
    node: int,
) -> int | None:
    source = labels[node]
    candidates = {int(labels[v]) for v in _neighbours(adjacency, node)} - {int(source)}
    if not candidates or weights[node] <= 0:
        return None
    target = min(candidates, key=lambda group: (totals[group], group))
    if totals[source] - totals[target] <= weights[node] * (1 + 1e-9):
        return None
    rest = np.flatnonzero(labels == source)
    return target if is_connected(adjacency, rest[rest != node]) else None
