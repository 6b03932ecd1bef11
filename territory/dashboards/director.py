"""The director's view: how well is the territory covered, in figures a funder can keep.

:class:`DirectorApp` shows headline figures for the region, a département or one Mission
Locale, the funnel, a map and a table of the 43 MLs, contacts by month over the programme,
and the exports; its "Bilan d'impact" tab shows the effect of outreach
(territory.analysis.impact). Everything on it is public: small counts are masked (« < 11 »).
"""

from __future__ import annotations

import importlib
import importlib.util
import io
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
import panel as pn
import param

from territory.analysis import contact_series, headline, indicators
from territory.analysis.period import public_periods
from territory.dashboards import _chart, _html, _styles, data, exports
from territory.dashboards._impact import ImpactTab
from territory.dashboards.map_component import CoverageMap
from territory.dashboards.selection import Selection
from territory.io.workspace import Workspace
from territory.viz import labels, short_ml_name

# The report is optional: without territory.report, the view offers no PDF.
REPORT: ModuleType | None = (importlib.import_module("territory.report")
                             if importlib.util.find_spec("territory.report") else None)

__all__ = ["DirectorApp"]

# Contacts kept as counts per period (territory import contacts FILE.parquet): no month.
COUNTED_NOTE = ('<p class="tc-note">Les contacts sont conservés sous forme de comptes par '
                "période (jeunes distincts par commune), sans date : pas de courbe "
                "mensuelle.</p>")
ML_COLUMNS = {"zone_name": "Mission Locale", "youth": "Jeunes", "invisible_est": "Invisibles",
              "reached": "Atteints", "contacts_per_1000": "Pour 1 000",
              "covered_share": "Sous seuil %", "repere": "Repérés", "mobilise": "Mobilisés",
              "accompagne": "Accomp.", "gap_score": "Indice"}
MAP_INDICATORS = ("gap_score", "contacts_per_1000", "invisible_est")
# Exports that show communes: the whole record only.
COMMUNE_EXPORTS = ("map", "communes", "report")


class DirectorApp(Selection):
    """The director's view of one browser session.

    Examples
    --------
    >>> app = DirectorApp(demo_path, ml="ML01")
    >>> app.figures["reached"] > 0
    True
    """

    indicator: param.Selector = param.Selector(default="gap_score", objects=list(MAP_INDICATORS),
                               doc="What colours the Missions Locales on the map.")
    year = param.String(default="", doc="The period shown: '' the whole record, or a calendar "
                        "year (the only periods a public view offers).")

    def __init__(self, source: Path | str | data.Source, **params: Any) -> None:
        self._periods: dict[str, tuple[str, str] | None] = {"": None}
        super().__init__(source, **params)
        self._periods = public_periods(data.record_dates(*self.key))
        self.figures: dict[str, float] = {}
        self.public: dict[str, Any] = {}
        catchments = self.layers.get("catchments")
        self._ml_codes = ([] if catchments is None else
                          catchments["ml_code"].astype(str).tolist())
        self.map = CoverageMap(
            tiles=data.tile_set(*self.key).urls(), area_layer="catchments",
            codes=self._ml_codes, area_weight=1.0,
            names=data.catchment_names(*self.key),
            banner=labels.DEMO_LABEL if self.info.demo else "", min_height=460)
        self.map.on_action("click", self._on_click)
        self.cards = pn.pane.HTML(sizing_mode="stretch_width", stylesheets=[_html.CSS])
        self.funnel = pn.pane.HTML(sizing_mode="stretch_width", stylesheets=[_html.CSS])
        self.chart = pn.pane.Bokeh(sizing_mode="stretch_width", height=270)
        self.table = pn.widgets.Tabulator(
            pd.DataFrame(columns=list(ML_COLUMNS.values())), disabled=True, show_index=False,
            height=420, sizing_mode="stretch_width", layout="fit_columns", pagination=None,
            selectable=1, formatters=self._formatters(), frozen_columns=["Mission Locale"],
            configuration=self._table_configuration(), stylesheets=[_html.SMALL_TABLE_CSS])
        self.table.param.watch(self._on_row, "selection")
        self.downloads = self._downloads()
        self.impact = ImpactTab(self.source, dict(self.info.mls), demo=self.info.demo)
        self.tabs = pn.Tabs(dynamic=False, sizing_mode="stretch_width")
        self.tabs.param.watch(self._on_tab, "active")
        self.year_note = pn.pane.HTML(
            '<p class="tc-help">Carte, tableau par commune et rapport : toute la période '
            "seulement (une année à côté donnerait de petits effectifs de communes par "
            "différence).</p>", stylesheets=[_html.CSS], visible=False)
        self._refresh()

    # -- what a public view offers ---------------------------------------------------------------
    @property
    def filters(self) -> data.Filters:
        """The whole record or one calendar year, every kind of action.

        Counts published for two periods, one inside the other, give by difference those of
        the months between; counts for all kinds and for all but one give those of one
        kind: the director's view, which is public, offers neither (the planner does).
        """
        if self.info.counted_periods:
            return super().filters
        kinds = tuple(sorted(self.info.action_kinds))
        return data.Filters(self._periods.get(self.year), float(self.threshold_min), kinds,
                            self.travel)

    @param.depends("ml", watch=True)
    def _ml_alone(self) -> None:
        # One ML or one département: their overlap would be a zone no public table masks.
        if self.ml:
            self.departement = ""

    @param.depends("departement", watch=True)
    def _departement_alone(self) -> None:
        if self.departement:
            self.ml = ""

    def _period_widget(self, months: dict[str, str], wide: dict[str, Any]) -> Any:
        if self.info.counted_periods:
            return super()._period_widget(months, wide)
        return pn.widgets.Select.from_param(
            self.param.year, label="Période", **wide,
            options={("Toute la période" if not key else f"Année {key}"): key
                     for key in self._periods})

    # -- figures -----------------------------------------------------------------------------
    def headline_figures(self) -> dict[str, float]:
        """Return the selection's headline figures: those of the report and the command line.

        One function computes them everywhere (:func:`territory.analysis.headline`), with the
        same period rule and the same shares of communes shared by two MLs.
        """
        table, _ = self.table_and_weights()
        found = data.filtered_layers(*self.key, self.filters)
        return headline(table, found, ml_code=self.ml or None,
                        dep_code=self.departement or None, period=self.filters.period)

    @param.depends("year", "counted", "threshold_min", "mode", "window", "ml", "departement",
                   "indicator", watch=True)
    def _refresh(self) -> None:
        self.figures = self.headline_figures()
        self.public = data.public_row(self.source, self.filters, ml_code=self.ml,
                                      dep_code=self.departement)
        by_ml = data.catchment_indicators(self.source, self.filters, public=True)
        with pn.io.hold():
            self.cards.object = self._cards_html()
            self.funnel.object = (f'<p class="tc-section">Parcours des jeunes atteints · '
                                  f"{labels.html_text(self.period_label)}</p>"
                                  + _html.funnel_html(self.public)
                                  + (COUNTED_NOTE if self.info.counted_periods else ""))
            self._refresh_map(by_ml)
            self.table.value = self._ml_table(by_ml)
            self.chart.object = self._chart()
            self._name_downloads()

    def _cards_html(self) -> str:
        f, public = self.figures, self.public
        threshold = f"{self.threshold_min:g}"
        mode = self.filters.params.travel_mode
        return _html.cards([
            _html.card("Jeunes (16–25 ans)", _html.count_text(f["youth"]),
                       labels.html_text(self.territory_name)),
            _html.card("Jeunes invisibles estimés",
                       _html.public_figure(public, "invisible_est"),
                       "NEET inconnus des Missions Locales", tone="tc-warn"),
            _html.card("Sites ouverts", _html.count_text(f["sites"]),
                       "sièges, antennes, permanences, partenaires"),
            _html.card("Actions d’aller-vers", _html.count_text(f["actions"]),
                       labels.html_text(self.period_label)),
            _html.card("Jeunes atteints", _html.public_figure(public, "reached"),
                       "jeunes distincts contactés"),
            _html.card(f"Jeunes à moins de {threshold} min",
                       _html.public_figure(public, "covered_share", share=True),
                       f"{(mode.short or mode.label).lower()}, d’un site ou d’un lieu "
                       "d’aller-vers", tone="tc-accent"),
        ])

    def _refresh_map(self, by_ml: pd.DataFrame) -> None:
        if not self._ml_codes:
            return
        ordered = by_ml.set_index("zone_id").reindex(self._ml_codes).reset_index()
        style = _styles.map_style(ordered.assign(zone_id=self._ml_codes), np.ones(len(ordered)),
                                  self.indicator, params=self.filters.params,
                                  territory="Missions Locales")
        chosen = [self._ml_codes.index(self.ml)] if self.ml in self._ml_codes else []
        weights = data.selection_weights(*self.key, self.ml, self.departement)
        bounds = self.view_updates(weights)["view_bounds"]
        self.map.param.update(**{**style.map_params(), "ranks": []},
                              legend_html=style.legend.split('<div class="tm-note">')[0],
                              highlight=chosen, view_bounds=bounds)

    def _ml_table(self, by_ml: pd.DataFrame) -> pd.DataFrame:
        public = by_ml.assign(zone_name=by_ml["zone_name"].astype(str).map(short_ml_name),
                              covered_share=by_ml["covered_share"].astype(float) * 100)
        self._table_codes = by_ml["zone_id"].astype(str).tolist()
        return _html.with_secret_marks(public, list(ML_COLUMNS)).rename(columns=ML_COLUMNS)

    @staticmethod
    def _formatters() -> dict[str, Any]:
        # Long names wrap onto a second line rather than end in "…".
        return {"Mission Locale": "textarea", **_html.number_formatters(
            {name: 1 if name in ("Pour 1 000", "Sous seuil %", "Indice") else 0
             for name in list(ML_COLUMNS.values())[1:]})}

    @staticmethod
    def _table_configuration() -> dict[str, Any]:
        # Ten columns fit across the page at their smallest (the numbers' titles in full, the
        # names on two lines) and share what room is left. Masked cells hold their mark
        # (« < 11 », « s »): the columns still sort as numbers.
        numbers = list(ML_COLUMNS.values())[1:]
        smallest = _html.column_widths(numbers, minimum_px=90, char_px=7.5)
        return {**_html.TABLE_CONFIGURATION, "columns": [
            {"field": "Mission Locale", "minWidth": 200, "widthGrow": 2},
            *({"field": name, "sorter": "number", "minWidth": smallest[name]}
              for name in numbers)]}

    def _chart(self) -> Any:
        contacts = data.filtered_layers(*self.key, self.filters).get("contacts")
        if contacts is None or contacts.empty:
            return None
        if self.ml:
            contacts = contacts[contacts["ml_code"].astype(str) == self.ml]
        series = contact_series(contacts, freq="month", period=self.filters.period)
        who = self.info.mls.get(self.ml, "toutes les Missions Locales")
        return _chart.monthly_chart(series, title=f"Jeunes contactés par mois — {who}",
                                    public=True)

    # -- events --------------------------------------------------------------------------------
    def _on_click(self, msg: dict[str, Any]) -> None:
        if msg.get("id"):
            self.ml = "" if self.ml == msg["id"] else str(msg["id"])

    def _on_row(self, event: param.parameterized.Event) -> None:
        if event.new and event.new[0] < len(self._table_codes):
            self.ml = self._table_codes[event.new[0]]

    def _on_tab(self, event: param.parameterized.Event) -> None:
        if event.new == 1:
            self._show_impact()

    @param.depends("ml", "mode", "window", "threshold_min", watch=True)
    def _impact_changed(self) -> None:
        if self.tabs.active == 1:
            self._show_impact()

    def _show_impact(self) -> None:
        self.impact.fill(mode=self.travel, threshold_min=float(self.threshold_min),
                         ml_code=self.ml)

    # -- exports -------------------------------------------------------------------------------
    def _downloads(self) -> dict[str, pn.widgets.FileDownload]:
        def file(callback: Any, label: str) -> pn.widgets.FileDownload:
            return pn.widgets.FileDownload(callback=callback, label=label, filename="x",
                                           color="primary", sizing_mode="stretch_width")
        found = {
            "map": file(lambda: io.BytesIO(exports.html_map(
                self.source, self.filters, ml_code=self.ml, title=self.territory_name)),
                "Carte interactive (HTML)"),
            "ml": file(lambda: io.BytesIO(exports.csv_table(
                data.catchment_indicators(self.source, self.filters, public=True),
                demo=self.info.demo)), "Tableau par Mission Locale (CSV)"),
            "communes": file(lambda: io.BytesIO(exports.csv_table(
                self._public_communes(), demo=self.info.demo)), "Tableau par commune (CSV)"),
        }
        if REPORT is not None:
            found["report"] = file(self._report, "Rapport (PDF)")
        return found

    def _public_communes(self) -> pd.DataFrame:
        table = indicators(data.filtered_layers(*self.key, self.filters),
                           period=self.filters.period, public=True,
                           params=self.filters.params)
        weights = data.selection_weights(*self.key, self.ml, self.departement)
        return table[weights > 0]

    def _report(self) -> io.BytesIO:
        if REPORT is None:
            raise RuntimeError("territory.report is not installed")
        layers = data.filtered_layers(*self.key, self.filters)
        report = REPORT.build_report(layers, metadata=Workspace(self.source.path).metadata(),
                              ml_code=self.ml or None, period=self.filters.period,
                              threshold_min=float(self.threshold_min),
                              mode=self.filters.params.mode, window=self.filters.params.window)
        return io.BytesIO(report.to_bytes(".pdf"))

    def _name_downloads(self) -> None:
        # Communes are published for the whole record only: a year beside it would give
        # small counts of communes by difference (territory.analysis.period).
        for key in COMMUNE_EXPORTS:
            if key in self.downloads:
                self.downloads[key].disabled = bool(self.year)
        self.year_note.visible = bool(self.year)
        slug = (self.ml or "region").lower() + ("-donnees-fictives" if self.info.demo else "")
        names = {"map": f"carte-{slug}.html", "ml": f"missions-locales-{slug}.csv",
                 "communes": f"communes-{slug}.csv", "report": f"rapport-{slug}.pdf"}
        for key, widget in self.downloads.items():
            widget.filename = names[key]

    # -- layout ----------------------------------------------------------------------------------
    def __panel__(self) -> Any:
        note = pn.pane.HTML('<p class="tc-help">Effectifs de 1 à 10 masqués (« &lt; 11 ») dans '
                            "cette vue et tous les exports, ainsi que ce qui permettrait de "
                            "les retrouver (« s » ou case vide : secret statistique).</p>",
                            stylesheets=[_html.CSS])
        return self.page(
            "Couverture territoriale — vue direction",
            sidebar=[self.filter_widgets(kinds=False),
                     pn.widgets.Select.from_param(
                         self.param.indicator, label="Couleur des Missions Locales",
                         description=None, sizing_mode="stretch_width",
                         options={_styles.INDICATORS[k].label: k for k in MAP_INDICATORS}),
                     pn.pane.HTML('<p class="tc-section">Exports</p>', stylesheets=[_html.CSS]),
                     *self.downloads.values(), self.year_note, note],
            main=[self._tabs()])

    def _tabs(self) -> pn.Tabs:
        coverage = pn.Column(
            self.cards,
            pn.Row(pn.Column(self.map, sizing_mode="stretch_both"),
                   pn.Column(self.funnel, self.chart, width=560),
                   sizing_mode="stretch_width", height=520),
            pn.pane.HTML('<p class="tc-section">Par Mission Locale (choisir une ligne '
                         "pour la sélectionner)</p>", stylesheets=[_html.CSS]),
            self.table, sizing_mode="stretch_width")
        self.tabs[:] = [("Couverture", coverage), ("Bilan d’impact", self.impact.panel())]
        return self.tabs
