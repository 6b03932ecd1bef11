"""Two plans side by side: region, per Mission Locale, per département, and which is better.

Each plan's :class:`~territory.planning.figures.Figures` (from a :class:`Plan`, or from
:func:`~territory.planning.figures.plan_figures`) is set beside the other with the
difference, second minus first. Shares are compared in percentage points.
:func:`compare_places` measures two sets of places on one model first: the command line and
the dashboard compare saved plans with it, so both give the same figures, the same ranking
(:data:`RANK_BY`) and the same words (:meth:`Comparison.verdict`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from territory._errors import InputError
from territory.planning.figures import Figures, plan_figures
from territory.planning.model import CoverageModel

__all__ = ["LABELS", "RANK_BY", "Comparison", "compare", "compare_places"]

DIFFERENCE = "difference"
# A plan ranks first when it brings more young people within the threshold; equal, more
# estimated invisible young people; equal again, fewer new sites.
RANK_BY: tuple[str, ...] = ("youth_covered", "invisible_est_covered")
LABELS: Mapping[str, str] = {
    "sites": "sites ML ouverts", "new_sites": "nouveaux sites",
    "youth_covered": "jeunes à moins du seuil", "youth_share": "part des jeunes à moins du seuil",
    "youth_gain": "jeunes gagnés", "invisible_est_covered":
        "jeunes invisibles estimés à moins du seuil", "rank": "rang"}


@dataclass(frozen=True)
class Comparison:
    """Figures of two plans side by side.

    Attributes
    ----------
    region
        One row per measure, columns: the two plans' names and ``difference``.
    zones
        Per zone kind: one row per zone, columns ``(measure, plan name or difference)``.
    baseline
        The region figures with no new site (the network the plans add to), when known.
    """

    names: tuple[str, str]
    region: pd.DataFrame
    zones: Mapping[str, pd.DataFrame]
    baseline: pd.Series | None = None

    def ranking(self) -> pd.DataFrame:
        """Return one row per plan: its measures, its gain over the baseline and its rank.

        Rank 1 is the better plan (:data:`RANK_BY`); two equal plans share rank 1.
        """
        table = self.region.loc[:, list(self.names)].T
        keep = [c for c in ("new_sites", "youth_covered", "youth_share",
                            "invisible_est_covered", "invisible_est_share") if c in table]
        table = table[keep].astype("float64")
        if self.baseline is not None and "youth_covered" in table:
            table["youth_gain"] = table["youth_covered"] - float(self.baseline["youth_covered"])
        keys = [c for c in RANK_BY if c in table]
        ordered = table[keys].round(6).assign(fewer=-table["new_sites"])
        position = ordered.apply(tuple, axis=1)
        table["rank"] = [1 + sum(other > mine for other in position) for mine in position]
        return table

    @property
    def best(self) -> str | None:
        """The name of the better plan (None when they are equal)."""
        ranks = self.ranking()["rank"]
        return None if (ranks == 1).all() else str(ranks.idxmin())

    def verdict(self) -> str:
        """Say in French which plan brings more young people within the threshold."""
        table = self.ranking()
        best = self.best
        youth = table.get("youth_covered")
        if best is None or youth is None:
            return "Les deux plans mettent autant de jeunes à moins du seuil."
        other = next(n for n in self.names if n != best)
        more = float(youth[best] - youth[other])
        if round(more) == 0:
            return (f"« {best} » passe devant « {other} » : autant de jeunes à moins du seuil, "
                    "plus de jeunes invisibles estimés ou moins de lieux.")
        return (f"« {best} » met {_count(more)} jeunes de plus à moins du seuil que "
                f"« {other} » ({_count(youth[best])} contre {_count(youth[other])}).")


def _count(value: float) -> str:
    return f"{value:,.0f}".replace(",", "\u202f")


def compare(first: Figures, second: Figures, *, names: tuple[str, str] = ("A", "B"),
            baseline: Figures | None = None) -> Comparison:
    """Return the two plans' figures side by side, with the difference (second − first).

    Parameters
    ----------
    first, second
        The plans' figures.
    names
        The plans' names, as column labels (they must differ).
    baseline
        The figures with no new site, for each plan's gain (optional).

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
    return Comparison(names, region, zones,
                      None if baseline is None else baseline.region)


def compare_places(model: CoverageModel, first: pd.DataFrame, second: pd.DataFrame, *,
                   names: tuple[str, str] = ("A", "B")) -> Comparison:
    """Measure two sets of new places on one model and compare them.

    Parameters
    ----------
    model
        The coverage model both plans add to (:func:`~territory.planning.model_from_layers`).
    first, second
        Each plan's places: Lambert-93 ``x`` and ``y`` columns, or points in EPSG:2154.
    names
        The plans' names (they must differ).

    Returns
    -------
    comparison
        The two plans' figures, the baseline's, :meth:`Comparison.ranking` and
        :meth:`Comparison.verdict`.

    Examples
    --------
    >>> import geopandas as gpd
    >>> demand = gpd.GeoDataFrame({"youth": [100.0, 40.0]}, crs=2154,
    ...                           geometry=gpd.points_from_xy([0, 30_000], [0, 0]))
    >>> sites = gpd.GeoDataFrame({"role": ["required"]}, crs=2154,
    ...                          geometry=gpd.points_from_xy([5_000], [0]))
    >>> from territory.analysis import Parameters
    >>> model = CoverageModel.from_geodataframe(demand, sites, threshold_min=10,
    ...                                         params=Parameters(mode="car"))
    >>> near, far = (pd.DataFrame({"x": [x], "y": [0.0]}) for x in (1_000.0, 29_000.0))
    >>> compare_places(model, near, far, names=("Près", "Loin")).best
    'Loin'
    """
    # The two plans may share labels (the dashboard numbers its places C1, C2 …).
    parts = [_points(places).set_axis([f"{k}:{label}" for label in _points(places).index])
             for k, places in enumerate((first, second))]
    both = model.with_sites(pd.concat(parts))
    return compare(plan_figures(both, parts[0].index), plan_figures(both, parts[1].index),
                   names=names, baseline=plan_figures(model))


def _points(places: pd.DataFrame) -> pd.DataFrame:
    if "x" in places and "y" in places:
        xy = places[["x", "y"]].to_numpy(dtype=np.float64)
    elif "geometry" in places:
        geoms = places["geometry"]
        xy = np.column_stack([geoms.x, geoms.y]).astype(np.float64)
    else:
        raise InputError(f"places have columns {list(places.columns)}; expected `x` and `y` "
                         "(Lambert-93) or point geometries")
    labels = pd.Index(places.get("site_id", places.index)).astype(str)
    frame = pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1]}, index=labels)
    if "name" in places:
        frame["name"] = places["name"].to_numpy()
    return frame


def _side_by_side(a: pd.DataFrame, b: pd.DataFrame, names: tuple[str, str]) -> pd.DataFrame:
    b = b.reindex(index=a.index.union(b.index), columns=a.columns)
    a = a.reindex(b.index)
    difference = b - a
    parts = {names[0]: a, names[1]: b, DIFFERENCE: difference}
    frame = pd.concat(parts, axis=1).swaplevel(axis=1)
    order = [(measure, name) for measure in a.columns for name in parts]
    return frame[order]
