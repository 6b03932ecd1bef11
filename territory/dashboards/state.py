"""The plan of one planner session, as params that the app and its panels share.

:class:`PlannerState` is the only thing the planner's panels change: the candidate sites,
the optimiser's proposals with their gains and note, and the next numbers to give. The app
watches it and redraws the figures and the map; the panels read the app's public selection
(its filters, its conversions between coordinates) and never its private members.
"""

from __future__ import annotations

import param

from territory.dashboards.whatif import Candidate

__all__ = ["PlannerState"]


class PlannerState(param.Parameterized):
    """The candidate and proposed sites of one session.

    Examples
    --------
    >>> state = PlannerState()
    >>> site = state.add(Candidate(id=state.new_id(), x=0.0, y=0.0, name="Lieu 1"))
    >>> [c.id for c in state.candidates], state.new_id()
    (['C1'], 'C2')
    >>> state.remove("C1"); state.candidates
    []
    """

    candidates = param.List(default=[], item_type=Candidate, doc="Sites added to the plan.")
    proposals = param.List(default=[], item_type=Candidate, doc="Sites the optimiser proposes.")
    proposal_gains = param.Dict(default={}, doc="Proposal id → (young people, invisible).")
    proposal_note = param.String(default="", doc="What the optimiser says of its answer.")
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

    def propose(self, sites: list[Candidate], gains: dict[str, tuple[float, float]],
                note: str) -> None:
        """Show the optimiser's answer (replacing the previous one)."""
        with param.parameterized.batch_call_watchers(self):
            self.proposal_gains = dict(gains)
            self.proposal_note = note
            self.proposals = list(sites)

    def keep(self, proposal_id: str | None) -> None:
        """Move one proposed site (or all of them) into the plan."""
        kept = [p for p in self.proposals if proposal_id in (None, p.id)]
        with param.parameterized.batch_call_watchers(self):
            self.proposals = [p for p in self.proposals if p not in kept]
            self.candidates = [*self.candidates,
                               *(Candidate(id=self.new_id(), x=p.x, y=p.y, name=p.name,
                                           code_insee=p.code_insee, origin="proposé")
                                 for p in kept)]
