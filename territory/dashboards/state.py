"""The plan of one planner session, as params that the app and its panels share.

:class:`PlannerState` holds the selection the plan is measured on (its :class:`Scope`), the
places added, the optimiser's proposals and the plan's figures. The panels change it and
watch it; the app sets its scope when a filter changes, computes its figures when the scope
or the places change (:mod:`territory.dashboards._planning`, one model for the figures, the
proposals and the comparisons) and redraws the map and the cards when they change. No panel
holds the app.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
import param

from territory.dashboards.data import Scope

__all__ = ["Candidate", "PlanFigures", "PlannerState"]


@dataclass(frozen=True)
class Candidate:
    """A place the planner considers: Lambert-93 ``x``, ``y``, a name and where it came from."""

    id: str
    x: float
    y: float
    name: str
    code_insee: str = ""
    origin: str = "clic"


@dataclass(frozen=True)
class PlanFigures:
    """The selection's coverage without and with the plan's places.

    Counts are the selection's (a commune shared by two Missions Locales counts its share).
    ``gains`` has one row per place, in the plan's order: ``youth`` and ``invisible`` newly
    within the threshold thanks to it (after the network and the places before it: they sum
    to the plan's gain), and ``communes`` newly reached. ``newly_covered`` are the positions
    in the communes layer of the communes the places bring within the threshold.
    """

    youth: float
    covered_before: float
    covered_after: float
    invisible_before: float
    invisible_after: float
    gains: pd.DataFrame
    newly_covered: np.ndarray = field(repr=False)

    def gain_of(self, site_id: str) -> tuple[float, float]:
        """Return ``(youth, invisible)`` the place ``site_id`` brings within the threshold."""
        return self._gains_by_id[site_id]

    @cached_property
    def _gains_by_id(self) -> dict[str, tuple[float, float]]:
        return {str(i): (float(y), float(v)) for i, y, v in zip(
            self.gains["id"], self.gains["youth"], self.gains["invisible"], strict=True)}

    @property
    def ids(self) -> tuple[str, ...]:
        """The ids of the places measured, in the plan's order."""
        return tuple(str(i) for i in self.gains["id"])

    @property
    def share_before(self) -> float:
        """Share of the selection's young people within the threshold today."""
        return self.covered_before / self.youth if self.youth > 0 else float("nan")

    @property
    def share_after(self) -> float:
        """Share of the selection's young people within the threshold with the places."""
        return self.covered_after / self.youth if self.youth > 0 else float("nan")


class PlannerState(param.Parameterized):
    """The selection, the places, the proposals and the figures of one session.

    Examples
    --------
    >>> state = PlannerState()
    >>> site = state.add(Candidate(id=state.new_id(), x=0.0, y=0.0, name="Lieu 1"))
    >>> [c.id for c in state.candidates], state.new_id()
    (['C1'], 'C2')
    >>> state.remove("C1"); state.candidates
    []
    """

    scope = param.ClassSelector(class_=Scope, default=None, allow_None=True,
                                doc="The selection the plan is measured on.")
    candidates = param.List(default=[], item_type=Candidate, doc="Places added to the plan.")
    proposals = param.List(default=[], item_type=Candidate, doc="Places the optimiser proposes.")
    proposal_gains = param.Dict(default={}, doc="Proposal id → (young people, invisible).")
    proposal_note = param.String(default="", doc="What the optimiser says of its answer.")
    reach_kind = param.String(default="", doc="The kind of outreach action the reach "
                              "questions place ('' = the most frequent with a place).")
    reach_frequency = param.Integer(default=12, bounds=(1, 365),
                                    doc="Actions a year of that outreach action.")
    proposal_texts = param.Dict(default={}, doc="Proposal id → what it brings, in French, "
                                "when the proposals answer another question than the "
                                "threshold's (the young people an outreach action reaches).")
    figures = param.ClassSelector(class_=PlanFigures, default=None, allow_None=True,
                                  doc="The plan's figures on the scope (set by the app).")
    last_id = param.Integer(default=0, doc="The last candidate id given (C1, C2, …).")
    last_number = param.Integer(default=0, doc="The last 'Lieu N' number given to a click.")

    def new_id(self) -> str:
        """Return a fresh candidate id."""
        self.last_id += 1
        return f"C{self.last_id}"

    def next_number(self) -> int:
        """Return the number of the next place added by a click."""
        self.last_number += 1
        return self.last_number

    def add(self, candidate: Candidate) -> Candidate:
        """Add a candidate to the plan; return it."""
        self.candidates = [*self.candidates, candidate]
        return candidate

    def replace(self, candidate: Candidate) -> None:
        """Put ``candidate`` in place of the candidate with the same id."""
        self.candidates = [candidate if c.id == candidate.id else c for c in self.candidates]

    def remove(self, site_id: str) -> None:
        """Remove a candidate from the plan."""
        self.candidates = [c for c in self.candidates if c.id != site_id]

    def remove_all(self) -> None:
        """Remove every candidate from the plan."""
        self.candidates = []

    def propose(self, sites: list[Candidate], gains: dict[str, tuple[float, float]],
                note: str, texts: dict[str, str] | None = None) -> None:
        """Show the optimiser's answer (replacing the previous one)."""
        with param.parameterized.batch_call_watchers(self):
            self.proposal_gains = dict(gains)
            self.proposal_texts = dict(texts or {})
            self.proposal_note = note
            self.proposals = list(sites)

    def keep(self, proposal_id: str | None) -> None:
        """Move one proposed site (or all of them, in their order) into the plan.

        The proposals' gains were computed after the plan's places, in the proposals' order:
        kept in that order, after those places, they keep the same gains.
        """
        kept = [p for p in self.proposals if proposal_id in (None, p.id)]
        with param.parameterized.batch_call_watchers(self):
            self.proposals = [p for p in self.proposals if p not in kept]
            self.candidates = [*self.candidates,
                               *(Candidate(id=self.new_id(), x=p.x, y=p.y, name=p.name,
                                           code_insee=p.code_insee, origin="proposé")
                                 for p in kept)]
