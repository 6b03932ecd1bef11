"""``territory map``: a standalone HTML map of the workspace, of the region or one ML."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from territory._errors import InputError
from territory._french import area_name
from territory.analysis import (
    headline,
    in_period,
    indicators,
    open_sites,
    parse_period,
    selection_weights,
)
from territory.analysis.travel import Routed
from territory.cli._common import add_mode_option, checked_out, params_of, workspace_of, writing

__all__ = ["MAP_LAYERS", "register", "run"]

MAP_LAYERS = ("communes", "mairies", "catchments", "catchment_members", "sites", "actions",
              "contacts", "contact_counts", "region", "travel_times", "transit_feeds")


def register(subparsers: Any, parents: Sequence[argparse.ArgumentParser]) -> None:
    """Add the ``map`` command to the command line's subparsers."""
    fmap = subparsers.add_parser("map", parents=parents,
                                 help="write a standalone HTML map of the workspace")
    fmap.add_argument("--out", type=Path, required=True, help="HTML file to write")
    fmap.add_argument("--ml", default=None, help="limit the map to one Mission Locale (ml_code)")
    fmap.add_argument("--period", default=None,
                      help="START:END, e.g. 2020-01:2021-06 (default: the whole record); "
                      "sites in service on its last day, actions dated in it")
    add_mode_option(fmap)
    fmap.set_defaults(run=run)


def run(args: argparse.Namespace) -> None:
    """Write the map and say where it is and how large."""
    # folium is imported only by this command: `territory --help` stays fast.
    from territory.analysis.period import public_period_error
    from territory.report import public_communes
    from territory.viz import workspace_map, write_html

    checked_out(args.out)
    workspace = workspace_of(args)
    period = parse_period(args.period)
    present = set(workspace.layers())
    layers = {name: workspace.read(name) for name in MAP_LAYERS if name in present}
    # The map is public and colours communes: the whole record only.
    contacts = layers.get("contacts")
    refused = public_period_error(
        period, [] if contacts is None or "date" not in contacts else [contacts["date"]])
    if refused:
        raise InputError(refused)
    ml_code = args.ml
    weights = selection_weights(layers["communes"], layers.get("catchment_members"),
                                ml_code=ml_code)
    # The figures in the title box are the dashboard's and the report's (one function).
    params = params_of(args)
    figures = headline(indicators(layers, period=period, params=params), layers, ml_code=ml_code,
                       period=period)
    chosen = {"communes": layers["communes"][weights.to_numpy() > 0],
              "sites": open_sites(layers["sites"], period=period),
              "actions": in_period(layers["actions"], period),
              "catchments": layers["catchments"]}
    if ml_code is not None:
        chosen.update({name: chosen[name][chosen[name]["ml_code"].astype(str) == ml_code]
                       for name in ("catchments", "sites", "actions")})
    area = area_name(layers["region"]["nom"].astype(str).tolist())
    fmap = workspace_map(
        chosen["communes"], catchments=chosen["catchments"], sites=chosen["sites"],
        actions=chosen["actions"], demo=workspace.is_demo(), figures=figures,
        # A map is handed out: the public table, masked as every report masks it.
        indicators=(public_communes(layers, period=period, params=params)
                    if "catchment_members" in layers else None),
        title=_map_title(chosen["catchments"], area, ml_code),
        threshold_min=params.threshold_min,
        access=f"temps d’accès {params.travel_mode.words}",
        timetable=(routed.feeds_source() or "") if params.timetabled and (
            routed := Routed.of(layers)) is not None else "",
    )
    with writing(args.out):
        size = write_html(fmap, args.out)
    print(f"Carte écrite : {args.out} ({size / 1e6:.1f} Mo) — ouvrez-la dans un navigateur.")


def _map_title(catchments: pd.DataFrame, area: str, ml_code: str | None) -> str:
    if ml_code is None or catchments.empty:
        return f"{area} — Missions Locales"
    return str(catchments["ml_name"].iloc[0])
