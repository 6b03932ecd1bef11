"""The planner's "propose N sites": territory.planning's optimiser on the town halls.

The coverage model (territory.planning.model_from_layers) is built once per filters and
Mission Locale and shared by the sessions; the exact solver (HiGHS) then answers in a fraction
of a second and says whether its answer is proven optimal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from territory import planning
from territory.dashboards import data
from territory.dashboards.whatif import Candidate
from territory.viz.labels import format_number

if TYPE_CHECKING:
    from territory.dashboards.planner import PlannerApp

__all__ = ["Proposal", "propose"]

TIME_LIMIT_S = 10.0


@dataclass(frozen=True)
class Proposal:
    """Proposed sites, each one's gain (young people, invisible) and a French note."""

    sites: list[Candidate] = field(default_factory=list)
    gains: dict[str, tuple[float, float]] = field(default_factory=dict)
    note: str = ""


def _note(solution: planning.Solution) -> str:
    if solution.status == "optimal":
        return "Solution optimale (prouvée par le solveur)."
    gap = solution.gap() if callable(solution.gap) else solution.gap
    if solution.status == "time_limit":
        return (f"Meilleure solution trouvée en {TIME_LIMIT_S:g} s ; au plus "
                f"{format_number(100 * float(gap), decimals=1)} % sous l’optimum.")
    return "Solution approchée (méthode gloutonne)."


def propose(app: PlannerApp, *, n_sites: int) -> Proposal:
    """Return the ``n_sites`` town halls that bring the most invisible young people in reach.

    Existing sites stay open; within a Mission Locale, only its catchment's town halls are
    candidates. Returns an empty proposal with an explanation when no place adds anything.
    """
    filters = app.filters
    model = data.coverage_model(*app.key, period=filters.period,
                   threshold_min=filters.threshold_min, action_kinds=filters.action_kinds,
                   ml_code=app.ml)
    solution = planning.solve(model, n_new=n_sites, method="exact",
                              time_limit_s=TIME_LIMIT_S)
    sites, gains = [], {}
    for number, (label, row) in enumerate(solution.sites.iterrows(), start=1):
        site_id = f"P{number}"
        sites.append(Candidate(id=site_id, x=float(row["x"]), y=float(row["y"]),
                               name=str(row.get("name") or label),
                               code_insee=str(row.get("code_insee") or ""), origin="proposé"))
        gains[site_id] = (float(row.get("gain_youth", 0.0)),
                          float(row.get("gain_invisible_est", 0.0)))
    if not sites:
        return Proposal(note=_nothing_to_gain(filters.threshold_min))
    return Proposal(sites=sites, gains=gains, note=_note(solution))


def _nothing_to_gain(threshold_min: float) -> str:
    """Say why no place is proposed: every young person is already within the threshold."""
    shorter = max(5, int(threshold_min // 2) // 5 * 5)
    return (f"Aucun nouveau lieu n’apporte de jeunes à moins de {threshold_min:g} min : ils "
            "y sont déjà tous, d’un site ou d’un lieu d’aller-vers. Pour voir où aller, "
            f"réduisez le seuil d’accès (par exemple {shorter} min).")
