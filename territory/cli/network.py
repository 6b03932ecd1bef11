"""``territory network build`` and ``territory network show``: routed travel minutes.

``build`` reads the user's OpenStreetMap extract (``--osm FILE.osm.pbf``), routes every
commune's origin to every destination point on foot, by bike and by car, and stores the
minutes within the cutoff in the workspace; with GTFS feeds (``--gtfs FEED.zip``, repeated),
it adds public transport from the timetables over the departure windows (walking on the
extract's paths when ``--osm`` is given too); ``show`` prints what is stored.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from territory._errors import InputError
from territory.analysis.travel import WINDOWS
from territory.cli._common import workspace_of

if TYPE_CHECKING:
    from territory.network import TransitOptions, TransitSummary

__all__ = ["print_transit", "register", "run"]

MODES_HELP = "modes, separated by commas (default walk,bike,car)"
MODE_LABELS = {"walk": "à pied", "bike": "à vélo", "car": "en voiture"}


def register(subparsers: Any, parents: Sequence[argparse.ArgumentParser]) -> None:
    """Add the ``network`` command to the command line's subparsers."""
    network = subparsers.add_parser(
        "network", help="routed travel minutes from an OpenStreetMap extract and GTFS "
        "timetables")
    sub = network.add_subparsers(dest="network_command", required=True, metavar="ACTION")
    build = sub.add_parser(
        "build", parents=parents,
        help="route every commune to every site, outreach place and town hall",
        description="Read an OpenStreetMap extract, route on foot, by bike and by car; read "
        "GTFS feeds, compute public transport over departure windows; store the minutes "
        "within the cutoff in the workspace.")
    build.add_argument("--osm", type=Path, metavar="FILE.osm.pbf",
                       help="OpenStreetMap extract covering the workspace (e.g. Geofabrik's "
                       "nouvelle-aquitaine-latest.osm.pbf)")
    build.add_argument("--gtfs", type=Path, action="append", metavar="FEED.zip",
                       help="a GTFS feed (regional coaches, TER, urban network; repeat the "
                       "option for several, e.g. the region's aggregated feed from "
                       "transport.data.gouv.fr): public transport from the timetables")
    build.add_argument("--date", type=_date, metavar="YYYY-MM-DD",
                       help="with --gtfs, the weekday (Monday to Friday) whose timetable is "
                       "read; the Saturday window takes the Saturday after it (default: the "
                       "busiest weekday the feeds share)")
    build.add_argument("--windows", default=",".join(WINDOWS),
                       help="with --gtfs, departure windows separated by commas: "
                       + ", ".join(f"{k} ({w.label})" for k, w in WINDOWS.items())
                       + " (default all)")
    build.add_argument("--max-rides", type=int, default=3,
                       help="with --gtfs, most vehicles boarded in one trip (default 3, "
                       "r5r's default)")
    build.add_argument("--max-walk-minutes", type=float, default=20.0,
                       help="with --gtfs, longest walk to a stop, from a stop or between two "
                       "stops (default 20)")
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
    if args.osm is None and not args.gtfs:
        raise InputError("nothing to build from: give an OpenStreetMap extract "
                         "(--osm FILE.osm.pbf), GTFS feeds (--gtfs FEED.zip), or both")
    if args.osm is not None and not args.gtfs:
        _build_roads(args)
        return
    if args.osm is not None and args.modes:
        _build_roads(args)
    _build_transit(args)


def _build_roads(args: argparse.Namespace) -> None:
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


def _build_transit(args: argparse.Namespace) -> None:
    from territory.network import TransitOptions, build_transit

    windows = [w.strip() for w in args.windows.split(",") if w.strip()]
    options = TransitOptions(max_min=args.max_minutes, max_rides=args.max_rides,
                             access_min=args.max_walk_minutes)
    summary = build_transit(workspace_of(args), args.gtfs, date=args.date,
                            osm_path=args.osm, windows=windows, options=options,
                            progress=not args.quiet)
    print_transit(summary, options, windows)


def print_transit(summary: TransitSummary, options: TransitOptions,
                  windows: Sequence[str]) -> None:
    """Print what a timetable build computed and stored, in French."""
    print(f"Transports en commun calculés sur les horaires en {summary.seconds:.0f} s "
          f"(RAPTOR, {summary.stops} arrêts).")
    for feed in summary.feeds:
        print(f"  {_feed_line(feed)}")
    saturday = _fr_date(summary.saturday) if summary.saturday else "aucun samedi commun"
    print(f"Jour de semaine : {_fr_date(summary.weekday)} ; samedi : {saturday}.")
    print(f"Marche {summary.walk}.")
    if summary.no_stop:
        print(f"Attention : {_n(summary.no_stop)} communes sur {_n(summary.origins)} "
              f"({_n(round(summary.no_stop_youth))} jeunes de 16 à 25 ans) n'ont aucun arrêt "
              f"à moins de {_n(options.access_min)} min à pied : en transports en commun, "
              "elles n'ont que la marche. Si un réseau (car, TER, urbain) y passe, ajoutez "
              "son fichier GTFS avec --gtfs.")
    for window in windows:
        if window in summary.windows:
            print(f"  {WINDOWS[window].label} : {_n(summary.windows[window])} paires à "
                  f"{_n(options.max_min)} min ou moins (médiane)")
        else:
            print(f"  {WINDOWS[window].label} : non calculée (aucun samedi de service "
                  "commun aux horaires)")
    print(f"Enregistré dans {summary.workspace} (tables travel_times et transit_feeds).")


def _show(args: argparse.Namespace) -> None:
    from territory.network import read_transit, read_travel_times

    workspace = workspace_of(args)
    times = read_travel_times(workspace)
    transit = read_transit(workspace)
    if times is None and transit is None:
        raise InputError(f"{workspace.path}: no travel times stored; build them with "
                         "`territory network build --osm FILE.osm.pbf` or "
                         "`--gtfs FEED.zip`")
    print(f"Temps de trajet de {workspace.path}")
    if times is not None:
        print(f"  source : {times.source} (OpenStreetMap), calculés le {times.built}")
        print(f"  moteur : {times.engine}")
        print(f"  seuil : {_n(times.max_min)} min ; {len(times.destinations)} destinations")
        for mode, pairs in times.pairs().items():
            print(f"  {MODE_LABELS[mode]} : {_n(pairs)} paires")
    if transit is not None:
        print(f"  transports en commun : horaires GTFS, calculés le {transit['built']} "
              f"({transit['engine']})")
        for feed in transit["feeds"]:
            print(f"    {_feed_line(feed)}")
        saturday = transit.get("saturday")
        print(f"    jour de semaine {_fr_date(transit['weekday'])}"
              + (f", samedi {_fr_date(saturday)}" if saturday else ""))
        print(f"    marche {transit['walk']} ; au plus {transit['max_rides']} véhicules ; "
              f"médiane et {transit['percentile']}e centile des départs de chaque minute")
        for window, pairs in transit["windows"].items():
            print(f"    {WINDOWS[window].label} : {_n(pairs)} paires")


def _feed_line(feed: dict[str, Any]) -> str:
    agencies = ", ".join(feed.get("agencies") or []) or "réseau sans nom"
    start = _fr_date(feed["start"]) if feed.get("start") else "?"
    end = _fr_date(feed["end"]) if feed.get("end") else "?"
    return (f"{feed['file']} ({agencies}) : valable du {start} au {end}, "
            f"{_n(feed['stops'])} arrêts, {_n(feed['routes'])} lignes, "
            f"{_n(feed['trips'])} courses")


def _fr_date(value: dt.date | str) -> str:
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    return day.strftime("%d/%m/%Y")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


def _n(value: float) -> str:
    """Return a number as French text (thin spaces between thousands, decimal comma)."""
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return text.replace(",", "\u202f").replace(".", ",")
