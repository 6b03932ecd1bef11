"""What-if: the coverage of a territory once candidate sites are added.

A commune is covered when its origin (town hall, else a point inside it) is within the access
threshold of a site or outreach place (territory.analysis.access: straight-line distance ×
detour factor ÷ speed). Adding candidate sites covers more communes; :func:`evaluate` says
how many young people, and how many estimated invisible young people, each candidate brings
within the threshold, in the order the candidates were added.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from territory.analysis import Parameters

__all__ = ["Candidate", "Coverage", "evaluate"]


@dataclass(frozen=True)
class Candidate:
    """A site the planner considers: Lambert-93 ``x``, ``y``, a name and where it came from."""

    id: str
    x: float
    y: float
    name: str
    code_insee: str = ""
    origin: str = "clic"


@dataclass(frozen=True)
class Coverage:
    """Coverage of a territory before and after the candidates.

    Counts are weighted by each commune's share of the territory. ``gains`` has one row per
    candidate: ``youth`` and ``invisible`` newly within the threshold thanks to it (after
    the candidates added before it), and ``communes``.
    """

    youth: float
    covered_before: float
    covered_after: float
    invisible_before: float
    invisible_after: float
    gains: pd.DataFrame
    newly_covered: np.ndarray = field(repr=False)

    def gain_of(self, site_id: str) -> tuple[float, float]:
        """Return ``(youth, invisible)`` the candidate ``site_id`` brings within the threshold."""
        ids = self.gains["id"].astype(str).tolist()
        row = ids.index(site_id)
        return (float(self.gains["youth"].to_numpy()[row]),
                float(self.gains["invisible"].to_numpy()[row]))

    @property
    def share_before(self) -> float:
        """Share of the territory's young people within the threshold today."""
        return self.covered_before / self.youth if self.youth > 0 else float("nan")

    @property
    def share_after(self) -> float:
        """Share of the territory's young people within the threshold with the candidates."""
        return self.covered_after / self.youth if self.youth > 0 else float("nan")


def _within(origins: np.ndarray, candidate: Candidate, params: Parameters) -> np.ndarray:
    distance_m = np.hypot(origins[:, 0] - candidate.x, origins[:, 1] - candidate.y)
    return np.asarray(params.travel_min(distance_m) <= params.threshold_min)


def evaluate(table: pd.DataFrame | gpd.GeoDataFrame, origins: np.ndarray, weights: np.ndarray,
             candidates: Sequence[Candidate], *, params: Parameters) -> Coverage:
    """Return the coverage of the weighted communes with ``candidates`` added.

    Parameters
    ----------
    table
        Commune indicators (``youth``, ``invisible_est``, ``nearest_min``), one row per
        commune in the communes layer's order.
    origins
        Each commune's origin in Lambert-93 (:func:`territory.dashboards.data.origins_xy`).
    weights
        Each commune's share of the territory (0 outside).
    candidates
        The candidate sites, in the order they were added.
    params
        Threshold (default 30 min, France Services), detour factor and speed (1.3 and
        50 km/h, unconfirmed conventions).

    Returns
    -------
    Coverage
        Totals before and after, and the gain of each candidate.
    """
    youth = table["youth"].to_numpy(dtype=float) * weights
    invisible = np.nan_to_num(table["invisible_est"].to_numpy(dtype=float)) * weights
    covered = (table["nearest_min"].to_numpy(dtype=float) <= params.threshold_min)
    now = covered.copy()
    rows = []
    for candidate in candidates:
        new = _within(origins, candidate, params) & ~now
        rows.append({"id": candidate.id, "youth": float(youth[new].sum()),
                     "invisible": float(invisible[new].sum()),
                     "communes": int((new & (weights > 0)).sum())})
        now |= new
    gains = pd.DataFrame(rows, columns=["id", "youth", "invisible", "communes"])
    return Coverage(
        youth=float(youth.sum()),
        covered_before=float(youth[covered].sum()), covered_after=float(youth[now].sum()),
        invisible_before=float(invisible[covered].sum()),
        invisible_after=float(invisible[now].sum()),
        gains=gains, newly_covered=np.flatnonzero(now & ~covered & (weights > 0)),
    )
