"""One Mission Locale's communes: the same shares as the catchment level of the indicators."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from territory._errors import InputError
from territory.analysis import by_members, ml_shares


@st.composite
def memberships(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame]:
    n = draw(st.integers(1, 8))
    communes = pd.DataFrame({"code_insee": [f"c{i}" for i in range(n)]})
    rows = []
    for code in communes["code_insee"]:
        mls = draw(st.lists(st.sampled_from(["M1", "M2", "M3"]), max_size=2, unique=True))
        given_share = draw(st.booleans())
        for ml in mls:
            rows.append({"ml_code": ml, "code_insee": code,
                         "share": 1.0 / len(mls) if given_share else np.nan})
    members = pd.DataFrame(rows, columns=["ml_code", "code_insee", "share"])
    return communes, members


@settings(max_examples=60, deadline=None)
@given(memberships())
def test_the_shares_of_all_mls_add_up_to_the_crosswalk(case) -> None:
    communes, members = case
    mls = sorted(members["ml_code"].unique())
    if not mls:
        return
    total = sum(ml_shares(communes, members, ml) for ml in mls)
    expected = by_members(communes, members).totals(len(communes))
    np.testing.assert_allclose(total.to_numpy(), expected)
    assert ((total >= 0) & (total <= 1 + 1e-9)).all()


def test_an_unknown_ml_lists_the_known_ones() -> None:
    members = pd.DataFrame({"ml_code": ["M1"], "code_insee": ["a"], "share": [1.0]})
    with pytest.raises(InputError, match=r"'M9'.*\['M1'\]"):
        ml_shares(pd.DataFrame({"code_insee": ["a"]}), members, "M9")


def test_shares_sit_on_the_communes_index() -> None:
    communes = pd.DataFrame({"code_insee": ["a", "b"]}, index=[10, 20])
    members = pd.DataFrame({"ml_code": ["M1"], "code_insee": ["b"], "share": [0.25]})
    assert ml_shares(communes, members, "M1").to_dict() == {10: 0.0, 20: 0.25}
