"""Points to communes: which polygon each point lies in, and how many points each holds.

The points are binned on a 1.5 km grid. Each occupied grid cell is tested once against the
polygons its box meets (``shapely.STRtree`` + ``contains_properly`` on *prepared* polygons):
every point of a cell lying wholly inside one polygon belongs to it without a test of its own.
Only the points of cells that straddle a boundary are tested, from bare coordinates, against
that cell's few candidate polygons (``shapely.contains_xy``). Everything runs over arrays in
GEOS and NumPy, with no frame built per match; the polygons are prepared on a private copy so
the input is left as it was.

A point on a shared boundary, or outside every polygon, has no commune (NA), as with
``geopandas.sjoin(..., predicate="within")``; a point inside two overlapping polygons goes to
one of them.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from territory.analysis._checks import check_layers

__all__ = ["count_points", "locate"]

# Grid cell side: large enough that few cells hold few points, small enough that most cells
# fall inside one commune (communes of the region are about 4 km across).
GRID_M = 1500.0

# Boundary-cell points tested per batch: bounds the candidate-pair arrays (~40 MB a batch).
BATCH = 250_000

IntArray = NDArray[np.intp]


def _grid(xy: NDArray[np.float64], cell_m: float) -> tuple[IntArray, NDArray[np.object_]]:
    """Each point's grid cell (position among the occupied cells) and the cells' boxes."""
    origin = xy.min(axis=0)
    ij = np.floor((xy - origin) / cell_m).astype(np.int64)
    width = int(ij[:, 1].max()) + 1
    cells, cell_of = np.unique(ij[:, 0] * width + ij[:, 1], return_inverse=True)
    x0 = origin[0] + (cells // width) * cell_m
    y0 = origin[1] + (cells % width) * cell_m
    return cell_of.astype(np.intp), shapely.box(x0, y0, x0 + cell_m, y0 + cell_m)


def _tested(shapes: NDArray[np.object_], xy: NDArray[np.float64], points: IntArray,
            cells: IntArray, candidates: tuple[IntArray, IntArray]) -> tuple[IntArray, IntArray]:
    """Test ``points`` (in cells ``cells``) against the candidate polygons of their cell.

    ``candidates`` are (cell, polygon) pairs. Points come cell by cell, so that consecutive
    tests hit the same polygons in cache.
    """
    cell, polygon = candidates
    order = np.argsort(cell, kind="stable")
    polygon = polygon[order]
    per_cell = np.bincount(cell, minlength=int(cells.max(initial=0)) + 1)
    first = np.cumsum(per_cell) - per_cell
    start, count = first[cells], per_cell[cells]
    point = np.repeat(points, count)
    offset = np.arange(len(point)) - np.repeat(np.cumsum(count) - count, count)
    candidate = polygon[np.repeat(start, count) + offset]
    inside = shapely.contains_xy(shapes[candidate], xy[point, 0], xy[point, 1])
    return point[inside], candidate[inside]


def _positions(points: gpd.GeoSeries, polygons: gpd.GeoSeries,
               *, cell_m: float = GRID_M) -> IntArray:
    """Position of the polygon holding each point, -1 for none."""
    found = np.full(len(points), -1, dtype=np.intp)
    xy = shapely.get_coordinates(points.to_numpy()).reshape(-1, 2)
    if len(xy) == 0 or len(polygons) == 0:
        return found
    shapes = shapely.from_wkb(shapely.to_wkb(polygons.to_numpy()))
    shapely.prepare(shapes)
    cell_of, boxes = _grid(xy, cell_m)
    cell, polygon = shapely.STRtree(shapes).query(boxes, predicate="intersects")
    whole = shapely.contains_properly(shapes[polygon], boxes[cell])
    owner = np.full(len(boxes), -1, dtype=np.intp)
    owner[cell[whole]] = polygon[whole]
    found[:] = owner[cell_of]
    mixed = np.flatnonzero(found < 0)
    mixed = mixed[np.argsort(cell_of[mixed], kind="stable")]
    for batch in np.array_split(mixed, max(1, -(-len(mixed) // BATCH))):
        point, inside = _tested(shapes, xy, batch, cell_of[batch], (cell, polygon))
        located, first = np.unique(point, return_index=True)
        found[located] = inside[first]
    return found


def locate(points: gpd.GeoDataFrame, polygons: gpd.GeoDataFrame, *,
           key: str = "code_insee") -> pd.Series:
    """Return, for each point, the ``key`` of the polygon it lies in (NA for none).

    Parameters
    ----------
    points
        Points in EPSG:2154 (e.g. actions, or geocoded addresses).
    polygons
        Polygons in EPSG:2154 with a ``key`` column (e.g. the communes).
    key
        The column naming each polygon.

    Returns
    -------
    located
        The polygon's ``key`` per point, on the points' index.

    Examples
    --------
    >>> communes = gpd.GeoDataFrame({"code_insee": ["a", "b"]},
    ...     geometry=[shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)], crs=2154)
    >>> points = gpd.GeoDataFrame(geometry=gpd.points_from_xy([5, 15, 50, 10], [5, 5, 5, 5]),
    ...                           crs=2154)
    >>> locate(points, communes).tolist()
    ['a', 'b', nan, nan]
    """
    check_layers({"points": points, "polygons": polygons},
                 {"points": (True, ()), "polygons": (True, (key,))})
    found = _positions(points.geometry, polygons.geometry)
    values = np.full(len(found), np.nan, dtype=object)
    hit = found >= 0
    values[hit] = polygons[key].to_numpy(dtype=object)[found[hit]]
    return pd.Series(values, index=points.index, name=key, dtype="object")


def count_points(points: gpd.GeoDataFrame, polygons: gpd.GeoDataFrame) -> pd.Series:
    """Return how many points lie in each polygon, on the polygons' index.

    Examples
    --------
    >>> communes = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 10, 10)], crs=2154)
    >>> points = gpd.GeoDataFrame(geometry=gpd.points_from_xy([1, 2, 30], [1, 2, 3]),
    ...                           crs=2154)
    >>> count_points(points, communes).tolist()
    [2]
    """
    check_layers({"points": points, "polygons": polygons},
                 {"points": (True, ()), "polygons": (True, ())})
    found = _positions(points.geometry, polygons.geometry)
    counts = np.bincount(found[found >= 0], minlength=len(polygons))
    return pd.Series(counts, index=polygons.index, name="points", dtype="int64")
