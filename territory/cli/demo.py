"""``territory demo``: a workspace of the region filled with fictional Missions Locales."""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from territory._errors import WorkspaceError
from territory.cli._common import workspace_path
from territory.io.workspace import Workspace

__all__ = ["register", "run"]


def register(subparsers: Any, parents: Sequence[argparse.ArgumentParser]) -> None:
    """Add the ``demo`` command to the command line's subparsers."""
    demo = subparsers.add_parser(
        "demo", parents=parents,
        help="build a demo workspace (données fictives) of the region")
    demo.add_argument("--seed", type=int, default=2019, help="random seed (default 2019)")
    demo.set_defaults(run=run)


def run(args: argparse.Namespace) -> None:
    """Build the demo workspace, refusing to overwrite a workspace of real data."""
    # The demo builder is imported only by this command: `territory --help` stays fast.
    from territory.demo import build_demo

    path = workspace_path(args)
    if path.exists() and not _is_demo_workspace(path):
        raise WorkspaceError(
            f"{path}: this workspace holds data that are not demo data; "
            "choose another path with --workspace (the demo never overwrites real data)"
        )
    started = time.perf_counter()
    workspace = Workspace.create(path, overwrite=True)
    summary = build_demo(workspace, seed=args.seed)
    print(f"Espace de travail de démonstration : {path}")
    print(summary)
    print(f"({time.perf_counter() - started:.1f} s)")


def _is_demo_workspace(path: Path) -> bool:
    try:
        return Workspace(path).is_demo()
    except Exception:
        return False
