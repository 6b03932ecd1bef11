"""A fictional coach and train timetable (GTFS) on the real town halls of the region.

The demo's public transport: in each département, coach lines from its largest commune to
its other towns, stopping at the town halls along the way; trains between the largest
communes of neighbouring départements. Weekday trips at the hours of school and work
(morning, noon, evening), fewer on Saturdays, none on Sundays and on two public holidays (a
``calendar_dates.txt`` exception). Every name says "données fictives": the lines, times and
stops are made up, only the town halls are real. ``territory demo --transit`` writes the feed
beside the workspace and computes its minutes as ``territory network build --gtfs`` does.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer
from scipy.sparse.csgraph import minimum_spanning_tree
from scipy.spatial.distance import cdist

from territory._crs import LAMBERT93, WGS84
from territory.analysis.access import commune_origins
from territory.io.workspace import Workspace
from territory.network import TransitSummary, build_transit

__all__ = ["DEMO_WEEKDAY", "DemoFeed", "build_demo_transit", "demo_feed_path",
           "write_demo_feed"]

Row = Mapping[str, object]

AGENCY = "Réseau régional fictif (données fictives)"
#: The feed's validity: a school year.
START, END = dt.date(2026, 9, 1), dt.date(2027, 7, 3)
#: Public holidays without service (Armistice, Christmas), as calendar exceptions.
HOLIDAYS = (dt.date(2026, 11, 11), dt.date(2026, 12, 25))
#: The weekday whose timetable the demo reads (a Tuesday of term time; its Saturday follows).
DEMO_WEEKDAY = dt.date(2026, 11, 17)
# Illustrative speeds between stops (km/h, on the straight line × 1.3) and dwell (seconds).
COACH_KMH, TRAIN_KMH, DWELL_S = 45.0, 90.0, 30
DETOUR = 1.3
# Coach lines per département: to its towns of at least this population, at most this many.
TOWN_POPULATION, LINES_PER_DEP = 800, 40
# Intermediate stops: town halls within this distance of the line, at least this far apart.
CORRIDOR_M, SPACING_M = 3_000.0, 2_000.0
# Departures from each end (hours), weekdays and Saturdays: illustrative.
COACH_WEEKDAY = (6.5, 7.25, 8.0, 12.25, 16.75, 17.5, 18.25)
COACH_SATURDAY = (8.0, 10.5, 13.0, 17.5)
TRAIN_WEEKDAY = (6.0, 7.0, 8.0, 9.5, 12.0, 14.0, 16.5, 17.5, 18.5, 20.0)
TRAIN_SATURDAY = (8.0, 10.0, 12.0, 15.0, 18.0)


@dataclass(frozen=True)
class DemoFeed:
    """What :func:`write_demo_feed` wrote."""

    path: Path
    stops: int
    routes: int
    trips: int


@dataclass(frozen=True)
class _Line:
    name: str
    kind: int  # GTFS route_type: 2 rail, 3 bus
    stops: list[int]  # positions of communes, in order


def write_demo_feed(communes: gpd.GeoDataFrame, mairies: gpd.GeoDataFrame, path: Path, *,
                    seed: int) -> DemoFeed:
    """Write the fictional feed of the workspace's communes to ``path`` (a .zip).

    The same communes and seed give the same file, byte for byte.
    """
    rng = np.random.default_rng(seed)
    origins = commune_origins(communes, mairies)
    xy = np.column_stack([origins.geometry.x, origins.geometry.y])
    population = communes["population"].to_numpy(dtype=float)
    dep = communes["dep_code"].astype(str).to_numpy()
    lines = _coach_lines(xy, population, dep) + _train_lines(xy, population, dep)
    tables = _tables(lines, communes["code_insee"].astype(str).to_numpy(),
                     communes["nom"].astype(str).to_numpy(), xy, rng)
    _write_zip(path, tables)
    return DemoFeed(path, len(tables["stops.txt"]), len(tables["routes.txt"]),
                    len(tables["trips.txt"]))


def demo_feed_path(workspace: Path) -> Path:
    """Return where the demo writes its feed: beside the workspace."""
    return workspace.with_name(f"{workspace.stem}.horaires-fictifs.zip")


def build_demo_transit(workspace: Workspace, *, seed: int, progress: bool = False
                       ) -> tuple[DemoFeed, TransitSummary]:
    """Write the fictional feed beside the workspace and store its minutes, marked demo.

    The minutes are those of ``territory network build --gtfs`` on the feed, for
    :data:`DEMO_WEEKDAY` and the Saturday after it, every window.
    """
    feed = write_demo_feed(workspace.read("communes"), workspace.read("mairies"),
                           demo_feed_path(workspace.path), seed=seed)
    summary = build_transit(workspace, [feed.path], date=DEMO_WEEKDAY, demo=True,
                            progress=progress)
    return feed, summary


def _coach_lines(xy: np.ndarray, population: np.ndarray, dep: np.ndarray) -> list[_Line]:
    lines: list[_Line] = []
    for code in sorted(set(dep)):
        members = np.flatnonzero(dep == code)
        hub = members[np.argmax(population[members])]
        towns = members[(population[members] >= TOWN_POPULATION) & (members != hub)]
        towns = towns[np.argsort(-population[towns], kind="stable")][:LINES_PER_DEP]
        for town in towns:
            stops = _corridor(xy, members, int(hub), int(town))
            lines.append(_Line(f"Car {code}-{len(lines) + 1}", 3, stops))
    return lines


def _train_lines(xy: np.ndarray, population: np.ndarray, dep: np.ndarray) -> list[_Line]:
    """Trains between the largest communes of départements, along a spanning tree."""
    hubs = np.array([np.flatnonzero(dep == code)[np.argmax(population[dep == code])]
                     for code in sorted(set(dep))])
    if len(hubs) < 2:
        return []
    tree = minimum_spanning_tree(cdist(xy[hubs], xy[hubs])).tocoo()
    return [_Line(f"Train {number + 1}", 2, [int(hubs[a]), int(hubs[b])])
            for number, (a, b) in enumerate(zip(tree.row, tree.col, strict=True))]


def _corridor(xy: np.ndarray, members: np.ndarray, start: int, end: int) -> list[int]:
    """Town halls near the segment from ``start`` to ``end``, in order, spaced apart."""
    a, b = xy[start], xy[end]
    length = float(np.hypot(*(b - a)))
    d = xy[members] - a
    across = np.abs((b - a)[0] * d[:, 1] - (b - a)[1] * d[:, 0]) / max(length, 1.0)
    along = d @ (b - a) / max(length, 1.0)
    near = (across <= CORRIDOR_M) & (along > SPACING_M) & (along < length - SPACING_M)
    stops, last = [start], 0.0
    for k in np.argsort(along):
        if near[k] and along[k] - last >= SPACING_M:
            stops.append(int(members[k]))
            last = float(along[k])
    return [*stops, end]


def _tables(lines: list[_Line], codes: np.ndarray, names: np.ndarray, xy: np.ndarray,
            rng: np.random.Generator) -> dict[str, Sequence[Row]]:
    used = sorted({s for line in lines for s in line.stops})
    lon, lat = Transformer.from_crs(LAMBERT93, WGS84, always_xy=True).transform(
        xy[used, 0] + 40.0, xy[used, 1])  # the stop in front of the town hall
    stops = [{"stop_id": f"A{codes[s]}", "stop_name": f"{names[s]} Mairie (fictif)",
              "stop_lat": f"{la:.6f}", "stop_lon": f"{lo:.6f}"}
             for s, lo, la in zip(used, lon, lat, strict=True)]
    routes: list[Row] = []
    trips: list[Row] = []
    times: list[Row] = []
    for number, line in enumerate(lines):
        route = f"L{number + 1}"
        routes.append({"route_id": route, "agency_id": "FICTIF", "route_short_name":
                       line.name, "route_long_name": f"{names[line.stops[0]]} – "
                       f"{names[line.stops[-1]]} (fictif)", "route_type": line.kind})
        kmh = TRAIN_KMH if line.kind == 2 else COACH_KMH
        legs = np.hypot(*np.diff(xy[line.stops], axis=0).T) * DETOUR / (kmh / 3.6)
        hours = {"SEM": TRAIN_WEEKDAY if line.kind == 2 else COACH_WEEKDAY,
                 "SAM": TRAIN_SATURDAY if line.kind == 2 else COACH_SATURDAY}
        shift = int(rng.integers(-15, 16)) * 60  # lines do not all leave on the hour
        for direction, sequence in enumerate((line.stops, line.stops[::-1])):
            seconds = legs if direction == 0 else legs[::-1]
            for service, starts in hours.items():
                for k, hour in enumerate(starts):
                    trip = f"{route}-{direction}-{service}-{k}"
                    trips.append({"route_id": route, "service_id": service, "trip_id": trip,
                                  "direction_id": direction})
                    times += _stop_times(trip, [f"A{codes[s]}" for s in sequence], seconds,
                                         round(hour * 3600) + shift)
    calendar = [{"service_id": service, **{day: int(on) for day, on in zip(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
        days, strict=True)}, "start_date": START.strftime("%Y%m%d"),
        "end_date": END.strftime("%Y%m%d")}
        for service, days in (("SEM", (1, 1, 1, 1, 1, 0, 0)), ("SAM", (0, 0, 0, 0, 0, 1, 0)))]
    exceptions = [{"service_id": "SEM" if day.weekday() < 5 else "SAM",
                   "date": day.strftime("%Y%m%d"), "exception_type": 2}
                  for day in HOLIDAYS if day.weekday() < 6]
    return {"agency.txt": [{"agency_id": "FICTIF", "agency_name": AGENCY,
                            "agency_url": "https://example.org",
                            "agency_timezone": "Europe/Paris"}],
            "stops.txt": stops, "routes.txt": routes, "trips.txt": trips,
            "stop_times.txt": times, "calendar.txt": calendar,
            "calendar_dates.txt": exceptions}


def _stop_times(trip: str, stops: list[str], legs: np.ndarray,
                start_s: int) -> Sequence[Row]:
    rows, t = [], start_s
    for number, stop in enumerate(stops):
        arrive = t
        leave = t + (DWELL_S if 0 < number < len(stops) - 1 else 0)
        rows.append({"trip_id": trip, "arrival_time": _hms(arrive),
                     "departure_time": _hms(leave), "stop_id": stop,
                     "stop_sequence": number + 1})
        if number < len(legs):
            t = leave + round(float(legs[number]))
    return rows


def _hms(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _write_zip(path: Path, tables: dict[str, Sequence[Row]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, rows in tables.items():
            text = io.StringIO()
            frame = pd.DataFrame(rows)
            frame.to_csv(text, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
            # A fixed date: the same demo gives the same file.
            info = zipfile.ZipInfo(name, date_time=(2026, 9, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.getvalue().encode("utf-8"))
