"""Catchments: the UNML coverage table as published, or polygons drawn in a GIS.

Either way the result is the list of member communes of each Mission Locale, with a share
(1/k for a commune on k MLs, or the share given), and each catchment's polygon dissolved from
its members' boundaries. A table made before a merger lists a commune by the codes of its
former communes (now communes déléguées or associées): they make one member.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from territory.io import geodata
from territory.io._columns import Columns
from territory.io._context import (
    Built,
    CommuneCodes,
    Context,
    good_rows,
    read_codes,
    require,
    texts,
)
from territory.io._locate import gis_geometry
from territory.io._problems import Findings
from territory.io._values import as_text, is_blank, parse_bool, parse_share

__all__ = ["build_catchments"]

# A commune belongs to a drawn catchment when the polygon covers at least half of it.
MEMBER_OVERLAP = 0.5
SHARE_TOLERANCE = 0.001
# A few communes are shared between two MLs (docs/methodology.md,
# "Missions Locales and their territories").
ASSUMED_SHARERS = 2


def build_catchments(findings: Findings, columns: Columns, ctx: Context) -> Built:
    """Build ``catchments`` and ``catchment_members`` from a table or from polygons."""
    if findings.table.geometry is not None:
        return _from_polygons(findings, columns, ctx)
    require(findings, columns, "catchments", ("code_insee", "ml_code"))
    read = _member_codes(findings, columns, ctx)
    codes, skipped = read.codes, read.outside
    ml = _ml_codes(findings, columns)
    names = _ml_names(findings, columns, ml)
    shared = findings.parse(columns.get("shared"), parse_bool)
    given = findings.parse(columns.get("share"), lambda v: None if is_blank(v)
                           else parse_share(v))
    consortium = findings.parse(columns.get("in_consortium"), parse_bool)
    merged = _duplicates(findings, columns, ml, read)
    if findings.file_problems:
        return Built({})
    keep = good_rows(findings, skipped | merged)
    members, assumed = _shares(findings, columns, keep, ml=ml, codes=codes, given=given,
                               shared=shared)
    keep = good_rows(findings, skipped | merged)
    members = members[members["row"].isin(keep)].drop(columns="row")
    in_consortium = {ml[i]: True for i in keep if consortium[i]}
    layer = _catchment_layer(members, {ml[i]: names[i] for i in keep}, in_consortium, ctx)
    notes = _notes(assumed)
    return Built({"catchments": layer, "catchment_members": members.reset_index(drop=True)},
                 skipped=skipped, notes=notes)


def _member_codes(findings: Findings, columns: Columns, ctx: Context) -> CommuneCodes:
    column = columns.get("code_insee")
    read = read_codes(findings, column, ctx.ref,
                      names=texts(findings, columns.get("commune_name")))
    if read.outside and len(read.outside) == len(read.codes):
        findings.whole_file(f"no commune of the file is in {ctx.ref.region_name}; expected the "
                            "coverage table of the region's Missions Locales", column=column)
    return read


def _ml_codes(findings: Findings, columns: Columns) -> list[str]:
    column = columns.get("ml_code")
    codes = texts(findings, column)
    for pos, code in enumerate(codes):
        if column and not code:
            findings.row(pos, "is empty; expected the Mission Locale's code", column=column)
    return codes


def _ml_names(findings: Findings, columns: Columns, ml: list[str]) -> list[str]:
    column = columns.get("ml_name")
    names = texts(findings, column)
    first: dict[str, tuple[str, int]] = {}
    for pos, (code, name) in enumerate(zip(ml, names, strict=True)):
        if not code or not name:
            continue
        seen, row = first.setdefault(code, (name, findings.table.rows[pos]))
        if name.casefold() != seen.casefold():
            findings.row(pos, f"Mission Locale '{code}' is named {name!r} here and {seen!r} on "
                         f"row {row}; expected one name per Mission Locale", column=column)
    return [name or (first.get(code, ("", 0))[0]) or code for code, name in zip(ml, names,
                                                                              strict=True)]


def _duplicates(findings: Findings, columns: Columns, ml: list[str],
                read: CommuneCodes) -> set[int]:
    """Report a commune listed twice for one ML; return the rows merged into an earlier one.

    Rows that give one commune by different codes (its own and those attached to it) make
    one member.
    """
    seen: dict[tuple[str, str], int] = {}
    merged: set[int] = set()
    bad = findings.bad_rows
    for pos, pair in enumerate(zip(ml, read.codes, strict=True)):
        if not all(pair) or pos in read.outside:
            continue
        first = seen.setdefault(pair, pos)
        if first == pos:
            continue
        if read.given(first) != read.given(pos):
            if first in bad and pos not in bad:
                seen[pair] = pos  # the member comes from a row that is imported
            else:
                merged.add(pos)
        else:
            findings.row(pos, f"commune '{pair[1]}' is already listed for Mission Locale "
                         f"'{pair[0]}' on row {findings.table.rows[first]}; expected each "
                         "commune once per Mission Locale", column=columns.get("code_insee"))
    return merged


def _shares(findings: Findings, columns: Columns, keep: np.ndarray, *, ml: list[str],
            codes: list[str], given: list[Any], shared: list[Any]) -> tuple[pd.DataFrame, int]:
    """Members with their share: as given, else 1/k for a commune on k Missions Locales."""
    count = Counter(codes[i] for i in keep)
    shares, assumed = [], 0
    for i in keep:
        if given[i] is not None:
            shares.append(float(given[i]))
        elif count[codes[i]] == 1 and shared[i]:
            shares.append(1 / ASSUMED_SHARERS)
            assumed += 1
        else:
            shares.append(1 / count[codes[i]])
    members = pd.DataFrame({"row": keep.astype(int), "ml_code": [ml[i] for i in keep],
                            "code_insee": [codes[i] for i in keep],
                            "share": pd.Series(shares, dtype="float64")})
    totals = members.groupby("code_insee")["share"].sum()
    for code in totals[totals > 1 + SHARE_TOLERANCE].index:
        for pos in members.loc[members["code_insee"] == code, "row"]:
            findings.row(int(pos), f"the shares of commune '{code}' add up to "
                         f"{totals[code]:.2f}; expected at most 1", column=columns.get("share"))
    return members, assumed


def _catchment_layer(members: pd.DataFrame, names: dict[str, str],
                     in_consortium: dict[str, bool], ctx: Context) -> gpd.GeoDataFrame:
    communes = ctx.ref.communes
    rows = []
    for ml_code, group in members.groupby("ml_code", sort=True):
        part = communes.loc[group["code_insee"]]
        share = group["share"].to_numpy()
        youth = part["youth"] if "youth" in part else part["population"] * 0
        rows.append({
            "ml_code": str(ml_code), "ml_name": names.get(str(ml_code), str(ml_code)),
            "in_consortium": in_consortium.get(str(ml_code), False),
            "population": round(float((part["population"].to_numpy() * share).sum())),
            "youth": round(float((youth.to_numpy() * share).sum())),
            "communes": len(group),
            "geometry": _multipolygon(shapely.union_all(part.geometry.values,
                                                        grid_size=geodata.GRID_M)),
        })
    if not rows:
        return gpd.GeoDataFrame({"ml_code": [], "ml_name": [], "in_consortium": []},
                                geometry=gpd.GeoSeries([], crs=geodata.CRS))
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=geodata.CRS)


def _multipolygon(geometry: Any) -> shapely.MultiPolygon:
    if isinstance(geometry, shapely.MultiPolygon):
        return geometry
    if isinstance(geometry, shapely.Polygon):
        return shapely.MultiPolygon([geometry])
    return shapely.MultiPolygon([g for g in shapely.get_parts(geometry)
                                 if isinstance(g, shapely.Polygon)])


def _notes(assumed: int) -> list[str]:
    notes = []
    if assumed:
        notes.append(f"{assumed} commune(s) partagée(s) avec une Mission Locale absente du "
                     f"fichier : part 1/{ASSUMED_SHARERS} supposée")
    return notes


# -- polygons ----------------------------------------------------------------------------------
def _from_polygons(findings: Findings, columns: Columns, ctx: Context) -> Built:
    require(findings, columns, "catchments", ("ml_code",))
    polygons = gis_geometry(findings, ctx.ref, polygons=True)
    ml = _ml_codes(findings, columns)
    names = _ml_names(findings, columns, ml)
    consortium = findings.parse(columns.get("in_consortium"), parse_bool)
    communes = ctx.ref.communes
    tree = shapely.STRtree(communes.geometry.values)
    pairs: list[tuple[int, str, str]] = []
    for pos, polygon in enumerate(polygons):
        if polygon is None:
            continue
        covered = _covered(polygon, tree, communes)
        if not covered:
            findings.row(pos, f"covers no commune of {ctx.ref.region_name} by half or more; "
                         "expected a catchment drawn on the region's communes",
                         column="geometry")
        pairs.extend((pos, ml[pos], code) for code in covered)
    if findings.file_problems:
        return Built({})
    keep = set(good_rows(findings).tolist())
    table = pd.DataFrame([p for p in pairs if p[0] in keep],
                         columns=["row", "ml_code", "code_insee"]).drop_duplicates(
                             ["ml_code", "code_insee"])
    sharers = table.groupby("code_insee")["ml_code"].transform("nunique")
    members = pd.DataFrame({"ml_code": table["ml_code"].astype(str),
                            "code_insee": table["code_insee"].astype(str),
                            "share": (1.0 / sharers).astype("float64")}).reset_index(drop=True)
    in_consortium = {ml[i]: True for i in keep if consortium[i]}
    layer = _catchment_layer(members, {ml[i]: names[i] for i in keep}, in_consortium, ctx)
    return Built({"catchments": layer, "catchment_members": members},
                 notes=["polygones redécoupés sur les communes (au moins la moitié de la "
                        "commune couverte)"])


def _covered(polygon: Any, tree: shapely.STRtree, communes: gpd.GeoDataFrame) -> list[str]:
    candidates = tree.query(polygon, predicate="intersects")
    if len(candidates) == 0:
        return []
    geoms = communes.geometry.values[candidates]
    overlap = shapely.area(shapely.intersection(geoms, polygon)) / shapely.area(geoms)
    return [as_text(c) for c in communes["code_insee"].to_numpy()[candidates][
        overlap >= MEMBER_OVERLAP]]
