"""``territory geodata build``: rebuild the reference base (communes, EPCI, town halls).

The reference base is not a workspace: this command takes no ``--workspace``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from territory.cli._common import checked_out, writing

__all__ = ["register", "run"]


def register(subparsers: Any, parents: Sequence[argparse.ArgumentParser]) -> None:
    """Add the ``geodata`` command to the command line's subparsers.

    ``parents`` is not used: the reference base is built apart from any workspace.
    """
    geodata = subparsers.add_parser("geodata",
                                    help="the reference base (communes, EPCI, town halls)")
    geosub = geodata.add_subparsers(dest="geodata_command", required=True, metavar="ACTION")
    build = geosub.add_parser("build", help="rebuild the reference base from its source")
    build.add_argument("--region", default="75",
                       help="INSEE region code, several separated by commas (75,52), or "
                       "'all' for France (default 75)")
    build.add_argument("--out", type=Path, default=None, help="GeoPackage to write")
    build.set_defaults(run=run)


def run(args: argparse.Namespace) -> None:
    """Build the reference base the arguments ask for, with its manifest beside it."""
    from territory.io import geodata

    codes = None if args.region == "all" else [c.strip() for c in args.region.split(",")]
    if codes == [geodata.REGION_CODE] and args.out is None:
        out, manifest_path = geodata.REGION_PATH, geodata.MANIFEST_PATH
    else:
        name = "france" if codes is None else "region-" + "-".join(codes)
        out = args.out or Path(f"{name}.gpkg")
        manifest_path = out.with_suffix(".manifest.json")
    checked_out(out)
    with writing(out):
        manifest = geodata.build_region(out, region_codes=codes, manifest_path=manifest_path)
    rows = ", ".join(f"{k} {v['rows']}" for k, v in manifest["layers"].items())
    print(f"{out} : {rows} ; population {manifest['population_total']:,}".replace(",", " "))
