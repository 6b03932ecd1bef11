"""H3 hexagons: a commune's figures spread over the hexagons it overlaps, by area.

For each commune, the H3 cells (resolutions 6–8) that overlap its polygon in WGS84 are listed
with ``h3shape_to_cells_experimental(..., contain="overlap")``, so only the pairs that may
touch are ever formed; each hexagon is brought back to Lambert-93 and intersected with the
commune in one vectorised shapely pass over those pairs (hexagons lying wholly inside the
commune are taken at their full area without an intersection). The commune's weight in a
hexagon is the intersection's area divided by the sum of its intersections, so the weights of
a commune sum to exactly 1 and totals are preserved.

This assumes young people are spread evenly over a commune's area: an approximation, stated
in the ``apportionment`` column of every hexagon table. The crosswalk depends on the commune
polygons and the resolution only, so the last few built are kept (read-only) and reused.
"""

from __future__ import annotations

import hashlib
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from territory._crs import LAMBERT93, WGS84
from territory._errors import InputError, Problem
from territory.analysis._checks import check_frame
from territory.analysis.zones import H3_RESOLUTIONS, Crosswalk

__all__ = ["by_hexagons", "check_polygons", "hexagon_crosswalk", "hexagon_polygons",
           "hexagon_weights"]

APPORTIONMENT = ("réparti entre hexagones au prorata de la surface de la commune "
                 "(jeunes supposés répartis uniformément)")
# Crosswalks already built, by (digest of the commune polygons, resolution): the hexagon
# levels take seconds to build and a dashboard asks for the same ones again and again.
_CACHE: dict[tuple[str, int], tuple[Crosswalk, gpd.GeoSeries]] = {}
_CACHE_SIZE = 4


def _h3() -> Any:
    # Imported on demand: only the hexagon levels need h3, the rest of the package does not.
    try:
        import h3  # noqa: PLC0415
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("hexagon levels need the h3 package (version 4): "
                          "pip install 'h3>=4,<5'") from None
    return h3


def _commune_cells(geoms_wgs84: NDArray[np.object_],
                   resolution: int) -> tuple[NDArray[np.intp], NDArray[np.str_]]:
    h3 = _h3()
    rows: list[int] = []
    cells: list[str] = []
    for i, geom in enumerate(geoms_wgs84):
        found = h3.h3shape_to_cells_experimental(h3.geo_to_h3shape(geom), resolution,
                                                 contain="overlap")
        cells.extend(found)
        rows.extend([i] * len(found))
    return np.asarray(rows, dtype=np.intp), np.asarray(cells, dtype=str)


def hexagon_polygons(cells: pd.Index | list[str]) -> gpd.GeoSeries:
    """Return the polygons of H3 ``cells`` in Lambert-93 (EPSG:2154), indexed by cell.

    Examples
    --------
    >>> import h3
    >>> bordeaux = h3.latlng_to_cell(44.84, -0.58, 7)
    >>> hexagon_polygons([bordeaux]).crs.to_epsg()
    2154
    """
    h3 = _h3()
    rings = [h3.cell_to_boundary(cell) for cell in cells]
    polygons = np.empty(len(rings), dtype=object)
    sizes = np.array([len(ring) for ring in rings])
    for size in np.unique(sizes):
        # hexagons have 6 vertices, a few cells crossing an icosahedron edge have more
        same = np.flatnonzero(sizes == size)
        latlng = np.array([rings[i] for i in same], dtype=np.float64)
        polygons[same] = shapely.polygons(latlng[:, :, ::-1])
    return gpd.GeoSeries(polygons, index=pd.Index(cells, name="zone_id"),
                         crs=WGS84).to_crs(LAMBERT93)


def _overlap_areas(communes: NDArray[np.object_], hexes: NDArray[np.object_],
                   row: NDArray[np.intp], cell: NDArray[np.intp]) -> NDArray[np.float64]:
    shapely.prepare(communes)
    area = shapely.area(hexes[cell])
    partial = ~shapely.contains_properly(communes[row], hexes[cell])
    area[partial] = shapely.area(shapely.intersection(communes[row[partial]],
                                                      hexes[cell[partial]]))
    return np.asarray(area, dtype=np.float64)


def check_polygons(communes: gpd.GeoDataFrame, resolution: int) -> None:
    """Raise :class:`~territory._errors.InputError` unless the communes can be spread.

    Every commune needs a polygon, and the resolution must be one of 6, 7 and 8.
    """
    check_frame(communes, "communes", [], spatial=True)
    if resolution not in H3_RESOLUTIONS:
        raise InputError(f"H3 resolution is {resolution!r}; expected one of "
                         f"{list(H3_RESOLUTIONS)}")
    geoms = communes.geometry.to_numpy()
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if empty.any():
        raise InputError([Problem("commune without a polygon cannot be spread over "
                                  "hexagons", file="communes", row=int(i), column="geometry")
                          for i in np.flatnonzero(empty)[:10]])


def by_hexagons(communes: gpd.GeoDataFrame, *,
                resolution: int) -> tuple[Crosswalk, gpd.GeoSeries]:
    """Crosswalk of communes to the H3 hexagons of ``resolution`` they overlap, by area.

    Parameters
    ----------
    communes
        Commune polygons in EPSG:2154.
    resolution
        H3 resolution, 6 (about 36 km² a hexagon), 7 (5 km²) or 8 (0.7 km²).

    Returns
    -------
    walk, hexagons
        The crosswalk (weights: share of the commune's area in each hexagon) and the
        hexagons' polygons in EPSG:2154, indexed by cell id.

    Examples
    --------
    >>> communes = gpd.GeoDataFrame(geometry=[shapely.box(500_000, 6_500_000, 510_000,
    ...                                                   6_510_000)], crs=2154)
    >>> walk, hexagons = by_hexagons(communes, resolution=6)
    >>> round(walk.totals(1)[0], 9), len(hexagons) == len(walk.zones)
    (np.float64(1.0), True)
    """
    check_polygons(communes, resolution)
    wkb = shapely.to_wkb(communes.geometry.to_numpy())
    key = (hashlib.sha1(b"".join(wkb), usedforsecurity=False).hexdigest(), resolution)
    if key not in _CACHE:
        while len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = _build(shapely.from_wkb(wkb), resolution)
    walk, hexagons = _CACHE[key]
    return walk, hexagons.copy()


def hexagon_weights(geoms: NDArray[np.object_], resolution: int,
                    ) -> tuple[NDArray[np.intp], NDArray[np.str_], NDArray[np.float64],
                               gpd.GeoSeries]:
    """Return each commune's share of area in each H3 hexagon it overlaps.

    Each commune's weights depend on its own polygon only, so communes may be taken in parts
    (the Dask engine does) and the parts put together with :func:`hexagon_crosswalk`.

    Parameters
    ----------
    geoms
        Commune polygons in EPSG:2154.
    resolution
        H3 resolution (6, 7 or 8).

    Returns
    -------
    row, cells, weight, hexagons
        For each (commune, hexagon) pair of positive weight: the commune's position in
        ``geoms``, the cell id and the weight (the weights of a commune sum to 1); and the
        hexagons' polygons in EPSG:2154, indexed by cell id.
    """
    wgs84 = gpd.GeoSeries(geoms, crs=LAMBERT93).to_crs(WGS84).to_numpy()
    row, cell_ids = _commune_cells(wgs84, resolution)
    cell, zones = pd.factorize(cell_ids, sort=True)
    hexagons = hexagon_polygons(pd.Index(zones))
    area = _overlap_areas(geoms, hexagons.to_numpy(), row, cell.astype(np.intp))
    total = np.bincount(row, weights=area, minlength=len(geoms))
    count = np.bincount(row, minlength=len(geoms))
    weight = np.where(total[row] > 0, area / np.where(total[row] > 0, total[row], 1.0),
                      1.0 / count[row])
    keep = weight > 0
    return row[keep], cell_ids[keep], weight[keep], hexagons


def hexagon_crosswalk(row: NDArray[np.intp], cells: NDArray[np.str_],
                      weight: NDArray[np.float64],
                      hexagons: gpd.GeoSeries) -> tuple[Crosswalk, gpd.GeoSeries]:
    """Return the crosswalk of :func:`hexagon_weights`' pairs and the hexagons it uses.

    ``hexagons`` must hold the polygon of every cell in ``cells`` (more are ignored).
    """
    used, zone = np.unique(cells, return_inverse=True)
    arrays = (np.asarray(row, dtype=np.intp), zone.astype(np.intp),
              np.asarray(weight, dtype=np.float64))
    for array in arrays:
        array.setflags(write=False)
    walk = Crosswalk(*arrays, pd.Index(used.astype(object), name="zone_id"), APPORTIONMENT)
    shapes = hexagons[~hexagons.index.duplicated()].reindex(walk.zones)
    return walk, shapes


def _build(geoms: NDArray[np.object_], resolution: int) -> tuple[Crosswalk, gpd.GeoSeries]:
    return hexagon_crosswalk(*hexagon_weights(geoms, resolution))
