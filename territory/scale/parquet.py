"""Contacts in partitioned Parquet files, read one row group at a time.

Two kinds of file are read, all of one kind in a run:

* **code tables**: ``contact_id``, ``date``, ``code_insee`` (residence), optionally ``stage``,
  as the workspace's contacts layer;
* **GeoParquet points**: ``contact_id``, ``date``, optionally ``stage``, and a point geometry
  (a geocoded residence or the place of the action), WKB or GeoArrow ``point`` encoding, in
  any CRS (reprojected to Lambert-93, EPSG:2154; without a CRS, GeoParquet means OGC:CRS84).

Every file's footer is read before any work starts, so a file that is not Parquet, or lacks a
column, is reported at once with its name; a row group that cannot be decoded later raises
:class:`~territory._errors.InputError` naming its file from inside the run.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pyproj
import shapely

from territory._crs import LAMBERT93
from territory._errors import InputError, Problem
from territory.scale.partitions import with_order

__all__ = ["ContactFiles", "contact_files", "read_piece"]

CRS = LAMBERT93
# Without a `crs` entry, GeoParquet columns are longitude/latitude (GeoParquet 1.0, "crs").
GEOPARQUET_DEFAULT_CRS = "OGC:CRS84"
REQUIRED = ("contact_id", "date")
OPTIONAL = ("stage",)


@dataclass(frozen=True)
class ContactFiles:
    """Contacts spread over Parquet files: one partition per row group, in file order.

    Attributes
    ----------
    files
        The files, sorted by path (their order is the contacts' order).
    pieces
        ``(file number, row group, first row of the group in its file)``, one per partition.
    geometry
        The geometry column of GeoParquet points, None for code tables.
    crs
        Each file's CRS (a PROJJSON dict or a name; None for code tables).
    columns
        The columns read from every file.
    """

    files: tuple[str, ...]
    pieces: tuple[tuple[int, int, int], ...]
    geometry: str | None
    crs: tuple[Any, ...]
    columns: tuple[str, ...]

    @property
    def points(self) -> bool:
        """True for GeoParquet points, False for tables with ``code_insee``."""
        return self.geometry is not None


def _listing(source: str | Path | Sequence[str | Path]) -> list[Path]:
    if isinstance(source, str | Path):
        path = Path(source)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*.parquet") if p.is_file())
            if not files:
                raise InputError(f"{path}: no *.parquet file in this folder")
            return files
        if not path.exists():
            raise InputError(f"{path}: no such file or folder; expected a Parquet file or a "
                             "folder of them")
        return [path]
    return sorted(Path(p) for p in source)


def _geo(schema: pa.Schema) -> tuple[str | None, Any, str | None]:
    """Return the primary geometry column, its CRS and encoding (GeoParquet metadata)."""
    raw = (schema.metadata or {}).get(b"geo")
    if raw is None:
        return None, None, None
    meta = json.loads(raw)
    name = meta.get("primary_column")
    column = meta.get("columns", {}).get(name, {})
    return name, column.get("crs", GEOPARQUET_DEFAULT_CRS), column.get("encoding", "WKB")


def _file_problems(path: Path, schema: pa.Schema, geometry: str | None,
                   encoding: str | None) -> list[Problem]:
    names = set(schema.names)
    needed = [*REQUIRED, geometry] if geometry else [*REQUIRED, "code_insee"]
    problems = [Problem(f"missing column; the file has {schema.names} (expected "
                        f"{', '.join(REQUIRED)} and either a point geometry or code_insee)",
                        file=str(path), column=col) for col in needed if col not in names]
    if geometry and encoding not in ("WKB", "point"):
        problems.append(Problem(f"geometry encoding {encoding!r} is not read; expected WKB "
                                "or point (write it with geopandas.to_parquet)",
                                file=str(path), column=geometry))
    return problems


def contact_files(source: str | Path | Sequence[str | Path]) -> ContactFiles:
    """List the Parquet files of ``source`` and check each one's footer.

    Parameters
    ----------
    source
        A Parquet file, a folder (every ``*.parquet`` below it, e.g. a partitioned data
        set), or a list of files.

    Returns
    -------
    files
        What the Dask engine reads: the files, their row groups, their kind.

    Raises
    ------
    InputError
        Naming every file that cannot be opened as Parquet or lacks a column, and files of
        mixed kinds (points and code tables).
    """
    paths = _listing(source)
    problems: list[Problem] = []
    kinds: dict[str | None, list[Path]] = {}
    crs: list[Any] = []
    pieces: list[tuple[int, int, int]] = []
    columns: set[str] = set()
    for number, path in enumerate(paths):
        try:
            meta = pq.ParquetFile(path).metadata
            schema = meta.schema.to_arrow_schema()
        except (OSError, pa.ArrowException) as error:
            problems.append(Problem(f"cannot be read as Parquet ({error})", file=str(path)))
            continue
        geometry, file_crs, encoding = _geo(schema)
        problems += _file_problems(path, schema, geometry, encoding)
        kinds.setdefault(geometry, []).append(path)
        crs.append(file_crs)
        columns.update(c for c in (*REQUIRED, *OPTIONAL, "code_insee", geometry or "")
                       if c in schema.names)
        first = 0
        for group in range(meta.num_row_groups):
            pieces.append((number, group, first))
            first += meta.row_group(group).num_rows
    problems += _mixed(kinds)
    if problems:
        raise InputError(problems)
    geometry = next(iter(kinds))
    if geometry is not None:
        columns.discard("code_insee")
    return ContactFiles(files=tuple(str(p) for p in paths), pieces=tuple(pieces),
                        geometry=geometry, crs=tuple(crs),
                        columns=tuple(sorted(columns)))


def _mixed(kinds: dict[str | None, list[Path]]) -> list[Problem]:
    if len(kinds) < 2:
        return []
    found = "; ".join(f"{'points' if k else 'code_insee table'}: {v[0]}" for k, v in kinds.items())
    return [Problem(f"files of different kinds ({found}); expected all GeoParquet points or all "
                    "code_insee tables, with one geometry column")]


def _points(table: pa.Table, files: ContactFiles, number: int) -> gpd.GeoSeries:
    assert files.geometry is not None
    column = table.column(files.geometry).combine_chunks()
    if pa.types.is_struct(column.type):
        x = column.field("x").to_numpy(zero_copy_only=False)
        y = column.field("y").to_numpy(zero_copy_only=False)
        geoms = shapely.points(x, y)
        geoms[np.asarray(column.is_null())] = None
    else:
        geoms = shapely.from_wkb(column.to_numpy(zero_copy_only=False))
    crs = files.crs[number]
    crs = pyproj.CRS.from_json_dict(crs) if isinstance(crs, dict) else crs
    series = gpd.GeoSeries(geoms, crs=crs)
    return series if series.crs.equals(CRS) else series.to_crs(CRS)


def read_piece(piece: tuple[int, int, int], *, files: ContactFiles) -> pd.DataFrame:
    """Read one row group: contacts in their global order, points as a GeoDataFrame.

    Raises
    ------
    InputError
        Naming the file and row group when they cannot be read or decoded.
    """
    number, group, first = piece
    path = files.files[number]
    try:
        table = pq.ParquetFile(path).read_row_group(group, columns=list(files.columns))
        frame = table.drop_columns([files.geometry]).to_pandas() if files.points else (
            table.to_pandas())
        if files.points:
            frame = gpd.GeoDataFrame(frame, geometry=_points(table, files, number).to_numpy(),
                                     crs=CRS)
    except (OSError, ValueError, TypeError, pa.ArrowException,
            shapely.errors.ShapelyError) as error:
        raise InputError([Problem(f"row group {group} cannot be read ({error})",
                                  file=path)]) from None
    return with_order(frame, part=number, first_row=first)


def empty_piece(files: ContactFiles) -> pd.DataFrame:
    """Return an empty frame with the columns and types :func:`read_piece` gives."""
    schema = pq.ParquetFile(files.files[0]).schema_arrow
    table = schema.empty_table().select(list(files.columns))
    frame = (table.drop_columns([files.geometry]) if files.points else table).to_pandas()
    if files.points:
        frame = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=CRS))
    return with_order(frame, part=0)
