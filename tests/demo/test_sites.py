"""Sites: about 19 per Mission Locale, one head office each, all at real town halls."""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from territory.io._schema import SITE_KINDS


def test_about_810_sites_with_one_head_office_per_mission_locale(
    workspace_layers: dict[str, pd.DataFrame],
) -> None:
    sites = workspace_layers["sites"]
    assert 600 <= len(sites) <= 1000
    assert sites["site_id"].is_unique
    assert set(sites["kind"]) == set(SITE_KINDS)
    heads = sites[sites["kind"] == "siege"].groupby("ml_code").size()
    assert heads.to_dict() == dict.fromkeys(workspace_layers["catchments"]["ml_code"], 1)
    kinds = sites["kind"].value_counts()
    assert kinds["permanence"] > kinds["antenne"] > kinds["partenaire"]


def test_sites_sit_on_real_town_halls_of_their_catchment(
    workspace_layers: dict[str, pd.DataFrame],
) -> None:
    sites = workspace_layers["sites"]
    mairies = workspace_layers["mairies"].set_index("code_insee")
    town_hall = mairies.loc[sites["code_insee"], "geometry"].to_numpy()
    assert shapely.equals(sites.geometry.to_numpy(), town_hall).all()
    members = workspace_layers["catchment_members"]
    pairs = set(zip(members["ml_code"], members["code_insee"], strict=True))
    assert all(pair in pairs for pair in zip(sites["ml_code"], sites["code_insee"],
                                             strict=True))
    assert not sites.duplicated("code_insee").any()


def test_head_office_is_in_the_most_populous_commune(
    workspace_layers: dict[str, pd.DataFrame],
) -> None:
    population = workspace_layers["communes"].set_index("code_insee")["population"]
    sites = workspace_layers["sites"].assign(
        population=lambda s: s["code_insee"].map(population))
    for ml, group in sites.groupby("ml_code"):
        head = group.loc[group["kind"] == "siege", "population"].iloc[0]
        assert head == group["population"].max(), ml


def test_bigger_catchments_have_more_sites(workspace_layers: dict[str, pd.DataFrame]) -> None:
    counts = workspace_layers["sites"].groupby("ml_code").size()
    communes = workspace_layers["catchments"].set_index("ml_code")["communes"]
    assert np.corrcoef(counts, communes.loc[counts.index])[0, 1] > 0.8
    bordeaux = workspace_layers["catchment_members"].query("code_insee == '33063'")["ml_code"]
    assert counts[bordeaux.iloc[0]] <= 3


def test_sessions_and_dates_are_plausible(workspace_layers: dict[str, pd.DataFrame]) -> None:
    sites = workspace_layers["sites"]
    sessions = sites.groupby("kind")["sessions_per_month"]
    assert sessions.min()["siege"] >= 18
    assert sessions.max()["permanence"] <= 4
    assert sessions.max()["partenaire"] <= 2
    assert sites["opened"].notna().all()
    closed = sites.dropna(subset=["closed"])
    assert len(closed) < 0.15 * len(sites)
    assert (closed["closed"] > closed["opened"]).all()
    assert sites["name"].str.contains("Mairie de ").any()
