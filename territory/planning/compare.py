"""Two plans side by side: region, per Mission Locale, per département.

Each plan's :class:`~territory.planning.figures.Figures` (from a :class:`Plan`, or from
:func:`~territory.planning.figures.plan_figures`) is set beside the other with the
difference, second minus first. Shares are compared in percentage points.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from territory._errors import InputError
from territory.planning.figures import Figures

__all__ = ["Comparison", "compare"]

DIFFERENCE = "difference"


@dataclass(frozen=True)
class Comparison:
    """Figures of two plans side by side.

    Attributes
    ----------
    region
        One row per measure, columns: the two plans' names and ``difference``.
    zones
        Per zone kind: one row per zone, columns ``(measure, plan name or difference)``.
    """

    names: tuple[str, str]
    region: pd.DataFrame
    zones: Mapping[str, pd.DataFrame]


def compare(first: Figures, second: Figures, *,
            names: tuple[str, str] = ("A", "B")) -> Comparison:
    """Return the two plans' figures side by side, with the difference (second − first).

    Parameters
    ----------
    first, second
        The plans' figures.
    names
        The plans' names, as column labels (they must differ).

    Returns
    -------
    comparison
        Region table and one table per zone kind present in both.

    Examples
    --------
    >>> from territory.planning import CoverageModel
    >>> from territory.planning.figures import plan_figures
    >>> model = CoverageModel.from_cost_matrix([[10, 40], [35, 5]], [100, 50])
    >>> table = compare(plan_figures(model, [0]), plan_figures(model, [1]),
    ...                 names=("Printemps", "Automne")).region
    >>> table.loc["weight_covered"].tolist()
    [100.0, 50.0, -50.0]
    """
    if names[0] == names[1]:
        raise InputError(f"both plans are named {names[0]!r}; expected two different names")
    region = pd.DataFrame({names[0]: first.region, names[1]: second.region})
    region[DIFFERENCE] = region[names[1]] - region[names[0]]
    zones = {kind: _side_by_side(first.zones[kind], second.zones[kind], names)
             for kind in first.zones if kind in second.zones}
    return Comparison(names, region, zones)


def _side_by_side(a: pd.DataFrame, b: pd.DataFrame, names: tuple[str, str]) -> pd.DataFrame:
    b = b.reindex(index=a.index.union(b.index), columns=a.columns)
    a = a.reindex(b.index)
    difference = b - a
    parts = {names[0]: a, names[1]: b, DIFFERENCE: difference}
    frame = pd.concat(parts, axis=1).swaplevel(axis=1)
    order = [(measure, name) for measure in a.columns for name in parts]
    return frame[order]
