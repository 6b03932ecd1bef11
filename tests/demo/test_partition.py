"""The partition helper on grids of unit squares, and the island links."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse.csgraph import connected_components

from territory.demo._graph import adjacency_matrix, commune_graph, is_connected
from territory.demo._partition import partition


def _grid(rows: int, cols: int) -> tuple[np.ndarray, np.ndarray]:
    """Rook neighbours and centres of a rows x cols grid of unit squares."""
    cells = np.arange(rows * cols).reshape(rows, cols)
    left = np.concatenate([cells[:, :-1].ravel(), cells[:-1, :].ravel()])
    right = np.concatenate([cells[:, 1:].ravel(), cells[1:, :].ravel()])
    centres = np.c_[(cells % cols).ravel() + 0.5, (cells // cols).ravel() + 0.5]
    return adjacency_matrix(left, right, rows * cols), centres


@settings(max_examples=60, deadline=None)
@given(
    rows=st.integers(1, 6),
    cols=st.integers(1, 6),
    data=st.data(),
)
def test_partition_gives_k_contiguous_groups_covering_every_cell(
    rows: int, cols: int, data: st.DataObject
) -> None:
    n = rows * cols
    k = data.draw(st.integers(1, n), label="k")
    weights = np.array(data.draw(st.lists(st.integers(0, 50), min_size=n, max_size=n)), float)
    seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
    adjacency, centres = _grid(rows, cols)
    labels = partition(adjacency, weights, centres, k, rng=np.random.default_rng(seed))
    assert labels.shape == (n,)
    assert sorted(set(labels.tolist())) == list(range(k))
    for group in range(k):
        assert is_connected(adjacency, np.flatnonzero(labels == group))
        members = np.flatnonzero(labels == group)
        pieces, _ = connected_components(adjacency[members][:, members], directed=False)
        assert pieces == 1


def test_partition_balances_equal_weights() -> None:
    adjacency, centres = _grid(4, 6)
    labels = partition(adjacency, np.ones(24), centres, 4, rng=np.random.default_rng(3))
    sizes = np.bincount(labels)
    assert sizes.max() - sizes.min() <= 2


def test_partition_is_reproducible() -> None:
    adjacency, centres = _grid(5, 5)
    weights = np.arange(25.0)
    a = partition(adjacency, weights, centres, 3, rng=np.random.default_rng(11))
    b = partition(adjacency, weights, centres, 3, rng=np.random.default_rng(11))
    np.testing.assert_array_equal(a, b)


def test_partition_refuses_what_it_cannot_do() -> None:
    adjacency, centres = _grid(2, 2)
    with pytest.raises(ValueError, match="k=5"):
        partition(adjacency, np.ones(4), centres, 5, rng=np.random.default_rng(0))
    apart = adjacency_matrix(np.array([0]), np.array([1]), 3)
    with pytest.raises(ValueError, match="not connected"):
        partition(apart, np.ones(3), centres[:3], 2, rng=np.random.default_rng(0))


def test_islands_are_linked_to_the_nearest_commune_of_their_domain() -> None:
    # Three squares side by side on the mainland, one island off the third, and a square of
    # another domain that touches the first.
    squares = np.array([shapely.box(x, 0, x + 1, 1) for x in (0, 1, 2)]
                       + [shapely.box(2.5, 3, 3.5, 4), shapely.box(-1, 0, 0, 1)])
    domains = np.array(["a", "a", "a", "a", "b"])
    graph = commune_graph(squares, domains, tolerance_m=0.01)
    assert graph[3, 2] and graph[2, 3]
    assert not graph[3, 0] and not graph[3, 1]
    assert not graph[0, 4]
    assert is_connected(graph, np.arange(4))
