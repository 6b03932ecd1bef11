"""The title page: territory, period, date, data vintages and contents."""

from __future__ import annotations

import datetime as dt

from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from territory.report._data import ReportData
from territory.report._format import DASH
from territory.report._method import source_rows
from territory.report._style import (
    ACCENT,
    BODY_PT,
    DEMO_RED,
    INK,
    MARGIN_IN,
    MUTED,
    PAGE_IN,
    RULE,
    SMALL_PT,
    french_date,
    fx,
    fy,
    line_in,
    new_page,
    paragraph,
    wrap,
)
from territory.report.document import Page, Table

TITLE = "Couverture territoriale des Missions Locales"
RIGHT_COLUMN_IN = 7.6


def _vintages(data: ReportData) -> Table:
    youth = next((str(r["source"]) for r in data.sources if r["label"].startswith("Jeunes")),
                 "non précisée")
    rows = tuple((what, source.split(" — ")[0], when)
                 for what, source, when in source_rows(data.metadata, youth))
    return Table("Données et millésimes", ("Donnée", "Source", "Millésime ou date"), rows,
                 (False, False, False))


def _demo_notice(fig: Figure, top: float, width: float) -> float:
    text = ("Missions Locales, sites, actions et contacts sont générés pour la démonstration : "
            "aucun chiffre de ce rapport ne décrit une Mission Locale réelle. Communes et "
            "population sont réelles.")
    lines = wrap(text, width - 0.4, BODY_PT)
    height = 0.62 + len(lines) * line_in(BODY_PT)
    fig.add_artist(Rectangle((fx(MARGIN_IN), fy(top + height)), fx(width), height / PAGE_IN[1],
                             transform=fig.transFigure, facecolor="#fdf0ee",
                             edgecolor=DEMO_RED, linewidth=1.5))
    fig.text(fx(MARGIN_IN + 0.2), fy(top + 0.18), "DONNÉES FICTIVES", fontsize=18,
             weight="bold", color=DEMO_RED, va="top")
    paragraph(fig, text, left=MARGIN_IN + 0.2, top=top + 0.52, width=width - 0.4,
              size=BODY_PT, color=INK)
    return height


def _contents(fig: Figure, contents: list[tuple[str, int]], top: float) -> None:
    left, width = RIGHT_COLUMN_IN, PAGE_IN[0] - MARGIN_IN - RIGHT_COLUMN_IN
    fig.text(fx(left), fy(top), "Sommaire", fontsize=13, weight="bold", color=INK, va="top")
    y = top + 0.45 + line_in(11)
    for title, number in contents:
        fig.text(fx(left + width), fy(y), str(number), fontsize=11, color=MUTED,
                 ha="right", va="baseline")
        for line in wrap(title, width - 0.45, 11):
            fig.text(fx(left), fy(y), line, fontsize=11, color=INK, va="baseline")
            y += line_in(11)
        y += 0.16


def _vintage_block(fig: Figure, table: Table, top: float) -> None:
    fig.text(fx(MARGIN_IN), fy(top), table.title, fontsize=11, weight="bold", color=INK,
             va="top")
    y = top + 0.35
    for what, source, when in table.rows:
        shown = when != DASH and when not in source
        text = f"{what} : {source}" + (f" ({when})" if shown else "")
        y += paragraph(fig, text, left=MARGIN_IN, top=y, width=RIGHT_COLUMN_IN - MARGIN_IN
                       - 0.5, size=SMALL_PT + 0.5, color=MUTED) + 0.05


def cover_page(data: ReportData, *, date: dt.date,
               contents: list[tuple[str, int]]) -> Page:
    """Return the title page; ``contents`` lists (page title, page number)."""
    fig = new_page()
    left = MARGIN_IN + 0.3
    column = RIGHT_COLUMN_IN - left - 0.5
    y = 0.95 + paragraph(fig, TITLE, left=left, top=0.95, width=column, size=28,
                         weight="bold") + 0.12
    y += paragraph(fig, data.territory, left=left, top=y, width=column, size=18, color=ACCENT,
                   weight="bold") + 0.25
    fig.text(fx(left), fy(y), f"Période : {data.period_label}", fontsize=13, color=INK,
             va="top")
    y += line_in(13) + 0.08
    fig.text(fx(left), fy(y), f"Rapport établi le {french_date(date)}", fontsize=11,
             color=MUTED, va="top")
    y += line_in(11)
    fig.add_artist(Rectangle((fx(MARGIN_IN), fy(y)), fx(0.09), (y - 0.95) / PAGE_IN[1],
                             transform=fig.transFigure, facecolor=ACCENT, edgecolor="none"))
    y += 0.45
    if data.demo:
        y += _demo_notice(fig, y, RIGHT_COLUMN_IN - MARGIN_IN - 0.5) + 0.35
    vintages = _vintages(data)
    _vintage_block(fig, vintages, y)
    fig.add_artist(Rectangle((fx(RIGHT_COLUMN_IN - 0.3), fy(PAGE_IN[1] - 0.8)),
                             0.7 / 72 / PAGE_IN[0], (PAGE_IN[1] - 1.75) / PAGE_IN[1],
                             transform=fig.transFigure, facecolor=RULE, edgecolor="none"))
    _contents(fig, contents, 0.95)
    return Page("Page de titre", fig, tables=(vintages,),
                text=(TITLE, data.territory, f"Période : {data.period_label}",
                      f"Rapport établi le {french_date(date)}"))
