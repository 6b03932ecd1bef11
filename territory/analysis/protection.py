"""Small counts protected across the tables published together.

The commune, EPCI, Mission Locale and département tables and the region's total are handed
out together, and their counts add up: an EPCI's count is the sum of its communes', an ML's
the sum of its communes' weighted by their shares. Masking each table on its own leaves
two ways back to a small count:

- **a lone masked cell**: in one sum, a single masked cell is the total less the others
  (the rule of :func:`~territory.analysis.suppression.suppress`, here with the total itself
  a cell that may be masked);
- **too little room**: the masked cells of a sum share its total less the published cells;
  each masked small count being at least 1, fourteen masked communes of an EPCI whose
  total is 20 leave each at most 7 — and three sharing 3 are each exactly 1.

:func:`protect` masks, in every sum, more cells until neither happens: a sum's masked small
counts must each keep at least :func:`~territory.analysis.suppression.least_values` possible
counts from that sum alone (5 for the threshold of 11: half those « < 11 » allows). Besides
the sums given, an ML's total less the totals of the EPCIs across it is checked the same
way (``covers``). The cell masked next is a count of the finest table that makes room
enough, else a total of the next table (an EPCI's), else the largest count of the finest,
else a total directors read (an ML's, a département's). Sums read together can still
narrow a count further: :mod:`territory.analysis.disclosure` audits the result with linear
programming over every sum at once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray

from territory.analysis.suppression import COUNT_COLUMNS, apply_masks, least_values

__all__ = ["Link", "nested_links", "protect"]


@dataclass(frozen=True)
class Link:
    """Each zone of table ``coarse`` is the weighted sum of zones of table ``fine``.

    ``zone`` and ``part`` are row positions in the two tables, one pair per term, with its
    ``weight`` (1, or a shared commune's share of an ML).
    """

    coarse: str
    fine: str
    zone: NDArray[np.intp]
    part: NDArray[np.intp]
    weight: NDArray[np.float64]
    # Links of one coarse table with the same group make one sum (a total = a part + rest).
    group: str = ""


def protect(tables: Mapping[str, pd.DataFrame], links: Sequence[Link], *,
            threshold: int = 11, width: float | None = None,
            covers: Sequence[tuple[str, str, str]] = (), costs: Mapping[str, int] | None = None,
            hidden: Sequence[str] = ()) -> dict[str, pd.DataFrame]:
    """Return each table masked so that no sum gives a small count back.

    Parameters
    ----------
    tables
        Indicator tables by name (e.g. ``"commune"``, ``"epci"``, ``"region"``), with the
        counts of :data:`~territory.analysis.suppression.COUNT_COLUMNS`.
    links
        How the tables' counts add up.
    threshold
        Counts from 1 to ``threshold − 1`` are masked (11, digiNEET).
    width
        How many counts each masked small count keeps possible in every sum (default
        :func:`~territory.analysis.suppression.least_values`: 5 for the threshold of 11).
    covers
        ``(A, B, base)``: each total of table A less the totals of table B across it (both
        sums of table ``base``) is a subtraction a reader makes (see :class:`_Covers`).
    costs
        By table, the order in which tables give up a cell to mask: 0 first (default:
        the first table 0, the second 1, the others 2).
    hidden
        Tables never published whose small counts a reader must not find either (what a
        period's total less a period inside it leaves): masked from the start, never
        chosen to mask.

    Returns
    -------
    public
        The tables, masked like :func:`~territory.analysis.suppression.suppress` masks.

    Examples
    --------
    Three communes of one EPCI: two small counts and a large one. The total less the large
    one would give the two small ones' sum (4) and bound each to 1–3: the large one is
    masked too.

    >>> communes = pd.DataFrame({"zone_id": ["a", "b", "c"], "reached": [1, 3, 40]})
    >>> epci = pd.DataFrame({"zone_id": ["E"], "reached": [44]})
    >>> link = Link("epci", "commune", np.zeros(3, dtype=np.intp), np.arange(3),
    ...             np.ones(3))
    >>> public = protect({"commune": communes, "epci": epci}, [link])
    >>> public["commune"]["reached_secret"].tolist(), public["epci"]["reached_secret"].tolist()
    (['< 11', '< 11', 's'], [nan])
    """
    names = list(tables)
    room = least_values(threshold) if width is None else width
    columns = [c for c in COUNT_COLUMNS if all(c in tables[n] for n in names)]
    if costs is None:
        costs = {name: min(i, 2) for i, name in enumerate(names)}
    key = _key(tables, names, columns, links, threshold=threshold, room=room,
               extra=f"{list(covers)}|{sorted(costs.items())}|{sorted(hidden)}")
    masks_of = _CACHE.get(key)
    if masks_of is None:
        masks_of = _protect(tables, names, columns, links, threshold=threshold, room=room,
                            covers=covers, costs=costs, hidden=set(hidden))
        _CACHE[key] = masks_of
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
    out = {}
    for name in names:
        if name in hidden:
            continue
        primary, masks = masks_of[name]
        out[name] = apply_masks(tables[name], primary, masks, threshold=threshold)
        out[name].attrs["suppression"] = {"threshold": threshold, "sums": len(links),
                                          "tables": names}
    return out


# The masks of the last inputs seen: every view of one workspace and period asks again.
_CACHE: dict[str, dict[str, tuple[dict[str, NDArray[np.bool_]], dict[str, NDArray[np.bool_]]]]] = {}
_CACHE_SIZE = 32


def _key(tables: Mapping[str, pd.DataFrame], names: Sequence[str], columns: Sequence[str],
         links: Sequence[Link], *, threshold: int, room: float, extra: str) -> str:
    digest = hashlib.blake2b(f"{threshold}|{room}|{names}|{columns}|{extra}".encode(),
                             digest_size=20)
    for name in names:
        for column in columns:
            digest.update(tables[name][column].to_numpy(dtype=np.float64).tobytes())
    for link in links:
        digest.update(f"{link.coarse}>{link.fine}>{link.group}".encode())
        for array in (link.zone, link.part, link.weight):
            digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def _protect(tables: Mapping[str, pd.DataFrame], names: Sequence[str],
             columns: Sequence[str], links: Sequence[Link], *, threshold: int, room: float,
             covers: Sequence[tuple[str, str, str]], costs: Mapping[str, int],
             hidden: set[str],
             ) -> dict[str, tuple[dict[str, NDArray[np.bool_]], dict[str, NDArray[np.bool_]]]]:
    sizes = [len(tables[n]) for n in names]
    offset = dict(zip(names, np.cumsum([0, *sizes[:-1]]).tolist(), strict=True))
    values = {c: np.concatenate([tables[n][c].to_numpy(dtype=np.float64) for n in names])
              for c in columns}
    primary = {c: (v > 0) & (v < threshold) for c, v in values.items()}
    masks = {c: m.copy() for c, m in primary.items()}
    sizing = dict(zip(names, sizes, strict=True))
    sums = _Relations.of(links, offset, sizing)
    for a, b, base in covers:
        sums = sums.plus(_Covers.of(links, offset, sizing, [(a, b)], base=base).relations(
            np.zeros(sum(sizes), dtype=bool)))
    relations = sums
    # A hidden cell is never published: a candidate to mask never, a masked cell if small.
    cost = np.concatenate([np.full(size, 9 if name in hidden else costs.get(name, 2),
                                   dtype=np.intp) for name, size in zip(names, sizes,
                                                                        strict=True)])
    changed = True
    while changed:
        changed = False
        if "reached" in masks and "repere" in masks:  # the same young people, counted twice
            masks["reached"] = masks["repere"] = masks["reached"] | masks["repere"]
        for c in columns:
            more = relations.next_cells(values[c], primary[c], masks[c], cost=cost,
                                        threshold=threshold, room=room)
            if more.size and not masks[c][more].all():
                masks[c][more] = True
                changed = True
    found = {}
    for name, size in zip(names, sizes, strict=True):
        part = slice(offset[name], offset[name] + size)
        found[name] = ({c: primary[c][part] for c in columns},
                       {c: masks[c][part] for c in columns})
    return found


@dataclass(frozen=True)
class _Relations:
    """Linear relations ``Σ coefficient × count = 0`` as terms (``relation``, ``cell``)."""

    relation: NDArray[np.intp]
    cell: NDArray[np.intp]
    coefficient: NDArray[np.float64]
    total: NDArray[np.bool_]
    count: int

    @classmethod
    def of(cls, links: Sequence[Link], offset: Mapping[str, int],
           sizes: Mapping[str, int]) -> _Relations:
        """Return the sums of ``links`` as relations."""
        relation, cell, coefficient, total = [], [], [], []
        start = 0
        grouped: dict[tuple[str, str], int] = {}  # (coarse, group) -> first relation id
        for link in links:
            if link.group and (link.coarse, link.group) in grouped:
                # One more part of sums made already: the coarse zone is the relation.
                first = grouped[(link.coarse, link.group)]
                relation.append(first + link.zone)
                cell.append(offset[link.fine] + link.part)
                coefficient.append(link.weight.astype(np.float64))
                total.append(np.zeros(len(link.part), dtype=bool))
                continue
            zones = np.arange(sizes[link.coarse]) if link.group else np.unique(link.zone)
            position = np.searchsorted(zones, link.zone)
            if link.group:
                grouped[(link.coarse, link.group)] = start
            relation += [start + np.arange(len(zones)), start + position]
            cell += [offset[link.coarse] + zones, offset[link.fine] + link.part]
            coefficient += [-np.ones(len(zones)), link.weight.astype(np.float64)]
            total += [np.ones(len(zones), dtype=bool), np.zeros(len(link.part), dtype=bool)]
            start += len(zones)
        if not relation:
            empty = np.zeros(0, dtype=np.intp)
            return cls(empty, empty, np.zeros(0), np.zeros(0, dtype=bool), 0)
        coefficients = np.concatenate(coefficient)
        keep = coefficients != 0
        return cls(np.concatenate(relation)[keep].astype(np.intp),
                   np.concatenate(cell)[keep].astype(np.intp), coefficients[keep],
                   np.concatenate(total)[keep], start)

    def plus(self, other: _Relations) -> _Relations:
        """Return both sets of relations."""
        return _Relations(np.concatenate([self.relation, other.relation + self.count]),
                          np.concatenate([self.cell, other.cell]),
                          np.concatenate([self.coefficient, other.coefficient]),
                          np.concatenate([self.total, other.total]), self.count + other.count)

    def next_cells(self, value: NDArray[np.float64], primary: NDArray[np.bool_],
                   mask: NDArray[np.bool_], *, cost: NDArray[np.intp], threshold: int,
                   room: float) -> NDArray[np.intp]:
        """Return one more cell to mask in each relation that bounds a small count too well.

        Each relation bounds each of its masked small counts by the ranges of its other
        terms (interval arithmetic): a published count is itself, a masked small count is
        1 to t − 1, another masked count at least t (or 0), without end.
        """
        if not self.count:
            return np.zeros(0, dtype=np.intp)
        n, rel, c = self.count, self.relation, self.coefficient
        masked = mask[self.cell]
        v = value[self.cell]
        small = masked & primary[self.cell]
        low = np.where(~masked, v, np.where(small, 1.0, np.where(v >= threshold,
                                                                  float(threshold), 0.0)))
        high = np.where(~masked, v, np.where(small, threshold - 1.0, np.inf))
        term_low = np.minimum(c * low, c * high)
        term_high = np.maximum(c * low, c * high)
        lone = np.bincount(rel, weights=masked, minlength=n) == 1

        def total(values: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.intp]]:
            finite = np.isfinite(values)
            sums = np.bincount(rel, weights=np.where(finite, values, 0.0), minlength=n)
            endless = np.bincount(rel, weights=~finite, minlength=n).astype(np.intp)
            return sums.astype(np.float64), endless

        sum_low, inf_low = total(term_low)
        sum_high, inf_high = total(term_high)
        # The other terms of its relation: from Σ others = −c_i x_i, x_i's interval.
        others_low = np.where(inf_low[rel] > 0, -np.inf, sum_low[rel] - term_low)
        others_high = np.where(inf_high[rel] > 0, np.inf, sum_high[rel] - term_high)
        with np.errstate(invalid="ignore", divide="ignore"):
            ends = np.stack([-others_low / c, -others_high / c])
        upper = np.minimum(ends.max(axis=0), threshold - 1.0)
        lower = np.maximum(ends.min(axis=0), 1.0)
        width = np.where(np.isnan(upper - lower), np.inf, upper - lower)
        short = small & (width < room - 1 - 1e-9)
        deficit = np.zeros(n)
        np.maximum.at(deficit, rel[short], (room - 1 - width)[short])
        needy = lone | (deficit > 0)
        if not needy.any():
            return np.zeros(0, dtype=np.intp)
        # The cell masked next in each needy relation: a published count of the finest
        # table that makes room enough (smallest first), else a total of the next table
        # (an EPCI's), else the largest count of the finest, else the total of a table
        # directors read (an ML's, a département's), else a zero (``cost``: 0, 1, 2).
        level = cost[self.cell]
        candidate = needy[rel] & ~masked & (level < 9)
        fits = (v > 0) & (np.abs(c) * (v - threshold) >= deficit[rel] - 1e-9)
        rank = np.select([fits & (level == 0), (level == 1) & (v > 0), (level == 0) & (v > 0),
                          v > 0], [0, 1, 2, 3], default=4)
        order = np.lexsort((self.cell, level, np.where(rank == 2, -v, v), rank, rel))
        order = order[candidate[order]]
        first = np.ones(len(order), dtype=bool)
        first[1:] = rel[order][1:] != rel[order][:-1]
        return np.unique(self.cell[order[first]])


@dataclass(frozen=True)
class _Covers:
    """Each total of one table less the published totals of another that overlap it.

    An ML's total less the published totals of the EPCIs across it is the count of its
    communes outside them less the counts of these EPCIs' communes outside the ML: a
    reader's subtraction, which bounds the masked counts left on either side. Only the
    published totals enter it (a masked one hides its part), so it follows the masks.
    """

    pairs: tuple[tuple[str, str, sp.csr_array, sp.csr_array], ...]
    offset: Mapping[str, int]
    base: str

    @classmethod
    def of(cls, links: Sequence[Link], offset: Mapping[str, int], sizes: Mapping[str, int],
           pairs: Sequence[tuple[str, str]], *, base: str = "commune") -> _Covers:
        n = sizes[base]
        matrices = {link.coarse: sp.csr_array((link.weight, (link.zone, link.part)),
                                              shape=(sizes[link.coarse], n))
                    for link in links if link.fine == base}
        found = tuple((a, b, matrices[a], matrices[b]) for a, b in pairs
                      if a in matrices and b in matrices)
        return cls(found, offset, base)

    def relations(self, mask: NDArray[np.bool_]) -> _Relations:
        rows, cells, coefficients, totals, start = [], [], [], [], 0
        for a, b, big, small in self.pairs:
            shown = ~mask[self.offset[b] + np.arange(small.shape[0])]
            overlap = sp.csr_array(((big @ small.T) > 0).astype(np.float64)
                                   * shown[np.newaxis, :])
            left = sp.coo_array(big - overlap @ small)
            keep = np.abs(left.data) > 1e-12
            pairs = sp.coo_array(overlap)
            n = big.shape[0]
            rows.append(start + np.concatenate([np.arange(n), pairs.row, left.row[keep]]))
            cells.append(np.concatenate([self.offset[a] + np.arange(n),
                                         self.offset[b] + pairs.col,
                                         self.offset[self.base] + left.col[keep]]))
            coefficients.append(np.concatenate([-np.ones(n), np.ones(len(pairs.row)),
                                                left.data[keep]]))
            totals.append(np.concatenate([np.ones(n + len(pairs.row), dtype=bool),
                                          np.zeros(int(keep.sum()), dtype=bool)]))
            start += n
        if not rows:
            empty = np.zeros(0, dtype=np.intp)
            return _Relations(empty, empty, np.zeros(0), np.zeros(0, dtype=bool), 0)
        return _Relations(np.concatenate(rows).astype(np.intp),
                          np.concatenate(cells).astype(np.intp),
                          np.concatenate(coefficients), np.concatenate(totals), start)


def nested_links(links: Sequence[Link], sizes: Mapping[str, int], *,
                 base: str = "commune") -> list[Link]:
    """Return the sums between coarser tables implied by their sums of ``base`` zones.

    A département whose communes are exactly those of some EPCIs is also the sum of these
    EPCIs; the region the sum of its départements, or of its MLs (a shared commune's shares
    adding up to 1). Masking must see these sums too, or a masked EPCI total would be its
    département's total less the other EPCIs'.
    """
    n = sizes[base]
    matrices = {link.coarse: sp.csr_array((link.weight, (link.zone, link.part)),
                                          shape=(sizes[link.coarse], n))
                for link in links if link.fine == base}
    found = []
    for coarse, big in matrices.items():
        for fine, small in matrices.items():
            if fine == coarse:
                continue
            overlap = (small @ big.T).tocsr()  # fine zone × coarse zone: weight in common
            size = np.asarray(small.sum(axis=1)).ravel()
            best = np.asarray(overlap.argmax(axis=1)).ravel()
            inside = np.isclose(overlap.max(axis=1).toarray().ravel(), size) & (size > 0)
            if not inside.any():
                continue
            rebuilt = sp.csr_array((np.ones(inside.sum()), (best[inside],
                                    np.flatnonzero(inside))),
                                   shape=(big.shape[0], small.shape[0])) @ small
            exact = np.isclose(abs(rebuilt - big).sum(axis=1), 0.0) & \
                (np.asarray(big.sum(axis=1)).ravel() > 0)
            keep = inside & exact[best]
            if keep.sum() and len(np.unique(best[keep])) < keep.sum():
                found.append(Link(coarse, fine, best[keep].astype(np.intp),
                                  np.flatnonzero(keep).astype(np.intp), np.ones(keep.sum())))
    return found
