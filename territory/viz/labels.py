"""French labels, colours and classes shared by every map, dashboard and report.

Everything a user reads about a kind of site, a kind of action or a funnel stage comes from
here, so that the map, the dashboards and the report use the same words and the same colours.
The words are those of the interface glossary (site kinds, action kinds, stages, "jeunes
(16–25 ans)", "données fictives").
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from territory._french import area_name, of
from territory.sources import POPULATION_VINTAGE

__all__ = [
    "ACTION_KIND_COLOURS",
    "ACTION_KIND_LABELS",
    "CONSORTIUM_LABELS",
    "DEMO_LABEL",
    "OTHER_COLOUR",
    "POPULATION_LABEL",
    "SITE_KIND_COLOURS",
    "SITE_KIND_LABELS",
    "SOURCES_LABEL",
    "STAGE_LABELS",
    "YOUTH_DENSITY_BREAKS",
    "YOUTH_DENSITY_COLOURS",
    "YOUTH_DENSITY_LABEL",
    "YOUTH_LABEL",
    "area_name",
    "density_class_labels",
    "format_count",
    "format_number",
    "html_text",
    "kind_colour",
    "kind_label",
    "markdown_text",
    "of",
    "youth_density_class",
]

DEMO_LABEL = "données fictives"
YOUTH_LABEL = "jeunes (16–25 ans) estimés"
YOUTH_DENSITY_LABEL = "jeunes (16–25 ans) estimés par km²"
POPULATION_LABEL = f"population municipale {POPULATION_VINTAGE} (INSEE)"
SOURCES_LABEL = (
    f"Sources : IGN ADMIN EXPRESS · INSEE, population municipale {POPULATION_VINTAGE} · "
    "Licence Ouverte 2.0"
)

SITE_KIND_LABELS: dict[str, str] = {
    "siege": "siège",
    "antenne": "antenne",
    "permanence": "permanence",
    "partenaire": "partenaire",
}
ACTION_KIND_LABELS: dict[str, str] = {
    "maraude": "maraude",
    "bus": "bus / permanence mobile",
    "evenement": "événement",
    "partenaire": "structure partenaire",
    "numerique": "action numérique",
}
STAGE_LABELS: dict[str, str] = {
    "repere": "repéré",
    "mobilise": "mobilisé",
    "accompagne": "accompagné (orienté vers le droit commun)",
}
CONSORTIUM_LABELS: dict[bool, str] = {
    True: "membre du consortium IN Système",
    False: "hors consortium IN Système",
}

# Sites in warm colours, darker for the places open most often; actions in the cool and
# neutral colours of ColorBrewer's "Dark2" set, so that the two never read as one family.
SITE_KIND_COLOURS: dict[str, str] = {
    "siege": "#a50f15",
    "antenne": "#e6550d",
    "permanence": "#fd8d3c",
    "partenaire": "#fdd0a2",
}
ACTION_KIND_COLOURS: dict[str, str] = {
    "maraude": "#e7298a",
    "bus": "#1b9e77",
    "evenement": "#7570b3",
    "partenaire": "#66a61e",
    "numerique": "#666666",
}
OTHER_COLOUR = "#999999"

# Display classes of youth density (young people per km²), fixed so that two maps can be
# compared. In Nouvelle-Aquitaine (INSEE population 2017 × the default youth share) about a
# tenth of the communes fall below 1 per km² and about one in a hundred above 100.
YOUTH_DENSITY_BREAKS: tuple[float, ...] = (1, 2, 5, 10, 25, 100)
# ColorBrewer "PuBu", 7 classes (Brewer & Harrower, colorbrewer2.org): light and sequential,
# so that the site and action markers stay readable on top of it.
YOUTH_DENSITY_COLOURS: tuple[str, ...] = (
    "#f1eef6", "#d0d1e6", "#a6bddb", "#74a9cf", "#3690c0", "#0570b0", "#034e7b",
)


def kind_label(kind: object, labels: Mapping[str, str]) -> str:
    """Return the French label of a site or action kind; unknown kinds are shown as they are.

    Examples
    --------
    >>> kind_label("bus", ACTION_KIND_LABELS)
    'bus / permanence mobile'
    >>> kind_label("forum", ACTION_KIND_LABELS)
    'forum'
    """
    return labels.get(str(kind), str(kind))


def kind_colour(kind: object, colours: Mapping[str, str]) -> str:
    """Return the colour of a site or action kind; unknown kinds are grey.

    Examples
    --------
    >>> kind_colour("siege", SITE_KIND_COLOURS)
    '#a50f15'
    >>> kind_colour("forum", ACTION_KIND_COLOURS)
    '#999999'
    """
    return colours.get(str(kind), OTHER_COLOUR)


def format_number(value: float, *, decimals: int = 0) -> str:
    r"""Format a number the French way: narrow no-break space between thousands, decimal comma.

    Examples
    --------
    >>> format_number(254436)
    '254\u202f436'
    >>> format_number(0.5, decimals=1)
    '0,5'
    """
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",")


def format_count(count: int, singular: str, plural: str | None = None) -> str:
    r"""Return ``"1 site"``, ``"0 site"`` or ``"12 sites"``: French counts agree below 2.

    Examples
    --------
    >>> format_count(1, "action")
    '1 action'
    >>> format_count(1530, "action")
    '1\u202f530 actions'
    """
    word = singular if abs(count) < 2 else (plural or singular + "s")
    return f"{format_number(count)} {word}"


# The one escaping of the package. A text (a name read from an imported file, above all)
# reaches a page in one of two ways, and is escaped in the second only, once:
# - as text: the dashboards' map (zone names, labels, point and marker tips and popups:
#   coverage_map.js writes them with textContent), Bokeh's and Tabulator's widgets and
#   cells, a chart's title. Sent as it is: escaped, "&" would read "&amp;".
# - inside HTML built in Python: figure cards, the funnel, the legend, the popup that
#   explains a commune, the plan's listing, the report, the standalone map's tooltips and
#   popups. Every text interpolated there goes through html_text. (The standalone map's
#   script also writes a commune's raw properties into its tooltips: it escapes them itself,
#   with its esc(), in territory/viz/_layers.py.)
# A third way: a widget's ``description`` (Panel renders it as Markdown, raw HTML passing
# through): such a text goes through markdown_text.
_MARKDOWN_PUNCTUATION = re.compile(r"[!-/:-@\[-`{-~]")


def html_text(text: str) -> str:
    """Escape text for HTML, inside an element or an attribute (as :func:`html.escape`).

    Examples
    --------
    >>> html_text("Mission Locale de l'Agglomération <Sud> & Co")
    'Mission Locale de l&#x27;Agglomération &lt;Sud&gt; &amp; Co'
    """
    return html.escape(text)


def markdown_text(text: str) -> str:
    r"""Escape text for Markdown: every ASCII punctuation mark is taken literally.

    CommonMark lets any ASCII punctuation be escaped with a backslash, which makes it a
    plain character: no tag, link, emphasis or entity can be formed.

    Examples
    --------
    >>> print(markdown_text("car_région <b>*2*</b> [x](javascript:y)"))
    car\_région \<b\>\*2\*\<\/b\> \[x\]\(javascript\:y\)
    """
    return _MARKDOWN_PUNCTUATION.sub(r"\\\g<0>", text)


def youth_density_class(
    youth_per_km2: npt.ArrayLike, breaks: Sequence[float] = YOUTH_DENSITY_BREAKS
) -> npt.NDArray[np.intp]:
    """Return the display class (0 = lightest) of each youth density.

    A density equal to a break falls in the class above it; a missing density in class 0.

    Examples
    --------
    >>> youth_density_class([0.4, 1, 7.5, 250]).tolist()
    [0, 1, 3, 6]
    """
    values = np.nan_to_num(np.asarray(youth_per_km2, dtype=float), nan=0.0)
    return np.digitize(values, np.asarray(breaks, dtype=float)).astype(np.intp)


def density_class_labels(breaks: Sequence[float] = YOUTH_DENSITY_BREAKS) -> list[str]:
    """Return the French label of each density class, lightest first.

    Examples
    --------
    >>> density_class_labels((1, 2.5, 10))
    ['moins de 1', '1 à 2,5', '2,5 à 10', '10 et plus']
    """
    text = [format_number(b, decimals=0 if float(b).is_integer() else 1) for b in breaks]
    middle = [f"{low} à {high}" for low, high in itertools.pairwise(text)]
    return [f"moins de {text[0]}", *middle, f"{text[-1]} et plus"]
