"""Compact GeoJSON for web maps: WGS84, rounded coordinates, only the properties drawn.

This is the only place where territory leaves Lambert-93: web maps need EPSG:4326.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from territory._crs import WGS84

__all__ = ["DECIMALS", "WEB_CRS", "feature_collection", "web_bounds", "web_latlon"]

WEB_CRS = WGS84
# Five decimals of a degree is about 1 m in latitude (0.8 m in longitude at 45°N): finer than
# the reference geometry itself.
DECIMALS = 5


def _rounded_wgs84(geometry: gpd.GeoSeries, decimals: int) -> np.ndarray:
    wgs84 = np.asarray(geometry.to_crs(WEB_CRS).values, dtype=object)
    return shapely.transform(wgs84, lambda xy: np.round(xy, decimals))


def feature_collection(
    geometry: gpd.GeoSeries,
    properties: Mapping[str, Sequence[Any]],
    *,
    ids: Sequence[str] | None = None,
    decimals: int = DECIMALS,
) -> dict[str, Any]:
    """Return a GeoJSON FeatureCollection in WGS84, without the rows that have no geometry.

    Parameters
    ----------
    geometry
        The geometries, in any CRS (converted to EPSG:4326 here).
    properties
        Property name to one JSON-ready value per row (plain Python values).
    ids
        One feature id per row, if the features need one.
    decimals
        Decimals kept in the coordinates.

    Returns
    -------
    dict
        The FeatureCollection.

    Examples
    --------
    >>> from shapely import Point
    >>> points = gpd.GeoSeries([Point(417000, 6421000), None], crs=2154)
    >>> fc = feature_collection(points, {"nom": ["Bordeaux", "nulle part"]})
    >>> len(fc["features"]), fc["features"][0]["geometry"]["coordinates"]
    (1, (-0.58179, 44.83039))
    """
    shapes = _rounded_wgs84(geometry, decimals)
    keep = ~(shapely.is_missing(shapes) | shapely.is_empty(shapes))
    columns = {name: list(values) for name, values in properties.items()}
    features = []
    for row in np.flatnonzero(keep).tolist():
        feature: dict[str, Any] = {
            "type": "Feature",
            "properties": {name: values[row] for name, values in columns.items()},
            "geometry": shapely.geometry.mapping(shapes[row]),
        }
        if ids is not None:
            feature["id"] = ids[row]
        features.append(feature)
    return {"type": "FeatureCollection", "features": features}


def web_bounds(geometry: gpd.GeoSeries) -> list[list[float]]:
    """Return ``[[south, west], [north, east]]`` of the geometries in WGS84 (Leaflet's order).

    Examples
    --------
    >>> from shapely import box
    >>> web_bounds(gpd.GeoSeries([box(699000, 6599000, 701000, 6601000)], crs=2154))
    [[46.49099, 2.98696], [46.509, 3.01304]]
    """
    west, south, east, north = geometry.to_crs(WEB_CRS).total_bounds
    return [[round(float(south), DECIMALS), round(float(west), DECIMALS)],
            [round(float(north), DECIMALS), round(float(east), DECIMALS)]]


def web_latlon(geometry: gpd.GeoSeries) -> list[tuple[float, float]]:
    """Return ``(lat, lon)`` of points in WGS84, rounded, in Leaflet's order.

    Examples
    --------
    >>> from shapely import Point
    >>> web_latlon(gpd.GeoSeries([Point(417000, 6421000)], crs=2154))
    [(44.83039, -0.58179)]
    """
    wgs84 = geometry.to_crs(WEB_CRS)
    return [(round(float(y), DECIMALS), round(float(x), DECIMALS))
            for x, y in zip(wgs84.x, wgs84.y, strict=True)]
