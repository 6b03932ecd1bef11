"""Public transport from GTFS timetables: the engine, the calendar, validation, the build.

The engine is checked against an independent computation, Dijkstra on a time-expanded graph
(tests/network/gtfs_feed.py); pyraptor, the Python RAPTOR package, pins pandas < 2 and does
not install beside this project.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from territory._crs import LAMBERT93, WGS84
from territory._errors import InputError
from territory.analysis import (
    Parameters,
    commune_origins,
    indicators,
    open_sites,
    outreach_places,
)
from territory.analysis.travel import WINDOWS, Routed, Window
from territory.cli import main
from territory.io.workspace import Workspace
from territory.network import TransitOptions, build_transit, read_transit, transit
from territory.network.gtfs import read_feeds, service_dates, service_day, stops_of
from territory.network.raptor import INF, Timetable, earliest_arrivals
from territory.network.transit import StraightWalk, window_minutes

from .gtfs_feed import gueret_tables, time_expanded_arrivals, write_feed

pytest.importorskip("gtfs_kit")

TO_WGS84 = Transformer.from_crs(LAMBERT93, WGS84, always_xy=True)
# Stops 150 m north of real town halls around Guéret: G Guéret, A Sainte-Feyre,
# B Saint-Fiel, C Saint-Sulpice-le-Guérétois.
STOPS = {"G": "23096", "A": "23193", "B": "23195", "C": "23245"}
TUESDAY = dt.date(2026, 11, 10)


def stop_points(mairies: pd.DataFrame) -> dict[str, tuple[float, float]]:
    points = {}
    for stop, code in STOPS.items():
        hall = mairies.loc[mairies["code_insee"] == code].geometry.iloc[0]
        lon, lat = TO_WGS84.transform(hall.x, hall.y + 150)
        points[stop] = (float(lon), float(lat))
    return points


@pytest.fixture(scope="module")
def mairies(demo_workspace_file: Path) -> pd.DataFrame:
    return Workspace(demo_workspace_file).read("mairies")


@pytest.fixture(scope="module")
def feed_file(mairies: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("gtfs")
    return write_feed(folder / "car-creuse.zip", gueret_tables(stop_points(mairies)))


@pytest.fixture(scope="module")
def near_gueret(demo_workspace_file: Path) -> tuple[np.ndarray, np.ndarray]:
    """Codes and town-hall points of the 15 communes closest to Guéret."""
    workspace = Workspace(demo_workspace_file)
    communes, halls = workspace.read("communes"), workspace.read("mairies")
    origins = commune_origins(communes, halls)
    xy = np.column_stack([origins.geometry.x, origins.geometry.y])
    centre = xy[communes["code_insee"].to_numpy() == "23096"][0]
    order = np.argsort(np.hypot(*(xy - centre).T))[:15]
    return communes["code_insee"].to_numpy()[order], xy[order]


# -- the engine ----------------------------------------------------------------------------
# An origin is queried at its boarding events within a walk, or, where they outnumber the
# window's minutes (near a tram line), at every minute: both must give the reference.
@pytest.mark.parametrize("sampled_above", [None, 0], ids=["events", "every-minute"])
def test_window_minutes_match_a_time_expanded_dijkstra(
        feed_file: Path, near_gueret: tuple[np.ndarray, np.ndarray], sampled_above: int | None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transit, "SAMPLED_ABOVE", sampled_above)
    feeds = read_feeds([feed_file])
    index, stops_xy = stops_of(feeds)
    window = WINDOWS["weekday_am"]
    options = TransitOptions(max_rides=10)
    times = service_day(feeds, TUESDAY, index, window.start_s, window.end_s + 5400)
    walk = StraightWalk()
    i, j, s = walk.legs(stops_xy, stops_xy, options.access_min * 60)
    footpaths = (i[i != j], j[i != j], s[i != j])
    table = Timetable.build(times, len(index), footpaths=footpaths)
    _, origins = near_gueret
    found = window_minutes(table, stops_xy, origins, origins, window=window, walk=walk,
                           options=options)
    # The reference: every minute of the window, every origin, Dijkstra on the events.
    acc_o, acc_s, acc_t = walk.legs(origins, stops_xy, options.access_min * 60)
    egr_s, egr_d, egr_t = walk.legs(stops_xy, origins, options.access_min * 60)
    dir_o, dir_d, dir_t = walk.legs(origins, origins, 5400)
    samples = np.arange(window.start_s, window.end_s, 60)
    expected = []
    for origin in range(len(origins)):
        access = [(int(a), float(t)) for a, t in zip(acc_s[acc_o == origin],
                                                      acc_t[acc_o == origin], strict=True)]
        minutes = np.full((len(samples), len(origins)), np.inf)
        if access:
            at_stop = time_expanded_arrivals(times, len(index), footpaths,
                                             [(int(t), access) for t in samples])
            for stop, dest, seconds in zip(egr_s, egr_d, np.rint(egr_t), strict=True):
                minutes[:, dest] = np.minimum(minutes[:, dest],
                                              at_stop[:, stop] + seconds - samples)
        mine = dir_o == origin
        minutes[:, dir_d[mine]] = np.minimum(minutes[:, dir_d[mine]], dir_t[mine])
        minutes = np.where(np.isfinite(minutes), minutes, 1e9)
        median, high = np.percentile(minutes, [50, 90], axis=0)
        for dest in np.flatnonzero(median <= 5400):
            expected.append((origin, dest, median[dest] / 60,
                             high[dest] / 60 if high[dest] <= 5400 else np.nan))
    reference = pd.DataFrame(expected, columns=["origin", "dest", "minutes", "minutes_high"])
    assert len(found) == len(reference) > len(origins)
    pd.testing.assert_frame_equal(found.reset_index(drop=True), reference,
                                  check_dtype=False, atol=1e-9)
    # Public transport does matter here: some pairs beat walking by far.
    walking = pd.DataFrame({"origin": dir_o, "dest": dir_d, "walk": dir_t / 60})
    both = found.merge(walking, on=["origin", "dest"], how="left")
    assert (both["minutes"] < both["walk"].fillna(np.inf) - 10).any()


@st.composite
def timetables(draw: st.DrawFn) -> tuple[pd.DataFrame, int, tuple[np.ndarray, ...]]:
    n_stops = draw(st.integers(3, 8))
    rows = []
    for trip in range(draw(st.integers(1, 14))):
        stops = draw(st.lists(st.integers(0, n_stops - 1), min_size=2, max_size=n_stops,
                              unique=True))
        t = draw(st.integers(0, 3000))
        for stop in stops:
            dwell = draw(st.sampled_from([0, 30]))
            # Now and then a stop where no one gets on, or off (pickup/drop_off_type 1).
            board, alight = draw(st.sampled_from([(True, True)] * 4 + [(False, True),
                                                                        (True, False)]))
            rows.append((f"t{trip}", stop, t, t + dwell, board, alight))
            t += dwell + draw(st.integers(1, 600))
    pairs = draw(st.lists(st.tuples(st.integers(0, n_stops - 1), st.integers(0, n_stops - 1),
                                    st.integers(0, 400)), max_size=6, unique_by=lambda p: p[:2]))
    pairs = [p for p in pairs if p[0] != p[1]]
    footpaths = tuple(np.array([p[k] for p in pairs], dtype=np.int64) for k in range(3))
    columns = ["trip", "stop", "arr", "dep", "board", "alight"]
    return pd.DataFrame(rows, columns=columns), n_stops, footpaths


@settings(max_examples=80, deadline=None)
@given(case=timetables(), start=st.integers(0, 3000), later=st.integers(1, 900),
       stop=st.integers(0, 7), walk=st.integers(0, 200))
def test_leaving_later_never_arrives_earlier_and_raptor_is_exact(
        case: tuple[pd.DataFrame, int, tuple[np.ndarray, ...]], start: int, later: int,
        stop: int, walk: int) -> None:
    times, n_stops, footpaths = case
    stop %= n_stops
    table = Timetable.build(times, n_stops, footpaths=footpaths)
    starts = np.array([start, start + later])
    best = earliest_arrivals(table, starts, (np.array([0, 1]), np.array([stop, stop]),
                                             np.array([walk, walk])),
                             max_rides=30, limit_s=starts + 10**6)
    assert (best[0] <= best[1]).all()  # FIFO: waiting is always allowed
    reference = time_expanded_arrivals(times, n_stops, footpaths,
                                       [(int(t), [(stop, float(walk))]) for t in starts])
    np.testing.assert_array_equal(np.where(best >= INF, np.inf, best), reference)


@settings(max_examples=60, deadline=None)
@given(case=timetables(), seed=st.integers(0, 2**16))
def test_querying_at_boarding_events_is_querying_every_minute(
        case: tuple[pd.DataFrame, int, tuple[np.ndarray, ...]], seed: int) -> None:
    """The departures that matter give the same minute-by-minute table as every minute.

    Stops, origins and destinations lie at random within a few kilometres: some stops are
    reached on foot from an origin only through another stop and a footpath.
    """
    times, n_stops, footpaths = case
    rng = np.random.default_rng(seed)
    stops_xy, places_xy = rng.uniform(0, 3000, (n_stops, 2)), rng.uniform(0, 3000, (4, 2))
    table = Timetable.build(times, n_stops, footpaths=footpaths)
    window = Window("test", "test", False, 600, 2400)
    found = []
    for sampled_above in (10**9, 0):  # always the events; always every minute
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(transit, "SAMPLED_ABOVE", sampled_above)
            found.append(window_minutes(table, stops_xy, places_xy, places_xy, window=window,
                                        walk=StraightWalk(),
                                        options=TransitOptions(access_min=10, max_rides=10)))
    pd.testing.assert_frame_equal(found[0], found[1])


def test_fewer_rides_never_arrive_earlier(feed_file: Path) -> None:
    feeds = read_feeds([feed_file])
    index, _ = stops_of(feeds)
    times = service_day(feeds, TUESDAY, index, 7 * 3600, 12 * 3600)
    table = Timetable.build(times, len(index))
    g, c = index.get_loc("0:G"), index.get_loc("0:C")
    start = np.array([7 * 3600 + 600])
    access = (np.array([0]), np.array([g]), np.array([0]))
    arrivals = [earliest_arrivals(table, start, access, max_rides=k,
                                  limit_s=start + 5 * 3600)[0, c] for k in (1, 2, 3)]
    # G → C takes a change at B (the night trip has gone by 7:10): none with one ride.
    assert arrivals[0] >= INF
    assert arrivals[1] == arrivals[2] < INF


def test_no_boarding_where_the_feed_forbids_it(mairies: pd.DataFrame, tmp_path: Path) -> None:
    tables = gueret_tables(stop_points(mairies))
    times = tables["stop_times.txt"]
    # The first trip (L1-0, G at 6:00 → A → B) takes no one on at G, and lets no one off at A.
    times[0]["pickup_type"] = 1
    times[1]["drop_off_type"] = 1
    feeds = read_feeds([write_feed(tmp_path / "regles.zip", tables)])
    index, _ = stops_of(feeds)
    day = service_day(feeds, TUESDAY, index, 5 * 3600, 9 * 3600)
    first = day[day["trip"] == "0:L1-0@0"]
    assert first["board"].tolist() == [False, True, True]
    assert first["alight"].tolist() == [True, False, True]
    table = Timetable.build(day, len(index))
    g, a, b = (index.get_loc(f"0:{k}") for k in "GAB")
    start = np.array([6 * 3600 - 300])
    best = earliest_arrivals(table, start, (np.array([0]), np.array([g]), np.array([0])),
                             max_rides=1, limit_s=start + 7200)[0]
    # The 6:30 trip instead: A at 6:40, B at 6:53 (the 6:00 one would reach B at 6:23).
    assert (best[a], best[b]) == (6 * 3600 + 2400, 6 * 3600 + 3180)
    times[2]["drop_off_type"] = 7
    with pytest.raises(InputError, match=r"expected 0 \(regular\), 1 \(none\)"):
        read_feeds([write_feed(tmp_path / "faux.zip", tables)])


# -- the calendar --------------------------------------------------------------------------
def trips_on(feed_file: Path, day: dt.date) -> set[str]:
    """The trips running on ``day``; those of the day before end in ``@-1``."""
    feeds = read_feeds([feed_file])
    index, _ = stops_of(feeds)
    times = service_day(feeds, day, index, 0, 48 * 3600)
    return {t.split(":", 1)[1].replace("@0", "").replace("@-86400", "@-1")
            for t in times["trip"]}


def test_calendar_exceptions_and_the_night_trip(feed_file: Path) -> None:
    tuesday = trips_on(feed_file, TUESDAY)
    assert "L1-0" in tuesday and "L1f-0" not in tuesday and "L1s-0" not in tuesday
    # The night trip of Monday's service runs at 6:40 on Tuesday, its times past 24:00.
    assert "N-1@-1" in tuesday
    feeds = read_feeds([feed_file])
    index, _ = stops_of(feeds)
    night = service_day(feeds, TUESDAY, index, 0, 48 * 3600)
    night = night[night["trip"] == "0:N-1@-86400"]
    assert night["dep"].min() == 6 * 3600 + 2400
    assert "N-1@-1" not in trips_on(feed_file, dt.date(2026, 11, 9))  # no service on Sunday
    holiday = trips_on(feed_file, dt.date(2026, 11, 11))  # 11 November: service removed
    assert "L1-0" not in holiday and "L1f-0" in holiday and "L2-0" not in holiday
    assert "N-1@-1" in holiday  # from Tuesday's service
    assert "N-1@-1" not in trips_on(feed_file, dt.date(2026, 11, 12))  # the holiday had none
    assert "L1s-0" in trips_on(feed_file, dt.date(2026, 11, 14))


def test_service_dates_pick_a_shared_weekday_and_the_next_saturday(feed_file: Path) -> None:
    feeds = read_feeds([feed_file])
    weekday, saturday = service_dates(feeds, TUESDAY)
    assert (weekday, saturday) == (TUESDAY, dt.date(2026, 11, 14))
    # Every weekday has the same trips but the holiday: the first of them.
    assert service_dates(feeds) == (dt.date(2026, 9, 1), dt.date(2026, 9, 5))
    with pytest.raises(InputError, match="Saturday"):
        service_dates(feeds, dt.date(2026, 11, 14))
    with pytest.raises(InputError, match="not a date of service"):
        service_dates(feeds, dt.date(2027, 3, 2))


# -- validation ----------------------------------------------------------------------------
def broken_feed(path: Path, mairies: pd.DataFrame) -> Path:
    tables = gueret_tables(stop_points(mairies))
    tables["stops.txt"][1]["stop_lat"] = "quarante-six"
    tables["stop_times.txt"][0]["arrival_time"] = "6h00"
    tables["stop_times.txt"][4]["stop_id"] = "Z"
    tables["stop_times.txt"][5]["arrival_time"] = "05:00:00"
    tables["trips.txt"][2]["route_id"] = "L9"
    tables["calendar.txt"][0]["start_date"] = "2026-09-01"
    return write_feed(path, tables)


def test_validation_lists_every_problem_with_its_place(
        mairies: pd.DataFrame, tmp_path: Path) -> None:
    path = broken_feed(tmp_path / "casse.zip", mairies)
    with pytest.raises(InputError) as error:
        read_feeds([path])
    found = {(p.file, p.row, p.column) for p in error.value.problems}
    assert found == {
        ("casse.zip/stops.txt", 3, "stop_lat"),
        ("casse.zip/stop_times.txt", 2, "arrival_time"),
        ("casse.zip/stop_times.txt", 6, "stop_id"),
        ("casse.zip/stop_times.txt", 7, "arrival_time"),
        ("casse.zip/trips.txt", 4, "route_id"),
        ("casse.zip/calendar.txt", 2, "start_date"),
    }
    messages = "\n".join(str(p) for p in error.value.problems)
    assert "'6h00' is not a time H:MM:SS" in messages
    assert "before it left the previous stop" in messages


def test_missing_files_and_columns_are_named(tmp_path: Path) -> None:
    path = write_feed(tmp_path / "vide.zip", {"stops.txt": [{"stop_id": "a"}]})
    with pytest.raises(InputError) as error:
        read_feeds([path, tmp_path / "absent.zip"])
    text = str(error.value)
    assert "vide.zip/routes.txt: missing" in text
    assert "vide.zip/stops.txt: `stop_lat`: column missing" in text
    assert "calendar.txt or calendar_dates.txt" in text
    assert "absent.zip: no such file" in text
    (tmp_path / "pas-un-zip.zip").write_text("stop_id\n", encoding="utf-8")
    with pytest.raises(InputError, match="not a readable zip file"):
        read_feeds([tmp_path / "pas-un-zip.zip"])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_bad_feed_on_the_command_line(mairies: pd.DataFrame, demo_workspace_file: Path,
                                        tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    workspace = tmp_path / "territoire.gpkg"
    shutil.copyfile(demo_workspace_file, workspace)
    before = digest(workspace)
    bad = broken_feed(tmp_path / "casse.zip", mairies)
    code = main(["network", "build", "--gtfs", str(bad), "--workspace", str(workspace),
                 "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err
    assert "casse.zip/stop_times.txt:6: `stop_id`: 'Z' is not in stops.txt" in err
    assert digest(workspace) == before


def test_a_feed_of_another_area_is_refused(demo_workspace_file: Path, tmp_path: Path) -> None:
    far = write_feed(tmp_path / "ailleurs.zip", gueret_tables(
        {k: (2.35 + i / 100, 48.85) for i, k in enumerate(STOPS)}))  # Paris
    workspace = tmp_path / "territoire.gpkg"
    shutil.copyfile(demo_workspace_file, workspace)
    with pytest.raises(InputError, match="cover another area"):
        build_transit(workspace, [far], date=TUESDAY, progress=False)


# -- the build and its flow ----------------------------------------------------------------
@pytest.fixture(scope="module")
def transit_file(demo_workspace_file: Path, feed_file: Path,
                 tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("transit") / "territoire.gpkg"
    shutil.copyfile(demo_workspace_file, path)
    code = main(["network", "build", "--gtfs", str(feed_file), "--date", "2026-11-10",
                 "--workspace", str(path), "--quiet"])
    assert code == 0
    return path


@pytest.fixture(scope="module")
def transit_layers(transit_file: Path) -> dict[str, pd.DataFrame]:
    workspace = Workspace(transit_file)
    return {name: workspace.read(name) for name in workspace.layers()}


def test_the_build_stores_every_window(transit_file: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    meta = read_transit(transit_file)
    assert meta is not None
    assert meta["weekday"] == "2026-11-10" and meta["saturday"] == "2026-11-14"
    assert set(meta["windows"]) == set(WINDOWS)
    assert meta["feeds"][0]["start"] == "2026-09-01"
    frame = Workspace(transit_file).read("travel_times")
    transit = frame[frame["mode"] == "transit"]
    assert set(transit["window"]) == set(WINDOWS)
    assert (transit["minutes"] <= 90).all()
    high = transit["minutes_high"].dropna()
    assert (high >= transit.loc[high.index, "minutes"] - 1e-9).all()
    assert main(["network", "show", "--workspace", str(transit_file)]) == 0
    out = capsys.readouterr().out
    assert "car-creuse.zip (Car régional (test)) : valable du 01/09/2026 au 31/12/2026" in out
    assert "samedi 10 h–12 h" in out


def test_timetables_flow_into_the_indicators(transit_layers: dict[str, pd.DataFrame],
                                             near_gueret: tuple[np.ndarray, np.ndarray]
                                             ) -> None:
    codes, _ = near_gueret
    routed = Routed.of(transit_layers)
    assert routed is not None and routed.windows == tuple(WINDOWS)
    morning = indicators(transit_layers, params=Parameters(window="weekday_am"))
    saturday = indicators(transit_layers, params=Parameters(window="saturday"))
    estimate = indicators(transit_layers, params=Parameters())
    near = morning["zone_id"].isin(codes).to_numpy()
    assert not np.allclose(morning["nearest_min"][near], estimate["nearest_min"][near])
    assert not np.allclose(morning["nearest_min"][near], saturday["nearest_min"][near])
    far = ~near & (estimate["nearest_min"] > 90).to_numpy()
    np.testing.assert_allclose(morning["nearest_min"][far], estimate["nearest_min"][far])
    rows = {r["label"]: r for r in morning.attrs["sources"]}
    timetable = rows["Horaires de transports en commun"]
    assert timetable["value"] == "semaine 7 h–9 h"
    assert "car-creuse.zip" in timetable["source"] and "10/11/2026" in timetable["source"]
    assert rows["Mode de déplacement"]["value"] == "transports en commun (semaine 7 h–9 h)"
    assert "Horaires de transports en commun" not in {
        r["label"] for r in estimate.attrs["sources"]}


def test_nine_departures_in_ten_bound_the_nearest_place(
        transit_layers: dict[str, pd.DataFrame], near_gueret: tuple[np.ndarray, np.ndarray]
        ) -> None:
    """The nearest place's high percentile: the smallest of the places' 90th percentiles."""
    codes, _ = near_gueret
    routed = Routed.of(transit_layers)
    assert routed is not None
    params = Parameters(window="weekday_am")
    table = indicators(transit_layers, params=params)
    high, median = table["nearest_min_high"], table["nearest_min"]
    assert high.notna().all() and (high >= median - 1e-9).all()
    near = table["zone_id"].isin(codes).to_numpy()
    assert (high[near] > median[near] + 1).any()  # hourly coaches: the median hides a wait
    # By hand, for the communes near Guéret: each place's stored 90th percentile, smallest.
    communes = transit_layers["communes"].set_index("code_insee")
    places = pd.concat([open_sites(transit_layers["sites"]).geometry,
                        outreach_places(transit_layers["actions"]).geometry])
    xy = np.column_stack([places.x, places.y])
    pairs = routed.pairs(list(codes), xy, mode="transit", no_car_share=0.0,
                         window="weekday_am", column="minutes_high")
    smallest = pairs.groupby("row")["minutes"].min()
    by_code = table.set_index("zone_id")["nearest_min_high"]
    for row, minutes in smallest.items():
        assert by_code[codes[row]] == pytest.approx(minutes)
    assert communes.index.isin(table["zone_id"]).all()
    # Only the timetables know their spread: in any other mode, no figure.
    assert indicators(transit_layers, params=Parameters(mode="car"))[
        "nearest_min_high"].isna().all()
    with pytest.raises(ValueError, match="public transport over a window only"):
        routed.pairs(list(codes), xy, mode="car", no_car_share=0.0, column="minutes_high")


def test_the_command_line_takes_the_morning_window_by_default(transit_file: Path,
                                                               tmp_path: Path) -> None:
    def run(*options: str) -> str:
        out = tmp_path / f"indicateurs{len(list(tmp_path.iterdir()))}.csv"
        assert main(["indicators", "--workspace", str(transit_file), "--level", "commune",
                     "--out", str(out), *options]) == 0
        return out.read_text(encoding="utf-8")

    default = run()
    assert run("--window", "weekday_am") == default
    assert run("--window", "estimate") != default


def test_a_window_not_built_is_refused(demo_workspace_file: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["indicators", "--workspace", str(demo_workspace_file), "--window",
                 "saturday", "--out", "nowhere.csv"])
    assert code == 2
    assert "no timetabled public transport for --window saturday" in capsys.readouterr().err


def test_the_report_names_the_feeds_and_the_window(transit_file: Path,
                                                   transit_layers: dict[str, pd.DataFrame]
                                                   ) -> None:
    from territory.report import build_report
    from territory.report._data import collect
    from territory.report._method import definitions, method_tables

    params = Parameters(window="weekday_pm")
    data = collect(transit_layers, metadata=Workspace(transit_file).metadata(),
                   ml_code=None, period=None, params=params)
    text = " ".join(" ".join(map(str, row)) for table in method_tables(data)
                    for row in table.rows)
    assert "car-creuse.zip" in text and "valable du 01/09/2026 au 31/12/2026" in text
    assert "semaine 17 h–19 h" in text
    assert "horaires des réseaux (GTFS)" in " ".join(v for _, v in definitions(data))
    assert build_report is not None


def test_the_map_names_the_timetable_it_measures_with(
        transit_file: Path, transit_layers: dict[str, pd.DataFrame], tmp_path: Path) -> None:
    members = transit_layers["catchment_members"]
    ml = str(members.loc[members["code_insee"] == "23096", "ml_code"].iloc[0])
    for window, named in (("saturday", True), ("estimate", False)):
        out = tmp_path / f"{window}.html"
        assert main(["map", "--workspace", str(transit_file), "--ml", ml, "--window", window,
                     "--out", str(out)]) == 0
        text = out.read_text()
        assert ("Horaires : car-creuse.zip (" in text) is named
        assert ("valable du 01/09/2026 au 31/12/2026" in text) is named


def test_a_road_build_keeps_the_timetables(transit_file: Path, tmp_path: Path) -> None:
    from territory.network.store import _with_transit

    workspace = Workspace(transit_file)
    roads = pd.DataFrame({"origin": ["23096"], "dest_x": [1], "dest_y": [2], "mode": ["car"],
                          "minutes": [3.0]})
    combined = _with_transit(workspace, roads)
    assert set(combined["mode"]) == {"car", "transit"}
    assert (combined.loc[combined["mode"] == "car", "window"] == "").all()


def test_the_plan_says_its_window(transit_file: Path, transit_layers: dict[str, pd.DataFrame],
                                  capsys: pytest.CaptureFixture[str]) -> None:
    members = transit_layers["catchment_members"]
    ml = str(members.loc[members["code_insee"] == "23096", "ml_code"].iloc[0])
    assert main(["plan", "--workspace", str(transit_file), "--add", "1", "--ml", ml,
                 "--window", "saturday", "--time-limit", "30"]) == 0
    out = capsys.readouterr().out
    assert "Déplacement : transports en commun (samedi 10 h–12 h) (temps routés" in out


def test_the_dashboards_read_the_same_parameters() -> None:
    from territory.dashboards import data

    filters = data.Filters(None, 30.0, ("maraude",), "transit@saturday")
    assert filters.params == Parameters(window="saturday")
    assert data.Filters(None, 30.0, (), "car").params == Parameters(mode="car")


def test_walks_follow_the_extract_when_one_is_given(demo_workspace_file: Path,
                                                    feed_file: Path, tmp_path: Path,
                                                    transit_layers: dict[str, pd.DataFrame]
                                                    ) -> None:
    from .test_flow import grid_extract

    path = tmp_path / "territoire.gpkg"
    shutil.copyfile(demo_workspace_file, path)
    halls = Workspace(path).read("mairies")
    hall = halls.loc[halls["code_insee"] == "23096"].geometry.iloc[0]
    extract = grid_extract(tmp_path / "gueret.osm.pbf", (float(hall.x), float(hall.y)))
    assert main(["network", "build", "--osm", str(extract), "--modes", "walk", "--gtfs",
                 str(feed_file), "--date", "2026-11-10", "--windows", "weekday_am",
                 "--workspace", str(path), "--quiet"]) == 0
    meta = read_transit(path)
    assert meta is not None and "réseau piéton OpenStreetMap" in meta["walk"]
    frame = Workspace(path).read("travel_times")
    assert set(frame["mode"]) == {"walk", "transit"}
    assert set(frame.loc[frame["mode"] == "transit", "window"]) == {"weekday_am"}
    # On the grid's streets, walks are longer than the straight line × 1.3 in places.
    keys = ["origin", "dest_x", "dest_y"]
    grid = frame[frame["mode"] == "transit"].set_index(keys)["minutes"]
    straight = transit_layers["travel_times"]
    straight = straight[(straight["mode"] == "transit")
                        & (straight["window"] == "weekday_am")].set_index(keys)["minutes"]
    both = grid.to_frame("grid").join(straight.to_frame("straight"), how="inner")
    assert len(both) > 100
    assert not np.allclose(both["grid"], both["straight"])


def test_reach_curves_say_their_window(transit_file: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reach", "--workspace", str(transit_file), "--window", "weekday_pm"]) == 0
    assert "en transports en commun (semaine 17 h–19 h)" in capsys.readouterr().out
