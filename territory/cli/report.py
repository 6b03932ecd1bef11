"""``territory report``: the director's report of the region or of one Mission Locale.

``territory report --out rapport.pdf [--ml CODE] [--workspace PATH] [--period A:B]
[--threshold-min 30] [--date YYYY-MM-DD]`` writes a PDF, PNG pages (``rapport.png`` gives
``rapport-1.png``, ``rapport-2.png``, …) or one self-contained HTML file.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from territory._errors import InputError
from territory.analysis import parse_period
from territory.cli._common import (
    add_mode_option,
    checked_out,
    params_of,
    workspace_of,
    writing,
)

__all__ = ["LAYERS", "register", "run"]

# Every layer the report reads; those absent from a workspace are left out.
LAYERS = ("communes", "mairies", "departements", "region", "catchments", "catchment_members",
          "contact_counts",
          "sites", "actions", "contacts", "travel_times", "transit_feeds")


def register(subparsers: Any, parents: Sequence[argparse.ArgumentParser]) -> None:
    """Add the ``report`` command to the command line's subparsers."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "report", parents=parents, help="write the director's report (PDF, PNG pages or HTML)")
    parser.add_argument("--out", type=Path, required=True,
                        help="FILE.pdf, FILE.html, or FILE.png for one image per page "
                        "(FILE-1.png, FILE-2.png, …)")
    parser.add_argument("--ml", default=None,
                        help="report on one Mission Locale (ml_code) instead of the region")
    parser.add_argument("--period", default=None,
                        help="A:B, both included, e.g. 2020-01:2021-11 (default: all data)")
    add_mode_option(parser)
    parser.add_argument("--threshold-min", type=float, default=30.0,
                        help="access threshold in minutes (default 30, France Services)")
    parser.add_argument("--date", default=None,
                        help="date printed on the report, YYYY-MM-DD (default: today)")
    parser.set_defaults(run=run)


def _parse_date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"--date {text!r}: expected YYYY-MM-DD, e.g. 2026-03-15") from None


def run(args: argparse.Namespace) -> None:
    """Write the report the arguments ask for and say where it is."""
    # Loaded here, not at import: `territory --help` and the other commands start without
    # matplotlib.
    from territory.analysis import as_period
    from territory.analysis.period import public_period_error
    from territory.report import build_report
    from territory.report.document import check_suffix
    from territory.viz.labels import format_number

    check_suffix(args.out)
    checked_out(args.out)
    period = parse_period(args.period)
    as_period(period)
    date = _parse_date(args.date)
    workspace = workspace_of(args)
    present = set(workspace.layers())
    layers = {name: workspace.read(name) for name in LAYERS if name in present}
    # A report is public and shows communes: the whole record only.
    contacts = layers.get("contacts")
    refused = public_period_error(
        period, [] if contacts is None or "date" not in contacts else [contacts["date"]])
    if refused:
        raise InputError(refused)
    report = build_report(layers, metadata=workspace.metadata(), ml_code=args.ml,
                          period=period, threshold_min=args.threshold_min, date=date,
                          mode=args.mode, window=params_of(args).window)
    with writing(args.out):
        paths = report.write(args.out)
    size = format_number(sum(p.stat().st_size for p in paths) / 1e6, decimals=1)
    where = str(paths[0]) if len(paths) == 1 else f"{paths[0]} … {paths[-1].name}"
    print(f"Rapport écrit : {where} ({len(report.pages)} pages, {size} Mo)")
