"""One call for a planning question: build the instance, run the chosen method."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import Literal

import geopandas as gpd

from territory._crs import LAMBERT93
from territory._errors import InputError
from territory.planning.exact import exact
from territory.planning.greedy import greedy
from territory.planning.instance import Instance, Objective
from territory.planning.model import CoverageModel
from territory.planning.solution import Solution

__all__ = ["METHODS", "chosen_points", "solve"]

METHODS: tuple[str, ...] = ("exact", "greedy")


def solve(model: CoverageModel, *, objective: Objective = "coverage", n_new: int | None = None,
          target_share: float | None = None, method: Literal["exact", "greedy"] = "exact",
          weight: str | None = None, per_group: int | Mapping[Hashable, int] | None = None,
          forced: Iterable[Hashable] = (), excluded: Iterable[Hashable] = (),
          use_capacity: bool = True, time_limit_s: float = 60.0,
          rel_gap: float = 1e-6) -> Solution:
    """Answer a planning question on ``model`` with the exact or the greedy method.

    Parameters are those of :meth:`Instance.create` (objective, size, weight, constraints)
    and :func:`~territory.planning.exact` (``time_limit_s``, ``rel_gap``).

    Returns
    -------
    solution
        The plan, its status and proven bound.

    Examples
    --------
    >>> model = CoverageModel.from_cost_matrix([[10, 40], [35, 5], [20, 25]], [100, 50, 30])
    >>> solve(model, n_new=2).sites.index.tolist()
    [0, 1]
    """
    if method not in METHODS:
        raise InputError(f"method is {method!r}; expected one of {list(METHODS)}")
    instance = Instance.create(model, objective=objective, n_new=n_new,
                               target_share=target_share, weight=weight, per_group=per_group,
                               forced=forced, excluded=excluded, use_capacity=use_capacity)
    if method == "greedy":
        return greedy(instance)
    return exact(instance, time_limit_s=time_limit_s, rel_gap=rel_gap)


def chosen_points(solution: Solution, *, crs: str = LAMBERT93) -> gpd.GeoDataFrame:
    """Return the chosen sites as points (the model's ``x``/``y``), for a map or a scenario.

    Examples
    --------
    >>> import geopandas as gpd
    >>> demand = gpd.GeoDataFrame({"youth": [10.0]}, crs=2154,
    ...                           geometry=gpd.points_from_xy([0], [0]))
    >>> sites = gpd.GeoDataFrame(geometry=gpd.points_from_xy([1000], [0]), crs=2154)
    >>> model = CoverageModel.from_geodataframe(demand, sites)
    >>> chosen_points(solve(model, n_new=1, weight="youth")).geometry.x.tolist()
    [1000.0]
    """
    sites = solution.sites
    if "x" not in sites or "y" not in sites:
        raise InputError("the model's sites have no coordinates (built from a cost matrix); "
                         "build it with CoverageModel.from_geodataframe")
    return gpd.GeoDataFrame(sites.drop(columns=["x", "y"]),
                            geometry=gpd.points_from_xy(sites["x"], sites["y"]), crs=crs)
