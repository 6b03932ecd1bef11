"""``territory audit``: what a reader of every public table could learn of a small count.

``territory audit [--period A:B] [--out cellules.csv]`` reads the public tables of the
workspace's period (communes, EPCI, Missions Locales, départements, region) as a reader
holding them all would, and bounds each masked small count by linear programming
(:func:`territory.analysis.disclosure.audit_public`). It prints how many counts keep fewer
possible values than required, and which; ``--out`` writes one row per masked count. The
exit code is 0 when every count is safe, 1 when some are not.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from territory._errors import InputError
from territory.analysis import parse_period
from territory.analysis.period import public_period_error
from territory.cli._common import checked_out, params_of, workspace_of, writing
from territory.cli.indicators import load_layers

__all__ = ["register", "run"]

_SPACES = {"commune": "communes", "epci": "EPCI", "catchment": "Missions Locales",
           "departement": "départements", "region": "région"}


def register(subparsers: Any, parents: Sequence[argparse.ArgumentParser]) -> None:
    """Add the ``audit`` command to the command line's subparsers."""
    parser = subparsers.add_parser(
        "audit", parents=parents,
        help="what a reader of every public table could learn of each small count")
    parser.add_argument("--period", default=None, metavar="A:B",
                        help="the whole record (default): the public tables of communes "
                        "show no other period")
    parser.add_argument("--out", type=Path, default=None,
                        help="write every masked count's interval (CSV)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> None:
    """Audit the public tables and say, in French, what a reader could learn."""
    from territory.analysis.disclosure import audit_public
    from territory.analysis.suppression import least_values
    from territory.viz.labels import format_number

    if args.out is not None:
        if args.out.suffix.lower() != ".csv":
            raise InputError(f"--out {args.out}: expected a .csv file")
        checked_out(args.out)
    workspace = workspace_of(args)
    layers = load_layers(workspace)
    period = parse_period(args.period)
    contacts = layers.get("contacts")
    refused = public_period_error(
        period, [] if contacts is None or "date" not in contacts else [contacts["date"]])
    if refused:
        raise InputError(refused)
    params = params_of(args)
    audit = audit_public(layers, period=period, params=params)
    threshold = params.suppression_threshold
    least = least_values(threshold)
    short = audit[audit["values"] < least]
    exact = audit[audit["values"] <= 1]
    print(f"Effectifs masqués « < {threshold} » audités : {format_number(len(audit))} "
          f"(toutes les tables publiques lues ensemble, bornes par programmation linéaire).")
    print(f"Resserrés à moins de {least} valeurs possibles : {format_number(len(short))} ; "
          f"retrouvés exactement : {format_number(len(exact))}.")
    for space, rows in short.groupby("space", sort=False):
        codes = sorted(set(rows["zone"].astype(str)))
        zones = ", ".join(codes[:30]) + (f" … (+{len(codes) - 30})" if len(codes) > 30 else "")
        print(f"  {_SPACES.get(str(space), space)} : {format_number(len(rows))} — {zones}")
    if args.out is not None:
        with writing(args.out):
            audit.drop(columns=["true"]).to_csv(args.out, index=False)
        print(f"Détail écrit : {args.out}")
    if len(short):
        raise SystemExit(1)
