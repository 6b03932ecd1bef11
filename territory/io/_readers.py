"""Read a user's file as it comes: CSV (any separator, UTF-8 or Windows-1252), XLSX, GIS files.

Every reader returns a :class:`Table`: the header as written, the cells as read, and for each
row the number the user sees in their spreadsheet (CSV: the header is row 1; XLSX: the sheet
row; GIS files: the feature number).
"""

from __future__ import annotations

import csv
import io
import string
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio

from territory._errors import InputError, Problem
from territory.io._values import as_text, is_blank

__all__ = ["Table", "read_table"]

HEADER_SEARCH_ROWS = 20
_SEPARATORS = (";", ",", "\t", "|")
_CONTROL_SHARE = 0.02
_SIGNATURES = {
    b"PK\x03\x04": "zip",
    b"\xd0\xcf\x11\xe0": "xls",
    b"SQLite format 3\x00": "gpkg",
    b"\x00\x00\x27\x0a": "shp",
    b"%PDF": "pdf",
}
_GIS_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp", ".fgb", ".gml", ".kml"}
_SPREADSHEET_FIX = "save it as CSV (separator ';') or as an Excel workbook (.xlsx)"


@dataclass
class Table:
    """A user's file read as text cells, with the row numbers the user sees."""

    file: str
    path: Path
    fmt: str
    cells: pd.DataFrame
    rows: list[int]
    geometry: gpd.GeoSeries | None = None
    row_problems: dict[int, list[Problem]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def headers(self) -> list[str]:
        """The column headers as written (duplicates numbered: ``Date (2)``)."""
        return [str(c) for c in self.cells.columns]

    def problem(self, message: str, *, row: int | None = None,
                column: str | None = None) -> Problem:
        """Return a problem located in this file."""
        return Problem(message, file=self.file, row=row, column=column)

    def drop_columns(self, columns: list[str]) -> Table:
        """Return the table without ``columns``."""
        return Table(self.file, self.path, self.fmt, self.cells.drop(columns=columns),
                     self.rows, self.geometry, self.row_problems, self.notes)


def read_table(
    path: Path,
    *,
    sheet: str | None = None,
    is_header: Callable[[str], bool] = lambda _: False,
) -> Table:
    """Read ``path`` whatever its format; ``is_header`` helps find a header below a title.

    Raises
    ------
    InputError
        The file is missing, empty, not a format territory reads, or the sheet is unknown.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError([Problem(f"no such file ({path.resolve()}); check the path",
                                  file=path.name)])
    data = path.read_bytes()
    if not data.strip():
        raise InputError([Problem("the file is empty; expected a header row and one row per "
                                  "record", file=path.name)])
    kind = _kind(path, data)
    if kind == "xlsx":
        return _read_xlsx(path, sheet=sheet, is_header=is_header)
    if kind == "gis":
        return _read_gis(path, layer=sheet)
    if kind != "csv":
        raise InputError([Problem(kind, file=path.name)])
    table = _read_csv(path, data, is_header=is_header)
    if sheet is not None:
        table.notes.append(f"--sheet {sheet} ignoré : {path.name} est un fichier CSV")
    return table


def _kind(path: Path, data: bytes) -> str:
    """Return 'csv', 'xlsx' or 'gis', or the message saying why the file cannot be read."""
    signature = next((k for s, k in _SIGNATURES.items() if data.startswith(s)), None)
    if signature == "zip":
        return _zip_kind(path)
    if signature == "xls":
        return ("this is an old Excel workbook (.xls), which territory does not read; "
                + _SPREADSHEET_FIX)
    if signature in ("gpkg", "shp"):
        return "gis"
    if signature == "pdf":
        return f"this is a PDF document, not a table; export the table and {_SPREADSHEET_FIX}"
    if path.suffix.lower() in _GIS_SUFFIXES:
        return "gis"
    return "csv"


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            mimetype = archive.read("mimetype").decode() if "mimetype" in names else ""
    except zipfile.BadZipFile:
        return "this looks like a damaged zip archive; export the file again"
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    if any(n.lower().endswith((".shp", ".gpkg", ".geojson")) for n in names):
        return "gis"
    if "opendocument" in mimetype:
        return f"this is an OpenDocument (LibreOffice) file; {_SPREADSHEET_FIX}"
    return ("this zip archive holds neither a spreadsheet nor a shapefile; expected a zipped "
            "shapefile (.shp, .shx, .dbf, .prj)")


# -- CSV ---------------------------------------------------------------------------------------
def _decode(path: Path, data: bytes) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "UTF-16"
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "Latin-1"


def _check_text(path: Path, text: str) -> None:
    sample = text[:20_000]
    control = sum(1 for c in sample if c not in "\t\r\n" and (ord(c) < 32 or c == "\x7f"))
    if "\x00" in sample or control > _CONTROL_SHARE * len(sample):
        raise InputError([Problem(
            "this is not a text (CSV) file, nor a spreadsheet or GIS file territory reads; "
            f"expected CSV, XLSX, GeoJSON, GeoPackage or Shapefile — {_SPREADSHEET_FIX}",
            file=path.name)])


def _separator(text: str) -> str:
    """Return the separator that splits most lines into the same number of columns."""
    lines = [line for line in text.splitlines()[:HEADER_SEARCH_ROWS] if line.strip()]

    def score(sep: str) -> tuple[int, int]:
        counts = [len(next(csv.reader([line], delimiter=sep))) - 1 for line in lines]
        usual = Counter(c for c in counts if c > 0).most_common(1)
        return (usual[0][1], usual[0][0]) if usual else (0, 0)

    best = max(_SEPARATORS, key=score)
    return best if score(best)[0] > 0 else ";"


def _read_csv(path: Path, data: bytes, *, is_header: Callable[[str], bool]) -> Table:
    text, encoding = _decode(path, data)
    _check_text(path, text)
    sep = _separator(text)
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    numbered = [(i + 1, [c.strip() for c in r]) for i, r in enumerate(records)]
    table = _from_records(path, "csv", numbered, is_header=is_header)
    if encoding not in ("UTF-8",):
        table.notes.append(f"encodage {encoding} reconnu")
    return table


# -- XLSX --------------------------------------------------------------------------------------
def _read_xlsx(path: Path, *, sheet: str | None, is_header: Callable[[str], bool]) -> Table:
    import openpyxl  # noqa: PLC0415 (only spreadsheets need it)

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:
        raise InputError([Problem(f"this workbook cannot be opened ({error}); {_SPREADSHEET_FIX}",
                                  file=path.name)]) from None
    try:
        names = list(book.sheetnames)
        if sheet is not None and sheet not in names:
            raise InputError([Problem(f"no sheet {sheet!r}; the workbook has {names}; choose one "
                                      "with --sheet NAME", file=path.name)])
        worksheet = book[sheet] if sheet is not None else book.worksheets[0]
        numbered = [(i, list(r)) for i, r in
                    enumerate(worksheet.iter_rows(min_row=1, values_only=True), start=1)]
    finally:
        book.close()
    table = _from_records(path, "xlsx", numbered, is_header=is_header,
                          what=f"the sheet {worksheet.title!r}")
    if sheet is None and len(names) > 1:
        table.notes.append(f"feuille « {names[0]} » lue (autres feuilles : "
                           f"{', '.join(names[1:])} ; choisir avec --sheet)")
    return table


# -- common to CSV and XLSX --------------------------------------------------------------------
def _from_records(
    path: Path, fmt: str, numbered: list[tuple[int, list[Any]]],
    *, is_header: Callable[[str], bool], what: str = "the file",
) -> Table:
    filled = [(n, r) for n, r in numbered if any(not is_blank(c) for c in r)]
    if not filled:
        raise InputError([Problem(f"{what} is empty; expected a header row and one row per "
                                  "record", file=path.name)])
    start = next((i for i, (_, r) in enumerate(filled[:HEADER_SEARCH_ROWS])
                  if any(is_header(as_text(c)) for c in r)), 0)
    header_row, header = filled[start]
    named = max(i for i, c in enumerate(header) if not is_blank(c)) + 1
    body = filled[start + 1:]
    width = max([named, *(len(r) for _, r in body)])
    names = _header_names([as_text(c) for c in header[:named]] + [""] * (width - named))
    cells = pd.DataFrame([list(r) + [None] * (width - len(r)) for _, r in body],
                         columns=names, dtype=object)
    if cells.empty:
        cells = pd.DataFrame({n: pd.Series([], dtype=object) for n in names})
    table = Table(path.name, path, fmt, cells, [n for n, _ in body])
    if fmt == "csv":
        _flag_long_rows(table, [len(r) for _, r in body], named)
    extra = [n for n in names[named:] if fmt == "csv" or table.cells[n].map(is_blank).all()]
    table.cells = table.cells.drop(columns=extra)
    if start:
        table.notes.append(f"en-tête trouvé ligne {header_row} (lignes de titre ignorées)")
    return table


def _header_names(raw: list[str]) -> list[str]:
    names: list[str] = []
    for i, written in enumerate(raw):
        base = written.lstrip("\ufeff").strip() or f"(colonne {_letters(i)})"
        name, n = base, 2
        while name in names:
            name, n = f"{base} ({n})", n + 1
        names.append(name)
    return names


def _letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = string.ascii_uppercase[rest] + letters
    return letters


def _flag_long_rows(table: Table, lengths: list[int], named: int) -> None:
    """Flag rows longer than the header (and than the others): an unquoted separator."""
    usual = Counter(lengths).most_common(1)[0][0] if lengths else named
    for pos, length in enumerate(lengths):
        if length <= named:
            continue
        beyond = table.cells.iloc[pos, named:]
        if length != usual or not beyond.map(is_blank).all():
            table.row_problems.setdefault(pos, []).append(table.problem(
                f"has {length} values where the header has {named} columns; a value probably "
                "contains the separator: put such values in quotes, or re-export the file "
                "from Excel", row=table.rows[pos]))


# -- GIS files ---------------------------------------------------------------------------------
def _read_gis(path: Path, *, layer: str | None) -> Table:
    try:
        layers = [str(n) for n in pyogrio.list_layers(path)[:, 0]]
    except Exception as error:
        raise InputError([Problem(f"this GIS file cannot be opened ({_short(error)}); expected "
                                  "GeoJSON, GeoPackage or Shapefile (zipped or not)",
                                  file=path.name)]) from None
    if layer is not None and layer not in layers:
        raise InputError([Problem(f"no layer {layer!r}; the file has {layers}; choose one with "
                                  "--sheet NAME", file=path.name)])
    chosen = layer or layers[0]
    try:
        frame = pyogrio.read_dataframe(path, layer=chosen)
    except Exception as error:
        raise InputError([Problem(f"layer {chosen!r} cannot be read ({_short(error)})",
                                  file=path.name)]) from None
    geometry = frame.geometry if isinstance(frame, gpd.GeoDataFrame) else None
    attributes = pd.DataFrame(frame.drop(columns=frame.geometry.name)
                              if geometry is not None else frame)
    cells = attributes.astype(object).where(attributes.notna(), None)
    cells.columns = _header_names([str(c) for c in cells.columns])
    table = Table(path.name, path, "gis", cells.reset_index(drop=True),
                  list(range(1, len(cells) + 1)),
                  geometry.reset_index(drop=True) if geometry is not None else None)
    if layer is None and len(layers) > 1:
        table.notes.append(f"couche « {chosen} » lue (autres : {', '.join(layers[1:])} ; "
                           "choisir avec --sheet)")
    return table


def _short(error: Exception) -> str:
    return str(error).splitlines()[0][:200]
