"""``territory init``: an empty workspace made from a reference base (default: the region)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from territory._errors import WorkspaceError
from territory._french import area_name
from territory.cli._common import checked_reference, workspace_path
from territory.io.workspace import Workspace

__all__ = ["register", "run"]


def register(subparsers: Any, parents: Sequence[argparse.ArgumentParser]) -> None:
    """Add the ``init`` command to the command line's subparsers."""
    init = subparsers.add_parser(
        "init", parents=parents,
        help="create an empty workspace from a reference base (default: the region)",
        description="Create an empty workspace (reference layers, empty user layers) from the "
        "shipped Nouvelle-Aquitaine base, or from a base built by `territory geodata build` "
        "(other regions, several, or all of France).")
    init.add_argument("--reference", type=Path, default=None,
                      help="reference GeoPackage (default: geodata/nouvelle-aquitaine.gpkg)")
    init.set_defaults(run=run)


def run(args: argparse.Namespace) -> None:
    """Create the workspace from the reference base, after checking the base."""
    from territory.io import geodata

    path = workspace_path(args)
    reference = args.reference or geodata.REGION_PATH
    manifest = checked_reference(reference)
    if path.exists():
        raise WorkspaceError(f"{path}: a workspace exists already; choose another path with "
                             "--workspace, or move this one away (nothing is overwritten)")
    workspace = Workspace.create(path, reference=reference)
    communes, region = workspace.read("communes"), workspace.read("region")
    area = area_name(region["nom"].astype(str).tolist())

    def number(n: int) -> str:
        return f"{n:,}".replace(",", "\u202f")

    print(f"Espace de travail créé : {path} — {area}, {number(len(communes))} communes, "
          f"population {number(int(communes['population'].sum()))} (INSEE "
          f"{manifest.get('population_vintage', '')}) ; base {reference.name}")
