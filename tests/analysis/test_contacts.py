"""Contacts: each young person counted once, the funnel, the series over time."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from territory._errors import InputError
from territory.analysis import contact_series, funnel, reached, young_people


def test_reached_counts_distinct_people_at_their_latest_residence(toy) -> None:
    # j1 moved from A to B in 2021; j4 was met in 2019
    assert reached(toy["contacts"]).to_dict() == {"00001": 2, "00002": 1, "00003": 2}
    assert reached(toy["contacts"], period=("2020", "2020")).to_dict() == {
        "00001": 3, "00003": 1}
    assert reached(toy["contacts"], by="ml_code").to_dict() == {"ML1": 5}


def test_furthest_stage_wins(toy) -> None:
    people = young_people(toy["contacts"])
    assert people.loc["j1", "stage_level"] == 3
    assert young_people(toy["contacts"], period=("2020", "2020")).loc["j1", "stage_level"] == 1


def test_funnel_counts_and_rates(toy) -> None:
    got = funnel(toy["contacts"])
    assert got[["repere", "mobilise", "accompagne"]].to_dict("index") == {
        "00001": {"repere": 2, "mobilise": 1, "accompagne": 0},
        "00002": {"repere": 1, "mobilise": 1, "accompagne": 1},
        "00003": {"repere": 2, "mobilise": 1, "accompagne": 0},
    }
    assert got.loc["00001", "mobilise_rate"] == 0.5
    assert got.loc["00002", "accompagne_rate"] == 1.0
    per_ml = funnel(toy["contacts"], by="ml_code")
    assert per_ml.loc["ML1"].tolist() == pytest.approx([5, 3, 1, 0.6, 1 / 3])


def test_monthly_series_shows_empty_months(toy) -> None:
    series = contact_series(toy["contacts"]).set_index("period")
    assert len(series) == 26  # January 2019 to February 2021
    may = series.loc[pd.Period("2020-05", "M")]
    assert may[["contacts", "reached", "first_contacts"]].tolist() == [3, 3, 3]
    assert series.loc[pd.Period("2020-04", "M"), "contacts"] == 0
    assert series.loc[pd.Period("2021-02", "M"), "first_contacts"] == 0
    assert series["first_contacts"].sum() == 5


def test_quarterly_whole_and_split_series(toy) -> None:
    quarters = contact_series(toy["contacts"], freq="quarter", period=("2020", "2020"))
    assert quarters["reached"].tolist() == [0, 4, 0, 0]
    whole = contact_series(toy["contacts"], freq=None)
    assert whole[["contacts", "reached"]].iloc[0].tolist() == [6, 5]
    by_commune = contact_series(toy["contacts"], by="code_insee", period=("2020-05", "2020-06"))
    assert set(by_commune["code_insee"]) == {"00001", "00003"}
    assert len(by_commune) == 4  # two communes × two months


def test_unknown_stage_is_named(toy) -> None:
    contacts = toy["contacts"].assign(stage=["repere", "oriente", "repere", "repere",
                                             "repere", "repere"])
    with pytest.raises(InputError, match="oriente"):
        funnel(contacts)


def test_bad_period_and_frequency(toy) -> None:
    with pytest.raises(InputError, match="ends before"):
        reached(toy["contacts"], period=("2021", "2020"))
    with pytest.raises(InputError, match="not a date"):
        reached(toy["contacts"], period=("spring", None))
    with pytest.raises(InputError, match="freq"):
        contact_series(toy["contacts"], freq="week")


contact_rows = st.lists(
    st.tuples(st.sampled_from(["j1", "j2", "j3", "j4", "j5", "j6"]),
              st.dates(pd.Timestamp("2019-01-01").date(), pd.Timestamp("2021-12-31").date()),
              st.sampled_from(["00001", "00002", "00003"]),
              st.sampled_from(["repere", "mobilise", "accompagne"])),
    min_size=1, max_size=40)


@settings(max_examples=60, deadline=None)
@given(contact_rows)
def test_funnel_is_nested_and_sums_to_the_people(rows: list) -> None:
    contacts = pd.DataFrame(rows, columns=["contact_id", "date", "code_insee", "stage"])
    contacts["date"] = pd.to_datetime(contacts["date"])
    contacts["ml_code"] = "ML1"
    got = funnel(contacts)
    assert (got["repere"] >= got["mobilise"]).all()
    assert (got["mobilise"] >= got["accompagne"]).all()
    assert got["repere"].sum() == contacts["contact_id"].nunique()
    rates = got[["mobilise_rate", "accompagne_rate"]].stack().dropna()
    assert ((rates >= 0) & (rates <= 1)).all()
