"""``territory key show|rotate|new``: the key of a workspace's pseudonyms, kept out of it.

``show`` says where the key file is and whether it holds the workspace's keys; ``rotate``
makes a new key and re-keys every pseudonym stored (young people stay linked across
imports); ``new`` starts a new key for a workspace whose key is lost (docs/architecture.md,
"Workspace contract").
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from territory.cli._common import workspace_of
from territory.io import keys
from territory.io.keys import KeyStatus

__all__ = ["register", "run"]

_BACKUP = ("Sauvegardez ce fichier à part des espaces de travail (sans lui, les jeunes des "
           "prochains imports ne seront plus reliés à ceux déjà importés) ; ne le joignez "
           "jamais à un espace de travail envoyé.")


def register(subparsers: Any, parents: Sequence[argparse.ArgumentParser]) -> None:
    """Add the ``key`` command to the command line's subparsers."""
    key = subparsers.add_parser(
        "key", help="the key of the pseudonyms, kept out of the workspace",
        description="The key of the pseudonyms (HMAC-SHA256 of the young people's "
        "identifiers) lives in your key file ($TERRITORY_KEY_FILE, else "
        "~/.config/territory/keys.json), never in the workspace.")
    sub = key.add_subparsers(dest="key_command", required=True, metavar="ACTION")
    show = sub.add_parser("show", parents=parents,
                          help="where the key file is, and whether it holds the keys")
    show.set_defaults(run=run)
    rotate = sub.add_parser(
        "rotate", parents=parents, help="a new key; every stored pseudonym re-keyed",
        description="Make a new key and re-key every stored pseudonym with it: a copy of the "
        "old key alone reads nothing of the workspace any more, and the next imports still "
        "give each young person the pseudonym they have.")
    rotate.set_defaults(run=run)
    new = sub.add_parser(
        "new", parents=parents, help="a new key for a workspace whose key is lost",
        description="Start a new key when the workspace's key is lost: the young people of "
        "the next imports will not be linked to those imported before.")
    new.set_defaults(run=run)


def run(args: argparse.Namespace) -> None:
    """Run ``territory key show``, ``rotate`` or ``new``."""
    workspace = workspace_of(args)
    if args.key_command == "rotate":
        done = keys.rotate(workspace)
        counts = ", ".join(f"{_n(n)} dans {layer}" for layer, n in done.rekeyed.items())
        print(f"Nouvelle clé pour {done.workspace} ({len(done.keys)} clés appliquées à la "
              f"suite) ; pseudonymes recalculés : {counts or 'aucun'}.")
        print("Les jeunes restent reliés d'un import à l'autre ; l'ancienne clé seule ne "
              "permet plus de lire les pseudonymes.")
        print(f"Fichier des clés : {done.key_file}. {_BACKUP}")
    elif args.key_command == "new":
        path = keys.start_new_key(workspace)
        print(f"Nouvelle clé pour {workspace.path}, gardée dans {path}. Les jeunes des "
              "prochains imports ne seront pas reliés à ceux importés avant.")
        print(_BACKUP)
    else:
        _show(keys.key_status(workspace))


def _show(status: KeyStatus) -> None:
    print(f"Clé des pseudonymes de {status.workspace}")
    print(f"  fichier des clés : {status.key_file}")
    if status.in_workspace:
        print("  la clé est encore dans l'espace de travail (version antérieure) : elle en "
              "sortira à la prochaine écriture (un import, ou territory key rotate)")
    elif not status.ids:
        print("  aucune clé : elle sera créée au premier import de contacts")
    elif status.missing:
        print(f"  clé(s) absente(s) du fichier : {', '.join(status.missing)} — restaurez le "
              "fichier depuis sa sauvegarde, ou, si la clé est perdue, territory key new")
    else:
        print(f"  clé(s) : {', '.join(status.ids)} — présente(s) dans le fichier")
    print(f"  pseudonymes dans l'espace de travail : {_n(status.pseudonyms)}")


def _n(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")
