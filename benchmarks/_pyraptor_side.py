"""Earliest arrivals by pyraptor, run in its own environment (pyraptor needs pandas < 2).

``python _pyraptor_side.py IN.npz OUT.npz`` reads one service day's stop events (``trip``
codes, ``stop``, ``arr``, ``dep``, the rows of each trip together and in order), the
queries (``origin`` stop, ``start`` second) and ``rounds``; builds pyraptor's timetable with
pyraptor's own classes (one station per stop, so no transfers: pyraptor walks only between
the platforms of a station), runs ``RaptorAlgorithm.run`` for each query and writes the
queries × stops arrivals within ``rounds`` rounds (-1: not reached) and the seconds spent on
building and on the queries. Called by ``bench_transit.py``.
"""

from __future__ import annotations

import sys
import time

import numpy as np
from loguru import logger
from pyraptor.model.raptor import RaptorAlgorithm
from pyraptor.model.structures import (
    Routes,
    Station,
    Stations,
    Stop,
    Stops,
    Timetable,
    Transfers,
    Trip,
    Trips,
    TripStopTime,
    TripStopTimes,
)
from pyraptor.util import LARGE_NUMBER


def timetable(trip: np.ndarray, stop: np.ndarray, arr: np.ndarray, dep: np.ndarray,
              n_stops: int) -> tuple[Timetable, Stops]:
    stations, stops = Stations(), Stops()
    for number in range(n_stops):
        station = stations.add(Station(number, str(number)))
        made = Stop(number, str(number), station, "?")
        station.add_stop(made)
        stops.add(made)
    trips, events = Trips(), TripStopTimes()
    starts = np.flatnonzero(np.r_[True, trip[1:] != trip[:-1]])
    for first, end in zip(starts, np.r_[starts[1:], len(trip)], strict=True):
        made = Trip()
        for index, row in enumerate(range(first, end)):
            event = TripStopTime(made, index, stops.get(int(stop[row])), int(arr[row]),
                                 int(dep[row]), 0)
            events.add(event)
            made.add_stop_time(event)
        trips.add(made)
    routes = Routes()
    for made in trips:
        routes.add(made)
    return Timetable(stations=stations, stops=stops, trips=trips, trip_stop_times=events,
                     routes=routes, transfers=Transfers()), stops


def main() -> None:
    logger.remove()
    data = np.load(sys.argv[1])
    began = time.perf_counter()
    table, stops = timetable(data["trip"], data["stop"], data["arr"], data["dep"],
                             int(data["n_stops"]))
    built = time.perf_counter() - began
    rounds = int(data["rounds"])
    arrivals = np.full((len(data["origin"]), int(data["n_stops"])), -1, dtype=np.int64)
    began = time.perf_counter()
    for row, (origin, start) in enumerate(zip(data["origin"], data["start"], strict=True)):
        bags = RaptorAlgorithm(table).run([stops.get(int(origin))], int(start), rounds)
        # The rounds after the last that improved anything are left empty: the best label of
        # every round is the arrival with at most ``rounds`` rides.
        for bag in bags.values():
            for stop, label in bag.items():
                time_ = label.earliest_arrival_time
                if time_ < LARGE_NUMBER and (arrivals[row, stop.id] < 0
                                             or time_ < arrivals[row, stop.id]):
                    arrivals[row, stop.id] = time_
    queried = time.perf_counter() - began
    np.savez(sys.argv[2], arrivals=arrivals, build_s=built, query_s=queried)


if __name__ == "__main__":
    main()
