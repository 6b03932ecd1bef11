"""``territory plan --objective reach``: where new outreach actions would reach the most.

The plan comes from :func:`territory.planning.reach.plan_reach` on the model of
:func:`territory.planning.reach.reach_model`, the engine of the planner's dashboard too.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from territory._crs import LAMBERT93, WGS84
from territory._errors import InputError
from territory.analysis import parse_period
from territory.cli._common import params_of
from territory.io import read_places
from territory.io.scenarios import save_scenario
from territory.io.workspace import Workspace
from territory.planning.reach import FREQUENCIES, ReachPlan, plan_reach, reach_model

__all__ = ["parse_frequency", "reach_json", "reach_text", "run_reach"]


def parse_frequency(text: str) -> int:
    """Return actions a year from « mensuelle » or a number.

    Examples
    --------
    >>> parse_frequency("mensuelle"), parse_frequency("6")
    (12, 6)
    """
    value = FREQUENCIES.get(text.strip().lower())
    if value is not None:
        return value
    try:
        number = int(text)
    except ValueError:
        number = 0
    if not 1 <= number <= 365:
        raise InputError(f"--frequency {text!r}: expected {', '.join(FREQUENCIES)} or a "
                         "number of actions a year between 1 and 365")
    return number


def run_reach(args: argparse.Namespace, workspace: Workspace,
              layers: dict[str, pd.DataFrame]) -> None:
    """Plan ``--add`` actions of ``--kind`` at ``--frequency`` and print the plan."""
    if args.compare:
        raise InputError("--compare compares plans of the coverage objective; drop it, or "
                         "plan with --objective coverage")
    missing = [n for n in ("actions", "contacts", "catchment_members") if n not in layers]
    if missing:
        raise InputError(f"{workspace.path}: no layer {missing}; --objective reach learns how "
                         "far actions reach from the actions and their contacts (territory "
                         "import actions FILE, territory import contacts FILE)")
    # The user's places (lycées, gares, partners' premises) are candidates beside the town
    # halls, read as `territory plan --candidates FILE` reads them.
    places = (read_places(Path(args.candidates), workspace=workspace)
              if args.candidates != "mairies" else None)
    model = reach_model(layers, kind=args.kind, frequency=parse_frequency(args.frequency),
                        params=params_of(args), period=parse_period(args.period), ml=args.ml,
                        places=places)
    plan = plan_reach(model, args.add, kept=[])
    saved = None
    if args.name:
        saved = save_scenario(workspace, args.name, parameters=_parameters(args, plan),
                              sites=_points(plan), overwrite=True)
    demo = workspace.is_demo()
    if args.json:
        print(json.dumps({**reach_json(plan), "saved": saved, "demo": demo},
                         ensure_ascii=False, indent=2))
        return
    text = reach_text(plan)
    if saved:
        text += f"\nPlan enregistré : « {args.name} » ({saved})"
    if demo:
        text += "\nDonnées fictives (démonstration)."
    print(text)


def _parameters(args: argparse.Namespace, plan: ReachPlan) -> dict[str, Any]:
    return {"add": args.add, "objective": "reach", "kind": plan.model.kind,
            "frequency": plan.model.frequency, "mode": args.mode, "ml": args.ml,
            "period": args.period}


def _points(plan: ReachPlan) -> gpd.GeoDataFrame:
    sites = plan.sites
    return gpd.GeoDataFrame({"site_id": sites.index.astype(str), "name": sites["name"],
                             "code_insee": sites["code_insee"], "rank": sites["rank"],
                             "gain": sites["gain"]},
                            geometry=gpd.points_from_xy(sites["x"], sites["y"]),
                            crs=LAMBERT93).reset_index(drop=True)


def _round(value: float) -> float:
    return round(float(value), 2)


def reach_json(plan: ReachPlan) -> dict[str, Any]:
    """Return the plan as the JSON document ``territory plan --objective reach --json`` prints."""
    model, sites = plan.model, plan.sites
    lonlat = gpd.GeoSeries(gpd.points_from_xy(sites["x"], sites["y"]),
                           crs=LAMBERT93).to_crs(WGS84)
    return {
        "objective": "reach", "kind": model.kind, "frequency": model.frequency,
        "action": model.words(), "mode": model.params.mode, "curve": model.curve["curve"].words(),
        "sites": [{"id": str(label), "name": str(row["name"]),
                   "code_insee": str(row["code_insee"]), "x": float(row["x"]),
                   "y": float(row["y"]), "lon": round(float(lonlat.iloc[k].x), 6),
                   "lat": round(float(lonlat.iloc[k].y), 6), "gain": _round(row["gain"]),
                   "gain_low": _round(row["gain_low"]), "gain_high": _round(row["gain_high"])}
                  for k, (label, row) in enumerate(sites.iterrows())],
        "reached": _round(plan.value), "reached_low": _round(plan.low),
        "reached_high": _round(plan.high), "bound": _round(plan.bound),
        "gap": round(plan.gap, 4), "status": plan.status_text,
        "remaining": _round(model.remaining.sum()),
    }


def _count(value: float) -> str:
    """Return a count of young people: one decimal below 100, where intervals are narrow."""
    from territory.viz.labels import format_number

    return format_number(float(value), decimals=1 if abs(value) < 100 else 0)


def reach_text(plan: ReachPlan) -> str:
    """Return the plan as the French text ``territory plan --objective reach`` prints."""
    from territory.viz.labels import format_number

    model = plan.model
    lines = [f"Plan : {len(plan.sites)} lieu(x) pour {model.words()} — le plus de jeunes "
             "invisibles pas encore atteints",
             f"Déplacement : {model.params.travel_mode.label}",
             f"Portée apprise des contacts : {model.curve['curve'].words()}"]
    if plan.sites.empty:
        lines.append("Aucun lieu n'atteint de jeune invisible de plus : tous ceux de la "
                     "sélection sont déjà atteints par les actions en cours.")
    for _, row in plan.sites.iterrows():
        lines.append(f"{int(row['rank'])}. {row['name']} : ~{_count(row['gain'])} jeunes "
                     "invisibles atteints en plus par an (intervalle "
                     f"{_count(row['gain_low'])} à {_count(row['gain_high'])})")
    lines += [f"Total : ~{_count(plan.value)} jeunes invisibles atteints en plus par an "
              f"(intervalle {_count(plan.low)} à {_count(plan.high)}) sur "
              f"~{format_number(model.remaining.sum())} pas encore atteints dans la sélection",
              f"Statut : {plan.status_text} ; borne : {format_number(plan.bound)}",
              "Intervalles : incertitude de la courbe de portée (bootstrap sur les actions)."]
    return "\n".join(lines)
