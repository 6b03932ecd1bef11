"""Lighter polygons for web maps, with the borders that neighbours share kept shared.

Simplifying each commune on its own moves a shared border differently on each side and opens
slivers and overlaps between neighbours; coverage simplification simplifies each shared edge
once, for both sides.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from territory._errors import InputError

__all__ = ["TOLERANCE_M", "simplify_coverage"]

# A few tens of metres: about one screen pixel at zoom 11 (54 m per pixel at 45°N), so the
# region view and an ML's view look the same with fewer vertices.
TOLERANCE_M = 50.0


def simplify_coverage(
    geometry: gpd.GeoSeries, *, tolerance_m: float = TOLERANCE_M
) -> gpd.GeoSeries:
    """Simplify polygons that tile a territory, keeping shared borders shared.

    Uses :func:`shapely.coverage_simplify` (Visvalingam–Whyatt on each shared edge, GEOS'
    ``CoverageSimplifier``): no polygon is reduced below a triangle, so none disappears. A
    result that is empty or invalid (possible where the input coverage has small gaps or
    overlaps) is replaced by its original polygon. Missing geometries stay missing.

    Parameters
    ----------
    geometry
        Polygons in a projected CRS in metres (Lambert-93 here).
    tolerance_m
        Roughly the square root of the area of the triangles removed, in metres.

    Returns
    -------
    geopandas.GeoSeries
        The simplified polygons, on the input's index and CRS.

    Examples
    --------
    >>> from shapely import box
    >>> squares = gpd.GeoSeries([box(0, 0, 100, 100), box(100, 0, 200, 100)], crs=2154)
    >>> simplify_coverage(squares).area.tolist()
    [10000.0, 10000.0]
    """
    if geometry.crs is None or not geometry.crs.is_projected:
        raise InputError(
            f"cannot simplify in {geometry.crs.to_string() if geometry.crs else 'no CRS'}: "
            "expected a projected CRS in metres such as EPSG:2154 (Lambert-93); "
            "reproject first with .to_crs('EPSG:2154')"
        )
    original = np.asarray(geometry.values, dtype=object)
    present = ~(shapely.is_missing(original) | shapely.is_empty(original))
    result = original.copy()
    if present.any():
        simplified = shapely.coverage_simplify(original[present], tolerance_m)
        broken = shapely.is_empty(simplified) | ~shapely.is_valid(simplified)
        simplified[broken] = original[present][broken]
        result[present] = simplified
    return gpd.GeoSeries(result, index=geometry.index, crs=geometry.crs)
