"""Sites, outreach actions and places: one point each, at given coordinates or at the town hall.

Sites and places are read alike: a file of places for planning (candidate sites, other
services) is a sites file whose kind, dates and Mission Locale are not required.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from territory.io import geodata
from territory.io._columns import Columns
from territory.io._context import (
    Built,
    Context,
    as_dates,
    checked_date,
    good_rows,
    require,
    texts,
)
from territory.io._locate import Placed, place_rows
from territory.io._places import MlIndex, Reference
from territory.io._problems import Findings
from territory.io._readers import text_array
from territory.io._values import BadValue, is_blank, parse_count, parse_date, parse_number, shown
from territory.io._vocabulary import action_kind, site_kind

__all__ = ["build_actions", "build_places", "build_sites", "resolve_ml"]


def build_sites(findings: Findings, columns: Columns, ctx: Context) -> Built:
    """Build the ``sites`` layer from the good rows."""
    require(findings, columns, "sites", ("name", "kind"))
    kinds = findings.parse(columns.get("kind"), site_kind)
    sessions = findings.parse(columns.get("sessions_per_month"), _sessions)
    opened = findings.parse(columns.get("opened"), _optional(parse_date))
    closed = findings.parse(columns.get("closed"), _optional(parse_date))
    names = texts(findings, columns.get("name"))
    for pos, name in enumerate(names):
        if columns.get("name") and not name:
            findings.row(pos, "is empty; expected the site's name", column=columns.get("name"))
    _check_order(findings, opened, closed, columns)
    placed = place_rows(findings, columns, ctx.ref, needed=np.ones(len(names), dtype=bool))
    ml = resolve_ml(findings, columns, ctx.ml, placed)
    ids = _ids(findings, columns.get("site_id"), "S")
    if findings.file_problems:
        return Built({})
    keep = good_rows(findings)
    frame = pd.DataFrame({
        "site_id": _pick(ids, keep),
        "ml_code": _pick(ml, keep),
        "name": _pick(names, keep),
        "kind": _pick(kinds, keep),
        "sessions_per_month": pd.Series(_pick(sessions, keep), dtype="float64"),
        "opened": as_dates(_pick(opened, keep).tolist()),
        "closed": as_dates(_pick(closed, keep).tolist()),
        **_place_columns(placed, ctx.ref, keep),
    }, copy=False)
    return Built({"sites": _points_frame(frame, placed, keep)}, notes=_notes(placed, keep))


def build_actions(findings: Findings, columns: Columns, ctx: Context) -> Built:
    """Build the ``actions`` layer from the good rows; online actions have no point."""
    require(findings, columns, "actions", ("date", "kind", "youth_met"))
    kinds = findings.parse(columns.get("kind"), action_kind)
    dates = findings.parse(columns.get("date"), checked_date(ctx.today))
    met = findings.parse(columns.get("youth_met"),
                         lambda v: parse_count(v, what="the number of young people met"))
    online = np.array([k == "numerique" for k in kinds], dtype=bool)
    placed = place_rows(findings, columns, ctx.ref, needed=~online)
    ml = resolve_ml(findings, columns, ctx.ml, placed)
    ids = _ids(findings, columns.get("action_id"), "A")
    if findings.file_problems:
        return Built({})
    keep = good_rows(findings)
    placed.points[online] = None
    placed.approximate[online] = False
    frame = pd.DataFrame({
        "action_id": _pick(ids, keep),
        "ml_code": _pick(ml, keep),
        "kind": _pick(kinds, keep),
        "date": as_dates(_pick(dates, keep).tolist()),
        "youth_met": pd.Series(_pick(met, keep), dtype="int64"),
        "label": _pick(texts(findings, columns.get("label")), keep),
        **_place_columns(placed, ctx.ref, keep),
    }, copy=False)
    notes = _notes(placed, keep)
    if online[keep].any():
        notes.append(f"{int(online[keep].sum())} action(s) numérique(s), sans lieu")
    return Built({"actions": _points_frame(frame, placed, keep)}, notes=notes)


def build_places(findings: Findings, columns: Columns, ref: Reference, *,
                 within_region: bool = True) -> gpd.GeoDataFrame:
    """Return the places of the good rows, placed as :func:`build_sites` places sites.

    Columns: ``site_id``, ``name``, ``ml_code`` and ``capacity`` when the file has them, then
    ``code_insee``, ``commune`` and ``approximate`` (placed at its commune's town hall).
    Places outside the region are problems of their rows unless ``within_region`` is false.
    """
    given: dict[str, list[Any]] = {}
    if columns.get("site_id"):
        given["site_id"] = _ids(findings, columns.get("site_id"), "L")
    if columns.get("name"):
        given["name"] = texts(findings, columns.get("name"))
        for pos, name in enumerate(given["name"]):
            if not name:
                findings.row(pos, "is empty; expected the place's name",
                             column=columns.get("name"))
    if columns.get("ml_code"):
        given["ml_code"] = [code or None for code in texts(findings, columns.get("ml_code"))]
    if columns.get("capacity"):
        given["capacity"] = findings.parse(columns.get("capacity"), _capacity)
    placed = place_rows(findings, columns, ref, needed=np.ones(len(findings.table.rows),
                                                               dtype=bool),
                        within_region=within_region)
    keep = good_rows(findings)
    frame = pd.DataFrame({name: _pick(values, keep) for name, values in given.items()},
                         index=range(len(keep)))
    frame = frame.assign(**_place_columns(placed, ref, keep))
    if "capacity" in frame:
        frame["capacity"] = frame["capacity"].astype("float64")
    return _points_frame(frame, placed, keep)


def resolve_ml(findings: Findings, columns: Columns, index: MlIndex, placed: Placed) -> list[str]:
    """Return the ML of each row: as given, else the one whose catchment holds the place."""
    column = columns.get("ml_code")
    given = texts(findings, column)
    result = [""] * len(given)
    unplaced = []
    for pos, code in enumerate(given):
        if code:
            if index.known(code):
                result[pos] = code
            else:
                findings.row(pos, f"{shown(code)} is not a Mission Locale of the workspace; "
                             f"expected one of {index.listed()} (layer catchments)",
                             column=column)
        elif index.empty:
            unplaced.append(pos)
        elif placed.codes[pos]:
            found = index.by_commune.get(placed.codes[pos])
            if found:
                result[pos] = found
            else:
                findings.row(pos, f"its place (commune {placed.codes[pos]}) is in no catchment "
                             "of the workspace; give its Mission Locale in a `Code ML` column",
                             column=column)
        elif pos not in findings.bad_rows:
            findings.row(pos, "has no place to find its Mission Locale from; give it in a "
                         "`Code ML` column", column=column)
    if unplaced:
        where = f"`{column}` is empty on {len(unplaced)} row(s)" if column else (
            "there is no `Code ML` column")
        findings.whole_file(f"{where} and the workspace has no catchments to find the Mission "
                            "Locale from the place; import the catchments first (territory "
                            "import catchments FILE) or give each row's `Code ML`")
    return result


def _ids(findings: Findings, column: str | None, prefix: str) -> Any:
    if column is None:
        rows = findings.table.rows
        return text_array((f"{prefix}{row:05d}" for row in rows), len(rows))
    ids = texts(findings, column)
    seen: dict[str, int] = {}
    for pos, value in enumerate(ids):
        if not value:
            findings.row(pos, "is empty; expected an identifier, unique in the file",
                         column=column)
        elif value in seen:
            findings.row(pos, f"{shown(value)} is already the identifier of row {seen[value]}; "
                         "expected identifiers unique in the file", column=column)
        else:
            seen[value] = findings.table.rows[pos]
    return ids


def _sessions(raw: Any) -> float:
    if is_blank(raw):
        return float("nan")
    value = parse_number(raw, what="a number of sessions per month")
    if value < 0:
        raise BadValue(f"{shown(raw)} is negative; expected a number of sessions per month, "
                       "0 or more")
    return value


def _capacity(raw: Any) -> float:
    if is_blank(raw):
        return float("nan")
    value = parse_number(raw, what="a number of young people the place can take in")
    if value < 0:
        raise BadValue(f"{shown(raw)} is negative; expected the number of young people the "
                       "place can take in, 0 or more (or empty for no limit)")
    return value


def _optional(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda raw: None if is_blank(raw) else parse(raw)


def _check_order(findings: Findings, opened: list[Any], closed: list[Any],
                 columns: Columns) -> None:
    for pos, (start, end) in enumerate(zip(opened, closed, strict=True)):
        if start is not None and end is not None and end < start:
            findings.row(pos, f"closes on {end:%d/%m/%Y}, before it opened on {start:%d/%m/%Y}; "
                         "check both dates", column=columns.get("closed"))


def _pick(values: Any, keep: np.ndarray) -> pd.Series:
    """Return the values of the rows kept, as a column that copies none of them.

    Texts stay Python objects (a value repeated on a million rows is one string, where a
    text column would copy each cell); a compact text column is taken as it is.
    """
    if len(keep) == len(values):  # every row, in order
        picked = values
    elif isinstance(values, np.ndarray | pd.api.extensions.ExtensionArray):
        picked = values.take(keep)
    else:
        picked = [values[i] for i in keep]
    if isinstance(picked, pd.api.extensions.ExtensionArray):
        return pd.Series(picked)
    return pd.Series(picked, dtype=object)


def _place_columns(placed: Placed, ref: Reference, keep: np.ndarray) -> dict[str, Any]:
    codes = _pick(placed.codes, keep)
    # One copy of each commune's name, however many rows name it.
    known = {code: ref.name(code) for code in set(codes) if code in ref.communes.index}
    names = pd.Series([known.get(c, "") for c in codes], dtype=object)
    return {"code_insee": codes, "commune": names,
            "approximate": pd.Series(placed.approximate[keep], dtype=bool)}


def _points_frame(frame: pd.DataFrame, placed: Placed, keep: np.ndarray) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(placed.points[keep],
                                                          crs=geodata.CRS))


def _notes(placed: Placed, keep: np.ndarray) -> list[str]:
    approximate = int(placed.approximate[keep].sum())
    if not approximate:
        return []
    return [f"{approximate} lieu(x) placé(s) à la mairie de leur commune (position approchée, "
            "colonne approximate)"]
