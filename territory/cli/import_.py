"""``territory import`` and ``territory undo``: bring a Mission Locale's files in, or take back.

The errors these commands raise (:class:`~territory._errors.TerritoryError`) are turned into
a message and exit code 2 by :func:`territory.cli.main`.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from territory._errors import InputError
from territory.cli._common import workspace_of, workspace_path
from territory.cli._counts import import_parquet_contacts, is_parquet
from territory.io.importing import KINDS, import_file

__all__ = ["register", "run"]


def register(subparsers: Any, parents: Sequence[argparse.ArgumentParser]) -> None:
    """Add the ``import`` and ``undo`` commands to the command line's subparsers."""
    command = subparsers.add_parser(
        "import", parents=parents,
        help="import a Mission Locale's file (catchments, sites, actions, contacts, youth, "
        "mobility)",
        description="Import a file as it comes (CSV ; or , — XLSX — GeoJSON — "
        "GeoPackage — Shapefile), or list every problem with its row and column.")
    command.add_argument("kind", choices=KINDS, help="what the file holds")
    command.add_argument("file", type=Path, help="the file to import")
    command.add_argument("--dry-run", action="store_true",
                         help="check and report, write nothing")
    command.add_argument("--accept-partial", action="store_true",
                         help="import the good rows; write the others to <file>.rejets.csv")
    command.add_argument("--drop-personal", action="store_true",
                         help="leave out columns holding personal data instead of refusing")
    command.add_argument("--map", action="append", default=[], metavar="SOURCE=TARGET",
                         help="the field a header holds, e.g. --map \"Jour=date\" (repeatable)")
    command.add_argument("--sheet", default=None,
                         help="sheet of a workbook (or layer of a GeoPackage) to read")
    command.add_argument("--column", default=None,
                         help="youth: population column to use (default P??_POP1524)")
    parquet = command.add_argument_group(
        "contacts in Parquet (a .parquet file or a folder of them, counted on Dask; the "
        "workspace keeps the young people reached per commune and period, not the contacts)")
    parquet.add_argument("--period", action="append", default=[], metavar="A:B",
                         help="a period to count, e.g. 2020-01:2020-12 (repeatable; default "
                         "the whole record)")
    parquet.add_argument("--scheduler", default=None, metavar="ADDRESS",
                         help="address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786 "
                         "(default: a local cluster sized to the machine)")
    command.set_defaults(run=run)

    undo = subparsers.add_parser("undo", parents=parents,
                                 help="restore the layers the last import replaced")
    undo.set_defaults(run=run)


def run(args: argparse.Namespace) -> None:
    """Run ``territory import`` or ``territory undo``, as ``args.command`` says."""
    if args.command == "undo":
        _undo(args)
    else:
        _import(args)


def _import(args: argparse.Namespace) -> None:
    if args.kind == "contacts" and is_parquet(args.file):
        print(import_parquet_contacts(args))
        return
    for option, value in (("--period", args.period), ("--scheduler", args.scheduler)):
        if value:
            raise InputError(f"{option} is for contacts in Parquet files (got {args.kind} "
                             f"{args.file}); leave it out")
    report = import_file(
        args.kind, args.file, workspace=workspace_path(args),
        dry_run=args.dry_run, accept_partial=args.accept_partial,
        drop_personal=args.drop_personal, mapping=args.map, sheet=args.sheet,
        column=args.column,
    )
    print(report)


def _undo(args: argparse.Namespace) -> None:
    workspace = workspace_of(args)
    restored = workspace.undo()
    print(f"Annulé : couche {', '.join(restored)} remise dans sa version précédente "
          f"({workspace.path}). Relancer « territory undo » rétablit l'import annulé.")
