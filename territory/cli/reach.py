"""``territory reach``: how far each kind of outreach action reaches, learned from the contacts.

``territory reach [--mode transit] [--period A:B] [--json]`` prints, per kind of action, its
actions and young people, the shares mobilised and accompanied, and "8 jeunes sur 10 atteints
par un bus vivent à moins de ~N min", with its interval and the evidence behind it
(:func:`territory.analysis.reach.reach_curves`).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from territory._errors import InputError
from territory.analysis import parse_period
from territory.cli._common import add_mode_option, params_of, workspace_of

__all__ = ["LAYERS", "register", "run"]

LAYERS = ("communes", "mairies", "catchment_members", "actions", "contacts")
OPTIONAL = ("travel_times", "transit_feeds")


def register(subparsers: Any, parents: Sequence[argparse.ArgumentParser]) -> None:
    """Add the ``reach`` command to the command line's subparsers."""
    parser = subparsers.add_parser(
        "reach", parents=parents,
        help="how far each kind of outreach action reaches, learned from the contacts")
    add_mode_option(parser)
    parser.add_argument("--period", default=None, metavar="A:B",
                        help="actions dated in it, e.g. 2020-01:2021-06 (default: everything)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(run=run)


def read_layers(args: argparse.Namespace) -> dict[str, pd.DataFrame]:
    """Read the layers the curves need, or say which one is missing and how to add it."""
    workspace = workspace_of(args)
    present = set(workspace.layers())
    missing = [name for name in LAYERS if name not in present]
    if missing:
        raise InputError(f"{workspace.path}: no layer {missing}; the reach of actions is "
                         "learned from the actions and their contacts (territory import "
                         "actions FILE, territory import contacts FILE)")
    layers = {name: workspace.read(name) for name in (*LAYERS, *OPTIONAL) if name in present}
    if "action_id" not in layers["contacts"] or layers["contacts"].empty:
        raise InputError(f"{workspace.path}: the contacts have no `action_id`; the reach of "
                         "actions needs the action that met each young person")
    return layers


def run(args: argparse.Namespace) -> None:
    """Print the curves, in French or as JSON."""
    from territory.analysis.reach import reach_curves

    layers = read_layers(args)
    params = params_of(args)
    curves = reach_curves(layers, params=params, period=parse_period(args.period))
    if args.json:
        rows = curves.drop(columns=["curve"]).replace({np.nan: None})
        document = {"mode": args.mode, "window": params.window,
                    "kinds": rows.to_dict(orient="records"),
                    "words": {k: c.words() for k, c in curves["curve"].items()}}
        print(json.dumps(document, ensure_ascii=False, indent=2))
        return
    print(as_text(curves))


def as_text(curves: pd.DataFrame) -> str:
    """Return the curves as the French text ``territory reach`` prints."""
    from territory.analysis.reach import KIND_WORDS
    from territory.viz.labels import format_number

    lines = ["Portée des actions d'aller-vers, apprise des contacts :"]
    for kind, row in curves.iterrows():
        name = KIND_WORDS.get(str(kind), (str(kind), str(kind)))[1]
        funnel = (f"{format_number(100 * row['mobilised_share'], decimals=0)} % mobilisés, "
                  f"{format_number(100 * row['accompanied_share'], decimals=0)} % accompagnés"
                  if row["contacts"] else "aucun jeune")
        lines += [f"- {name.capitalize()} : {format_number(row['actions'])} actions, "
                  f"{format_number(row['contacts'])} jeunes "
                  f"({format_number(row['contacts_per_action'], decimals=1)} par action ; "
                  f"{funnel})",
                  f"  {row['curve'].words()}."]
        if row["outside"]:
            lines.append(f"  {format_number(row['outside'])} jeunes vivent hors du territoire "
                         "de la Mission Locale qui les a rencontrés : comptés, hors ajustement.")
    return "\n".join(lines)
