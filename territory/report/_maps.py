"""The map page: communes coloured by the invisible-zone score, drawn as vectors, with names.

Colours and classes are those of the dashboards and the standalone map
(:func:`territory.viz.classes.map_classes`): the score's regional quintiles, read from
``gap_rank`` (the rank is public; the score itself is masked where it would reveal a small
count), so that the region's map and an ML's map colour a commune the same way. The map names
the Missions Locales and the ten least-reached communes, numbered as in their table (names
placed by :mod:`territory.report._labels`). Polygons are simplified with their shared borders
kept shared (:func:`territory.viz._simplify.simplify_coverage`).
"""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from territory.report import _labels
from territory.report._data import ReportData
from territory.report._rankings import least_reached, short_code
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
    wrap,
)
from territory.report.document import Page
from territory.viz import short_ml_name, simplify_coverage
from territory.viz.classes import SCORE_CLASS_LABELS
from territory.viz.labels import SITE_KIND_COLOURS, SITE_KIND_LABELS, format_number, kind_colour

__all__ = ["map_page", "place_name", "score_colours"]

CONTEXT_FILL = "#eceff2"
REGION_TOLERANCE_M = 400.0
ML_TOLERANCE_M = 80.0
PLACE_COLOUR = "#2d3a45"
LEGEND_LEFT_IN = 7.35
MARKER_IN = 0.17
COMMUNE_PT = 7.0
ML_PT = 6.0
# Words a Mission Locale's name starts with that say what kind of area it covers, not where.
_AREA_WORDS = r"(?:agglomération|pays|rurale|bassin|communauté|territoire)"
_LINK = r"(?:de la |de l['’]|des |du |de |d['’])"


def score_colours(data: ReportData) -> list[str]:
    """Return the fill colour of each commune of the map, in ``data.communes``' order."""
    colours = pd.Series(data.score_classes.zone_colours(),
                        index=data.score_classes.classes.index)
    return colours.loc[data.communes.index].tolist()


def place_name(ml_name: str) -> str:
    """Return the place a Mission Locale is named after, to write on the map.

    Examples
    --------
    >>> place_name("Mission Locale de l'agglomération d'Angoulême (fictive)")
    'Angoulême'
    >>> place_name("Mission Locale de Saintes et environs (fictive)")
    'Saintes'
    >>> place_name("Mission Locale Technowest")
    'Technowest'
    """
    text = re.sub(r"\s*\(fictive\)\s*$", "", ml_name.strip())
    text = re.sub(rf"^mission locale\s+{_LINK}?", "", text, flags=re.IGNORECASE)
    text = re.sub(rf"^{_AREA_WORDS}\s+{_LINK}?", "", text, flags=re.IGNORECASE)
    text = re.sub(r"\s+et environs$", "", text)
    return text[:1].upper() + text[1:] if text else ml_name


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


def _scale_bar(ax: Axes, extent: tuple[float, ...]) -> _labels.Box:
    width_km = (extent[1] - extent[0]) / 1000
    length = next(n for n in (100, 50, 20, 10, 5, 2, 1) if n <= width_km / 4)
    x, y = extent[0] + (extent[1] - extent[0]) * 0.04, extent[2] + (extent[3] - extent[2]) * 0.04
    ax.plot([x, x + length * 1000], [y, y], color=INK, linewidth=2.2, solid_capstyle="butt")
    ax.text(x + length * 500, y + (extent[3] - extent[2]) * 0.012, f"{length} km",
            ha="center", va="bottom", fontsize=SMALL_PT, color=INK)
    return (x, y, x + length * 1000, y + (extent[3] - extent[2]) * 0.05)


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


def _outlines(ax: Axes, data: ReportData) -> None:
    catchments = gpd.GeoDataFrame(data.layers["catchments"])
    if data.region:
        departements = data.layers.get("departements")
        if isinstance(departements, gpd.GeoDataFrame) and len(departements):
            simplify_coverage(departements.geometry, tolerance_m=REGION_TOLERANCE_M).boundary\
                .plot(ax=ax, color="white", linewidth=1.4)
        shapes = simplify_coverage(catchments.geometry, tolerance_m=REGION_TOLERANCE_M)
        shapes.boundary.plot(ax=ax, color=INK, linewidth=0.45)
    else:
        own = catchments[catchments["ml_code"] == data.ml_code]
        own.boundary.plot(ax=ax, color=INK, linewidth=1.3)


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


def _markers(ax: Axes, data: ReportData, scale: float) -> tuple[list[_labels.Name],
                                                                  list[_labels.Box]]:
    """Draw the numbered markers of the least-reached communes; return their names and boxes."""
    top = least_reached(data)
    points = data.communes.geometry.loc[top.index].representative_point()
    anchors = np.array([(p.x, p.y) for p in points]).reshape(-1, 2)
    # Neighbouring communes' markers would cover each other: they move apart, tied back.
    placed = _labels.spread(anchors, 1.15 * MARKER_IN * scale)
    names, boxes = [], []
    radius = MARKER_IN / 2 * scale
    for number, ((x0, y0), (x, y), name) in enumerate(
            zip(anchors, placed, top["zone_name"], strict=True), 1):
        if np.hypot(x - x0, y - y0) > radius:
            ax.plot([x0, x], [y0, y], color=MUTED, linewidth=0.7, linestyle=(0, (2, 1)),
                    zorder=8)
            ax.scatter([x0], [y0], s=5, color=INK, zorder=8)
        ax.scatter([x], [y], s=(MARKER_IN * 72) ** 2, facecolor="white", edgecolor=INK,
                   linewidth=0.9, zorder=8)
        ax.text(x, y, str(number), fontsize=6, weight="bold", ha="center", va="center",
                color=INK, zorder=9)
        boxes.append((x - radius, y - radius, x + radius, y + radius))
        names.append(_labels.Name(x, y, str(name), COMMUNE_PT, bold=True, required=True,
                                  around=True))
    return names, boxes


def _ml_names(data: ReportData, communes: set[str]) -> list[_labels.Name]:
    """Return the Missions Locales' names, the largest territory first (centred on each).

    A place already named as a commune of the table is left to it: the ML gets its number.
    """
    catchments = gpd.GeoDataFrame(data.layers["catchments"])
    if not data.region:
        catchments = catchments[catchments["ml_code"] == data.ml_code]
    catchments = catchments.iloc[np.argsort(-catchments.geometry.area.to_numpy(),
                                            kind="stable")]
    anchors = catchments.geometry.representative_point()
    size = ML_PT if data.region else 9.0
    names = []
    for p, name, code in zip(anchors, catchments["ml_name"], catchments["ml_code"],
                             strict=True):
        text = _ml_label(str(name), region=data.region)
        short = short_code(code) if data.region else None
        if text in communes and short is not None:
            text, short = short, None
        names.append(_labels.Name(p.x, p.y, "\n".join(wrap(text, 1.0 if data.region else 2.2,
                                                           size)),
                                  size, italic=True, short=short, colour=PLACE_COLOUR))
    return names


def _ml_label(name: str, *, region: bool) -> str:
    """Return the place of an ML on the region's map, its short name on its own map."""
    return place_name(name) if region else short_ml_name(name).removesuffix(" (fictive)")


def _draw_map(ax: Axes, data: ReportData, extent: tuple[float, ...], height_in: float) -> None:
    if not data.region:
        _context(ax, data, extent)
    tolerance = REGION_TOLERANCE_M if data.region else ML_TOLERANCE_M
    shapes = simplify_coverage(data.communes.geometry, tolerance_m=tolerance)
    shapes.plot(ax=ax, color=score_colours(data), edgecolor="white",
                linewidth=0.08 if data.region else 0.3, gid="communes")
    _outlines(ax, data)
    _points(ax, data)
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect("equal")
    ax.set_axis_off()
    scale = (extent[3] - extent[2]) / height_in
    bar = _scale_bar(ax, extent)
    communes, boxes = _markers(ax, data, scale)
    named = {name.text for name in communes}
    placed = _labels.place([*communes, *_ml_names(data, named)], metres_per_inch=scale,
                           extent=extent, taken=[bar, *boxes])
    _labels.draw(ax, placed)


def _legend_entry(fig: Figure, *, top: float, label: str, colour: str,
                  marker: str | None = None, number: str | None = None) -> float:
    left = LEGEND_LEFT_IN
    if marker is None:
        fig.add_artist(Rectangle((fx(left), fy(top + 0.2)), fx(0.32), 0.2 / PAGE_IN[1],
                                 transform=fig.transFigure, facecolor=colour,
                                 edgecolor=MUTED, linewidth=0.4))
    else:
        fig.add_artist(Line2D([fx(left + 0.16)], [fy(top + 0.1)], marker=marker,
                              transform=fig.transFigure,
                              markersize=MARKER_IN * 72 if number else (
                                  7 if marker == "s" else 6),
                              markerfacecolor=colour, markeredgecolor=INK,
                              markeredgewidth=0.5, linestyle="none"))
    if number is not None:
        fig.text(fx(left + 0.16), fy(top + 0.1), number, fontsize=6, weight="bold",
                 ha="center", va="center", color=INK)
    return paragraph(fig, label, left=left + 0.45, top=top + 0.02, width=3.2, size=9) + 0.1


def _legend(fig: Figure, data: ReportData, top: float) -> float:
    y = top + paragraph(fig, "Indice de zone invisible", left=LEGEND_LEFT_IN, top=top,
                        width=3.7, size=11, weight="bold") + 0.05
    y += paragraph(fig, f"quintiles des {format_number(data.region_size)} communes de la "
                   "région", left=LEGEND_LEFT_IN, top=y, width=3.7, size=9, color=MUTED) + 0.12
    classes = data.score_classes
    for colour, label in reversed(list(zip(classes.colours, SCORE_CLASS_LABELS,
                                           strict=True))):
        y += _legend_entry(fig, top=y, label=label, colour=colour)
    y += 0.15
    y += _legend_entry(fig, top=y, label="les 10 communes les moins atteintes du territoire, "
                       "numérotées comme dans leur tableau", colour="white", marker="o",
                       number="1")
    if data.region:
        return y + 0.1
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
    outline = ("Traits noirs : territoires d'intervention des Missions Locales, nommés au "
               "centre (leur numéro quand la place manque, voir le tableau par Mission "
               "Locale) ; traits blancs : départements."
               if data.region else "Trait noir : territoire d'intervention ; en gris : "
               "territoires voisins.")
    mode = data.params.travel_mode
    return ("L'indice combine le besoin (jeunes invisibles estimés pas encore rencontrés), "
            f"l'accès (temps {mode.words} jusqu'au site ou lieu d'aller-vers le plus proche) "
            "et l'atteinte (part attendue des invisibles estimés jamais rencontrés). "
            f"{outline} Géométries simplifiées.")


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
