"""Neighbourhood graphs of communes: who touches whom, islands included.

Commune boundaries in the simplified reference geometry leave small gaps between neighbours,
so two communes are neighbours when they lie within a small tolerance of each other. Islands
(Ré, Oléron, Aix) touch nothing: each piece of a domain that is cut off is linked to the
nearest commune outside it, as a ferry or a bridge would, so that every domain is one piece.
"""

from __future__ import annotations

import numpy as np
import shapely
from numpy.typing import NDArray
from scipy import sparse
from scipy.sparse.csgraph import connected_components

__all__ = [
    "TOLERANCE_M",
    "adjacency_matrix",
    "commune_graph",
    "is_connected",
    "link_islands",
    "neighbour_pairs",
    "quotient_graph",
]

# Gaps between neighbouring communes in the simplified ADMIN EXPRESS geometry are metres wide;
# 50 m finds every land neighbour without joining communes that only face each other.
TOLERANCE_M = 50.0


def neighbour_pairs(
    geometries: NDArray[np.object_], *, tolerance_m: float = TOLERANCE_M
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Return the index pairs of geometries lying within ``tolerance_m`` of each other.

    Each pair appears in both orders; a geometry is never its own neighbour.

    Examples
    --------
    >>> squares = np.array([shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1),
    ...                     shapely.box(5, 0, 6, 1)])
    >>> [pair.tolist() for pair in neighbour_pairs(squares, tolerance_m=0.1)]
    [[0, 1], [1, 0]]
    """
    tree = shapely.STRtree(geometries)
    left, right = tree.query(geometries, predicate="dwithin", distance=tolerance_m)
    keep = left != right
    return left[keep].astype(np.intp), right[keep].astype(np.intp)


def adjacency_matrix(
    left: NDArray[np.intp], right: NDArray[np.intp], n: int
) -> sparse.csr_array:
    """Return the symmetric boolean adjacency matrix of ``n`` nodes from index pairs."""
    rows = np.concatenate([left, right])
    cols = np.concatenate([right, left])
    data = np.ones(len(rows), dtype=bool)
    matrix = sparse.coo_array((data, (rows, cols)), shape=(n, n)).tocsr()
    matrix.sum_duplicates()
    matrix.data[:] = True
    return matrix


def is_connected(adjacency: sparse.csr_array, nodes: NDArray[np.intp]) -> bool:
    """Whether ``nodes`` form one connected piece of the graph (an empty set does not).

    A breadth-first walk over the compressed rows: fast for the small node sets it is
    called on many times while groups are balanced.
    """
    if len(nodes) == 0:
        return False
    wanted = set(nodes.tolist())
    seen = {int(nodes[0])}
    queue = [int(nodes[0])]
    indptr, indices = adjacency.indptr, adjacency.indices
    while queue:
        node = queue.pop()
        for other in indices[indptr[node]:indptr[node + 1]].tolist():
            if other in wanted and other not in seen:
                seen.add(other)
                queue.append(other)
    return len(seen) == len(wanted)


def link_islands(
    geometries: NDArray[np.object_],
    adjacency: sparse.csr_array,
    domains: NDArray[np.str_],
) -> sparse.csr_array:
    """Link every cut-off piece of each domain to the nearest commune outside it.

    The smallest piece is linked first, to the nearest geometry of the same domain outside
    it, until each domain is one piece. The input matrix is not modified.

    Returns
    -------
    scipy.sparse.csr_array
        The adjacency with the added links.
    """
    extra_left: list[int] = []
    extra_right: list[int] = []
    for domain in np.unique(domains):
        nodes = np.flatnonzero(domains == domain)
        for a, b in _island_links(geometries, adjacency, nodes):
            extra_left.append(a)
            extra_right.append(b)
    if not extra_left:
        return adjacency.copy()
    links = adjacency_matrix(np.array(extra_left), np.array(extra_right), adjacency.shape[0])
    merged = (adjacency + links).tocsr()
    merged.data[:] = True
    return merged


def _island_links(
    geometries: NDArray[np.object_], adjacency: sparse.csr_array, nodes: NDArray[np.intp]
) -> list[tuple[int, int]]:
    sub = adjacency[nodes][:, nodes].tolil()
    links: list[tuple[int, int]] = []
    while True:
        count, labels = connected_components(sub.tocsr(), directed=False)
        if count <= 1:
            return links
        smallest = np.argmin(np.bincount(labels))
        inside = np.flatnonzero(labels == smallest)
        outside = np.flatnonzero(labels != smallest)
        distance = shapely.distance(
            geometries[nodes[inside]][:, None], geometries[nodes[outside]][None, :]
        )
        i, j = np.unravel_index(np.argmin(distance), distance.shape)
        a, b = int(inside[i]), int(outside[j])
        sub[a, b] = sub[b, a] = True
        links.append((int(nodes[a]), int(nodes[b])))


def commune_graph(
    geometries: NDArray[np.object_],
    domains: NDArray[np.str_],
    *,
    tolerance_m: float = TOLERANCE_M,
) -> sparse.csr_array:
    """Return the neighbour graph of communes, kept within domains, islands linked.

    Parameters
    ----------
    geometries
        Commune polygons in a projected CRS (metres).
    domains
        One label per commune; only communes of the same domain are neighbours (a domain is
        typically a département).
    tolerance_m
        Two communes closer than this are neighbours.

    Returns
    -------
    scipy.sparse.csr_array
        A boolean, symmetric adjacency matrix in which every domain is one connected piece.
    """
    left, right = neighbour_pairs(geometries, tolerance_m=tolerance_m)
    same = domains[left] == domains[right]
    adjacency = adjacency_matrix(left[same], right[same], len(geometries))
    return link_islands(geometries, adjacency, domains)


def quotient_graph(
    adjacency: sparse.csr_array, labels: NDArray[np.intp], n_labels: int
) -> sparse.csr_array:
    """Return the graph of groups: two groups are neighbours when two of their nodes are.

    Examples
    --------
    >>> path = adjacency_matrix(np.array([0, 1, 2]), np.array([1, 2, 3]), 4)
    >>> quotient_graph(path, np.array([0, 0, 1, 1]), 2).toarray().tolist()
    [[False, True], [True, False]]
    """
    n = len(labels)
    member = sparse.csr_array(
        (np.ones(n, dtype=np.int64), (np.arange(n), labels)), shape=(n, n_labels)
    )
    linked = (member.T @ adjacency.astype(np.int64) @ member).tocoo()
    off = linked.row != linked.col
    return adjacency_matrix(
        linked.row[off].astype(np.intp), linked.col[off].astype(np.intp), n_labels
    )
