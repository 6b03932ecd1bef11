"""``territory demo``: a workspace filled with fictional Missions Locales.

On the shipped base of the region by default, or on a base built by ``territory geodata
build`` (``--reference france.gpkg``: a national demo).
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyogrio

from territory._errors import WorkspaceError
from territory.cli._common import checked_reference, workspace_path
from territory.io import keys
from territory.io.workspace import Workspace

__all__ = ["register", "run"]


def register(subparsers: Any, parents: Sequence[argparse.ArgumentParser]) -> None:
    """Add the ``demo`` command to the command line's subparsers."""
    demo = subparsers.add_parser(
        "demo", parents=parents,
        help="build a demo workspace (données fictives) of the region")
    demo.add_argument("--reference", type=Path, default=None,
                      help="reference GeoPackage (default: geodata/nouvelle-aquitaine.gpkg; "
                      "a base of France gives a national demo)")
    demo.add_argument("--seed", type=int, default=2019, help="random seed (default 2019)")
    demo.add_argument("--transit", action="store_true",
                      help="add a fictional coach and train timetable (GTFS, written beside "
                      "the workspace) and its public-transport minutes, as `territory network "
                      "build --gtfs` computes them (about 20 s on the region)")
    demo.add_argument("--force", action="store_true",
                      help="replace a workspace that holds imported data (a copy is kept)")
    demo.set_defaults(run=run)


def run(args: argparse.Namespace) -> None:
    """Build the demo workspace; a workspace holding imported data is never replaced."""
    # The demo builder is imported only by this command: `territory --help` stays fast.
    from territory.demo import build_demo
    from territory.io import geodata

    path = workspace_path(args)
    reference = args.reference or geodata.REGION_PATH
    checked_reference(reference)
    kept = _keep_or_refuse(path, force=args.force) if path.exists() else None
    started = time.perf_counter()
    workspace = Workspace.create(path, reference=reference, overwrite=True)
    summary = build_demo(workspace, seed=args.seed)
    print(f"Espace de travail de démonstration : {path}")
    if kept is not None:
        print(f"L'espace de travail précédent est conservé dans {kept}")
    print(summary)
    if args.transit:
        _transit(workspace, seed=args.seed)
    print(f"({time.perf_counter() - started:.1f} s)")


def _transit(workspace: Workspace, *, seed: int) -> None:
    from territory.analysis.travel import WINDOWS
    from territory.cli.network import print_transit
    from territory.demo import build_demo_transit
    from territory.network import TransitOptions

    feed, summary = build_demo_transit(workspace, seed=seed)
    print(f"Horaires fictifs de cars et de trains : {feed.path} (données fictives)")
    print_transit(summary, TransitOptions(), list(WINDOWS))


def _keep_or_refuse(path: Path, *, force: bool) -> Path | None:
    """Refuse to replace imported data; with ``force``, keep a copy of the file first."""
    try:
        real = Workspace(path).real_layers()
    except WorkspaceError:
        raise
    except (OSError, ValueError, pyogrio.errors.DataSourceError) as error:
        raise WorkspaceError(f"{path}: not a workspace that can be read ({error}); choose "
                             "another path with --workspace") from None
    if not real:
        return None
    if not force:
        raise WorkspaceError(
            f"{path}: this workspace holds imported data (layers {', '.join(real)}); the demo "
            "never replaces them. Choose another path with --workspace, or pass --force to "
            "replace it (a copy of the file is kept beside it)")
    keys.move_key_out_of(Workspace(path))  # a key kept inside by earlier versions: not copied
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    kept = path.with_name(f"{path.stem}.avant-demo-{stamp}{path.suffix}")
    shutil.copy2(path.resolve(), kept)
    return kept
