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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from territory._errors import InputError, Problem
from territory.io.scenarios import load_scenario, save_scenario
from territory.io.workspace import Workspace, default_workspace_path
from territory.planning import (
    Solution,
    chosen_points,
    compare,
    model_from_layers,
    plan_figures,
    solve,
)
from territory.viz.labels import DEMO_LABEL, format_number

__all__ = ["register", "run"]

LAYERS = ("communes", "mairies", "sites", "actions", "contacts", "contact_counts",
          "catchment_members")
CRS = "EPSG:2154"
WGS84 = "EPSG:4326"
_WEIGHT_LABEL = {"invisible_est": "jeunes invisibles estimés", "youth": "jeunes (16–25 ans)"}


def register(subparsers: Any) -> None:
    """Add the ``plan`` command to the main parser's subparsers."""
    plan = subparsers.add_parser(
        "plan", help="choose the next sites (maximal covering or least travel time)")
    plan.add_argument("--workspace", type=Path, default=None,
                      help="workspace GeoPackage (default: $TERRITORY_WORKSPACE or "
                           "./territoire.gpkg)")
    plan.add_argument("--add", type=int, required=True, metavar="N",
                      help="number of new sites to place")
    plan.add_argument("--objective", choices=("coverage", "distance"), default="coverage",
                      help="coverage: most invisible young people within the threshold; "
                           "distance: least youth-weighted travel time (default coverage)")
    plan.add_argument("--threshold-min", type=float, default=30.0,
                      help="access threshold in minutes (default 30, France Services)")
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
    workspace = Workspace(args.workspace or default_workspace_path())
    layers = {name: workspace.read(name) for name in LAYERS if name in workspace.layers()}
    candidates: str | gpd.GeoDataFrame = args.candidates
    if args.candidates != "mairies":
        candidates = read_places(Path(args.candidates))
    competitors = read_places(args.competitors) if args.competitors else None
    # Hexagon centres complete the town halls where none is near; a user's own list of
    # places is taken as it is.
    model = model_from_layers(layers, candidates=candidates, competitors=competitors,
                              hexagons=args.candidates == "mairies", ml=args.ml,
                              threshold_min=args.threshold_min)
    solution = solve(model, objective=args.objective, n_new=args.add, method=args.method,
                     per_group=args.per_ml, forced=args.force, excluded=args.exclude,
                     time_limit_s=args.time_limit)
    parameters = _parameters(args)
    comparison = _comparison(workspace, args, layers, solution) if args.compare else None
    saved = None
    if args.name:
        points = chosen_points(solution)
        points["ml_code"] = points["group"]
        saved = save_scenario(workspace, args.name, parameters=parameters,
                              sites=_plain(points), overwrite=True)
    report = _Report(
        solution=solution, demand=model.demand, args=args, parameters=parameters,
        size=(len(model.demand), len(model.facilities), len(model.pairs.minutes)),
        communes=layers["communes"].set_index("code_insee")["nom"], saved=saved,
        demo=workspace.is_demo(), comparison=comparison)
    if args.json:
        print(json.dumps(_as_json(report), ensure_ascii=False, indent=2))
    else:
        print(_as_text(report))


@dataclass(frozen=True)
class _Report:
    """Everything the output shows."""

    solution: Solution
    demand: pd.DataFrame
    communes: pd.Series
    args: argparse.Namespace
    parameters: dict[str, Any]
    saved: str | None
    demo: bool
    comparison: pd.DataFrame | None
    size: tuple[int, int, int] = (0, 0, 0)


def _machine_line(size: tuple[int, int, int]) -> str:
    """Say where the plan was computed: on this machine, also at national scale."""
    zones, places, pairs = (format_number(n) for n in size)
    return (f"Calcul sur cette machine (modèle creux : {zones} zones de demande × {places} "
            f"lieux, {pairs} paires à portée), même pour toute la France ; le moteur Dask "
            "(--engine dask) ne sert qu'aux indicateurs.")


def _parameters(args: argparse.Namespace) -> dict[str, Any]:
    return {"add": args.add, "objective": args.objective, "threshold_min": args.threshold_min,
            "ml": args.ml, "candidates": str(args.candidates), "method": args.method,
            "per_ml": args.per_ml, "force": args.force, "exclude": args.exclude,
            "competitors": str(args.competitors) if args.competitors else None}


def _plain(points: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    keep = [c for c in ("site_id", "name", "ml_code", "code_insee", "source", "rank", "gain",
                        "gain_youth", "gain_invisible_est") if c in points]
    return gpd.GeoDataFrame(points[keep].reset_index(drop=True),
                            geometry=points.geometry.to_numpy(), crs=points.crs)


def read_places(path: Path) -> gpd.GeoDataFrame:
    """Read places from GeoJSON, GeoPackage, Shapefile or CSV (lon/lat or x/y), in EPSG:2154."""
    if not path.exists():
        raise InputError([Problem("file not found", file=str(path))])
    if path.suffix.lower() in (".csv", ".txt"):
        return _read_csv(path)
    frame = gpd.read_file(path)
    if frame.crs is None:
        raise InputError([Problem("has no CRS; expected coordinates with a CRS (e.g. "
                                  "EPSG:4326 or EPSG:2154)", file=str(path))])
    kinds = set(frame.geom_type.dropna())
    if kinds - {"Point"}:
        raise InputError([Problem(f"has {sorted(kinds)} geometries; expected points",
                                  file=str(path), column="geometry")])
    return frame.to_crs(CRS)


def _read_csv(path: Path) -> gpd.GeoDataFrame:
    text = path.read_text(encoding="utf-8-sig")
    sep = ";" if text.splitlines()[0].count(";") > text.splitlines()[0].count(",") else ","
    table = pd.read_csv(path, sep=sep, encoding="utf-8-sig", dtype=str)
    pairs = (("lon", "lat", WGS84), ("longitude", "latitude", WGS84), ("x", "y", CRS))
    found = next(((a, b, crs) for a, b, crs in pairs if {a, b} <= set(table.columns)), None)
    if found is None:
        raise InputError([Problem(f"no coordinate columns among {list(table.columns)}; "
                                  "expected lon and lat (WGS84) or x and y (Lambert-93)",
                                  file=str(path))])
    a, b, crs = found
    xs, ys = (pd.to_numeric(table[c].str.replace(",", "."), errors="coerce") for c in (a, b))
    bad = xs.isna() | ys.isna()
    if bad.any():
        raise InputError([Problem("missing or unreadable coordinate", file=str(path),
                                  row=int(i) + 2, column=f"{a}/{b}")
                          for i in table.index[bad][:20]])
    return gpd.GeoDataFrame(table.drop(columns=[a, b]), geometry=gpd.points_from_xy(xs, ys),
                            crs=crs).to_crs(CRS)


def _comparison(workspace: Workspace, args: argparse.Namespace,
                layers: dict[str, pd.DataFrame], solution: Solution) -> pd.DataFrame:
    """Compare the saved plan with this one, both measured with this run's threshold."""
    other = load_scenario(workspace, args.compare)
    mine = chosen_points(solution)
    places = pd.concat([other.sites[["site_id", "name", "geometry"]],
                        mine[["site_id", "name", "geometry"]]], ignore_index=True)
    places = gpd.GeoDataFrame(places.drop_duplicates("site_id"), crs=CRS)
    model = model_from_layers(layers, candidates=places, hexagons=False, ml=args.ml,
                              threshold_min=args.threshold_min)
    theirs = plan_figures(model, other.sites["site_id"].astype(str))
    ours = plan_figures(model, mine["site_id"].astype(str))
    name = args.name or "ce plan"
    names = (other.name, name if name != other.name else f"{name} (nouveau)")
    return compare(theirs, ours, names=names).region


def _commune(communes: pd.Series, code: Any) -> str:
    return str(communes.get(code, code)) if isinstance(code, str) else ""


def _lonlat(sites: pd.DataFrame) -> gpd.GeoSeries:
    return gpd.GeoSeries(gpd.points_from_xy(sites["x"], sites["y"]), crs=CRS).to_crs(WGS84)


def _as_json(report: _Report) -> dict[str, Any]:
    solution, communes = report.solution, report.communes
    sites = solution.sites
    lonlat = _lonlat(sites)
    rows = [{"id": str(label), "name": str(row["name"]),
             "commune": _commune(communes, row.get("code_insee")),
             "code_insee": str(row.get("code_insee", "")),
             "ml_code": None if pd.isna(row.get("group")) else str(row.get("group")),
             "x": float(row["x"]), "y": float(row["y"]),
             "lon": round(float(lonlat.iloc[k].x), 6), "lat": round(float(lonlat.iloc[k].y), 6),
             "gain": float(row["gain"]),
             **{c: float(row[c]) for c in sites.columns if c.startswith("gain_")}}
            for k, (label, row) in enumerate(sites.iterrows())]
    zones, places, pairs = report.size
    result = {"parameters": report.parameters, "status": solution.status,
              "computed_on": {"engine": "local", "demand_zones": zones, "places": places,
                              "pairs": pairs},
              "sites": rows, "covered": float(solution.covered.get("invisible_est", 0.0)),
              "covered_youth": float(solution.covered.get("youth", 0.0)),
              "objective": solution.value, "bound": _finite(solution.bound),
              "gap": _finite(solution.gap), "seconds": round(solution.seconds, 3),
              "totals": {c: float(report.demand[c].sum()) for c in report.demand.columns},
              "scenario_id": report.saved, "demo": report.demo}
    if report.comparison is not None:
        result["comparison"] = json.loads(report.comparison.to_json(orient="index"))
    return result


def _finite(value: float) -> float | None:
    return None if pd.isna(value) else float(value)


def _status(solution: Solution) -> str:
    if solution.status == "optimal":
        return "optimal (prouvé)"
    gap = "" if pd.isna(solution.gap) else \
        f" : écart prouvé ≤ {format_number(100 * solution.gap, decimals=2)} %"
    if solution.status == "time_limit":
        return "limite de temps atteinte" + gap
    return "heuristique (glouton + échanges)" + gap


def _as_text(report: _Report) -> str:
    solution, args = report.solution, report.args
    minutes = format_number(args.threshold_min)
    lines = [f"Plan : {args.add} nouveau(x) site(s) — "
             + ("le plus de jeunes invisibles estimés à moins de " + minutes + " min"
                if args.objective == "coverage" else "le moins de temps d'accès des jeunes")
             + f" (méthode {'exacte' if args.method == 'exact' else 'gloutonne'})"]
    youth = float(report.demand["youth"].sum()) if "youth" in report.demand else 0.0
    lines += _site_lines(solution, report.communes, args, youth=youth)
    if args.objective == "distance" and youth > 0:
        lines.append("Temps d'accès moyen des jeunes (au site le plus proche) : "
                     f"{format_number(solution.value / youth, decimals=1)} min")
    for column, label in _WEIGHT_LABEL.items():
        if column in solution.covered:
            total = float(report.demand[column].sum())
            done = float(solution.covered[column])
            share = format_number(100 * done / total, decimals=1) if total else "–"
            lines.append(f"{label.capitalize()} à moins de {minutes} min : "
                         f"{format_number(done)} sur {format_number(total)} ({share} %)")
    lines.append(f"Statut : {_status(solution)}")
    lines.append(_machine_line(report.size))
    if report.comparison is not None:
        lines += ["", "Comparaison :", _comparison_text(report.comparison)]
    if report.saved:
        lines.append(f"Plan enregistré : « {args.name} » ({report.saved})")
    if report.demo:
        lines.append(DEMO_LABEL)
    return "\n".join(lines)


def _site_lines(solution: Solution, communes: pd.Series, args: argparse.Namespace, *,
                youth: float) -> list[str]:
    if solution.sites.empty:
        return [f"Aucun nouveau site n'apporte de gain : les jeunes sont déjà à moins de "
                f"{format_number(args.threshold_min)} min d'un site. Essayez un seuil plus "
                "court (--threshold-min) ou l'objectif distance."]
    lines = []
    for rank, (label, row) in enumerate(solution.sites.iterrows(), start=1):
        place = _commune(communes, row.get("code_insee"))
        ml = "" if pd.isna(row.get("group")) else f", {row['group']}"
        invisible = format_number(float(row.get("gain_invisible_est", 0.0)), decimals=1)
        gained = format_number(float(row.get("gain_youth", 0.0)))
        saved = ""
        if args.objective == "distance" and youth > 0:
            saved = (f"temps d'accès moyen −{format_number(row['gain'] / youth, decimals=2)}"
                     " min, ")
        lines.append(f"  {rank}. {row['name']} ({place}{ml}) [{label}] : {saved}"
                     f"+{gained} jeunes à moins de {format_number(args.threshold_min)} min, "
                     f"dont ~{invisible} invisibles estimés")
    return lines


def _comparison_text(table: pd.DataFrame) -> str:
    labels = {"sites": "sites ML ouverts", "new_sites": "nouveaux sites",
              "youth_covered": "jeunes à moins du seuil",
              "invisible_est_covered": "jeunes invisibles estimés à moins du seuil"}
    shown = table.loc[[k for k in labels if k in table.index]].rename(
        index=labels, columns={"difference": "écart"})
    return shown.map(lambda v: format_number(float(v), decimals=1)).to_string()


if __name__ == "__main__":  # pragma: no cover
    sys.exit("use `territory plan`")
