"""The impact study: its panel, its refusals, and what it finds on the demo."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from territory.analysis.impact import (
    build_panel,
    estimate,
    impact,
    learned_reach,
    quarterly,
    refusal,
)
from territory.analysis.params import DEFAULTS, Parameters


def test_the_toy_panel_counts_first_contacts_and_treats_the_commune_near_the_maraude(toy):
    panel = build_panel(toy, params=DEFAULTS, reach_min={})
    frame = panel.frame.set_index(["zone", "month"])
    # Months of record: from the first contact (January 2019) to the last (February 2021).
    assert (str(panel.months[0]), str(panel.months[-1])) == ("2019-01", "2021-02")
    assert len(panel.frame) == 4 * len(panel.months)
    # The maraude of May 2020 is at C's town hall: within 30 min by public transport of C
    # only (5.1 km in a straight line); A and B are 10 and 20 km away.
    cohorts = panel.zones.set_index("zone")["cohort"]
    may_2020 = (pd.Period("2020-05", "M") - panel.months[0]).n + 1
    assert cohorts.to_dict() == {"00001": 0, "00002": 0, "00003": may_2020, "00004": 0}
    # j4 came in January 2019 and lives in C (200 young people): 5 per 1,000.
    assert frame.loc[("00003", 1), "count"] == 1
    assert frame.loc[("00003", 1), "per_1000"] == pytest.approx(5.0)
    # Each young person counts once, in the month of their first contact: 5 in all.
    assert panel.frame["count"].sum() == 5
    assert panel.source == "contacts"


def test_a_wider_reach_treats_more_communes(toy):
    narrow = build_panel(toy, params=DEFAULTS, reach_min={"maraude": 20.0}).zones
    wide = build_panel(toy, params=DEFAULTS, reach_min={"maraude": 90.0}).zones
    assert (narrow["cohort"] > 0).sum() == 1
    assert (wide["cohort"] > 0).sum() == 3
    # Reaching further never makes a zone treated later.
    both = narrow.merge(wide, on="zone", suffixes=("_n", "_w"))
    later = (both["cohort_n"] > 0) & ((both["cohort_w"] == 0)
                                      | (both["cohort_w"] > both["cohort_n"]))
    assert not later.any()


def test_first_contacts_outrank_contacts_and_epci_zones_sum_their_communes(toy):
    toy["first_contacts"] = pd.DataFrame({
        "code_insee": ["00001", "00002", "00004"], "month": ["2019-03", "2019-03", "2020-01"],
        "repere": [2, 1, 0], "mobilise": [1, 0, 4], "accompagne": [0, 0, 3]})
    panel = build_panel(toy, level="epci", outcome="mobilise", params=DEFAULTS, reach_min={})
    assert panel.source == "first_contacts"
    frame = panel.frame.set_index(["zone", "month"])
    assert frame.loc[("E1", 1), "count"] == 1          # 2019-03: A's one mobilised
    assert frame.loc[("E2", 11), "count"] == 7         # 2020-01: D's 4 + 3
    assert frame.loc["E1", "youth"].iloc[0] == 1700


def test_refusals_say_why_in_french():
    frame = pd.DataFrame({"zone": np.repeat(np.arange(8), 6), "month": np.tile(np.arange(1, 7), 8),
                          "cohort": np.repeat([1, 1, 1, 1, 1, 0, 0, 0], 6)})
    assert "avant le début" in refusal(frame)
    frame["cohort"] = np.repeat([3, 3, 0, 0, 0, 0, 0, 0], 6)
    assert "trop peu de zones touchées" in refusal(frame)
    frame["cohort"] = np.repeat([3, 3, 3, 3, 3, 4, 4, 4], 6)
    assert "trop peu de zones de comparaison" in refusal(frame)
    frame["cohort"] = np.repeat([3, 3, 3, 3, 3, 0, 0, 0], 6)
    frame = pd.concat([frame, frame.assign(zone=frame["zone"] + 8)])
    assert refusal(frame) is None


def test_a_study_without_months_before_outreach_gives_no_number(toy):
    toy["contacts"] = toy["contacts"].assign(date=pd.to_datetime("2020-06-01"))
    study = impact(toy, reach_min={}, by_ml=False, bootstrap=99)
    assert study.overall is None and study.refused
    assert study.words().startswith("Pas d’estimation : ")


def _staggered(effect: float, *, seed: int = 3, zones: int = 240,
               months: int = 30) -> pd.DataFrame:
    """Zones in 12 clusters, three adoption cohorts and never-treated ones, and an effect
    that grows with time since treatment (where two-way fixed effects go wrong)."""
    rng = np.random.default_rng(seed)
    cohort = rng.choice([0, 10, 16, 22], size=zones)
    level = rng.normal(5.0, 1.5, zones)
    month = np.tile(np.arange(1, months + 1), zones)
    g = np.repeat(cohort, months)
    since = month - g
    planted = np.where((g > 0) & (since >= 0), effect * np.minimum(1.0, (since + 1) / 4), 0.0)
    y = np.repeat(level, months) + 0.05 * month + planted + rng.normal(0, 0.6, len(month))
    return pd.DataFrame({"zone": np.repeat(np.arange(zones), months), "month": month,
                         "cohort": g, "per_1000": y, "youth": 1000.0,
                         "cluster": np.repeat(np.arange(zones) % 12 + 1, months),
                         "count": 20, "ml_code": "ML1"})


def test_a_planted_staggered_effect_is_recovered_and_none_is_found_without_it():
    frame = _staggered(2.0)
    found = estimate(frame, bootstrap=199, clustered=True)
    # The truth in the same weighting: cohorts by their size, months since treatment alike.
    treated = frame[(frame["cohort"] > 0) & (frame["month"] >= frame["cohort"])]
    since = treated["month"] - treated["cohort"]
    per_cohort = (2.0 * np.minimum(1.0, (since + 1) / 4)).groupby(treated["cohort"]).mean()
    sizes = frame[frame["cohort"] > 0].drop_duplicates("zone").groupby("cohort").size()
    truth = float((per_cohort * sizes).sum() / sizes.sum())
    overall = found["overall"]
    assert overall.low <= truth <= overall.high
    assert overall.significant
    # The event study follows the ramp: about 0.5 in the first month, 2 from the fourth.
    events = found["events"].set_index("e")
    assert events.loc[0, "low"] <= 0.5 <= events.loc[0, "high"]
    assert events.loc[6, "low"] <= 2.0 <= events.loc[6, "high"]
    assert found["pretrend_covered"] == 1.0
    placebo = estimate(_staggered(0.0), bootstrap=199, clustered=True)["overall"]
    assert placebo.low <= 0 <= placebo.high


def test_an_estimate_resting_on_few_young_people_is_not_published():
    frame = _staggered(2.0).assign(count=0)
    found = estimate(frame, bootstrap=99, clustered=True, threshold=11)
    assert not found["overall"].published
    assert not found["events"]["published"].any()


def test_quarters_keep_each_zones_young_people_and_treatment_quarter():
    frame = _staggered(1.0, zones=20, months=12)
    quarters = quarterly(frame)
    assert len(quarters) == 20 * 4
    assert quarters["count"].sum() == frame["count"].sum()
    assert set(quarters["cohort"]) <= {0, 4}  # months 10 → quarter 4; 16, 22 beyond


@pytest.fixture(scope="module")
def demo_study(demo_layers):  # type: ignore[no-untyped-def]
    return impact(demo_layers, by_ml=False)


def _outreach_per_cell(layers, panel) -> pd.Series:  # type: ignore[no-untyped-def]
    contacts = layers["contacts"].sort_values("date").drop_duplicates("contact_id")
    month = (pd.to_datetime(contacts["date"]).dt.to_period("M") - panel.months[0]).map(
        lambda offset: offset.n + 1)
    return contacts.groupby([contacts["code_insee"].astype(str), month]).size()


def test_the_demo_recovers_its_planted_outreach_effect(demo_layers, demo_study):
    """The demo's first contacts are a baseline plus the outreach contacts (the planted
    effect): the estimate's interval holds the effect worked out from the contacts."""
    reach = learned_reach(demo_layers)
    panel = build_panel(demo_layers, params=DEFAULTS, reach_min=reach)
    frame = panel.frame[panel.frame["cohort"] > 1]
    planted = _outreach_per_cell(demo_layers, panel).reindex(
        pd.MultiIndex.from_frame(frame[["zone", "month"]]), fill_value=0).to_numpy()
    after = (frame["month"] >= frame["cohort"]).to_numpy()
    effect = pd.Series(planted / frame["youth"].to_numpy() * 1000)[after]
    cells = frame[after].reset_index(drop=True).assign(effect=effect.to_numpy())
    by_cohort = cells.groupby(["cohort", "month"])["effect"].mean().groupby("cohort").mean()
    sizes = frame.drop_duplicates("zone").groupby("cohort").size()
    truth = float((by_cohort * sizes).sum() / sizes.sum())
    overall = demo_study.overall
    assert overall is not None and overall.published
    assert overall.low <= truth <= overall.high, (truth, overall)
    assert overall.significant
    assert demo_study.pretrend_covered >= 0.9
    assert demo_study.source == "first_contacts"
    assert demo_study.months == ("2017-12", "2021-11")


def test_the_demo_without_its_planted_effect_shows_none(demo_layers):
    from territory.demo._first_contacts import _outreach

    outreach = _outreach(demo_layers["contacts"]).set_index(["code_insee", "month"])
    first = demo_layers["first_contacts"].set_index(["code_insee", "month"])
    baseline = first.sub(outreach.reindex(first.index, fill_value=0)).reset_index()
    assert (baseline[["repere", "mobilise", "accompagne"]] >= 0).all().all()
    placebo = {**demo_layers, "first_contacts": baseline}
    study = impact(placebo, by_ml=False)
    assert study.overall is not None
    assert study.overall.low <= 0 <= study.overall.high


def test_the_demo_reading_names_the_effect_and_its_interval(demo_study):
    words = demo_study.words()
    assert "pour 1 000 jeunes (intervalle" in words
    assert f"{demo_study.overall.low:.2f}".replace(".", ",") in words
    assert demo_study.consortium is not None or demo_study.consortium_reason


def test_a_higher_threshold_masks_the_estimates_resting_on_too_few(toy):
    params = Parameters(suppression_threshold=10_000)
    rng = np.random.default_rng(1)
    toy["first_contacts"] = pd.DataFrame({
        "code_insee": np.repeat(["00001", "00002", "00003", "00004"], 24),
        "month": np.tile(pd.period_range("2019-01", periods=24, freq="M").astype(str), 4),
        "repere": rng.integers(0, 4, 96), "mobilise": 0, "accompagne": 0})
    study = impact(toy, reach_min={}, params=params, by_ml=False, bootstrap=99)
    # Four communes are too few: the study refuses before any masking question.
    assert study.refused and "trop peu" in study.refused
