"""Incremental objective states: open sites, and what opening or closing one changes.

Both states keep, per demand point, what the open sites give it — the number of sites within
the threshold (:class:`CoverageState`) or the minutes to the nearest one
(:class:`DistanceState`) — so that opening or closing a site touches only the demand points
around it. ``gains()`` returns every site's marginal gain at once (one sparse product), and
``swap_deltas(j)`` the change of the objective if ``j`` closed and each other site opened
(Teitz & Bart 1968), from the demand points around ``j`` only.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

IntArray = NDArray[np.intp]
FloatArray = NDArray[np.float64]


def csr(rows: IntArray, cols: IntArray, data: FloatArray, shape: tuple[int, int]) -> sp.csr_array:
    """Build a CSR matrix from (row, column, value) triples, keeping explicit zeros."""
    order = np.lexsort((cols, rows))
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=shape[0]))])
    return sp.csr_array((np.asarray(data, dtype=np.float64)[order],
                         np.asarray(cols, dtype=np.int32)[order], indptr.astype(np.int32)),
                        shape=shape)


def segments(indptr: NDArray[np.int32] | IntArray, rows: IntArray) -> IntArray:
    """Positions in a CSR ``indices``/``data`` array of the entries of ``rows``."""
    starts, ends = indptr[rows], indptr[rows + 1]
    lengths = ends - starts
    if lengths.sum() == 0:
        return np.empty(0, dtype=np.intp)
    offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    return np.asarray(offsets + np.arange(lengths.sum()), dtype=np.intp)


class CoverageState:
    """How many open sites reach each demand point within the threshold.

    ``value`` is the weight of the demand points reached by at least one open site.
    """

    def __init__(self, reach: sp.csr_array, reach_t: sp.csr_array, weight: FloatArray):
        self.reach, self.reach_t, self.weight = reach, reach_t, weight
        self.count = np.zeros(reach.shape[0], dtype=np.int32)
        self.open = np.zeros(reach.shape[1], dtype=bool)
        self.value = 0.0
        self._gains: FloatArray | None = None

    def rows(self, j: int) -> IntArray:
        """Demand points within the threshold of site ``j``."""
        indptr = self.reach_t.indptr
        return np.asarray(self.reach_t.indices[indptr[j]:indptr[j + 1]], dtype=np.intp)

    def add(self, j: int) -> IntArray:
        """Open site ``j``; return the demand points it newly covers."""
        rows = self.rows(j)
        new = rows[self.count[rows] == 0]
        self.count[rows] += 1
        self.open[j] = True
        self.value += float(self.weight[new].sum())
        self._gains = None
        return new

    def remove(self, j: int) -> IntArray:
        """Close site ``j``; return the demand points it leaves uncovered."""
        rows = self.rows(j)
        self.count[rows] -= 1
        lost = rows[self.count[rows] == 0]
        self.open[j] = False
        self.value -= float(self.weight[lost].sum())
        self._gains = None
        return lost

    def gain(self, j: int) -> float:
        """Weight that opening site ``j`` would add."""
        rows = self.rows(j)
        return float(self.weight[rows[self.count[rows] == 0]].sum())

    def gains(self) -> FloatArray:
        """Marginal gain of every site (0 for open ones), in one sparse product."""
        if self._gains is None:
            gains = self.reach_t @ (self.weight * (self.count == 0))
            gains[self.open] = 0.0
            self._gains = np.asarray(gains, dtype=np.float64)
        return self._gains

    def swap_deltas(self, j: int) -> FloatArray:
        """Change of ``value`` if open site ``j`` closed and each site ``k`` opened."""
        rows = self.rows(j)
        only = rows[self.count[rows] == 1]
        loss = float(self.weight[only].sum())
        at = segments(self.reach.indptr, only)
        extra = np.bincount(self.reach.indices[at],
                            weights=np.repeat(self.weight[only], np.diff(self.reach.indptr)[only]),
                            minlength=self.reach.shape[1])
        return self.gains() + extra - loss


class DistanceState:
    """Minutes from each demand point to its nearest open site, capped at ``cutoff``.

    ``value`` is the weighted sum of those minutes (lower is better); gains are reductions.
    """

    def __init__(self, minutes: sp.csr_array, minutes_t: sp.csr_array, weight: FloatArray,
                 cutoff: float):
        self.by_demand, self.by_site, self.weight = minutes, minutes_t, weight
        self.cutoff = cutoff
        self.best = np.full(minutes.shape[0], cutoff, dtype=np.float64)
        self.nearest = np.full(minutes.shape[0], -1, dtype=np.intp)
        self.open = np.zeros(minutes.shape[1], dtype=bool)
        self._site_of = np.repeat(np.arange(minutes_t.shape[0]), np.diff(minutes_t.indptr))
        self._gains: FloatArray | None = None

    @property
    def value(self) -> float:
        """Weighted minutes ``Σ w_i min(nearest open site, cutoff)``, summed afresh.

        Never kept as the cutoff total minus what the open sites save: with a cutoff of 1e12
        minutes that difference loses the decimals. The terms are never negative, so numpy's
        pairwise sum is within a few ``eps`` of the exact sum, relative to it.
        """
        return float(np.sum(self.weight * self.best))

    def _pairs(self, j: int) -> tuple[IntArray, FloatArray]:
        indptr = self.by_site.indptr
        span = slice(indptr[j], indptr[j + 1])
        return (np.asarray(self.by_site.indices[span], dtype=np.intp),
                np.asarray(self.by_site.data[span], dtype=np.float64))

    def add(self, j: int) -> IntArray:
        """Open site ``j``; return the demand points for which it is now the nearest."""
        rows, minutes = self._pairs(j)
        closer = minutes < self.best[rows]
        rows, minutes = rows[closer], minutes[closer]
        self.best[rows], self.nearest[rows] = minutes, j
        self.open[j] = True
        self._gains = None
        return rows

    def remove(self, j: int) -> IntArray:
        """Close site ``j``; return the demand points that had it as their nearest."""
        self.open[j] = False
        rows, _ = self._pairs(j)
        rows = rows[self.nearest[rows] == j]
        best, nearest = self._nearest_open(rows)
        self.best[rows], self.nearest[rows] = best, nearest
        self._gains = None
        return rows

    def _nearest_open(self, rows: IntArray) -> tuple[FloatArray, IntArray]:
        """Nearest open site of each of ``rows`` (cutoff and -1 when none)."""
        at = segments(self.by_demand.indptr, rows)
        sites = np.asarray(self.by_demand.indices[at], dtype=np.intp)
        minutes = np.where(self.open[sites], self.by_demand.data[at], np.inf)
        owner = np.repeat(np.arange(len(rows)), np.diff(self.by_demand.indptr)[rows])
        best = np.full(len(rows), np.inf)
        np.minimum.at(best, owner, minutes)
        found = np.isfinite(best) & (best < self.cutoff)
        nearest = np.full(len(rows), -1, dtype=np.intp)
        hit = found[owner] & (minutes == best[owner])
        nearest[owner[hit]] = sites[hit]
        return np.where(found, best, self.cutoff), nearest

    def gain(self, j: int) -> float:
        """Weighted minutes that opening site ``j`` would save."""
        rows, minutes = self._pairs(j)
        return float((self.weight[rows] * np.clip(self.best[rows] - minutes, 0, None)).sum())

    def gains(self) -> FloatArray:
        """Marginal gain of every site (0 for open ones)."""
        if self._gains is None:
            rows = self.by_site.indices
            saved = self.weight[rows] * np.clip(self.best[rows] - self.by_site.data, 0, None)
            gains = np.bincount(self._site_of, weights=saved, minlength=self.by_site.shape[0])
            gains[self.open] = 0.0
            self._gains = np.asarray(gains, dtype=np.float64)
        return self._gains

    def swap_deltas(self, j: int) -> FloatArray:
        """Change of the saving (−``value``) if site ``j`` closed and each site ``k`` opened."""
        rows, _ = self._pairs(j)
        rows = rows[self.nearest[rows] == j]
        self.open[j] = False
        after, _ = self._nearest_open(rows)
        self.open[j] = True
        loss = float((self.weight[rows] * (after - self.best[rows])).sum())
        at = segments(self.by_demand.indptr, rows)
        owner = np.repeat(np.arange(len(rows)), np.diff(self.by_demand.indptr)[rows])
        t = self.by_demand.data[at]
        w = self.weight[rows][owner]
        change = w * (np.clip(after[owner] - t, 0, None)
                      - np.clip(self.best[rows][owner] - t, 0, None))
        extra = np.bincount(self.by_demand.indices[at], weights=change,
                            minlength=self.by_site.shape[0])
        return self.gains() + extra - loss
