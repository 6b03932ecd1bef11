"""The ``territory`` command line.

Every command works on one workspace (``--workspace``, default ``$TERRITORY_WORKSPACE`` or
``./territoire.gpkg``). Exit code 0 on success, 2 on bad input with a message that names the
file, row and column, never a traceback.

Each command lives in its own module (``territory.cli.plan`` for ``territory plan``), which
adds its parser with ``register(subparsers, parents)`` and runs it with ``run(args)``; the
options every command shares come from one parent parser
(:func:`territory.cli._common.common_options`).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from territory.cli import (
    audit,
    demo,
    geodata,
    impact,
    import_,
    indicators,
    init,
    key,
    network,
    plan,
    reach,
    report,
    serve,
)
from territory.cli import map as map_
from territory.cli._common import Command, common_options, run_command

__all__ = ["COMMANDS", "build_parser", "main"]

# In the order `territory --help` lists them.
COMMANDS: tuple[Command, ...] = (demo, init, map_, geodata, import_, key, indicators, network,
                                 plan, reach, impact, report, audit, serve)


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of the whole command line, every command registered."""
    parser = argparse.ArgumentParser(
        prog="territory",
        description="Couverture territoriale des Missions Locales : où les jeunes invisibles "
        "sont-ils le moins atteints ?",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    parents = [common_options()]
    for command in COMMANDS:
        command.register(sub, parents)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    return run_command(build_parser().parse_args(argv))
