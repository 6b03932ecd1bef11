"""The planner's app, driven through its params and map messages, without a browser."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from territory import planning
from territory.analysis import open_sites, period_label
from territory.cli import build_parser
from territory.dashboards import PlannerApp, data
from territory.dashboards._plan import comparison_html, gain_text
from territory.dashboards.planner import TABLE_ROWS
from territory.dashboards.state import Candidate
from territory.io.scenarios import load_scenario
from territory.io.workspace import Workspace


def _shown(app: PlannerApp) -> None:
    """Lay the page out, and say its map is drawn, as the browser does."""
    app.__panel__()
    app.map._handle_msg({"type": "shown"})


@pytest.fixture(scope="module")
def planner(dash_file: Path) -> PlannerApp:
    app = PlannerApp(dash_file)
    _shown(app)
    return app


@pytest.fixture
def fresh(planner: PlannerApp) -> PlannerApp:
    """The module's app, reset to its defaults after the test."""
    yield planner
    planner.state.param.update(candidates=[], proposals=[])
    months = planner.info.months
    planner.param.update(ml="", departement="", threshold_min=30, start=months[0],
                         end=months[-1], indicator="gap_score", mode="transit",
                         reach_kind="", reach_frequency=12,
                         action_kinds=list(planner.info.action_kinds))


def far_commune(app: PlannerApp) -> str:
    """The commune with the most young people beyond the app's threshold."""
    table, weights = app.table_and_weights()
    far = table[(table["nearest_min"] > app.threshold_min) & (weights > 0)]
    return str(far.sort_values("youth", ascending=False)["zone_id"].iloc[0])


def test_the_map_gets_every_commune_once_and_a_class_each(fresh: PlannerApp) -> None:
    # The polygons are in the workspace's vector tiles; the session sends codes and numbers.
    assert fresh.map.tiles["communes"].endswith("/communes.pmtiles")
    assert fresh.map.tiles["catchments"].endswith("/catchments.pmtiles")
    assert fresh.map.codes == fresh.layers["communes"]["code_insee"].astype(str).tolist()
    assert len(fresh.map.classes) == len(fresh.map.values) == 4293
    assert set(fresh.map.classes) <= set(range(len(fresh.map.palette))) | {-1}
    assert fresh.map.banner == "données fictives"
    assert "Indice de zone invisible" in fresh.map.legend_html


def test_the_cards_show_the_regions_figures(fresh: PlannerApp) -> None:
    text = fresh.cards.object
    assert "Jeunes (16–25 ans)" in text and "Nouvelle-Aquitaine" in text
    assert "Part des jeunes à moins de 30 min" in text


def test_choosing_an_ml_fades_the_others_and_ranks_its_communes(fresh: PlannerApp) -> None:
    code, name = next(iter(fresh.info.mls.items()))
    fresh.ml = code
    members = fresh.layers["catchment_members"]
    mine = set(members.loc[members["ml_code"] == code, "code_insee"])
    assert len(fresh.map.faded) == 4293 and fresh.map.faded.sum() == 4293 - len(mine)
    assert html.escape(name) in fresh.cards.object
    ranked = fresh.table.value["Commune"].tolist()
    communes = fresh.layers["communes"].set_index("code_insee")["nom"]
    assert set(ranked) <= set(communes[list(mine)])
    # The ranked communes are the ML's, rank 1 first: the table's order.
    codes = np.asarray(fresh.map.codes)
    assert set(codes[fresh.map.ranks]) == mine and fresh.map.rank_total == len(mine)
    assert list(communes[codes[fresh.map.ranks[:len(ranked)]]]) == ranked


def test_the_threshold_changes_coverage_and_the_travel_time_map(fresh: PlannerApp) -> None:
    fresh.indicator = "nearest_min"
    before, share = fresh.map.classes.tolist(), fresh.coverage.share_before
    fresh.threshold_min = 10
    assert fresh.coverage.share_before < share
    assert fresh.map.classes.tolist() != before
    assert "à moins de 10 min" in fresh.cards.object


def test_a_click_in_add_mode_adds_a_site_and_coverage_grows(fresh: PlannerApp) -> None:
    fresh.threshold_min = 10
    code = far_commune(fresh)
    lat, lon = fresh.origin_latlon(fresh.row_of(code))
    fresh.map._handle_msg({"type": "click", "mode": "add", "lat": lat, "lon": lon, "id": code})
    coverage = fresh.coverage
    assert len(fresh.candidates) == 1
    assert coverage.share_after > coverage.share_before
    assert coverage.gains["youth"].iloc[0] > 0
    assert fresh.row_of(code) in fresh.map.highlight
    assert fresh.map.candidates[0]["label"] == "1"
    assert "→" in fresh.cards.object and "+" in fresh.cards.object


def test_moving_and_removing_a_site(fresh: PlannerApp) -> None:
    fresh.threshold_min = 10
    code = far_commune(fresh)
    site = fresh.add_mairie(code)
    gained = fresh.coverage.covered_after
    lat, lon = fresh.origin_latlon(fresh.row_of(code))
    fresh.map._handle_msg({"type": "move", "id": site.id, "lat": lat + 1.0, "lon": lon})
    assert fresh.candidates[0].y > site.y
    assert fresh.coverage.covered_after != gained
    fresh.map._handle_msg({"type": "remove", "id": site.id})
    assert fresh.candidates == []
    assert fresh.coverage.covered_after == fresh.coverage.covered_before


def test_gains_are_counted_once_when_two_sites_overlap(fresh: PlannerApp) -> None:
    fresh.threshold_min = 10
    code = far_commune(fresh)
    fresh.add_mairie(code)
    fresh.add_mairie(code)
    gains = fresh.coverage.gains["youth"].tolist()
    assert gains[0] > 0 and gains[1] == 0
    assert fresh.coverage.covered_after - fresh.coverage.covered_before == pytest.approx(gains[0])


def test_clicking_a_commune_explains_its_score(fresh: PlannerApp,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(fresh.map, "show_popup", lambda lat, lon, html: shown.append(html))
    code = fresh.table.value is not None and fresh._table_codes[0]
    fresh.map._handle_msg({"type": "click", "mode": "explain", "lat": 45.0, "lon": 0.5,
                           "id": code})
    assert len(shown) == 1
    html = shown[0]
    for words in ("Indice de zone invisible", "besoin", "manque d’accès", "peu atteints",
                  "rang 1 sur",
                  'data-action="add_mairie"'):
        assert words in html
    assert fresh.candidates == []


def test_choosing_a_row_zooms_to_the_commune(fresh: PlannerApp,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []
    monkeypatch.setattr(fresh.map, "zoom_to", lambda bounds, **kw: calls.append(bounds))
    monkeypatch.setattr(fresh.map, "show_popup", lambda *a: calls.append(a))
    fresh.table.selection = [2]
    (south, west), (north, east) = calls[0]
    row = fresh.row_of(fresh._table_codes[2])
    lat, lon = fresh.origin_latlon(row)
    assert south <= lat <= north and west <= lon <= east


def test_a_saved_scenario_can_be_compared_with_the_plan(own_file: Path) -> None:
    app = PlannerApp(own_file, threshold_min=10)
    _shown(app)
    code = far_commune(app)
    app.add_mairie(code)
    app.plan.scenario_name = "Printemps 2027"
    app.plan.save.clicks += 1
    assert "enregistré" in app.plan.message.object
    saved = [v for k, v in app.plan.compare_b.options.items() if "Printemps 2027" in k]
    assert saved and app.plan.compare_a.visible
    app.plan.save.clicks += 1
    assert "déjà ce nom" in app.plan.message.object
    app.candidates = []
    app.plan.compare_a.value, app.plan.compare_b.value = "", saved[0]
    table = app.plan.comparison.object
    assert "Plan en cours" in table and "Printemps 2027" in table


def test_saving_without_a_name_says_why(planner: PlannerApp) -> None:
    planner.plan.scenario_name = ""
    planner.plan.save.clicks += 1
    assert "Donnez un nom" in planner.plan.message.object


def test_each_app_has_its_own_state(dash_file: Path) -> None:
    first, second = PlannerApp(dash_file), PlannerApp(dash_file)
    first.add_site(45.5, 0.5)
    first.ml = "ML01"
    assert second.candidates == [] and second.ml == ""
    assert first.map is not second.map
    assert np.array_equal(first.bounds, second.bounds)


def test_what_the_first_view_does_not_need_follows_the_map(dash_file: Path) -> None:
    # The table and the outreach places wait for the map's first view (its "shown").
    app = PlannerApp(dash_file)
    assert app.table.value.empty and app.map.actions == {}
    app.map._handle_msg({"type": "shown"})
    assert len(app.table.value) == TABLE_ROWS
    assert len(app.map.actions["lat"]) > 1000
    app.map._handle_msg({"type": "shown"})  # drawn again (resized): nothing more to do
    assert len(app.table.value) == TABLE_ROWS


def test_the_map_is_told_of_a_column_only_when_it_changes(dash_file: Path) -> None:
    coverage_map = PlannerApp(dash_file).map
    told: list[str] = []
    coverage_map.param.watch(lambda *events: told.extend(e.name for e in events),
                             ["classes", "faded", "values"])
    coverage_map.values = [None, *coverage_map.values[1:]]  # a commune with no value
    told.clear()
    classes, faded = coverage_map.classes.tolist(), coverage_map.faded.tolist()
    # Equal lists, arrays or columns: nothing to tell (a NaN equals the same NaN here).
    coverage_map.param.update(classes=classes, faded=np.array(faded, dtype=np.uint8),
                              values=coverage_map.values.copy())
    assert told == []
    coverage_map.param.update(classes=[*classes[:-1], (classes[-1] + 1) % 5], faded=faded)
    assert told == ["classes"]
    assert coverage_map.classes.dtype.name == "int16"  # a typed array in the browser


def test_candidate_is_immutable() -> None:
    site = Candidate(id="C1", x=0.0, y=0.0, name="Lieu 1")
    with pytest.raises(AttributeError):
        site.x = 1.0  # type: ignore[misc]


def test_proposed_sites_come_with_their_gains_and_can_be_kept(fresh: PlannerApp) -> None:
    fresh.param.update(threshold_min=10, ml=next(iter(fresh.info.mls)))
    fresh.plan.n_sites = 2
    fresh.plan.propose.clicks += 1
    found = len(fresh.plan.proposals)
    assert 1 <= found <= 2  # fewer when one site already reaches everyone it can
    assert "optimal (prouvé par le solveur)" in fresh.plan.listing.object
    assert [m["label"] for m in fresh.map.proposals] == [str(n + 1) for n in range(found)]
    proposed = [fresh.state.proposal_gains[p.id][0] for p in fresh.plan.proposals]
    fresh.map._handle_msg({"type": "keep", "id": None})
    assert fresh.plan.proposals == [] and len(fresh.candidates) == found
    assert fresh.coverage.gains["youth"].tolist() == pytest.approx(proposed)
    fresh.state.proposals = []


def test_when_everyone_is_within_reach_the_proposal_says_so(fresh: PlannerApp) -> None:
    fresh.param.update(threshold_min=60, ml=next(iter(fresh.info.mls)))
    fresh.plan.propose.clicks += 1
    assert fresh.plan.proposals == []
    assert "Aucun nouveau lieu" in fresh.plan.listing.object
    assert "réduisez le seuil d’accès (par exemple 30 min)" in fresh.plan.listing.object


def test_choosing_a_town_hall_in_the_list_adds_it(fresh: PlannerApp) -> None:
    fresh.plan.load()
    label, code = next(iter(fresh.plan.mairie.options.items()))
    fresh.plan.mairie.value = code  # what the browser sends: the option's value
    assert [(c.code_insee, c.origin) for c in fresh.candidates] == [(code, "mairie")]
    assert fresh.plan.mairie.value == ""
    fresh.plan.mairie.value = label  # a label typed in full
    assert len(fresh.candidates) == 2


def test_the_panels_share_a_state_and_touch_no_private_member() -> None:
    import ast
    import inspect

    from territory.dashboards import _plan, _planning, planner, state

    for module in (_plan, _planning, planner, state):
        tree = ast.parse(inspect.getsource(module))
        private = [f"{module.__name__}:{node.lineno} .{node.attr}"
                   for node in ast.walk(tree)
                   if isinstance(node, ast.Attribute) and node.attr.startswith("_")
                   and not node.attr.startswith("__")
                   and not (isinstance(node.value, ast.Name) and node.value.id in ("self",
                                                                                  "cls"))]
        assert not private, private
    # The plan's panel is given the state only: it never holds the app.
    assert list(inspect.signature(_plan.PlanPanel.__init__).parameters) == [
        "self", "state", "params"]


def test_sessions_share_what_is_cached_in_one_module() -> None:
    import ast
    from pathlib import Path

    import territory.dashboards as package

    cached = {path.name for path in Path(package.__file__).parent.glob("*.py")
              if "pn.cache" in path.read_text()}
    assert cached == {"data.py"}
    tree = ast.parse((Path(package.__file__).parent / "data.py").read_text())
    assert sum(isinstance(d, ast.Call) and getattr(d.func, "attr", "") == "cache"
               for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)
               for d in node.decorator_list) >= 10


def creuse(app: PlannerApp) -> str:
    """The ml_code of the Mission Locale of the Creuse (ML12 in the demo)."""
    return next(code for code, name in app.info.mls.items() if "Creuse" in name)


@pytest.mark.parametrize("period", [None, ("2020-01", "2021-06")])
def test_kept_proposals_keep_the_gains_they_were_proposed_with(
        fresh: PlannerApp, period: tuple[str, str] | None) -> None:
    # One model for the figures and the optimiser: with a period, the optimiser used to count
    # the sites open today and the figures those in service at the period's end (Villard
    # proposed at +391 young people, +118 once kept).
    if period:
        fresh.param.update(start=period[0], end=period[1])
    fresh.param.update(threshold_min=10, ml=creuse(fresh))
    first = fresh.add_mairie(far_commune(fresh))  # proposals come after the plan's places
    fresh.plan.n_sites = 3
    fresh.plan.propose.clicks += 1
    proposed = [fresh.state.proposal_gains[p.id] for p in fresh.plan.proposals]
    assert len(proposed) == 3
    shown = [html.escape(gain_text(*gain, 10)) for gain in proposed]
    assert all(text in fresh.plan.listing.object for text in shown)
    before = fresh.coverage.covered_after
    fresh.plan.keep_all.clicks += 1
    figures = fresh.coverage
    assert figures.ids[0] == first.id and len(figures.ids) == 4
    assert figures.gains["youth"].iloc[1:].tolist() == pytest.approx([g[0] for g in proposed])
    assert figures.gains["invisible"].iloc[1:].tolist() == pytest.approx(
        [g[1] for g in proposed])
    assert figures.covered_after - before == pytest.approx(sum(g[0] for g in proposed))
    assert all(text in fresh.plan.listing.object for text in shown)


def test_the_figures_and_the_optimiser_count_the_sites_of_the_period(fresh: PlannerApp) -> None:
    fresh.param.update(start="2020-01", end="2021-06", threshold_min=10)
    period = fresh.filters.period
    assert period == ("2020-01", "2021-06")
    model = data.coverage_model(fresh.scope)
    sites = fresh.layers["sites"]
    required = set(model.facilities.index[model.role == "required"])
    assert required == set(open_sites(sites, period=period)["site_id"])
    assert required != set(open_sites(sites)["site_id"])  # a site closed since
    table, weights = fresh.table_and_weights()
    sums = data.totals(table, weights)
    assert fresh.coverage.youth == pytest.approx(sums["youth"])
    assert fresh.coverage.covered_before == pytest.approx(sums["covered_youth"])


def test_the_whole_range_of_months_is_the_whole_record(fresh: PlannerApp) -> None:
    months = fresh.info.months
    assert (fresh.start, fresh.end) == (months[0], months[-1])
    assert fresh.filters.period is None
    label = period_label(None, data.record_dates(*fresh.key))
    assert fresh.period_label == label and label.endswith("(sites ouverts à ce jour)")
    assert html.escape(label) in fresh.cards.object
    fresh.end = months[-2]
    assert fresh.filters.period == (months[0], months[-2])
    assert "sites ouverts au " in fresh.cards.object


def test_a_departement_is_measured_and_planned_on_its_communes(fresh: PlannerApp) -> None:
    dep = next(iter(fresh.info.departements))
    fresh.param.update(departement=dep, threshold_min=10)
    table, weights = fresh.table_and_weights()
    sums = data.totals(table, weights)
    assert fresh.coverage.youth == pytest.approx(sums["youth"])
    assert fresh.coverage.covered_before == pytest.approx(sums["covered_youth"])
    fresh.plan.n_sites = 2
    fresh.plan.propose.clicks += 1
    communes = fresh.layers["communes"].set_index("code_insee")["dep_code"]
    assert fresh.plan.proposals
    assert {communes[p.code_insee] for p in fresh.plan.proposals} == {dep}
    fresh.state.proposals = []


def test_the_comparison_of_two_saved_plans_is_the_command_lines(
        own_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    app = PlannerApp(own_file, threshold_min=10)
    _shown(app)
    app.plan.load()
    app.add_mairie(far_commune(app))
    app.plan.scenario_name = "Une mairie"
    app.plan.save.clicks += 1
    args = build_parser().parse_args([
        "plan", "--workspace", str(own_file), "--add", "3", "--threshold-min", "10",
        "--method", "greedy", "--name", "Trois lieux", "--compare", "Une mairie", "--json"])
    args.run(args)
    cli = json.loads(capsys.readouterr().out)["comparison"]
    app.plan.load()  # the command line's plan is listed
    options = app.plan.compare_a.options
    ids = {name: next(v for k, v in options.items() if k.startswith(name))
           for name in ("Une mairie", "Trois lieux")}
    app.plan.compare_a.value, app.plan.compare_b.value = ids["Une mairie"], ids["Trois lieux"]
    result = app.plan.comparison_result
    assert result is not None
    table = result.ranking()
    for label, name in zip(result.names, ("Une mairie", "Trois lieux"), strict=True):
        for measure in ("new_sites", "youth_covered", "invisible_est_covered"):
            assert table.loc[label, measure] == pytest.approx(cli[measure][name])
    expected = planning.compare_places(
        data.coverage_model(app.scope),
        *(_scenarios_sites(own_file, ids[n]) for n in ("Une mairie", "Trois lieux")),
        names=result.names)
    pd.testing.assert_frame_equal(table, expected.ranking())
    assert app.plan.comparison.object == comparison_html(expected, 10)
    assert expected.verdict() in html.unescape(app.plan.comparison.object)


def _scenarios_sites(path: Path, scenario_id: str) -> pd.DataFrame:
    sites = load_scenario(Workspace(path), scenario_id).sites
    return pd.DataFrame({"x": sites.geometry.x, "y": sites.geometry.y}).set_axis(
        sites["site_id"].astype(str))


# -- travel modes and reach ---------------------------------------------------------------------
def test_by_default_the_covered_share_is_below_one_and_differs_between_mls(
        fresh: PlannerApp) -> None:
    assert fresh.mode == "transit"
    shares = {}
    for ml in ("ML01", "ML05", "ML12", "ML23"):
        fresh.ml = ml
        table, weights = fresh.table_and_weights()
        shares[ml] = data.totals(table, weights)["covered_share"]
        assert "en transports en commun" in fresh.cards.object
    assert max(shares.values()) <= 1 and min(shares.values()) < 0.95, shares
    assert len({round(v, 3) for v in shares.values()}) > 1, shares
    fresh.mode = "car"  # by car, everyone is within 30 minutes of a site
    table, weights = fresh.table_and_weights()
    assert data.totals(table, weights)["covered_share"] == pytest.approx(1.0)


def test_proposals_with_the_default_settings_bring_young_people(fresh: PlannerApp) -> None:
    fresh.ml = "ML05"
    fresh.plan.n_sites = 2
    fresh.plan.propose.clicks += 1
    assert fresh.plan.proposals
    assert all(fresh.plan.proposal_gain(p.id)[0] > 0 for p in fresh.plan.proposals)


def test_a_what_if_where_reach_is_the_problem_reaches_young_people(fresh: PlannerApp) -> None:
    table, weights = fresh.table_and_weights()
    chosen = table[(weights > 0) & (table["reach_deficit"] > 0.9)]
    top = chosen.sort_values("gap_rank").iloc[0]
    words = fresh.reach_whatif(str(top["zone_id"]))
    assert words.startswith("Une maraude mensuelle à la mairie : ~")
    gain = float(words.split("~")[1].split(" ")[0].replace(",", "."))
    assert gain > 0
    # One figure, one function: the dashboard's what-if is the engine's.
    model = planning.reach_model(data.filtered_layers(*fresh.key, fresh.filters),
                                 params=fresh.params, kind="maraude",
                                 table=data.commune_indicators(fresh.source, fresh.filters))
    expected = model.gain_interval(model.position(f"mairie-{top['zone_id']}"))[0]
    assert gain == pytest.approx(expected, abs=0.05)
    # The map layer of every town hall's gain agrees with the popup.
    layer = fresh.reach_gains()
    row = fresh.row_of(str(top["zone_id"]))
    assert layer.iloc[row] == pytest.approx(expected)
    fresh.indicator = "reach_gain"
    assert fresh.map.value_label == "atteints en plus par an"


def test_a_place_in_the_plan_lowers_what_an_action_next_to_it_would_add(
        fresh: PlannerApp) -> None:
    fresh.ml = "ML05"
    gains = fresh.reach_gains()
    code = str(fresh.layers["communes"]["code_insee"].iloc[int(np.nanargmax(gains))])
    before = fresh.reach_gains()
    fresh.add_mairie(code)
    after = fresh.reach_gains()
    inside = before.notna()
    assert inside.sum() < len(before) and (after.notna() == inside).all()
    assert (after[inside] <= before[inside] + 1e-9).all()  # diminishing returns, never more
    assert after[fresh.row_of(code)] < before[fresh.row_of(code)]
    fresh.reach_kind, fresh.reach_frequency = "evenement", 4
    assert "un événement trimestriel" in fresh.reach_whatif(code).lower()


def test_proposals_for_reach_are_the_command_lines_plan(fresh: PlannerApp) -> None:
    fresh.ml = "ML05"
    fresh.plan.objective, fresh.plan.n_sites = "reach", 2
    fresh.plan.propose.clicks += 1
    proposals = fresh.plan.proposals
    assert len(proposals) == 2
    texts = [fresh.plan.proposal_text(p.id) for p in proposals]
    assert all("jeunes invisibles atteints en plus par an (une maraude mensuelle" in t
               for t in texts)
    assert "Une maraude mensuelle : solution" in fresh.state.proposal_note
    # The engine of `territory plan --objective reach`, on the same model: the same places.
    model = fresh.reach_model()
    assert model is not None
    plan = planning.plan_reach(model, 2)
    assert [p.code_insee for p in proposals] == plan.sites["code_insee"].tolist()
    assert [fresh.plan.proposal_gain(p.id)[0] for p in proposals] == pytest.approx(
        plan.sites["gain"].tolist())
    # Kept, they are the plan's places: what an action next to them adds falls.
    before = fresh.reach_gains()
    fresh.state.keep(None)
    assert len(fresh.candidates) == 2
    after = fresh.reach_gains()
    row = fresh.row_of(proposals[0].code_insee)
    assert after[row] < before[row]
    fresh.plan.objective = "coverage"
