"""The whole region on the demo workspace (données fictives): every level, public tables."""

from __future__ import annotations

import pandas as pd
import pytest

from territory.analysis import (
    INDICATOR_COLUMNS,
    contact_series,
    funnel,
    indicators,
    public_tables,
    score_classes,
)

pytestmark = pytest.mark.slow
TOTALS = ["youth", "neet_est", "invisible_est", "reached", "repere", "mobilise", "accompagne",
          "covered_youth"]
PERIOD = ("2019-12", "2021-11")


@pytest.fixture(scope="module")
def communes(demo_layers) -> pd.DataFrame:
    return indicators(demo_layers, period=PERIOD)


def test_commune_table_of_the_region(demo_layers, communes) -> None:
    assert len(communes) == len(demo_layers["communes"]) == 4293
    assert list(communes.columns[: len(INDICATOR_COLUMNS)]) == list(INDICATOR_COLUMNS)
    assert communes["zone_id"].is_unique
    assert sorted(communes["gap_rank"]) == list(range(1, 4294))
    people = demo_layers["contacts"]["contact_id"].nunique()
    assert communes["reached"].sum() + communes.attrs["contacts_outside"] == people
    assert communes["site_min"].notna().all()
    for col in ("covered_share", "need_index", "access_deficit", "reach_deficit"):
        assert communes[col].dropna().between(0, 1).all(), col
    assert communes["gap_score"].between(0, 100).all()


@pytest.mark.parametrize("level", ["epci", "departement", "catchment", "h3:6"])
def test_every_level_keeps_the_region_totals(demo_layers, communes, level: str) -> None:
    zones = indicators(demo_layers, level=level, period=PERIOD)
    for col in TOTALS:
        assert zones[col].sum() == pytest.approx(communes[col].sum(), rel=1e-9), col
    assert zones["zone_name"].notna().all() and zones.geometry.notna().all()
    expected = {"epci": 156, "departement": 12, "catchment": 43}
    if level in expected:
        assert len(zones) == expected[level]


def test_per_ml_funnel_counts_everyone_once(demo_layers) -> None:
    per_ml = funnel(demo_layers["contacts"], by="ml_code")
    assert per_ml["repere"].sum() == demo_layers["contacts"]["contact_id"].nunique()
    assert len(per_ml) <= 43


def test_lockdown_shows_in_the_monthly_series(demo_layers) -> None:
    series = contact_series(demo_layers["contacts"], period=PERIOD).set_index("period")
    assert len(series) == 24
    april, january = pd.Period("2020-04", "M"), pd.Period("2021-01", "M")
    assert series.loc[april, "contacts"] < series.loc[january, "contacts"]


def test_public_commune_table_shows_no_small_count(demo_layers, communes, lone_masked) -> None:
    public = indicators(demo_layers, period=PERIOD, public=True)
    for col in ("reached", "repere", "mobilise", "accompagne"):
        shown = public[col].dropna()
        assert not ((shown > 0) & (shown < 11)).any(), col
    # No sum of the tables published together (a total and its communes) holds one masked
    # cell, the total's own included.
    tables = public_tables(demo_layers, period=PERIOD)
    assert tables["commune"]["reached_secret"].equals(public["reached_secret"])
    assert lone_masked(tables, demo_layers["communes"],
                       demo_layers["catchment_members"]) == []
    # The score and rank are those of the published figures: every commune has them.
    assert public["gap_score"].notna().all()


def test_map_classes_of_the_score(communes) -> None:
    classes = score_classes(communes, k=5)
    assert len(classes.labels) == 5
    assert classes.classes.between(0, 4).all()
