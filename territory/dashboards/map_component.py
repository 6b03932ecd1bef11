"""The interactive coverage map: a Leaflet component that draws its zones from vector tiles.

:class:`CoverageMap` is a Panel ``JSComponent`` (``coverage_map.js``). The zones' polygons
never travel over the session: the browser reads them from the workspace's PMTiles files
(:mod:`territory.dashboards.tiles`, drawn by protomaps-leaflet on canvas tiles), which the
server lets it cache. The session sends the zones' codes once (``codes``); afterwards only
numbers travel, by position in ``codes``, as binary columns (:class:`Column`, typed arrays
in the browser): a class per zone (``classes``), the values and ranks of the tooltips, the
zones to fade or ring; then the points' coordinates and the candidate sites. Names
and tips are text, which the map writes as text; only the legend and
:meth:`CoverageMap.show_popup`'s popups are HTML, every text in them escaped in Python
(:func:`territory.viz.labels.html_text`). Clicks, moves and popup buttons come back to
Python through ``send_msg`` and are handed to the callbacks registered with
:meth:`CoverageMap.on_action`.

Leaflet and protomaps-leaflet are loaded from the copies the Panel server publishes
(:mod:`territory.dashboards._assets`), so the map draws with no network; an OpenStreetMap
background can be switched on when online.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Literal

import numpy as np
import numpy.typing as npt
import param
from panel.custom import JSComponent
from param.parameterized import Comparator

from territory.dashboards._assets import LEAFLET_CSS_URL, LEAFLET_ESM_URL, PROTOMAPS_URL
from territory.dashboards.tiles import MAX_ZOOM
from territory.viz import browser_file, labels

__all__ = ["Column", "CoverageMap", "MapAction", "ZoneColumn", "column", "point_columns"]

MapAction = Callable[[dict[str, Any]], None]


class Column(np.ndarray):
    """A numpy array of the map: one value per zone or per point, compared whole.

    Bokeh sends a numpy array of numbers as binary (a typed array in the browser) and, unlike
    a list, does not walk it looking for Bokeh models each time the document changes: for
    France's 34,867 communes, lists cost 0.47 s of the server's time per Mission Locale
    chosen (five lists of that length, each walked and written as JSON).
    """


def _same(a: Column, b: Column) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


# Before telling the browser of a change, param compares the old and new values; an array it
# does not know is always "changed". A column is compared whole, at C speed (bytes: a NaN
# equals the same NaN).
Comparator.equalities[Column] = _same


def column(values: Any, dtype: npt.DTypeLike) -> Column:
    """Return ``values`` as a :class:`Column` of ``dtype`` (None → NaN for floats).

    Examples
    --------
    >>> column([1.5, None], "float64").tolist()
    [1.5, nan]
    >>> column([], "int32").dtype.name
    'int32'
    """
    if isinstance(values, Column) and values.dtype == np.dtype(dtype):
        return values
    if isinstance(values, list) and np.dtype(dtype).kind == "f":
        values = [np.nan if v is None else v for v in values]
    return np.asarray(values, dtype=dtype).view(Column)


class ZoneColumn(param.Parameter):
    """A param holding one number per zone (or positions of zones) as a :class:`Column`.

    Lists, arrays and series are accepted; the value is kept as a column of ``dtype``
    (Bokeh's typed arrays: int8 to int32, float32, float64; never int64).
    """

    __slots__ = ["dtype"]

    _slot_defaults = {**param.Parameter._slot_defaults, "dtype": "int32"}  # noqa: RUF012

    def __init__(self, default: Any = None, *, dtype: str = "int32", **params: Any) -> None:
        self.dtype = dtype
        super().__init__(default=column([] if default is None else default, dtype), **params)

    def __set__(self, obj: Any, val: Any) -> None:
        """Set the value, kept as a column of the param's dtype."""
        super().__set__(obj, column(val, self.dtype))


def point_columns(lat: Any, lon: Any, **others: Any) -> dict[str, Any]:
    """Return the columns of map points: ``lat`` and ``lon`` as float columns, the rest kept.

    Examples
    --------
    >>> sorted(point_columns([45.0], [0.5], colour=["#000000"]))
    ['colour', 'lat', 'lon']
    """
    return {"lat": column(lat, "float64"), "lon": column(lon, "float64"), **others}


class CoverageMap(JSComponent):
    """A Leaflet map of zones coloured by class, with sites, actions and candidate sites.

    Examples
    --------
    >>> m = CoverageMap(palette=["#fee5d9", "#a50f15"], classes=[0, 1, -1])
    >>> m.on_action("click", lambda msg: print(msg["id"]))
    >>> m._handle_msg({"type": "click", "id": "33063", "lat": 44.8, "lon": -0.6})
    33063
    """

    tiles = param.Dict(default={}, doc="Layer → address of its PMTiles file (territory."
                       "dashboards.tiles): the polygons, which the browser reads and caches.")
    tiles_library = param.String(default=PROTOMAPS_URL, doc="Address of protomaps-leaflet.")
    max_zoom = param.Integer(default=MAX_ZOOM, doc="Deepest zoom of the tiles.")
    area_layer = param.String(default="communes", doc="The tiles' layer of the zones.")
    codes = param.List(default=[], item_type=str,
                       doc="Code of each zone: the positions of the columns below.")
    area_weight = param.Number(default=0.35, doc="Width of the zones' borders in pixels.")
    outline_layer = param.String(default="", doc="The tiles' layer drawn as outlines.")
    selected_outline = param.String(default="", doc="Code of the outline drawn thicker.")
    names = param.List(default=[], doc="Permanent labels: [lat, lon, text, code] (text).")
    palette = param.List(default=[], doc="Colour of each class.")
    classes = ZoneColumn(dtype="int16", doc="Class of each zone, by position (-1: none).")
    values = ZoneColumn(dtype="float64", doc="Value of each zone shown in its tooltip "
                        "(NaN: n. d.).")
    value_label = param.String(default="", doc="What the values are, in French (text).")
    value_decimals = param.Integer(default=0, doc="Decimals of the values in the tooltip.")
    ranks = ZoneColumn(dtype="int32", doc="Positions of the selection's ranked zones, rank 1 "
                       "first (an ML's few hundred communes, not a rank for every zone).")
    rank_total = param.Integer(default=0, doc="Number of ranked zones.")
    faded = ZoneColumn(dtype="uint8", doc="1 for each zone outside the selection, by position.")
    highlight = ZoneColumn(dtype="int32", doc="Positions of the zones to ring.")
    sites = param.Dict(default={}, doc="Columns lat, lon (point_columns), colour, tip (lines "
                       "of text, the first in bold).")
    actions = param.Dict(default={}, doc="Columns lat, lon (point_columns), colour: dots that "
                         "take no pointer, with no text.")
    candidates = param.List(default=[], doc="Draggable sites: id, lat, lon, label, tip (lines "
                            "of text), popup ({lines, note, button: {action, id, text}}).")
    proposals = param.List(default=[], doc="Proposed sites, as candidates.")
    legend_html = param.String(default="", doc="The legend's HTML, every text escaped.")
    banner = param.String(default="", doc="Text across the top (données fictives).")
    sources = param.String(default=labels.SOURCES_LABEL, doc="The sources (text).")
    modes = param.Boolean(default=False, doc="Offer the explain / add-a-site click modes.")
    click_mode: param.Selector = param.Selector(default="explain", objects=["explain", "add"])
    view_bounds = param.List(default=[], doc="[[south, west], [north, east]] to show.")

    # The component's sources live in the repository's dashboards/ folder; the build copies
    # them into the package data.
    _esm = browser_file("coverage_map.js")
    _importmap: ClassVar[dict[Literal["imports", "scopes"], dict[str, str]]] = {
        "imports": {"leaflet": LEAFLET_ESM_URL},
    }
    _stylesheets: ClassVar[list[str]] = [
        LEAFLET_CSS_URL, browser_file("coverage_map.css").read_text(encoding="utf-8")]

    def __init__(self, **params: Any) -> None:
        params.setdefault("sizing_mode", "stretch_both")
        params.setdefault("min_height", 420)
        super().__init__(**params)
        self._actions: dict[str, list[MapAction]] = {}

    def on_action(self, kind: str, callback: MapAction) -> None:
        """Call ``callback(message)`` when the browser sends a message of type ``kind``.

        Kinds: ``click`` (``lat``, ``lon``, ``id`` of the zone or None, ``mode``), ``move``
        (``id``, ``lat``, ``lon``), ``shown`` (the first view is on screen, or its tiles
        failed), and the ``data-action`` of any popup button (``id``, ``code``).
        """
        self._actions.setdefault(kind, []).append(callback)

    def _handle_msg(self, data: Any) -> None:
        if not isinstance(data, dict):
            return
        for callback in self._actions.get(str(data.get("type")), []):
            callback(data)

    def show_popup(self, lat: float, lon: float, html: str) -> None:
        """Open a popup at ``(lat, lon)`` with ``html``, every text in it escaped."""
        self._send_msg({"type": "popup", "lat": lat, "lon": lon, "html": html})

    def zoom_to(self, bounds: Sequence[Sequence[float]], *, max_zoom: int = 12) -> None:
        """Fit the map to ``[[south, west], [north, east]]``."""
        self._send_msg({"type": "zoom", "bounds": [list(b) for b in bounds],
                        "max_zoom": max_zoom})
