"""The map's point layers: sites and outreach actions, one layer per kind.

Dots are coloured by kind (:mod:`territory.viz.labels`) and shrink when zoomed out, so that
some 800 sites and thousands of actions do not bury the communes under them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from folium.template import Template
from folium.utilities import JsCode

from territory.viz import labels
from territory.viz._geojson import feature_collection
from territory.viz.labels import html_text

__all__ = ["add_actions", "add_dot_sizes", "add_sites", "kind_counts"]

# Dot radii at zoom 10 and closer; zoomed out they shrink, to 45 % at the region's zoom.
SITE_RADIUS_PX = 7
ACTION_RADIUS_PX = 4


class _DotSizes(folium.MacroElement):
    """Resize the dots of point layers with the zoom: small on the region, full size close."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var layers = [
                {%- for layer, radius in this.layers %}
                [{{ layer.get_name() }}, {{ radius|tojson }}],
                {%- endfor %}
            ];
            var map = {{ this._parent.get_name() }};
            function resize() {
                var scale = Math.min(1, Math.max(0.45, (map.getZoom() - 5) / 5));
                layers.forEach(function (entry) {
                    entry[0].eachLayer(function setRadius(layer) {
                        if (layer.setRadius) { layer.setRadius(entry[1] * scale); }
                        else if (layer.eachLayer) { layer.eachLayer(setRadius); }
                    });
                });
            }
            map.on("zoomend", resize);
            resize();
        })();
        {% endmacro %}
        """
    )

    def __init__(self, layers: Sequence[tuple[folium.GeoJson, float]]) -> None:
        super().__init__()
        self._name = "TerritoryDotSizes"
        self.layers = list(layers)


def add_dot_sizes(fmap: folium.Map, layers: Sequence[tuple[folium.GeoJson, float]]) -> None:
    """Make the dots of point layers (after them) follow the zoom; give (layer, radius)."""
    if layers:
        fmap.add_child(_DotSizes(layers))


def kind_counts(frame: gpd.GeoDataFrame, order: Sequence[str]) -> dict[str, int]:
    """Count the rows of each kind, known kinds first in ``order``, then the others."""
    counts = frame["kind"].astype(str).value_counts()
    kinds = [k for k in order if k in counts.index]
    kinds += sorted(k for k in counts.index if k not in order)
    return {kind: int(counts[kind]) for kind in kinds}


def _layer_name(prefix: str, label: str, colour: str, count: int) -> str:
    dot = f'<span class="territory-layers-dot" style="background: {colour}"></span>'
    return f"{dot}{html_text(prefix)} : {html_text(label)} ({labels.format_number(count)})"


def _add_points(
    fmap: folium.Map, frame: gpd.GeoDataFrame, tooltips: Sequence[str], *, prefix: str,
    names: Mapping[str, str], colours: Mapping[str, str], radius_px: float, pane: str,
) -> list[tuple[folium.GeoJson, float]]:
    kinds = frame["kind"].astype(str).to_numpy()
    tips = np.asarray(tooltips, dtype=object)
    layers = []
    for kind, count in kind_counts(frame, list(names)).items():
        rows = kinds == kind
        colour = labels.kind_colour(kind, colours)
        style = {"radius": radius_px, "color": "#333333", "weight": 1, "opacity": 0.9,
                 "fill": True, "fillColor": colour, "fillOpacity": 0.95, "pane": pane}
        layer = folium.GeoJson(
            feature_collection(frame.geometry[rows], {"t": tips[rows].tolist()}),
            name=_layer_name(prefix, labels.kind_label(kind, names), colour, count),
            marker=folium.CircleMarker(radius=radius_px),
            style_function=lambda f, style=style: style,
            on_each_feature=JsCode("TERRITORY.onFeature"),
        )
        fmap.add_child(layer)
        layers.append((layer, radius_px))
    return layers


def _ml_name(code: Any, ml_names: Mapping[str, str]) -> str:
    return ml_names.get(str(code), f"Mission Locale {code}")


def _site_tooltip(row: Any, ml_names: Mapping[str, str]) -> str:
    kind = labels.kind_label(row.kind, labels.SITE_KIND_LABELS)
    lines = [f"<b>{html_text(str(row.name))}</b>",
             html_text(f"{kind} · {_ml_name(row.ml_code, ml_names)}")]
    sessions = getattr(row, "sessions_per_month", None)
    if sessions is not None and not pd.isna(sessions):
        lines.append(html_text(
            f"{labels.format_number(float(sessions), decimals=0)} séances par mois"))
    return "<br>".join(lines)


def add_sites(
    fmap: folium.Map, sites: gpd.GeoDataFrame, *, ml_names: Mapping[str, str]
) -> list[tuple[folium.GeoJson, float]]:
    """Add the sites, one layer per kind, coloured by kind; return (layer, dot radius)."""
    placed = sites[~(sites.geometry.isna() | sites.geometry.is_empty)]
    tips = [_site_tooltip(row, ml_names) for row in placed.itertuples(index=False)]
    return _add_points(fmap, placed, tips, prefix="Sites", names=labels.SITE_KIND_LABELS,
                       colours=labels.SITE_KIND_COLOURS, radius_px=SITE_RADIUS_PX,
                       pane="territorySites")


def _action_tooltip(row: Any, ml_names: Mapping[str, str]) -> str:
    kind = labels.kind_label(row.kind, labels.ACTION_KIND_LABELS)
    date = pd.to_datetime(row.date, errors="coerce")
    when = "date inconnue" if pd.isna(date) else date.strftime("%d/%m/%Y")
    lines = [f"<b>{html_text(kind)}</b> · {when}",
             html_text(_ml_name(row.ml_code, ml_names))]
    met = getattr(row, "youth_met", None)
    if met is not None and not pd.isna(met):
        lines.append(html_text(labels.format_count(int(met), "jeune rencontré",
                                                     "jeunes rencontrés")))
    return "<br>".join(lines)


def add_actions(
    fmap: folium.Map, actions: gpd.GeoDataFrame, *, ml_names: Mapping[str, str]
) -> list[tuple[folium.GeoJson, float]]:
    """Add the actions that have a place, one layer per kind; return (layer, dot radius)."""
    placed = actions[~(actions.geometry.isna() | actions.geometry.is_empty)]
    tips = [_action_tooltip(row, ml_names) for row in placed.itertuples(index=False)]
    return _add_points(fmap, placed, tips, prefix="Actions",
                       names=labels.ACTION_KIND_LABELS, colours=labels.ACTION_KIND_COLOURS,
                       radius_px=ACTION_RADIUS_PX, pane="territoryActions")
