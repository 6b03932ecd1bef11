"""Read a user's file as it comes: CSV (any separator, UTF-8 or Windows-1252), XLSX, GIS files.

Every reader returns a :class:`Table`: the header as written, the cells as read, and for each
row the number the user sees in their spreadsheet (CSV: the header is row 1; XLSX: the sheet
row; GIS files: the feature number).

Large files are read a chunk of rows at a time, never whole in memory as text: the cells of a
CSV column are kept as Arrow strings, or, in a column of few distinct values (dates, kinds,
codes), as references to one copy of each value, so that a table takes about the size of
its file. An archive (a zipped shapefile, an XLSX workbook) is refused before anything is
extracted from it when its members would expand beyond :data:`MAX_EXPANDED_BYTES`, or one of
them more than :data:`MAX_RATIO` times.
"""

from __future__ import annotations

import array
import codecs
import csv
import string
import zipfile
from collections import Counter
from collections.abc import Callable, Generator, Iterable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyogrio

from territory._errors import InputError, Problem, TerritoryError
from territory.io._values import as_text, is_blank

__all__ = ["MAX_EXPANDED_BYTES", "MAX_RATIO", "Table", "check_file", "read_table",
           "text_array"]

HEADER_SEARCH_ROWS = 20
# An archive whose members add up to more than this is refused unread: 512 MiB holds a full
# Excel sheet (1,048,576 rows) of a dozen columns, or a region's communes at full precision.
MAX_EXPANDED_BYTES = 512 * 2**20
# A member expanding more than this many times is refused when it is larger than
# RATIO_FLOOR_BYTES: spreadsheets and shapefiles as exported compress well under 100 times.
MAX_RATIO = 100
RATIO_FLOOR_BYTES = 32 * 2**20
# Rows read before their cells are stored column by column.
CHUNK_ROWS = 50_000
_READ_BYTES = 2**20
_SAMPLE_CHARS = 20_000
_SAMPLE_LINE_CHARS = 2**16
# A text column with at most this share of distinct values keeps one copy of each value.
_DISTINCT_SHARE = 0.25
try:
    _TEXT = pd.StringDtype("pyarrow", na_value=np.nan)
except TypeError:  # pandas before 2.3 names the same type so
    _TEXT = pd.StringDtype("pyarrow_numpy")  # type: ignore[call-overload]
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
_WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}
_SPREADSHEET_FIX = "save it as CSV (separator ';') or as an Excel workbook (.xlsx)"
# What a damaged or hostile zip archive raises while its directory or a member is read.
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError,
               NotImplementedError, RuntimeError, KeyError)


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
        The file is missing, empty, not a format territory reads, an archive that would
        expand too much, or the sheet is unknown.
    """
    path = Path(path)
    check_file(path)
    try:
        with open(path, "rb") as stream:
            head = stream.read(_READ_BYTES)
            blank = not head.strip() and _only_blanks(stream)
        if blank:
            raise InputError([Problem("the file is empty; expected a header row and one row "
                                      "per record", file=path.name)])
        kind = _kind(path, head)
        if kind == "xlsx":
            return _read_xlsx(path, sheet=sheet, is_header=is_header)
        if kind == "gis":
            return _read_gis(path, layer=sheet)
        if kind != "csv":
            raise InputError([Problem(kind, file=path.name)])
        table = _read_csv(path, head, is_header=is_header)
    except OSError as error:
        raise InputError([Problem(f"the file cannot be read ({error.strerror or error}); check "
                                  "that it is there and that you may read it",
                                  file=path.name)]) from None
    if sheet is not None:
        table.notes.append(f"--sheet {sheet} ignoré : {path.name} est un fichier CSV")
    return table


def text_array(values: Iterable[str], size: int) -> Any:
    """Return ``size`` texts as a compact column (Arrow strings), made one at a time."""
    return pd.array(pa.array(values, type=pa.large_string(), size=size), dtype=_TEXT)


def check_file(path: Path) -> None:
    """Refuse, naming it, a file that is not there (or whose name no file can have)."""
    try:
        there = path.is_file()
    except OSError as error:  # a name too long, a loop of links
        raise InputError([Problem(f"not a file name that can be read ({error.strerror}); "
                                  "check the path", file=path.name[:80])]) from None
    if not there:
        raise InputError([Problem(f"no such file ({path.resolve()}); check the path",
                                  file=path.name)])


def _only_blanks(stream: Any) -> bool:
    """Whether the rest of a binary stream holds nothing but spaces and line breaks."""
    while chunk := stream.read(_READ_BYTES):
        if chunk.strip():
            return False
    return True


def _kind(path: Path, head: bytes) -> str:
    """Return 'csv', 'xlsx' or 'gis', or the message saying why the file cannot be read."""
    signature = next((k for s, k in _SIGNATURES.items() if head.startswith(s)), None)
    suffix = path.suffix.lower()
    if signature == "zip":
        return _zip_kind(path)
    if signature in ("gpkg", "shp") or (signature is None and suffix in _GIS_SUFFIXES):
        return "gis"
    messages = {
        "xls": ("this is an old Excel workbook (.xls), which territory does not read; "
                + _SPREADSHEET_FIX),
        "pdf": f"this is a PDF document, not a table; export the table and {_SPREADSHEET_FIX}",
        "workbook": (f"this file is named {path.suffix} but is not an Excel workbook (an "
                     f"{path.suffix} file is a zip archive, this one is not: it is damaged, or "
                     "another format renamed); if it is a CSV file, rename it to .csv, "
                     f"otherwise open it in its program and {_SPREADSHEET_FIX}"),
    }
    if signature is None and suffix in _WORKBOOK_SUFFIXES:
        signature = "workbook"
    return messages.get(signature or "", "csv")


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            _check_expansion(path, members)
            names = [member.filename for member in members]
            mimetype = ""
            if "mimetype" in names:
                with archive.open("mimetype") as member:
                    mimetype = member.read(200).decode("ascii", errors="replace")
    except TerritoryError:
        raise
    except _ZIP_ERRORS:
        return "this looks like a damaged zip archive; export the file again"
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    if any(n.lower().endswith((".shp", ".gpkg", ".geojson")) for n in names):
        return "gis"
    if "opendocument" in mimetype:
        return f"this is an OpenDocument (LibreOffice) file; {_SPREADSHEET_FIX}"
    return ("this zip archive holds neither a spreadsheet nor a shapefile; expected a zipped "
            "shapefile (.shp, .shx, .dbf, .prj)")


def _check_expansion(path: Path, members: list[zipfile.ZipInfo]) -> None:
    """Refuse an archive that would expand too much, from its directory alone."""
    expanded = sum(member.file_size for member in members)
    if expanded > MAX_EXPANDED_BYTES:
        raise InputError([Problem(
            f"this archive would expand to {_size(expanded)} (its {len(members)} member(s) "
            f"added up), more than the {_size(MAX_EXPANDED_BYTES)} territory reads from an "
            "archive; nothing was extracted. Send the files it holds unzipped, or only the "
            "one to import", file=path.name)])
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_FLOOR_BYTES and ratio > MAX_RATIO:
            raise InputError([Problem(
                f"{member.filename!r} in this archive would expand {ratio:,.0f} times "
                f"({_size(member.compress_size)} to {_size(member.file_size)}), where a "
                f"spreadsheet or a shapefile as exported expands less than {MAX_RATIO} times: "
                "the archive is damaged or made to fill the memory; nothing was extracted. "
                "Export the file again", file=path.name)])


def _size(n: int) -> str:
    return f"{n / 2**20:,.1f} MB" if n >= 2**20 else f"{n / 2**10:,.1f} KB"


# -- CSV ---------------------------------------------------------------------------------------
def _encoding(path: Path, head: bytes) -> tuple[str, str]:
    """Return the codec that decodes the whole file, and its name for the user."""
    candidates = [("utf-8-sig", "UTF-8"), ("cp1252", "Windows-1252")]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates.insert(0, ("utf-16", "UTF-16"))
    for codec, name in candidates:
        if _decodes(path, codec):
            return codec, name
    return "latin-1", "Latin-1"


def _decodes(path: Path, codec: str) -> bool:
    decoder = codecs.getincrementaldecoder(codec)()
    try:
        with open(path, "rb") as stream:
            while chunk := stream.read(_READ_BYTES):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _check_text(path: Path, sample: str) -> None:
    control = sum(1 for c in sample if c not in "\t\r\n" and (ord(c) < 32 or c == "\x7f"))
    if "\x00" in sample or control > _CONTROL_SHARE * len(sample):
        raise InputError([Problem(
            "this is not a text (CSV) file, nor a spreadsheet or GIS file territory reads; "
            f"expected CSV, XLSX, GeoJSON, GeoPackage or Shapefile — {_SPREADSHEET_FIX}",
            file=path.name)])


def _separator(lines: list[str]) -> str:
    """Return the separator that splits most lines into the same number of columns."""
    def score(sep: str) -> tuple[int, int]:
        counts = []
        for line in lines:
            try:
                counts.append(len(next(csv.reader([line], delimiter=sep))) - 1)
            except (csv.Error, StopIteration):
                continue
        usual = Counter(c for c in counts if c > 0).most_common(1)
        return (usual[0][1], usual[0][0]) if usual else (0, 0)

    best = max(_SEPARATORS, key=score)
    return best if score(best)[0] > 0 else ";"


def _first_lines(path: Path, codec: str) -> tuple[str, list[str]]:
    """Return the file's first characters and first non-blank lines (each cut if very long)."""
    with open(path, encoding=codec, newline="") as stream:
        sample = stream.read(_SAMPLE_CHARS)
        stream.seek(0)
        lines: list[str] = []
        while len(lines) < HEADER_SEARCH_ROWS and (line := stream.readline(_SAMPLE_LINE_CHARS)):
            if line.strip():
                lines.append(line)
    return sample, lines


def _read_csv(path: Path, head: bytes, *, is_header: Callable[[str], bool]) -> Table:
    codec, encoding = _encoding(path, head)
    sample, lines = _first_lines(path, codec)
    _check_text(path, sample)
    with closing(_csv_records(path, codec, _separator(lines))) as records:
        table = _gather(path, "csv", records, is_header=is_header, filled=any)
    if encoding not in ("UTF-8",):
        table.notes.append(f"encodage {encoding} reconnu")
    return table


def _csv_records(path: Path, codec: str,
                 sep: str) -> Generator[tuple[int, list[str]], None, None]:
    """Yield each record of a CSV file, numbered from 1, its cells stripped of spaces."""
    with open(path, encoding=codec, newline="") as stream:
        reader = csv.reader(stream, delimiter=sep)
        row = 0
        try:
            for record in reader:
                row += 1
                yield row, [cell.strip() for cell in record]
        except csv.Error as error:
            raise InputError([_csv_problem(path, row + 1, reader.line_num, error)]) from None


def _csv_problem(path: Path, row: int, line: int, error: csv.Error) -> Problem:
    if "field limit" in str(error):
        return Problem(
            f"a value is longer than {csv.field_size_limit():,} characters, from this row on "
            f"(line {line} of the file): a quote (\") opened and never closed, or a cell "
            "far too long; check the quotes of this row and shorten its cells",
            file=path.name, row=row)
    return Problem(f"this row cannot be read as CSV ({error}, line {line} of the file); "
                   f"{_SPREADSHEET_FIX}", file=path.name, row=row)


# -- XLSX --------------------------------------------------------------------------------------
def _read_xlsx(path: Path, *, sheet: str | None, is_header: Callable[[str], bool]) -> Table:
    import openpyxl  # noqa: PLC0415 (only spreadsheets need it)

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises anything at all on a damaged workbook
        raise InputError([Problem(f"this workbook cannot be opened ({_short(error)}); "
                                  f"{_SPREADSHEET_FIX}", file=path.name)]) from None
    what = "the workbook"
    try:
        names = list(book.sheetnames)
        if sheet is not None and sheet not in names:
            raise InputError([Problem(f"no sheet {sheet!r}; the workbook has {names}; choose one "
                                      "with --sheet NAME", file=path.name)])
        worksheet = book[sheet] if sheet is not None else book.worksheets[0]
        what = f"the sheet {worksheet.title!r}"
        records = ((i, list(r)) for i, r in
                   enumerate(worksheet.iter_rows(min_row=1, values_only=True), start=1))
        table = _gather(path, "xlsx", records, is_header=is_header, filled=_filled, what=what)
    except TerritoryError:
        raise
    except Exception as error:  # a damaged sheet: XML cut short, a bad member, a chart sheet
        raise InputError([Problem(f"{what} cannot be read ({_short(error)}); open the workbook "
                                  f"in Excel and save it again, or {_SPREADSHEET_FIX}",
                                  file=path.name)]) from None
    finally:
        book.close()
    if sheet is None and len(names) > 1:
        table.notes.append(f"feuille « {names[0]} » lue (autres feuilles : "
                           f"{', '.join(names[1:])} ; choisir avec --sheet)")
    return table


# -- common to CSV and XLSX --------------------------------------------------------------------
def _filled(cells: list[Any]) -> bool:
    return any(not is_blank(c) for c in cells)


def _gather(
    path: Path, fmt: str, records: Iterable[tuple[int, list[Any]]],
    *, is_header: Callable[[str], bool], filled: Callable[[list[Any]], bool],
    what: str = "the file",
) -> Table:
    """Find the header among the first filled rows, then gather the rows below it."""
    records = iter(records)
    first: list[tuple[int, list[Any]]] = []
    for row, cells in records:
        if filled(cells):
            first.append((row, cells))
            if len(first) == HEADER_SEARCH_ROWS:
                break
    if not first:
        raise InputError([Problem(f"{what} is empty; expected a header row and one row per "
                                  "record", file=path.name)])
    start = next((i for i, (_, r) in enumerate(first)
                  if any(is_header(as_text(c)) for c in r)), 0)
    header_row, header = first[start]
    named = max(i for i, c in enumerate(header) if not is_blank(c)) + 1
    body = _Body(named, text=fmt == "csv")
    for row, cells in first[start + 1:]:
        body.add(row, cells)
    for row, cells in records:
        if filled(cells):
            body.add(row, cells)
    columns = body.columns()
    names = _header_names([as_text(c) for c in header[:named]]
                          + [""] * (len(columns) - named))
    cells_frame = pd.DataFrame(dict(zip(names, columns, strict=True)), copy=False)
    table = Table(path.name, path, fmt, cells_frame, body.rows.tolist())
    if fmt == "csv":
        _flag_long_rows(table, body)
    else:
        extra = [n for n in names[named:] if table.cells[n].map(is_blank).all()]
        table.cells = table.cells.drop(columns=extra)
    if start:
        table.notes.append(f"en-tête trouvé ligne {header_row} (lignes de titre ignorées)")
    return table


class _Body:
    """The rows below the header, gathered a chunk at a time into one array per column.

    A CSV keeps the columns the header names (the cells beyond are only checked, then
    dropped) as text: a column of few distinct values (dates, kinds, codes) as references to
    one copy of each, any other as Arrow strings. A sheet keeps every column, its cells as
    read.
    """

    def __init__(self, named: int, *, text: bool) -> None:
        self.named = named
        self.text = text
        # Machine integers while reading: Python's, made at the end, then sit side by side.
        self.rows = array.array("q")
        # CSV: how many rows have each number of cells, and the rows longer than the header
        # (position, number of cells, whether a cell beyond the header is filled).
        self.lengths: Counter[int] = Counter()
        self.long: list[tuple[int, int, bool]] = []
        self._chunk: list[list[Any]] = []
        self._parts: list[list[Any]] = []
        self._starts: list[int] = []
        # For each text column still kept as shared values: each distinct value, once.
        self._distinct: list[dict[Any, Any] | None] = []
        self._stored = 0

    def add(self, row: int, cells: list[Any]) -> None:
        """Add one filled row of the body."""
        if self.text:
            length = len(cells)
            self.lengths[length] += 1
            if length > self.named:
                self.long.append((len(self.rows), length, any(cells[self.named:])))
                cells = cells[:self.named]
        self.rows.append(row)
        self._chunk.append(cells)
        if len(self._chunk) >= CHUNK_ROWS:
            self._store()

    def _store(self) -> None:
        chunk, self._chunk = self._chunk, []
        if not chunk:
            return
        width = self.named if self.text else max(self.named, *map(len, chunk))
        padded = [r if len(r) == width else [*r, *[None] * (width - len(r))] for r in chunk]
        self._stored += len(chunk)
        for j, values in enumerate(zip(*padded, strict=True)):
            if j == len(self._parts):
                self._parts.append([])
                self._starts.append(self._stored - len(chunk))
                self._distinct.append({} if self.text else None)
            if self.text:
                self._store_text(j, values)
            else:
                self._parts[j].append(np.array(values, dtype=object))
        for j in range(width, len(self._parts)):
            self._parts[j].append(np.full(len(chunk), None, dtype=object))

    def _store_text(self, j: int, values: tuple[str | None, ...]) -> None:
        distinct = self._distinct[j]
        if distinct is None:
            self._parts[j].append(pa.array(values, type=pa.large_string()))
            return
        shared = np.empty(len(values), dtype=object)
        shared[:] = [distinct.setdefault(v, v) for v in values]
        self._parts[j].append(shared)
        if len(distinct) > _DISTINCT_SHARE * self._stored:
            # Too many distinct values to gain from sharing them: Arrow strings from now on.
            self._parts[j] = [pa.array(part, type=pa.large_string()) for part in self._parts[j]]
            self._distinct[j] = None

    def columns(self) -> list[Any]:
        """Return one array per column, in order (the header's columns at least)."""
        self._store()
        result: list[Any] = []
        for parts, start, distinct in zip(self._parts, self._starts, self._distinct,
                                          strict=True):
            if distinct is None and self.text:
                result.append(pd.array(pa.chunked_array(parts, type=pa.large_string()),
                                       dtype=_TEXT))
            else:
                result.append(pd.Series(np.concatenate([np.full(start, None, dtype=object),
                                                        *parts]), dtype=object, copy=False))
        self._parts, self._starts, self._distinct = [], [], []
        return result or [pd.Series([], dtype=object) for _ in range(self.named)]


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


def _flag_long_rows(table: Table, body: _Body) -> None:
    """Flag rows longer than the header (and than the others): an unquoted separator."""
    named = body.named
    usual = body.lengths.most_common(1)[0][0] if body.lengths else named
    for pos, length, beyond in body.long:
        if length != usual or beyond:
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
    if not layers:
        raise InputError([Problem("this GIS file holds no layer; expected GeoJSON, GeoPackage "
                                  "or Shapefile with the features to import", file=path.name)])
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
    """Return the first line of an error's message (its kind when it has none), cut short."""
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
