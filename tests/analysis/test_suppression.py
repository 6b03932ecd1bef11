"""Small counts: a public table never shows a count of 1 to 10, nor lets one work it out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from territory._errors import InputError
from territory.analysis import as_text, suppress
from territory.analysis.suppression import COUNT_COLUMNS, DERIVED_COLUMNS


def table(reached: list[int], deps: list[str] | None = None) -> pd.DataFrame:
    n = len(reached)
    frame = pd.DataFrame({
        "zone_id": [f"z{i}" for i in range(n)],
        "youth": [1000.0] * n,
        "neet_est": [129.0] * n,
        "reached": reached,
        "repere": reached,
        "mobilise": [r // 2 for r in reached],
        "accompagne": [r // 3 for r in reached],
    })
    frame["invisible_est"] = np.maximum(0, frame["neet_est"] * 0.37 - frame["reached"])
    frame["contacts_per_1000"] = frame["reached"]
    frame["gap_score"] = 50.0
    if deps is not None:
        frame["dep_code"] = deps
    return frame


def test_small_counts_and_the_next_smallest_are_masked() -> None:
    got = suppress(table([0, 4, 30, 52, 12]))
    assert got["reached"].isna().tolist() == [False, True, False, False, True]
    assert got["reached_secret"].tolist()[1] == "< 11"
    assert got["reached_secret"].tolist()[4] == "s"
    assert got.loc[0, "reached"] == 0  # zeros are published
    assert got["invisible_est"].isna().tolist() == got["reached"].isna().tolist()
    assert got["gap_score"].isna().tolist() == got["reached"].isna().tolist()
    assert got["youth"].notna().all()


def test_complementary_cells_are_chosen_in_each_group() -> None:
    got = suppress(table([5, 40, 50, 30, 20, 7], deps=["01", "01", "01", "02", "02", "02"]))
    masked = got["reached"].isna()
    assert masked.groupby(got["dep_code"]).sum().tolist() == [2, 2]
    assert masked.tolist() == [True, True, False, False, True, True]


def test_threshold_is_configurable_and_inputs_untouched() -> None:
    frame = table([3, 15, 20, 60])
    before = frame.copy()
    got = suppress(frame, threshold=21)
    assert got["reached_secret"].iloc[1] == "< 21"
    pd.testing.assert_frame_equal(frame, before)
    assert got.attrs["suppression"]["threshold"] == 21


def test_text_output_in_french() -> None:
    text = as_text(suppress(table([4, 30, 1234])))
    assert text["reached"].tolist() == ["< 11", "s", "1234"]
    assert text["invisible_est"].tolist()[2] == "0,0"
    assert not any(col.endswith("_secret") for col in text.columns)


def test_unknown_group_column() -> None:
    with pytest.raises(InputError, match="epci"):
        suppress(table([1, 2]), groups=["epci"])


cells = st.lists(st.tuples(st.integers(0, 40), st.sampled_from(["01", "02", "03"]),
                           st.sampled_from(["E1", "E2"]),
                           st.sets(st.sampled_from(["M1", "M2", "M3"]), min_size=1, max_size=2)),
                 min_size=1, max_size=30)


@settings(max_examples=200, deadline=None)
@given(cells, st.integers(2, 15))
def test_a_public_table_never_reveals_a_masked_count(rows: list, threshold: int) -> None:
    frame = table([r[0] for r in rows], deps=[r[1] for r in rows])
    frame["epci_code"] = [r[2] for r in rows]
    members = pd.DataFrame([(f"z{i}", ml) for i, r in enumerate(rows) for ml in sorted(r[3])],
                           columns=["zone_id", "group"])
    public = suppress(frame, threshold=threshold, memberships=members)
    ml_groups = [frame.index[frame["zone_id"].isin(members.loc[members["group"] == ml,
                                                               "zone_id"])]
                 for ml in ("M1", "M2", "M3")]
    for col in COUNT_COLUMNS:
        values, masked = frame[col], public[col].isna()
        small = (values > 0) & (values < threshold)
        assert masked[small].all(), f"{col}: a small count is shown"
        assert (public[col][~masked] == values[~masked]).all()
        for key in (pd.Series("all", index=frame.index), frame["dep_code"], frame["epci_code"]):
            for _, group in masked.groupby(key):
                # with the group total published, a lone masked cell would be total − others
                assert group.sum() != 1 or len(group) == 1, f"{col}: recomputable by subtraction"
        for index in ml_groups:
            assert masked[index].sum() != 1 or len(index) == 1, f"{col}: an ML total reveals it"
    for col, bases in DERIVED_COLUMNS.items():
        if col in public:
            hidden = np.logical_or.reduce([public[b].isna() for b in bases if b in public])
            assert public[col][hidden].isna().all(), f"{col} reveals a masked count"
    assert public["reached"].isna().equals(public["repere"].isna())


def test_overlapping_memberships_are_groups_too() -> None:
    frame = table([5, 40, 50, 30])
    members = pd.DataFrame({"zone_id": ["z0", "z1", "z1", "z2", "z3"],
                            "group": ["M1", "M1", "M2", "M2", "M2"]})
    # whole table: z0 and the next smallest (z3) are masked; M1 = {z0, z1} needs a second
    got = suppress(frame, memberships=members)
    assert got["reached"].isna().tolist() == [True, True, False, True]

