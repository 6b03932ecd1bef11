"""``territory indicators``: the indicator table of a level, to CSV, GeoPackage or JSON."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from tqdm import tqdm

from territory._errors import InputError
from territory.analysis import indicators, parse_period
from territory.analysis.period import public_period_error
from territory.cli._common import (
    add_mode_option,
    checked_out,
    params_of,
    scale_engine,
    workspace_of,
    writing,
)
from territory.io.workspace import Workspace

__all__ = ["load_layers", "register", "run"]

LAYERS = ("communes", "mairies", "sites", "actions", "contacts", "contact_counts",
          "catchment_members",
          "catchments", "epci", "departements", "travel_times", "transit_feeds")
FORMATS = (".csv", ".gpkg", ".json")
ENGINES = ("local", "dask")
DEMO_NOTICE = "données fictives"


def register(subparsers: Any, parents: Sequence[argparse.ArgumentParser]) -> None:
    """Add the ``indicators`` command to the command line's subparsers."""
    parser = subparsers.add_parser("indicators", parents=parents,
                                   help="indicator table of every zone of a level")
    parser.add_argument("--level", default="commune",
                        help="commune, epci, catchment, departement or h3:6 … h3:8")
    parser.add_argument("--period", default=None, metavar="A:B",
                        help="months included, e.g. 2020-01:2021-06 (default: everything)")
    parser.add_argument("--threshold-min", type=float, default=None,
                        help="access threshold in minutes (default 30, France Services)")
    add_mode_option(parser)
    parser.add_argument("--public", action="store_true",
                        help="mask small counts (< 11) and what would reveal them")
    parser.add_argument("--engine", choices=ENGINES, default="local",
                        help="computation engine: local (one process, default) or dask "
                        "(a Dask cluster; needs the scale extra)")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="with --engine dask: address of a running Dask scheduler, e.g. "
                        "tcp://10.0.0.5:8786 (default: a local cluster sized to the machine)")
    parser.add_argument("--contacts-parquet", type=Path, default=None, metavar="PATH",
                        help="with --engine dask: read contacts from Parquet (a file or a "
                        "folder of them; code_insee tables or GeoParquet points) instead of "
                        "the workspace")
    parser.add_argument("--out", type=Path, required=True, help="FILE.csv, FILE.gpkg or "
                        "FILE.json")
    parser.set_defaults(run=run)


def load_layers(workspace: Workspace) -> dict[str, pd.DataFrame]:
    """Read the layers the indicators need (those the workspace has)."""
    present = set(workspace.layers())
    return {name: workspace.read(name) for name in LAYERS if name in present}


def run(args: argparse.Namespace) -> None:
    """Compute the table and write it in the format the file name asks for."""
    suffix = args.out.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"--out {args.out}: unknown format {suffix!r}; expected one of "
                         f"{', '.join(FORMATS)}")
    _check_engine(args)
    checked_out(args.out)
    workspace = workspace_of(args)
    steps = tqdm(total=3, desc="indicateurs", unit="étape", disable=None, leave=False)
    layers = load_layers(workspace)
    steps.update()
    options: dict[str, Any] = {"level": args.level, "period": parse_period(args.period),
                               "params": params_of(args), "public": args.public}
    if args.public:
        refused = public_period_error(options["period"], _dates(layers), level=args.level)
        if refused:
            raise InputError(refused)
    if args.engine == "dask":
        table = scale_engine().indicators(layers, contacts=args.contacts_parquet,
                                    scheduler=args.scheduler, **options)
    else:
        table = indicators(layers, **options)
    steps.update()
    demo = workspace.is_demo()
    with writing(args.out):
        _WRITERS[suffix](table, args.out, demo=demo, public=args.public)
    steps.update()
    steps.close()
    notice = f" — {DEMO_NOTICE}" if demo else ""
    print(f"{args.out} : {len(table)} zones ({args.level}){notice}")


def _check_engine(args: argparse.Namespace) -> None:
    if args.engine != "dask":
        for option, value in (("--scheduler", args.scheduler),
                              ("--contacts-parquet", args.contacts_parquet)):
            if value is not None:
                raise InputError(f"{option} needs --engine dask (got --engine {args.engine})")


def _with_notice(frame: pd.DataFrame, *, demo: bool) -> pd.DataFrame:
    return frame.assign(avertissement=DEMO_NOTICE) if demo else frame


def _dates(layers: dict[str, Any]) -> list[Any]:
    """Return the dates of the contacts: a public table's years are theirs."""
    contacts = layers.get("contacts")
    return [] if contacts is None or "date" not in contacts else [contacts["date"]]


def _write_csv(table: gpd.GeoDataFrame, path: Path, *, demo: bool, public: bool) -> None:
    # The director's downloads write the same file. Imported here: territory.viz brings
    # folium, which `territory --help` does not need.
    from territory.viz.tables import indicator_csv

    path.write_bytes(indicator_csv(table, demo=demo))


def _write_gpkg(table: gpd.GeoDataFrame, path: Path, *, demo: bool, public: bool) -> None:
    path.unlink(missing_ok=True)
    frame = _with_notice(table, demo=demo)
    gpd.GeoDataFrame(frame, geometry="geometry", crs=table.crs).to_file(
        path, layer="indicateurs", driver="GPKG", engine="pyogrio")


def _write_json(table: gpd.GeoDataFrame, path: Path, *, demo: bool, public: bool) -> None:
    frame = pd.DataFrame(table.drop(columns="geometry"))
    document = {
        "level": table.attrs.get("level"),
        "demo": demo,
        "avertissement": DEMO_NOTICE if demo else None,
        "public": public,
        "sources": _records(pd.DataFrame(table.attrs.get("sources", []))),
        "zones": _records(frame),
    }
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1, default=str))


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return list(json.loads(frame.to_json(orient="records", force_ascii=False)))


_WRITERS = {".csv": _write_csv, ".gpkg": _write_gpkg, ".json": _write_json}
