"""Access: minutes to sites and outreach places, coverage and E2SFCA, worked out by hand."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from territory._errors import InputError
from territory.analysis import (
    Parameters,
    TravelPairs,
    access,
    commune_origins,
    decay_weights,
    e2sfca,
    open_sites,
    outreach_places,
)

M10 = 15.6  # minutes for 10 km by car (× 1.3 ÷ 50 km/h)
CAR = Parameters(mode="car")


def test_origins_are_town_halls_else_a_point_inside(toy) -> None:
    origins = commune_origins(toy["communes"], toy["mairies"])
    assert origins["origin_source"].tolist() == ["mairie"] * 3 + [
        "point intérieur de la commune"]
    assert origins.geometry.iloc[3].within(toy["communes"].geometry.iloc[3])
    assert origins.index.equals(toy["communes"].index)


def test_open_sites_are_those_in_service_on_the_last_day(toy) -> None:
    # Without a period: not closed. With one: in service on its last day (S2 closed in
    # June 2018, so it is not part of the network at the end of 2018).
    assert open_sites(toy["sites"])["site_id"].tolist() == ["S1"]
    assert open_sites(toy["sites"], period=("2017", "2018"))["site_id"].tolist() == ["S1"]
    assert open_sites(toy["sites"], period=("2017", "2018-06"))["site_id"].tolist() == [
        "S1", "S2"]
    assert open_sites(toy["sites"], period=("2010", "2014"))["site_id"].tolist() == ["S2"]


def test_outreach_places_are_physical_actions_of_the_period(toy) -> None:
    assert outreach_places(toy["actions"])["action_id"].tolist() == ["A1"]
    assert outreach_places(toy["actions"], period=("2021", "2021")).empty


def test_minutes_coverage_by_hand(toy) -> None:
    got = access(toy["communes"], toy["sites"], actions=toy["actions"], mairies=toy["mairies"],
                 period=("2020", "2020"), params=CAR)
    assert got["site_min"].tolist() == pytest.approx([0, M10, 2 * M10, 10 * M10])
    assert got["action_min"].tolist() == pytest.approx([2 * M10, M10, 0, 8 * M10])
    assert got["nearest_min"].tolist() == pytest.approx([0, M10, 0, 8 * M10])
    assert got["covered"].tolist() == [True, True, True, False]


def test_e2sfca_by_hand(toy) -> None:
    got = access(toy["communes"], toy["sites"], actions=toy["actions"], mairies=toy["mairies"],
                 period=("2020", "2020"), params=CAR)
    # S1: A at 0 min (weight 1) + B at 15.6 min (weight 0.68); C at 31.2 min is out.
    r_site = 10 / (1000 * 1 + 500 * 0.68)
    # The maraude: one session in 12 months, for C (weight 1) and B (weight 0.68).
    r_action = (1 / 12) / (200 * 1 + 500 * 0.68)
    expected = [1000 * r_site, 1000 * 0.68 * (r_site + r_action), 1000 * r_action, 0.0]
    assert got["e2sfca"].tolist() == pytest.approx(expected)


def test_e2sfca_without_actions_as_sessions(toy) -> None:
    got = access(toy["communes"], toy["sites"], actions=toy["actions"], mairies=toy["mairies"],
                 params=CAR.replace(actions_as_sessions=False))
    assert got["e2sfca"].iloc[2] == 0
    assert got["e2sfca"].iloc[0] == pytest.approx(1000 * 10 / 1340)


def test_threshold_and_speed_are_overridable(toy) -> None:
    slow = access(toy["communes"], toy["sites"], mairies=toy["mairies"],
                  params=CAR.replace(speed_kmh=25, threshold_min=20))
    assert slow["site_min"].iloc[1] == pytest.approx(2 * M10)
    assert slow["covered"].tolist() == [True, False, False, False]


def test_no_site_at_all_gives_missing_minutes(toy) -> None:
    got = access(toy["communes"], toy["sites"].iloc[:0], mairies=toy["mairies"])
    assert got["site_min"].isna().all()
    assert not got["covered"].any()
    assert (got["e2sfca"] == 0).all()


def test_wrong_crs_names_both_and_the_fix(toy) -> None:
    with pytest.raises(InputError) as caught:
        access(toy["communes"].to_crs(4326), toy["sites"])
    message = str(caught.value)
    assert "EPSG:4326" in message and "EPSG:2154" in message and "to_crs" in message


def test_missing_crs_says_how_to_set_it(toy) -> None:
    sites = toy["sites"].set_crs(None, allow_override=True)
    with pytest.raises(InputError, match="set_crs"):
        access(toy["communes"], sites)


def test_inputs_are_not_modified(toy) -> None:
    before = {name: frame.copy() for name, frame in toy.items()}
    access(toy["communes"], toy["sites"], actions=toy["actions"], mairies=toy["mairies"],
           period=("2020", "2020"))
    for name in ("communes", "sites", "actions", "mairies"):
        pd.testing.assert_frame_equal(toy[name], before[name])


def test_step_weights_are_luo_and_qi_zones() -> None:
    minutes = np.array([0, 10, 10.01, 20, 20.01, 30, 30.01])
    assert decay_weights(minutes).tolist() == [1, 1, 0.68, 0.68, 0.22, 0.22, 0]
    gauss = decay_weights(np.array([0.0, 30.0, 31.0]), decay="gaussian")
    assert gauss.tolist() == pytest.approx([1, 0.22, 0])
    with pytest.raises(InputError):
        decay_weights(minutes, decay="linear")


@given(st.lists(st.floats(0, 60), min_size=2, max_size=30),
       st.sampled_from(["step", "gaussian", "none"]))
def test_weights_never_grow_with_time(minutes: list[float], decay: str) -> None:
    ordered = np.sort(np.array(minutes))
    weights = decay_weights(ordered, decay=decay)
    assert np.all(np.diff(weights) <= 1e-12)
    assert np.all((weights >= 0) & (weights <= 1))


points = st.lists(st.tuples(st.floats(0, 60_000), st.floats(0, 60_000)), min_size=1,
                  max_size=25)


@settings(max_examples=60, deadline=None)
@given(points, points, st.lists(st.integers(0, 5000), min_size=25, max_size=25),
       st.lists(st.floats(0, 40), min_size=25, max_size=25))
def test_e2sfca_shares_out_all_supply_that_has_demand(
        origins: list, targets: list, youth: list[int], supply: list[float]) -> None:
    o, t = np.array(origins), np.array(targets)
    d = pd.Series(youth[:len(o)], dtype="float64")
    s = pd.Series(supply[:len(t)])
    pairs = TravelPairs.from_points(o, t, max_min=30)
    got = e2sfca(d, s, pairs)
    w = decay_weights(pairs.minutes)
    served = np.bincount(pairs.target, weights=d.to_numpy()[pairs.origin] * w,
                         minlength=len(t)) > 0
    assert (got >= 0).all()
    assert float((d * got).sum()) == pytest.approx(1000 * s[served].sum(), rel=1e-9, abs=1e-6)


def test_pairs_from_a_travel_time_matrix() -> None:
    table = pd.DataFrame({"origin": ["a", "b", "b"], "target": ["s", "s", "t"],
                          "minutes": [5.0, 25.0, 40.0]})
    pairs = TravelPairs.from_matrix(table, pd.Index(["a", "b"]), pd.Index(["s", "t"]))
    assert pairs.nearest().tolist() == [5.0, 25.0]
    got = e2sfca(pd.Series([100.0, 100.0]), pd.Series([10.0, 10.0]), pairs)
    share = 10 / (100 + 22)
    assert got.tolist() == pytest.approx([1000 * share, 1000 * 0.22 * share])
    with pytest.raises(InputError, match="not among"):
        TravelPairs.from_matrix(table, pd.Index(["a"]), pd.Index(["s", "t"]))


def test_sites_at_the_town_hall_count_at_zero_minutes() -> None:
    communes = gpd.GeoDataFrame({"code_insee": ["a"], "youth": [10]},
                                geometry=[shapely.box(0, 0, 100, 100)], crs=2154)
    sites = gpd.GeoDataFrame({"sessions_per_month": [2.0]},
                             geometry=[shapely.Point(50, 50)], crs=2154)
    got = access(communes, sites)
    assert got["site_min"].iloc[0] == 0
    assert got["e2sfca"].iloc[0] == pytest.approx(200)
