"""The least-reached communes: useful rows, every figure publishable, and named on the map."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from territory.analysis import Parameters, gap_score, indicators, public_tables, publish
from territory.report import Report, build_report
from territory.report.document import Table
from territory.viz.labels import format_number

from .conftest import DATE, normalise

pytestmark = pytest.mark.slow
PARAMS = Parameters()
MASKS = (f"< {PARAMS.suppression_threshold}", "s")


def top_table(report: Report) -> Table:
    return next(t for p in report.pages for t in p.tables if "moins atteintes" in t.title)


def test_no_row_of_the_least_reached_is_masked_out(region_report, ml_report,
                                                    small_report) -> None:
    for report in (region_report, ml_report, small_report):
        table = top_table(report)
        assert len(table.rows) == 10
        for row in table.rows:
            cells = dict(zip(table.columns, row, strict=True))
            reason = cells.pop("Pourquoi")
            assert reason and "masqué" not in reason, row
            reached = cells.pop("Jeunes atteints")
            # Only the count itself may show its mask; nothing else in the row is hidden.
            assert not [c for c in cells.values() if c in MASKS], row
            assert reached in MASKS or normalise(reached).replace(" ", "").isdigit()


def test_the_ml_with_most_masked_communes_still_says_why_each_ranks(layers, metadata) -> None:
    # ML08's least reached communes are mostly small counts (7 of 10 in the demo, seed 2019).
    table = top_table(build_report(layers, metadata=metadata, ml_code="ML08", date=DATE))
    reached = table.column("Jeunes atteints")
    assert reached.count(MASKS[0]) >= 5, "ML08's least reached: mostly small counts"
    for row in table.rows:
        if row[table.columns.index("Jeunes atteints")] == MASKS[0]:
            assert row[table.columns.index("Indice")].startswith("~")
            assert row[table.columns.index("Invisibles estimés")].startswith("~")
            assert "atteint" in row[-1], row


def _shuffled_masked_counts(raw: pd.DataFrame, public: pd.DataFrame) -> pd.DataFrame:
    """The raw table with every count masked « < 11 » replaced by another from 1 to 10."""
    small = public["reached_secret"].eq(MASKS[0]).to_numpy()
    other = raw.copy()
    other.loc[small, "reached"] = 11 - raw.loc[small, "reached"]
    other["invisible_est"] = (other["neet_est"] * PARAMS.invisible_share
                              - other["reached"]).clip(lower=0)
    parts = gap_score(other, params=PARAMS)
    other[list(parts.columns)] = parts
    return other


def test_the_order_of_the_least_reached_says_nothing_of_a_masked_count(layers) -> None:
    from territory.report._data import _public_communes

    raw = indicators(layers, level="commune", params=PARAMS)
    members = layers["catchment_members"]
    public = _public_communes(publish(raw, params=PARAMS), members, PARAMS)
    other = _shuffled_masked_counts(raw, public)
    again = _public_communes(publish(other, params=PARAMS), members, PARAMS)
    # The score's own rank moves with the masked counts: ranking by it would give them away.
    assert not raw["gap_rank"].equals(other["gap_rank"])
    for column in ("public_rank", "public_score", "public_invisible"):
        pd.testing.assert_series_equal(public[column], again[column])


def test_a_masked_count_counts_as_the_middle_of_its_range(region_report, layers) -> None:
    from territory.report._data import _public_communes

    public = _public_communes(public_tables(layers, params=PARAMS)["commune"],
                              layers["catchment_members"], PARAMS)
    masked = public[public["reached_secret"].notna()].iloc[0]
    expected = max(0.0, masked["neet_est"] * PARAMS.invisible_share
                   - PARAMS.suppression_threshold / 2)
    assert masked["public_invisible"] == pytest.approx(expected)
    published = public[public["reached_secret"].isna()]
    assert np.allclose(published["public_score"], published["gap_score"])
    note = top_table(region_report).note
    assert f"pour {format_number(5.5, decimals=1)}" in note


def _map_page(report: Report):
    return next(p for p in report.pages if p.title.startswith("Carte"))


def _map_names(report: Report) -> list[str]:
    page = _map_page(report)
    return [normalise(t.get_text()) for ax in page.figure.axes for t in ax.texts]


def test_the_map_names_the_least_reached_communes_and_the_missions_locales(
        region_report, ml_report, layers) -> None:
    for report in (region_report, ml_report):
        names = _map_names(report)
        for row in top_table(report).rows:
            assert row[1].rsplit(" (", 1)[0] in names, row[1]
        assert [str(n) for n in range(1, 11)] == [n for n in names if n.isdigit()
                                                 and len(n) <= 2][:10]
    region = " ".join(_map_names(region_report))
    for place in ("Angoulême", "Poitiers", "Landes", "Périgueux"):
        assert place in region, place
    assert "ML des Landes" in _map_names(ml_report)


def test_names_on_the_maps_do_not_cover_one_another(region_report, ml_report) -> None:
    for report in (region_report, ml_report):
        figure = _map_page(report).figure
        renderer = FigureCanvasAgg(figure).get_renderer()
        texts = [t for ax in figure.axes for t in ax.texts
                 if len(t.get_text()) > 2 and not t.get_text().endswith(" km")]
        boxes = [t.get_window_extent(renderer) for t in texts]
        covered = [(texts[i].get_text(), texts[j].get_text())
                   for i in range(len(boxes)) for j in range(i + 1, len(boxes))
                   if boxes[i].overlaps(boxes[j])]
        assert len(texts) >= 10
        assert covered == [], covered
