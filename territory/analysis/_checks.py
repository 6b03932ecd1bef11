"""Checks shared by the analysis modules: CRS and key columns.

Every check collects its problems and raises one :class:`~territory._errors.InputError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import geopandas as gpd
import pandas as pd

from territory._crs import LAMBERT93
from territory._errors import InputError, Problem

# Periods have a module of their own; the analysis modules import them from here too.
from territory.analysis.period import Period, PeriodLike, as_period

__all__ = ["CRS", "Period", "PeriodLike", "as_period", "check_frame", "check_layers",
           "column_problems", "crs_problem"]

CRS = LAMBERT93


def crs_problem(frame: pd.DataFrame, name: str) -> Problem | None:
    """Return the problem with ``frame``'s CRS, or None when it is Lambert-93."""
    if not isinstance(frame, gpd.GeoDataFrame):
        return Problem(f"received a {type(frame).__name__} without geometry; expected a "
                       f"GeoDataFrame in {CRS} (Lambert-93)", file=name)
    if frame.crs is None:
        return Problem(f"has no CRS; expected {CRS} (Lambert-93): if the coordinates are "
                       f"Lambert-93 metres, call .set_crs({CRS!r})", file=name)
    if not frame.crs.equals(CRS):
        return Problem(f"is in {frame.crs.to_string()}, expected {CRS} (Lambert-93); "
                       f"reproject it first with .to_crs({CRS!r})", file=name)
    return None


def column_problems(frame: pd.DataFrame, name: str, columns: Iterable[str]) -> list[Problem]:
    """Return one problem per column of ``columns`` that ``frame`` lacks."""
    return [Problem(f"missing column; the layer has {list(frame.columns)}", file=name,
                    column=col) for col in columns if col not in frame.columns]


def check_layers(layers: Mapping[str, pd.DataFrame],
                 spec: Mapping[str, tuple[bool, tuple[str, ...]]]) -> None:
    """Check each named layer: ``spec`` maps name to (has geometry, key columns).

    Layers absent from ``layers`` are skipped; the caller decides which are required.
    """
    problems: list[Problem] = []
    for name, (spatial, columns) in spec.items():
        if name not in layers:
            continue
        frame = layers[name]
        if spatial and (problem := crs_problem(frame, name)) is not None:
            problems.append(problem)
        problems += column_problems(frame, name, columns)
    if problems:
        raise InputError(problems)


def check_frame(frame: pd.DataFrame, name: str, columns: Iterable[str], *,
                spatial: bool) -> None:
    """Check one frame's CRS (when ``spatial``) and key columns."""
    check_layers({name: frame}, {name: (spatial, tuple(columns))})
