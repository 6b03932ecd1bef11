"""What sits on the map's face: title, legend, "données fictives" banner, sources, styles.

Each box is plain HTML written in the page (so its words are in the file as they are shown)
that a Leaflet control moves into a corner of the map, where Leaflet stacks it with the other
controls so that no two overlap.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import folium
from branca.element import Element, MacroElement
from folium.template import Template

from territory.viz import labels
from territory.viz.labels import html_text

__all__ = ["Legend", "add_banner", "add_controls", "add_legend", "add_style", "add_title"]

BANNER_HEIGHT_PX = 30

_STYLE = """
<style>
.leaflet-container { background: #f5f5f2; font-family: "DejaVu Sans", Verdana, Arial,
  sans-serif; }
.territory-box { background: rgba(255, 255, 255, 0.95); border-radius: 4px; color: #222;
  box-shadow: 0 1px 5px rgba(0, 0, 0, 0.35); padding: 6px 10px; font-size: 12px;
  line-height: 1.4; }
.territory-title { max-width: 420px; }
.territory-title h1 { font-size: 16px; margin: 0 0 2px 0; line-height: 1.25; }
.territory-title p { margin: 0; color: #555; }
.territory-legend { max-width: 270px; max-height: calc(100vh - 170px); overflow-y: auto; }
.territory-legend summary { font-weight: bold; cursor: pointer; }
.leaflet-control-attribution { max-width: calc(100vw - 320px); }
.territory-legend h2 { font-size: 12px; margin: 8px 0 3px 0; }
.territory-legend .territory-row { display: flex; align-items: center; margin: 2px 0; }
.territory-legend .territory-note { color: #555; margin: 3px 0 0 0; font-size: 11px; }
.territory-key { flex: none; display: inline-block; margin-right: 7px; }
.territory-swatch { width: 20px; height: 12px; border: 1px solid #aaa; }
.territory-dot { border-radius: 50%; border: 1px solid #333; }
.territory-line { width: 22px; height: 0; border-top: 3px solid #222; }
.territory-line.territory-dashed { border-top-style: dashed; }
.territory-banner { position: absolute; top: 0; left: 0; right: 0; z-index: 1100;
  height: BANNERpx; line-height: BANNERpx; text-align: center; background: #b00020;
  color: #fff; font: bold 14px "DejaVu Sans", Verdana, Arial, sans-serif;
  letter-spacing: 0.04em; box-shadow: 0 1px 4px rgba(0, 0, 0, 0.4); }
.territory-tooltip { white-space: normal; width: 290px; font-size: 12px; }
.territory-muted { color: #666; }
.territory-reasons { margin: 3px 0 0 0; padding-left: 16px; }
.territory-ml-label { background: transparent; border: none; box-shadow: none;
  padding: 0; font-weight: bold; font-size: 11px; color: #1a1a1a; white-space: nowrap;
  text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff, 0 0 4px #fff; }
.territory-ml-label::before { display: none; }
.territory-layers-dot { display: inline-block; width: 9px; height: 9px; border-radius: 50%;
  border: 1px solid #333; margin: 0 4px 0 2px; vertical-align: -1px; }
.leaflet-control-layers { font-size: 12px; }
.leaflet-popup-content { font-size: 13px; line-height: 1.4; }
</style>
""".replace("BANNERpx", f"{BANNER_HEIGHT_PX}px")

_DEMO_OFFSET_STYLE = f"<style>.leaflet-top {{ top: {BANNER_HEIGHT_PX}px; }}</style>"


class _Style(MacroElement):
    """A stylesheet placed after Leaflet's, so that its rules win over Leaflet's defaults."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}{{ this.css }}{% endmacro %}
        """
    )

    def __init__(self, css: str) -> None:
        super().__init__()
        self._name = "TerritoryStyle"
        self.css = css


class _Control(MacroElement):
    """A box of HTML shown in a corner of the map as a Leaflet control."""

    _template = Template(
        """
        {% macro html(this, kwargs) %}
        <div id="{{ this.get_name() }}" class="territory-box {{ this.css_class }}"
             style="display: none">{{ this.content }}</div>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
            var control = L.control({position: {{ this.position|tojson }}});
            control.onAdd = function () {
                var box = document.getElementById({{ this.get_name()|tojson }});
                box.style.display = "";
                L.DomEvent.disableClickPropagation(box);
                L.DomEvent.disableScrollPropagation(box);
                return box;
            };
            control.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, content: str, *, position: str, css_class: str) -> None:
        super().__init__()
        self._name = "TerritoryControl"
        self.content = content
        self.position = position
        self.css_class = css_class


class _Script(MacroElement):
    """Plain JavaScript run once the map exists (``{map}`` names the map's variable)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.code.replace("{map}", this._parent.get_name()) }}
        {% endmacro %}
        """
    )

    def __init__(self, code: str) -> None:
        super().__init__()
        self._name = "TerritoryScript"
        self.code = code


def add_style(fmap: folium.Map, *, demo: bool) -> None:
    """Add the map's stylesheet (and room for the banner on a demo map)."""
    fmap.add_child(_Style(_STYLE + (_DEMO_OFFSET_STYLE if demo else "")))


def add_banner(fmap: folium.Map) -> None:
    """Put "DONNÉES FICTIVES" across the top of the map."""
    text = html_text(f"{labels.DEMO_LABEL.upper()} — carte de démonstration")
    banner = Element(f'<div class="territory-banner" role="alert">{text}</div>')
    fmap.get_root().html.add_child(banner, name="territory_banner")  # type: ignore[attr-defined]


def add_title(fmap: folium.Map, title: str, subtitle: str) -> None:
    """Add the title box in the top-left corner."""
    content = f"<h1>{html_text(title)}</h1><p>{html_text(subtitle)}</p>"
    fmap.add_child(_Control(content, position="topleft", css_class="territory-title"))


def add_controls(fmap: folium.Map, *, timetable: str = "") -> None:
    """Add French zoom buttons, a metric scale and the sources in the attribution line.

    The zoom buttons go bottom right, so that the title and the legend share the left side.
    ``timetable``: the public-transport timetables the access times come from.
    """
    sources = html_text(labels.SOURCES_LABEL
                        + (f" · Horaires : {timetable}" if timetable else ""))
    fmap.add_child(_Script(
        'L.control.scale({imperial: false, position: "bottomright"}).addTo({map});\n'
        'L.control.zoom({position: "bottomright", zoomInTitle: "Zoom avant", '
        'zoomOutTitle: "Zoom arrière"}).addTo({map});\n'
        f"{{map}}.attributionControl.addAttribution({_js_string(sources)});"
    ))


def _js_string(text: str) -> str:
    """Return ``text`` as a JavaScript string literal that is safe inside a script element."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("</", "<\\/")
    return f'"{escaped}"'


@dataclass
class Legend:
    """What the legend explains; sections with nothing to show are left out."""

    # What can colour the communes, as (title, rows of colour and text); the first shows.
    colourings: Sequence[tuple[str, Sequence[tuple[str, str]]]]
    # The outline styles drawn: True for consortium members (solid), False for others.
    consortium: Sequence[bool] = ()
    site_counts: Mapping[str, int] = field(default_factory=dict)
    action_counts: Mapping[str, int] = field(default_factory=dict)
    online_actions: int = 0
    unplaced_actions: int = 0


def _row(key_html: str, text: str) -> str:
    return f'<div class="territory-row">{key_html}<span>{html_text(text)}</span></div>'


def _dot(colour: str, size_px: int) -> str:
    return (f'<span class="territory-key territory-dot" style="background: {colour}; '
            f'width: {size_px}px; height: {size_px}px"></span>')


def _colouring_sections(legend: Legend) -> str:
    """Return one legend section per colouring, all but the first hidden until chosen."""
    sections = []
    for position, (title, rows) in enumerate(legend.colourings):
        swatches = "".join(
            _row(f'<span class="territory-key territory-swatch" style="background: {colour}">'
                 "</span>", text) for colour, text in rows)
        hidden = ' style="display: none"' if position else ""
        sections.append(f'<div class="territory-colouring" data-colouring="{position}"'
                        f"{hidden}><h2>{html_text(title)}</h2>{swatches}</div>")
    return "".join(sections)


def _catchment_section(consortium: Sequence[bool]) -> str:
    lines = {True: "territory-line", False: "territory-line territory-dashed"}
    rows = [_row(f'<span class="territory-key {lines[member]}"></span>',
                 labels.CONSORTIUM_LABELS[member])
            for member in (True, False) if member in consortium]
    return "<h2>Territoires d’intervention des Missions Locales</h2>" + "".join(rows)


def _kind_section(
    title: str, counts: Mapping[str, int], names: Mapping[str, str],
    colours: Mapping[str, str], size_px: int,
) -> str:
    rows = [
        _row(_dot(labels.kind_colour(kind, colours), size_px),
             f"{labels.kind_label(kind, names)} ({labels.format_number(count)})")
        for kind, count in counts.items()
    ]
    return f"<h2>{html_text(title)}</h2>" + "".join(rows)


def _unplaced_notes(legend: Legend) -> str:
    notes = []
    if legend.online_actions:
        online = labels.format_count(legend.online_actions, "action numérique",
                                     "actions numériques")
        notes.append(f"{online} (sans lieu, non cartographiées)")
    if legend.unplaced_actions:
        others = labels.format_count(legend.unplaced_actions, "autre action", "autres actions")
        notes.append(f"{others} sans lieu (non cartographiées)")
    return "".join(f'<p class="territory-note">{html_text(note)}</p>' for note in notes)


def legend_html(legend: Legend) -> str:
    """Return the legend's HTML (French), inside a ``<details>`` the user can fold."""
    parts = [_colouring_sections(legend)]
    if legend.consortium:
        parts.append(_catchment_section(legend.consortium))
    if legend.site_counts:
        parts.append(_kind_section("Sites des Missions Locales", legend.site_counts,
                                   labels.SITE_KIND_LABELS, labels.SITE_KIND_COLOURS, 12))
    if legend.action_counts or legend.online_actions or legend.unplaced_actions:
        parts.append(_kind_section("Actions d’aller-vers", legend.action_counts,
                                   labels.ACTION_KIND_LABELS, labels.ACTION_KIND_COLOURS, 8))
        parts.append(_unplaced_notes(legend))
    return "<details open><summary>Légende</summary>" + "".join(parts) + "</details>"


def add_legend(fmap: folium.Map, legend: Legend) -> None:
    """Add the legend in the bottom-left corner."""
    fmap.add_child(_Control(legend_html(legend), position="bottomleft",
                            css_class="territory-legend"))
