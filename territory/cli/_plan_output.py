"""What ``territory plan`` prints: the plan in French, or as JSON, and why nothing is proposed.

Imported only when a plan is made: it draws on the French labels of :mod:`territory.viz`.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd

from territory._crs import LAMBERT93, WGS84
from territory.analysis.travel import MODES
from territory.planning import Comparison, Solution
from territory.viz.labels import DEMO_LABEL, format_number

__all__ = ["PlanReport", "as_json", "as_text", "nothing_proposed", "shortfall_text"]

_WEIGHT_LABEL = {"invisible_est": "jeunes invisibles estimés", "youth": "jeunes (16–25 ans)"}


@dataclass(frozen=True)
class PlanReport:
    """Everything the output shows."""

    solution: Solution
    demand: pd.DataFrame
    communes: pd.Series
    args: argparse.Namespace
    parameters: dict[str, Any]
    saved: str | None
    demo: bool
    comparison: Comparison | None
    size: tuple[int, int, int] = (0, 0, 0)
    travel: str = ""


def _machine_line(size: tuple[int, int, int]) -> str:
    """Say where the plan was computed: on this machine, also at national scale."""
    zones, places, pairs = (format_number(n) for n in size)
    return (f"Calcul sur cette machine (modèle creux : {zones} zones de demande × {places} "
            f"lieux, {pairs} paires à portée), même pour toute la France ; le moteur Dask "
            "(--engine dask) ne sert qu'aux indicateurs.")


def _commune(communes: pd.Series, code: Any) -> str:
    return str(communes.get(code, code)) if isinstance(code, str) else ""


def _lonlat(sites: pd.DataFrame) -> gpd.GeoSeries:
    return gpd.GeoSeries(gpd.points_from_xy(sites["x"], sites["y"]), crs=LAMBERT93).to_crs(WGS84)


def as_json(report: PlanReport) -> dict[str, Any]:
    """Return the plan as the JSON document ``territory plan --json`` prints."""
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
    # Why nothing is proposed, and what to try (null when sites are proposed).
    result["reason"], result["suggestion"] = nothing_proposed(
        solution, report.demand, report.args) or (None, None)
    # A plan shorter than asked says so (null when it has every site asked for).
    result["shortfall"] = solution.shortfall
    result["shortfall_text"] = shortfall_text(solution, report.args)
    if report.comparison is not None:
        result["comparison"] = json.loads(report.comparison.region.to_json(orient="index"))
        ranks = report.comparison.ranking()["rank"]
        result["comparison_rank"] = {str(k): int(v) for k, v in ranks.items()}
        result["comparison_verdict"] = report.comparison.verdict()
    return result


def _finite(value: float) -> float | None:
    return None if pd.isna(value) else float(value)


def as_text(report: PlanReport) -> str:
    """Return the plan as the French text ``territory plan`` prints."""
    solution, args = report.solution, report.args
    minutes = format_number(args.threshold_min)
    lines = [f"Plan : {args.add} nouveau(x) site(s) — "
             + ("le plus de jeunes invisibles estimés à moins de " + minutes + " min"
                if args.objective == "coverage" else "le moins de temps d'accès des jeunes")
             + f" (méthode {'exacte' if args.method == 'exact' else 'gloutonne'})",
             f"Déplacement : {report.travel or MODES[args.mode].label}"]
    youth = float(report.demand["youth"].sum()) if "youth" in report.demand else 0.0
    empty = nothing_proposed(solution, report.demand, args)
    lines += [" ".join(empty)] if empty else _site_lines(solution, report.communes, args,
                                                         youth=youth)
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
    lines.append(f"Statut : {solution.status_text}")
    if not empty and (short := shortfall_text(solution, args)):
        lines.append(short)
    lines.append(_machine_line(report.size))
    if report.comparison is not None:
        lines += ["", "Comparaison :", _comparison_text(report.comparison.region),
                  report.comparison.verdict()]
    if report.saved:
        lines.append(f"Plan enregistré : « {args.name} » ({report.saved})")
    if report.demo:
        lines.append(DEMO_LABEL)
    return "\n".join(lines)


def _site_lines(solution: Solution, communes: pd.Series, args: argparse.Namespace, *,
                youth: float) -> list[str]:
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


def nothing_proposed(solution: Solution, demand: pd.DataFrame,
                     args: argparse.Namespace) -> tuple[str, str] | None:
    """Say why the plan proposes no new site, and what to try; None when it proposes some.

    Both outputs of ``territory plan`` give these two sentences: the text one after the
    heading, the JSON one as ``reason`` and ``suggestion``.
    """
    if not solution.sites.empty:
        return None
    minutes = format_number(args.threshold_min)
    if args.add <= 0:
        return ("Aucun nouveau site n'est demandé (--add 0).",
                "Demandez au moins un site : --add 1 ou plus.")
    if solution.shortfall == "no_candidate":
        return ("Aucun nouveau site n'est possible : il ne reste aucun lieu candidat (tous "
                "exclus, ou le budget de leur Mission Locale est épuisé).",
                "Ajoutez des lieux candidats (--candidates), retirez des exclusions "
                "(--exclude) ou relevez --per-ml.")
    if args.objective == "distance":
        return ("Aucun nouveau site ne rapproche les jeunes d'un site.",
                "Essayez d'autres lieux candidats (--candidates).")
    if _everyone_within(solution, demand):
        return (f"Aucun nouveau site n'apporte de gain : les jeunes sont déjà à moins de "
                f"{minutes} min d'un site.",
                "Essayez un seuil plus court (--threshold-min) ou l'objectif distance.")
    return (f"Aucun nouveau site n'apporte de gain : aucun lieu candidat n'est à moins de "
            f"{minutes} min des jeunes qui sont encore plus loin d'un site.",
            "Essayez un seuil plus long (--threshold-min) ou d'autres lieux candidats "
            "(--candidates).")


def shortfall_text(solution: Solution, args: argparse.Namespace) -> str | None:
    """Say why a plan has fewer sites than asked, or misses its target (None: it does not).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> plan = SimpleNamespace(shortfall="no_gain", sites=pd.DataFrame(index=["m1"]))
    >>> shortfall_text(plan, SimpleNamespace(add=3))
    '1 site proposé au lieu de 3 : aucun autre lieu candidat n’apporte de gain.'
    """
    reason = _SHORTFALLS.get(solution.shortfall or "")
    if reason is None:
        return None
    found = len(solution.sites)
    if solution.shortfall == "target_not_reached":
        return reason
    sites = "1 site proposé" if found == 1 else f"{found} sites proposés"
    return f"{sites} au lieu de {args.add} : {reason}"


_SHORTFALLS = {
    "no_gain": "aucun autre lieu candidat n’apporte de gain.",
    "no_candidate": "il ne reste aucun lieu candidat (tous choisis ou exclus, ou budget de "
                    "la Mission Locale atteint).",
    "target_not_reached": "Objectif de couverture non atteint : les lieux candidats ne "
                          "suffisent pas.",
}


def _everyone_within(solution: Solution, demand: pd.DataFrame) -> bool:
    """Whether every young person counted is already within the threshold of a site."""
    figures = [c for c in _WEIGHT_LABEL if c in solution.covered and c in demand]
    return all(float(solution.covered[c]) >= float(demand[c].sum()) * (1 - 1e-9) - 1e-9
               for c in figures)


def _comparison_text(table: pd.DataFrame) -> str:
    labels = {"sites": "sites ML ouverts", "new_sites": "nouveaux sites",
              "youth_covered": "jeunes à moins du seuil",
              "invisible_est_covered": "jeunes invisibles estimés à moins du seuil"}
    shown = table.loc[[k for k in labels if k in table.index]].rename(
        index=labels, columns={"difference": "écart"})
    return shown.map(lambda v: format_number(float(v), decimals=1)).to_string()
