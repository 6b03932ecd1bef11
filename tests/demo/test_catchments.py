"""Catchments: 43, contiguous, inside one département each, covering every commune."""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse.csgraph import connected_components

BORDEAUX = "33063"


def _members_by_ml(layers: dict[str, pd.DataFrame]) -> dict[str, set[str]]:
    members = layers["catchment_members"]
    return {str(ml): set(group) for ml, group in members.groupby("ml_code")["code_insee"]}


def test_43_catchments_of_which_37_in_the_consortium(
    workspace_layers: dict[str, pd.DataFrame],
) -> None:
    catchments = workspace_layers["catchments"]
    assert len(catchments) == 43
    assert catchments["ml_code"].is_unique
    assert catchments["ml_name"].is_unique
    assert int(catchments["in_consortium"].sum()) == 37
    assert catchments["ml_name"].str.startswith("Mission Locale").all()


def test_every_commune_is_covered_and_its_shares_sum_to_one(
    workspace_layers: dict[str, pd.DataFrame],
) -> None:
    communes, members = workspace_layers["communes"], workspace_layers["catchment_members"]
    assert set(members["code_insee"]) == set(communes["code_insee"])
    assert members["share"].between(0, 1, inclusive="right").all()
    totals = members.groupby("code_insee")["share"].sum()
    np.testing.assert_allclose(totals.to_numpy(), 1.0, rtol=0, atol=1e-12)
    assert not members.duplicated(["ml_code", "code_insee"]).any()


def test_a_few_communes_are_shared_by_two_neighbouring_missions_locales(
    workspace_layers: dict[str, pd.DataFrame],
) -> None:
    members = workspace_layers["catchment_members"]
    per_commune = members.groupby("code_insee")["ml_code"].nunique()
    shared = per_commune[per_commune > 1]
    assert 3 <= len(shared) <= 6
    assert (shared == 2).all()


def test_every_catchment_is_one_piece(
    workspace_layers: dict[str, pd.DataFrame], commune_graph: sparse.csr_array
) -> None:
    index = pd.Index(workspace_layers["communes"]["code_insee"])
    broken = {}
    for ml, codes in _members_by_ml(workspace_layers).items():
        nodes = index.get_indexer(sorted(codes))
        pieces, _ = connected_components(commune_graph[nodes][:, nodes], directed=False)
        if pieces != 1:
            broken[ml] = pieces
    assert not broken


def test_every_catchment_lies_in_one_departement(
    workspace_layers: dict[str, pd.DataFrame],
) -> None:
    dep = workspace_layers["communes"].set_index("code_insee")["dep_code"]
    members = workspace_layers["catchment_members"]
    departements = members.assign(dep=members["code_insee"].map(dep)).groupby("ml_code")["dep"]
    assert (departements.nunique() == 1).all()
    assert departements.first().value_counts().to_dict()["33"] == 11


def test_bordeaux_is_a_mission_locale_on_its_own(
    workspace_layers: dict[str, pd.DataFrame],
) -> None:
    by_ml = _members_by_ml(workspace_layers)
    assert [ml for ml, codes in by_ml.items() if BORDEAUX in codes] != []
    assert {BORDEAUX} in by_ml.values()


def test_some_catchment_covers_a_whole_departement(
    workspace_layers: dict[str, pd.DataFrame],
) -> None:
    communes = workspace_layers["communes"]
    by_dep = {str(d): set(g) for d, g in communes.groupby("dep_code")["code_insee"]}
    whole = [ml for ml, codes in _members_by_ml(workspace_layers).items()
             if codes in by_dep.values()]
    assert len(whole) >= 1
    assert "40" in {d for d, codes in by_dep.items() if codes in
                    _members_by_ml(workspace_layers).values()}


def test_catchment_polygon_is_the_union_of_its_communes(
    workspace_layers: dict[str, pd.DataFrame],
) -> None:
    communes = workspace_layers["communes"].set_index("code_insee")
    catchments = workspace_layers["catchments"].set_index("ml_code")
    for ml, codes in list(_members_by_ml(workspace_layers).items())[:5]:
        union = shapely.union_all(communes.loc[sorted(codes)].geometry.values, grid_size=0.01)
        polygon = catchments.loc[ml, "geometry"]
        assert polygon.symmetric_difference(union).area < 1.0, ml
