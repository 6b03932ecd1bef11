"""The planner's view: where the invisible are least reached, and where to go next.

:class:`PlannerApp` holds one session's selection as params (territory, period, threshold,
action kinds, indicator) and its plan in a :class:`~territory.dashboards.state.PlannerState`
that its panels change. Indicators and the selection's coverage model are computed once per
filter change (and shared between sessions); a place added or moved only re-measures the
plan on that model (:mod:`territory.dashboards._planning`, territory.planning's
:class:`~territory.planning.Plan`), which takes milliseconds. The figures, the proposals and
the comparisons of plans all come from that one model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import panel as pn
import param

from territory import planning
from territory.analysis import Parameters, component_words, gap_reasons
from territory.dashboards import _geo, _html, _planning, _styles, data
from territory.dashboards._plan import PlanPanel, gain_text
from territory.dashboards.map_component import CoverageMap
from territory.dashboards.selection import Selection, action_layer, heading, site_layer
from territory.dashboards.state import Candidate, PlanFigures, PlannerState
from territory.planning.reach import DEFAULT_FREQUENCY, FREQUENCIES
from territory.viz import labels

__all__ = ["PlannerApp"]


def _one_decimal(value: float) -> str:
    return labels.format_number(float(value), decimals=1)


def _help(text: str) -> str:
    return f'<p class="tc-help">{labels.html_text(text)}</p>' if text else ""

TABLE_ROWS = 100
TABLE_COLUMNS = {"rang": "Rang", "zone_name": "Commune", "dep_code": "Dép.",
                 "gap_score": "Indice", "youth": "Jeunes", "invisible_est": "Invisibles estimés",
                 "reached": "Atteints", "nearest_min": "Accès (min)"}


class PlannerApp(Selection):
    """The planner's view of one browser session.

    Parameters
    ----------
    source
        The workspace (a path, or a :class:`~territory.dashboards.data.Source` to pin its version).

    Examples
    --------
    >>> app = PlannerApp(demo_path, ml="ML23")
    >>> app.threshold_min = 10
    >>> site = app.add_site(46.0, 2.0)
    >>> [c.id for c in app.candidates] == [site.id]
    True
    """

    indicator: param.Selector = param.Selector(
        default="gap_score", objects=list(_styles.INDICATORS), doc="What colours the communes.")
    reach_kind = param.String(default="", doc="The kind of outreach action a what-if places "
                              "('' = the most frequent with a place).")
    reach_frequency = param.Integer(default=DEFAULT_FREQUENCY, bounds=(1, 365),
                                    doc="Actions a year of a what-if's outreach action.")

    def __init__(self, source: Path | str | data.Source, **params: Any) -> None:
        super().__init__(source, **params)
        self.map = CoverageMap(
            tiles=data.tile_set(*self.key).urls(), area_layer="communes",
            codes=data.area_codes(*self.key, "communes"), outline_layer="catchments",
            names=data.catchment_names(*self.key),
            modes=True, banner=labels.DEMO_LABEL if self.info.demo else "")
        for kind, handler in (("click", self._on_click), ("add_mairie", self._on_mairie),
                              ("move", self._on_move), ("remove", self._on_remove),
                              ("keep", self._on_keep), ("shown", lambda _: self.load())):
            self.map.on_action(kind, handler)
        self.cards = pn.pane.HTML(sizing_mode="stretch_width", stylesheets=[_html.CSS])
        self.table = pn.widgets.Tabulator(
            pd.DataFrame(columns=list(TABLE_COLUMNS.values())), disabled=True, selectable=1,
            show_index=False, height=330, sizing_mode="stretch_width", layout="fit_columns",
            pagination=None,
            widths={**_html.column_widths(list(TABLE_COLUMNS.values())), "Commune": 240},
            configuration=_html.TABLE_CONFIGURATION,
            formatters=_html.number_formatters({"Indice": 1, "Jeunes": 0,
                                                "Invisibles estimés": 0, "Atteints": 0,
                                                "Accès (min)": 0}))
        self.table.param.watch(self._on_row, "selection")
        self.reach_note = pn.pane.HTML(sizing_mode="stretch_width", stylesheets=[_html.CSS],
                                       margin=(4, 10))
        self._loaded = False
        self._table_codes: list[str] = []
        self.state = PlannerState(scope=self.scope)
        self.plan = PlanPanel(self.state)
        self.state.param.watch(lambda *_: self._evaluate(), ["candidates", "scope"])
        self.state.param.watch(lambda *_: self._redraw_plan(), ["figures", "proposals"])
        self._refresh_points()
        self._refresh_all()

    def load(self) -> None:
        """Fill what the first view does not need: the table, outreach places, town halls.

        Called once, when the map says its first view is on screen (``shown``): the page's
        first message stays small, and the browser draws the map before the table.
        """
        if self._loaded:
            return
        self._loaded = True
        self._refresh_table(*self.table_and_weights())
        self._refresh_points()
        self.plan.load()

    # -- derived state -----------------------------------------------------------------------
    @property
    def candidates(self) -> list[Candidate]:
        """The sites added to the plan (the session's :class:`PlannerState`)."""
        return list(self.state.candidates)

    @candidates.setter
    def candidates(self, sites: list[Candidate]) -> None:
        self.state.candidates = list(sites)

    @property
    def coverage(self) -> PlanFigures | None:
        """The plan's figures on the selection (the session's :class:`PlannerState`)."""
        return self.state.figures

    @property
    def params(self) -> Parameters:
        """The analysis parameters with this session's threshold and travel mode."""
        return self.filters.params

    # -- how far outreach reaches -------------------------------------------------------------
    def reach_curves(self) -> pd.DataFrame | None:
        """Return how far each kind of action reaches, learned from the period's contacts."""
        return data.reach_curves_of(self.source, self.filters)

    def reach_model(self) -> planning.ReachModel | None:
        """Return the reach model of the selection for the chosen action kind and frequency."""
        return _planning.reach_model(self.scope, self.reach_kind, int(self.reach_frequency))

    def _with_plan(self, model: planning.ReachModel) -> tuple[planning.ReachModel, list[int]]:
        """Return the model with the plan's places, and their positions (what they reach)."""
        model, ids = _planning.with_plan(model, self.state.candidates)
        return model, [model.position(i) for i in ids]

    def reach_whatif(self, code: str) -> str:
        """Say what an action at the town hall of ``code`` would reach, with the plan's places.

        E.g. « Une maraude mensuelle à la mairie : ~12,4 jeunes invisibles atteints en plus
        par an (intervalle 11,9 à 12,8) ».
        """
        model = self.reach_model()
        if model is None or f"mairie-{code}" not in model.places.index:
            return ""
        model, base = self._with_plan(model)
        gain, low, high = model.gain_interval(model.position(f"mairie-{code}"), base)
        return (f"{model.words().capitalize()} à la mairie : ~{_one_decimal(gain)} jeunes "
                f"invisibles atteints en plus par an (intervalle {_one_decimal(low)} à "
                f"{_one_decimal(high)})")

    def reach_gains(self) -> pd.Series:
        """Return, per commune, what an action at its town hall would reach (NaN outside)."""
        communes = self.layers["communes"]
        model = self.reach_model()
        if model is None:
            return pd.Series(np.nan, index=communes.index)
        model, base = self._with_plan(model)
        gains = pd.Series(model.gains(base), index=model.places.index)
        by_code = gains[gains.index.str.startswith("mairie-")]
        by_code.index = by_code.index.str.removeprefix("mairie-")
        values = communes["code_insee"].astype(str).map(by_code)
        return pd.Series(values.to_numpy(dtype=float), index=communes.index)

    def reach_words(self) -> str:
        """Say how far the chosen kind reaches, in French (empty without contacts)."""
        model = self.reach_model()
        return "" if model is None else str(model.curve["curve"].words())

    # -- refreshers ------------------------------------------------------------------------
    @param.depends("start", "end", "counted", "action_kinds", watch=True)
    def _refresh_points(self) -> None:
        # The outreach places show from an ML's scale on: they follow the first view.
        self.map.param.update(sites=site_layer(self),
                              actions=action_layer(self) if self._loaded else {})

    @param.depends("start", "end", "counted", "threshold_min", "mode", "window",
                   "action_kinds", "indicator", "ml",
                   "departement", watch=True)
    def _refresh_all(self) -> None:
        table, weights = self.table_and_weights()
        style = self._style(table, weights)
        with pn.io.hold():
            self.map.param.update(**style.map_params(), **self.view_updates(weights))
            self._legend_base = style.legend
            if self._loaded:
                self._refresh_table(table, weights)
            scope = self.scope
            if scope != self.state.scope:
                # Proposals were measured on the former selection: they no longer hold.
                self.state.param.update(scope=scope, proposals=[], proposal_gains={},
                                        proposal_note="")
            elif self.state.figures is None:
                self._evaluate()
            else:
                self._redraw_plan()

    def _style(self, table: pd.DataFrame, weights: np.ndarray) -> _styles.MapStyle:
        if self.indicator != "reach_gain":
            return data.commune_style(self.source, self.filters, self.indicator,
                                      ml_code=self.ml, dep_code=self.departement,
                                      territory=self.territory_name)
        # What an action would reach depends on the plan's places: not shared, not cached.
        return _styles.map_style(table.assign(reach_gain=self.reach_gains()), weights,
                                 "reach_gain", params=self.params,
                                 territory=self.territory_name)

    @param.depends("reach_kind", "reach_frequency", watch=True)
    def _refresh_reach(self) -> None:
        self.state.param.update(reach_kind=self.reach_kind,
                                reach_frequency=int(self.reach_frequency))
        self.reach_note.object = _help(self.reach_words())
        if self.indicator == "reach_gain":
            self._refresh_all()

    def _evaluate(self) -> None:
        self.state.figures = _planning.evaluate(self.scope, self.state.candidates)

    def _redraw_plan(self) -> None:
        figures = self.state.figures
        if figures is None or figures.ids != tuple(c.id for c in self.state.candidates):
            return  # the figures of the places being added follow
        table, weights = self.table_and_weights()
        with pn.io.hold():
            if self.indicator == "reach_gain":
                style = self._style(table, weights)
                self.map.param.update(**style.map_params())
                self._legend_base = style.legend
            self.cards.object = self._cards_html(table, weights, figures)
            self.map.param.update(
                highlight=figures.newly_covered,
                candidates=self._candidate_markers(figures),
                proposals=self._proposal_markers(),
                legend_html=getattr(self, "_legend_base", "") + _styles.marker_legend(
                    candidates=bool(self.candidates), proposals=bool(self.state.proposals)))

    # A marker's tip is lines of text (the first, its name, in bold) and its popup those
    # lines, a note and a button: the map writes them as text (coverage_map.js).
    def _candidate_markers(self, figures: PlanFigures) -> list[dict[str, Any]]:
        threshold = float(self.threshold_min)
        markers = []
        for number, c in enumerate(self.state.candidates, start=1):
            lat, lon = self.to_latlon(c.x, c.y)
            tip = [c.name, gain_text(*figures.gain_of(c.id), threshold)]
            popup = {"lines": tip, "note": "Glisser le point pour le déplacer.",
                     "button": {"action": "remove", "id": c.id, "text": "Retirer ce lieu",
                                "className": "tm-action tm-secondary"}}
            markers.append({"id": c.id, "lat": lat, "lon": lon, "label": str(number),
                            "tip": tip, "popup": popup})
        return markers

    def _proposal_markers(self) -> list[dict[str, Any]]:
        markers = []
        for number, p in enumerate(self.state.proposals, start=1):
            lat, lon = self.to_latlon(p.x, p.y)
            tip = [f"Proposition {number} : {p.name}", self.plan.proposal_text(p.id)]
            popup = {"lines": tip, "button": {"action": "keep", "id": p.id,
                                              "text": "Ajouter au plan"}}
            markers.append({"id": p.id, "lat": lat, "lon": lon, "label": str(number),
                            "tip": tip, "popup": popup})
        return markers

    def _cards_html(self, table: pd.DataFrame, weights: np.ndarray,
                    coverage: PlanFigures) -> str:
        sums = data.totals(table, weights)
        threshold = f"{self.threshold_min:g}"
        share = _html.pct(coverage.share_before)
        note = f"{_html.count_text(coverage.covered_before)} jeunes"
        if self.candidates:
            gained = coverage.covered_after - coverage.covered_before
            share = f"{share} <small>→</small> {_html.pct(coverage.share_after)}"
            note = (f'<span class="tc-gain">+{_html.count_text(gained)} jeunes</span> avec '
                    f"{labels.format_count(len(self.candidates), 'lieu ajouté', 'lieux ajoutés')}")
        far = coverage.invisible_after
        invisible_note = (f"dont ~{_html.count_text(sums['invisible_est'] - far)} à plus de "
                          f"{threshold} min")
        return _html.cards([
            _html.card("Jeunes (16–25 ans)", _html.count_text(sums["youth"]),
                       f"{labels.html_text(self.territory_name)} · "
                       f"{labels.format_count(int(sums['communes']), 'commune')}"),
            _html.card(f"Part des jeunes à moins de {threshold} min "
                       f"{self.filters.params.travel_mode.words}", share, note,
                       tone="tc-accent"),
            _html.card("Jeunes invisibles estimés", _html.count_text(sums["invisible_est"]),
                       invisible_note, tone="tc-warn"),
            _html.card("Jeunes atteints sur la période", _html.count_text(sums["reached"]),
                       labels.html_text(self.period_label)),
        ])

    def _refresh_table(self, table: pd.DataFrame, weights: np.ndarray) -> None:
        rank = _styles.selection_rank(table, weights)
        chosen = table.assign(rang=rank)[rank > 0].sort_values("rang").head(TABLE_ROWS)
        self._table_codes = chosen["zone_id"].astype(str).tolist()
        shown = chosen[list(TABLE_COLUMNS)].rename(columns=TABLE_COLUMNS)
        for column, decimals in (("Indice", 1), ("Jeunes", 0), ("Invisibles estimés", 0),
                                 ("Atteints", 0), ("Accès (min)", 0)):
            shown[column] = shown[column].astype(float).round(decimals)
        self.table.selection = []
        self.table.value = shown.reset_index(drop=True)

    # -- map and table events --------------------------------------------------------------
    def _on_click(self, msg: dict[str, Any]) -> None:
        lat, lon = float(msg["lat"]), float(msg["lon"])
        if msg.get("mode") == "add":
            self.add_site(lat, lon, commune=msg.get("id"))
            return
        code = msg.get("id") or self.commune_at(*self.to_lambert(lat, lon))
        if code:
            self.explain(str(code), lat=lat, lon=lon)

    def _on_mairie(self, msg: dict[str, Any]) -> None:
        if msg.get("code"):
            self.add_mairie(str(msg["code"]))

    def _on_move(self, msg: dict[str, Any]) -> None:
        self.move_site(str(msg["id"]), float(msg["lat"]), float(msg["lon"]))

    def _on_remove(self, msg: dict[str, Any]) -> None:
        self.remove_site(str(msg["id"]))

    def _on_keep(self, msg: dict[str, Any]) -> None:
        self.state.keep(str(msg["id"]) if msg.get("id") else None)

    def _on_row(self, event: param.parameterized.Event) -> None:
        if not event.new or event.new[0] >= len(self._table_codes):
            return
        code = self._table_codes[event.new[0]]
        row = self.row_of(code)
        self.map.zoom_to(_geo.union_bounds(self.bounds[[row]]), max_zoom=11)
        lat, lon = self.origin_latlon(row)
        self.explain(code, lat=lat, lon=lon)

    # -- actions -----------------------------------------------------------------------------
    def explain(self, code: str, *, lat: float, lon: float) -> None:
        """Open the popup that explains the score of the commune ``code``."""
        table, weights = self.table_and_weights()
        row = self.row_of(code)
        rank = int(_styles.selection_rank(table, weights).iloc[row])
        record = {str(k): v for k, v in table.iloc[row].items()}
        reasons = gap_reasons(table.iloc[[row]], params=self.params).iloc[0]
        self.map.show_popup(lat, lon, _html.explain_commune(
            record, rank=rank or int(record["gap_rank"]),
            of=int((weights > 0).sum()) if rank else len(table), reasons=str(reasons),
            threshold_min=float(self.threshold_min), can_add=True,
            whatif=self.reach_whatif(code),
            components=component_words(record, params=self.params)))

    def add_site(self, lat: float, lon: float, *, commune: str | None = None) -> Candidate:
        """Add a candidate site at ``(lat, lon)`` (WGS84); return it."""
        x, y = self.to_lambert(lat, lon)
        code = commune or self.commune_at(x, y)
        name = f"Lieu {self.state.next_number()}"
        if code:
            name += f" ({self.commune_name(code)})"
        return self.state.add(Candidate(id=self.state.new_id(), x=x, y=y, name=name,
                                        code_insee=code or ""))

    def add_mairie(self, code: str) -> Candidate:
        """Add a candidate site at the town hall of the commune ``code``; return it."""
        return self.plan.add_town_hall(code)

    def move_site(self, site_id: str, lat: float, lon: float) -> None:
        """Move the candidate ``site_id`` to ``(lat, lon)`` (WGS84)."""
        x, y = self.to_lambert(lat, lon)
        code = self.commune_at(x, y)
        for c in self.state.candidates:
            if c.id == site_id:
                base = c.name.split(" (")[0] if c.origin != "mairie" else f"Lieu {c.id[1:]}"
                name = f"{base} ({self.commune_name(code)})" if code else base
                self.state.replace(Candidate(id=c.id, x=x, y=y, name=name,
                                             code_insee=code or ""))

    def remove_site(self, site_id: str) -> None:
        """Remove the candidate ``site_id`` from the plan."""
        self.state.remove(site_id)

    # -- layout ------------------------------------------------------------------------------
    def _reach_widgets(self) -> list[Any]:
        kinds = data.placed_kinds(*self.key)
        if not kinds:
            return []
        # The curves are fitted once per workspace and filters (seconds), shared by sessions;
        # fitting them here keeps the page's load free of a long callback over the map.
        self.reach_note.object = _help(self.reach_words())
        wide = {"sizing_mode": "stretch_width", "description": None}
        return [heading("Aller-vers : ce qu’une action atteint"),
                pn.widgets.Select.from_param(
                    self.param.reach_kind, label="Action", **wide,
                    options={"La plus fréquente": "", **{
                        labels.kind_label(k, labels.ACTION_KIND_LABELS): k for k in kinds}}),
                pn.widgets.Select.from_param(
                    self.param.reach_frequency, label="Fréquence", **wide,
                    options={k.capitalize(): v for k, v in FREQUENCIES.items()}),
                self.reach_note]


    def __panel__(self) -> Any:
        return self.page(
            "Planification de l’aller-vers",
            sidebar=[self.filter_widgets(), heading("Couleur des communes"),
                     pn.widgets.RadioBoxGroup.from_param(
                         self.param.indicator, label="", sizing_mode="stretch_width",
                         options={s.label: k for k, s in _styles.INDICATORS.items()}),
                     *self._reach_widgets()],
            main=[self.cards,
                  pn.Row(self.map, self.plan, sizing_mode="stretch_width", height=640),
                  self.plan.comparison_view(),
                  pn.pane.HTML('<p class="tc-section">Communes les moins atteintes '
                               "(choisir une ligne pour la voir sur la carte)</p>",
                               stylesheets=[_html.CSS], margin=(12, 10, 0, 10)),
                  self.table])
