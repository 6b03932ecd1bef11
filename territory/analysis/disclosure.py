r"""Disclosure audit: how closely every public figure, read together, bounds a masked count.

A reader holds every public output at once — the commune, EPCI and Mission Locale tables, the
report's key figures, the director's cards, the exports, for every period offered — and knows
how each figure is computed (docs/methodology.md). :class:`Disclosure` collects what they
know; :meth:`Disclosure.audit` finds, for each masked count of young people, the interval of
values consistent with it, by linear programming with HiGHS (the interval audit of
statistical agencies' tools, such as τ-ARGUS), and says whether the count stays hidden.

What the reader knows
---------------------
Unknowns are the counts of young people (``reached``, ``repere``, ``mobilise``,
``accompagne``) of each zone of each published table; a *space* names a set of zones (e.g.
``"commune"``, ``"catchment"``, ``"region"``, one per period). A count printed anywhere is
known (its rounding kept as an interval). Then:

- **marks**: « < t » is between 1 and t − 1; « s » (complementary) is at least t, since the
  rule masks a published non-zero count (or 0 when nothing else was left, see
  :func:`~territory.analysis.suppression.suppress`);
- **sums**: a zone's count is the weighted sum of its parts' (a catchment of its communes
  with their shares, a département or the region of its communes): :meth:`Disclosure.sums`;
- **periods**: young people reached in a period are at least those of a period inside it,
  and at most the sum of the periods that cover it (distinct young people do not add up):
  :meth:`Disclosure.periods`;
- **derived figures**: a published ``invisible_est`` gives ``reached`` back through the
  invisible identity (NEET × share − reached), ``contacts_per_1000`` through the young
  people, ``reach_deficit`` and ``need_index`` through the score's formula, a funnel rate
  through the other stage;
- **score and rank**: a published ``gap_score`` bounds ``reached`` (the score falls as the
  count grows and every other input is published), and so does a published ``gap_rank``
  (a zone's score lies between those of the zones ranked around it): :func:`rank_attack`.
  A score or a rank that the published figures alone reproduce
  (:func:`~territory.analysis.suppression.publishable_score`) says nothing and is not used.

When a masked count is safe
---------------------------
A masked count is **safe** when everything published leaves it at least
:func:`~territory.analysis.suppression.least_values` possible counts within its mark (5 of
the 10 that « < 11 » allows): a reader may learn « at most 7 », never « 1 » or « 2 or 3 ».
``lower`` and ``upper`` are what the other figures say, its own mark set aside. Each count
is bounded twice by HiGHS (lowest and highest value), on one linear programme per group of
linked counts, warm-started from one count to the next; two programmes first push every
small count up, then down, and the counts seen at both ends of their mark need no more.
The audit is exact for the relations above taken as linear; a mark « s » (0, or at least t)
is taken as what the count is — 0, or at least t — which can only narrow the intervals: the
audit errs on the side of caution.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import highspy
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from territory.analysis._checks import PeriodLike
from territory.analysis.indicators import indicators, public_tables
from territory.analysis.params import DEFAULTS, Parameters
from territory.analysis.score import gap_score
from territory.analysis.suppression import COUNT_COLUMNS, least_values, publishable_score

__all__ = ["Disclosure", "Relation", "audit_public", "rank_attack", "score_bounds"]

Key = tuple[str, str, str]  # (space, zone, column)
INF = float("inf")
# A figure printed with ``decimals`` decimals is known to within half its last digit.
_EXACT = 1e-6


@dataclass(frozen=True)
class Relation:
    """``lower ≤ Σ coefficient × count ≤ upper`` over counts of one column."""

    terms: tuple[tuple[Key, float], ...]
    lower: float
    upper: float
    why: str


@dataclass
class _Cell:
    true: float
    mark: str | None = None          # None: published
    shown: float | None = None       # the published value
    tolerance: float = 0.0
    lower: float = 0.0               # what other figures say of this cell alone
    upper: float = INF
    outputs: set[str] = field(default_factory=set)
    why: list[str] = field(default_factory=list)


@dataclass
class Disclosure:
    """Every public figure a reader holds, and the relations between them.

    Examples
    --------
    Two communes of one EPCI, one masked, and the EPCI's total published: the total less the
    other commune gives the masked count back.

    >>> raw = pd.DataFrame({"zone_id": ["a", "b"], "reached": [4.0, 30.0]})
    >>> public = raw.assign(reached=[None, 30.0], reached_secret=["< 11", None])
    >>> known = Disclosure(threshold=11)
    >>> known.table(public, raw, space="commune", output="tableau des communes")
    >>> total = pd.DataFrame({"zone_id": ["E"], "reached": [34.0]})
    >>> known.table(total, total, space="epci", output="tableau des EPCI")
    >>> known.sums("epci", "commune", pd.DataFrame({"zone": ["E", "E"],
    ...                                             "part": ["a", "b"]}))
    >>> audit = known.audit()
    >>> audit[["zone", "mark", "lower", "upper", "safe"]]
      zone  mark  lower  upper   safe
    0    a  < 11    4.0    4.0  False
    """

    threshold: int = 11
    params: Parameters = DEFAULTS
    cells: dict[Key, _Cell] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)

    # -- what is published -------------------------------------------------------------------
    def table(self, public: pd.DataFrame, raw: pd.DataFrame, *, space: str, output: str,
              decimals: int = 0) -> None:
        """Add a published table: its counts, marks and the figures derived from them.

        Parameters
        ----------
        public
            The table as published: masked cells NA with their ``<column>_secret`` mark.
        raw
            The same zones unmasked, on the same index (the audit knows the truth to say
            how close a reader gets).
        space
            The zones' space: a table of the same zones in another output shares it.
        output
            The output's name, for the audit's report.
        decimals
            Decimals of the counts as printed (0: whole numbers).
        """
        zones = public["zone_id"].astype(str).to_numpy()
        for column in COUNT_COLUMNS:
            if column not in public:
                continue
            marks = public.get(f"{column}_secret", pd.Series(pd.NA, index=public.index))
            shown = pd.to_numeric(public[column], errors="coerce").to_numpy(dtype=float)
            true = pd.to_numeric(raw[column], errors="coerce").to_numpy(dtype=float)
            for zone, mark, value, truth in zip(zones, marks.tolist(), shown, true,
                                                strict=True):
                self._cell((space, zone, column), truth, None if pd.isna(mark) else str(mark),
                           None if np.isnan(value) else float(value),
                           tolerance=_rounding(truth, decimals), output=output)
        self._derived(public, raw, space=space, output=output)

    def total(self, space: str, zone: str, column: str, value: float, *, output: str,
              mark: str | None = None, decimals: int = 0) -> None:
        """Add one published figure (a card, a key figure): ``value``, or its ``mark``."""
        self._cell((space, zone, column), value, mark, None if mark else value,
                   tolerance=_rounding(value, decimals), output=output)

    def sums(self, coarse: str, fine: str, walk: pd.DataFrame,
             columns: Sequence[str] = COUNT_COLUMNS) -> None:
        """Say that each ``coarse`` zone's counts are the weighted sums of its ``fine`` parts.

        ``walk`` has ``zone`` (coarse), ``part`` (fine) and optionally ``weight`` (1).
        Only the zones and columns published on both sides are related.
        """
        weight = (walk["weight"] if "weight" in walk else pd.Series(1.0, index=walk.index))
        frame = pd.DataFrame({"zone": walk["zone"].astype(str), "part": walk["part"].astype(str),
                              "weight": weight.astype(float)})
        for column in columns:
            for zone, parts in frame.groupby("zone", sort=False):
                whole = (coarse, str(zone), column)
                if whole not in self.cells:
                    continue
                terms = [((fine, p, column), w) for p, w in zip(parts["part"], parts["weight"],
                                                                strict=True)
                         if (fine, p, column) in self.cells and w != 0]
                if terms:
                    self.relations.append(Relation(
                        ((whole, -1.0), *terms), 0.0, 0.0, f"{coarse} {zone} = Σ {fine}"))

    def periods(self, inner: str, outer: str, zones: Iterable[str] | None = None,
                columns: Sequence[str] = COUNT_COLUMNS) -> None:
        """Say that the period of space ``inner`` lies inside that of ``outer``.

        A young person reached in the inner period is reached in the outer one: each
        zone's count in ``inner`` is at most its count in ``outer``.
        """
        for column in columns:
            for key in self._zones(inner, column, zones):
                other = (outer, key[1], column)
                if other in self.cells:
                    self.relations.append(Relation(((key, 1.0), (other, -1.0)), -INF, 0.0,
                                                   f"{inner} ⊂ {outer}"))

    def cover(self, whole: str, parts: Sequence[str], zones: Iterable[str] | None = None,
              columns: Sequence[str] = COUNT_COLUMNS) -> None:
        """Say that the periods ``parts`` cover the period ``whole``.

        Each young person reached in ``whole`` is reached in one part at least: a zone's
        count in ``whole`` is at most the sum of its counts in the parts (and at least each
        of them: see :meth:`periods`).
        """
        for part in parts:
            self.periods(part, whole, zones, columns)
        for column in columns:
            for key in self._zones(whole, column, zones):
                terms = [((p, key[1], column), -1.0) for p in parts
                         if (p, key[1], column) in self.cells]
                if len(terms) == len(parts):
                    self.relations.append(Relation(((key, 1.0), *terms), -INF, 0.0,
                                                   f"{whole} ≤ Σ périodes"))

    # -- the audit -----------------------------------------------------------------------------
    def audit(self) -> pd.DataFrame:
        """Return each masked count's interval given everything else published.

        Returns
        -------
        audit
            One row per masked small count (« < t »): ``space``, ``zone``, ``column``,
            ``mark``, ``true``, ``lower``, ``upper`` (what the other figures allow, its own
            mark set aside), ``values`` (whole counts left within its mark too), ``safe``,
            ``outputs`` and ``why`` (the derived figures that bound it).
        """
        self._chain()
        keys = [k for k, c in self.cells.items() if c.mark is not None]
        # The funnel's stages bound each other zone by zone (mobilised ≤ spotted): as bounds,
        # so that each column is a programme of its own.
        index = {k: i for i, k in enumerate(keys)}
        cells = [self.cells[k] for k in keys]
        lower = np.array([max(c.lower, self._mark_bounds(c)[0]) for c in cells])
        upper = np.array([min(c.upper, self._mark_bounds(c)[1]) for c in cells])
        matrix, row_lower, row_upper = self._rows(index)
        linked = (matrix.T @ matrix) if matrix.shape[0] else sp.csr_array((len(keys),) * 2)
        _, component = connected_components(linked, directed=False)
        sizes = np.bincount(component, minlength=1) if keys else np.zeros(0, dtype=int)
        found = {}
        in_rows = np.diff(matrix.indptr) > 0
        for label in np.unique(component[[i for i, c in enumerate(cells)
                                           if str(c.mark).startswith("<")]]) if keys else []:
            members = np.flatnonzero(component == label)
            if sizes[label] == 1 and not in_rows[members[0]]:
                i = members[0]
                found[i] = (max(cells[i].lower, 0.0), cells[i].upper)
                continue
            found.update(self._solve(members, cells, lower=lower, upper=upper, matrix=matrix,
                                     row_lower=row_lower, row_upper=row_upper))
        rows = []
        for i, (low, high) in sorted(found.items()):
            key, cell = keys[i], cells[i]
            rows.append({"space": key[0], "zone": key[1], "column": key[2], "mark": cell.mark,
                         "true": cell.true, "lower": low, "upper": high,
                         "values": _values(low, high, 1.0, self.threshold - 1.0),
                         "safe": _values(low, high, 1.0, self.threshold - 1.0)
                         >= least_values(self.threshold),
                         "outputs": ", ".join(sorted(cell.outputs)),
                         "why": "; ".join(dict.fromkeys(cell.why))})
        columns = ["space", "zone", "column", "mark", "true", "lower", "upper", "values",
                   "safe", "outputs", "why"]
        return pd.DataFrame(rows, columns=columns)

    def _solve(self, members: np.ndarray, cells: list[_Cell], *, lower: np.ndarray,
               upper: np.ndarray, matrix: sp.csc_array, row_lower: np.ndarray,
               row_upper: np.ndarray) -> dict[int, tuple[float, float]]:
        """Bound each small count of one connected group of counts: two LPs each."""
        sub = sp.csc_array(matrix[:, members])
        used = np.flatnonzero(np.diff(sp.csr_array(sub).indptr) > 0)
        sub = sp.csc_array(sub[used, :])
        sub.sort_indices()
        solver = _solver()
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = len(members), len(used)
        lp.col_cost_ = np.zeros(len(members))
        lp.col_lower_, lp.col_upper_ = lower[members], upper[members]
        lp.row_lower_, lp.row_upper_ = row_lower[used], row_upper[used]
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_, lp.a_matrix_.index_ = sub.indptr, sub.indices
        lp.a_matrix_.value_ = sub.data
        solver.passModel(lp)
        # Every solution is a point a reader cannot rule out: each count's values over the
        # solutions (and the truth) are within its interval. A count already seen to take
        # values wide enough apart is safe without its own two programmes.
        seen_low = np.array([cells[i].true for i in members], dtype=float)
        seen_high = seen_low.copy()
        # Two programmes push every small count up at once, then down: most reach both ends
        # of their mark there, which proves them safe without programmes of their own.
        small = np.array([str(cells[i].mark).startswith("<") for i in members])
        for sense in (-1.0, 1.0):
            solver.changeColsCost(int(small.sum()), np.flatnonzero(small).astype(np.int32),
                                  np.full(int(small.sum()), sense))
            solver.run()
            if solver.getModelStatus() == highspy.HighsModelStatus.kOptimal:
                point = np.asarray(solver.getSolution().col_value, dtype=float)
                seen_low, seen_high = np.minimum(seen_low, point), np.maximum(seen_high, point)
        solver.changeColsCost(len(members), np.arange(len(members), dtype=np.int32),
                              np.zeros(len(members)))
        # Within its mark, a count seen at both a and b keeps b − a + 1 values at least.
        wide = least_values(self.threshold) - 1 - 1e-6
        top = self.threshold - 1.0
        found = {}
        for j, i in enumerate(members):
            cell = cells[i]
            if not str(cell.mark).startswith("<"):
                continue
            if min(seen_high[j], top) - max(seen_low[j], 1.0) >= wide:
                found[int(i)] = (float(seen_low[j]), float(seen_high[j]))
                continue
            own = (max(cell.lower, 0.0), cell.upper)
            solver.changeColBounds(j, *own)
            bounds = []
            for sense in (-1.0, 1.0):
                bounds.append(self._optimum(solver, j, sense, own[0 if sense > 0 else 1]))
                point = np.asarray(solver.getSolution().col_value, dtype=float)
                if len(point) == len(members) and np.isfinite(point).all():
                    # A point where this count leaves its own mark is no point for the others.
                    keep = np.arange(len(point)) == j
                    if lower[i] - 1e-6 <= point[j] <= upper[i] + 1e-6:
                        keep[:] = True
                    seen_low = np.where(keep, np.minimum(seen_low, point), seen_low)
                    seen_high = np.where(keep, np.maximum(seen_high, point), seen_high)
                if sense < 0 and min(bounds[0], top) - max(seen_low[j], 1.0) >= wide:
                    bounds.append(float(seen_low[j]))
                    break
            solver.changeColBounds(j, lower[i], upper[i])
            found[int(i)] = (bounds[1], bounds[0])
        return found

    def _chain(self) -> None:
        """Those mobilised were spotted first, and those accompanied were mobilised."""
        def bounds(key: Key) -> tuple[float, float]:
            cell = self.cells[key]
            if cell.mark is None:
                shown = cell.true if cell.shown is None else cell.shown
                return shown - cell.tolerance, shown + cell.tolerance
            low, high = self._mark_bounds(cell)
            return max(low, cell.lower), min(high, cell.upper)

        for (space, zone, column) in list(self.cells):
            for top, bottom in (("mobilise", "repere"), ("accompagne", "mobilise")):
                under, over = (space, zone, top), (space, zone, bottom)
                if column != top or over not in self.cells:
                    continue
                self.bound(under, -INF, bounds(over)[1], "étapes du parcours")
                self.bound(over, bounds(under)[0], INF, "étapes du parcours")

    @staticmethod
    def _optimum(solver: highspy.Highs, i: int, sense: float, default: float) -> float:
        solver.changeColCost(i, sense)
        solver.run()
        status = solver.getModelStatus()
        value = float(solver.getInfo().objective_function_value) * sense
        solver.changeColCost(i, 0.0)
        if status == highspy.HighsModelStatus.kOptimal:
            return value
        if status in {highspy.HighsModelStatus.kUnbounded,
                      highspy.HighsModelStatus.kUnboundedOrInfeasible}:
            return -INF * sense
        return default  # an infeasible model says the figures disagree: keep the cell's own

    def _mark_bounds(self, cell: _Cell) -> tuple[float, float]:
        if cell.mark is None:
            return cell.true, cell.true
        if cell.mark.startswith("<"):
            return 1.0, self.threshold - 1.0
        # « s » is 0 or at least t: no linear programme says « or »; the audit takes the side
        # of the truth (a reader may not know as much: it errs towards caution).
        return (float(self.threshold), INF) if cell.true >= self.threshold else (0.0, 0.0)

    def _rows(self, index: Mapping[Key, int]) -> tuple[sp.csc_array, np.ndarray, np.ndarray]:
        data: list[float] = []
        rows: list[int] = []
        cols: list[int] = []
        lowers: list[float] = []
        uppers: list[float] = []
        for relation in self.relations:
            constant, slack, terms = 0.0, 0.0, []
            for key, coefficient in relation.terms:
                cell = self.cells[key]
                if cell.mark is None:
                    constant += coefficient * (cell.shown if cell.shown is not None
                                               else cell.true)
                    slack += abs(coefficient) * cell.tolerance
                else:
                    terms.append((index[key], coefficient))
            if not terms:
                continue
            r = len(lowers)
            for c, coefficient in terms:
                rows.append(r)
                cols.append(c)
                data.append(coefficient)
            lowers.append(relation.lower - constant - slack)
            uppers.append(relation.upper - constant + slack)
        matrix = sp.csc_array((data, (rows, cols)), shape=(len(lowers), len(index)))
        matrix.sum_duplicates()
        matrix.sort_indices()
        return matrix, np.asarray(lowers, dtype=float), np.asarray(uppers, dtype=float)

    # -- cells and derived figures --------------------------------------------------------------
    def _cell(self, key: Key, true: float, mark: str | None, shown: float | None, *,
              tolerance: float, output: str) -> None:
        cell = self.cells.get(key)
        if cell is None:
            cell = self.cells[key] = _Cell(true=float(true))
        cell.outputs.add(output)
        if mark is None and shown is not None:  # printed somewhere: known
            if cell.mark is None and cell.shown is not None:
                cell.tolerance = min(cell.tolerance, tolerance)
            else:
                cell.shown, cell.tolerance = shown, tolerance
            cell.mark = None
        elif cell.shown is None:
            cell.mark = mark if cell.mark is None or mark is None else cell.mark

    def bound(self, key: Key, lower: float, upper: float, why: str) -> None:
        """Narrow what a reader knows of one count, from a figure derived from it."""
        cell = self.cells.get(key)
        if cell is None or cell.mark is None:
            return
        if lower > cell.lower or upper < cell.upper:
            cell.why.append(why)
        cell.lower, cell.upper = max(cell.lower, lower), min(cell.upper, upper)

    def _zones(self, space: str, column: str, zones: Iterable[str] | None) -> list[Key]:
        if zones is None:
            return [k for k in self.cells if k[0] == space and k[2] == column]
        return [(space, str(z), column) for z in zones if (space, str(z), column) in self.cells]

    def _derived(self, public: pd.DataFrame, raw: pd.DataFrame, *, space: str,
                 output: str) -> None:
        """Bound masked counts by the figures derived from them that the table prints."""
        if "reached" not in public or "reached_secret" not in public:
            return
        masked = public["reached_secret"].notna().to_numpy()
        zones = public["zone_id"].astype(str).to_numpy()
        pool = (pd.to_numeric(public["neet_est"], errors="coerce").to_numpy(dtype=float)
                * self.params.invisible_share) if "neet_est" in public else None
        youth = (pd.to_numeric(public["youth"], errors="coerce").to_numpy(dtype=float)
                 if "youth" in public else None)

        def printed(column: str) -> np.ndarray | None:
            if column not in public:
                return None
            return pd.to_numeric(public[column], errors="coerce").to_numpy(dtype=float)

        invisible = printed("invisible_est")
        if invisible is not None and pool is not None:
            for i in np.flatnonzero(masked & ~np.isnan(invisible)):
                if invisible[i] > 0:
                    self.bound((space, zones[i], "reached"), pool[i] - invisible[i] - 0.05,
                               pool[i] - invisible[i] + 0.05, f"{output} : invisibles estimés")
                else:
                    self.bound((space, zones[i], "reached"), pool[i] - 0.05, INF,
                               f"{output} : invisibles estimés")
        per_1000 = printed("contacts_per_1000")
        if per_1000 is not None and youth is not None:
            for i in np.flatnonzero(masked & ~np.isnan(per_1000) & (youth > 0)):
                x = per_1000[i] * youth[i] / 1000
                slack = 0.05 * youth[i] / 1000
                self.bound((space, zones[i], "reached"), x - slack, x + slack,
                           f"{output} : jeunes atteints pour 1 000")
        deficit = printed("reach_deficit")
        if deficit is not None and pool is not None:
            for i in np.flatnonzero(masked & ~np.isnan(deficit) & (pool > 0)):
                self.bound((space, zones[i], "reached"),
                           -pool[i] * np.log(min(deficit[i] + 0.005, 1.0)),
                           -pool[i] * np.log(max(deficit[i] - 0.005, 1e-12)),
                           f"{output} : part jamais rencontrée")
        for column, rate, base in (("mobilise", "mobilise_rate", "repere"),
                                   ("accompagne", "accompagne_rate", "mobilise")):
            self._rate(public, zones, column=column, rate=rate, base=base, space=space,
                       output=output)
        self._score(public, raw, zones, space, output)

    def _rate(self, public: pd.DataFrame, zones: np.ndarray, *, column: str, rate: str,
              base: str, space: str, output: str) -> None:
        if rate not in public or column not in public or base not in public:
            return
        shown = pd.to_numeric(public[rate], errors="coerce").to_numpy(dtype=float)
        for i in np.flatnonzero(~np.isnan(shown)):
            top = (space, zones[i], column)
            bottom = (space, zones[i], base)
            if top in self.cells and bottom in self.cells:
                self.relations.append(Relation(
                    ((top, 1.0), (bottom, -(shown[i] - 0.0005))), 0.0, INF,
                    f"{output} : taux publié"))
                self.relations.append(Relation(
                    ((top, 1.0), (bottom, -(shown[i] + 0.0005))), -INF, 0.0,
                    f"{output} : taux publié"))

    def _score(self, public: pd.DataFrame, raw: pd.DataFrame, zones: np.ndarray, space: str,
               output: str) -> None:
        needed = {"youth", "neet_est", "covered_share", "nearest_min"}
        if not needed <= set(public.columns) or (
                "gap_score" not in public and "gap_rank" not in public):
            return
        reproduced = publishable_score(public, params=self.params)
        bounds = None
        score = (pd.to_numeric(public["gap_score"], errors="coerce")
                 if "gap_score" in public else None)
        if score is not None and not np.allclose(
                score.fillna(-1), reproduced["public_score"].where(score.notna(), -1),
                atol=0.006):
            bounds = score_bounds(public, score, params=self.params)
        if "gap_rank" in public and not (
                pd.to_numeric(public["gap_rank"]).to_numpy()
                == reproduced["public_rank"].to_numpy()).all():
            ranked = rank_attack(public, params=self.params)
            bounds = ranked if bounds is None else pd.DataFrame({
                "lower": np.maximum(bounds["lower"], ranked["lower"]),
                "upper": np.minimum(bounds["upper"], ranked["upper"])}, index=public.index)
        if bounds is None:
            return
        for i, (low, high) in enumerate(zip(bounds["lower"], bounds["upper"], strict=True)):
            self.bound((space, zones[i], "reached"), float(low), float(high),
                       f"{output} : indice ou rang publié")


def audit_public(layers: Mapping[str, pd.DataFrame], *, period: PeriodLike = None,
                 params: Parameters = DEFAULTS) -> pd.DataFrame:
    """Audit every public table of a workspace's period, read together.

    The tables of :func:`~territory.analysis.indicators.public_tables` (communes, EPCI,
    MLs, départements, region), which the director's view, the report and the ``--public``
    files show, with every sum between them.

    Returns
    -------
    audit
        :meth:`Disclosure.audit`'s table: one row per masked small count.
    """
    tables = public_tables(layers, period=period, params=params)
    known = Disclosure(threshold=params.suppression_threshold, params=params)
    raw_communes = pd.DataFrame(indicators(layers, period=period, params=params)
                                .drop(columns="geometry"))
    for level in ("commune", "epci", "catchment", "departement"):
        if level not in tables:
            continue
        raw = raw_communes if level == "commune" else pd.DataFrame(
            indicators(layers, level=level, period=period, params=params)
            .drop(columns="geometry"))
        known.table(tables[level], raw, space=level, output=f"tableau {level}")
    region = tables["region"]
    known.table(region, region.assign(**{c: float(raw_communes[c].sum())
                                          for c in COUNT_COLUMNS if c in raw_communes}),
                space="region", output="région")
    communes = layers["communes"]
    for level, key in (("epci", "epci_code"), ("departement", "dep_code")):
        if level in tables:
            known.sums(level, "commune", pd.DataFrame({"zone": communes[key],
                                                       "part": communes["code_insee"]}))
    members = layers.get("catchment_members")
    if "catchment" in tables and members is not None:
        weight = (members["share"] if "share" in members
                  else pd.Series(1.0, index=members.index))
        known.sums("catchment", "commune", pd.DataFrame({
            "zone": members["ml_code"], "part": members["code_insee"],
            "weight": weight.fillna(1.0)}))
    known.sums("region", "commune", pd.DataFrame({"zone": "", "part": communes["code_insee"]}))
    return known.audit()


def _rounding(true: float, decimals: int) -> float:
    """How far a printed count may be from the truth: 0 for a whole count (by nature)."""
    if np.isnan(true) or float(true).is_integer():
        return 0.0
    return 0.5 * 10.0 ** -decimals


def _values(low: float, high: float, floor: float, ceiling: float) -> int:
    """Whole counts left between ``low`` and ``high`` within the mark's own range."""
    top, bottom = min(high, ceiling), max(low, floor)
    return max(0, int(np.floor(top + 1e-6) - np.ceil(bottom - 1e-6)) + 1)


def _solver() -> highspy.Highs:
    with _quiet():
        solver = highspy.Highs()
    solver.setOptionValue("output_flag", False)
    # One model, solved twice per count with another objective: the dual simplex restarts
    # from the last basis, which presolve would throw away.
    solver.setOptionValue("presolve", "off")
    solver.setOptionValue("solver", "simplex")
    return solver


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """HiGHS prints a banner on stdout when its first instance is made."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


# -- the score's attack: a reader inverting the published score and rank -----------------------
def _unmet_range(public: pd.DataFrame, params: Parameters) -> tuple[np.ndarray, ...]:
    """Per zone, the score as a function of the share never met ``u`` (analysis.score).

    ``score = a · min(1, ln(1 + pool · u) / ln(1 + largest pool)) + b · u + c``, with ``c``
    the access part: returns ``pool``, ``a``, the log of the largest pool, ``b`` and ``c``.
    """
    pool = public["neet_est"].astype(float).to_numpy() * params.invisible_share
    largest = np.log1p(float(np.nanmax(pool)) if len(pool) else 0.0) or np.log(2.0)
    w_need, w_access, w_reach = params.weights
    total = sum(params.weights)
    access = gap_score(public.assign(reached=0.0, invisible_est=0.0),
                       params=params)["access_deficit"].to_numpy(dtype=float)
    a = np.full(len(pool), 100 * w_need / total)
    b = np.full(len(pool), 100 * w_reach / total)
    return pool, a, np.full(len(pool), largest), b, 100 * w_access / total * access


def _score_of(u: np.ndarray, shape: tuple[np.ndarray, ...]) -> np.ndarray:
    pool, a, largest, b, c = shape
    need = np.clip(np.log1p(np.where(pool > 0, pool, 0.0) * u) / largest, 0.0, 1.0)
    return np.where(pool > 0, a * need + b * u, 0.0) + c


def _reached_of(scores: np.ndarray, shape: tuple[np.ndarray, ...]) -> np.ndarray:
    """Invert the score (decreasing in the count reached) zone by zone, by bisection.

    Returns the count whose score is ``scores`` (NaN for a zone without young people).
    """
    low, high = np.zeros_like(scores), np.ones_like(scores)
    for _ in range(60):
        mid = (low + high) / 2
        above = _score_of(mid, shape) > scores
        high = np.where(above, mid, high)
        low = np.where(above, low, mid)
    u = (low + high) / 2
    pool = shape[0]
    with np.errstate(divide="ignore"):
        return np.where(pool > 0, -pool * np.log(np.clip(u, 1e-300, 1.0)), np.nan)


def score_bounds(public: pd.DataFrame, score: pd.Series, *, params: Parameters = DEFAULTS,
                 decimals: int = 2) -> pd.DataFrame:
    """Return the counts reached consistent with a published score (rounded to ``decimals``).

    Every input of the score but the count reached is published; the score falls as the
    count grows, so a printed score pins the count down to its rounding.
    """
    shape = _unmet_range(public, params)
    half = 0.5 * 10.0 ** -decimals
    value = score.astype(float).to_numpy()
    lower = _reached_of(value + half, shape)
    upper = _reached_of(value - half, shape)
    return pd.DataFrame({"lower": np.nan_to_num(lower, nan=0.0),
                         "upper": np.nan_to_num(upper, nan=INF)}, index=public.index)


def rank_attack(public: pd.DataFrame, *, params: Parameters = DEFAULTS,
                threshold: int | None = None) -> pd.DataFrame:
    """Return the counts reached that a table's published ranks allow, zone by zone.

    The attack of a reader who knows the score's formula: a zone whose count is printed has
    a known score; a masked one a score between those of its mark's bounds (« < 11 »: 1 to
    10 young people reached). Walking down the published ``gap_rank``, a zone scores at most
    as much as every zone above it and at least as much as every zone below it; the score
    interval so found gives the count back by inverting the formula.

    Returns
    -------
    bounds
        ``lower`` and ``upper`` count reached per zone, on the table's index (a printed
        count is its own bounds).
    """
    t = params.suppression_threshold if threshold is None else threshold
    shape = _unmet_range(public, params)
    pool = shape[0]
    reached = pd.to_numeric(public["reached"], errors="coerce").to_numpy(dtype=float)
    marks = public.get("reached_secret", pd.Series(pd.NA, index=public.index))
    small = marks.astype("string").str.startswith("<").fillna(False).to_numpy(dtype=bool)
    # « s »: at least the threshold, or 0 when nothing else was left to mask.
    low_count = np.where(np.isnan(reached), np.where(small, 1.0, 0.0), reached)
    high_count = np.where(np.isnan(reached), np.where(small, t - 1.0, INF), reached)

    def score(count: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            u = np.where(pool > 0, np.exp(-count / np.where(pool > 0, pool, 1.0)), 0.0)
        return _score_of(u, shape)

    top, bottom = score(low_count), score(high_count)  # more reached, lower score
    order = np.argsort(pd.to_numeric(public["gap_rank"]).to_numpy(), kind="stable")
    ceiling = np.minimum.accumulate(top[order])           # at most any zone above
    floor = np.maximum.accumulate(bottom[order][::-1])[::-1]  # at least any zone below
    upper_score, lower_score = np.empty(len(order)), np.empty(len(order))
    upper_score[order], lower_score[order] = ceiling, floor
    lower = np.maximum(low_count, np.nan_to_num(_reached_of(upper_score + 1e-9, shape),
                                                 nan=0.0))
    upper = np.minimum(high_count, np.nan_to_num(_reached_of(lower_score - 1e-9, shape),
                                                 nan=INF))
    return pd.DataFrame({"lower": lower, "upper": upper}, index=public.index)
