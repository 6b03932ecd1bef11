"""Demand: youth × NEET rate, minus those reached, with sources."""

from __future__ import annotations

import pandas as pd
import pytest

from territory.analysis import Parameters, demand, neet_rates


def test_neet_and_invisible_estimates_by_hand(toy) -> None:
    reached = pd.Series([30, 0, 0, 0], index=toy["communes"].index)
    got = demand(toy["communes"], reached=reached)
    assert got["neet_est"].tolist() == pytest.approx([129, 64.5, 25.8, 12.9])
    # 129 × 0.37 − 30 = 17.73; nobody reached elsewhere
    assert got["invisible_est"].tolist() == pytest.approx([17.73, 23.865, 9.546, 4.773])
    assert (got["youth_source"] == "toy census").all()
    assert got["neet_source"].str.contains("2020-006").all()
    assert got["invisible_source"].str.contains("37,0 %").all()
    assert got.index.equals(toy["communes"].index)


def test_invisible_estimate_is_never_negative(toy) -> None:
    reached = pd.Series([500, 0, 0, 0], index=toy["communes"].index)
    assert demand(toy["communes"], reached=reached)["invisible_est"].iloc[0] == 0


def test_local_rates_most_specific_key_wins(toy) -> None:
    params = Parameters(neet_rate_by_zone={"01": 0.2, "E1": 0.1, "00001": 0.3})
    rates = neet_rates(toy["communes"], params=params)
    assert rates["neet_rate"].tolist() == [0.3, 0.1, 0.1, 0.129]
    assert rates["neet_source"].iloc[0].startswith("taux local")
    assert "Dares" in rates["neet_source"].iloc[3]


def test_global_overrides(toy) -> None:
    params = Parameters(neet_rate=0.2, invisible_share=0.5)
    got = demand(toy["communes"], params=params)
    assert got["neet_est"].iloc[0] == pytest.approx(200)
    assert got["invisible_est"].iloc[0] == pytest.approx(100)
    assert "50,0 %" in got["invisible_source"].iloc[0]


def test_demand_leaves_its_input_alone(toy) -> None:
    before = toy["communes"].copy()
    demand(toy["communes"], reached=pd.Series([1, 2, 3, 4]))
    pd.testing.assert_frame_equal(toy["communes"], before)
