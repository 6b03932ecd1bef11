"""The demo's fictional timetable: a valid GTFS feed, reproducible, marked fictional."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from territory.cli import main
from territory.demo import DemoFeed, demo_feed_path, write_demo_feed
from territory.demo._transit import AGENCY, DEMO_WEEKDAY, HOLIDAYS
from territory.io.workspace import Workspace
from territory.network import read_transit
from territory.network.gtfs import read_feeds, service_dates

from .conftest import SEED

pytest.importorskip("gtfs_kit")


@pytest.fixture(scope="module")
def feed(reference: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame],
         tmp_path_factory: pytest.TempPathFactory) -> DemoFeed:
    communes, mairies = reference
    return write_demo_feed(communes, mairies, tmp_path_factory.mktemp("gtfs") / "demo.zip",
                           seed=SEED)


def test_the_feed_is_valid_and_the_same_for_the_same_seed(
        feed: DemoFeed, reference: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame],
        tmp_path: Path) -> None:
    communes, mairies = reference
    again = write_demo_feed(communes, mairies, tmp_path / "again.zip", seed=SEED)
    assert again.path.read_bytes() == feed.path.read_bytes()
    other = write_demo_feed(communes, mairies, tmp_path / "other.zip", seed=SEED + 1)
    assert other.path.read_bytes() != feed.path.read_bytes()
    (read,) = read_feeds([feed.path])  # every check of an imported feed passes
    assert read.agencies == (AGENCY,) and "données fictives" in AGENCY
    assert read.counts == {"stops": feed.stops, "routes": feed.routes, "trips": feed.trips}
    # A year-long calendar: the busiest weekday is the first on a tie (and gtfs-kit's
    # warnings stay off the terminal: warnings are errors here).
    assert service_dates([read]) == (dt.date(2026, 9, 1), dt.date(2026, 9, 5))


def test_every_stop_is_a_town_hall_and_every_departement_has_lines(
        feed: DemoFeed, reference: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]) -> None:
    communes, _ = reference
    (read,) = read_feeds([feed.path])
    stops = read.feed.stops
    codes = stops["stop_id"].str.removeprefix("A")
    assert codes.isin(communes["code_insee"]).all()
    assert stops["stop_name"].str.endswith("(fictif)").all()
    routes = read.feed.routes
    assert set(routes["route_type"].astype(int)) == {2, 3}  # trains and coaches
    served = communes.set_index("code_insee").loc[codes, "dep_code"]
    assert set(served) == set(communes["dep_code"])


def test_no_service_on_holidays_and_sundays(feed: DemoFeed) -> None:
    (read,) = read_feeds([feed.path])
    for holiday in HOLIDAYS:
        assert holiday not in read.dates
        assert holiday - dt.timedelta(days=7) in read.dates  # the same weekday runs
    assert not any(day.weekday() == 6 for day in read.dates)
    weekday = read.feed.get_trips(DEMO_WEEKDAY.strftime("%Y%m%d"))
    saturday = read.feed.get_trips((DEMO_WEEKDAY + dt.timedelta(days=4)).strftime("%Y%m%d"))
    assert 0 < len(saturday) < 0.6 * len(weekday)


def test_the_demo_command_builds_the_timetable_minutes(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "territoire.gpkg"
    assert main(["demo", "--transit", "--workspace", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"Horaires fictifs de cars et de trains : {demo_feed_path(path)}" in out
    assert "samedi 10 h–12 h :" in out
    assert demo_feed_path(path).exists()
    workspace = Workspace(path)
    # Demo minutes: the demo may be rebuilt over them, and every export says so.
    assert workspace.is_demo("travel_times") and workspace.is_demo("transit_feeds")
    assert workspace.real_layers() == []
    meta = read_transit(path)
    assert meta is not None and meta["weekday"] == DEMO_WEEKDAY.isoformat()
    assert set(meta["windows"]) == {"weekday_am", "weekday_pm", "saturday"}
    times = pd.DataFrame(workspace.read("travel_times"))
    by_window = times[times["mode"] == "transit"].groupby("window", observed=True).size()
    # Fewer coaches on Saturdays: fewer pairs within the cutoff.
    assert by_window["saturday"] < by_window["weekday_am"]
    assert main(["network", "show", "--workspace", str(path)]) == 0
    assert "(Réseau régional fictif (données fictives)) : valable du 01/09/2026" in \
        capsys.readouterr().out
