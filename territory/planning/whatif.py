"""What-if: open, move or close one site and get the new figures at once.

A :class:`Plan` keeps, for each demand point, how many open sites reach it, and the covered
figures of the region and of each zone. Opening or closing a site touches only the demand
points within its reach (a few dozen communes in the region): the update takes microseconds,
and reading the figures builds a few small tables. :meth:`Plan.gains` gives every candidate's
marginal gain at once (one sparse product), for a map of where the next site helps most;
:meth:`Plan.added` what each site the plan opened brings, in the order they were opened — the
gains a solver gives its plan (:class:`~territory.planning.Solution`'s ``gain_<figure>``),
so a proposal's gains are the plan's once it is kept. Coverage only: capacities and travel
times are left to the solvers.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from territory._errors import InputError
from territory.planning._state import CoverageState, segments
from territory.planning.figures import (
    Figures,
    positions_of,
    site_counts,
    site_zones,
    table,
    zone_matrix,
)
from territory.planning.model import CANDIDATE, COMPETITOR, REQUIRED, CoverageModel

__all__ = ["Plan"]

IntArray = NDArray[np.intp]
FloatArray = NDArray[np.float64]


class Plan:
    """A plan being edited: open sites, covered figures and candidates' gains, kept live.

    Parameters
    ----------
    model
        The coverage model; its required and competitor sites start open.
    chosen
        Site labels to open at the start (e.g. a solver's plan).
    weight
        Demand figure of :meth:`gains` (default ``invisible_est``, else the first figure).

    Examples
    --------
    >>> model = CoverageModel.from_cost_matrix([[10, 40], [35, 5]], [100, 50])
    >>> plan = Plan(model)
    >>> plan.add(1)
    >>> plan.region()["weight_covered"]
    np.float64(50.0)
    >>> plan.gains().tolist()
    [100.0, 0.0]
    """

    def __init__(self, model: CoverageModel, *, chosen: Iterable[Hashable] = (),
                 weight: str | None = None):
        self.model = model
        self._columns = [str(c) for c in model.demand.columns]
        self._values = model.demand.to_numpy(dtype=np.float64)
        name = weight if weight in self._columns else (
            "invisible_est" if "invisible_est" in self._columns else self._columns[0])
        self.weight = str(name)
        self._state = CoverageState(model.reach, model.reach_t,
                                    self._values[:, self._columns.index(self.weight)].copy())
        self._covered = np.zeros(len(self._columns))
        self._links = {z: zone_matrix(model, z) for z in model.zones}
        self._zone_totals = {z: links.T @ self._values for z, links in self._links.items()}
        self._zone_covered = {z: np.zeros_like(t) for z, t in self._zone_totals.items()}
        self._site_zones = {z: site_zones(model, z) for z in model.zones}
        self._new: list[int] = []
        self._closed: list[int] = []
        self._open_always()
        labels = list(chosen)
        for label, j in zip(labels, positions_of(model, labels), strict=True):
            self._add_at(int(j), label)  # the labels looked up at once

    # -- editing ---------------------------------------------------------------------------
    def add(self, site: Hashable) -> None:
        """Open a candidate site (label of the model's facilities), or reopen a closed one."""
        self._add_at(self._position(site), site)

    def _add_at(self, j: int, site: Hashable) -> None:
        if self._state.open[j]:
            raise InputError(f"site {site!r} is already open; expected a closed candidate")
        if self.model.role[j] != CANDIDATE and j not in self._closed:
            raise InputError(f"site {site!r} is a {self.model.role[j]} site, not a "
                             "candidate; only candidates can be added")
        self._open(j)

    def remove(self, site: Hashable) -> None:
        """Close an open site: a chosen one, or a required one (what if it closed?)."""
        j = self._position(site)
        if not self._state.open[j] or self.model.role[j] == COMPETITOR:
            raise InputError(f"site {site!r} is not an open ML site; expected one of the "
                             "chosen or required sites")
        self._apply(self._state.remove(j), -1.0)
        if j in self._new:
            self._new.remove(j)
        else:
            self._closed.append(j)

    def move(self, site: Hashable, to: Hashable) -> None:
        """Close ``site`` and open candidate ``to`` instead."""
        target = self._position(to)
        if self._state.open[target] or self.model.role[target] != CANDIDATE:
            raise InputError(f"cannot move to {to!r}: expected a closed candidate site")
        self.remove(site)
        self._open(target)

    def _open(self, j: int) -> None:
        self._apply(self._state.add(j), 1.0)
        if j in self._closed:
            self._closed.remove(j)
        else:
            self._new.append(j)

    def _open_always(self) -> None:
        # The always-open sites in one sparse product (a region has thousands of them).
        state, always = self._state, self.model.always_open
        state.count += np.asarray(self.model.reach @ always.astype(np.float64)).astype(np.int32)
        state.open |= always
        rows = np.flatnonzero(state.count > 0)
        state.value = float(state.weight[rows].sum())
        self._apply(rows, 1.0)

    def _position(self, site: Hashable) -> int:
        return int(positions_of(self.model, [site])[0])

    def _apply(self, rows: IntArray, sign: float) -> None:
        if not len(rows):
            return
        values = self._values[rows]
        self._covered += sign * values.sum(axis=0)
        for name, links in self._links.items():
            at = segments(links.indptr, rows)
            owner = np.repeat(np.arange(len(rows)), np.diff(links.indptr)[rows])
            np.add.at(self._zone_covered[name], links.indices[at],
                      sign * links.data[at][:, None] * values[owner])

    # -- reading ---------------------------------------------------------------------------
    @property
    def chosen(self) -> pd.Index:
        """Labels of the sites opened on top of the always-open ones, in the order added."""
        return self.model.facilities.index[self._new]

    @property
    def closed(self) -> pd.Index:
        """Labels of the required sites the plan closes."""
        return self.model.facilities.index[self._closed]

    @property
    def is_open(self) -> pd.Series:
        """Whether each site is open, on the facilities' index."""
        return pd.Series(self._state.open.copy(), index=self.model.facilities.index)

    def _ml_open(self) -> NDArray[np.bool_]:
        return self._state.open & (self.model.role != COMPETITOR)

    def region(self) -> pd.Series:
        """Region figures: sites, new sites, and per figure total, covered and share."""
        totals = self._values.sum(axis=0)
        figures = table(totals, self._covered.copy(), self._columns).iloc[0]
        counts = pd.Series({"sites": float(self._ml_open().sum()),
                            "new_sites": float(len(self._new))})
        return pd.concat([counts, figures])

    def figures(self) -> Figures:
        """Region and zone figures of the plan as it stands."""
        new = np.zeros(self.model.n_facilities, dtype=bool)
        new[self._new] = True
        zones = {}
        ml_open = self._ml_open()
        for name, walk in self.model.zones.items():
            counts = site_counts(self._site_zones[name], len(walk.zones), ml_open, new)
            zones[name] = table(self._zone_totals[name], self._zone_covered[name].copy(),
                                self._columns, walk.zones, first=counts)
        return Figures(self.region(), zones)

    def _base_count(self) -> NDArray[np.int32]:
        """Open sites reaching each demand point without the sites the plan added."""
        new = np.zeros(self.model.n_facilities)
        new[self._new] = 1.0
        return self._state.count - np.asarray(self.model.reach @ new).astype(np.int32)

    def added(self) -> pd.DataFrame:
        """Return what each added site brings, in the order the sites were added.

        For each figure ``f``, ``gain_f`` is the demand newly within the threshold thanks to
        the site: not reached by the sites open before the plan's additions (less those it
        closed), nor by the sites added before it. The gains sum to the plan's gain, and are
        those of a solver's plan (:func:`~territory.planning.solve`) when its sites are added
        in its order. ``demand_points`` counts the demand points newly reached.

        Examples
        --------
        >>> model = CoverageModel.from_cost_matrix([[10, 40], [35, 5], [20, 25]],
        ...                                        [100, 50, 30])
        >>> plan = Plan(model, chosen=[0, 1])
        >>> plan.added()["gain_weight"].tolist()
        [130.0, 50.0]
        """
        count = self._base_count()
        rows_of = self._state.rows
        found: list[FloatArray] = []
        points: list[int] = []
        for j in self._new:
            rows = rows_of(j)
            new = rows[count[rows] == 0]
            count[rows] += 1
            found.append(self._values[new].sum(axis=0))
            points.append(len(new))
        values = np.asarray(found, dtype=np.float64).reshape(len(self._new), len(self._columns))
        frame = pd.DataFrame(values, columns=[f"gain_{c}" for c in self._columns],
                             index=self.chosen)
        frame["demand_points"] = points
        return frame

    def newly_covered(self) -> NDArray[np.intp]:
        """Positions of the demand points reached only thanks to the sites added."""
        return np.flatnonzero((self._base_count() == 0) & (self._state.count > 0))

    def gains(self, *, figure: str | None = None) -> pd.Series:
        """Marginal gain of every candidate (0 when open), on the candidates' labels.

        ``figure`` chooses the demand figure (default: the plan's ``weight``).
        """
        if figure is None or figure == self.weight:
            gains = self._state.gains()
        else:
            uncovered = self._state.count == 0
            values = self._values[:, self._columns.index(figure)] * uncovered
            gains = np.asarray(self.model.reach_t @ values) * ~self._state.open
        candidates = self.model.role == CANDIDATE
        return pd.Series(gains[candidates], index=self.model.facilities.index[candidates],
                         name=f"gain_{figure or self.weight}")

    def __repr__(self) -> str:
        required = int((self._state.open & (self.model.role == REQUIRED)).sum())
        return (f"Plan({required} required + {len(self._new)} new sites open, "
                f"{self.weight} covered {self._covered[self._columns.index(self.weight)]:.1f})")
