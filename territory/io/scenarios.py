"""Saved plans: the ``scenarios`` and ``scenario_sites`` layers of the workspace.

A scenario is a name, the parameters it was computed with (JSON), its creation time and the
sites it adds (points with their id, name, Mission Locale and gains). Saving rewrites both
layers in one workspace transaction (:meth:`Workspace.write`): a scenario is saved whole or
not at all. A plan computed on demo data is marked demo, like the layers it comes from.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd

from territory._errors import InputError, Problem
from territory.io._schema import empty_layer
from territory.io.geodata import CRS
from territory.io.workspace import Workspace

__all__ = ["Scenario", "delete_scenario", "list_scenarios", "load_scenario", "save_scenario"]

SCENARIOS, SITES = "scenarios", "scenario_sites"
SOURCE = "territory plan"


@dataclass(frozen=True)
class Scenario:
    """A saved plan: its id, name, parameters, creation time and added sites."""

    scenario_id: str
    name: str
    parameters: dict[str, Any]
    created_at: pd.Timestamp
    sites: gpd.GeoDataFrame


def _tables(workspace: Workspace) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    layers = workspace.layers()
    table = workspace.read(SCENARIOS) if SCENARIOS in layers else empty_layer(SCENARIOS)
    sites = workspace.read(SITES) if SITES in layers else empty_layer(SITES)
    return pd.DataFrame(table), gpd.GeoDataFrame(sites, crs=CRS)


def list_scenarios(workspace: Workspace) -> pd.DataFrame:
    """Return the saved scenarios: id, name, creation time and number of sites, oldest first.

    Examples
    --------
    >>> ws = Workspace(demo_path)
    >>> list_scenarios(ws).empty  # a new workspace has no plan yet
    True
    >>> place = gpd.GeoDataFrame({"site_id": ["m1"], "name": ["Mairie de Guéret"]},
    ...                          geometry=gpd.points_from_xy([619_000.0], [6_570_000.0]),
    ...                          crs="EPSG:2154")
    >>> save_scenario(ws, "Printemps 2027", parameters={"add": 1}, sites=place)
    'scn-0001'
    >>> list_scenarios(ws)[["scenario_id", "name", "sites"]]
      scenario_id            name  sites
    0    scn-0001  Printemps 2027      1
    """
    table, sites = _tables(workspace)
    counts = sites.groupby("scenario_id").size()
    listing = table[["scenario_id", "name", "created_at"]].copy()
    listing["sites"] = listing["scenario_id"].map(counts).fillna(0).astype("int64")
    return listing.sort_values("created_at", kind="stable").reset_index(drop=True)


def save_scenario(workspace: Workspace, name: str, *, parameters: Mapping[str, Any],
                  sites: gpd.GeoDataFrame, overwrite: bool = False) -> str:
    """Save a plan under ``name``; return its ``scenario_id``.

    Parameters
    ----------
    workspace
        The workspace to write to.
    name
        The plan's name, unique in the workspace.
    parameters
        What it was computed with (objective, threshold, number of sites, …), JSON-able.
    sites
        The sites it adds: points in EPSG:2154 with ``site_id`` and ``name``, and when known
        ``ml_code`` and any other columns (gains, commune).
    overwrite
        Replace a scenario of the same name instead of refusing.

    Returns
    -------
    scenario_id
        The id of the saved scenario (``scn-0001``, ``scn-0002``, …).
    """
    _check(name, sites, parameters)
    table, saved = _tables(workspace)
    same = table.loc[table["name"] == name, "scenario_id"]
    if len(same) and not overwrite:
        raise InputError(f"a scenario named {name!r} exists already ({same.iloc[0]}); "
                         "choose another name or overwrite it")
    table = table[~table["scenario_id"].isin(same)]
    saved = saved[~saved["scenario_id"].isin(same)]
    scenario_id = same.iloc[0] if len(same) else _next_id(table)
    row = pd.DataFrame({"scenario_id": [scenario_id], "name": [name],
                        "parameters": [json.dumps(dict(parameters), ensure_ascii=False,
                                                  default=str)],
                        "created_at": [pd.Timestamp.now(tz="UTC").tz_localize(None)
                                       .floor("s")]})
    row["created_at"] = row["created_at"].astype("datetime64[ms]")
    new_sites = _site_rows(scenario_id, sites)
    frames = [t for t in (table, row) if len(t)]
    tables = pd.concat(frames, ignore_index=True) if len(frames) > 1 else row
    site_frames = [s for s in (saved, new_sites) if len(s)]
    all_sites = (gpd.GeoDataFrame(pd.concat(site_frames, ignore_index=True), crs=CRS)
                 if site_frames else new_sites)
    workspace.write({SCENARIOS: tables, SITES: all_sites}, demo=workspace.is_demo(),
                    source=SOURCE)
    return str(scenario_id)


def load_scenario(workspace: Workspace, key: str) -> Scenario:
    """Return the scenario whose name (or id) is ``key``."""
    table, sites = _tables(workspace)
    found = table[(table["name"] == key) | (table["scenario_id"] == key)]
    if found.empty:
        known = table["name"].tolist()
        raise InputError(f"no scenario named {key!r} in {workspace.path}; "
                         f"expected one of {known}" if known else
                         f"no scenario named {key!r}: {workspace.path} has none yet")
    row = found.iloc[-1]
    mine = sites[sites["scenario_id"] == row["scenario_id"]].reset_index(drop=True)
    return Scenario(str(row["scenario_id"]), str(row["name"]), json.loads(row["parameters"]),
                    pd.Timestamp(row["created_at"]), gpd.GeoDataFrame(mine, crs=CRS))


def delete_scenario(workspace: Workspace, key: str) -> None:
    """Remove the scenario whose name (or id) is ``key``."""
    scenario = load_scenario(workspace, key)
    table, sites = _tables(workspace)
    table = table[table["scenario_id"] != scenario.scenario_id]
    sites = sites[sites["scenario_id"] != scenario.scenario_id]
    workspace.write({SCENARIOS: table if len(table) else empty_layer(SCENARIOS),
                     SITES: sites if len(sites) else empty_layer(SITES)},
                    demo=workspace.is_demo(), source=SOURCE)


def _next_id(table: pd.DataFrame) -> str:
    numbers = pd.to_numeric(table["scenario_id"].astype(str).str.removeprefix("scn-"),
                            errors="coerce").dropna()
    return f"scn-{int(numbers.max()) + 1 if len(numbers) else 1:04d}"


def _site_rows(scenario_id: str, sites: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(sites.reset_index(drop=True).copy(), crs=sites.crs)
    if "ml_code" not in frame:
        frame["ml_code"] = frame.get("group")
    frame.insert(0, "scenario_id", scenario_id)
    frame["site_id"] = frame["site_id"].astype(str)
    return frame


def _check(name: str, sites: gpd.GeoDataFrame, parameters: Mapping[str, Any]) -> None:
    problems = []
    if not str(name).strip():
        problems.append(Problem("the scenario has no name; expected a name such as "
                                "'Printemps 2027'", column="name"))
    if not isinstance(sites, gpd.GeoDataFrame) or sites.crs is None \
            or not sites.crs.equals(CRS):
        problems.append(Problem(f"sites must be a GeoDataFrame in {CRS}", file=SITES))
    else:
        problems += [Problem("missing column", file=SITES, column=c)
                     for c in ("site_id", "name") if c not in sites]
    try:
        json.dumps(dict(parameters), default=str)
    except (TypeError, ValueError) as error:
        problems.append(Problem(f"parameters cannot be saved as JSON ({error})",
                                column="parameters"))
    if problems:
        raise InputError(problems)
