"""Earliest arrivals by public transport: RAPTOR rounds run with numpy on many queries at once.

RAPTOR (Delling, Pajor & Werneck, "Round-Based Public Transit Routing", ALENEX 2012;
Transportation Science 49(3):591–604, 2015) works round by round: round *k* gives the earliest
arrival at every stop with at most *k* rides. Each round scans the routes serving a stop
improved in the previous round (take the earliest trip one can board, ride it to every later
stop), then walks the footpaths from the stops it improved. Trips are grouped into *patterns*
(trips visiting the same stops in the same order) that no trip overtakes, so that the earliest
trip boardable at a stop is the earliest at every later stop.

Here the rounds run on a batch of queries at once (one origin and departure time per row of a
labels matrix): boarding is a ``searchsorted`` of the labels in the pattern's departures, the
trip kept along the pattern a running minimum, the arrivals a gather; only the queries that
improved a stop of the pattern are scanned. A footpath follows a ride, or the walk from the
origin, never another footpath: the arrivals by a ride are kept apart from the arrivals by any
means, so that a ride reaching a stop later than a walk did still starts footpaths.

The departure window (a "range query", rRAPTOR in the same paper) is answered by
:mod:`territory.network.transit`, which runs one query per departure that matters and takes,
for every minute of the window, the best arrival of the queries leaving at or after it.

No well-kept Python engine does this here: r5py needs Java and a download of R5, and
pyraptor pins pandas < 2. The results are checked against Dijkstra on a time-expanded graph
(scipy.sparse.csgraph) in the tests and in ``benchmarks/bench_transit.py``, which also runs
pyraptor in an environment of its own on the same trips and compares the arrivals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.sparse import csr_array

__all__ = ["INF", "Pattern", "Timetable", "earliest_arrivals"]

#: No arrival (larger than any time of a service day, still safe to add seconds to).
INF = np.int64(2**40)
# Departures of a pattern's stops are searched in one sorted array: stop column i is shifted
# by i × _SHIFT seconds (more than any GTFS time, even of the day before, 48 h + 24 h).
_SHIFT = np.int64(2**21)


@dataclass(frozen=True, eq=False)
class Pattern:
    """Trips visiting the same stops in the same order, none overtaking another.

    ``dep`` and ``arr`` are trips × stops (seconds), trips in departure order; ``board`` and
    ``alight`` say at which stops riders may get on and off (None: everywhere).
    """

    stops: np.ndarray
    dep: np.ndarray
    arr: np.ndarray
    board: np.ndarray | None = None
    alight: np.ndarray | None = None
    unique: bool = field(init=False)
    _flat: np.ndarray = field(init=False, repr=False)
    _shift: np.ndarray = field(init=False, repr=False)
    _base: np.ndarray = field(init=False, repr=False)
    _arr: np.ndarray = field(init=False, repr=False)
    _cols: np.ndarray = field(init=False, repr=False)
    _closed: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        trips, m = self.dep.shape
        shift = np.arange(m - 1, dtype=np.int64) * _SHIFT
        object.__setattr__(self, "_flat", (self.dep[:, :-1] + shift).T.ravel())
        object.__setattr__(self, "_shift", shift)
        object.__setattr__(self, "_base", np.arange(m - 1, dtype=np.int64) * trips)
        arr = self.arr.copy()
        if self.alight is not None:
            arr[:, ~np.asarray(self.alight, dtype=bool)] = INF  # riders stay on board there
        object.__setattr__(self, "_arr", np.vstack([arr, np.full((1, m), INF)]))
        closed = (np.flatnonzero(~np.asarray(self.board, dtype=bool)[:-1])
                  if self.board is not None else np.empty(0, np.int64))
        object.__setattr__(self, "_closed", closed)
        object.__setattr__(self, "_cols", np.arange(1, m))
        object.__setattr__(self, "unique", len(np.unique(self.stops)) == m)

    def ride(self, labels: np.ndarray) -> np.ndarray:
        """Return the arrival at stops 1…m-1 of riders ready at each stop at ``labels``.

        ``labels`` is queries × stops 0…m-2 (the time one can board at each); a rider takes
        the earliest trip departing at or after it, at whichever stop comes first.
        """
        ready = np.minimum(labels, _SHIFT // 2)
        if len(self._closed):
            ready[:, self._closed] = _SHIFT // 2  # no boarding at these stops
        trip = np.searchsorted(self._flat, ready + self._shift) - self._base
        trip = np.minimum.accumulate(trip, axis=1)
        return self._arr[trip, self._cols]


@dataclass(frozen=True, eq=False)
class Timetable:
    """One service day's trips as FIFO patterns, with the footpaths between stops.

    Attributes
    ----------
    n_stops
        Number of stops (positions 0…n-1 in every array).
    patterns
        The patterns.
    foot_from, foot_to, foot_s
        Footpaths (walking transfers) between distinct stops, sorted by ``foot_to``.
    """

    n_stops: int
    patterns: tuple[Pattern, ...]
    foot_from: np.ndarray
    foot_to: np.ndarray
    foot_s: np.ndarray

    def __post_init__(self) -> None:
        rows = np.concatenate([p.stops for p in self.patterns]) if self.patterns else \
            np.empty(0, np.int64)
        cols = np.repeat(np.arange(len(self.patterns)), [len(p.stops) for p in self.patterns])
        incidence = csr_array((np.ones(len(rows), np.float32), (cols, rows)),
                              shape=(len(self.patterns), self.n_stops))
        object.__setattr__(self, "_incidence", incidence)
        starts = np.flatnonzero(np.r_[True, self.foot_to[1:] != self.foot_to[:-1]]) \
            if len(self.foot_to) else np.empty(0, np.int64)
        object.__setattr__(self, "_foot_starts", starts)

    @classmethod
    def build(cls, stop_times: pd.DataFrame, n_stops: int, *,
              footpaths: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> Timetable:
        """Group trips into patterns.

        ``stop_times`` has ``trip``, ``stop`` (0…n_stops-1), ``arr`` and ``dep`` (int
        seconds), the rows of each trip together and in order. ``footpaths`` are (from, to,
        seconds) between distinct stops.

        Examples
        --------
        >>> times = pd.DataFrame({"trip": ["a", "a", "b", "b"], "stop": [0, 1, 0, 1],
        ...                       "arr": [100, 400, 50, 300], "dep": [100, 400, 50, 300]})
        >>> table = Timetable.build(times, 2)
        >>> [p.dep.tolist() for p in table.patterns]
        [[[50, 300], [100, 400]]]
        """
        trip = pd.factorize(stop_times["trip"], sort=False)[0]
        if not _grouped(trip):
            raise ValueError("the rows of each trip must be together")
        stops = stop_times["stop"].to_numpy(np.int64)
        board = (stop_times["board"].to_numpy(bool) if "board" in stop_times
                 else np.ones(len(stops), dtype=bool))
        alight = (stop_times["alight"].to_numpy(bool) if "alight" in stop_times
                  else np.ones(len(stops), dtype=bool))
        arr = stop_times["arr"].to_numpy(np.int64)
        dep = stop_times["dep"].to_numpy(np.int64)
        starts = np.flatnonzero(np.r_[True, trip[1:] != trip[:-1]]) if len(trip) else \
            np.empty(0, np.int64)
        ends = np.r_[starts[1:], len(trip)]
        keep = (ends - starts) >= 2
        starts, ends = starts[keep], ends[keep]
        keys = [stops[a:b].tobytes() + board[a:b].tobytes() + alight[a:b].tobytes()
                for a, b in zip(starts, ends, strict=True)]
        pattern_of = pd.factorize(pd.Series(keys, dtype=object), sort=False)[0] if keys else \
            np.empty(0, np.int64)
        patterns: list[Pattern] = []
        for number in range(int(pattern_of.max()) + 1 if len(pattern_of) else 0):
            members = np.flatnonzero(pattern_of == number)
            m = int(ends[members[0]] - starts[members[0]])
            index = starts[members][:, None] + np.arange(m)
            patterns += _fifo(stops[index[0]], dep[index], arr[index],
                              board=board[index[0]], alight=alight[index[0]])
        found = footpaths or (np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0))
        order = np.argsort(found[1], kind="stable")
        return cls(int(n_stops), tuple(patterns), np.asarray(found[0], np.int64)[order],
                   np.asarray(found[1], np.int64)[order],
                   np.rint(np.asarray(found[2], float)[order]).astype(np.int64))

    def departures(self) -> tuple[np.ndarray, np.ndarray]:
        """Return every boarding event: stop and departure second, sorted by stop then time.

        Stops where a trip lets no one on are left out.
        """
        stop = np.concatenate([np.broadcast_to(p.stops[:-1], p.dep[:, :-1].shape).ravel()
                               for p in self.patterns]) if self.patterns else np.empty(0)
        time = np.concatenate([p.dep[:, :-1].ravel() for p in self.patterns]) \
            if self.patterns else np.empty(0)
        open_ = np.concatenate([np.broadcast_to(
            np.ones(len(p.stops) - 1, bool) if p.board is None else p.board[:-1],
            p.dep[:, :-1].shape).ravel() for p in self.patterns]) if self.patterns else \
            np.empty(0, bool)
        stop, time = stop[open_], time[open_]
        order = np.lexsort((time, stop))
        return stop[order].astype(np.int64), time[order].astype(np.int64)

    @property
    def n_trips(self) -> int:
        """Number of trips."""
        return sum(len(p.dep) for p in self.patterns)


def earliest_arrivals(table: Timetable, start_s: np.ndarray, access: tuple[
        np.ndarray, np.ndarray, np.ndarray], *, max_rides: int,
        limit_s: np.ndarray) -> np.ndarray:
    """Return queries × stops earliest arrivals (seconds; :data:`INF` when not reached).

    Parameters
    ----------
    table
        The timetable.
    start_s
        Each query's departure from its origin.
    access
        (query, stop, seconds): the walks from each query's origin to stops.
    max_rides
        Most vehicles boarded (RAPTOR's rounds).
    limit_s
        Each query's latest useful arrival: later labels are dropped (pruning).

    Examples
    --------
    >>> times = pd.DataFrame({"trip": ["a", "a"], "stop": [0, 1], "arr": [100, 400],
    ...                       "dep": [100, 400]})
    >>> table = Timetable.build(times, 2)
    >>> earliest_arrivals(table, np.array([0, 200]), (np.array([0, 1]), np.array([0, 0]),
    ...                   np.array([60, 60])), max_rides=1,
    ...                   limit_s=np.array([10_000, 10_000]))[:, 1].tolist()
    [400, 1099511627776]
    """
    start = np.asarray(start_s, dtype=np.int64)
    limit = np.asarray(limit_s, dtype=np.int64)
    best = np.full((len(start), table.n_stops), INF, dtype=np.int64)
    query, stop, seconds = (np.asarray(a) for a in access)
    np.minimum.at(best, (query.astype(np.intp), stop.astype(np.intp)),
                  start[query.astype(np.intp)] + np.rint(seconds).astype(np.int64))
    # ``rode``: arrivals by a ride (or on foot from the origin), where footpaths start;
    # ``best``: arrivals by any means, where one boards.
    rode = best.copy()
    marked = best < INF
    _walk_on(table, rode, marked.copy(), best=best, improved=marked, limit=limit)
    incidence: csr_array = table._incidence  # type: ignore[attr-defined]
    for _ in range(max_rides):
        board = best.copy()
        touched = np.asarray(incidence @ marked.T.astype(np.float32)) > 0
        improved = np.zeros_like(marked)
        rode_better = np.zeros_like(marked)
        for number in np.flatnonzero(touched.any(axis=1)):
            pattern = table.patterns[number]
            rows = np.flatnonzero(touched[number])
            arrive = pattern.ride(board[np.ix_(rows, pattern.stops[:-1])])
            arrive = np.where(arrive <= limit[rows, None], arrive, INF)
            _lower(rode, rode_better, rows, stops=pattern.stops[1:], values=arrive,
                   unique=pattern.unique)
            _lower(best, improved, rows, stops=pattern.stops[1:], values=arrive,
                   unique=pattern.unique)
        _walk_on(table, rode, rode_better, best=best, improved=improved, limit=limit)
        marked = improved
        if not marked.any():
            break
    return best


def _walk_on(table: Timetable, rode: np.ndarray, rode_better: np.ndarray, *,
             best: np.ndarray, improved: np.ndarray, limit: np.ndarray) -> None:
    """Walk the footpaths from the stops a ride (or the origin's walk) just reached earlier.

    At most one footpath follows a ride: a footpath's end is not the start of another.
    """
    if not len(table.foot_to) or not rode_better.any():
        return
    rows = np.flatnonzero(rode_better.any(axis=1))
    reached = np.where(rode_better[np.ix_(rows, table.foot_from)],
                       rode[np.ix_(rows, table.foot_from)] + table.foot_s, INF)
    starts = table._foot_starts  # type: ignore[attr-defined]
    walked = np.minimum.reduceat(reached, starts, axis=1)
    walked = np.where(walked <= limit[rows, None], walked, INF)
    _lower(best, improved, rows, stops=table.foot_to[starts], values=walked, unique=True)


def _lower(best: np.ndarray, improved: np.ndarray, rows: np.ndarray, *, stops: np.ndarray,
           values: np.ndarray, unique: bool) -> None:
    """Lower ``best[rows, stops]`` to ``values`` where smaller, marking what improved."""
    if unique:
        block = np.ix_(rows, stops)
        old = best[block]
        better = values < old
        if better.any():
            best[block] = np.where(better, values, old)
            improved[block] |= better
        return
    for column, stop in enumerate(stops):
        old = best[rows, stop]
        better = values[:, column] < old
        if better.any():
            best[rows[better], stop] = values[better, column]
            improved[rows[better], stop] = True


def _fifo(stops: np.ndarray, dep: np.ndarray, arr: np.ndarray, *, board: np.ndarray,
          alight: np.ndarray) -> list[Pattern]:
    """Split one stop sequence's trips into patterns where no trip overtakes another."""
    flags = {"board": None if board.all() else board, "alight": None if alight.all() else alight}
    order = np.lexsort((arr[:, -1], dep[:, 0]))
    dep, arr = dep[order], arr[order]
    if (np.diff(dep, axis=0) >= 0).all() and (np.diff(arr, axis=0) >= 0).all():
        return [Pattern(stops, dep, arr, **flags)]
    groups: list[list[int]] = []
    for trip in range(len(dep)):
        for group in groups:
            last = group[-1]
            if (dep[trip] >= dep[last]).all() and (arr[trip] >= arr[last]).all():
                group.append(trip)
                break
        else:
            groups.append([trip])
    return [Pattern(stops, dep[g], arr[g], **flags) for g in groups]


def _grouped(codes: Sequence[int] | np.ndarray) -> bool:
    codes = np.asarray(codes)
    starts = np.r_[True, codes[1:] != codes[:-1]]
    return len(np.unique(codes)) == int(starts.sum())
