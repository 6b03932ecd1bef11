"""Young people in contact over time: by month, by quarter, or for the whole period.

Each bar is a count of young people derived from contacts, so a masked one is drawn as a
hatched bar at the threshold labelled "< 11" (or "s"), never at its value. When too many
months would be masked, :mod:`territory.report._data` counts by quarter, or only over the
whole period, and this page says why.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes

from territory._french import MONTHS_SHORT
from territory.report import _format as fmt
from territory.report._data import ReportData
from territory.report._style import (
    ACCENT,
    MUTED,
    PAGE_IN,
    RULE,
    SECRET_FILL,
    SMALL_PT,
    content_box,
    fx,
    fy,
    new_page,
    page_title,
    paragraph,
)
from territory.report.document import Page, Table
from territory.viz.labels import format_number

# National lockdowns (décrets n° 2020-293 and n° 2020-1310): the gaps they leave in the
# contacts are expected, not a fault of the data.
LOCKDOWNS = (("2020-03-17", "2020-05-10", "1er confinement"),
             ("2020-10-30", "2020-12-14", "2e confinement"))
LOCKDOWN_NOTE = ("En beige : confinements nationaux (17 mars – 10 mai 2020, 30 octobre – "
                 "14 décembre 2020).")
UNITS = {"month": ("mois", "Mois"), "quarter": ("trimestre", "Trimestre"),
         "period": ("période", "Période")}


def _label(period: object, freq: str, *, year: bool = True) -> str:
    if not isinstance(period, pd.Period):
        return "ensemble de la période"
    if freq == "quarter":
        return f"T{period.quarter}\n{period.year}" if year else f"T{period.quarter}"
    month = MONTHS_SHORT[period.month - 1]
    return f"{month}\n{period.year}" if year else month


def series_table(data: ReportData) -> Table:
    """Return the contacts over time as a table (one row per month, quarter or period)."""
    unit = UNITS[data.series_freq][1]
    rows = tuple((_label(p, data.series_freq).replace("\n", " "), fmt.count(r, "reached"))
                 for p, r in zip(data.series["period"], data.series.to_dict("records"),
                                 strict=True))
    return Table(f"Jeunes en contact par {unit.lower()}", (unit, "Jeunes en contact"), rows,
                 (False, True), counts=("Jeunes en contact",), note=fmt.SECRET_NOTE)


def _position(day: pd.Timestamp, periods: list[pd.Period]) -> float:
    """Position of a day on the bar axis: bar ``i`` spans ``i - 0.5`` to ``i + 0.5``."""
    span = day.to_period(periods[0].freqstr)
    share = (day - span.start_time) / (span.end_time - span.start_time)
    return (span - periods[0]).n - 0.5 + float(share)


def _lockdowns(ax: Axes, periods: list[pd.Period]) -> None:
    for start, end, label in LOCKDOWNS:
        a = max(-0.5, _position(pd.Timestamp(start), periods))
        b = min(len(periods) - 0.5,
                _position(pd.Timestamp(end) + pd.Timedelta(days=1), periods))
        if b <= a:
            continue
        ax.axvspan(a, b, color="#f4e3c1", zorder=0, linewidth=0)
        ax.text((a + b) / 2, 1.0, label, transform=ax.get_xaxis_transform(), ha="center",
                va="bottom", fontsize=SMALL_PT, color=MUTED)


def _bars(ax: Axes, rows: list[dict], threshold: int, top: float) -> None:
    for x, row in enumerate(rows):
        flag = fmt.secret(row, "reached")
        if flag is None:
            ax.bar(x, row["reached"], width=0.72, color=ACCENT, zorder=2)
            continue
        ax.bar(x, threshold, width=0.72, color=SECRET_FILL, hatch="//", edgecolor=MUTED,
               linewidth=0.5, zorder=2)
        ax.text(x, threshold + top * 0.01, flag, ha="center", va="bottom",
                fontsize=SMALL_PT - 1, color=MUTED)


def _draw_series(ax: Axes, data: ReportData) -> None:
    periods = list(data.series["period"])
    rows = data.series.to_dict("records")
    threshold = data.params.suppression_threshold
    shown = [r["reached"] for r in rows if pd.notna(r["reached"])]
    top = max([*shown, threshold]) * 1.12
    _lockdowns(ax, periods)
    _bars(ax, rows, threshold, top)
    labels = [_label(p, data.series_freq, year=x == 0 or p.year != periods[x - 1].year)
              for x, p in enumerate(periods)]
    ax.set_xticks(range(len(periods)), labels, fontsize=SMALL_PT)
    ax.set_ylim(0, top)
    ax.set_xlim(-0.7, len(periods) - 0.3)
    ax.yaxis.set_major_formatter(lambda v, _: format_number(v))
    ax.tick_params(axis="y", labelsize=SMALL_PT)
    ax.grid(axis="y", color=RULE, linewidth=0.5, zorder=0)
    ax.set_axisbelow(True)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)


def series_page(data: ReportData) -> Page:
    """Return the page of young people in contact per month (or quarter, or period)."""
    fig = new_page()
    left, top, width, height = content_box()
    unit = UNITS[data.series_freq][0]
    title = ("Jeunes en contact sur la période" if data.series_freq == "period"
             else f"Jeunes en contact par {unit}")
    who = "du territoire d'intervention" if data.ml_code and not data.series_note \
        else "de la région"
    used = page_title(fig, title, f"Jeunes distincts en contact avec une Mission Locale, "
                      f"résidant {who}, {data.period_label}.")
    if data.series_note:
        used += paragraph(fig, data.series_note, left=left, top=top + used, width=width,
                          size=11, weight="bold") + 0.1
    note_top = top + height - 0.45
    notes = [LOCKDOWN_NOTE, fmt.SECRET_NOTE]
    if data.series_freq == "quarter":
        notes.insert(0, "Par trimestre : trop de mois compteraient moins de 11 jeunes.")
    if data.series_freq in ("month", "quarter") and len(data.series):
        ax = fig.add_axes((fx(left + 0.5), fy(note_top - 0.6), fx(width - 0.6),
                           (note_top - 0.6 - top - used - 0.3) / PAGE_IN[1]))
        _draw_series(ax, data)
    else:
        notes.remove(LOCKDOWN_NOTE)
        total = fmt.count(data.series.iloc[0].to_dict(), "reached") if len(data.series) else "0"
        paragraph(fig, f"Sur toute la période : {total} jeunes en contact.", left=left,
                  top=top + used + 0.4, width=width, size=13)
    paragraph(fig, " ".join(notes), left=left, top=note_top, width=width, size=SMALL_PT,
              color=MUTED)
    text = (data.series_note,) if data.series_note else ()
    return Page(title, fig, tables=(series_table(data),), text=text)
