"""The map's area layers: communes, catchments and the Missions Locales' names.

Each layer sits in its own Leaflet pane so that the drawing order holds whatever the user
toggles: communes, catchment outlines, actions, sites (see :mod:`territory.viz._points`) and,
on top, the names.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from folium.template import Template
from folium.utilities import JsCode

from territory.viz import _colourings, labels
from territory.viz._geojson import feature_collection, web_latlon
from territory.viz._simplify import simplify_coverage
from territory.viz.classes import NO_VALUE_COLOUR
from territory.viz.labels import html_text

__all__ = [
    "PANES",
    "add_catchment_names",
    "add_catchments",
    "add_communes",
    "add_helpers",
    "add_panes",
    "colour_by",
    "commune_catchments",
]

# Pane name to z-index: above Leaflet's overlay pane (400), below its markers (600). Names go
# on top: a hidden name costs more than a hidden dot, and a tooltip shows what is under it.
PANES = {
    "territoryCommunes": 410,
    "territoryCatchments": 420,
    "territoryActions": 430,
    "territorySites": 440,
    "territoryNames": 450,
}
COMMUNE_BORDER = {"color": "#8c8c8c", "weight": 0.4}
COMMUNE_HOVER = {"color": "#1a1a1a", "weight": 2}
CATCHMENT_COLOUR = "#1a1a1a"
CATCHMENT_DASH = "7 5"

_HELPERS_JS = """
var TERRITORY = (function () {
    var tables = TABLES;
    var entities = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"};
    var current = 0;
    var communes = null;
    function esc(text) {
        return String(text).replace(/[&<>"']/g, function (c) { return entities[c]; });
    }
    function fmt(n) {
        return (n === null || n === undefined) ? "n. d." : Number(n).toLocaleString("fr-FR");
    }
    function valueLine(p) {
        var colouring = tables.colourings[current];
        var line = "<br>" + esc(colouring.short) + " : <b>" + esc(p.v[current]) + "</b>";
        if (colouring.ranked && p.r) {
            line += " · rang " + fmt(p.r) + " / " + fmt(tables.rankTotal);
        }
        return line;
    }
    function why(p) {
        var facts = p.f ? "<br><span class='territory-muted'>" + esc(p.f) + "</span>" : "";
        var reasons = (p.w || "").split(" ; ").filter(function (r) { return r; });
        return facts + (reasons.length ? "<ul class='territory-reasons'>" + reasons.map(
            function (r) { return "<li>" + esc(r) + "</li>"; }).join("") + "</ul>" : "");
    }
    function communeTip(p) {
        var mls = (p.m || []).map(function (i) { return esc(tables.mls[i]); }).join(" / ");
        return "<b>" + esc(p.n) + "</b> <span class='territory-muted'>· code INSEE "
            + esc(p.c) + "</span>" + valueLine(p) + "<br>" + esc(tables.population)
            + " : <b>" + fmt(p.p) + "</b><br>" + esc(tables.youth) + " : <b>" + fmt(p.y)
            + "</b><br><span class='territory-muted'>" + esc(tables.sources[p.s]) + "</span>"
            + (mls ? "<br>territoire d’intervention : " + mls : "") + why(p);
    }
    function communeStyle(feature) {
        var colouring = tables.colourings[current];
        var found = colouring.colours[feature.properties.q[current]];
        var style = {fillColor: found || colouring.none, fillOpacity: 0.85};
        for (var key in tables.border) { style[key] = tables.border[key]; }
        return style;
    }
    return {
        communeStyle: communeStyle,
        // The communes' layer, restyled when another colouring is chosen.
        setCommunes: function (layer) { communes = layer; },
        // Colour the communes by colouring ``index`` and show its legend.
        show: function (index) {
            current = index;
            if (communes) { communes.setStyle(communeStyle); }
            document.querySelectorAll(".territory-colouring").forEach(function (box) {
                box.style.display = Number(box.dataset.colouring) === index ? "" : "none";
            });
        },
        onCommune: function (feature, layer) {
            layer.bindTooltip(function () { return communeTip(feature.properties); },
                              {sticky: true, className: "territory-tooltip"});
            layer.on("mouseover", function () {
                layer.setStyle(tables.hover);
                layer.bringToFront();
            });
            layer.on("mouseout", function () { layer.setStyle(tables.border); });
        },
        // Tooltip (t) and popup (h) of catchments, sites and actions, written in Python.
        onFeature: function (feature, layer) {
            var p = feature.properties;
            if (p.t) { layer.bindTooltip(p.t, {sticky: true, className: "territory-tooltip"}); }
            if (p.h) { layer.bindPopup(p.h); }
        }
    };
})();
"""


class _Helpers(folium.MacroElement):
    """The JavaScript the layers' tooltips call, with the tables they read.

    The tables are filled while the layers are built and written out when the map renders.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.code() }}
        {% endmacro %}
        """
    )

    def __init__(self, tables: Mapping[str, Any]) -> None:
        super().__init__()
        self._name = "TerritoryHelpers"
        self.tables = dict(tables)

    def code(self) -> str:
        """Return the helpers' script with the tables written in."""
        return _HELPERS_JS.replace("TABLES", _to_js(self.tables))


class _Names(folium.MacroElement):
    """Permanent labels at given points, in the parent layer.

    A label that would cover one placed before it is hidden until zooming in makes room.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var labels = {{ this.names|tojson }}.map(function (name) {
                return L.tooltip({permanent: true, direction: "center", interactive: false,
                                  pane: "territoryNames", className: "territory-ml-label"})
                    .setLatLng([name[0], name[1]])
                    .setContent(name[2])
                    .addTo({{ this._parent.get_name() }});
            });
            function declutter() {
                var placed = [];
                labels.forEach(function (label) {
                    var box = label.getElement();
                    if (!box) { return; }
                    box.style.visibility = "";
                    var r = box.getBoundingClientRect();
                    var covers = placed.some(function (p) {
                        return r.left < p.right && p.left < r.right
                            && r.top < p.bottom && p.top < r.bottom;
                    });
                    if (covers) { box.style.visibility = "hidden"; } else { placed.push(r); }
                });
            }
            // The layer may join the map after this script (or be switched on later).
            {{ this._parent.get_name() }}.on("add", declutter);
            {{ this.map_name }}.on("zoomend", declutter);
            declutter();
        })();
        {% endmacro %}
        """
    )

    def __init__(self, names: Sequence[tuple[float, float, str]], *, map_name: str) -> None:
        super().__init__()
        self._name = "TerritoryNames"
        self.names = [list(name) for name in names]
        self.map_name = map_name


def _to_js(value: Any) -> str:
    """Serialise to JSON that is safe inside a script element."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e")


def _plain_ints(values: pd.Series) -> list[int | None]:
    return [None if pd.isna(v) else int(v) for v in values]


def add_panes(fmap: folium.Map) -> None:
    """Create the panes the layers are drawn in, in drawing order."""
    for name, z_index in PANES.items():
        folium.map.CustomPane(name, z_index=z_index, pointer_events=True).add_to(fmap)


def add_helpers(fmap: folium.Map, *, population_label: str) -> _Helpers:
    """Add the tooltip code (before the layers that call it); return it to fill its tables."""
    helpers = _Helpers({
        "sources": [], "mls": [], "population": population_label,
        "youth": labels.YOUTH_LABEL, "border": COMMUNE_BORDER, "hover": COMMUNE_HOVER,
    })
    fmap.add_child(helpers)
    return helpers


def commune_catchments(
    communes: gpd.GeoDataFrame, catchments: gpd.GeoDataFrame
) -> list[list[int]]:
    """Return, for each commune, the positions of the catchments it lies in.

    A commune is placed by a point inside it; a commune shared by two Missions Locales lies
    in both catchments.
    """
    points = gpd.GeoDataFrame(
        geometry=communes.geometry.representative_point().to_numpy(), crs=communes.crs
    )
    areas = gpd.GeoDataFrame(geometry=catchments.geometry.to_numpy(), crs=catchments.crs)
    joined = gpd.sjoin(points, areas, how="inner", predicate="within")
    positions: list[list[int]] = [[] for _ in range(len(communes))]
    for row, position in zip(joined.index, joined["index_right"], strict=True):
        positions[int(row)].append(int(position))
    return [sorted(p) for p in positions]


class _Areas(folium.map.Layer):
    """Polygons as one GeoJSON layer, written compactly, styled and explained in JavaScript."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJson({{ this.data }}, {
            style: {{ this.style }},
            onEachFeature: {{ this.on_each }},
            pane: {{ this.pane|tojson }},
            className: {{ this.class_name|tojson }}
        });
        {{ this.after }}
        {% endmacro %}
        """
    )

    def __init__(self, collection: Mapping[str, Any], *, name: str, style: str, on_each: str,
                 pane: str, class_name: str, after: str = "") -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "TerritoryAreas"
        self.data = _to_js(collection)
        self.style, self.on_each = style, on_each
        self.pane, self.class_name = pane, class_name
        self.after = after.replace("{layer}", self.get_name())


def colour_by(fmap: folium.Map, items: Sequence[_colourings.Colouring]) -> None:
    """Add one base layer per colouring: choosing one recolours the communes (and legend)."""
    for position, item in enumerate(items):
        folium.FeatureGroup(name=html_text(item.label), overlay=False,
                            show=position == 0).add_to(fmap)
    names = {html_text(item.label): position for position, item in enumerate(items)}
    fmap.add_child(_Switch(names))


class _Switch(folium.MacroElement):
    """Recolour the communes when another base layer (colouring) is chosen."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var names = {{ this.names|tojson }};
            {{ this._parent.get_name() }}.on("baselayerchange", function (event) {
                if (event.name in names) { TERRITORY.show(names[event.name]); }
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, names: Mapping[str, int]) -> None:
        super().__init__()
        self._name = "TerritorySwitch"
        self.names = dict(names)


def add_communes(
    fmap: folium.Map, communes: gpd.GeoDataFrame, *, helpers: _Helpers,
    items: Sequence[_colourings.Colouring], notes: _colourings.Notes | None = None,
    catchment_positions: list[list[int]] | None = None,
) -> None:
    """Add the communes, coloured by the first of ``items``, with a tooltip each."""
    sources, source_index = np.unique(communes["youth_source"].astype(str).to_numpy(),
                                      return_inverse=True)
    helpers.tables["sources"] = [str(s) for s in sources]
    helpers.tables["colourings"] = [
        {"label": item.label, "short": item.short, "colours": list(item.colours),
         "none": NO_VALUE_COLOUR, "ranked": item.ranked} for item in items]
    helpers.tables["rankTotal"] = _colourings.rank_total(notes)
    properties: dict[str, Sequence[Any]] = {
        "c": communes["code_insee"].astype(str).tolist(),
        "n": communes["nom"].astype(str).tolist(),
        "p": _plain_ints(communes["population"]),
        "y": _plain_ints(communes["youth"]),
        "s": source_index.tolist(),
        "q": _colourings.columns(items, "classes"),
        "v": _colourings.columns(items, "values"),
    }
    if notes is not None:
        properties.update(r=notes.ranks, f=notes.facts, w=notes.reasons)
    if catchment_positions is not None:
        properties["m"] = catchment_positions
    collection = feature_collection(simplify_coverage(communes.geometry), properties)
    _Areas(collection, name="Communes", style="TERRITORY.communeStyle",
           on_each="TERRITORY.onCommune", pane="territoryCommunes",
           class_name="territory-commune", after="TERRITORY.setCommunes({layer});",
           ).add_to(fmap)


def _consortium(value: Any) -> bool | None:
    return None if pd.isna(value) else bool(value)


def _catchment_popup(name: str, member: bool | None, sites: int, actions: int) -> str:
    status = ("consortium IN Système : non renseigné" if member is None
              else labels.CONSORTIUM_LABELS[member])
    counts = (f"{labels.format_count(sites, 'site')} · "
              f"{labels.format_count(actions, 'action')} d’aller-vers")
    return (f"<b>{html_text(name)}</b><br>{html_text(status)}"
            f"<br><span class='territory-muted'>{html_text(counts)}</span>")


def add_catchments(
    fmap: folium.Map, catchments: gpd.GeoDataFrame, *,
    site_counts: Mapping[str, int], action_counts: Mapping[str, int],
) -> None:
    """Add the catchments' outlines: solid for consortium members, dashed for the others."""
    names = catchments["ml_name"].astype(str).tolist()
    codes = catchments["ml_code"].astype(str).tolist()
    members = [_consortium(v) for v in catchments["in_consortium"]]
    properties: dict[str, Sequence[Any]] = {
        "t": [html_text(name) for name in names],
        "h": [_catchment_popup(name, member, site_counts.get(code, 0),
                               action_counts.get(code, 0))
              for name, member, code in zip(names, members, codes, strict=True)],
        "d": [member is not True for member in members],
    }
    folium.GeoJson(
        feature_collection(simplify_coverage(catchments.geometry), properties),
        name="Territoires d’intervention des Missions Locales",
        style_function=lambda f: {"color": CATCHMENT_COLOUR, "weight": 2.2, "fill": False,
                                  "dashArray": CATCHMENT_DASH if f["properties"]["d"] else None},
        on_each_feature=JsCode("TERRITORY.onFeature"),
        pane="territoryCatchments", class_name="territory-catchment",
    ).add_to(fmap)


def short_ml_name(name: str) -> str:
    """Shorten "Mission Locale ..." to "ML ..." for a label on the map.

    Examples
    --------
    >>> short_ml_name("Mission Locale des Graves")
    'ML des Graves'
    """
    prefix = "mission locale"
    return "ML" + name[len(prefix):] if name.lower().startswith(prefix) else name


def add_catchment_names(fmap: folium.Map, catchments: gpd.GeoDataFrame) -> None:
    """Add the Missions Locales' names at a point inside each catchment, as a layer.

    Where names would overlap, those of the largest catchments are shown first.
    """
    catchments = catchments.iloc[np.argsort(-catchments.geometry.area.to_numpy(), kind="stable")]
    places = web_latlon(catchments.geometry.representative_point())
    names = [html_text(short_ml_name(str(n))) for n in catchments["ml_name"]]
    layer = folium.FeatureGroup(name="Noms des Missions Locales")
    layer.add_child(_Names([(lat, lon, n) for (lat, lon), n in zip(places, names, strict=True)],
                           map_name=fmap.get_name()))
    layer.add_to(fmap)
