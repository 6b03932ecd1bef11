"""The planner's saved plans, through territory.io.scenarios (the workspace's scenario layers).

The dashboards save a plan's candidate sites with their gains; plans saved by
``territory plan --name`` are listed and compared the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from territory._crs import LAMBERT93
from territory._errors import InputError
from territory.dashboards.state import Candidate, PlanFigures
from territory.io import scenarios as saved
from territory.io.workspace import Workspace

__all__ = ["ScenarioError", "list_scenarios", "load_sites", "save_scenario"]

CRS = LAMBERT93


class ScenarioError(ValueError):
    """A plan that cannot be saved, with the reason in French."""


def list_scenarios(path: Path | str) -> dict[str, str]:
    """Return the saved scenarios: label (name, date, sites) → ``scenario_id``, newest first."""
    table = saved.list_scenarios(Workspace(path))
    table = table.sort_values("created_at", ascending=False, kind="stable")
    dates = pd.to_datetime(table["created_at"], errors="coerce")
    return {f"{name} ({'' if pd.isna(d) else d.strftime('%d/%m/%Y')}, {n} lieu"
            f"{'x' if n > 1 else ''})": str(sid)
            for name, d, n, sid in zip(table["name"], dates, table["sites"],
                                       table["scenario_id"], strict=True)}


def load_sites(path: Path | str, scenario_id: str) -> list[Candidate]:
    """Return the sites of one saved scenario as candidates."""
    sites = saved.load_scenario(Workspace(path), scenario_id).sites
    points = sites.geometry.to_numpy()
    return [Candidate(id=str(sid), x=float(x), y=float(y), name=str(name), origin="scénario")
            for sid, name, x, y in zip(sites["site_id"], sites["name"], shapely.get_x(points),
                                       shapely.get_y(points), strict=True)]


def save_scenario(path: Path | str, name: str, candidates: Sequence[Candidate], *,
                  figures: PlanFigures, parameters: Mapping[str, Any],
                  ml_code: str = "") -> str:
    """Save the plan's sites and their gains (``figures``) under ``name``; return its id.

    Raises
    ------
    ScenarioError
        If the name is empty or taken, or the plan has no site (message in French).
    """
    if not name.strip():
        raise ScenarioError("Donnez un nom au scénario.")
    if not candidates:
        raise ScenarioError("Ajoutez d’abord un lieu.")
    gains = [figures.gain_of(c.id) for c in candidates]
    sites = gpd.GeoDataFrame(
        {"site_id": [c.id for c in candidates], "name": [c.name for c in candidates],
         "ml_code": ml_code or None, "code_insee": [c.code_insee for c in candidates],
         "gain_youth": [g[0] for g in gains], "gain_invisible_est": [g[1] for g in gains]},
        geometry=shapely.points([c.x for c in candidates], [c.y for c in candidates]), crs=CRS)
    try:
        return saved.save_scenario(Workspace(path), name.strip(), parameters=parameters,
                                   sites=sites)
    except InputError as error:
        if "exists already" in str(error):
            raise ScenarioError("Un scénario porte déjà ce nom : choisissez-en un autre."
                                ) from None
        raise
