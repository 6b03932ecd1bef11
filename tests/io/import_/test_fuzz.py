"""Fuzzing every importer through the command line: damaged files give exit 2, never a traceback.

Each importer starts from a small valid file of its kind (CSV, XLSX or GeoJSON, as a Mission
Locale sends them), which Hypothesis damages: cells replaced by odd values (quotes, NULs,
separators, byte-order marks, formulas, huge cells), columns swapped or renamed, rows
duplicated, cut or emptied, then bytes flipped, inserted, removed or the file cut short. The
command must exit with 0 or 2, print no traceback and let no exception escape; a refused
import leaves the workspace byte for byte as it was, and no rejects file behind.

The profile is derandomized (the same examples on every run, no example database) and kept
small, so that the whole file runs in well under a minute.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from territory.cli import main
from territory.io.importing import REJECTS_SUFFIX

FUZZ = settings(max_examples=12, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Valid files of each kind, on the workspace of the fixture `covered_workspace_file` (two
# Missions Locales over the Gironde, ML-N and ML-S).
SEEDS: dict[str, list[list[str]]] = {
    "catchments": [
        ["Code INSEE", "Nom Commune", "Code ML", "Nom Officiel ML",
         "Commune présente sur plusieurs ML"],
        ["33063", "Bordeaux", "ML-N", "Mission Locale ML-N", "Non"],
        ["33318", "Pessac", "ML-N", "Mission Locale ML-N", "Oui"],
        ["33318", "Pessac", "ML-S", "Mission Locale ML-S", "Oui"],
        ["33522", "Talence", "ML-S", "Mission Locale ML-S", "Non"],
    ],
    "sites": [
        ["Nom du site", "Type", "Code INSEE", "Code ML", "Permanences par mois", "Ouverture"],
        ["Siège de Bordeaux", "Siège", "33063", "ML-N", "20", "01/01/2015"],
        ["Antenne de Talence", "Antenne", "33522", "ML-S", "4", "2018-09-01"],
        ["Permanence de Pessac", "Permanence", "33318", "ML-S", "2", ""],
    ],
    "actions": [
        ["Date", "Type d'action", "Jeunes rencontrés", "Code INSEE", "Code ML", "Lieu"],
        ["04/03/2021", "Maraude", "5", "33063", "ML-N", "Place de la Victoire"],
        ["05/03/2021", "Bus / permanence mobile", "3", "33522", "ML-S", "Parking"],
        ["06/03/2021", "Événement", "12", "33318", "", "Forum"],
    ],
    "contacts": [
        ["Identifiant", "Date", "Code INSEE", "Étape", "Code ML"],
        ["X1", "04/03/2021", "33063", "repéré", "ML-N"],
        ["X2", "05/03/2021", "33522", "mobilisé", "ML-S"],
        ["X3", "06/03/2021", "33318", "accompagné", "ML-S"],
    ],
    "youth": [
        ["CODGEO", "LIBGEO", "P21_POP", "P21_POP1524"],
        ["33063", "Bordeaux", "261804", "60034.51"],
        ["33522", "Talence", "43000", "7000.5"],
        ["75056", "Paris", "2133111", "300000"],
    ],
    "mobility": [
        ["Code INSEE", "Commune", "Part sans voiture"],
        ["33063", "Bordeaux", "45 %"],
        ["33522", "Talence", "0,38"],
        ["33318", "Pessac", "31"],
    ],
}
# Where the GeoJSON files put each commune (longitude, latitude).
PLACES = {"33063": (-0.5792, 44.8378), "33522": (-0.5886, 44.8064),
          "33318": (-0.6306, 44.8067), "75056": (2.3522, 48.8566)}
ODD_CELLS = ["", " ", '"', '""', '"quoted"', "'", "\x00", "\ufeff", "\u202e", "\u00a0", "é",
             "🙂", "=1+1", ";", ",", "\t", "\n", "\r\n", "1e309", "nan", "-inf", "-0", "0",
             "-1", "1,5", "1.5.5", "33 063", " 33063 ", "2A004", "97101", "00000", "31/02/2021",
             "2021-13-01", "00/00/0000", "15 juin 2022", "45000", "NULL", "None", "oui",
             "9" * 400, "x" * 140_000]
ODD_BYTES = [b'"', b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\r", b"\n", b";", b",", b"\\",
             b"PK\x03\x04", b"\x80\x81\x8d", b"{", b"]", b"\xc3"]
FORMATS = ("csv", "xlsx", "geojson")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- damaging a table --------------------------------------------------------------------------
@st.composite
def damaged_rows(draw: st.DrawFn, kind: str) -> list[list[str]]:
    """The seed of ``kind`` with up to four changes to its cells, columns and rows."""
    rows = [list(r) for r in SEEDS[kind]]
    for _ in range(draw(st.integers(0, 4))):
        width = max(len(r) for r in rows) if rows else 1
        op = draw(st.sampled_from(["cell", "cell", "swap", "rename", "dup", "drop", "extra",
                                   "cut", "blank"]))
        if not rows:
            break
        # Mostly a row below the header: the header has changes of its own (`rename`).
        r = draw(st.integers(1, len(rows) - 1) if len(rows) > 1 and draw(st.integers(0, 3))
                 else st.just(0))
        c = draw(st.integers(0, width - 1))
        if op == "cell" and c < len(rows[r]):
            rows[r][c] = draw(st.sampled_from(ODD_CELLS) | st.text(max_size=12))
        elif op == "swap":
            d = draw(st.integers(0, width - 1))
            for row in rows:
                if max(c, d) < len(row):
                    row[c], row[d] = row[d], row[c]
        elif op == "rename" and c < len(rows[0]):
            rows[0][c] = draw(st.sampled_from([*ODD_CELLS[:20], "Date", "Code ML", "Type"]))
        elif op == "dup":
            rows.insert(r, list(rows[r]))
        elif op == "drop":
            del rows[r]
        elif op == "extra":
            rows[r].append(draw(st.sampled_from(ODD_CELLS)))
        elif op == "cut" and rows[r]:
            rows[r].pop()
        elif op == "blank":
            rows[r] = [""] * len(rows[r])
    return rows


@st.composite
def damaged_bytes(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` cut short, or with bytes replaced, inserted or removed."""
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["cut", "replace", "insert", "remove"]))
        if op == "cut":
            data = data[:at]
        elif op == "replace":
            data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at + 8:]
        elif op == "insert":
            data = data[:at] + draw(st.sampled_from(ODD_BYTES) | st.binary(max_size=8)) + \
                data[at:]
        else:
            data = data[:at] + data[at + draw(st.integers(1, 64)):]
    return data


# -- writing a table as a file -----------------------------------------------------------------
def _csv(rows: list[list[str]], sep: str, encoding: str) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=sep, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding, errors="replace")


def _xlsx(rows: list[list[str]], numbers: bool) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        cells: list[Any] = [ILLEGAL_CHARACTERS_RE.sub("", cell) for cell in row]
        if numbers:  # as Excel stores what looks like a number
            cells = [_number(cell) for cell in cells]
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return _dated_1980(buffer.getvalue())


def _dated_1980(data: bytes) -> bytes:
    """The same workbook whenever it is made: its dates (of the members, of the document)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            raw = source.read(info)
            if info.filename == "docProps/core.xml":
                raw = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2021-03-04T00:00:00Z", raw)
            target.writestr(zipfile.ZipInfo(info.filename, (1980, 1, 1, 0, 0, 0)), raw)
    return out.getvalue()


def _number(cell: str) -> Any:
    try:
        value = float(cell.replace(",", "."))
    except ValueError:
        return cell
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _found(kind: str) -> list[tuple[str, bytes]]:
    """What fuzzing found once, tried every time: numbers too large for a layer's integers."""
    actions = [["Date", "Type d'action", "Jeunes rencontrés", "Code INSEE", "Code ML"],
               ["04/03/2021", "Maraude", "99999999999999999999", "33063", "ML-N"]]
    youth = [["CODGEO", "P21_POP1524"], ["33063", "1e309"], ["33522", "99999999999999999999"]]
    found = {"actions": [("actions.csv", _csv(actions, ";", "utf-8"))],
             "youth": [("youth.csv", _csv(youth[:2], ";", "utf-8")),
                       ("youth.xlsx", _xlsx([youth[0], youth[2]], numbers=True))]}
    return found.get(kind, [])


GEOMETRIES = ["point", "polygon", "none", "swapped", "huge", "nan", "empty", "line",
              "collection", "strings"]


def _geometry(kind: str, code: str, how: str) -> Any:
    lon, lat = PLACES.get(code, (-0.5792, 44.8378))
    # About 8 km wide: it holds its commune by half or more.
    d = 0.05
    square = [[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d],
              [lon - d, lat - d]]
    shapes: dict[str, Any] = {
        "point": {"type": "Point", "coordinates": [lon, lat]},
        "polygon": {"type": "Polygon", "coordinates": [square]},
        "none": None,
        "swapped": {"type": "Point", "coordinates": [lat, lon]},
        "huge": {"type": "Point", "coordinates": [1e300, -1e300]},
        "nan": {"type": "Point", "coordinates": [float("nan"), lat]},
        "empty": {"type": "Polygon", "coordinates": []},
        "line": {"type": "LineString", "coordinates": [[lon, lat], [lon + 0.01, lat]]},
        "collection": {"type": "GeometryCollection",
                       "geometries": [{"type": "Point", "coordinates": [lon, lat]}]},
        "strings": {"type": "Point", "coordinates": ["a", "b"]},
    }
    if how == "natural":
        how = {"catchments": "polygon", "sites": "point", "actions": "point"}.get(kind, "none")
    return shapes[how]


def _geojson(kind: str, rows: list[list[str]], shapes: list[str]) -> bytes:
    header, body = (rows[0], rows[1:]) if rows else ([], [])
    features = []
    for i, row in enumerate(body):
        code = next((c for c in row if c in PLACES), "")
        properties = {name or f"col{j}": (row[j] if j < len(row) else None)
                      for j, name in enumerate(header)}
        features.append({"type": "Feature", "properties": properties,
                         "geometry": _geometry(kind, code, shapes[i % len(shapes)])})
    return json.dumps({"type": "FeatureCollection", "features": features},
                      ensure_ascii=False).encode("utf-8")


@st.composite
def damaged_file(draw: st.DrawFn, kind: str) -> tuple[str, bytes]:
    """A file of ``kind`` as a Mission Locale might send it once things went wrong."""
    rows = draw(damaged_rows(kind))
    fmt = draw(st.sampled_from(FORMATS))
    if fmt == "csv":
        data = _csv(rows, draw(st.sampled_from([";", ",", "\t"])),
                    draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"])))
    elif fmt == "xlsx":
        data = _xlsx(rows, numbers=draw(st.booleans()))
    else:
        shapes = draw(st.lists(st.sampled_from(["natural", "natural", *GEOMETRIES]),
                               min_size=1, max_size=3))
        data = _geojson(kind, rows, shapes)
    if draw(st.sampled_from([False, False, True])):
        data = draw(damaged_bytes(data))
    return f"{kind}.{fmt}", data


# -- the importers -----------------------------------------------------------------------------
class _Workspace:
    """One copy of the fixture's workspace per test, copied again after an import changed it."""

    def __init__(self, pristine: Path, folder: Path) -> None:
        self.pristine = pristine
        self.path = folder / "territoire.gpkg"
        self.restore()

    def restore(self) -> None:
        shutil.copyfile(self.pristine, self.path)
        self.sha = _sha(self.path)


@contextlib.contextmanager
def _folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="fuzz-") as name:
        yield Path(name)


@pytest.mark.parametrize("kind", list(SEEDS))
def test_every_importer_survives_damaged_files(kind: str, covered_workspace_file: Path) -> None:
    with _folder() as folder:
        workspace = _Workspace(covered_workspace_file, folder)
        _fuzz(kind, workspace, folder)


def _fuzz(kind: str, workspace: _Workspace, folder: Path) -> None:
    def run(file: tuple[str, bytes], options: list[str]) -> None:
        name, data = file
        path = folder / name
        path.write_bytes(data)
        rejects = path.with_name(path.stem + REJECTS_SUFFIX)
        rejects.unlink(missing_ok=True)
        err, out = io.StringIO(), io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            code = main(["import", kind, str(path), "--workspace", str(workspace.path),
                         *options])
        assert code in (0, 2), err.getvalue()
        assert "Traceback" not in err.getvalue()
        if code == 2:
            assert err.getvalue().startswith(f"territory import: {name}"), err.getvalue()
            assert _sha(workspace.path) == workspace.sha, err.getvalue()
            assert not rejects.exists()
        else:
            assert out.getvalue().startswith(name), out.getvalue()
            workspace.restore()

    fuzzed = given(damaged_file(kind), st.lists(st.sampled_from(["--accept-partial",
                                                                 "--drop-personal"]),
                                                unique=True))(run)
    for file in _found(kind):
        fuzzed = example(file, [])(fuzzed)
    FUZZ(fuzzed)()
