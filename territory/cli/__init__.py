"""The ``territory`` command line.

Every command works on one workspace (``--workspace``, default ``$TERRITORY_WORKSPACE`` or
``./territoire.gpkg``). Exit code 0 on success, 2 on bad input with a message that names the
file, row and column, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from territory import _cli_import, _cli_indicators, _cli_plan, _cli_report, _cli_serve
from territory._errors import InputError, TerritoryError, WorkspaceError
from territory._french import area_name
from territory.io.workspace import Workspace, default_workspace_path

__all__ = ["main"]

EXIT_BAD_INPUT = 2


def _workspace_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--workspace", type=Path, default=None,
        help="workspace GeoPackage (default: $TERRITORY_WORKSPACE or ./territoire.gpkg)",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="territory",
        description="Couverture territoriale des Missions Locales : où les jeunes invisibles "
        "sont-ils le moins atteints ?",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="build a demo workspace (données fictives) of the region")
    _workspace_arg(demo)
    demo.add_argument("--seed", type=int, default=2019, help="random seed (default 2019)")
    demo.set_defaults(run=_cmd_demo)

    init = sub.add_parser(
        "init", help="create an empty workspace from a reference base (default: the region)",
        description="Create an empty workspace (reference layers, empty user layers) from the "
        "shipped Nouvelle-Aquitaine base, or from a base built by `territory geodata build` "
        "(other regions, several, or all of France).")
    _workspace_arg(init)
    init.add_argument("--reference", type=Path, default=None,
                      help="reference GeoPackage (default: geodata/nouvelle-aquitaine.gpkg)")
    init.set_defaults(run=_cmd_init)

    fmap = sub.add_parser("map", help="write a standalone HTML map of the workspace")
    _workspace_arg(fmap)
    fmap.add_argument("--out", type=Path, required=True, help="HTML file to write")
    fmap.add_argument("--ml", default=None, help="limit the map to one Mission Locale (ml_code)")
    fmap.set_defaults(run=_cmd_map)

    geodata = sub.add_parser("geodata", help="the reference base (communes, EPCI, town halls)")
    geosub = geodata.add_subparsers(dest="geodata_command", required=True, metavar="ACTION")
    build = geosub.add_parser("build", help="rebuild the reference base from its source")
    build.add_argument("--region", default="75",
                       help="INSEE region code, several separated by commas (75,52), or "
                       "'all' for France (default 75)")
    build.add_argument("--out", type=Path, default=None, help="GeoPackage to write")
    build.set_defaults(run=_cmd_geodata_build)

    # The other commands live in their own modules.
    _cli_import.register(sub)
    _cli_indicators.register(sub)
    _cli_plan.register(sub)
    _cli_report.register(sub)
    _cli_serve.register(sub)
    return parser


def _cmd_demo(args: argparse.Namespace) -> None:
    from territory.demo import build_demo

    path = args.workspace or default_workspace_path()
    if path.exists() and not _is_demo_workspace(path):
        raise WorkspaceError(
            f"{path}: this workspace holds data that are not demo data; "
            "choose another path with --workspace (the demo never overwrites real data)"
        )
    started = time.perf_counter()
    workspace = Workspace.create(path, overwrite=True)
    summary = build_demo(workspace, seed=args.seed)
    print(f"Espace de travail de démonstration : {path}")
    print(summary)
    print(f"({time.perf_counter() - started:.1f} s)")


def _cmd_init(args: argparse.Namespace) -> None:
    import pyogrio

    from territory.io import geodata

    path = args.workspace or default_workspace_path()
    reference = args.reference or geodata.REGION_PATH
    if not reference.exists():
        raise InputError(f"--reference {reference}: no such file; build one with "
                         "territory geodata build --region CODE[,CODE…]|all --out FILE.gpkg")
    if path.exists():
        raise WorkspaceError(f"{path}: a workspace exists already; choose another path with "
                             "--workspace, or move this one away (nothing is overwritten)")
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
        manifest = geodata.read_manifest(reference)
    except (OSError, ValueError):
        raise InputError(f"--reference {reference}: no manifest beside it "
                         f"({reference.with_suffix('.manifest.json').name}); build the base "
                         "with territory geodata build") from None
    workspace = Workspace.create(path, reference=reference)
    communes, region = workspace.read("communes"), workspace.read("region")
    area = area_name(region["nom"].astype(str).tolist())
    def number(n: int) -> str:
        return f"{n:,}".replace(",", "\u202f")

    print(f"Espace de travail créé : {path} — {area}, {number(len(communes))} communes, "
          f"population {number(int(communes['population'].sum()))} (INSEE "
          f"{manifest.get('population_vintage', '')}) ; base {reference.name}")


def _is_demo_workspace(path: Path) -> bool:
    try:
        return Workspace(path).is_demo()
    except Exception:
        return False


def _cmd_map(args: argparse.Namespace) -> None:
    from territory.viz import workspace_map, write_html

    workspace = Workspace(args.workspace or default_workspace_path())
    layers = {name: workspace.read(name) for name in ("communes", "catchments", "sites",
                                                        "actions")}
    if args.ml is not None:
        layers = _one_ml(layers, args.ml, workspace)
    layers["area"] = area_name(workspace.read("region")["nom"].astype(str).tolist())
    fmap = workspace_map(
        layers["communes"], catchments=layers["catchments"], sites=layers["sites"],
        actions=layers["actions"], demo=workspace.is_demo(),
        title=_map_title(layers, args.ml),
    )
    size = write_html(fmap, args.out)
    print(f"Carte écrite : {args.out} ({size / 1e6:.1f} Mo) — ouvrez-la dans un navigateur.")


def _one_ml(layers: dict, ml_code: str, workspace: Workspace) -> dict:
    members = workspace.read("catchment_members")
    known = sorted(members["ml_code"].unique())
    if ml_code not in known:
        raise WorkspaceError(
            f"{workspace.path}: no Mission Locale {ml_code!r} in layer `catchments`; "
            f"expected one of {known}"
        )
    codes = set(members.loc[members["ml_code"] == ml_code, "code_insee"])
    return {
        "communes": layers["communes"][layers["communes"]["code_insee"].isin(codes)],
        **{name: layers[name][layers[name]["ml_code"] == ml_code]
           for name in ("catchments", "sites", "actions")},
    }


def _map_title(layers: dict, ml_code: str | None) -> str:
    if ml_code is None or layers["catchments"].empty:
        return f"{layers['area']} — Missions Locales"
    return str(layers["catchments"]["ml_name"].iloc[0])


def _cmd_geodata_build(args: argparse.Namespace) -> None:
    from territory.io import geodata

    codes = None if args.region == "all" else [c.strip() for c in args.region.split(",")]
    if codes == [geodata.REGION_CODE] and args.out is None:
        out, manifest_path = geodata.REGION_PATH, geodata.MANIFEST_PATH
    else:
        name = "france" if codes is None else "region-" + "-".join(codes)
        out = args.out or Path(f"{name}.gpkg")
        manifest_path = out.with_suffix(".manifest.json")
    manifest = geodata.build_region(out, region_codes=codes, manifest_path=manifest_path)
    rows = ", ".join(f"{k} {v['rows']}" for k, v in manifest["layers"].items())
    print(f"{out} : {rows} ; population {manifest['population_total']:,}".replace(",", " "))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    run: Callable[[argparse.Namespace], None] = args.run
    try:
        run(args)
    except TerritoryError as error:
        print(f"territory {args.command}: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrompu", file=sys.stderr)
        return 130
    return 0
