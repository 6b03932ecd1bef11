"""The map page: communes coloured by the invisible-zone score, drawn as vectors.

Colours are the score's regional quintiles, read from ``gap_rank`` (the rank is public; the
score itself is masked where it would reveal a small count), so that the region's map and an
ML's map colour a commune the same way. Polygons are simplified with their shared borders
kept shared (:func:`territory.viz._simplify.simplify_coverage`).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from territory.report._data import ReportData
from territory.report._rankings import short_code
from territory.report._style import (
    INK,
    MUTED,
    PAGE_IN,
    SMALL_PT,
    content_box,
    fx,
    fy,
    new_page,
    page_title,
    paragraph,
)
from territory.report.document import Page
from territory.viz import simplify_coverage
from territory.viz.labels import SITE_KIND_COLOURS, SITE_KIND_LABELS, format_number, kind_colour

# ColorBrewer "BuPu", 5 classes (colorbrewer2.org), darkest for the least reached: cool
# colours, so that the sites' warm markers stay readable on top.
CLASS_COLOURS = ("#810f7c", "#8856a7", "#8c96c6", "#b3cde3", "#edf8fb")
CLASS_LABELS = ("très élevé : les 20 % de communes les moins atteintes", "élevé", "moyen",
                "faible", "très faible : les 20 % les mieux atteintes")
CONTEXT_FILL = "#eceff2"
REGION_TOLERANCE_M = 400.0
ML_TOLERANCE_M = 80.0
PLACE_COLOUR = "#2d3a45"
LEGEND_LEFT_IN = 7.35
# Smallest distance between two ML numbers on the region's map, in inches on the page.
LABEL_GAP_IN = 0.2


def quintile(rank: pd.Series, total: int) -> np.ndarray:
    """Return each commune's class, 0 for the 20 % least reached (``gap_rank`` 1 …).

    Examples
    --------
    >>> quintile(pd.Series([1, 2, 5, 10]), 10).tolist()
    [0, 0, 2, 4]
    """
    return np.minimum(4, (rank.to_numpy() - 1) * 5 // max(total, 1)).astype(int)


def _extent(bounds: np.ndarray, ax_w: float, ax_h: float) -> tuple[float, ...]:
    """Bounds padded by 3 % and widened to the axes' proportions (equal scales)."""
    x0, y0, x1, y1 = bounds
    w, h = (x1 - x0) * 1.06, (y1 - y0) * 1.06
    if w / h < ax_w / ax_h:
        w = h * ax_w / ax_h
    else:
        h = w * ax_h / ax_w
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return (cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2)


def _scale_bar(ax: Axes, extent: tuple[float, ...]) -> None:
    width_km = (extent[1] - extent[0]) / 1000
    length = next(n for n in (100, 50, 20, 10, 5, 2, 1) if n <= width_km / 4)
    x, y = extent[0] + (extent[1] - extent[0]) * 0.04, extent[2] + (extent[3] - extent[2]) * 0.04
    ax.plot([x, x + length * 1000], [y, y], color=INK, linewidth=2.2, solid_capstyle="butt")
    ax.text(x + length * 500, y + (extent[3] - extent[2]) * 0.012, f"{length} km",
            ha="center", va="bottom", fontsize=SMALL_PT, color=INK)


def _context(ax: Axes, data: ReportData, extent: tuple[float, ...]) -> None:
    """Draw the other Missions Locales' territories in grey, without their names."""
    catchments = gpd.GeoDataFrame(data.layers["catchments"])
    others = catchments[catchments["ml_code"] != data.ml_code]
    others = others[others.intersects(_box(extent))]
    if len(others):
        simplify_coverage(others.geometry, tolerance_m=4 * ML_TOLERANCE_M).plot(
            ax=ax, color=CONTEXT_FILL, edgecolor="white", linewidth=0.8)


def _box(extent: tuple[float, ...]) -> shapely.Polygon:
    return shapely.box(extent[0], extent[2], extent[1], extent[3])


def _outlines(ax: Axes, data: ReportData, metres_per_inch: float) -> None:
    catchments = gpd.GeoDataFrame(data.layers["catchments"])
    if data.region:
        departements = data.layers.get("departements")
        if isinstance(departements, gpd.GeoDataFrame) and len(departements):
            simplify_coverage(departements.geometry, tolerance_m=REGION_TOLERANCE_M).boundary\
                .plot(ax=ax, color="white", linewidth=1.4)
        shapes = simplify_coverage(catchments.geometry, tolerance_m=REGION_TOLERANCE_M)
        shapes.boundary.plot(ax=ax, color=INK, linewidth=0.45)
        _ml_labels(ax, catchments, metres_per_inch)
    else:
        own = catchments[catchments["ml_code"] == data.ml_code]
        own.boundary.plot(ax=ax, color=INK, linewidth=1.3)


def spread(points: np.ndarray, min_distance: float, *, rounds: int = 200) -> np.ndarray:
    """Move labels apart until no two are closer than ``min_distance`` (or rounds run out).

    Each overlapping pair is pushed apart along the line joining them, half the overlap each;
    the result depends only on the input, so the same map gets the same labels.

    Examples
    --------
    >>> spread(np.array([[0.0, 0.0], [1.0, 0.0]]), 3.0).round(1).tolist()
    [[-1.0, 0.0], [2.0, 0.0]]
    """
    moved = np.asarray(points, dtype=float).copy()
    for _ in range(rounds):
        gap = moved[:, None, :] - moved[None, :, :]
        dist = np.hypot(gap[..., 0], gap[..., 1])
        np.fill_diagonal(dist, np.inf)
        if dist.min() >= min_distance * 0.999:
            break
        push = np.where(dist < min_distance, (min_distance - dist) / 2, 0.0)
        unit = gap / np.where(np.isfinite(dist) & (dist > 0), dist, 1.0)[..., None]
        moved += (unit * push[..., None]).sum(axis=1)
    return moved


def _ml_labels(ax: Axes, catchments: gpd.GeoDataFrame, metres_per_inch: float) -> None:
    halo = [patheffects.withStroke(linewidth=2.2, foreground="white")]
    anchors = np.array([(p.x, p.y) for p in catchments.geometry.representative_point()])
    placed = spread(anchors, LABEL_GAP_IN * metres_per_inch)
    for code, (x0, y0), (x, y) in zip(catchments["ml_code"], anchors, placed, strict=True):
        if np.hypot(x - x0, y - y0) > 0.05 * metres_per_inch:
            ax.plot([x0, x], [y0, y], color=INK, linewidth=0.5, zorder=5)
        ax.text(x, y, short_code(code), fontsize=6.5, ha="center", va="center", color=INK,
                weight="bold", path_effects=halo, zorder=6)


def _points(ax: Axes, data: ReportData) -> None:
    if data.region:
        return
    places = data.places[data.places.geometry.notna()]
    if len(places):
        ax.scatter(places.geometry.x, places.geometry.y, s=12, marker="o",
                   facecolor="white", edgecolor=PLACE_COLOUR, linewidth=0.8, zorder=3)
    sites = data.sites[data.sites.geometry.notna()]
    for kind in SITE_KIND_LABELS:
        chosen = sites[sites["kind"] == kind]
        if len(chosen):
            ax.scatter(chosen.geometry.x, chosen.geometry.y, s=34 if kind == "siege" else 20,
                       marker="s" if kind == "siege" else "o",
                       color=kind_colour(kind, SITE_KIND_COLOURS), edgecolor=INK,
                       linewidth=0.5, zorder=4)


def _draw_map(ax: Axes, data: ReportData, extent: tuple[float, ...], height_in: float) -> None:
    if not data.region:
        _context(ax, data, extent)
    tolerance = REGION_TOLERANCE_M if data.region else ML_TOLERANCE_M
    communes = data.communes
    shapes = simplify_coverage(communes.geometry, tolerance_m=tolerance)
    colours = np.asarray(CLASS_COLOURS)[quintile(communes["gap_rank"], data.region_size)]
    shapes.plot(ax=ax, color=list(colours), edgecolor="white",
                linewidth=0.08 if data.region else 0.3)
    _outlines(ax, data, (extent[3] - extent[2]) / height_in)
    _points(ax, data)
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect("equal")
    ax.set_axis_off()
    _scale_bar(ax, extent)


def _legend_entry(fig: Figure, *, top: float, label: str, colour: str,
                  marker: str | None = None) -> float:
    left = LEGEND_LEFT_IN
    if marker is None:
        fig.add_artist(Rectangle((fx(left), fy(top + 0.2)), fx(0.32), 0.2 / PAGE_IN[1],
                                 transform=fig.transFigure, facecolor=colour,
                                 edgecolor=MUTED, linewidth=0.4))
    else:
        fig.add_artist(Line2D([fx(left + 0.16)], [fy(top + 0.1)], marker=marker,
                              transform=fig.transFigure, markersize=7 if marker == "s" else 6,
                              markerfacecolor=colour, markeredgecolor=INK,
                              markeredgewidth=0.5, linestyle="none"))
    return paragraph(fig, label, left=left + 0.45, top=top + 0.02, width=3.2, size=9) + 0.1


def _legend(fig: Figure, data: ReportData, top: float) -> float:
    y = top + paragraph(fig, "Indice de zone invisible", left=LEGEND_LEFT_IN, top=top,
                        width=3.7, size=11, weight="bold") + 0.05
    y += paragraph(fig, f"quintiles des {format_number(data.region_size)} communes de la "
                   "région", left=LEGEND_LEFT_IN, top=y, width=3.7, size=9, color=MUTED) + 0.12
    for colour, label in zip(CLASS_COLOURS, CLASS_LABELS, strict=True):
        y += _legend_entry(fig, top=y, label=label, colour=colour)
    if data.region:
        return y + 0.1
    y += 0.15
    kinds = [k for k in SITE_KIND_LABELS if (data.sites["kind"] == k).any()]
    for kind in kinds:
        y += _legend_entry(fig, top=y, label=f"site : {SITE_KIND_LABELS[kind]}",
                           colour=kind_colour(kind, SITE_KIND_COLOURS),
                           marker="s" if kind == "siege" else "o")
    if len(data.places):
        y += _legend_entry(fig, top=y, label="lieu d'action d'aller-vers sur la période",
                           colour="white", marker="o")
    return y + 0.1


def _explanation(data: ReportData) -> str:
    outline = ("Traits noirs : territoires d'intervention des Missions Locales (numéro au "
               "centre, voir le tableau par Mission Locale) ; traits blancs : départements."
               if data.region else "Trait noir : territoire d'intervention ; en gris : "
               "territoires voisins.")
    return ("L'indice combine le besoin (jeunes invisibles estimés), l'accès (temps jusqu'au "
            "site ou lieu d'aller-vers le plus proche) et l'atteinte (jeunes atteints "
            f"rapportés aux NEET estimés). {outline} Géométries simplifiées.")


def map_page(data: ReportData) -> Page:
    """Return the map page of the region or of the ML's territory."""
    fig = new_page()
    left, top, _, height = content_box()
    where = "de la région" if data.region else "du territoire d'intervention"
    title = f"Où les jeunes invisibles sont-ils le moins atteints ? Communes {where}"
    used = page_title(fig, "Carte de l'indice de zone invisible", title)
    ax_w, ax_h = LEGEND_LEFT_IN - left - 0.35, height - used
    ax = fig.add_axes((fx(left), fy(top + height), fx(ax_w), ax_h / PAGE_IN[1]))
    _draw_map(ax, data, _extent(np.asarray(data.communes.total_bounds), ax_w, ax_h), ax_h)
    y = _legend(fig, data, top + used)
    paragraph(fig, _explanation(data), left=LEGEND_LEFT_IN, top=y + 0.1, width=3.7,
              size=SMALL_PT + 0.5, color=MUTED)
    return Page("Carte de l'indice de zone invisible", fig, text=(title, _explanation(data)))
