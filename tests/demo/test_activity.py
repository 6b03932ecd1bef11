"""Actions and contacts: the programme's period, the lockdown, the funnel, no personal data."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import shapely

from territory.io._schema import ACTION_KINDS, STAGES

START, END = pd.Timestamp("2019-12-01"), pd.Timestamp("2021-11-30")
PERSONAL = re.compile(r"nom|prenom|prénom|mail|tel|phone|nir|secu|adresse|address|birth|naiss")


def _physical_per_month(actions: pd.DataFrame) -> pd.Series:
    physical = actions[actions["kind"] != "numerique"]
    return physical["date"].dt.to_period("M").value_counts().sort_index()


def test_actions_fall_in_the_programme_period(workspace_layers: dict[str, pd.DataFrame]) -> None:
    actions = workspace_layers["actions"]
    assert 3000 <= len(actions) <= 8000
    assert actions["action_id"].is_unique
    assert actions["date"].between(START, END).all()
    assert set(actions["kind"]) == set(ACTION_KINDS)
    assert (actions["youth_met"] >= 0).all()


def test_the_spring_2020_lockdown_shows_in_monthly_counts(
    workspace_layers: dict[str, pd.DataFrame],
) -> None:
    actions = workspace_layers["actions"]
    monthly = _physical_per_month(actions)
    ordinary = monthly[[pd.Period(m, "M") for m in ("2019-12", "2020-01", "2020-02",
                                                    "2021-09", "2021-10")]].mean()
    assert monthly[pd.Period("2020-04", "M")] < 0.25 * ordinary
    online = actions[actions["kind"] == "numerique"]["date"].dt.to_period("M").value_counts()
    assert online[pd.Period("2020-04", "M")] > online.median()


def test_the_second_lockdown_reduces_face_to_face_work(
    workspace_layers: dict[str, pd.DataFrame],
) -> None:
    monthly = _physical_per_month(workspace_layers["actions"])
    assert monthly[pd.Period("2020-11", "M")] < 0.75 * monthly[pd.Period("2020-10", "M")]


def test_actions_take_place_in_their_catchment(workspace_layers: dict[str, pd.DataFrame]) -> None:
    actions = workspace_layers["actions"]
    online = actions["kind"] == "numerique"
    assert actions.loc[online].geometry.isna().all()
    assert (actions.loc[online, "code_insee"] == "").all()
    here = actions.loc[~online]
    communes = workspace_layers["communes"].set_index("code_insee")
    polygons = communes.loc[here["code_insee"], "geometry"].to_numpy()
    assert shapely.covers(polygons, here.geometry.to_numpy()).all()
    members = workspace_layers["catchment_members"]
    pairs = set(zip(members["ml_code"], members["code_insee"], strict=True))
    assert all(p in pairs for p in zip(here["ml_code"], here["code_insee"], strict=True))


def test_consortium_members_do_most_of_the_outreach(
    workspace_layers: dict[str, pd.DataFrame],
) -> None:
    catchments = workspace_layers["catchments"].set_index("ml_code")
    counts = workspace_layers["actions"].groupby("ml_code").size()
    counts = counts.reindex(catchments.index, fill_value=0)
    member = catchments["in_consortium"]
    assert counts[member].mean() > 3 * counts[~member].mean()


def test_some_populous_communes_are_left_unvisited(
    workspace_layers: dict[str, pd.DataFrame],
) -> None:
    communes = workspace_layers["communes"]
    top = communes.nlargest(100, "youth")["code_insee"]
    visited = set(workspace_layers["actions"]["code_insee"])
    assert 5 <= (~top.isin(visited)).sum() <= 60


def test_contacts_hold_no_personal_data(workspace_layers: dict[str, pd.DataFrame]) -> None:
    contacts = workspace_layers["contacts"]
    assert not [c for c in contacts.columns if PERSONAL.search(c.lower())]
    assert "geometry" not in contacts.columns
    assert contacts["contact_id"].str.fullmatch(r"J[0-9a-f]{8}").all()
    assert contacts["contact_id"].is_unique


def test_contacts_follow_their_action(workspace_layers: dict[str, pd.DataFrame]) -> None:
    contacts = workspace_layers["contacts"]
    assert 10_000 <= len(contacts) <= 25_000
    assert contacts["date"].between(START, END).all()
    met = contacts[contacts["action_id"] != ""]
    assert len(met) > 0.9 * len(contacts)
    actions = workspace_layers["actions"].set_index("action_id")
    assert (met["date"].to_numpy() >= actions.loc[met["action_id"], "date"].to_numpy()).all()
    assert (met["ml_code"].to_numpy() == actions.loc[met["action_id"], "ml_code"].to_numpy()).all()
    assert set(contacts["code_insee"]) <= set(workspace_layers["communes"]["code_insee"])


def test_contacts_live_mostly_in_their_catchment(
    workspace_layers: dict[str, pd.DataFrame],
) -> None:
    contacts = workspace_layers["contacts"]
    members = workspace_layers["catchment_members"]
    pairs = set(zip(members["ml_code"], members["code_insee"], strict=True))
    inside = np.mean([p in pairs for p in zip(contacts["ml_code"], contacts["code_insee"],
                                               strict=True)])
    assert 0.85 < inside < 1.0


def test_the_funnel_narrows(workspace_layers: dict[str, pd.DataFrame]) -> None:
    stage = workspace_layers["contacts"]["stage"]
    assert set(stage) == set(STAGES)
    rank = stage.map({s: i for i, s in enumerate(STAGES)})
    reached = [(rank >= i).sum() for i in range(len(STAGES))]
    assert reached[0] > reached[1] > reached[2] > 0
    assert 0.55 < reached[1] / reached[0] < 0.75
    assert 0.45 < reached[2] / reached[1] < 0.70


def test_members_reach_out_in_their_head_office_town(
    workspace_layers: dict[str, pd.DataFrame],
) -> None:
    sites = workspace_layers["sites"]
    heads = sites[sites["kind"] == "siege"].set_index("ml_code")["code_insee"]
    members = workspace_layers["catchments"].query("in_consortium")["ml_code"]
    visited = set(zip(workspace_layers["actions"]["ml_code"],
                      workspace_layers["actions"]["code_insee"], strict=True))
    assert all((ml, heads[ml]) in visited for ml in members)
