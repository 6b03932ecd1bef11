"""``territory impact``: the effect of outreach on the young people in contact with the MLs.

``territory impact [--level commune|epci|catchment] [--outcome reached|mobilise|accompagne]
[--mode …] [--threshold-min M] [--out FILE.{csv,json,png,pdf}]`` runs the study of
:func:`territory.analysis.impact.impact` (staggered difference-in-differences, Callaway &
Sant'Anna 2021, bootstrap clustered by Mission Locale) and prints its reading in French, the
placebo months, the consortium comparison and how many MLs have an estimate of their own.
``--out`` writes the published figures (CSV, JSON) or the event-study chart (PNG, PDF);
figures resting on fewer young people than the secrecy threshold are left out.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from territory._errors import InputError
from territory.cli._common import add_mode_option, checked_out, params_of, workspace_of, writing

__all__ = ["register", "run"]

FORMATS = (".csv", ".json", ".png", ".pdf")
LAYERS = ("communes", "mairies", "catchments", "catchment_members", "actions", "contacts",
          "first_contacts", "travel_times", "transit_feeds")


def register(subparsers: Any, parents: Sequence[argparse.ArgumentParser]) -> None:
    """Add the ``impact`` command to the command line's subparsers."""
    parser = subparsers.add_parser(
        "impact", parents=parents,
        help="bilan d'impact: young people in contact where outreach started, against "
        "comparable zones where it had not started yet")
    parser.add_argument("--level", choices=("commune", "epci", "catchment"),
                        default="commune", help="the zones compared (default: commune)")
    parser.add_argument("--outcome", choices=("reached", "mobilise", "accompagne"),
                        default="reached", help="young people in first contact (reached, "
                        "default), or those mobilised or accompanied")
    add_mode_option(parser)
    parser.add_argument("--threshold-min", type=float, default=None, metavar="M",
                        help="reach of a kind of action whose contacts are too few to learn "
                        "it (default 30, the France Services standard)")
    parser.add_argument("--bootstrap", type=int, default=None, metavar="N",
                        help="bootstrap draws (default 999)")
    parser.add_argument("--out", type=Path, default=None,
                        help="FILE.csv or FILE.json (figures), FILE.png or FILE.pdf (chart)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> None:
    """Run the study and print its reading; write ``--out`` when asked."""
    from territory.analysis.impact import BOOTSTRAP, impact

    suffix = args.out.suffix.lower() if args.out is not None else None
    if args.out is not None:
        if suffix not in FORMATS:
            raise InputError(f"--out {args.out}: unknown format {suffix!r}; expected one of "
                             f"{', '.join(FORMATS)}")
        checked_out(args.out)
    if args.bootstrap is not None and args.bootstrap < 99:
        raise InputError(f"--bootstrap {args.bootstrap}: at least 99 draws are needed for a "
                         "95 % interval")
    workspace = workspace_of(args)
    present = set(workspace.layers())
    layers = {name: workspace.read(name) for name in LAYERS if name in present}
    study = impact(layers, level=args.level, outcome=args.outcome, params=params_of(args),
                   bootstrap=args.bootstrap or BOOTSTRAP)
    demo = workspace.is_demo()
    _print(study, demo=demo)
    if args.out is not None:
        with writing(args.out):
            _write(study, args.out, demo=demo)
        print(f"Écrit : {args.out}")


def _print(study: Any, *, demo: bool) -> None:
    print(("[données fictives] " if demo else "") + study.words())
    print(f"Période relevée : {study.months[0]} à {study.months[1]} (source : "
          f"{study.source}) ; zones traitées : {study.treated_zones}, jamais traitées dans la "
          f"période : {study.control_zones}.")
    if study.consortium is not None and study.consortium.published:
        c = study.consortium
        print(f"Consortium IN Système contre les autres ML : {c.att:+.2f} pour 1 000 jeunes "
              f"par mois (intervalle {c.low:.2f} à {c.high:.2f}).".replace(".", ","))
    elif study.consortium_reason:
        print(f"Consortium contre les autres ML : pas d’estimation ({study.consortium_reason}).")
    if len(study.by_ml):
        has = study.by_ml["att"].notna() & study.by_ml["published"].fillna(False).astype(bool)
        print(f"Missions Locales avec une estimation propre : {int(has.sum())} sur "
              f"{len(study.by_ml)} (les autres : trop peu de zones comparables).")


def _write(study: Any, path: Path, *, demo: bool) -> None:
    from territory.viz.impact import event_study_figure, impact_json, impact_table
    from territory.viz.tables import neutralise_formulas

    suffix = path.suffix.lower()
    if suffix == ".csv":
        table = impact_table(study)
        table["key"] = neutralise_formulas(table["key"].astype(str))
        if demo:
            table.insert(0, "données", "données fictives")
        table.to_csv(path, index=False)
    elif suffix == ".json":
        path.write_text(json.dumps(impact_json(study, demo=demo), ensure_ascii=False, indent=1,
                                   default=_plain), encoding="utf-8")
    else:
        event_study_figure(study, demo=demo).savefig(path)


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not JSON: {value!r}")
