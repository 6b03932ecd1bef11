"""The planner's figures, proposals and comparisons: territory.planning on one model.

Each selection has one coverage model (:func:`territory.dashboards.data.coverage_model`: the
sites in service and outreach places of the period, the town halls as candidates), shared by
the sessions. The plan's places are added to it (:meth:`CoverageModel.with_sites`) and
measured with a :class:`~territory.planning.Plan`; the optimiser solves on the same model
with the plan's places open; saved plans are compared with
:func:`territory.planning.compare_places`, as ``territory plan --compare`` does.

A place's gain is the young people it brings within the threshold after the existing network
and the places before it in the plan (:meth:`Plan.added`): the gains sum to the plan's gain,
and the optimiser's proposals, kept in their order, keep the gains they were proposed with.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from territory import planning
from territory.dashboards import data
from territory.dashboards.state import Candidate, PlanFigures
from territory.viz.labels import format_number, of

__all__ = ["Proposal", "compare_plans", "evaluate", "propose", "propose_reach", "reach_model",
           "town_hall", "with_plan"]

TIME_LIMIT_S = 10.0
# The exact reach programme stops sooner in a browser: its bound still holds.
REACH_TIME_LIMIT_S = 5.0


def places(candidates: Sequence[Candidate]) -> pd.DataFrame:
    """Return the places as the model's sites: ``x``, ``y``, ``name``, on their ids."""
    return pd.DataFrame({"x": [c.x for c in candidates], "y": [c.y for c in candidates],
                         "name": [c.name for c in candidates],
                         "code_insee": [c.code_insee or None for c in candidates]},
                        index=pd.Index([c.id for c in candidates], dtype=object),
                        dtype=object).astype({"x": float, "y": float})


def evaluate(scope: data.Scope, candidates: Sequence[Candidate]) -> PlanFigures:
    """Return the selection's coverage without and with the places, and each place's gain."""
    model = data.coverage_model(scope)
    plan = planning.Plan(model.with_sites(places(candidates)) if candidates else model,
                         chosen=[c.id for c in candidates])
    before = data.coverage_baseline(scope)
    after = plan.region()
    added = plan.added()
    gains = pd.DataFrame({"id": [str(i) for i in added.index],
                          "youth": added.get("gain_youth", pd.Series(0.0, added.index)),
                          "invisible": added.get("gain_invisible_est",
                                                 pd.Series(0.0, added.index)),
                          "communes": added["demand_points"]}).reset_index(drop=True)
    communes = data.layers(*scope.key)["communes"].index
    newly = communes.get_indexer(model.demand.index[plan.newly_covered()])
    return PlanFigures(
        youth=float(after.get("youth", 0.0)),
        covered_before=float(before.get("youth_covered", 0.0)),
        covered_after=float(after.get("youth_covered", 0.0)),
        invisible_before=float(before.get("invisible_est_covered", 0.0)),
        invisible_after=float(after.get("invisible_est_covered", 0.0)),
        gains=gains, newly_covered=np.sort(newly[newly >= 0]))


@dataclass(frozen=True)
class Proposal:
    """Proposed sites, each one's gain (young people, invisible) and a French note.

    ``texts`` says what each brings when the proposals answer the reach question.
    """

    sites: list[Candidate] = field(default_factory=list)
    gains: dict[str, tuple[float, float]] = field(default_factory=dict)
    note: str = ""
    texts: dict[str, str] = field(default_factory=dict)


def propose(scope: data.Scope, candidates: Sequence[Candidate], *, n_sites: int) -> Proposal:
    """Return the ``n_sites`` town halls that bring the most invisible young people in reach.

    The existing network and the plan's places stay open; within a Mission Locale (or a
    département) only its town halls are candidates. Each proposal's gains are those of the
    plan's figures once the proposals are kept in their order. Returns an empty proposal
    with an explanation when no place adds anything.
    """
    model = data.coverage_model(scope)
    if candidates:
        model = model.with_sites(places(candidates), role=planning.REQUIRED)
    solution = planning.solve(model, n_new=n_sites, method="exact", time_limit_s=TIME_LIMIT_S)
    sites, gains = [], {}
    for number, (label, row) in enumerate(solution.sites.iterrows(), start=1):
        site_id = f"P{number}"
        sites.append(Candidate(id=site_id, x=float(row["x"]), y=float(row["y"]),
                               name=str(row.get("name") or label),
                               code_insee=str(row.get("code_insee") or ""), origin="proposé"))
        gains[site_id] = (float(row.get("gain_youth", 0.0)),
                          float(row.get("gain_invisible_est", 0.0)))
    if not sites:
        return Proposal(note=_nothing_to_gain(scope.filters.threshold_min))
    return Proposal(sites=sites, gains=gains, note=_note(solution))


def reach_model(scope: data.Scope, kind: str, frequency: int) -> planning.ReachModel | None:
    """Return the selection's reach model (``kind``: '' for the most frequent with a place)."""
    curves = data.reach_curves_of(scope.source, scope.filters)
    kinds = data.reach_kinds(curves)
    if curves is None or not kinds:
        return None
    chosen = kind if kind in kinds else str(curves.loc[kinds, "actions"].idxmax())
    return data.reach_model(scope, chosen, int(frequency))


def with_plan(model: planning.ReachModel,
              candidates: Sequence[Candidate]) -> tuple[planning.ReachModel, list[str]]:
    """Return the reach model with the plan's places, and their ids (what they reach)."""
    if not candidates:
        return model, []
    found = places(candidates)
    return model.with_places(found), [str(i) for i in found.index]


def propose_reach(model: planning.ReachModel, kept: list[str], *, n_sites: int) -> Proposal:
    """Return the ``n_sites`` places where an outreach action reaches the most (plan_reach).

    The plan's places (``kept``, already in ``model``) stay; each proposal's gain is what it
    adds after them and the proposals before it, with the curve's interval, as the CLI's
    ``territory plan --objective reach`` gives it.
    """
    plan = planning.plan_reach(model, n_sites, kept=kept, time_limit_s=REACH_TIME_LIMIT_S)
    sites, gains, texts = [], {}, {}
    for number, (_, row) in enumerate(plan.sites.iterrows(), start=1):
        site_id = f"P{number}"
        sites.append(Candidate(id=site_id, x=float(row["x"]), y=float(row["y"]),
                               name=str(row["name"]), code_insee=str(row["code_insee"]),
                               origin="proposé"))
        gains[site_id] = (float(row["gain"]), float("nan"))
        texts[site_id] = (f"~{format_number(row['gain'], decimals=1)} jeunes invisibles "
                          f"atteints en plus par an ({model.words()} ; intervalle "
                          f"{format_number(row['gain_low'], decimals=1)} à "
                          f"{format_number(row['gain_high'], decimals=1)})")
    if not sites:
        return Proposal(note="Aucun lieu n’atteint de jeune invisible de plus : ceux de la "
                             "sélection sont déjà atteints par les actions en cours.")
    return Proposal(sites=sites, gains=gains, texts=texts,
                    note=f"{model.words().capitalize()} : solution {plan.status_text}.")


def _note(solution: planning.Solution) -> str:
    """Say how good the proposal is proven to be, in the words of ``territory plan``."""
    return f"Solution : {solution.status_text}."


def _nothing_to_gain(threshold_min: float) -> str:
    """Say why no place is proposed: every young person is already within the threshold."""
    shorter = max(5, int(threshold_min // 2) // 5 * 5)
    return (f"Aucun nouveau lieu n’apporte de jeunes à moins de {threshold_min:g} min : ils "
            "y sont déjà tous, d’un site ou d’un lieu d’aller-vers. Pour voir où aller, "
            f"réduisez le seuil d’accès (par exemple {shorter} min).")


def compare_plans(scope: data.Scope, first: tuple[str, Sequence[Candidate]],
                  second: tuple[str, Sequence[Candidate]]) -> planning.Comparison:
    """Compare two plans (name, places) on the selection's model (``compare_places``)."""
    names = (first[0], second[0] if second[0] != first[0] else f"{second[0]} (2)")
    return planning.compare_places(data.coverage_model(scope), places(first[1]),
                                   places(second[1]), names=names)


def town_hall(scope: data.Scope, code: str, *, site_id: str) -> Candidate:
    """Return a place at the town hall of the commune ``code``."""
    communes = data.layers(*scope.key)["communes"]
    row = int(np.flatnonzero(communes["code_insee"].astype(str).to_numpy() == code)[0])
    x, y = data.origins_xy(*scope.key)[row]
    name = str(communes["nom"].iloc[row])
    return Candidate(id=site_id, x=float(x), y=float(y), origin="mairie",
                     name=f"Mairie {of(name)}", code_insee=code)
