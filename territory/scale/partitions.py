"""The work done on each partition: points to communes, then each young person counted once.

:func:`territory.analysis.young_people` counts a young person once: in the commune of their
latest contact (by date, ties broken by row order, contacts without a date last; the latest
*known* ``code_insee``), at the furthest stage they reached. Over partitions this is done in
two steps with one function, :func:`combine`: on each input partition it keeps one row per
young person (their latest known commune with its position in the global order, and their
furthest stage); the rows are then shuffled by ``contact_id``, and :func:`combine` on each
shuffled partition gives every young person's final row, which
:func:`territory.analysis.stage_counts` turns into counts per commune. The position in the
global order (``_when``, ``_part``, ``_row``: date, then file or partition, then row) travels
with each row, so the answer does not depend on how the rows were partitioned or shuffled.

Points are assigned to communes with :func:`territory.analysis.locate`, the single-machine
engine's function, against the communes whose bounding box meets the partition's points.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from territory._errors import InputError, Problem
from territory.analysis import FUNNEL, locate, stage_counts
from territory.analysis.period import as_period
from territory.analysis.period import in_period as period_rows

__all__ = ["PEOPLE_COLUMNS", "assign_communes", "combine", "commune_counts", "hilbert_key",
           "in_period", "order_rows", "overlap_zones", "with_order"]

# One row per young person (or per contact before the first combine).
PEOPLE_COLUMNS = ("contact_id", "code_insee", "_when", "_part", "_row", "stage_level")
COUNT_COLUMNS = tuple(FUNNEL)
_LEVEL = {stage: level for level, stage in enumerate(FUNNEL, start=1)}
# Contacts without a date sort after every dated contact, as in ``young_people``.
_NO_DATE = np.iinfo(np.int64).max
_NO_CODE = np.iinfo(np.int64).min
_MAX_LISTED = 10


def _stage_levels(contacts: pd.DataFrame, sources: Sequence[str]) -> np.ndarray:
    stage = contacts["stage"].astype(object)
    level = stage.map(_LEVEL)
    bad = (stage.notna() & level.isna()).to_numpy()
    if bad.any():
        wrong = contacts[bad].head(_MAX_LISTED)
        raise InputError([Problem(f"stage {value!r} is unknown; expected one of "
                                  f"{list(FUNNEL)}", file=sources[int(part)], row=int(row),
                                  column="stage")
                          for value, part, row in zip(stage[bad].head(_MAX_LISTED), wrong["_part"],
                                                      wrong["_row"], strict=True)])
    return level.fillna(1).to_numpy(dtype=np.int8)


def with_order(contacts: pd.DataFrame, *, part: int, first_row: int = 0) -> pd.DataFrame:
    """Return ``contacts`` with their place in the global order: ``_part`` and ``_row``.

    ``part`` numbers the file (or in-memory partition) the rows come from, ``first_row`` is
    the row number of the first of them in it.
    """
    return contacts.assign(_part=np.int64(part),
                           _row=np.arange(first_row, first_row + len(contacts), dtype=np.int64))


def in_period(contacts: pd.DataFrame, *, period: Any) -> pd.DataFrame:
    """Return the contacts dated in ``period``, by the one period rule (a partition at a time)."""
    return period_rows(contacts, period)


def order_rows(contacts: pd.DataFrame, *, period: Any = None,
               sources: Sequence[str] = ("contacts",)) -> pd.DataFrame:
    """Return the contacts of ``period`` as :data:`PEOPLE_COLUMNS` rows.

    Parameters
    ----------
    contacts
        ``contact_id``, ``date``, ``code_insee``, optionally ``stage``, and their place in the
        global order (:func:`with_order`).
    period
        ``(start, end)``, both included; None for the whole record.
    sources
        The file of each ``_part``, named in error messages.

    Returns
    -------
    rows
        ``contact_id``, ``code_insee``, ``_when`` (date as int64 ns, no date last), ``_part``,
        ``_row`` and ``stage_level`` (1 repéré, 2 mobilisé, 3 accompagné).

    Examples
    --------
    >>> contacts = pd.DataFrame({"contact_id": ["j1"], "date": pd.to_datetime(["2020-01-05"]),
    ...                          "code_insee": ["33063"], "stage": ["mobilise"]})
    >>> rows = order_rows(with_order(contacts, part=3))
    >>> rows[["_part", "_row", "stage_level"]].to_dict("records")
    [{'_part': 3, '_row': 0, 'stage_level': 2}]
    """
    dates = pd.to_datetime(contacts["date"])
    keep = (as_period(period).contains(dates) if period
            else np.ones(len(contacts), dtype=bool))
    stamps = dates.to_numpy(dtype="datetime64[ns]")
    when = np.where(np.isnat(stamps), _NO_DATE, stamps.view(np.int64))
    level = (_stage_levels(contacts, sources) if "stage" in contacts
             else np.ones(len(contacts), dtype=np.int8))
    return pd.DataFrame({
        "contact_id": contacts["contact_id"].to_numpy()[keep],
        "code_insee": contacts["code_insee"].to_numpy(dtype=object)[keep],
        "_when": when[keep],
        "_part": contacts["_part"].to_numpy(dtype=np.int64)[keep],
        "_row": contacts["_row"].to_numpy(dtype=np.int64)[keep],
        "stage_level": level[keep],
    })


def combine(rows: pd.DataFrame) -> pd.DataFrame:
    """Return one row per young person: latest known commune and furthest stage.

    The rows of one person may be contacts or the output of earlier combines: the result is
    the same, which is what lets partitions be combined in any grouping.

    Examples
    --------
    >>> rows = pd.DataFrame({"contact_id": ["j1", "j1", "j1"],
    ...     "code_insee": ["33063", None, "33069"], "_when": [5, 9, 5],
    ...     "_part": [0, 0, 1], "_row": [0, 1, 0], "stage_level": [1, 3, 2]})
    >>> combine(rows)[["contact_id", "code_insee", "stage_level"]].to_dict("records")
    [{'contact_id': 'j1', 'code_insee': '33069', 'stage_level': 3}]
    """
    stage = rows.groupby("contact_id", sort=True)["stage_level"].max()
    code = np.full(len(stage), None, dtype=object)
    key = {name: np.full(len(stage), _NO_CODE, dtype=np.int64) for name in PEOPLE_COLUMNS[2:5]}
    known = rows[(rows["code_insee"].notna() & rows["contact_id"].notna()).to_numpy()]
    order = np.lexsort((known["_row"].to_numpy(), known["_part"].to_numpy(),
                        known["_when"].to_numpy()))
    latest = known.iloc[order].drop_duplicates("contact_id", keep="last")
    at = stage.index.get_indexer(pd.Index(latest["contact_id"]))
    code[at] = latest["code_insee"].to_numpy(dtype=object)
    for name, values in key.items():
        values[at] = latest[name].to_numpy(dtype=np.int64)
    return pd.DataFrame({"contact_id": stage.index.to_numpy(), "code_insee": code, **key,
                         "stage_level": stage.to_numpy(dtype=np.int8)})


def commune_counts(people: pd.DataFrame) -> pd.DataFrame:
    """Return ``repere``, ``mobilise``, ``accompagne`` per ``code_insee`` from :func:`combine`.

    The counts come from :func:`territory.analysis.stage_counts`; young people without a known
    commune are not counted, as in the single-machine engine.
    """
    table = stage_counts(people[["code_insee", "stage_level"]], by="code_insee")
    return table.reset_index().astype(
        {"code_insee": object, **dict.fromkeys(COUNT_COLUMNS, "int64")})


def overlap_zones(communes: gpd.GeoDataFrame) -> np.ndarray:
    """Return the areas where two communes overlap (slivers of simplified boundaries).

    The national base has a few (145 pairs, 0.2 km² in all): a point there lies in two
    communes, and :func:`assign_communes` gives it to the first in the communes' order.
    """
    shapes = communes.geometry.to_numpy()
    left, right = shapely.STRtree(shapes).query(shapes, predicate="overlaps")
    keep = left < right
    zones = shapely.intersection(shapes[left[keep]], shapes[right[keep]])
    return np.asarray(zones[~shapely.is_empty(zones)], dtype=object)


def _first_holder(xy: np.ndarray, shapes: np.ndarray) -> np.ndarray:
    """Position of the first polygon holding each point (-1 for none)."""
    point, polygon = shapely.STRtree(shapes).query(shapely.points(xy), predicate="intersects")
    inside = shapely.contains_xy(shapes[polygon], xy[point, 0], xy[point, 1])
    first = np.full(len(xy), len(shapes), dtype=np.intp)
    np.minimum.at(first, point[inside], polygon[inside])
    return np.where(first < len(shapes), first, -1)


def assign_communes(points: gpd.GeoDataFrame, communes: gpd.GeoDataFrame,
                    overlaps: np.ndarray | None = None) -> pd.DataFrame:
    """Return ``points`` without geometry, with the ``code_insee`` of the commune holding each.

    Only the communes whose bounding box meets the points' bounding box are tested: a commune
    holding a point always does, so the answer is :func:`~territory.analysis.locate`'s, and
    does not depend on how the points are partitioned. A point in an overlap of two communes
    (``overlaps``, from :func:`overlap_zones`) goes to the first of them in ``communes``. A
    contact without a point has no commune, but still counts for its young person's stage.
    """
    frame = pd.DataFrame(points.drop(columns=points.geometry.name))
    geoms = points.geometry.to_numpy()
    placed = np.flatnonzero(~(shapely.is_missing(geoms) | shapely.is_empty(geoms)))
    code = np.full(len(points), None, dtype=object)
    if len(placed):
        inside = points.iloc[placed]
        near = np.sort(communes.sindex.query(shapely.box(*inside.total_bounds)))
        code[placed] = locate(inside, communes.iloc[near]).to_numpy(dtype=object)
        if overlaps is not None and len(overlaps):
            hit, _ = shapely.STRtree(overlaps).query(geoms[placed], predicate="within")
            both = np.unique(hit)
            if len(both):
                xy = shapely.get_coordinates(geoms[placed[both]])
                first = _first_holder(xy, communes.geometry.to_numpy()[near])
                keys = communes["code_insee"].to_numpy(dtype=object)[near]
                code[placed[both]] = np.where(first >= 0, keys[first], None)
    return frame.assign(code_insee=code)


def hilbert_key(points: gpd.GeoDataFrame, *, total_bounds: np.ndarray,
                level: int) -> pd.Series:
    """Return each point's distance along a Hilbert curve over ``total_bounds`` (0: no point).

    Points outside the bounds are taken to the nearest edge.
    """
    geoms = points.geometry.to_numpy()
    placed = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    key = np.zeros(len(points), dtype=np.int64)
    if placed.any():
        xy = shapely.get_coordinates(geoms[placed])
        xy[:, 0] = xy[:, 0].clip(total_bounds[0], total_bounds[2])
        xy[:, 1] = xy[:, 1].clip(total_bounds[1], total_bounds[3])
        inside = gpd.GeoSeries(shapely.points(xy), crs=points.crs)
        key[placed] = inside.hilbert_distance(total_bounds=total_bounds, level=level)
    return pd.Series(key, index=points.index, name="_hilbert")


def empty_people() -> pd.DataFrame:
    """Return an empty frame with the columns and types of :func:`combine`'s result."""
    return pd.DataFrame({"contact_id": pd.Series([], dtype=object),
                         "code_insee": pd.Series([], dtype=object),
                         **{name: pd.Series([], dtype=np.int64) for name in PEOPLE_COLUMNS[2:5]},
                         "stage_level": pd.Series([], dtype=np.int8)})


def empty_counts() -> pd.DataFrame:
    """Return an empty frame with the columns and types of :func:`commune_counts`."""
    return pd.DataFrame({"code_insee": pd.Series([], dtype=object),
                         **{name: pd.Series([], dtype="int64") for name in COUNT_COLUMNS}})
