"""``territory map``: a standalone HTML map of the workspace, of the region or one ML."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from territory._errors import WorkspaceError
from territory._french import area_name
from territory.cli._common import workspace_of
from territory.io.workspace import Workspace

__all__ = ["register", "run"]


def register(subparsers: Any, parents: Sequence[argparse.ArgumentParser]) -> None:
    """Add the ``map`` command to the command line's subparsers."""
    fmap = subparsers.add_parser("map", parents=parents,
                                 help="write a standalone HTML map of the workspace")
    fmap.add_argument("--out", type=Path, required=True, help="HTML file to write")
    fmap.add_argument("--ml", default=None, help="limit the map to one Mission Locale (ml_code)")
    fmap.set_defaults(run=run)


def run(args: argparse.Namespace) -> None:
    """Write the map and say where it is and how large."""
    # folium is imported only by this command: `territory --help` stays fast.
    from territory.viz import workspace_map, write_html

    workspace = workspace_of(args)
    layers = {name: workspace.read(name) for name in ("communes", "catchments", "sites",
                                                        "actions")}
    if args.ml is not None:
        layers = _one_ml(layers, args.ml, workspace)
    layers["area"] = area_name(workspace.read("region")["nom"].astype(str).tolist())
    fmap = workspace_map(
        layers["communes"], catchments=layers["catchments"], sites=layers["sites"],
        actions=layers["actions"], demo=workspace.is_demo(),
        title=_map_title(layers, args.ml),
    )
    size = write_html(fmap, args.out)
    print(f"Carte écrite : {args.out} ({size / 1e6:.1f} Mo) — ouvrez-la dans un navigateur.")


def _one_ml(layers: dict, ml_code: str, workspace: Workspace) -> dict:
    members = workspace.read("catchment_members")
    known = sorted(members["ml_code"].unique())
    if ml_code not in known:
        raise WorkspaceError(
            f"{workspace.path}: no Mission Locale {ml_code!r} in layer `catchments`; "
            f"expected one of {known}"
        )
    codes = set(members.loc[members["ml_code"] == ml_code, "code_insee"])
    return {
        "communes": layers["communes"][layers["communes"]["code_insee"].isin(codes)],
        **{name: layers[name][layers[name]["ml_code"] == ml_code]
           for name in ("catchments", "sites", "actions")},
    }


def _map_title(layers: dict, ml_code: str | None) -> str:
    if ml_code is None or layers["catchments"].empty:
        return f"{layers['area']} — Missions Locales"
    return str(layers["catchments"]["ml_name"].iloc[0])
