"""Checks on the frames a map is drawn from: all problems found, then one error."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeGuard, TypeVar

import geopandas as gpd
import pandas as pd

from territory._crs import LAMBERT93
from territory._errors import InputError, Problem

__all__ = ["INDICATOR_COLUMNS", "MAP_CRS", "REQUIRED_COLUMNS", "check_indicators", "check_layers",
           "is_drawable"]

MAP_CRS = LAMBERT93
# The columns a map reads in each layer (the workspace contract has more).
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "communes": ("code_insee", "nom", "population", "youth", "youth_source"),
    "catchments": ("ml_code", "ml_name", "in_consortium"),
    "sites": ("ml_code", "name", "kind"),
    "actions": ("ml_code", "kind", "date"),
}


# The columns of a commune indicator table the map colours and explains with.
INDICATOR_COLUMNS = ("zone_id", "zone_name", "youth", "invisible_est", "reached",
                     "contacts_per_1000", "nearest_min", "gap_score", "gap_rank")


_Frame = TypeVar("_Frame", bound=pd.DataFrame)


def is_drawable(frame: _Frame | None) -> TypeGuard[_Frame]:
    """Whether a layer was given and has at least one row."""
    return frame is not None and len(frame) > 0


def _crs_problem(name: str, frame: gpd.GeoDataFrame) -> Problem | None:
    if frame.crs is None:
        return Problem(
            f"has no CRS, the map expects {MAP_CRS} (Lambert-93); if its coordinates are "
            f"Lambert-93 metres, declare it with .set_crs({MAP_CRS!r})",
            file=name,
        )
    if not frame.crs.equals(MAP_CRS):
        return Problem(
            f"is in {frame.crs.to_string()}, the map expects {MAP_CRS} (Lambert-93); "
            f"reproject it first with .to_crs({MAP_CRS!r})",
            file=name,
        )
    return None


def _layer_problems(name: str, frame: pd.DataFrame) -> list[Problem]:
    if not isinstance(frame, gpd.GeoDataFrame):
        return [Problem(f"is a {type(frame).__name__}, expected a GeoDataFrame", file=name)]
    problems = []
    missing = [col for col in REQUIRED_COLUMNS[name] if col not in frame.columns]
    if missing:
        problems.append(Problem(
            f"missing column(s) {missing}; the map reads {list(REQUIRED_COLUMNS[name])}",
            file=name,
        ))
    crs_problem = _crs_problem(name, frame)
    if crs_problem is not None:
        problems.append(crs_problem)
    return problems


def check_layers(layers: Mapping[str, pd.DataFrame | None]) -> None:
    """Check every given, non-empty layer; raise one error listing every problem.

    Parameters
    ----------
    layers
        Layer name (``communes``, ``catchments``, ``sites``, ``actions``) to frame or None.
        ``communes`` must have rows; the others may be missing or empty.

    Raises
    ------
    InputError
        If a layer is not a GeoDataFrame, lacks a column, or is not in EPSG:2154.
    """
    problems: list[Problem] = []
    if not is_drawable(layers.get("communes")):
        problems.append(Problem("no commune to draw: the layer is missing or empty",
                                file="communes"))
    for name, frame in layers.items():
        if is_drawable(frame):
            problems += _layer_problems(name, frame)
    if problems:
        raise InputError(problems)


def check_indicators(table: pd.DataFrame | None) -> None:
    """Check the commune indicator table a map colours with (None: no table, no check).

    Raises
    ------
    InputError
        If it misses a column, or names a commune twice.
    """
    if table is None:
        return
    problems = []
    missing = [col for col in INDICATOR_COLUMNS if col not in table.columns]
    if missing:
        problems.append(Problem(
            f"missing column(s) {missing}; the map reads {list(INDICATOR_COLUMNS)} (the table "
            "of territory.analysis.indicators(level='commune'), or its public copy)",
            file="indicators"))
    elif table["zone_id"].duplicated().any():
        twice = sorted(table.loc[table["zone_id"].duplicated(), "zone_id"].astype(str))[:5]
        problems.append(Problem(f"names communes more than once, e.g. {twice}; expected one "
                                "row per commune", file="indicators", column="zone_id"))
    if problems:
        raise InputError(problems)
