"""Import a Mission Locale's own files into the workspace, or say precisely why not.

``import_file("actions", "actions.csv", workspace=...)`` reads the file whatever its format
(CSV with ``;``, ``,`` or tabs in UTF-8 or Windows-1252, XLSX, GeoJSON, GeoPackage,
Shapefile), matches its headers to the workspace contract, refuses personal data, checks every
row, then replaces the layer in one transaction, keeping the previous version for
:meth:`Workspace.undo`. Every problem is listed at once in one :class:`InputError`; nothing is
written unless the import succeeds.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from territory._errors import InputError, Problem
from territory.io._columns import Columns, field_for, parse_mapping, resolve_columns
from territory.io._context import Built, Context
from territory.io._datafrance import sha256_file
from territory.io._import_catchments import build_catchments
from territory.io._import_contacts import build_contacts
from territory.io._import_mobility import build_mobility
from territory.io._import_points import build_actions, build_sites
from territory.io._import_youth import POPULATION_COLUMN, build_youth
from territory.io._personal import find_personal, new_key, personal_message
from territory.io._problems import Findings, capped
from territory.io._readers import Table, check_file, read_table
from territory.io._schema import empty_layer
from territory.io._values import as_text, normalise
from territory.io.keys import METADATA as PSEUDONYMS
from territory.io.keys import key_id, keys_of, save_keys
from territory.io.workspace import Workspace

__all__ = ["COUNTS_LAYER", "KINDS", "LAYERS", "ImportReport", "import_file",
           "keep_contact_counts"]

KINDS = ("catchments", "sites", "actions", "contacts", "youth", "mobility")
# Young people counted per commune and period, kept instead of contacts too many to hold.
COUNTS_LAYER = "contact_counts"
LAYERS = {"catchments": ("catchments", "catchment_members"), "sites": ("sites",),
          "actions": ("actions",), "contacts": ("contacts",), "youth": ("communes",),
          "mobility": ("communes",)}
REJECTS_SUFFIX = ".rejets.csv"


@dataclass(frozen=True)
class ImportReport:
    """What an import read, imported, skipped and rejected; ``str()`` is a French summary.

    Examples
    --------
    >>> print(ImportReport("actions", "actions.csv", ("actions",), rows_read=412,
    ...                    imported=410, rejected=2, rejects_file=Path("actions.rejets.csv")))
    actions.csv : 412 lignes lues, 410 importées, 2 rejetées (voir actions.rejets.csv)
      · couche actions remplacée ; la version précédente est gardée (territory undo)
    """

    kind: str
    file: str
    layers: tuple[str, ...]
    rows_read: int
    imported: int
    rejected: int
    skipped: int = 0
    rejects_file: Path | None = None
    unchanged: bool = False
    dry_run: bool = False
    notes: tuple[str, ...] = ()

    def __str__(self) -> str:
        if self.unchanged:
            return (f"{self.file} : déjà importé, rien n'a changé (couche "
                    f"{', '.join(self.layers)})")
        parts = [_count(self.rows_read, "ligne lue", "lignes lues"),
                 _count(self.imported, "importée", "importées")]
        if self.skipped:
            parts.append(f"{_fr(self.skipped)} hors région")
        rejected = _count(self.rejected, "rejetée", "rejetées")
        if self.rejects_file is not None:
            rejected += f" (voir {self.rejects_file.name})"
        lines = [f"{self.file} : {', '.join([*parts, rejected])}"]
        lines += [f"  · {note}" for note in self.notes]
        if self.dry_run:
            lines.append("  · essai à blanc (--dry-run) : rien n'a été écrit")
        else:
            lines.append(f"  · couche {', '.join(self.layers)} remplacée ; la version "
                         "précédente est gardée (territory undo)")
        return "\n".join(lines)


def _fr(number: int) -> str:
    return f"{number:,}".replace(",", "\u202f")


def _count(number: int, one: str, many: str) -> str:
    return f"{_fr(number)} {one if number <= 1 else many}"


def import_file(
    kind: str,
    path: Path | str,
    *,
    workspace: Workspace | Path | str,
    dry_run: bool = False,
    accept_partial: bool = False,
    drop_personal: bool = False,
    mapping: Sequence[str] = (),
    sheet: str | None = None,
    column: str | None = None,
    today: dt.date | None = None,
) -> ImportReport:
    r"""Import one file of a Mission Locale into a workspace layer.

    Parameters
    ----------
    kind
        ``catchments``, ``sites``, ``actions``, ``contacts``, ``youth`` or ``mobility`` (the
        share of young people without a car, by commune).
    path
        The file: CSV, XLSX, GeoJSON, GeoPackage or Shapefile (zipped or not).
    workspace
        The workspace; a path where there is none yet gets a new workspace of the region.
    dry_run
        Check and report, write nothing.
    accept_partial
        Import the good rows and write the others, with their reasons, to
        ``<stem>.rejets.csv`` beside the file; without it any bad row fails the import.
    drop_personal
        Leave out columns holding personal data instead of refusing the file.
    mapping
        ``source=target`` pairs naming the field a header holds (``"Jour=date"``).
    sheet
        The spreadsheet sheet (or GeoPackage layer) to read; default the first.
    column
        For ``youth``: the population column to use (default ``P??_POP1524``, then
        ``P??_POP1529``).
    today
        The date after which a date is "in the future" (default today).

    Returns
    -------
    ImportReport
        Rows read, imported, skipped (outside the region) and rejected.

    Raises
    ------
    InputError
        Every problem found, with file, row and column; the workspace is unchanged.

    Examples
    --------
    >>> table = tmp_path / "actions.csv"
    >>> _ = table.write_text("Date;Code INSEE;Type;Jeunes rencontrés;ML\n"
    ...                      "12/03/2021;23096;maraude;4;ML01\n"
    ...                      "13/03/2021;99999;maraude;2;ML01\n", encoding="utf-8")
    >>> report = import_file("actions", table, workspace=demo_path, accept_partial=True)
    >>> report.imported, report.rejected
    (1, 1)
    """
    if kind not in KINDS:
        raise InputError(f"unknown import {kind!r}; expected one of {list(KINDS)}")
    path = Path(path)
    request = _Request(kind, path, dry_run, accept_partial, drop_personal, tuple(mapping),
                       sheet, column, today or dt.date.today())
    check_file(path)
    ws_path = workspace.path if isinstance(workspace, Workspace) else Path(workspace)
    if ws_path.exists():
        return _import(Workspace(ws_path), request)
    if dry_run:
        with tempfile.TemporaryDirectory() as tmp:
            return _import(Workspace.create(Path(tmp) / "territoire.gpkg"), request)
    created = Workspace.create(ws_path)
    try:
        report = _import(created, request)
    except BaseException:
        ws_path.unlink(missing_ok=True)
        ws_path.with_name(f".{ws_path.name}.lock").unlink(missing_ok=True)
        raise
    return replace(report, notes=(*report.notes, f"espace de travail créé : {ws_path}"))


@dataclass(frozen=True)
class _Request:
    kind: str
    path: Path
    dry_run: bool
    accept_partial: bool
    drop_personal: bool
    mapping: tuple[str, ...]
    sheet: str | None
    column: str | None
    today: dt.date

    @property
    def options(self) -> dict[str, Any]:
        """The options that change what an import of the same file gives."""
        return {"map": sorted(self.mapping), "sheet": self.sheet, "column": self.column,
                "drop_personal": self.drop_personal}


def _import(workspace: Workspace, request: _Request) -> ImportReport:
    sha = sha256_file(request.path)
    layers = LAYERS[request.kind]
    done = _previous_import(workspace, request, sha)
    if done is not None:
        return done
    table = read_table(request.path, sheet=request.sheet, is_header=_header_test(request))
    findings, columns = _checked_table(table, request)
    # The keys of the pseudonyms live out of the workspace (territory.io.keys); a workspace
    # gets its own at its first import of contacts.
    keys = keys_of(workspace.metadata(), workspace.path) if request.kind == "contacts" else []
    fresh = [new_key()] if request.kind == "contacts" and not keys else []
    built = _build(findings, columns, Context(workspace, request.today, request.column),
                   [*keys, *fresh], request.kind)
    rejected = findings.bad_rows
    skipped = built.skipped - rejected
    imported = len(table.rows) - len(rejected) - len(skipped)
    problems = findings.all()
    if findings.file_problems or (rejected and not request.accept_partial):
        raise _refused(table.file, problems)
    if imported == 0:
        raise _refused(table.file, [*problems, table.problem("no row can be imported")])
    rejects = (request.path.with_name(request.path.stem + REJECTS_SUFFIX) if rejected
               else None)
    report = ImportReport(request.kind, table.file, layers, len(table.rows), imported,
                          len(rejected), len(skipped), rejects, dry_run=request.dry_run,
                          notes=(*table.notes, *built.notes))
    if request.dry_run:
        return replace(report, rejects_file=None)
    info = {"file": table.file, "sha256": sha, "import_kind": request.kind,
            "import_options": request.options,
            "rows": {"read": report.rows_read, "imported": imported,
                     "rejected": report.rejected, "skipped": report.skipped},
            **built.layer_info}
    extra: dict[str, Any] = {}
    if fresh:
        save_keys(fresh, workspace=workspace.path)  # before the workspace names it
        extra = {PSEUDONYMS: {"keys": [key_id(k) for k in fresh]}}
    if rejects is not None:
        _write_rejects(findings, rejects)
    written = dict(built.layers)
    if request.kind == "contacts" and COUNTS_LAYER in workspace.layers():
        # Contacts replace the counts kept of earlier contacts (Parquet imports).
        written[COUNTS_LAYER] = empty_layer(COUNTS_LAYER)
    workspace.write(written, demo=False, source=f"import {request.kind} : {table.file}",
                    layer_info=info, metadata={**built.metadata, **extra}, keep_previous=True)
    return report


def _previous_import(workspace: Workspace, request: _Request, sha: str) -> ImportReport | None:
    """Return the report of the last import if it was this file with these options."""
    info = workspace.metadata().get("layers", {}).get(LAYERS[request.kind][0], {})
    if (info.get("sha256") != sha or info.get("import_kind") != request.kind
            or info.get("import_options") != request.options):
        return None
    rows = info.get("rows", {})
    return ImportReport(request.kind, request.path.name, LAYERS[request.kind],
                        rows.get("read", 0), rows.get("imported", 0), rows.get("rejected", 0),
                        rows.get("skipped", 0), unchanged=True, dry_run=request.dry_run)


def _header_test(request: _Request) -> Callable[[str], bool]:
    mapped = {normalise(pair.rpartition("=")[0]) for pair in request.mapping}

    def is_header(cell: str) -> bool:
        known = field_for(request.kind, cell) not in (None, "ignored")
        return bool(cell) and (known or normalise(cell) in mapped
                               or bool(POPULATION_COLUMN.fullmatch(cell)))

    return is_header


def _checked_table(table: Table, request: _Request) -> tuple[Findings, Columns]:
    """Match the headers and refuse (or drop) personal data: problems about the whole file."""
    mapping, map_problems = parse_mapping(request.mapping, kind=request.kind, file=table.file)
    columns = resolve_columns(table.headers, kind=request.kind, file=table.file,
                              mapping=mapping)
    personal = find_personal(table.cells, table.rows, kind=request.kind,
                             known=columns.matched_by_name)
    if personal and request.drop_personal:
        table = table.drop_columns([c.header for c in personal])
        table.notes.append("colonne(s) de données personnelles écartée(s) : "
                           + ", ".join(c.header for c in personal))
        columns = resolve_columns(table.headers, kind=request.kind, file=table.file,
                                  mapping=mapping)
        personal = []
    findings = Findings(table)
    findings.file_problems.extend([*map_problems, *columns.problems])
    for column in personal:
        findings.whole_file(personal_message(column), column=column.header)
    if not table.rows:
        findings.whole_file("the file has a header but no data row; expected one row per "
                            "record below the header")
        raise _refused(table.file, findings.all())
    return findings, columns


def _build(findings: Findings, columns: Columns, ctx: Context, keys: list[str],
           kind: str) -> Built:
    if kind == "catchments":
        return build_catchments(findings, columns, ctx)
    if kind == "sites":
        return build_sites(findings, columns, ctx)
    if kind == "actions":
        return build_actions(findings, columns, ctx)
    if kind == "contacts":
        return build_contacts(findings, columns, ctx, keys=keys)
    if kind == "mobility":
        return build_mobility(findings, columns, ctx)
    return build_youth(findings, columns, ctx)


def _write_rejects(findings: Findings, out: Path) -> None:
    """Write the rejected rows beside the input: original columns, `ligne`, `motif`."""
    table = findings.table
    rows = sorted(findings.bad_rows)
    frame = table.cells.iloc[rows].map(as_text).reset_index(drop=True)
    frame["ligne"] = [table.rows[p] for p in rows]
    frame["motif"] = [findings.reasons(p) for p in rows]
    try:
        frame.to_csv(out, sep=";", index=False, encoding="utf-8-sig")
    except OSError as error:
        raise InputError([table.problem(
            f"the rejected rows cannot be written to {out} ({error.strerror}); nothing was "
            "imported: copy the file to a folder you can write to, or fix the rows")]) from None


def _refused(file: str, problems: list[Problem]) -> InputError:
    """Return one error listing every problem (capped), headed by their count."""
    heading = Problem(f"{len(problems)} problem{'s' if len(problems) > 1 else ''}; nothing was "
                      "imported, the workspace is unchanged", file=file)
    return InputError([heading, *capped(problems)])


def keep_contact_counts(workspace: Workspace, counts: pd.DataFrame, *, source: str,
                        layer_info: dict[str, Any]) -> None:
    """Keep young people counted per commune and period in place of the contacts.

    The counts replace layer ``contact_counts`` and the ``contacts`` layer is emptied, in one
    transaction; :meth:`Workspace.undo` brings both back.
    """
    workspace.write({COUNTS_LAYER: counts, "contacts": empty_layer("contacts")}, demo=False,
                    source=source, layer_info=layer_info, keep_previous=True)
