"""The director's "Impact" tab: the bilan d'impact of outreach, in a chart, words and a table.

The study is :func:`territory.analysis.impact.impact` with the command line's defaults
(``territory impact``: communes, young people in first contact, 999 bootstrap draws); it is
computed once per workspace version, mode and threshold and shared by every session
(:func:`territory.dashboards.data.impact_study`). Its
figures go through :func:`territory.viz.impact.impact_table`, which leaves out those resting
on fewer young people than the secrecy threshold.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import panel as pn
from bokeh.models.annotations import Span
from bokeh.models.sources import ColumnDataSource
from bokeh.models.tools import HoverTool
from bokeh.plotting import figure

from territory.analysis.impact import ImpactStudy
from territory.dashboards import _html, data
from territory.viz import labels
from territory.viz.impact import EFFECT_LABEL, impact_table

__all__ = ["ImpactTab", "event_chart", "ml_rows"]

AFTER, BEFORE = "#1f5fa8", "#8c8c8c"
TABLE_COLUMNS = ("Territoire", "Effet", "Intervalle à 95 %", "Zones traitées", "Remarque")


def _num(value: float) -> str:
    return f"{value:+.2f}".replace(".", ",").replace("-", "−")


def event_chart(study: ImpactStudy, *, demo: bool) -> Any:
    """Return the event study as a Bokeh chart: effect by month since outreach started."""
    title = "Effet par mois depuis le début de l’aller-vers" + (" — données fictives"
                                                               if demo else "")
    options: dict[str, Any] = {
        "height": 300, "sizing_mode": "stretch_width", "title": title,
        "toolbar_location": None, "tools": "",
        "x_axis_label": "mois depuis le début de l’aller-vers à portée",
        "y_axis_label": "pour 1 000 jeunes, par mois"}
    fig = figure(**options)
    events = study.events
    shown = events[events["published"]] if len(events) else events
    for before, colour, name in ((True, BEFORE, "mois avant (contrôle)"),
                                 (False, AFTER, "mois depuis le début")):
        part = shown[(shown["e"] < 0) == before]
        if part.empty:
            continue
        source = ColumnDataSource({
            "e": part["e"].tolist(), "att": part["att"].tolist(), "low": part["low"].tolist(),
            "high": part["high"].tolist(),
            "text": [f"{_num(a)} ({_num(lo)} à {_num(hi)})" for a, lo, hi
                     in zip(part["att"], part["low"], part["high"], strict=True)]})
        fig.varea(x="e", y1="low", y2="high", source=source, fill_color=colour,
                  fill_alpha=0.18)
        fig.line(x="e", y="att", source=source, color=colour, line_width=1.5,
                 legend_label=name)
        fig.scatter(x="e", y="att", source=source, color=colour, size=5)
    fig.add_layout(Span(location=0, dimension="width", line_color="#555555", line_width=1))
    fig.add_layout(Span(location=-0.5, dimension="height", line_color="#999999",
                        line_dash="dashed", line_width=1))
    fig.add_tools(HoverTool(tooltips=[("mois", "@e"), ("effet (intervalle)", "@text")]))
    if fig.legend:
        fig.legend.location = "top_left"
        fig.legend.label_text_font_size = "8pt"
    fig.xgrid.grid_line_color = None
    return fig


def ml_rows(study: ImpactStudy, names: dict[str, str]) -> pd.DataFrame:
    """Return the table shown: the region, the consortium comparison, then each ML."""
    table = impact_table(study)
    table = table[table["what"] != "mois"]
    rows = []
    for row in table.to_dict(orient="records"):
        what = {"ensemble": "Région (toutes les communes)",
                "consortium": "Consortium IN Système contre les autres ML"}.get(
                    str(row["what"]), names.get(str(row["key"]), str(row["key"])))
        shown = pd.notna(row["att"])
        att, low, high = (float(row[k]) for k in ("att", "low", "high"))
        note = row["note"] if isinstance(row["note"], str) else ""
        if shown and not note:
            note = "intervalle sans 0" if low > 0 or high < 0 else "l’intervalle contient 0"
        rows.append({
            "Territoire": what,
            "Effet": _num(att) if shown else "",
            "Intervalle à 95 %": f"{_num(low)} à {_num(high)}" if shown else "",
            "Zones traitées": "" if pd.isna(row["zones"]) else f"{int(row['zones'])}",
            "Remarque": note,
        })
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS))


class ImpactTab:
    """The panes of the Impact tab, filled on first display (the study takes seconds)."""

    def __init__(self, source: data.Source, names: dict[str, str], *, demo: bool) -> None:
        self.source, self.names, self.demo = source, names, demo
        self.reading = pn.pane.HTML(
            '<p class="tc-help">Le bilan d’impact se calcule à l’ouverture de cet onglet '
            "(quelques secondes la première fois).</p>", sizing_mode="stretch_width",
            stylesheets=[_html.CSS])
        self.chart = pn.pane.Bokeh(sizing_mode="stretch_width", height=310)
        self.table = pn.widgets.Tabulator(
            pd.DataFrame(columns=list(TABLE_COLUMNS)), disabled=True, show_index=False,
            height=360, sizing_mode="stretch_width", layout="fit_columns", pagination=None,
            widths={"Territoire": "31%", "Effet": "8%", "Intervalle à 95 %": "15%",
                    "Zones traitées": "13%", "Remarque": "33%"},
            stylesheets=[_html.SMALL_TABLE_CSS])
        self.method = pn.pane.HTML("", sizing_mode="stretch_width",
                                   stylesheets=[_html.CSS])
        self.study: ImpactStudy | None = None

    def fill(self, *, mode: str, threshold_min: float, ml_code: str = "") -> None:
        """Compute (or fetch) the study and show it; the chosen ML's line under the reading."""
        self.reading.loading = True
        try:
            self.study = data.impact_study(self.source.path, self.source.version, mode,
                                           float(threshold_min))
        finally:
            self.reading.loading = False
        study = self.study
        self.reading.object = self._reading_html(study, ml_code)
        self.chart.object = event_chart(study, demo=self.demo)
        self.table.value = ml_rows(study, self.names)
        self.method.object = _method_html(study)

    def _reading_html(self, study: ImpactStudy, ml_code: str) -> str:
        parts = [f'<p class="tc-impact-reading">{labels.html_text(study.words())}</p>']
        if ml_code and len(study.by_ml):
            row = study.by_ml[study.by_ml["ml_code"] == ml_code]
            name = labels.html_text(self.names.get(ml_code, ml_code))
            if row.empty or isinstance(row["reason"].iloc[0], str):
                why = "" if row.empty else labels.html_text(str(row["reason"].iloc[0]))
                parts.append(f"<p><b>{name}</b> : pas d’estimation propre ({why}).</p>")
            elif not bool(row["published"].iloc[0]):
                parts.append(f"<p><b>{name}</b> : estimation non publiée (secret "
                             "statistique).</p>")
            else:
                r = row.iloc[0]
                parts.append(f"<p><b>{name}</b> : {_num(r['att'])} {EFFECT_LABEL} "
                             f"(intervalle {_num(r['low'])} à {_num(r['high'])}, par "
                             "trimestre, ses communes seules).</p>")
        covered = study.pretrend_covered
        if np.isfinite(covered):
            parts.append(f'<p class="tc-help">Contrôle : {covered * 100:.0f} % des mois avant '
                         "le début ont un intervalle qui contient 0 (pas d’écart préalable "
                         "entre zones touchées et zones de comparaison).</p>")
        return "".join(parts)

    def panel(self) -> pn.Column:
        """Return the tab's content."""
        return pn.Column(self.reading, self.chart,
                         pn.pane.HTML('<p class="tc-section">Effet moyen : la région, le '
                                      "consortium et chaque Mission Locale (par trimestre, ses "
                                      "communes seules)</p>", stylesheets=[_html.CSS]),
                         self.table, self.method, sizing_mode="stretch_width")


def _method_html(study: ImpactStudy) -> str:
    return ('<p class="tc-help">Méthode : chaque commune est « touchée » à partir du mois où une '
            "action d’aller-vers a lieu à sa portée (portée apprise des contacts, sinon le "
            "seuil d’accès). On compare, mois par mois, les jeunes entrés en contact avec une "
            "Mission Locale dans les communes touchées et dans celles qui ne le sont pas "
            "encore (différences de différences échelonnées, Callaway et Sant’Anna 2021). "
            f"Intervalle : bootstrap par Mission Locale ({study.bootstrap} tirages). Les mois "
            "d’avant servent "
            "de contrôle : sans effet, leurs intervalles contiennent 0. Toute la période des "
            "données, quel que soit le choix d’année. Effets reposant sur moins de "
            f"{study.threshold} jeunes non publiés. Sur 43 Missions Locales, 2 environ "
            "s’écartent de 0 par le seul "
            "hasard d’un intervalle à 95 % : l’effet d’une ML seule se lit avec prudence.</p>")
