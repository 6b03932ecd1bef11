"""French labels and display classes shared by the map, the dashboards and the report."""

from __future__ import annotations

import html
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from panel.pane.markup import Markdown

from territory.io._schema import ACTION_KINDS, SITE_KINDS, STAGES
from territory.viz import labels

# Panel's parser of a widget's description (Markdown, raw HTML allowed).
MARKDOWN = Markdown._get_parser("markdown-it", (), True)


@pytest.mark.parametrize(("kinds", "names", "colours"), [
    (SITE_KINDS, labels.SITE_KIND_LABELS, labels.SITE_KIND_COLOURS),
    (ACTION_KINDS, labels.ACTION_KIND_LABELS, labels.ACTION_KIND_COLOURS),
])
def test_every_kind_of_the_contract_has_a_label_and_its_own_colour(
    kinds: tuple[str, ...], names: dict[str, str], colours: dict[str, str],
) -> None:
    assert set(kinds) == set(names) == set(colours)
    assert len(set(colours.values())) == len(colours)
    assert labels.OTHER_COLOUR not in colours.values()


def test_every_stage_has_a_label() -> None:
    assert set(STAGES) == set(labels.STAGE_LABELS)


def test_glossary_words() -> None:
    assert labels.ACTION_KIND_LABELS["bus"] == "bus / permanence mobile"
    assert labels.ACTION_KIND_LABELS["partenaire"] == "structure partenaire"
    assert labels.SITE_KIND_LABELS["siege"] == "siège"
    assert labels.DEMO_LABEL == "données fictives"
    assert "16–25 ans" in labels.YOUTH_LABEL


def test_density_classes_match_their_labels() -> None:
    breaks = labels.YOUTH_DENSITY_BREAKS
    assert len(labels.density_class_labels()) == len(breaks) + 1 == len(
        labels.YOUTH_DENSITY_COLOURS)
    # Just below, at and just above every break: the class changes at the break.
    below = labels.youth_density_class(np.asarray(breaks) - 1e-9)
    at = labels.youth_density_class(breaks)
    assert below.tolist() == list(range(len(breaks)))
    assert at.tolist() == list(range(1, len(breaks) + 1))
    assert labels.youth_density_class([np.nan, np.inf, 0.0]).tolist() == [0, len(breaks), 0]


def test_french_numbers() -> None:
    assert labels.format_number(631421) == "631\u202f421"
    assert labels.format_number(2.5, decimals=1) == "2,5"
    assert labels.format_count(0, "site") == "0 site"
    assert labels.format_count(2, "action numérique", "actions numériques") == (
        "2 actions numériques")


@given(st.text(st.characters(exclude_categories=("Cs", "Cc")) | st.sampled_from(" \n\t"),
               max_size=60))
def test_markdown_text_renders_as_the_same_text_without_any_markup(text: str) -> None:
    """What Panel renders of an escaped description is the text itself, as text."""
    rendered = MARKDOWN.render(labels.markdown_text(text))
    tags = re.findall(r"<(/?)(\w+)([^>]*)>", rendered)
    # Paragraphs, line breaks, and an indented line's code block: no other element, no
    # attribute.
    assert {name for _, name, _ in tags} <= {"p", "br", "pre", "code"}
    assert all(not attributes.strip(" /") for *_, attributes in tags)
    assert html.unescape(re.sub(r"<[^>]+>", " ", rendered)).split() == text.split()


def test_a_feed_named_with_html_is_shown_as_text_beside_the_window() -> None:
    hostile = 'car <img src=x onerror="alert(1)"> [clic](javascript:alert(2)) **gras**'
    rendered = MARKDOWN.render(labels.markdown_text(hostile))
    assert "<img" not in rendered and "<a " not in rendered and "<strong>" not in rendered
    assert html.unescape(rendered) == f"<p>{hostile}</p>\n"
