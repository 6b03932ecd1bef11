"""What every command shares: the ``--workspace`` option, its default, and the exit codes.

Every command that works on a workspace takes ``--workspace`` from one parent parser
(:func:`common_options`), and every error territory raises on purpose
(:class:`~territory._errors.TerritoryError`: an input error names its file, row and column)
becomes a message on stderr and exit code 2, never a traceback (:func:`run_command`).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import pyogrio

from territory._errors import InputError, TerritoryError
from territory.analysis.params import Parameters
from territory.analysis.travel import DEFAULT_MODE, DEFAULT_WINDOW, MODES, WINDOWS
from territory.io.workspace import Workspace, default_workspace_path

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_INTERRUPTED",
    "Command",
    "add_mode_option",
    "checked_out",
    "checked_reference",
    "common_options",
    "params_of",
    "run_command",
    "scale_engine",
    "timetable_windows",
    "workspace_of",
    "workspace_path",
    "writing",
]

EXIT_BAD_INPUT = 2
# 128 + SIGINT, what a shell reports for a command stopped with Ctrl+C.
EXIT_INTERRUPTED = 130
WORKSPACE_HELP = "workspace GeoPackage (default: $TERRITORY_WORKSPACE or ./territoire.gpkg)"


class Command(Protocol):
    """A command module: it adds its parser to the subparsers, then runs parsed arguments."""

    def register(self, subparsers: Any, parents: Sequence[argparse.ArgumentParser]) -> None:
        """Add the command's parser, built on ``parents``, to ``subparsers``."""

    def run(self, args: argparse.Namespace) -> None:
        """Run the command with its parsed arguments."""


def common_options() -> argparse.ArgumentParser:
    """Return the parent parser of the options every workspace command takes.

    Examples
    --------
    >>> str(common_options().parse_args(["--workspace", "ml.gpkg"]).workspace)
    'ml.gpkg'
    """
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--workspace", type=Path, default=None, help=WORKSPACE_HELP)
    return parent


def add_mode_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--mode``, how young people travel, to a command that measures access."""
    names = ", ".join(f"{k} ({m.label})" for k, m in MODES.items())
    parser.add_argument("--mode", choices=list(MODES), default=DEFAULT_MODE,
                        help=f"how young people travel: {names}; default {DEFAULT_MODE}, the "
                        "young people without work or training being the least likely to "
                        "have a car (docs/methodology.md, \"Travel modes\")")
    windows = ", ".join(f"{k} ({w.label})" for k, w in WINDOWS.items())
    parser.add_argument("--window", choices=[*WINDOWS, "estimate"], default=None,
                        help=f"public transport from the timetables over a departure window: "
                        f"{windows}; `estimate` for the estimate (10 min, then 20 km/h). "
                        "Default: weekday_am when the workspace has timetables "
                        "(`territory network build --gtfs`), else the estimate")


def params_of(args: argparse.Namespace, **changes: Any) -> Parameters:
    """Return the parameters the options set: travel mode and access threshold."""
    values: dict[str, Any] = {"mode": getattr(args, "mode", DEFAULT_MODE)}
    if hasattr(args, "window"):
        values["window"] = _window(args, values["mode"])
    threshold = getattr(args, "threshold_min", None)
    if threshold is not None:
        values["threshold_min"] = threshold
    return Parameters(**{**values, **changes})


def _window(args: argparse.Namespace, mode: str) -> str | None:
    """Return the departure window asked for, checked against the workspace's timetables."""
    if mode not in ("transit", "mix") or args.window == "estimate":
        return None
    path = workspace_path(args)
    built = timetable_windows(Workspace(path)) if path.exists() else ()
    if args.window is None:
        return DEFAULT_WINDOW if DEFAULT_WINDOW in built else None
    if args.window not in built:
        raise InputError(f"{path}: no timetabled public transport for --window "
                         f"{args.window} (built: {', '.join(built) or 'none'}); build it with "
                         "`territory network build --gtfs FEED.zip`, or drop --window")
    return str(args.window)


def timetable_windows(workspace: Workspace) -> tuple[str, ...]:
    """Return the departure windows the workspace has timetabled minutes for."""
    meta = workspace.metadata().get("transit_times") or {}
    return tuple(w for w in WINDOWS if w in (meta.get("windows") or {}))


def workspace_path(args: argparse.Namespace) -> Path:
    """Return the workspace the arguments name, or the default one."""
    path: Path | None = args.workspace
    return path or default_workspace_path()


def workspace_of(args: argparse.Namespace) -> Workspace:
    """Open the workspace the arguments name, or the default one."""
    return Workspace(workspace_path(args))


def checked_out(path: Path, *, option: str = "--out") -> Path:
    """Refuse, before any work, a file to write whose folder is missing or read-only."""
    folder = path.parent
    try:
        is_folder = path.is_dir()
    except OSError as error:  # a name too long, a loop of links
        raise InputError(f"{option} {path}: not a file name that can be written "
                         f"({error.strerror}); choose a shorter one") from None
    if is_folder:
        raise InputError(f"{option} {path}: this is a folder; give the file to write in it, "
                         f"e.g. {option} {path / ('fichier' + path.suffix)}")
    if not folder.is_dir():
        raise InputError(f"{option} {path}: there is no folder {folder} "
                         f"({folder.resolve()}); create it first, or check the path")
    if not os.access(folder, os.W_OK):
        raise InputError(f"{option} {path}: you may not write in the folder {folder}; choose "
                         "a folder you may write to")
    return path


@contextmanager
def writing(path: Path, *, option: str = "--out") -> Iterator[None]:
    """Turn a failed write of ``path`` (a folder read-only, a disk full) into a message."""
    try:
        yield
    except TerritoryError:
        raise
    except (OSError, pyogrio.errors.DataSourceError) as error:
        reason = getattr(error, "strerror", None) or (
            str(error).strip().splitlines() or [type(error).__name__])[0][:200]
        if getattr(error, "filename", None):
            reason += f": {error.filename}"
        raise InputError(f"{option} {path}: the file cannot be written ({reason}); choose a "
                         "folder you may write to, with room left on its disk") from None


def run_command(args: argparse.Namespace) -> int:
    """Run the parsed command; return the exit code, with a message instead of a traceback."""
    run: Callable[[argparse.Namespace], None] = args.run
    try:
        run(args)
    except TerritoryError as error:
        print(f"territory {args.command}: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrompu", file=sys.stderr)
        return EXIT_INTERRUPTED
    return 0


def scale_engine(what: str = "--engine dask") -> Any:
    """Return :mod:`territory.scale`, imported on demand (an optional extra, slow to import)."""
    try:
        from territory import scale
    except ImportError as error:
        raise InputError(f"{what} needs the scale extra ({error}); install it with "
                         "pip install 'territory[scale]'") from None
    return scale


def checked_reference(reference: Path) -> dict[str, Any]:
    """Return the manifest of a reference base (``--reference``), once its layers are checked.

    Raises
    ------
    InputError
        If the file is missing, is not a GeoPackage, lacks a layer or its manifest.
    """
    from territory.io import geodata

    if not reference.exists():
        raise InputError(f"--reference {reference}: no such file; build one with "
                         "territory geodata build --region CODE[,CODE…]|all --out FILE.gpkg")
    try:
        present = {str(name) for name, _ in pyogrio.list_layers(reference)}
    except pyogrio.errors.DataSourceError:
        raise InputError(f"--reference {reference}: not a GeoPackage; expected a base built "
                         "by territory geodata build") from None
    missing = [name for name in geodata.LAYERS if name not in present]
    if missing:
        raise InputError(f"--reference {reference}: no layer {', '.join(missing)}; expected "
                         "a base built by territory geodata build")
    try:
        manifest: dict[str, Any] = geodata.read_manifest(reference)
    except (OSError, ValueError):
        raise InputError(f"--reference {reference}: no manifest beside it "
                         f"({reference.with_suffix('.manifest.json').name}); build the base "
                         "with territory geodata build") from None
    return manifest
