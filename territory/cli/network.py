"""``territory network build`` and ``territory network show``: routed travel minutes.

``build`` reads the user's OpenStreetMap extract (``--osm FILE.osm.pbf``), routes every
commune's origin to every destination point on foot, by bike and by car, and stores the
minutes within the cutoff in the workspace; ``show`` prints what is stored.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from territory._errors import InputError
from territory.cli._common import workspace_of

__all__ = ["register", "run"]

MODES_HELP = "modes, separated by commas (default walk,bike,car)"
MODE_LABELS = {"walk": "à pied", "bike": "à vélo", "car": "en voiture"}


def register(subparsers: Any, parents: Sequence[argparse.ArgumentParser]) -> None:
    """Add the ``network`` command to the command line's subparsers."""
    network = subparsers.add_parser(
        "network", help="routed travel minutes from an OpenStreetMap extract")
    sub = network.add_subparsers(dest="network_command", required=True, metavar="ACTION")
    build = sub.add_parser(
        "build", parents=parents,
        help="route every commune to every site, outreach place and town hall",
        description="Read an OpenStreetMap extract, route on foot, by bike and by car, and "
        "store the minutes within the cutoff in the workspace.")
    build.add_argument("--osm", type=Path, required=True, metavar="FILE.osm.pbf",
                       help="OpenStreetMap extract covering the workspace (e.g. Geofabrik's "
                       "nouvelle-aquitaine-latest.osm.pbf)")
    build.add_argument("--modes", default="walk,bike,car", help=MODES_HELP)
    build.add_argument("--max-minutes", type=float, default=90.0,
                       help="cutoff: pairs farther apart are not stored (default 90)")
    build.add_argument("--engine", choices=("dijkstra", "pandana"), default="dijkstra",
                       help="bounded Dijkstra searches (default) or pandana's contraction "
                       "hierarchies: same minutes (benchmarks/bench_network.py compares them)")
    build.add_argument("--quiet", action="store_true", help="no progress bar")
    build.set_defaults(run=run)
    show = sub.add_parser("show", parents=parents, help="print the stored travel minutes")
    show.set_defaults(run=run)


def run(args: argparse.Namespace) -> None:
    """Run ``territory network build`` or ``territory network show``."""
    if args.network_command == "build":
        _build(args)
    else:
        _show(args)


def _build(args: argparse.Namespace) -> None:
    from territory.network import build_network

    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    workspace = workspace_of(args)
    summary = build_network(workspace, args.osm, modes=modes, max_min=args.max_minutes,
                            progress=not args.quiet, engine=args.engine)
    print(f"Temps de trajet calculés sur {summary.source} ({summary.engine}) "
          f"en {summary.seconds:.0f} s.")
    print(f"{summary.origins} origines (une par commune), {summary.destinations} "
          f"destinations (sites, lieux d'action, mairies, lieux importés).")
    for mode, pairs in summary.pairs.items():
        print(f"  {MODE_LABELS[mode]} : {_n(pairs)} paires à {_n(summary.max_min)} min "
              "ou moins")
    print(f"Enregistré dans {summary.workspace} (table travel_times).")


def _show(args: argparse.Namespace) -> None:
    from territory.network import read_travel_times

    workspace = workspace_of(args)
    times = read_travel_times(workspace)
    if times is None:
        raise InputError(f"{workspace.path}: no travel times stored; build them with "
                         "`territory network build --osm FILE.osm.pbf`")
    print(f"Temps de trajet de {workspace.path}")
    print(f"  source : {times.source} (OpenStreetMap), calculés le {times.built}")
    print(f"  moteur : {times.engine}")
    print(f"  seuil : {_n(times.max_min)} min ; {len(times.destinations)} destinations")
    for mode, pairs in times.pairs().items():
        print(f"  {MODE_LABELS[mode]} : {_n(pairs)} paires")


def _n(value: float) -> str:
    """Return a number as French text (thin spaces between thousands, decimal comma)."""
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return text.replace(",", "\u202f").replace(".", ",")
