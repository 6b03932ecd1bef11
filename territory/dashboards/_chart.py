"""Contacts by month over the programme: a Bokeh bar chart, months in French."""

from __future__ import annotations

from typing import Any

import pandas as pd
from bokeh.models.annotations import BoxAnnotation, Label, Title
from bokeh.models.ranges import Range1d
from bokeh.models.sources import ColumnDataSource
from bokeh.models.text import PlainText
from bokeh.models.tickers import FixedTicker
from bokeh.models.tools import HoverTool
from bokeh.plotting import figure

from territory._french import MONTHS_SHORT
from territory.analysis.suppression import suppress
from territory.viz.labels import format_number

__all__ = ["LOCKDOWN", "monthly_chart"]

# The first national lockdown in France, 17 March to 11 May 2020: contacts fell everywhere.
LOCKDOWN = ("2020-03-17", "2020-05-11")
SECRET_THRESHOLD = 11
BAR = "#1f4e79"
MASKED = "#c9d1d9"


def _month_label(period: pd.Period) -> str:
    return f"{MONTHS_SHORT[period.month - 1]} {period.year}"


def _source(series: pd.DataFrame, *, public: bool) -> ColumnDataSource:
    periods = [pd.Period(p, "M") for p in series["period"]]
    reached = series["reached"].astype(int).tolist()
    # Public: small months masked, and with them another month when one alone would be the
    # period's total less the others (territory.analysis.suppress).
    marks = (suppress(series[["reached"]].astype(float), threshold=SECRET_THRESHOLD,
                      groups=[])["reached_secret"].tolist() if public
             else [None] * len(reached))
    masked = [isinstance(m, str) for m in marks]
    return ColumnDataSource({
        "x": list(range(len(periods))),
        "top": [SECRET_THRESHOLD - 1 if m else v for v, m in zip(reached, masked, strict=True)],
        "colour": [MASKED if m else BAR for m in masked],
        "label": [_month_label(p) for p in periods],
        "text": [m if isinstance(m, str) else format_number(v)
                 for v, m in zip(reached, marks, strict=True)],
    })


def _lockdown(fig: figure, periods: list[pd.Period], top: float) -> None:
    start, end = (pd.Timestamp(d) for d in LOCKDOWN)
    first = periods[0].start_time
    if end < first or start > periods[-1].end_time:
        return
    def position(when: pd.Timestamp) -> float:
        months = (when.year - first.year) * 12 + when.month - first.month
        return months - 0.5 + (when.day - 1) / when.days_in_month
    fig.add_layout(BoxAnnotation(left=position(start), right=position(end),
                                 fill_color="#f4a261", fill_alpha=0.25, line_alpha=0))
    fig.add_layout(Label(x=position(start), y=top, x_offset=2, text="1er confinement",
                         text_font_size="9pt", text_color="#8a4b08", text_baseline="top"))


def monthly_chart(series: pd.DataFrame, *, title: str, public: bool) -> figure:
    """Return a bar chart of young people contacted each month.

    Parameters
    ----------
    series
        territory.analysis.contact_series (``period``, ``reached``), one row per month.
    title
        The chart's title, in French.
    public
        Draw months with 1 to 10 young people as grey bars labelled « < 11 ».
    """
    source = _source(series, public=public)
    # The title names a Mission Locale: plain text, never read as TeX ($$…$$).
    options: dict[str, Any] = {"height": 260, "sizing_mode": "stretch_width",
                               "title": Title(text=PlainText(text=title)),
                               "toolbar_location": None, "tools": "",
                               "y_axis_label": "jeunes contactés"}
    fig = figure(**options)
    fig.vbar(x="x", top="top", width=0.8, color="colour", source=source)
    labels = source.data["label"]
    step = 3 if len(labels) > 12 else 1
    ticks = list(range(0, len(labels), step))
    fig.xaxis.ticker = FixedTicker(ticks=ticks)
    fig.xaxis.major_label_overrides = {i: labels[i] for i in ticks}
    top = max(source.data["top"], default=0) * 1.18 or 1
    fig.y_range = Range1d(start=0, end=top)
    fig.xgrid.grid_line_color = None
    if public and any(c == MASKED for c in source.data["colour"]):
        fig.add_layout(Title(text="en gris : mois de 1 à 10 jeunes, effectif masqué (« < 11 »)",
                             text_font_size="8pt", text_font_style="normal",
                             text_color="#52606d", align="right"), "below")
    fig.add_tools(HoverTool(tooltips=[("mois", "@label"), ("jeunes contactés", "@text")]))
    if len(series):
        _lockdown(fig, [pd.Period(p, "M") for p in series["period"]], top)
    return fig
