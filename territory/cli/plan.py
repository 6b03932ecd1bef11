"""``territory plan``: where the next sites should go, from the command line.

Reads the workspace, builds the coverage model (existing ML sites open, town halls or the
user's places as candidates, hexagon centres where no town hall is near), solves, prints the
chosen places with their gains, the covered total and the proven status, in French; with
``--json``, the same as JSON. ``--name`` saves the plan in the workspace.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from territory.analysis import Parameters, parse_period
from territory.analysis.travel import Routed
from territory.cli._common import add_mode_option, params_of, workspace_of
from territory.io import read_places
from territory.io.scenarios import load_scenario, save_scenario
from territory.io.workspace import Workspace

if TYPE_CHECKING:
    from territory.planning import Comparison, CoverageModel, Solution

__all__ = ["LAYERS", "register", "run"]

LAYERS = ("communes", "mairies", "sites", "actions", "contacts", "contact_counts",
          "catchment_members", "places", "travel_times", "transit_feeds")


def register(subparsers: Any, parents: Sequence[argparse.ArgumentParser]) -> None:
    """Add the ``plan`` command to the command line's subparsers."""
    plan = subparsers.add_parser(
        "plan", parents=parents,
        help="choose the next sites (maximal covering or least travel time)")
    plan.add_argument("--add", type=int, required=True, metavar="N",
                      help="number of new sites to place")
    plan.add_argument("--objective", choices=("coverage", "distance", "reach"),
                      default="coverage",
                      help="coverage: most invisible young people within the threshold; "
                           "distance: least youth-weighted travel time; reach: most invisible "
                           "young people not yet reached who new outreach actions would "
                           "reach, from the curves learned from the contacts (default "
                           "coverage)")
    plan.add_argument("--kind", default=None,
                      help="with --objective reach: the kind of action to place (maraude, "
                           "bus, evenement, partenaire; default the most frequent)")
    plan.add_argument("--frequency", default="mensuelle",
                      help="with --objective reach: how often each action is held, "
                           "hebdomadaire, mensuelle, trimestrielle, annuelle or a number of "
                           "actions a year (default mensuelle)")
    plan.add_argument("--period", default=None, metavar="A:B",
                      help="the period of the figures, e.g. 2020-01:2021-06 (default: the "
                           "whole record)")
    plan.add_argument("--threshold-min", type=float, default=30.0,
                      help="access threshold in minutes (default 30, France Services)")
    add_mode_option(plan)
    plan.add_argument("--ml", default=None, help="plan for one Mission Locale (ml_code)")
    plan.add_argument("--candidates", default="mairies",
                      help="'mairies' (every town hall, and hexagon centres where no town "
                           "hall is near) or a file of places (GeoJSON, GeoPackage, "
                           "Shapefile, or CSV with lon/lat or x/y columns)")
    plan.add_argument("--competitors", type=Path, default=None,
                      help="file of other services' places already reaching young people")
    plan.add_argument("--method", choices=("exact", "greedy"), default="exact",
                      help="exact (HiGHS, proven) or greedy (instant) (default exact)")
    plan.add_argument("--per-ml", type=int, default=None, metavar="K",
                      help="at most K new sites per Mission Locale")
    plan.add_argument("--force", action="append", default=[], metavar="SITE_ID",
                      help="a candidate that must be chosen (repeatable)")
    plan.add_argument("--exclude", action="append", default=[], metavar="SITE_ID",
                      help="a candidate that must not be chosen (repeatable)")
    plan.add_argument("--name", default=None, help="save the plan under this name")
    plan.add_argument("--compare", default=None, metavar="NAME",
                      help="compare with a saved plan")
    plan.add_argument("--time-limit", type=float, default=60.0, metavar="S",
                      help="time limit of the exact method in seconds (default 60)")
    plan.add_argument("--json", action="store_true", help="print JSON")
    plan.set_defaults(run=run)


def run(args: argparse.Namespace) -> None:
    """Run ``territory plan`` with parsed arguments."""
    # The solver and the labels (which load folium) are imported only by this command.
    from territory.cli._plan_output import PlanReport, as_json, as_text
    from territory.planning import chosen_points, model_from_layers, solve

    workspace = workspace_of(args)
    layers = {name: workspace.read(name) for name in LAYERS if name in workspace.layers()}
    if args.objective == "reach":
        from territory.cli._reach_plan import run_reach

        run_reach(args, workspace, layers)
        return
    candidates: str | gpd.GeoDataFrame = args.candidates
    # Places are read as `territory import sites` reads sites; other services just across the
    # region's border still reach its young people.
    if args.candidates != "mairies":
        candidates = read_places(Path(args.candidates), workspace=workspace)
    competitors = (read_places(args.competitors, workspace=workspace, within_region=False)
                   if args.competitors else None)
    # Hexagon centres complete the town halls where none is near; a user's own list of
    # places is taken as it is.
    model = model_from_layers(layers, candidates=candidates, competitors=competitors,
                              hexagons=args.candidates == "mairies", ml=args.ml,
                              threshold_min=args.threshold_min, params=params_of(args),
                              period=parse_period(args.period))
    solution = solve(model, objective=args.objective, n_new=args.add, method=args.method,
                     per_group=args.per_ml, forced=args.force, excluded=args.exclude,
                     time_limit_s=args.time_limit)
    parameters = _parameters(args)
    comparison = _comparison(workspace, args, model, solution) if args.compare else None
    saved = None
    if args.name:
        points = chosen_points(solution)
        points["ml_code"] = points["group"]
        saved = save_scenario(workspace, args.name, parameters=parameters,
                              sites=_plain(points), overwrite=True)
    report = PlanReport(
        solution=solution, demand=model.demand, args=args, parameters=parameters,
        size=(len(model.demand), len(model.facilities), len(model.pairs.minutes)),
        communes=layers["communes"].set_index("code_insee")["nom"], saved=saved,
        demo=workspace.is_demo(), comparison=comparison,
        travel=_travel_words(model.params, layers))
    if args.json:
        print(json.dumps(as_json(report), ensure_ascii=False, indent=2))
    else:
        print(as_text(report))


def _travel_words(params: Parameters, layers: dict[str, pd.DataFrame]) -> str:
    """Say how the plan's travel times were computed, in French."""
    how = ("temps routés (OpenStreetMap, horaires GTFS) là où ils sont calculés, à vol "
           "d'oiseau × détour ÷ vitesse ailleurs" if Routed.of(layers) is not None
           else "temps estimés à vol d'oiseau × détour ÷ vitesse du mode")
    return f"{params.travel_mode.label} ({how})"


def _parameters(args: argparse.Namespace) -> dict[str, Any]:
    return {"add": args.add, "objective": args.objective, "threshold_min": args.threshold_min,
            "mode": args.mode,
            "ml": args.ml, "candidates": str(args.candidates), "method": args.method,
            "per_ml": args.per_ml, "force": args.force, "exclude": args.exclude,
            "competitors": str(args.competitors) if args.competitors else None}


def _plain(points: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    keep = [c for c in ("site_id", "name", "ml_code", "code_insee", "source", "rank", "gain",
                        "gain_youth", "gain_invisible_est") if c in points]
    return gpd.GeoDataFrame(points[keep].reset_index(drop=True),
                            geometry=points.geometry.to_numpy(), crs=points.crs)


def _comparison(workspace: Workspace, args: argparse.Namespace, model: CoverageModel,
                solution: Solution) -> Comparison:
    """Compare the saved plan with this one on this run's model, as the dashboard compares."""
    from territory.planning import chosen_points, compare_places

    other = load_scenario(workspace, args.compare)
    name = args.name or "ce plan"
    names = (other.name, name if name != other.name else f"{name} (nouveau)")
    return compare_places(model, other.sites, chosen_points(solution), names=names)


if __name__ == "__main__":  # pragma: no cover
    sys.exit("use `territory plan`")
