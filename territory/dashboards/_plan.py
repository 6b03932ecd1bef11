"""The planner's plan column: the places, the proposals, saved scenarios and their comparison.

The panel reads and changes only the session's :class:`~territory.dashboards.state.
PlannerState`: it adds town halls and proposals to it, and redraws when its figures or its
proposals change. Figures, proposals and comparisons come from one model
(:mod:`territory.dashboards._planning`).
"""

from __future__ import annotations

from typing import Any

import panel as pn
import param

from territory import planning
from territory.dashboards import _html, _planning, _scenarios, data
from territory.dashboards.state import Candidate, PlanFigures, PlannerState
from territory.viz.labels import format_count, html_text

__all__ = ["PlanPanel", "gain_text"]

WIDTH = 350
CURRENT = "Plan en cours"


def gain_text(youth: float, invisible: float, threshold: float) -> str:
    """Say what a place brings: young people within the threshold, invisible among them."""
    return (f"+{_html.count_text(youth)} jeunes à moins de {threshold:g} min, "
            f"dont ~{_html.count_text(invisible)} invisibles estimés")


class PlanPanel(pn.viewable.Viewer):
    """The plan of one session: what was added, proposed, saved and compared."""

    n_sites = param.Integer(default=3, bounds=(1, 10), doc="How many sites to propose.")
    objective: param.Selector = param.Selector(default="coverage", objects=["coverage", "reach"],
                               doc="What the proposals maximise: young people within the "
                               "threshold, or invisible young people reached by outreach.")
    scenario_name = param.String(default="", doc="Name to save the plan under.")

    def __init__(self, state: PlannerState, **params: Any) -> None:
        super().__init__(**params)
        self.state = state
        self.comparison_result: planning.Comparison | None = None
        state.param.watch(lambda *_: self.refresh(),
                          ["figures", "proposals", "proposal_note"])
        self.listing = pn.pane.HTML(stylesheets=[_html.CSS], sizing_mode="stretch_width")
        self.mairie = pn.widgets.AutocompleteInput(
            label="Ou choisir une mairie", placeholder="nom de la commune…", min_characters=2,
            options={}, case_sensitive=False, search_strategy="includes",
            sizing_mode="stretch_width")
        self.mairie.param.watch(self._on_mairie, "value")
        self.clear = pn.widgets.Button(label="Retirer tous les lieux", color="light",
                                       sizing_mode="stretch_width")
        self.clear.on_click(lambda _: self.state.remove_all())
        self.propose = pn.widgets.Button(label="Proposer les meilleurs lieux",
                                         color="primary", sizing_mode="stretch_width",
                                         align="end")
        self.propose.on_click(lambda _: self.run_optimiser())
        self.keep_all = pn.widgets.Button(label="Garder les lieux proposés", color="light",
                                          sizing_mode="stretch_width", visible=False)
        self.keep_all.on_click(lambda _: self.state.keep(None))
        self.save = pn.widgets.Button(label="Enregistrer le scénario", color="success",
                                      sizing_mode="stretch_width")
        self.save.on_click(lambda _: self.save_scenario())
        self.message = pn.pane.HTML(stylesheets=[_html.CSS], sizing_mode="stretch_width")
        self.compare_a = pn.widgets.Select(label="Comparer", sizing_mode="stretch_width")
        self.compare_b = pn.widgets.Select(label="avec", sizing_mode="stretch_width")
        for widget in (self.compare_a, self.compare_b):
            widget.param.watch(lambda _: self._refresh_comparison(), "value")
        self.comparison = pn.pane.HTML(stylesheets=[_html.CSS], sizing_mode="stretch_width")
        self.compare_title = pn.pane.HTML('<p class="tc-section">Comparer deux scénarios</p>',
                                          stylesheets=[_html.CSS], visible=False)

    @property
    def scope(self) -> data.Scope:
        """The selection the plan is measured on (the state's)."""
        scope = self.state.scope
        if scope is None:
            raise RuntimeError("the planner state has no scope yet")
        return scope

    def load(self) -> None:
        """Fill the town halls and the saved scenarios (after the page has loaded)."""
        self.mairie.options = data.mairie_options(*self.scope.key)
        self._refresh_scenarios()

    @property
    def proposals(self) -> list[Candidate]:
        """The sites the optimiser proposes (the state's)."""
        return list(self.state.proposals)

    # -- places ------------------------------------------------------------------------------
    def add_town_hall(self, code: str) -> Candidate:
        """Add a place at the town hall of the commune ``code``; return it."""
        return self.state.add(_planning.town_hall(self.scope, code,
                                                  site_id=self.state.new_id()))

    def _on_mairie(self, event: param.parameterized.Event) -> None:
        # The browser sends the chosen option's value, the town hall's code (the options map
        # labels to codes); a label typed in full is accepted too.
        options = self.mairie.options if isinstance(self.mairie.options, dict) else {}
        code = event.new if event.new in set(options.values()) else options.get(event.new)
        if code:
            self.add_town_hall(str(code))
            self.mairie.value = ""

    # -- proposals ---------------------------------------------------------------------------
    def run_optimiser(self) -> None:
        """Propose ``n_sites`` places on top of the plan's (the state's proposals)."""
        if self.objective == "reach":
            model = _planning.reach_model(self.scope, self.state.reach_kind,
                                          self.state.reach_frequency)
            if model is not None:
                found = _planning.propose_reach(
                    *_planning.with_plan(model, self.state.candidates), n_sites=self.n_sites)
                self.state.propose(found.sites, found.gains, found.note, found.texts)
                return
        found = _planning.propose(self.scope, self.state.candidates, n_sites=self.n_sites)
        self.state.propose(found.sites, found.gains, found.note)

    def proposal_text(self, site_id: str) -> str:
        """Say what a proposal brings, in French."""
        text = self.state.proposal_texts.get(site_id)
        if text:
            return str(text)
        threshold = self.scope.filters.threshold_min if self.state.scope else 0.0
        return gain_text(*self.proposal_gain(site_id), threshold)

    def proposal_gain(self, site_id: str) -> tuple[float, float]:
        """Return ``(youth, invisible)`` a proposal brings, after the plan's places."""
        youth, invisible = self.state.proposal_gains.get(site_id, (0.0, 0.0))
        return float(youth), float(invisible)

    # -- scenarios ---------------------------------------------------------------------------
    def save_scenario(self) -> None:
        """Save the plan's places and their gains under ``scenario_name``."""
        figures, scope = self.state.figures, self.scope
        if figures is None:
            return
        try:
            _scenarios.save_scenario(scope.source.path, self.scenario_name,
                                     self.state.candidates, figures=figures,
                                     ml_code=scope.ml_code,
                                     parameters={"threshold_min": scope.filters.threshold_min,
                                                 "period": scope.filters.period,
                                                 "action_kinds": scope.filters.action_kinds,
                                                 "departement": scope.dep_code or None,
                                                 "source": "tableau de bord"})
        except _scenarios.ScenarioError as error:
            self.message.object = f'<p class="tc-help">{html_text(str(error))}</p>'
            return
        self.message.object = (f'<p class="tc-help">Scénario « {html_text(self.scenario_name)} »'
                               " enregistré dans l’espace de travail.</p>")
        self._refresh_scenarios()

    def _refresh_scenarios(self) -> None:
        saved = _scenarios.list_scenarios(self.scope.source.path)
        for widget in (self.compare_a, self.compare_b, self.comparison, self.compare_title):
            widget.visible = bool(saved)
        options = {CURRENT: "", **saved}
        self.compare_a.options = options
        self.compare_b.options = options
        if saved and not self.compare_b.value:
            self.compare_b.value = next(iter(saved.values()))

    def _plan_of(self, widget: pn.widgets.Select) -> tuple[str, list[Candidate]]:
        label = next((k for k, v in widget.options.items() if v == widget.value), "")
        if not widget.value:
            return label, list(self.state.candidates)
        return label, _scenarios.load_sites(self.scope.source.path, widget.value)

    def _refresh_comparison(self) -> None:
        values = (self.compare_a.value, self.compare_b.value)
        if self.state.scope is None or None in values or values[0] == values[1]:
            self.comparison_result = None
            self.comparison.object = ""
            return
        result = _planning.compare_plans(self.scope, self._plan_of(self.compare_a),
                                         self._plan_of(self.compare_b))
        self.comparison_result = result
        self.comparison.object = comparison_html(result, self.scope.filters.threshold_min)

    # -- display -------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Redraw the places and proposals with their gains, and the comparison."""
        figures = self.state.figures
        threshold = self.scope.filters.threshold_min if self.state.scope else 0.0
        items = [f'<li><span class="tc-num">{n}</span><b>{html_text(c.name)}</b><br>'
                 f'<span class="tc-gain">{html_text(_place_gain(figures, c, threshold))}'
                 "</span></li>" for n, c in enumerate(self.state.candidates, start=1)]
        items += [f'<li><span class="tc-num tc-proposed">{n}</span>{html_text(p.name)}'
                  " <i>(proposé)</i><br>"
                  + html_text(self.proposal_text(p.id)) + "</li>"
                  for n, p in enumerate(self.state.proposals, start=1)]
        help_text = ("Choisissez « ajoute un lieu » sur la carte puis cliquez où aller, "
                     "ou cliquez une commune puis « Ajouter un lieu à la mairie ».")
        body = f'<ul class="tc-plan">{"".join(items)}</ul>' if items else \
            f'<p class="tc-help">{help_text}</p>'
        note = self.state.proposal_note
        note = f'<p class="tc-help">{html_text(note)}</p>' if note else ""
        self.listing.object = (f'<p class="tc-section">Lieux envisagés '
                               f"({format_count(len(self.state.candidates), 'lieu', 'lieux')})"
                               f"</p>{body}{note}")
        self.clear.visible = bool(self.state.candidates)
        self.keep_all.visible = bool(self.state.proposals)
        self._refresh_comparison()

    def __panel__(self) -> pn.viewable.Viewable:
        count = pn.widgets.IntInput.from_param(self.param.n_sites, label="Combien", width=80,
                                               description=None)
        propose: list[Any] = [pn.Row(count, self.propose, sizing_mode="stretch_width")]
        if data.placed_kinds(*self.scope.key):
            propose.insert(0, pn.widgets.RadioButtonGroup.from_param(
                self.param.objective, sizing_mode="stretch_width", color="light",
                options={"Accès (seuil)": "coverage", "Aller-vers (portée)": "reach"}))

        return pn.Column(
            self.listing, self.mairie, self.clear, *propose, self.keep_all,
            pn.layout.Divider(),
            pn.widgets.TextInput.from_param(self.param.scenario_name, label="Nom du scénario",
                                            placeholder="ex. Printemps 2027", description=None,
                                            sizing_mode="stretch_width"),
            self.save, self.message,
            width=WIDTH, scroll=True, sizing_mode="stretch_height",
            styles={"background": "#fff", "border": "1px solid #dde3e8",
                    "border-radius": "6px"})


    def comparison_view(self) -> pn.viewable.Viewable:
        """Return the comparison of two plans, laid out the whole width of the page.

        The side column is too narrow for its six columns: the comparison sits under the map.
        """
        self.compare_a.sizing_mode = self.compare_b.sizing_mode = "fixed"
        self.compare_a.width = self.compare_b.width = 260
        return pn.Column(self.compare_title, pn.Row(self.compare_a, self.compare_b),
                         self.comparison,
                         sizing_mode="stretch_width", margin=(8, 10, 0, 10))


def _place_gain(figures: PlanFigures | None, candidate: Candidate, threshold: float) -> str:
    if figures is None or candidate.id not in figures.ids:
        return ""
    return gain_text(*figures.gain_of(candidate.id), threshold)


def comparison_html(result: planning.Comparison, threshold_min: float) -> str:
    """Return the comparison of two plans as a table: its ranking, then its verdict."""
    table = result.ranking()
    rows = "".join(
        f"<tr><td>{html_text(str(name))}</td><td>{int(row['rank'])}</td>"
        f"<td>{_html.count_text(row['new_sites'])}</td>"
        f"<td>{_html.count_text(row['youth_covered'])} "
        f"({_html.pct(row['youth_share'])})</td>"
        f"<td>+{_html.count_text(row['youth_gain'])}</td>"
        f"<td>~{_html.count_text(row['invisible_est_covered'])}</td></tr>"
        for name, row in table.iterrows())
    return ('<table class="tc-table"><tr><th>Scénario</th><th>Rang</th><th>Lieux</th>'
            f"<th>Jeunes à moins de {threshold_min:g} min</th><th>Gain</th>"
            "<th>Invisibles couverts</th></tr>" + rows + "</table>"
            f'<p class="tc-help">{html_text(result.verdict())}</p>')
