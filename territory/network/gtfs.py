"""Public-transport timetables (GTFS feeds): reading, validation, one service day's trips.

A feed is checked before anything is computed, and every problem is listed with its file
(``feed.zip/stop_times.txt``), line and column, as imports do: missing files and columns,
unknown references (a stop time naming no trip or stop), times that are not ``H:MM:SS`` or
that go back along a trip, coordinates that are not latitudes and longitudes, calendars that
do not parse. A valid feed is then read with gtfs-kit, whose calendar rules (``calendar.txt``
and the exceptions of ``calendar_dates.txt``) decide which trips run on a date and whose
``expand_frequencies`` turns headway-based trips into timed ones.

Times are seconds after midnight of the service day; GTFS writes times past midnight as
25:10:00, and a trip of the previous service day still running after midnight is kept, its
times shifted back by 24 h (:func:`service_day`). Sources: GTFS Schedule reference
(gtfs.org/schedule/reference).
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pyproj import Transformer

from territory._crs import LAMBERT93, WGS84
from territory._errors import InputError, Problem
from territory.network._optional import optional

__all__ = ["DAY_S", "Feed", "read_feeds", "service_dates", "service_day"]

DAY_S = 86_400
_TIME = re.compile(r"^\s*(\d{1,3}):([0-5]\d):([0-5]\d)\s*$")
_DATE = re.compile(r"^\d{8}$")
_REQUIRED: dict[str, tuple[str, ...]] = {
    "stops.txt": ("stop_id", "stop_lat", "stop_lon"),
    "routes.txt": ("route_id", "route_type"),
    "trips.txt": ("route_id", "service_id", "trip_id"),
    "stop_times.txt": ("trip_id", "arrival_time", "departure_time", "stop_id",
                       "stop_sequence"),
}
_CALENDAR = ("service_id", "monday", "tuesday", "wednesday", "thursday", "friday",
             "saturday", "sunday", "start_date", "end_date")
_CALENDAR_DATES = ("service_id", "date", "exception_type")
_OPTIONAL: dict[str, tuple[str, ...]] = {
    "calendar.txt": _CALENDAR,
    "calendar_dates.txt": _CALENDAR_DATES,
    "frequencies.txt": ("trip_id", "start_time", "end_time", "headway_secs"),
    "transfers.txt": ("from_stop_id", "to_stop_id", "transfer_type"),
    "agency.txt": (),
}


@dataclass(frozen=True, eq=False)
class Feed:
    """One valid GTFS feed, read with gtfs-kit.

    Attributes
    ----------
    path
        The feed's file.
    feed
        The gtfs-kit ``Feed`` (frequencies expanded into timed trips).
    dates
        The dates (``datetime.date``) on which at least one service runs.
    agencies
        The agencies' names.
    counts
        Stops, routes and trips of the feed.
    """

    path: Path
    feed: Any = field(repr=False)
    dates: tuple[dt.date, ...]
    agencies: tuple[str, ...]
    counts: dict[str, int]

    @property
    def name(self) -> str:
        """The feed's file name."""
        return self.path.name

    @property
    def start(self) -> dt.date | None:
        """The first date with service."""
        return self.dates[0] if self.dates else None

    @property
    def end(self) -> dt.date | None:
        """The last date with service."""
        return self.dates[-1] if self.dates else None

    def describe(self) -> dict[str, Any]:
        """Return what the workspace records of the feed (file, agencies, validity, sizes)."""
        return {"file": self.name, "agencies": list(self.agencies),
                "start": self.start.isoformat() if self.start else None,
                "end": self.end.isoformat() if self.end else None, **self.counts}


def read_feeds(paths: Sequence[Path | str]) -> list[Feed]:
    """Check every feed, then read them; raise one error listing every problem of all feeds.

    Examples
    --------
    >>> read_feeds(["missing.zip"])
    Traceback (most recent call last):
    ...
    territory._errors.InputError: missing.zip: no such file; give a GTFS feed (a .zip file ...
    """
    if not paths:
        raise InputError("no GTFS feed given; give one or more with --gtfs FEED.zip")
    problems: list[Problem] = []
    tables: list[dict[str, pd.DataFrame]] = []
    for path in paths:
        found, feed_problems = _check_feed(Path(path))
        problems += feed_problems
        tables.append(found)
    names = [Path(p).name for p in paths]
    problems += [Problem("the same file is given twice", file=name)
                 for name in sorted({n for n in names if names.count(n) > 1})]
    if problems:
        raise InputError(problems)
    return [_read(Path(path)) for path in paths]


def service_dates(feeds: Sequence[Feed], date: dt.date | None = None
                  ) -> tuple[dt.date, dt.date | None]:
    """Return the weekday of the weekday windows and the Saturday of the Saturday window.

    With ``date`` (a Monday to Friday on which every feed runs), that day and the first
    Saturday after it on which every feed is valid; without, the weekday with the most trips
    among the dates all feeds share, the first of them on a tie (gtfs-kit's trip activity of
    the largest feed). The Saturday is None when the feeds share no Saturday.
    """
    shared = set(feeds[0].dates)
    for feed in feeds[1:]:
        shared &= set(feed.dates)
    validity = "; ".join(f"{f.name}: {f.start} to {f.end}" for f in feeds)
    if not shared:
        raise InputError(f"the feeds share no date of service ({validity}); give feeds of "
                         "the same period")
    weekdays = sorted(d for d in shared if d.weekday() < 5)
    saturdays = sorted(d for d in shared if d.weekday() == 5)
    if date is not None:
        if date.weekday() >= 5:
            raise InputError(f"--date {date} is a {'Saturday' if date.weekday() == 5 else 'Sunday'}"
                             "; give a weekday (Monday to Friday): the Saturday window takes "
                             "the Saturday after it")
        if date not in shared:
            raise InputError(f"--date {date} is not a date of service of every feed "
                             f"({validity}); give a date inside their validity")
        weekday = date
    else:
        if not weekdays:
            raise InputError(f"the feeds share no weekday of service ({validity})")
        largest = max(feeds, key=lambda f: f.counts["trips"])
        weekday = _busiest(largest, weekdays)
    after = [d for d in saturdays if d > weekday]
    saturday = after[0] if after else (saturdays[-1] if saturdays else None)
    return weekday, saturday


def _busiest(feed: Feed, days: Sequence[dt.date]) -> dt.date:
    """Return the first of ``days`` with the most trips of ``feed``."""
    gk = optional("gtfs_kit")
    dates = [d.strftime("%Y%m%d") for d in days]
    with warnings.catch_warnings():
        # gtfs-kit adds a column per date; on a year-long feed pandas warns of the
        # fragmented frame, a note for gtfs-kit's authors, not for the user.
        warnings.simplefilter("ignore", pd.errors.PerformanceWarning)
        activity = gk.compute_trip_activity(feed.feed, dates)
    counts = activity[dates].sum().to_numpy()
    return days[int(np.argmax(counts))]


def service_day(feeds: Sequence[Feed], day: dt.date, stop_index: pd.Index,
                start_s: int, end_s: int) -> pd.DataFrame:
    """Return the stop times of every trip running on ``day`` between two times.

    Trips of ``day`` keep their times; trips of the day before that run past midnight are
    shifted back by 24 h. A trip is kept when part of it lies between ``start_s`` and
    ``end_s`` (seconds after midnight of ``day``). Columns: ``trip`` (a unique string),
    ``stop`` (position in ``stop_index``, whose values are ``feed_number:stop_id``),
    ``board`` and ``alight`` (whether riders may get on and off there), ``arr``, ``dep``
    (int seconds), rows in trip order.
    """
    frames = []
    for number, feed in enumerate(feeds):
        for offset, when in ((0, day), (-DAY_S, day - dt.timedelta(days=1))):
            trips = feed.feed.get_trips(when.strftime("%Y%m%d"))
            if trips is None or trips.empty:
                continue
            times = feed.feed.stop_times
            times = times[times["trip_id"].isin(trips["trip_id"])]
            frame = _timed(times, number, offset)
            span = frame.groupby("trip", sort=False).agg(first=("dep", "min"),
                                                         last=("arr", "max"))
            keep = span.index[(span["last"] >= start_s) & (span["first"] <= end_s)]
            frame = frame[frame["trip"].isin(keep)]
            frames.append(frame.assign(trip=frame["trip"] + f"@{offset}"))
    if not frames:
        return pd.DataFrame({"trip": pd.Series([], dtype=str),
                             "stop": pd.Series([], dtype=np.int64),
                             "board": pd.Series([], dtype=bool),
                             "alight": pd.Series([], dtype=bool),
                             "arr": pd.Series([], dtype=np.int64),
                             "dep": pd.Series([], dtype=np.int64)})
    frame = pd.concat(frames, ignore_index=True)
    stops = stop_index.get_indexer(pd.Index(frame["stop_key"]))
    return pd.DataFrame({"trip": frame["trip"].to_numpy(), "stop": stops.astype(np.int64),
                         "board": frame["board"].to_numpy(bool),
                         "alight": frame["alight"].to_numpy(bool),
                         "arr": frame["arr"].to_numpy(np.int64),
                         "dep": frame["dep"].to_numpy(np.int64)})


def stops_of(feeds: Sequence[Feed]) -> tuple[pd.Index, np.ndarray]:
    """Return every boarding stop (``feed_number:stop_id``) and its Lambert-93 point."""
    to_l93 = Transformer.from_crs(WGS84, LAMBERT93, always_xy=True)
    keys, xs, ys = [], [], []
    for number, feed in enumerate(feeds):
        stops = feed.feed.stops
        kind = pd.to_numeric(stops.get("location_type", pd.Series(0, index=stops.index)),
                             errors="coerce").fillna(0)
        stops = stops[kind == 0]
        x, y = to_l93.transform(stops["stop_lon"].to_numpy(float),
                                stops["stop_lat"].to_numpy(float))
        keys.append(f"{number}:" + stops["stop_id"].astype(str))
        xs.append(x)
        ys.append(y)
    index = pd.Index(pd.concat(keys, ignore_index=True) if keys else [], dtype=object)
    return index, np.column_stack([np.concatenate(xs), np.concatenate(ys)])


def transfers_of(feeds: Sequence[Feed], stop_index: pd.Index) -> pd.DataFrame:
    """Return the feeds' ``transfers.txt`` between distinct stops: ``from``, ``to``, ``seconds``.

    ``transfer_type`` 2 gives its ``min_transfer_time``; type 3 (no transfer possible) is
    returned with a negative time, for the caller to remove that walk.
    """
    rows = []
    for number, feed in enumerate(feeds):
        table = getattr(feed.feed, "transfers", None)
        if table is None or table.empty:
            continue
        kind = pd.to_numeric(table["transfer_type"], errors="coerce").fillna(0)
        seconds = pd.to_numeric(table.get("min_transfer_time", pd.Series(np.nan,
                                                                         index=table.index)),
                                errors="coerce")
        frame = pd.DataFrame({
            "from": stop_index.get_indexer(f"{number}:" + table["from_stop_id"].astype(str)),
            "to": stop_index.get_indexer(f"{number}:" + table["to_stop_id"].astype(str)),
            "seconds": np.where(kind == 3, -1.0, np.where(kind == 2, seconds, np.nan))})
        rows.append(frame[(frame["from"] >= 0) & (frame["to"] >= 0)
                          & (frame["from"] != frame["to"]) & frame["seconds"].notna()])
    if not rows:
        return pd.DataFrame({"from": [], "to": [], "seconds": []})
    return pd.concat(rows, ignore_index=True)


# -- reading -------------------------------------------------------------------------------
def _read(path: Path) -> Feed:
    gk = optional("gtfs_kit")
    feed = gk.read_feed(path, dist_units="km")
    if getattr(feed, "frequencies", None) is not None and not feed.frequencies.empty:
        feed = gk.expand_frequencies(feed)
    dates = tuple(dt.datetime.strptime(d, "%Y%m%d").date() for d in _service_dates(gk, feed))
    agency = getattr(feed, "agency", None)
    agencies = tuple(sorted(set(agency["agency_name"].dropna().astype(str)))) \
        if agency is not None and "agency_name" in agency else ()
    counts = {"stops": len(feed.stops), "routes": len(feed.routes), "trips": len(feed.trips)}
    return Feed(path, feed, dates, agencies, counts)


def _service_dates(gk: Any, feed: Any) -> list[str]:
    """Return the dates on which at least one trip runs (gtfs-kit's calendar rules)."""
    candidates = gk.get_dates(feed)
    services = set(feed.trips["service_id"].astype(str))
    return [d for d in candidates if services & set(gk.get_active_services(feed, d))]


def _timed(times: pd.DataFrame, number: int, offset: int) -> pd.DataFrame:
    """Stop times in seconds, blank intermediate times interpolated along the trip."""
    frame = pd.DataFrame({
        "trip": str(number) + ":" + times["trip_id"].astype(str),
        "seq": pd.to_numeric(times["stop_sequence"]).to_numpy(),
        "stop_key": str(number) + ":" + times["stop_id"].astype(str),
        "arr": _seconds(times["arrival_time"]), "dep": _seconds(times["departure_time"]),
        # ``pickup_type`` / ``drop_off_type`` 1: no boarding / no alighting at that stop
        # (2 and 3, by phone or with the driver, are taken as possible).
        "board": _allowed(times, "pickup_type"), "alight": _allowed(times, "drop_off_type"),
    }).sort_values(["trip", "seq"], kind="stable", ignore_index=True)
    frame["arr"] = frame["arr"].fillna(frame["dep"])
    frame["dep"] = frame["dep"].fillna(frame["arr"])
    blank = frame["arr"].isna().to_numpy()
    if blank.any():
        # A trip's first and last stops have times (checked): a blank time lies between two
        # known times of its own trip, interpolated by position along the trip.
        position = np.arange(len(frame), dtype=float)
        for column in ("arr", "dep"):
            values = frame[column].to_numpy(dtype=float)
            frame[column] = np.interp(position, position[~blank], values[~blank])
    frame["arr"] = np.rint(frame["arr"]).astype(np.int64) + offset
    frame["dep"] = np.rint(frame["dep"]).astype(np.int64) + offset
    return frame


def _allowed(times: pd.DataFrame, column: str) -> np.ndarray:
    """Whether each stop time lets riders on (``pickup_type``) or off (``drop_off_type``)."""
    if column not in times:
        return np.ones(len(times), dtype=bool)
    return (pd.to_numeric(times[column], errors="coerce").fillna(0) != 1).to_numpy()


def _seconds(values: pd.Series) -> pd.Series:
    """GTFS times (``H:MM:SS``, hours past 24 allowed) as seconds; blank or bad as NaN.

    Examples
    --------
    >>> _seconds(pd.Series(["07:05:00", "25:10:30", "7:05:00", "", "7h05"])).tolist()
    [25500.0, 90630.0, 25500.0, nan, nan]
    """
    text = values.astype(str).str.strip()
    result = np.full(len(text), np.nan)
    # The usual HH:MM:SS, read as bytes at once; anything else through the pattern.
    raw = text.to_numpy(dtype=object)
    usual = np.array(text.str.len() == 8, dtype=bool)
    if usual.any():
        chars = np.frombuffer(raw[usual].astype("S8").tobytes(), dtype=np.uint8).reshape(-1, 8)
        digits = chars.astype(np.int64) - 48
        ok = ((chars[:, 2] == 58) & (chars[:, 5] == 58)
              & ((digits[:, [0, 1, 3, 4, 6, 7]] >= 0) & (digits[:, [0, 1, 3, 4, 6, 7]] <= 9))
              .all(axis=1) & (digits[:, 3] <= 5) & (digits[:, 6] <= 5))
        seconds = ((digits[:, 0] * 10 + digits[:, 1]) * 3600
                   + (digits[:, 3] * 10 + digits[:, 4]) * 60 + digits[:, 6] * 10 + digits[:, 7])
        where = np.flatnonzero(usual)
        result[where[ok]] = seconds[ok]
        usual[where[~ok]] = False
    rest = ~usual & np.array(text != "", dtype=bool)
    if rest.any():
        parts = text[rest].str.extract(_TIME).astype(float)
        result[rest] = (parts[0] * 3600 + parts[1] * 60 + parts[2]).to_numpy()
    return pd.Series(result, index=values.index)


# -- validation ----------------------------------------------------------------------------
def _check_feed(path: Path) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Read a feed's tables as text and list every problem found in them."""
    if not path.is_file():
        return {}, [Problem("no such file; give a GTFS feed (a .zip file of stops.txt, "
                            "routes.txt, trips.txt, stop_times.txt and a calendar), e.g. the "
                            "region's aggregated feed from transport.data.gouv.fr",
                            file=str(path))]
    try:
        with zipfile.ZipFile(path) as archive:
            members = {Path(n).name: n for n in archive.namelist() if not n.endswith("/")}
            tables = {name: _table(archive, members[name])
                      for name in (*_REQUIRED, *_OPTIONAL) if name in members}
    except (zipfile.BadZipFile, OSError) as error:
        return {}, [Problem(f"not a readable zip file ({error}); a GTFS feed is a .zip of "
                            "text tables", file=str(path))]
    except (UnicodeDecodeError, pd.errors.ParserError) as error:
        return {}, [Problem(f"a table is not UTF-8 comma-separated text ({error}); export "
                            "the feed again as GTFS", file=str(path))]
    problems = [Problem(f"missing; a GTFS feed needs {', '.join(_REQUIRED)} and "
                        "calendar.txt or calendar_dates.txt", file=f"{path.name}/{name}")
                for name in _REQUIRED if name not in tables]
    if "calendar.txt" not in tables and "calendar_dates.txt" not in tables:
        problems.append(Problem("missing both calendar.txt and calendar_dates.txt: no date "
                                "of service; add the feed's calendar", file=path.name))
    for name, table in tables.items():
        columns = _REQUIRED.get(name) or _OPTIONAL.get(name, ())
        problems += [Problem(f"column missing; {name} needs {', '.join(columns)}",
                             file=f"{path.name}/{name}", column=c)
                     for c in columns if c not in table]
    if problems:
        return tables, problems
    return tables, list(_value_problems(path.name, tables))


def _table(archive: zipfile.ZipFile, member: str) -> pd.DataFrame:
    with archive.open(member) as handle:
        table = pd.read_csv(handle, dtype=str, keep_default_na=False, encoding="utf-8-sig",
                            skipinitialspace=True)
    table.columns = [str(c).strip() for c in table.columns]
    return table.apply(lambda column: column.str.strip())


def _value_problems(name: str, tables: dict[str, pd.DataFrame]) -> Iterable[Problem]:
    stops, routes, trips = tables["stops.txt"], tables["routes.txt"], tables["trips.txt"]
    times = tables["stop_times.txt"]
    yield from _duplicates(name, "stops.txt", stops, "stop_id")
    yield from _duplicates(name, "routes.txt", routes, "route_id")
    yield from _duplicates(name, "trips.txt", trips, "trip_id")
    kind = stops.get("location_type", pd.Series("", index=stops.index))
    boarding = kind.isin(["", "0"])
    for column, limit, word in (("stop_lat", 90, "latitude"), ("stop_lon", 180, "longitude")):
        value = pd.to_numeric(stops[column], errors="coerce")
        bad = boarding & ~(value.abs() <= limit)
        yield from _rows(name, "stops.txt", column, bad,
                         lambda i, w=word, c=column: f"{stops.at[i, c]!r} is not a {w} in "
                         "decimal degrees (WGS 84); write e.g. 45.1833")
    services = set()
    for table_name, columns in (("calendar.txt", _CALENDAR), ("calendar_dates.txt",
                                                              _CALENDAR_DATES)):
        table = tables.get(table_name)
        if table is None:
            continue
        services |= set(table["service_id"])
        for column in columns:
            if column.endswith("date"):
                bad = ~table[column].str.match(_DATE) | pd.to_datetime(
                    table[column], format="%Y%m%d", errors="coerce").isna()
                yield from _rows(name, table_name, column, bad,
                                 lambda i, t=table, c=column: f"{t.at[i, c]!r} is not a date "
                                 "YYYYMMDD; write e.g. 20260907")
            elif column == "exception_type":
                yield from _rows(name, table_name, column, ~table[column].isin(["1", "2"]),
                                 lambda i, t=table: f"{t.at[i, 'exception_type']!r}: expected "
                                 "1 (service added) or 2 (service removed)")
            elif column != "service_id":
                yield from _rows(name, table_name, column, ~table[column].isin(["0", "1"]),
                                 lambda i, t=table, c=column: f"{t.at[i, c]!r}: expected 1 "
                                 "(service runs that day) or 0")
    yield from _unknown(name, "trips.txt", trips, "route_id", known=set(routes["route_id"]),
                        where="routes.txt")
    yield from _unknown(name, "trips.txt", trips, "service_id", known=services,
                        where="calendar.txt or calendar_dates.txt")
    yield from _unknown(name, "stop_times.txt", times, "trip_id", known=set(trips["trip_id"]),
                        where="trips.txt")
    yield from _unknown(name, "stop_times.txt", times, "stop_id",
                        known=set(stops.loc[boarding, "stop_id"]),
                        where="stops.txt (as a boarding stop)")
    yield from _time_problems(name, times)
    frequencies = tables.get("frequencies.txt")
    if frequencies is not None:
        for column in ("start_time", "end_time"):
            yield from _rows(name, "frequencies.txt", column,
                             ~frequencies[column].str.match(_TIME),
                             lambda i, c=column: f"{frequencies.at[i, c]!r} is not a time "
                             "H:MM:SS; write e.g. 07:30:00")
        headway = pd.to_numeric(frequencies["headway_secs"], errors="coerce")
        yield from _rows(name, "frequencies.txt", "headway_secs", ~(headway > 0),
                         lambda i: f"{frequencies.at[i, 'headway_secs']!r}: expected a "
                         "positive number of seconds")
    transfers = tables.get("transfers.txt")
    if transfers is not None:
        for column in ("from_stop_id", "to_stop_id"):
            known = set(stops["stop_id"])
            yield from _rows(name, "transfers.txt", column,
                             (transfers[column] != "") & ~transfers[column].isin(known),
                             lambda i, c=column: f"stop {transfers.at[i, c]!r} is not in "
                             "stops.txt")


def _time_problems(name: str, times: pd.DataFrame) -> Iterable[Problem]:
    for column in ("arrival_time", "departure_time"):
        bad = (times[column] != "") & _seconds(times[column]).isna()
        yield from _rows(name, "stop_times.txt", column, bad,
                         lambda i, c=column: f"{times.at[i, c]!r} is not a time H:MM:SS "
                         "(hours may pass 24 after midnight); write e.g. 07:45:00")
    for column in ("pickup_type", "drop_off_type"):
        if column in times:
            yield from _rows(name, "stop_times.txt", column,
                             ~times[column].isin(["", "0", "1", "2", "3"]),
                             lambda i, c=column: f"{times.at[i, c]!s}: expected 0 (regular), "
                             "1 (none), 2 (phone the agency) or 3 (ask the driver)")
    sequence = pd.to_numeric(times["stop_sequence"], errors="coerce")
    bad_sequence = ~(sequence >= 0) | (sequence != np.floor(sequence))
    yield from _rows(name, "stop_times.txt", "stop_sequence", bad_sequence,
                     lambda i: f"{times.at[i, 'stop_sequence']!r} is not a whole number "
                     "≥ 0")
    arr, dep = _seconds(times["arrival_time"]), _seconds(times["departure_time"])
    yield from _rows(name, "stop_times.txt", "departure_time", dep < arr,
                     lambda i: f"departs ({times.at[i, 'departure_time']!s}) before it arrives "
                     f"({times.at[i, 'arrival_time']!s}); swap the two times")
    order = pd.DataFrame({"trip": times["trip_id"], "seq": sequence, "arr": arr.fillna(dep),
                          "dep": dep.fillna(arr)}).dropna(subset=["seq"])
    order = order.sort_values(["trip", "seq"], kind="stable")
    first = ~order["trip"].duplicated(keep="first")
    last = ~order["trip"].duplicated(keep="last")
    blank = order["arr"].isna()
    ends = blank & (first | last)
    yield from _rows(name, "stop_times.txt", "arrival_time",
                     ends.reindex(times.index, fill_value=False),
                     lambda i: f"trip {times.at[i, 'trip_id']!r} has no time at its "
                     f"{'first' if first.get(i, False) else 'last'} stop; a trip's first and "
                     "last stops need times")
    known = order.groupby("trip", sort=False)["dep"].ffill()
    previous = known.groupby(order["trip"], sort=False).shift()
    back = (order["arr"] < previous).reindex(times.index, fill_value=False)
    yield from _rows(name, "stop_times.txt", "arrival_time", back,
                     lambda i: f"trip {times.at[i, 'trip_id']!r} arrives at "
                     f"{times.at[i, 'arrival_time']!s}, before it left the previous stop; "
                     "times must not go back along a trip")
    repeated = order.duplicated(["trip", "seq"], keep=False).reindex(times.index,
                                                                     fill_value=False)
    yield from _rows(name, "stop_times.txt", "stop_sequence", repeated,
                     lambda i: f"trip {times.at[i, 'trip_id']!r} has stop_sequence "
                     f"{times.at[i, 'stop_sequence']!s} twice; number its stops in order")


def _duplicates(name: str, table_name: str, table: pd.DataFrame,
                column: str) -> Iterable[Problem]:
    yield from _rows(name, table_name, column, table[column] == "",
                     lambda i: "blank; every row needs an id")
    repeated = table[column].duplicated(keep="first") & (table[column] != "")
    yield from _rows(name, table_name, column, repeated,
                     lambda i: f"{table.at[i, column]!r} is given twice; ids must be unique")


def _unknown(name: str, table_name: str, table: pd.DataFrame, column: str, *,
             known: set[str], where: str) -> Iterable[Problem]:
    yield from _rows(name, table_name, column, ~table[column].isin(known),
                     lambda i: f"{table.at[i, column]!r} is not in {where}")


def _rows(name: str, table_name: str, column: str, bad: pd.Series,
          message: Any) -> Iterable[Problem]:
    """One problem per bad row, its line in the file (the header is line 1)."""
    for index in np.flatnonzero(np.asarray(bad, dtype=bool)):
        label = bad.index[int(index)]
        yield Problem(message(label), file=f"{name}/{table_name}", row=int(index) + 2,
                      column=column)
