"""What the browser map receives besides its vector tiles: bounds, labels and point lists.

Names and tips are text, as the workspace holds them; the map writes them as text (only the
legend is HTML, escaped here: see :func:`territory.viz.labels.html_text`). The polygons go
to the browser as vector tiles (:mod:`territory.dashboards.tiles`); coordinates here are
WGS84 rounded to 4 decimals (about 10 m).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from territory.dashboards.map_component import column, point_columns
from territory.viz import WEB_CRS, labels, short_ml_name

__all__ = [
    "DECIMALS",
    "action_points",
    "area_bounds",
    "catchment_names",
    "point_at",
    "site_points",
]

DECIMALS = 4


def area_bounds(frame: gpd.GeoDataFrame) -> np.ndarray:
    """Return ``[south, west, north, east]`` of each row of ``frame`` in WGS84."""
    west, south, east, north = frame.geometry.to_crs(WEB_CRS).bounds.to_numpy().T
    return np.round(np.column_stack([south, west, north, east]), DECIMALS)


def union_bounds(bounds: np.ndarray) -> list[list[float]]:
    """Return Leaflet's ``[[south, west], [north, east]]`` around some rows' bounds."""
    if len(bounds) == 0:
        return []
    south, west = bounds[:, 0].min(), bounds[:, 1].min()
    north, east = bounds[:, 2].max(), bounds[:, 3].max()
    return [[float(south), float(west)], [float(north), float(east)]]


def catchment_names(catchments: gpd.GeoDataFrame | None) -> list[list[Any]]:
    """Return ``[lat, lon, short name, ml_code]`` of each catchment, largest first (text)."""
    if catchments is None or catchments.empty:
        return []
    ordered = catchments.iloc[np.argsort(-catchments.geometry.area.to_numpy(), kind="stable")]
    places = ordered.geometry.representative_point().to_crs(WEB_CRS)
    return [[round(float(p.y), DECIMALS), round(float(p.x), DECIMALS),
             _label(str(n)), str(code)]
            for p, n, code in zip(places, ordered["ml_name"], ordered["ml_code"], strict=True)]


def _label(name: str) -> str:
    """Return a catchment's name for the map, without the demo's "(fictive)" (see the banner)."""
    return short_ml_name(name).removesuffix(" (fictive)")


def point_at(geometry: gpd.GeoSeries) -> tuple[np.ndarray, np.ndarray]:
    """Return the latitudes and longitudes of points, rounded, in WGS84."""
    wgs84 = geometry.to_crs(WEB_CRS)
    return np.round(wgs84.y.to_numpy(), 5), np.round(wgs84.x.to_numpy(), 5)


def _placed(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return frame[~(frame.geometry.isna() | frame.geometry.is_empty)]


def site_points(sites: gpd.GeoDataFrame, ml_names: Mapping[str, str]) -> dict[str, Any]:
    """Return the sites as columns ``lat``, ``lon``, ``colour``, ``tip`` for the map.

    A tip is lines of text, the first (the site's name) in bold.
    """
    placed = _placed(sites)
    lat, lon = point_at(placed.geometry)
    kinds = placed["kind"].astype(str)
    tips = [[str(name), f"{labels.kind_label(kind, labels.SITE_KIND_LABELS)} · "
             f"{ml_names.get(str(ml), str(ml))}"]
            for name, kind, ml in zip(placed["name"], kinds, placed["ml_code"], strict=True)]
    colours = [labels.kind_colour(k, labels.SITE_KIND_COLOURS) for k in kinds]
    return point_columns(lat, lon, tip=tips, colour=column(colours, str))


def action_points(actions: gpd.GeoDataFrame) -> dict[str, Any]:
    """Return the places of the placed actions as columns ``lat``, ``lon``, ``colour``.

    One dot per place and kind of action: the map draws them on a canvas that lets clicks
    through to the communes, with no tooltip, so they carry no text, and a town hall visited
    every month is one dot, not twelve (the region's 5,174 actions are about half as many
    dots, sent with the page's other lists after its first view).
    """
    placed = _placed(actions)
    lat, lon = point_at(placed.geometry)
    colours = [labels.kind_colour(k, labels.ACTION_KIND_COLOURS)
               for k in placed["kind"].astype(str)]
    dots = pd.DataFrame({"lat": lat, "lon": lon, "colour": colours}).drop_duplicates()
    return point_columns(dots["lat"], dots["lon"], colour=column(dots["colour"], str))


def legend_items(items: Sequence[tuple[str, str]]) -> str:
    """Return legend rows (colour swatch, label) as HTML, the labels escaped."""
    return "".join(f'<div class="tm-legend-row"><i style="background:{colour}"></i>'
                   f"{labels.html_text(text)}</div>" for colour, text in items)
