"""Small pieces of the report, on hand-made inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from territory import InputError
from territory.analysis import parse_period, period_text
from territory.report._data import is_demo, total_row
from territory.report._format import count, share
from territory.report._labels import Name, place, spread
from territory.report._maps import place_name
from territory.report._style import text_width, wrap
from territory.report.document import Table, check_suffix
from territory.viz.classes import rank_quintile


def test_labels_are_spread_apart_and_stay_put_when_apart() -> None:
    crowded = np.array([[0.0, 0.0], [0.1, 0.0], [0.0, 0.1], [50.0, 50.0]])
    moved = spread(crowded, 2.0)
    gaps = np.hypot(*(moved[:, None, :] - moved[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(gaps, np.inf)
    assert gaps.min() >= 2.0 * 0.99
    assert moved[3].tolist() == [50.0, 50.0]
    assert np.array_equal(spread(crowded, 2.0), moved)


def test_quintiles_of_the_rank() -> None:
    classes = rank_quintile(pd.Series(np.arange(1, 101)), 100)
    assert np.bincount(classes).tolist() == [20] * 5
    assert classes[0] == 4 and classes[-1] == 0  # rank 1, the least reached: the darkest


def _overlaps(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_names_beside_crowded_points_do_not_overlap_and_stay_on_the_map() -> None:
    # Five communes 0.2 inch apart on a map of 1 000 m per inch, 10 × 10 inches.
    names = [Name(5000.0 + 200 * i, 5000.0, f"Commune {i}", 7, required=True, around=True)
             for i in range(5)]
    placed = place(names, metres_per_inch=1000, extent=(0, 10_000, 0, 10_000))
    assert [p.name for p in placed] == names
    boxes = [p.box for p in placed]
    assert not any(_overlaps(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    assert all(min(b) >= 0 and max(b) <= 10_000 for b in boxes)
    assert place(names, metres_per_inch=1000, extent=(0, 10_000, 0, 10_000)) == placed


def test_a_name_that_finds_no_room_gives_way_to_its_short_form_then_to_nothing() -> None:
    taken = [(0.0, 0.0, 10_000.0, 10_000.0)]  # the whole map is covered
    optional = Name(5000.0, 5000.0, "Saintes et environs", 6, short="05")
    assert place([optional], metres_per_inch=1000, extent=(0, 10_000, 0, 10_000),
                 taken=taken) == []
    roomy = place([Name(5000.0, 5000.0, "x" * 400, 6, short="05")], metres_per_inch=1000,
                  extent=(0, 10_000, 0, 10_000))
    assert [p.text for p in roomy] == ["05"]


@pytest.mark.parametrize(("name", "place_"), [
    ("Mission Locale de l'agglomération d'Angoulême (fictive)", "Angoulême"),
    ("Mission Locale du Pays de Sarlat-la-Canéda (fictive)", "Sarlat-la-Canéda"),
    ("Mission Locale rurale de Morlaàs (fictive)", "Morlaàs"),
    ("Mission Locale des Landes", "Landes"),
    ("Mission Locale Sud Gironde", "Sud Gironde"),
])
def test_a_mission_locale_is_named_on_the_map_by_its_place(name: str, place_: str) -> None:
    assert place_name(name) == place_


def test_wrapped_lines_fit_their_width() -> None:
    text = "Jeunes distincts contactés sur la période, comptés une fois : « < 11 » masqué"
    for width in (1.0, 2.0, 4.0):
        lines = wrap(text, width, 9)
        assert all(text_width(line, 9) <= width for line in lines if " " in line)
        assert " ".join(lines).replace("\u00a0", " ") == text


def test_total_row_masks_a_small_total() -> None:
    zones = pd.DataFrame({"youth": [100.0, 200.0], "neet_est": [12.9, 25.8],
                          "invisible_est": [4.0, 8.0], "reached": [0.0, 30.0],
                          "repere": [0.0, 30.0], "mobilise": [0.0, 6.0],
                          "accompagne": [0.0, 2.0], "covered_youth": [50.0, 100.0]})
    row = total_row(zones, name="Région", threshold=11).iloc[0].to_dict()
    assert count(row, "reached") == "30"
    assert count(row, "mobilise") == "< 11"
    assert count(row, "accompagne") == "< 11"
    assert share(row, "covered_share") == "50,0 %"


def test_demo_flag_of_any_layer_counts() -> None:
    assert is_demo({"demo": False, "layers": {"sites": {"demo": True}}})
    assert not is_demo({"demo": False, "layers": {"sites": {"demo": False}}})


def test_period_label_reads_open_bounds_from_contacts() -> None:
    contacts = pd.DataFrame({"date": pd.to_datetime(["2019-12-02", "2021-11-30"])})
    dates = [pd.to_datetime(contacts["date"])]
    assert period_text(None, dates) == "décembre 2019 – novembre 2021"
    assert period_text(("2020-03", None), dates) == "mars 2020 – novembre 2021"


@pytest.mark.parametrize("text", ["2020", "2020-01", "2020-13:2021", "2021:2020"])
def test_a_period_is_read_or_refused_with_its_text(text: str) -> None:
    with pytest.raises(InputError, match=f"--period '{text}'"):
        parse_period(text)


def test_an_empty_period_is_the_whole_record() -> None:
    assert parse_period(":").is_whole_record and not parse_period(":")


def test_suffix_is_checked_before_anything_is_written() -> None:
    assert check_suffix("rapport.HTML") == ".html"
    with pytest.raises(InputError, match="rapport"):
        check_suffix("rapport")


def test_table_column_by_header() -> None:
    table = Table("t", ("a", "b"), (("1", "2"), ("3", "4")), (False, True))
    assert table.column("b") == ["2", "4"]
