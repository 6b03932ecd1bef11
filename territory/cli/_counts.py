"""``territory import contacts FILE.parquet``: contacts too many to keep, counted on Dask.

Contacts in Parquet (a file, or a folder of them: ``code_insee`` tables or GeoParquet points,
see :func:`territory.scale.contact_files`) are counted per commune on a Dask cluster, for the
whole record and each ``--period``. The workspace keeps these counts (layer
``contact_counts``) and no contact: not one identifier, and a few thousand rows instead of
millions. Its ``contacts`` layer is emptied in the same transaction, so the indicators, the
plans and the maps read the counts; ``territory undo`` brings both layers back as they were.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from territory._errors import InputError
from territory.analysis import as_period, parse_period, period_key
from territory.cli._common import scale_engine, workspace_of
from territory.io.codes import attach_counted_codes
from territory.io.importing import COUNTS_LAYER, keep_contact_counts

__all__ = ["import_parquet_contacts", "is_parquet"]

_NOT_FOR_PARQUET = (("--map", "map"), ("--sheet", "sheet"), ("--column", "column"),
                    ("--accept-partial", "accept_partial"))


def is_parquet(path: Path) -> bool:
    """Tell whether ``path`` is a ``.parquet`` file or a folder (of Parquet files)."""
    return path.is_dir() or path.suffix.lower() in {".parquet", ".parq", ".geoparquet"}


def _label(key: str) -> str:
    return key.replace(":", " → ") if key else "toute la période"


def import_parquet_contacts(args: argparse.Namespace) -> str:
    """Count the Parquet contacts of ``args.file`` and keep the counts in the workspace.

    Returns the French report printed by the command.
    """
    for option, name in _NOT_FOR_PARQUET:
        if getattr(args, name):
            raise InputError(f"{option}: not for contacts in Parquet (their columns are "
                             "contact_id, date, code_insee or a point, stage); leave it out")
    periods: list[Any] = [None] + [parse_period(text) for text in args.period]
    for period in periods:
        as_period(period)
    workspace = workspace_of(args)
    if not workspace.path.exists() or "communes" not in workspace.layers():
        raise InputError(f"{workspace.path}: no workspace with communes here; create it "
                         "first (territory demo, or territory import catchments FILE)")
    scale = scale_engine("territory import contacts FILE.parquet")
    files = scale.contact_files(args.file)
    communes = workspace.read("communes")
    with scale.cluster(args.scheduler) as client:
        counts = scale.count_periods(files, communes, client=client, periods=periods)
    counts, attached = attach_counted_codes(counts, workspace)
    whole = counts[counts["period"] == period_key(None)]
    outside = int(whole.loc[~whole["code_insee"].isin(communes["code_insee"]),
                            "repere"].sum())
    lines = [f"contacts (Parquet) : {args.file} — {len(files.files)} fichier(s), "
             f"{len(files.pieces)} groupe(s) de lignes, comptés sur Dask"]
    for key, rows in counts.groupby("period", sort=True):
        lines.append(f"  {_label(str(key))} : {int(rows['repere'].sum()):,} jeunes dans "
                     f"{len(rows):,} communes".replace(",", "\u202f"))
    if outside:
        lines.append(f"  dont {outside:,} jeunes domiciliés hors des communes de l'espace "
                     "de travail".replace(",", "\u202f"))
    if attached:
        lines.append(f"  {attached}")
    if args.dry_run:
        return "\n".join([*lines, "Essai (--dry-run) : rien n'a été écrit."])
    info = {"file": str(args.file), "import_kind": "contacts (Parquet)",
            "files": len(files.files), "row_groups": len(files.pieces),
            "periods": sorted(set(counts["period"])), "engine": "dask"}
    keep_contact_counts(workspace, counts,
                        source=f"import contacts : {args.file} (Parquet, comptés sur Dask)",
                        layer_info=info)
    return "\n".join([*lines, f"Couche {COUNTS_LAYER} écrite dans {workspace.path}, sans aucun "
                      "contact ni identifiant (« territory undo » revient en arrière)."])
