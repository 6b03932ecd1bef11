"""How far outreach reaches, learned from the contacts (territory.analysis.reach)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from territory.analysis import Parameters
from territory.analysis.reach import (
    ALL_PHYSICAL,
    DEFAULT_TAU_MIN,
    MIN_CONTACTS,
    fit_decay,
    reach_curves,
)
from territory.demo._contacts import DECAY_M_BY_KIND

CAR = Parameters(mode="car")


@pytest.fixture(scope="module")
def curves(demo_layers: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return reach_curves(demo_layers, params=CAR, bootstrap=100)


def test_the_fit_recovers_the_demo_generators_own_curve(curves: pd.DataFrame) -> None:
    # The demo draws each young person's commune with odds youth × share × exp(−d / λ), λ by
    # kind of action, in straight-line metres: by car (× 1.3 at 50 km/h, no fixed time) that
    # is exp(−t / τ) with τ = λ × 1.3 / 50 km/h.
    for kind, metres in DECAY_M_BY_KIND.items():
        truth = metres / 1000 * 1.3 / 50 * 60
        row = curves.loc[kind]
        assert row["fitted"] == "ajustée"
        assert row["tau_min"] == pytest.approx(truth, rel=0.06), kind
        assert row["tau_low"] <= row["tau_min"] <= row["tau_high"]
        assert row["tau_high"] - row["tau_low"] < 0.25 * truth  # thousands of contacts
    # Further reaching kinds are told apart, in the generator's order.
    order = curves.loc[list(DECAY_M_BY_KIND), "tau_min"].sort_values().index.tolist()
    assert order == sorted(DECAY_M_BY_KIND, key=DECAY_M_BY_KIND.__getitem__)


def test_each_kind_counts_its_actions_young_people_and_funnel(
        curves: pd.DataFrame, demo_layers: dict[str, pd.DataFrame]) -> None:
    actions, contacts = demo_layers["actions"], demo_layers["contacts"]
    kinds = actions.set_index("action_id")["kind"]
    per_kind = contacts["action_id"].map(kinds).value_counts()
    for kind in actions["kind"].unique():
        row = curves.loc[kind]
        assert row["actions"] == (actions["kind"] == kind).sum()
        assert row["contacts"] == per_kind[kind]
        assert row["contacts_per_action"] == pytest.approx(per_kind[kind] / row["actions"])
        stages = contacts.loc[contacts["action_id"].map(kinds) == kind, "stage"]
        assert row["accompanied_share"] == pytest.approx((stages == "accompagne").mean())
        assert row["mobilised_share"] >= row["accompanied_share"]
    # Online actions have no place: counted, with no curve.
    online = curves.loc["numerique"]
    assert online["fitted"] == "sans lieu" and np.isnan(online["tau_min"])
    assert "pas de lieu" in online["curve"].words()
    # Nobody is lost: located + outside = the young people of the kinds with a place.
    physical = curves.drop(index=["numerique", ALL_PHYSICAL])
    assert (physical["located"] + physical["outside"]).sum() == physical["contacts"].sum()
    assert curves.loc[ALL_PHYSICAL, "located"] == physical["located"].sum()


def test_the_planner_reads_the_curve_in_words(curves: pd.DataFrame) -> None:
    bus = curves.loc["bus"]
    words = bus["curve"].words()
    assert words.startswith("8 jeunes sur 10 atteints par un bus vivent à moins de ~")
    assert "en voiture, intervalle" in words and f"d’après {bus['actions']} actions" in words
    assert bus["reach_low"] <= bus["reach_min"] <= bus["reach_high"]


def test_a_kind_with_too_few_young_people_falls_back_to_all_kinds(
        demo_layers: dict[str, pd.DataFrame]) -> None:
    actions = demo_layers["actions"]
    buses = actions.index[actions["kind"] == "bus"]
    few = actions.drop(index=buses[8:])  # 8 buses: fewer than MIN_ACTIONS
    layers = {**demo_layers, "actions": few}
    curves = reach_curves(layers, params=CAR, bootstrap=20)
    assert curves.loc["bus", "fitted"] == "repli : toutes actions confondues"
    assert curves.loc["bus", "tau_min"] == curves.loc[ALL_PHYSICAL, "tau_min"]
    assert "trop peu de données" in curves.loc["bus", "curve"].words()
    # With hardly any contact at all, the stated default.
    keep = demo_layers["contacts"].iloc[:MIN_CONTACTS // 4]
    tiny = reach_curves({**demo_layers, "contacts": keep}, params=CAR, bootstrap=20)
    assert set(tiny.loc[tiny["fitted"] != "sans lieu", "fitted"]) == {"repli : valeur par défaut"}
    assert (tiny.loc[tiny["fitted"] != "sans lieu", "tau_min"] == DEFAULT_TAU_MIN).all()


def test_curves_follow_the_travel_mode(demo_layers: dict[str, pd.DataFrame],
                                       curves: pd.DataFrame) -> None:
    walking = reach_curves(demo_layers, params=Parameters(mode="walk"), bootstrap=20)
    # The same young people, slower trips: more minutes for the same places.
    assert (walking.loc["maraude", "reach_min"] > 5 * curves.loc["maraude", "reach_min"])
    assert walking.loc["maraude", "mode"] == "walk"


@settings(max_examples=15, deadline=None)
@given(tau=st.floats(3.0, 60.0), seed=st.integers(0, 2**32 - 1))
def test_maximum_likelihood_recovers_a_known_decay(tau: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_actions, n_communes = 300, 40
    minutes = rng.uniform(0, 4 * tau, size=(n_actions, n_communes))
    odds = rng.uniform(10, 1000, size=(n_actions, n_communes))
    p = odds * np.exp(-minutes / tau)
    p /= p.sum(axis=1, keepdims=True)
    picked = np.array([rng.choice(n_communes, size=20, p=row) for row in p])
    action = np.repeat(np.arange(n_actions), n_communes)
    c_action = np.repeat(np.arange(n_actions), 20)
    c_minutes = np.take_along_axis(minutes, picked, axis=1).ravel()
    got = fit_decay(action, minutes.ravel(), odds.ravel(), c_action, c_minutes)
    assert got == pytest.approx(tau, rel=0.2)
