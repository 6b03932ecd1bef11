"""Parameters: every default has a source a methodology page can print."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from territory._errors import InputError
from territory.analysis import Parameters
from territory.analysis.travel import MODES


def test_defaults_are_the_documented_figures() -> None:
    params = Parameters()
    assert params.neet_rate == 0.129  # Dares Analyses 2020-006, 16-25, 2018
    assert params.invisible_share == pytest.approx(1 - 0.63)  # same source
    assert params.threshold_min == 30  # France Services standard
    assert params.suppression_threshold == 11  # digiNEET: 10 or fewer masked


def test_sources_cover_every_parameter_in_french() -> None:
    rows = Parameters().sources(youth_source="INSEE RP 2017")
    assert list(rows.columns) == ["label", "value", "source"]
    text = " ".join(rows["source"])
    for cited in ("Dares Analyses n° 2020-006", "France Services", "Luo & Qi (2009)",
                  "digiNEET", "convention non confirmée", "INSEE RP 2017"):
        assert cited in text
    assert rows["value"].str.len().min() > 0
    assert "12,9 %" in set(rows["value"])


def test_travel_time_is_distance_times_detour_over_speed() -> None:
    car = Parameters(mode="car")
    assert car.travel_min(10_000) == pytest.approx(15.6)
    assert car.replace(detour_factor=1.0, speed_kmh=60).travel_min(30_000) == pytest.approx(30)
    assert car.radius_m == pytest.approx(30 / 60 * 50_000 / 1.3)
    assert Parameters(mode="walk").travel_min(1_000) == pytest.approx(1.3 / 3.6 * 60)
    assert Parameters(mode="bike").travel_min(1_000) == pytest.approx(1.3 / 12 * 60)


def test_public_transport_is_the_quicker_of_walking_and_waiting_for_the_bus() -> None:
    transit = Parameters()
    assert transit.mode == "transit"
    assert transit.travel_min(0) == 0
    assert transit.travel_min(500) == pytest.approx(Parameters(mode="walk").travel_min(500))
    assert transit.travel_min(10_000) == pytest.approx(10 + 10 * 1.3 / 20 * 60)
    mix = Parameters(mode="mix", no_car_share=0.25)
    assert mix.travel_min(10_000) == pytest.approx(
        0.25 * transit.travel_min(10_000) + 0.75 * Parameters(mode="car").travel_min(10_000))


@settings(max_examples=60, deadline=None)
@given(mode=st.sampled_from(list(MODES)), a=st.floats(0, 200_000), b=st.floats(0, 200_000),
       threshold=st.floats(1, 120))
def test_every_mode_takes_longer_for_longer_trips_and_its_radius_agrees(
        mode: str, a: float, b: float, threshold: float) -> None:
    params = Parameters(mode=mode, threshold_min=threshold)  # type: ignore[arg-type]
    near, far = sorted((a, b))
    assert params.travel_min(near) <= params.travel_min(far)
    radius = params.radius_m
    assert params.travel_min(radius) <= threshold + 1e-6
    assert params.travel_min(radius * 1.001 + 1) > threshold - 1e-6
    assert Parameters(mode="car").travel_min(far) <= Parameters(mode="walk").travel_min(far)


def test_bad_parameters_are_listed_together() -> None:
    with pytest.raises(InputError) as caught:
        Parameters(neet_rate=12.9, speed_kmh=0, decay="linear")
    message = str(caught.value)
    assert "neet_rate" in message and "speed_kmh" in message and "decay" in message
    assert len(caught.value.problems) == 3


def test_parameters_are_frozen_hashable_and_replaceable() -> None:
    params = Parameters(neet_rate_by_zone={"40": 0.15})
    assert hash(params) == hash(Parameters(neet_rate_by_zone={"40": 0.15}))
    assert params.replace(speed_kmh=40).speed_kmh == 40
    assert params.speed_kmh is None  # the mode's own speed
    with pytest.raises(AttributeError):
        params.neet_rate = 0.2  # type: ignore[misc]
    with pytest.raises(TypeError):
        params.neet_rate_by_zone["33"] = 0.2  # type: ignore[index]
    assert params.as_dict()["neet_rate_by_zone"] == {"40": 0.15}
