"""Where each row is: its point in Lambert-93, its commune, and whether the place is approximate.

A row is placed by its geometry (GIS files), its coordinates (longitude/latitude or
Lambert-93 X/Y, recognised row by row), or its commune code (at the town hall, flagged
approximate). Swapped coordinates, coordinates in a system other than the rest of the file's,
and places outside the region are reported.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from territory._crs import WGS84
from territory.io import geodata
from territory.io._columns import Columns
from territory.io._context import read_codes, texts
from territory.io._places import (
    Reference,
    classify_xy,
    communes_of,
    outside_region,
    read_xy,
    to_lambert93,
    town_halls,
)
from territory.io._problems import Findings
from territory.io._values import BadValue, is_blank

__all__ = ["Placed", "gis_geometry", "place_rows"]

_SYSTEMS = {"lonlat": "longitude/latitude (WGS84)", "l93": "Lambert-93 X/Y (EPSG:2154)"}
_GEOGRAPHIC = WGS84


@dataclass
class Placed:
    """Where each row is; rows without a place have ``None`` and an empty code."""

    points: np.ndarray
    codes: list[str]
    approximate: np.ndarray


def place_rows(findings: Findings, columns: Columns, ref: Reference, *,
               needed: np.ndarray, within_region: bool = True) -> Placed:
    """Place each row; ``needed`` says which rows must have a place.

    With ``within_region`` (the default), a place outside the region is a problem of its row.
    """
    table = findings.table
    n = len(table.rows)
    codes = _codes(findings, columns, ref)
    points = np.full(n, None, dtype=object)
    if table.geometry is not None:
        points = gis_geometry(findings, ref, polygons=False, within_region=within_region)
    elif columns.get("x") and columns.get("y"):
        points = _from_xy(findings, columns, ref, within_region=within_region)
    elif columns.get("x") or columns.get("y"):
        given = columns.get("x") or columns.get("y")
        findings.whole_file(f"`{given}` is given without its pair; expected both longitude and "
                            "latitude (or Lambert-93 X and Y)")
    has_point = np.array([p is not None for p in points], dtype=bool)
    has_code = np.array([bool(c) for c in codes], dtype=bool)
    located = communes_of(points[has_point], ref) if has_point.any() else []
    for pos, code in zip(np.flatnonzero(has_point), located, strict=True):
        codes[pos] = code or codes[pos]
    halls = ~has_point & has_code
    if halls.any():
        points[halls] = town_halls([codes[i] for i in np.flatnonzero(halls)], ref)
    _require(findings, columns, needed & ~has_point & ~has_code)
    return Placed(points, codes, halls)


def _codes(findings: Findings, columns: Columns, ref: Reference) -> list[str]:
    """Return the commune code of each row ('' where none is given or the code is wrong)."""
    column = columns.get("code_insee")
    read = read_codes(findings, column, ref, names=texts(findings, columns.get("commune_name")),
                      blank_ok=True)
    for pos in sorted(read.outside):
        attached = read.attached.get(pos)
        given = (f"'{attached.code}' ({attached.name}, {attached.kind} of '{attached.parent}' "
                 f"{attached.parent_name})" if attached else f"'{read.codes[pos]}'")
        findings.row(pos, f"{given} is outside {ref.region_name}; expected a commune of the "
                     "region", column=column)
        read.codes[pos] = ""
    return read.codes


def _require(findings: Findings, columns: Columns, missing: np.ndarray) -> None:
    """Report rows that must have a place and were given none at all."""
    table = findings.table
    where = [c for c in (columns.get("x"), columns.get("y"), columns.get("code_insee")) if c]
    named = [f"`{columns.get('x')}`/`{columns.get('y')}`"] if columns.get("x") else []
    named += [f"`{columns.get('code_insee')}`"] if columns.get("code_insee") else []
    expected = (" or ".join(named) if named
                else "coordinates (`Longitude`, `Latitude`) or a commune (`Code INSEE`)")
    given = np.zeros(len(table.rows), dtype=bool)
    for column in where:
        given |= ~table.cells[column].map(is_blank).to_numpy(dtype=bool)
    if table.geometry is not None:
        given |= True
    if not where and table.geometry is None:
        if missing.any():
            findings.whole_file(f"no column gives the place; expected {expected}")
        return
    for pos in np.flatnonzero(missing & ~given):
        findings.row(int(pos), f"has no place; expected {expected}")


def _from_xy(findings: Findings, columns: Columns, ref: Reference, *,
             within_region: bool) -> np.ndarray:
    table = findings.table
    xcol, ycol = columns.fields["x"], columns.fields["y"]
    n = len(table.rows)
    # One number per row in arrays, not a pair object per row: a file of millions of rows
    # stays within a small multiple of its size.
    xy = np.full((n, 2), np.nan)
    systems = np.full(n, None, dtype=object)
    for pos, (x_raw, y_raw) in enumerate(zip(table.cells[xcol], table.cells[ycol],
                                             strict=True)):
        if is_blank(x_raw) and is_blank(y_raw):
            continue
        try:
            xy[pos] = read_xy(x_raw, y_raw)
        except BadValue as bad:
            blank = ycol if is_blank(y_raw) else xcol if is_blank(x_raw) else None
            findings.row(pos, str(bad), column=blank or f"{xcol}`/`{ycol}")
            continue
        systems[pos] = classify_xy(*xy[pos])
    usual = Counter(s for s in systems if s in _SYSTEMS).most_common(1)
    file_system = usual[0][0] if usual else "lonlat"
    same = systems == file_system
    for refused in np.flatnonzero(~same & (systems != None)):  # noqa: E711 (elementwise)
        # Swapped, in no system, or in another system than the file's: said on its row.
        _pair_ok(findings, int(refused), (xy[refused, 0], xy[refused, 1]),
                 system=systems[refused], usual=file_system, cols=(xcol, ycol))
    good = np.flatnonzero(same)
    points = np.full(n, None, dtype=object)
    if len(good):
        points[good] = shapely.points(to_lambert93(xy[good], systems[good].tolist()))
        if within_region:
            _check_region(findings, ref, points, good, column=f"{xcol}`/`{ycol}",
                          shown_xy=xy)
    return points


def _pair_ok(findings: Findings, pos: int, xy: tuple[float, float], *, system: str,
             usual: str, cols: tuple[str, str]) -> bool:
    x, y = (_plain(v) for v in xy)
    column = f"{cols[0]}`/`{cols[1]}"
    if system in ("latlon", "l93-swapped"):
        what = "latitude and longitude" if system == "latlon" else "Lambert-93 Y and X"
        findings.row(pos, f"({x}, {y}) are swapped: they read as {what}; swap the two values, "
                     f"or swap the columns with --map \"{cols[0]}=y\" --map \"{cols[1]}=x\"",
                     column=column)
        return False
    if system == "unknown":
        findings.row(pos, f"({x}, {y}) are neither longitude/latitude (WGS84, e.g. -0.58, "
                     "44.84) nor Lambert-93 X/Y (EPSG:2154, e.g. 417000, 6421000); give "
                     "coordinates in one of these systems", column=column)
        return False
    if system != usual:
        findings.row(pos, f"({x}, {y}) look like {_SYSTEMS[system]} while the other rows are "
                     f"in {_SYSTEMS[usual]}; give every row in the same system",
                     column=column)
        return False
    return True


def _check_region(findings: Findings, ref: Reference, points: np.ndarray, good: Any, *,
                  column: str, shown_xy: Any) -> None:
    distance = outside_region(np.asarray(points[good]), ref)
    outside = distance > 0
    for pos, metres in zip(np.asarray(good)[outside], distance[outside], strict=True):
        x, y = (_plain(v) for v in shown_xy[pos])
        findings.row(int(pos), f"({x}, {y}) is outside {ref.region_name}, "
                     f"{metres / 1000:.0f} km from its border (at sea or in another "
                     "region); expected a place in the region", column=column)
        points[pos] = None


# -- GIS files ---------------------------------------------------------------------------------
def gis_geometry(findings: Findings, ref: Reference, *, polygons: bool,
                 within_region: bool = True) -> np.ndarray:
    """Return each feature's geometry in Lambert-93 (None where it is unusable).

    Points outside the region are problems of their rows, unless ``within_region`` is false.
    """
    table = findings.table
    assert table.geometry is not None
    series = table.geometry
    wanted = ("Polygon", "MultiPolygon") if polygons else ("Point", "MultiPoint")
    n = len(series)
    out = np.full(n, None, dtype=object)
    usable = _usable(findings, series, wanted)
    if not usable:
        return out
    crs = _file_crs(findings, series, usable)
    if crs is None:
        return out
    projected = gpd.GeoSeries(series.iloc[usable].to_numpy(), crs=crs).to_crs(geodata.CRS)
    values = projected.to_numpy()
    if not polygons:
        values = np.asarray([shapely.get_geometry(g, 0) if g.geom_type == "MultiPoint" else g
                             for g in values], dtype=object)
    out[usable] = values
    if polygons or not within_region:
        return out
    shown_xy = {p: _first_xy(g) for p, g in zip(usable, series.iloc[usable].to_numpy(),
                                                 strict=True)}
    _check_region(findings, ref, out, usable, column="geometry", shown_xy=shown_xy)
    return out


def _usable(findings: Findings, series: gpd.GeoSeries, wanted: tuple[str, ...]) -> list[int]:
    usable = []
    for pos, geom in enumerate(series.to_numpy()):
        if geom is None or geom.is_empty:
            findings.row(pos, "has no geometry; expected a "
                         + ("polygon" if "Polygon" in wanted else "point"), column="geometry")
        elif geom.geom_type not in wanted:
            findings.row(pos, f"is a {geom.geom_type}; expected a "
                         + ("polygon" if "Polygon" in wanted else "point"), column="geometry")
        elif geom.geom_type == "MultiPoint" and shapely.get_num_geometries(geom) > 1:
            findings.row(pos, "is a MultiPoint of several points; expected one point per row",
                         column="geometry")
        elif "Polygon" in wanted and not geom.is_valid:
            findings.row(pos, f"is not a valid polygon ({shapely.is_valid_reason(geom)}); "
                         "repair it in QGIS (Vector ▸ Geometry Tools ▸ Fix Geometries)",
                         column="geometry")
        else:
            usable.append(pos)
    return usable


def _file_crs(findings: Findings, series: gpd.GeoSeries, usable: list[int]) -> str | None:
    """Return the file's CRS, or the one its coordinates show when it declares none."""
    sample = shapely.get_coordinates(series.iloc[usable].to_numpy())
    systems = [classify_xy(*_first_xy(g)) for g in series.iloc[usable].to_numpy()]
    if series.crs is None:
        kinds = set(systems)
        if kinds in ({"lonlat"}, {"l93"}):
            system = kinds.pop()
            findings.table.notes.append(
                f"système de coordonnées absent (.prj manquant) : {_SYSTEMS[system]} reconnu")
            return _GEOGRAPHIC if system == "lonlat" else geodata.CRS
        findings.whole_file("the file declares no coordinate system (.prj missing) and its "
                            f"coordinates (e.g. {_plain(sample[0][0])}, {_plain(sample[0][1])}) "
                            "are not all "
                            "longitude/latitude nor all Lambert-93; add the .prj file or "
                            "re-export the layer from QGIS with its CRS")
        return None
    declared = series.crs.to_string()
    expected = "lonlat" if series.crs.is_geographic else (
        "l93" if series.crs.equals(geodata.CRS) else None)
    if expected is None:
        return declared
    wrong = [p for p, s in zip(usable, systems, strict=True) if s != expected]
    for pos in wrong:
        x, y = _first_xy(series.iloc[pos])
        findings.row(pos, f"coordinates ({_plain(x)}, {_plain(y)}) do not fit the file's declared "
                     f"coordinate system {declared} ({_SYSTEMS[expected]}); the file mixes "
                     "coordinate systems: re-export it from QGIS in one CRS", column="geometry")
    for pos in wrong:
        usable.remove(pos)
    return declared


def _first_xy(geom: Any) -> tuple[float, float]:
    x, y = shapely.get_coordinates(geom)[0]
    return float(x), float(y)


def _plain(value: float) -> str:
    """Format a coordinate as people write it: 6421000 rather than 6.421e+06."""
    if not np.isfinite(value) or abs(value) >= 1e9:  # no coordinate: short, as typed
        return f"{value:g}"
    decimals = 2 if abs(value) > 1000 else 6
    return f"{value:.{decimals}f}".rstrip("0").rstrip(".")
