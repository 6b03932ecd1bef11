"""The planner's plan: candidate sites, proposed sites, saved scenarios and their comparison.

The panel changes only the session's :class:`~territory.dashboards.state.PlannerState`; the
app redraws the figures when it changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import panel as pn
import param

from territory.dashboards import _html, _optimiser, _scenarios, data, whatif
from territory.dashboards.whatif import Candidate
from territory.viz.labels import format_count, html_text

if TYPE_CHECKING:
    from territory.dashboards.planner import PlannerApp
    from territory.dashboards.state import PlannerState

__all__ = ["PlanPanel"]

WIDTH = 350


def _gain_text(youth: float, invisible: float, threshold: float) -> str:
    return (f"+{_html.count_text(youth)} jeunes à moins de {threshold:g} min, "
            f"dont ~{_html.count_text(invisible)} invisibles estimés")


class PlanPanel(pn.viewable.Viewer):
    """The plan of one session: what was added, proposed, saved and compared."""

    n_sites = param.Integer(default=3, bounds=(1, 10), doc="How many sites to propose.")
    scenario_name = param.String(default="", doc="Name to save the plan under.")

    def __init__(self, app: PlannerApp, state: PlannerState, **params: Any) -> None:
        super().__init__(**params)
        self.app = app
        self.state = state
        state.param.watch(lambda *_: self._show_proposals(), "proposals")
        self.listing = pn.pane.HTML(stylesheets=[_html.CSS], sizing_mode="stretch_width")
        self.mairie = pn.widgets.AutocompleteInput(
            label="Ou choisir une mairie", placeholder="nom de la commune…", min_characters=2,
            options={}, case_sensitive=False, search_strategy="includes",
            sizing_mode="stretch_width")
        self.mairie.param.watch(self._on_mairie, "value")
        self.clear = pn.widgets.Button(label="Retirer tous les lieux", color="light",
                                       sizing_mode="stretch_width")
        self.clear.on_click(self._on_clear)
        self.propose = pn.widgets.Button(label="Proposer les meilleurs lieux",
                                         color="primary", sizing_mode="stretch_width",
                                         align="end")
        self.propose.on_click(self._on_propose)
        self.keep_all = pn.widgets.Button(label="Garder les lieux proposés", color="light",
                                          sizing_mode="stretch_width", visible=False)
        self.keep_all.on_click(lambda _: self.keep(None))
        self.save = pn.widgets.Button(label="Enregistrer le scénario", color="success",
                                      sizing_mode="stretch_width")
        self.save.on_click(self._on_save)
        self.message = pn.pane.HTML(stylesheets=[_html.CSS], sizing_mode="stretch_width")
        self.compare_a = pn.widgets.Select(label="Comparer", sizing_mode="stretch_width")
        self.compare_b = pn.widgets.Select(label="avec", sizing_mode="stretch_width")
        for widget in (self.compare_a, self.compare_b):
            widget.param.watch(lambda _: self._refresh_comparison(), "value")
        self.comparison = pn.pane.HTML(stylesheets=[_html.CSS], sizing_mode="stretch_width")

    def load(self) -> None:
        """Fill the town halls and the saved scenarios (after the page has loaded)."""
        self.mairie.options = data.mairie_options(*self.app.key)
        self._refresh_scenarios()

    @property
    def proposals(self) -> list[Candidate]:
        """The sites the optimiser proposes (the state's)."""
        return list(self.state.proposals)

    # -- candidates --------------------------------------------------------------------------
    def move(self, site_id: str, x: float, y: float, code: str | None) -> None:
        """Move a candidate to the Lambert-93 point ``(x, y)`` in commune ``code``."""
        for c in self.state.candidates:
            if c.id == site_id:
                base = c.name.split(" (")[0] if c.origin != "mairie" else f"Lieu {c.id[1:]}"
                name = f"{base} ({self.app.commune_name(code)})" if code else base
                self.state.replace(Candidate(id=c.id, x=x, y=y, name=name,
                                             code_insee=code or ""))

    def keep(self, proposal_id: str | None) -> None:
        """Move one proposed site (or all of them) into the plan."""
        self.state.keep(proposal_id)

    def candidate_markers(self, coverage: whatif.Coverage) -> list[dict[str, Any]]:
        """Return the map markers of the candidates, with their gains."""
        threshold = float(self.app.threshold_min)
        markers = []
        for number, c in enumerate(self.state.candidates, start=1):
            lat, lon = self.app.to_latlon(c.x, c.y)
            gain = _gain_text(*coverage.gain_of(c.id), threshold)
            tip = f"<b>{html_text(c.name)}</b><br>{html_text(gain)}"
            popup = (f"{tip}<br><span class='tm-muted'>Glisser le point pour le déplacer."
                     f"</span><br><button class='tm-action tm-secondary' data-action='remove' "
                     f"data-id='{c.id}'>Retirer ce lieu</button>")
            markers.append({"id": c.id, "lat": lat, "lon": lon, "label": str(number),
                            "tip": tip, "popup": popup})
        return markers

    def _on_clear(self, _: Any) -> None:
        self.state.candidates = []

    def _on_mairie(self, event: param.parameterized.Event) -> None:
        # The widget's value is the town hall's code (its options map labels to codes); a
        # label typed in full is accepted too.
        options = self.mairie.options
        codes = set(options.values()) if isinstance(options, dict) else set()
        code = event.new if event.new in codes else (
            options.get(event.new) if isinstance(options, dict) else None)
        if code:
            self.app.add_mairie(str(code))
            self.mairie.value = ""

    # -- proposals ---------------------------------------------------------------------------
    def _on_propose(self, _: Any) -> None:
        found = _optimiser.propose(self.app, n_sites=self.n_sites)
        self.state.propose(found.sites, found.gains, found.note)

    def _proposal_gain(self, site_id: str) -> tuple[float, float]:
        youth, invisible = self.state.proposal_gains.get(site_id, (0.0, 0.0))
        return float(youth), float(invisible)

    def _show_proposals(self) -> None:
        markers = []
        for number, p in enumerate(self.state.proposals, start=1):
            lat, lon = self.app.to_latlon(p.x, p.y)
            gain = _gain_text(*self._proposal_gain(p.id), float(self.app.threshold_min))
            tip = f"<b>Proposition {number} : {html_text(p.name)}</b><br>{html_text(gain)}"
            popup = (f"{tip}<br><button class='tm-action' data-action='keep' data-id='{p.id}'>"
                     "Ajouter au plan</button>")
            markers.append({"id": p.id, "lat": lat, "lon": lon, "label": str(number),
                            "tip": tip, "popup": popup})
        self.app.map.proposals = markers
        self.keep_all.visible = bool(self.state.proposals)

    # -- scenarios ---------------------------------------------------------------------------
    def _on_save(self, _: Any) -> None:
        if self.app.coverage is None:
            return
        try:
            _scenarios.save_scenario(self.app.source.path, self.scenario_name,
                                    self.state.candidates, coverage=self.app.coverage,
                                    ml_code=self.app.ml,
                                    parameters={"threshold_min": self.app.threshold_min,
                                                "period": self.app.filters.period,
                                                "action_kinds": self.app.action_kinds,
                                                "source": "tableau de bord"})
        except _scenarios.ScenarioError as error:
            self.message.object = f'<p class="tc-help">{html_text(str(error))}</p>'
            return
        self.message.object = (f'<p class="tc-help">Scénario « {html_text(self.scenario_name)} »'
                               " enregistré dans l’espace de travail.</p>")
        self._refresh_scenarios()

    def _refresh_scenarios(self) -> None:
        saved = _scenarios.list_scenarios(self.app.source.path)
        for widget in (self.compare_a, self.compare_b, self.comparison):
            widget.visible = bool(saved)
        options = {"Plan en cours": "", **saved}
        self.compare_a.options = options
        self.compare_b.options = options
        if saved and not self.compare_b.value:
            self.compare_b.value = next(iter(saved.values()))

    def _sites_of(self, scenario_id: str) -> list[Candidate]:
        if not scenario_id:
            return list(self.state.candidates)
        return _scenarios.load_sites(self.app.source.path, scenario_id)

    def _refresh_comparison(self) -> None:
        values = (self.compare_a.value, self.compare_b.value)
        if None in values or values[0] == values[1]:
            self.comparison.object = ""
            return
        table, weights = self.app.table_and_weights()
        origins = data.origins_xy(*self.app.key)
        rows = []
        for widget in (self.compare_a, self.compare_b):
            sites = self._sites_of(widget.value)
            result = whatif.evaluate(table, origins, weights, sites, params=self.app.params)
            label = next((k for k, v in widget.options.items() if v == widget.value), "")
            rows.append(f"<tr><td>{html_text(label)}</td><td>{len(sites)}</td>"
                        f"<td>{_html.pct(result.share_after)}</td>"
                        f"<td>+{_html.count_text(result.covered_after - result.covered_before)}"
                        f"</td><td>~{_html.count_text(result.invisible_after)}</td></tr>")
        threshold = f"{self.app.threshold_min:g}"
        self.comparison.object = (
            '<table class="tc-table"><tr><th>Scénario</th><th>Lieux</th>'
            f"<th>À moins de {threshold} min</th><th>Gain</th><th>Invisibles couverts</th></tr>"
            + "".join(rows) + "</table>")

    # -- display -------------------------------------------------------------------------------
    def refresh(self, coverage: whatif.Coverage) -> None:
        """Redraw the list of candidates and their gains."""
        threshold = float(self.app.threshold_min)

        def gain(c: Candidate) -> str:
            return html_text(_gain_text(*coverage.gain_of(c.id), threshold))

        items = [f'<li><span class="tc-num">{n}</span><b>{html_text(c.name)}</b><br>'
                 f'<span class="tc-gain">{gain(c)}</span></li>'
                 for n, c in enumerate(self.state.candidates, start=1)]
        items += [f'<li><span class="tc-num tc-proposed">{n}</span>{html_text(p.name)}'
                  f" <i>(proposé)</i><br>"
                  + html_text(_gain_text(*self._proposal_gain(p.id), threshold)) + "</li>"
                  for n, p in enumerate(self.state.proposals, start=1)]
        help_text = ("Choisissez « ajoute un lieu » sur la carte puis cliquez où aller, "
                     "ou cliquez une commune puis « Ajouter un lieu à la mairie ».")
        body = f'<ul class="tc-plan">{"".join(items)}</ul>' if items else \
            f'<p class="tc-help">{help_text}</p>'
        note = self.state.proposal_note
        note = f'<p class="tc-help">{note}</p>' if note else ""
        self.listing.object = (f'<p class="tc-section">Lieux envisagés '
                               f"({format_count(len(self.state.candidates), 'lieu', 'lieux')})"
                               f"</p>{body}{note}")
        self.clear.visible = bool(self.state.candidates)
        self._refresh_comparison()

    def __panel__(self) -> pn.viewable.Viewable:
        propose = [pn.Row(pn.widgets.IntInput.from_param(self.param.n_sites, label="Combien",
                                                         width=80, description=None),
                          self.propose, sizing_mode="stretch_width")]

        return pn.Column(
            self.listing, self.mairie, self.clear, *propose, self.keep_all,
            pn.layout.Divider(),
            pn.widgets.TextInput.from_param(self.param.scenario_name, label="Nom du scénario",
                                            placeholder="ex. Printemps 2027", description=None,
                                            sizing_mode="stretch_width"),
            self.save, self.message, pn.layout.Divider(),
            self.compare_a, self.compare_b, self.comparison,
            width=WIDTH, scroll=True, sizing_mode="stretch_height",
            styles={"background": "#fff", "border": "1px solid #dde3e8",
                    "border-radius": "6px"})
