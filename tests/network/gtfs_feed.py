"""GTFS feeds written by the tests, and an independent reference: Dijkstra on a time-expanded
graph (scipy.sparse.csgraph).

The test feed runs around Guéret (Creuse) between real town halls: a weekday service with a
public holiday removed (11 November 2026) and a holiday service added that day, a Saturday
service, and a night trip of the previous service day that runs past midnight (times after
24:00:00) into the morning window.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.sparse import csr_array
from scipy.sparse.csgraph import dijkstra

Row = Mapping[str, object]


def write_feed(path: Path, tables: Mapping[str, Sequence[Row]]) -> Path:
    """Write a zip of GTFS tables (one CSV per name, the rows' keys as columns)."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, rows in tables.items():
            text = io.StringIO()
            columns = list(dict.fromkeys(key for row in rows for key in row))
            writer = csv.DictWriter(text, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
            archive.writestr(name, text.getvalue())
    return path


def hms(seconds: int) -> str:
    """Seconds after midnight as a GTFS time (hours may pass 24)."""
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def trip_rows(trip: str, stops: Sequence[str], start_s: int,
              legs_s: Sequence[int], dwell_s: int = 0) -> list[Row]:
    """The stop times of one trip leaving ``stops[0]`` at ``start_s``."""
    rows, t = [], start_s
    for number, stop in enumerate(stops):
        arrive = t
        depart = t + (dwell_s if 0 < number < len(stops) - 1 else 0)
        rows.append({"trip_id": trip, "arrival_time": hms(arrive),
                     "departure_time": hms(depart), "stop_id": stop,
                     "stop_sequence": number + 1})
        if number < len(legs_s):
            t = depart + legs_s[number]
    return rows


def gueret_tables(points: Mapping[str, tuple[float, float]]) -> dict[str, list[Row]]:
    """The test feed's tables; ``points`` gives each stop's (lon, lat), stop ids as keys.

    Stops: ``G`` (Guéret), ``A``, ``B``, ``C``. Line 1 ``G ↔ A ↔ B`` every 30 min each way
    on weekdays 6:00–20:00, hourly on Saturdays; line 2 ``B ↔ C`` hourly on weekdays only;
    the holiday service (11 November 2026) runs line 1 every 2 hours; the night trip ``N``
    of the weekday service leaves ``G`` at 30:40:00 (6:40 the next morning) for ``C``.
    """
    stops = [{"stop_id": k, "stop_name": k, "stop_lat": f"{lat:.6f}", "stop_lon": f"{lon:.6f}",
              "location_type": ""} for k, (lon, lat) in points.items()]
    routes = [{"route_id": r, "agency_id": "CR", "route_short_name": r, "route_type": 3}
              for r in ("L1", "L2", "N")]
    trips: list[Row] = []
    times: list[Row] = []

    def add(route: str, service: str, trip: str, rows: list[Row]) -> None:
        trips.append({"route_id": route, "service_id": service, "trip_id": trip})
        times.extend(rows)

    for k, start in enumerate(range(6 * 3600, 20 * 3600 + 1, 1800)):
        add("L1", "SEM", f"L1-{k}", trip_rows(f"L1-{k}", "GAB", start, (600, 720), 60))
        add("L1", "SEM", f"L1r-{k}", trip_rows(f"L1r-{k}", "BAG", start + 900, (720, 600), 60))
    for k, start in enumerate(range(6 * 3600 + 600, 20 * 3600, 3600)):
        add("L1", "SAM", f"L1s-{k}", trip_rows(f"L1s-{k}", "GAB", start, (600, 720), 60))
        add("L1", "SAM", f"L1sr-{k}", trip_rows(f"L1sr-{k}", "BAG", start + 1800, (720, 600)))
    for k, start in enumerate(range(7 * 3600, 19 * 3600, 7200)):
        add("L1", "FER", f"L1f-{k}", trip_rows(f"L1f-{k}", "GAB", start, (600, 720)))
        add("L1", "FER", f"L1fr-{k}", trip_rows(f"L1fr-{k}", "BAG", start + 3600, (720, 600)))
    for k, start in enumerate(range(6 * 3600 + 600, 21 * 3600, 3600)):
        add("L2", "SEM", f"L2-{k}", trip_rows(f"L2-{k}", "BC", start, (900,)))
        add("L2", "SEM", f"L2r-{k}", trip_rows(f"L2r-{k}", "CB", start + 2100, (900,)))
    add("N", "SEM", "N-1", trip_rows("N-1", "GC", 30 * 3600 + 2400, (1500,)))
    calendar = [{"service_id": "SEM", "monday": 1, "tuesday": 1, "wednesday": 1,
                 "thursday": 1, "friday": 1, "saturday": 0, "sunday": 0,
                 "start_date": "20260901", "end_date": "20261231"},
                {"service_id": "SAM", "monday": 0, "tuesday": 0, "wednesday": 0,
                 "thursday": 0, "friday": 0, "saturday": 1, "sunday": 0,
                 "start_date": "20260901", "end_date": "20261231"}]
    exceptions = [{"service_id": "SEM", "date": "20261111", "exception_type": 2},
                  {"service_id": "FER", "date": "20261111", "exception_type": 1}]
    return {"agency.txt": [{"agency_id": "CR", "agency_name": "Car régional (test)",
                            "agency_url": "https://example.org", "agency_timezone":
                            "Europe/Paris"}],
            "stops.txt": stops, "routes.txt": routes, "trips.txt": trips,
            "stop_times.txt": times, "calendar.txt": calendar,
            "calendar_dates.txt": exceptions}


# -- the reference ------------------------------------------------------------------------
def time_expanded_arrivals(  # noqa: PLR0915
        stop_times: pd.DataFrame, n_stops: int,
                           footpaths: tuple[np.ndarray, np.ndarray, np.ndarray],
                           queries: Iterable[tuple[int, Sequence[tuple[int, float]]]]
                           ) -> np.ndarray:
    """Earliest arrival at every stop, by Dijkstra on a time-expanded graph, no ride limit.

    ``stop_times`` as :meth:`territory.network.raptor.Timetable.build` takes it;
    ``queries`` are (departure second, [(stop, walk seconds), …]). Nodes are every trip's
    arrival event, its departure event on board, its departure event waited for at the stop,
    and one source per query; edges ride a trip, dwell on board, wait at a stop for its next
    departure, board it, alight (to the next departure at or after the arrival),
    walk a footpath to the next departure at the other stop, and walk from the source to the
    first departure at or after the walk. A stop's arrival is its earliest arrival event, a
    footpath's end, or the walk from the origin.
    """
    times = stop_times.reset_index(drop=True)
    n = len(times)
    arr, dep = times["arr"].to_numpy(np.int64), times["dep"].to_numpy(np.int64)
    stop = times["stop"].to_numpy(np.int64)
    board = (times["board"].to_numpy(bool) if "board" in times else np.ones(n, bool))
    alight = (times["alight"].to_numpy(bool) if "alight" in times else np.ones(n, bool))
    same_trip = (times["trip"].to_numpy()[1:] == times["trip"].to_numpy()[:-1])
    # Node i: arrival event of row i; n + i: on board at its departure; 2n + i: waiting at
    # the stop for that departure (boarding it, or waiting on for the next one).
    tails, heads, weights = [], [], []

    def edge(a: np.ndarray, b: np.ndarray, w: np.ndarray) -> None:
        tails.append(np.asarray(a, np.int64))
        heads.append(np.asarray(b, np.int64))
        weights.append(np.asarray(w, float))

    rows = np.arange(n)
    edge(rows, n + rows, dep - arr)
    ride = np.flatnonzero(same_trip)
    edge(n + ride, ride + 1, arr[ride + 1] - dep[ride])
    # Waiting at a stop chains its departures where one may board; riders stay on board
    # through the others (the ride and dwell edges).
    order = np.lexsort((dep, stop))
    order = order[board[order]]
    chain = np.flatnonzero(stop[order][1:] == stop[order][:-1])
    edge(2 * n + order[chain], 2 * n + order[chain + 1],
         dep[order[chain + 1]] - dep[order[chain]])
    edge(2 * n + order, n + order, np.zeros(len(order)))

    def next_departure(at_stop: np.ndarray, when: np.ndarray) -> np.ndarray:
        key = stop[order] * 10**7 + dep[order]
        pos = np.searchsorted(key, at_stop * 10**7 + when)
        ok = (pos < len(order))
        found = np.full(len(at_stop), -1)
        found[ok] = np.where(stop[order][pos[ok]] == at_stop[ok], order[pos[ok]], -1)
        return found

    off = np.flatnonzero(alight)
    after = next_departure(stop[off], arr[off])
    ok = after >= 0
    edge(off[ok], 2 * n + after[ok], dep[after[ok]] - arr[off[ok]])
    f_from, f_to, f_s = (np.asarray(a) for a in footpaths)
    f_s = np.rint(f_s).astype(np.int64)
    walks = pd.DataFrame({"row": np.flatnonzero(alight), "from": stop[alight]}).merge(
        pd.DataFrame({"from": f_from, "to": f_to, "seconds": f_s}), on="from")
    e_row = walks["row"].to_numpy(np.int64)
    e_stop = walks["to"].to_numpy(np.int64)
    e_time = arr[e_row] + walks["seconds"].to_numpy(np.int64)
    if len(e_row):
        board = next_departure(e_stop, e_time)
        ok = board >= 0
        edge(e_row[ok], 2 * n + board[ok], dep[board[ok]] - arr[e_row[ok]])
    queries = list(queries)
    sources = 3 * n + np.arange(len(queries))
    walked: list[list[tuple[int, int]]] = []
    for q, (start, access) in enumerate(queries):
        # On foot from the origin to a stop, then possibly along one footpath.
        reach = [(int(s), round(w)) for s, w in access]
        reach += [(int(f_to[k]), round(w) + int(f_s[k])) for s, w in access
                  for k in np.flatnonzero(f_from == s)]
        walked.append(reach)
        for s, w in reach:
            board = next_departure(np.array([s]), np.array([start + w]))
            if board[0] >= 0:
                edge([sources[q]], [2 * n + board[0]], [dep[board[0]] - start])
    size = 3 * n + len(queries)
    edges = pd.DataFrame({"tail": np.concatenate(tails), "head": np.concatenate(heads),
                          "weight": np.concatenate(weights)})
    edges = edges.groupby(["tail", "head"], as_index=False)["weight"].min()
    # Zero-weight edges are kept apart from "no edge" by a tiny epsilon, rounded away after.
    graph = csr_array((edges["weight"].to_numpy() + 1e-6,
                       (edges["tail"].to_numpy(), edges["head"].to_numpy())),
                      shape=(size, size))
    dist = dijkstra(graph, indices=sources, min_only=False)
    result = np.full((len(queries), n_stops), np.inf)
    for q, (start, _) in enumerate(queries):
        reached = start + np.round(dist[q, :n])
        np.minimum.at(result[q], stop[alight], reached[alight])
        if len(e_row):
            np.minimum.at(result[q], e_stop, start + np.round(dist[q, e_row])
                          + (e_time - arr[e_row]))
        for s, w in walked[q]:
            result[q, s] = min(result[q, s], start + w)
    return result
