"""Headline figures of the toy territory, worked out by hand."""

from __future__ import annotations

import math

import pytest

from territory.analysis import headline, indicators


@pytest.fixture
def table(toy):
    return indicators(toy)


def test_the_whole_area(toy, table) -> None:
    figures = headline(table, toy)
    assert figures["youth"] == 1800
    assert figures["reached"] == 5  # j1..j5, each counted once
    # Without a period: S1 is open, S2 closed in 2018; both actions count.
    assert (figures["sites"], figures["actions"], figures["communes"]) == (1, 2, 4)
    assert figures["covered_share"] == pytest.approx(figures["covered_youth"] / 1800)


def test_one_ml_counts_a_shared_commune_by_its_share(toy, table) -> None:
    figures = headline(table, toy, ml_code="ML1")
    assert figures["youth"] == 1000 + 500 + 0.5 * 200
    # Counted at their latest contact: A has j2 and j3, B has j1, C (shared half with ML2)
    # has j4 and j5, of whom one young person is ML1's.
    assert figures["reached"] == pytest.approx(2 + 1 + 0.5 * 2)
    assert (figures["sites"], figures["actions"]) == (1, 2)


def test_a_departement_and_a_period(toy, table) -> None:
    figures = headline(table, toy, dep_code="02", period=("2018-01", "2018-03"))
    assert figures["youth"] == 300
    # S2 (in D, département 02) is in service at the end of March 2018; no action then.
    assert (figures["sites"], figures["actions"]) == (1, 0)


def test_no_young_people_gives_no_share(toy, table) -> None:
    empty = table.assign(youth=0.0, covered_youth=0.0)
    assert math.isnan(headline(empty, toy)["covered_share"])
