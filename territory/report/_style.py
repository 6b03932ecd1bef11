"""The report's look: page size, typography, palette, and the frame around every page.

Every page is an A4 landscape :class:`~matplotlib.figure.Figure` drawn in inches from the
page's corners, so that the PDF, the PNG pages and the HTML show the same layout. The frame
(:func:`decorate`) adds the running header, the footer with the page number and, for demo
data, the red "DONNÉES FICTIVES" mark.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import matplotlib
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import FancyBboxPatch, Rectangle
from matplotlib.textpath import TextToPath

from territory._french import MONTHS
from territory.viz.labels import DEMO_LABEL

PAGE_IN = (297 / 25.4, 210 / 25.4)  # A4 landscape, in inches
MARGIN_IN = 0.6
TOP_IN = 0.95
BOTTOM_IN = 0.7

INK = "#1f2a36"
MUTED = "#5f6b78"
RULE = "#c9d1d9"
ACCENT = "#1f5f8b"
ACCENT_LIGHT = "#d6e6f2"
ZEBRA = "#f3f6f9"
SECRET_FILL = "#e6e9ed"
DEMO_RED = "#c0392b"

TITLE_PT = 17.0
BODY_PT = 10.0
SMALL_PT = 8.0
LINE_EM = 1.32
FONT = "DejaVu Sans"
# Widths are the sum of the glyphs' advances (kerning ignored), with this much to spare.
_WIDTH_MARGIN = 1.03
_MEASURE_PT = 100.0

# Fonts embedded as TrueType (searchable, copyable), no creation date, fixed SVG ids:
# the same workspace gives the same bytes.
RC: dict[Any, Any] = {
    "font.family": FONT,
    "font.size": BODY_PT,
    "pdf.fonttype": 42,
    "svg.fonttype": "path",
    "svg.hashsalt": "territory-report",
    "hatch.linewidth": 0.6,
    "axes.edgecolor": RULE,
    "axes.labelcolor": INK,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "text.color": INK,
}



@contextmanager
def style() -> Iterator[None]:
    """Apply the report's matplotlib settings while drawing or saving pages."""
    with matplotlib.rc_context(RC):
        yield


@dataclass(frozen=True)
class Frame:
    """What the header and footer of every page say."""

    territory: str
    period: str
    date: dt.date
    demo: bool


def french_date(day: dt.date) -> str:
    """Return ``"28 novembre 2026"`` (``"1er"`` on the first of the month).

    Examples
    --------
    >>> french_date(dt.date(2026, 3, 1))
    '1er mars 2026'
    """
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {MONTHS[day.month - 1]} {day.year}"


def new_page() -> Figure:
    """Return a blank A4 landscape page."""
    return Figure(figsize=PAGE_IN, facecolor="white")


def fx(inches: float) -> float:
    """Horizontal position in figure fraction from inches from the left edge."""
    return inches / PAGE_IN[0]


def fy(inches: float) -> float:
    """Vertical position in figure fraction from inches from the top edge."""
    return 1 - inches / PAGE_IN[1]


def content_box() -> tuple[float, float, float, float]:
    """Return the printable area (left, top, width, height) in inches from the top left."""
    return (MARGIN_IN, TOP_IN, PAGE_IN[0] - 2 * MARGIN_IN, PAGE_IN[1] - TOP_IN - BOTTOM_IN)


@functools.cache
def _advance_em(char: str, bold: bool) -> float:
    prop = FontProperties(family=FONT, size=_MEASURE_PT, weight="bold" if bold else "normal")
    width, _, _ = TextToPath().get_text_width_height_descent(char, prop, ismath=False)
    return float(width) / _MEASURE_PT


def text_width(text: str, size_pt: float, *, bold: bool = False) -> float:
    """Width of one line of text in inches (DejaVu Sans).

    Examples
    --------
    >>> round(text_width("Mission Locale", 10), 2)
    1.04
    """
    return sum(_advance_em(c, bold) for c in text) * size_pt / 72 * _WIDTH_MARGIN


def french_spaces(text: str) -> str:
    r"""Bind French punctuation to its word with no-break spaces (« < 11 », « mot : »).

    Examples
    --------
    >>> french_spaces("« < 11 » : masqué")
    '«\xa0<\xa011\xa0»\xa0: masqué'
    """
    text = re.sub(r" (?=[:;!?»%])", "\u00a0", text)
    text = re.sub(r"(?<=\d) (?=(min|km|ans|h)\b)", "\u00a0", text)
    return re.sub(r"(?:(?<=[«<])|(?<=\b1er)) ", "\u00a0", text)


def wrap(text: str, width_in: float, size_pt: float, *, bold: bool = False) -> list[str]:
    """Split ``text`` into lines that fit ``width_in`` inches at ``size_pt`` points.

    A word longer than the width stays whole on its own line.

    Examples
    --------
    >>> wrap("un deux trois quatre", 0.6, 10)
    ['un deux', 'trois', 'quatre']
    """
    lines: list[str] = []
    for paragraph in french_spaces(str(text)).split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if line and text_width(candidate, size_pt, bold=bold) > width_in:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


def line_in(size_pt: float) -> float:
    """Height of one line of text in inches."""
    return size_pt * LINE_EM / 72


def page_title(fig: Figure, title: str, subtitle: str = "") -> float:
    """Draw the page title (and subtitle); return the inches used below the header."""
    left, top, width, _ = content_box()
    fig.text(fx(left), fy(top), title, fontsize=TITLE_PT, weight="bold", color=INK, va="top")
    used = line_in(TITLE_PT) + 0.05
    if subtitle:
        lines = wrap(subtitle, width, BODY_PT)
        fig.text(fx(left), fy(top + used), "\n".join(lines), fontsize=BODY_PT, color=MUTED,
                 va="top", linespacing=1.3)
        used += len(lines) * line_in(BODY_PT)
    return used + 0.2


def paragraph(fig: Figure, text: str, *, left: float, top: float, width: float,
              size: float = BODY_PT, color: str = INK, weight: str = "normal") -> float:
    """Draw wrapped text at (left, top) inches; return its height in inches."""
    lines = wrap(text, width, size, bold=weight == "bold")
    fig.text(fx(left), fy(top), "\n".join(lines), fontsize=size, color=color, va="top",
             weight=weight, linespacing=1.3)
    return len(lines) * line_in(size)


def demo_mark(fig: Figure, *, right: float, top: float, size: float = 9.0) -> None:
    """Draw the red "DONNÉES FICTIVES" mark, its right edge ``right`` inches from the left."""
    fig.text(fx(right), fy(top), DEMO_LABEL.upper(), fontsize=size, weight="bold",
             color=DEMO_RED, ha="right", va="top",
             bbox={"boxstyle": "square,pad=0.35", "facecolor": "white",
                   "edgecolor": DEMO_RED, "linewidth": 1.2})


def decorate(fig: Figure, frame: Frame, number: int, total: int) -> None:
    """Add the running header, the footer and, for demo data, the red mark."""
    width, height = PAGE_IN
    fig.add_artist(Rectangle((0, fy(0.12)), 1, 0.12 / height, transform=fig.transFigure,
                             facecolor=ACCENT, edgecolor="none"))
    header = f"Couverture territoriale des Missions Locales — {frame.territory}"
    fig.text(fx(MARGIN_IN), fy(0.32), header, fontsize=SMALL_PT + 0.5, color=MUTED,
             va="top")
    if frame.demo:
        demo_mark(fig, right=width - MARGIN_IN, top=0.27)
    else:
        fig.text(fx(width - MARGIN_IN), fy(0.32), frame.period, fontsize=SMALL_PT + 0.5,
                 color=MUTED, ha="right", va="top")
    fig.add_artist(Rectangle((fx(MARGIN_IN), fy(height - 0.42)), fx(width - 2 * MARGIN_IN),
                             0.6 / 72 / height, transform=fig.transFigure, facecolor=RULE,
                             edgecolor="none"))
    footer = f"Période : {frame.period} · rapport établi le {french_date(frame.date)}"
    if frame.demo:
        footer += f" · {DEMO_LABEL} : ne pas diffuser comme des résultats réels"
    fig.text(fx(MARGIN_IN), fy(height - 0.3), footer, fontsize=SMALL_PT, color=MUTED,
             va="center")
    fig.text(fx(width - MARGIN_IN), fy(height - 0.3), f"{number} / {total}",
             fontsize=SMALL_PT, color=MUTED, ha="right", va="center")


def tile(fig: Figure, *, left: float, top: float, width: float, height: float, value: str,
         label: str, note: str = "") -> None:
    """Draw one headline figure: a large value, its label and an optional note."""
    fig.add_artist(FancyBboxPatch(
        (fx(left), fy(top + height)), fx(width), height / PAGE_IN[1],
        boxstyle="round,pad=0,rounding_size=0.008", transform=fig.transFigure,
        facecolor=ZEBRA, edgecolor=RULE, linewidth=0.6))
    pad = 0.16
    fig.text(fx(left + pad), fy(top + pad), value, fontsize=21, weight="bold", color=ACCENT,
             va="top")
    used = pad + line_in(21) + 0.06
    used += paragraph(fig, label, left=left + pad, top=top + used, width=width - 2 * pad,
                      size=BODY_PT, weight="bold")
    if note:
        paragraph(fig, note, left=left + pad, top=top + used + 0.03, width=width - 2 * pad,
                  size=SMALL_PT, color=MUTED)
