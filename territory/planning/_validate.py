"""Checks shared by the planning modules; each returns every problem it finds."""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd

from territory._crs import LAMBERT93
from territory._errors import Problem

CRS = LAMBERT93
_ROLES = ("candidate", "required", "competitor")


def crs_problems(frames: Mapping[str, pd.DataFrame]) -> list[Problem]:
    """Return a problem for each frame that is not a GeoDataFrame in Lambert-93."""
    problems = []
    for name, frame in frames.items():
        if not isinstance(frame, gpd.GeoDataFrame):
            problems.append(Problem(f"received a {type(frame).__name__} without geometry; "
                                    f"expected a GeoDataFrame in {CRS}", file=name))
        elif frame.crs is None:
            problems.append(Problem(f"has no CRS; expected {CRS} (Lambert-93): if the "
                                    f"coordinates are Lambert-93 metres, call "
                                    f".set_crs({CRS!r})", file=name))
        elif not frame.crs.equals(CRS):
            problems.append(Problem(f"is in {frame.crs.to_string()}, expected {CRS} "
                                    f"(Lambert-93); reproject it with .to_crs({CRS!r})",
                                    file=name))
    return problems


def figure_problems(demand: pd.DataFrame) -> list[Problem]:
    """Return a problem for each demand column that is not made of numbers ≥ 0."""
    problems = []
    if demand.shape[1] == 0:
        problems.append(Problem("no figure column; expected at least one weight per demand "
                                "point, e.g. `youth` or `invisible_est`", file="demand"))
    for column in demand.columns:
        values = pd.to_numeric(demand[column], errors="coerce")
        bad = values.isna() | (values < 0)
        if bad.any():
            first = demand.index[np.flatnonzero(bad.to_numpy())[0]]
            problems.append(Problem(f"{int(bad.sum())} value(s) that are missing or "
                                    f"negative (first at row {first!r}); expected numbers "
                                    "≥ 0", file="demand", column=str(column)))
    return problems


def role_problems(facilities: pd.DataFrame) -> list[Problem]:
    """Return a problem for unknown roles and capacities that are not positive."""
    problems = []
    unknown = sorted(set(facilities["role"].astype(str).unique()) - set(_ROLES))
    if unknown:
        problems.append(Problem(f"unknown role(s) {unknown}; expected one of {list(_ROLES)}",
                                file="facilities", column="role"))
    capacity = pd.to_numeric(facilities["capacity"], errors="coerce")
    bad = capacity.notna() & ~(capacity > 0)
    if bad.any():
        problems.append(Problem(f"{int(bad.sum())} capacity value(s) ≤ 0; expected a "
                                "positive number of young people, or empty for no limit",
                                file="facilities", column="capacity"))
    return problems
