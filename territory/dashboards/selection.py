"""What both views share: the workspace, the filters and the page around them (public base).

:class:`Selection` is the base of both apps: the territory (one Mission Locale or the
region, a département), the period (months of the programme), the access threshold and the
kinds of outreach action, as params with French widgets, and the page template.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import panel as pn
import param
import shapely
from pyproj import Transformer

from territory._crs import LAMBERT93, WGS84
from territory.analysis import period_label
from territory.analysis.travel import DEFAULT_MODE, DEFAULT_WINDOW, MODES, WINDOWS, travel_key
from territory.dashboards import _geo, _html, data
from territory.viz import labels

__all__ = ["Selection", "action_layer", "site_layer"]

HEADER = "#1f4e79"
_TO_LAMBERT = Transformer.from_crs(WGS84, LAMBERT93, always_xy=True)
_TO_WGS84 = Transformer.from_crs(LAMBERT93, WGS84, always_xy=True)
PAGE_CSS = """
#header { box-shadow: 0 1px 4px rgba(0, 0, 0, 0.25); }
.title { font-size: 1.35em !important; }
#sidebar { background: #f6f8fa; }
"""


class Selection(pn.viewable.Viewer):
    """The filters of a view and what follows from them (base of both apps)."""

    ml = param.String(default="", doc="ml_code of the chosen Mission Locale ('' = region).")
    departement = param.String(default="", doc="dep_code of the chosen département ('' = all).")
    start = param.String(default="", doc="First month of the period, 'YYYY-MM'.")
    end = param.String(default="", doc="Last month of the period, 'YYYY-MM'.")
    counted = param.String(default="", doc="The period counted, when the workspace keeps "
                           "counts instead of contacts ('' = the whole record).")
    threshold_min = param.Integer(default=30, bounds=(5, 90), doc="Access threshold (min).")
    mode: param.Selector = param.Selector(default=DEFAULT_MODE, objects=list(MODES),
                          doc="How young people travel (territory.analysis.travel).")
    window: param.Selector = param.Selector(default="", objects=["", *WINDOWS],
                            doc="Departure window of timetabled public transport ('' = the "
                            "estimate).")
    action_kinds = param.ListSelector(default=[], objects=[], doc="Kinds of action counted.")

    def __init__(self, source: Path | str | data.Source, **params: Any) -> None:
        self.source = source if isinstance(source, data.Source) else data.Source.of(source)
        self.info = data.info(*self.key)
        kinds = list(self.info.action_kinds)
        self.param.action_kinds.objects = kinds
        months = self.info.months
        params.setdefault("action_kinds", kinds)
        params.setdefault("start", months[0] if months else "")
        params.setdefault("end", months[-1] if months else "")
        if self.info.counted_periods:
            params.setdefault("counted", self.info.counted_periods[0])
        if DEFAULT_WINDOW in self.info.windows:
            params.setdefault("window", DEFAULT_WINDOW)
        super().__init__(**params)
        self.layers = data.layers(*self.key)
        self.bounds = data.area_bounds(*self.key, "communes")
        # Overseas départements (971–976) are thousands of kilometres away: a view of all of
        # France frames the mainland, and each of them shows when its département is chosen.
        deps = self.layers["communes"]["dep_code"].astype(str)
        self.mainland = ~deps.str.startswith("97").to_numpy()
        codes = self.layers["communes"]["code_insee"].astype(str)
        self._rows = {code: row for row, code in enumerate(codes)}

    @property
    def key(self) -> tuple[str, float]:
        """The workspace and its version this session reads: the key of every cached value."""
        return self.source.path, self.source.version

    # -- filters -----------------------------------------------------------------------------
    @property
    def filters(self) -> data.Filters:
        """The filters the indicators depend on."""
        kinds = tuple(sorted(self.action_kinds))
        if self.info.counted_periods:  # only the periods counted can be shown
            return data.Filters(data.counted_period(self.counted), float(self.threshold_min),
                                kinds, self.travel)
        start, end = sorted((self.start, self.end)) if self.start and self.end else ("", "")
        months = self.info.months
        # The whole range of months is the default period, the whole record: the same
        # figures as the command line without --period (territory.analysis.period).
        whole = not start or (months and (start, end) == (months[0], months[-1]))
        return data.Filters(None if whole else (start, end), float(self.threshold_min), kinds,
                            self.travel)

    @property
    def travel(self) -> str:
        """The travel mode and its window, as one key (``transit@weekday_am``)."""
        return travel_key(self.mode, self.window if self.window in self.info.windows else None)

    def table_and_weights(self) -> tuple[pd.DataFrame, np.ndarray]:
        """Return the region's commune indicators and each commune's weight in the selection."""
        table = data.commune_indicators(self.source, self.filters)
        weights = data.selection_weights(*self.key, self.ml, self.departement)
        return table, weights

    @property
    def territory_name(self) -> str:
        """The selection's name in French."""
        parts = [self.info.mls.get(self.ml, "")] if self.ml else []
        if self.departement:
            dep = self.info.departements.get(self.departement, self.departement)
            parts.append(f"{dep} ({self.departement})")
        return " · ".join(p for p in parts if p) or self.info.area

    @property
    def scope(self) -> data.Scope:
        """The selection: what the plan's figures and the coverage model depend on."""
        return data.Scope(self.source, self.filters, self.ml, self.departement)

    @property
    def period_label(self) -> str:
        """The period and its sites, as every view prints it (territory.analysis.period_label).

        E.g. ``"décembre 2019 – novembre 2021 (sites ouverts à ce jour)"`` for the whole
        record; a period counted (contacts kept as counts) is named as it was counted.
        """
        if self.info.counted_periods:
            return self.info.counted_label(self.counted)
        return period_label(self.filters.period, data.record_dates(*self.key))

    def view_updates(self, weights: np.ndarray) -> dict[str, Any]:
        """Return the map params that follow the selection: faded zones, bounds, outline."""
        chosen = weights > 0
        shown = chosen if chosen.any() else np.ones(len(weights), dtype=bool)
        if not (self.ml or self.departement) and self.mainland.any():
            shown &= self.mainland  # France: the mainland; overseas by their département
        bounds = _geo.union_bounds(self.bounds[shown])
        return {"faded": (~chosen).astype(np.uint8), "view_bounds": bounds,
                "selected_outline": self.ml}

    # -- communes and coordinates --------------------------------------------------------------
    def row_of(self, code: str) -> int:
        """Return the position of the commune ``code`` in the communes layer."""
        return self._rows[code]

    def commune_name(self, code: str) -> str:
        """Return the name of the commune ``code``."""
        return str(self.layers["communes"]["nom"].iloc[self.row_of(code)])

    def commune_at(self, x: float, y: float) -> str | None:
        """Return the code of the commune holding the Lambert-93 point, if any."""
        communes = self.layers["communes"]
        found = communes.sindex.query(shapely.Point(x, y), predicate="intersects")
        return str(communes["code_insee"].iloc[found[0]]) if len(found) else None

    def origin_xy(self, row: int) -> tuple[float, float]:
        """Return the commune's origin (town hall) in Lambert-93."""
        x, y = data.origins_xy(*self.key)[row]
        return float(x), float(y)

    def origin_latlon(self, row: int) -> tuple[float, float]:
        """Return the commune's origin (town hall) in WGS84."""
        lon, lat = _TO_WGS84.transform(*self.origin_xy(row))
        return float(lat), float(lon)

    @staticmethod
    def to_lambert(lat: float, lon: float) -> tuple[float, float]:
        """Convert WGS84 to Lambert-93."""
        x, y = _TO_LAMBERT.transform(lon, lat)
        return float(x), float(y)

    @staticmethod
    def to_latlon(x: float, y: float) -> tuple[float, float]:
        """Convert Lambert-93 to WGS84 ``(lat, lon)``."""
        lon, lat = _TO_WGS84.transform(x, y)
        return round(float(lat), 5), round(float(lon), 5)

    # -- widgets and page ----------------------------------------------------------------------
    @property
    def _everywhere(self) -> str:
        """The choice of no Mission Locale: the whole region, France, or the regions."""
        if self.info.area == "France":
            return "Toute la France"
        return "Toute la région" if " / " not in self.info.area else "Toutes les régions"

    def filter_widgets(self, *, kinds: bool = True) -> pn.Column:
        """Return the filter widgets, in French."""
        months = {self.info.month_label(m, short=True): m for m in self.info.months}
        wide = {"sizing_mode": "stretch_width", "description": None}
        widgets: list[Any] = [
            pn.widgets.Select.from_param(
                self.param.ml, label="Mission Locale", **wide,
                options={self._everywhere: "", **{v: k for k, v in self.info.mls.items()}}),
            pn.widgets.Select.from_param(
                self.param.departement, label="Département", **wide,
                options={"Tous": "", **{f"{v} ({k})": k
                                        for k, v in self.info.departements.items()}}),
            self._period_widget(months, wide),
            pn.widgets.Select.from_param(
                self.param.mode, label="Déplacement des jeunes", **wide,
                options={self._mode_label(k): k for k in MODES}),
            *self._window_widget(wide),
            pn.widgets.IntSlider.from_param(self.param.threshold_min, step=5,
                                            label="Seuil d’accès (minutes)",
                                            sizing_mode="stretch_width"),
        ]
        if kinds:
            widgets += [_heading("Actions d’aller-vers prises en compte"),
                        pn.widgets.CheckBoxGroup.from_param(
                            self.param.action_kinds, label="", inline=False,
                            sizing_mode="stretch_width",
                            options={labels.kind_label(k, labels.ACTION_KIND_LABELS): k
                                     for k in self.info.action_kinds})]
        return pn.Column(*widgets, sizing_mode="stretch_width")

    def _mode_label(self, mode: str) -> str:
        """Return a mode as the selector lists it (with timetables, no « est. »)."""
        if mode == "transit" and self.info.windows:
            return "Transports en commun"
        return MODES[mode].short or MODES[mode].label.capitalize()

    def _window_widget(self, wide: dict[str, Any]) -> list[Any]:
        """Return the departure window widget, when the workspace has timetables."""
        if not self.info.windows:
            return []
        # The feeds' names come from the user's files; Panel renders a description as
        # Markdown.
        feeds = (labels.markdown_text(f"Horaires : {self.info.feeds}") if self.info.feeds
                 else None)
        widget = pn.widgets.Select.from_param(
            self.param.window, label="Horaires des transports en commun",
            **{**wide, "description": feeds},
            options={"Estimation (sans horaires)": "",
                     **{WINDOWS[w].label.capitalize(): w for w in self.info.windows}})
        widget.visible = self.mode in ("transit", "mix")

        def show(event: Any) -> None:
            widget.visible = event.new in ("transit", "mix")

        self.param.watch(show, "mode")
        return [widget]

    def _period_widget(self, months: dict[str, str], wide: dict[str, Any]) -> Any:
        if self.info.counted_periods:
            # Distinct young people do not add up across periods: offer those counted.
            return pn.widgets.Select.from_param(
                self.param.counted, label="Période (jeunes comptés)", **wide,
                options={self.info.counted_label(k): k for k in self.info.counted_periods})
        return pn.Row(pn.widgets.Select.from_param(self.param.start, label="Du mois",
                                                   options=months, **wide),
                      pn.widgets.Select.from_param(self.param.end, label="au mois",
                                                   options=months, **wide),
                      sizing_mode="stretch_width")

    def page(self, title: str, *, sidebar: list[Any], main: list[Any]) -> Any:
        """Return the page: header with both views' links and the demo badge, sidebar, main."""
        other = ("direction", "Vue direction") if "Planification" in title else (
            "planification", "Vue planification")
        header = [pn.pane.HTML(
            f'<a href="./{other[0]}" style="color:#fff;margin-right:18px">{other[1]}</a>'
            + ('<span class="tc-badge">données fictives</span>' if self.info.demo else ""),
            stylesheets=[_html.CSS], align="center", margin=(0, 10))]
        template = pn.template.BootstrapTemplate(
            title=title, header_background=HEADER, sidebar=sidebar, main=main,
            header=header, sidebar_width=300)
        template.config.raw_css.append(PAGE_CSS)
        return template


def _heading(text: str) -> pn.pane.HTML:
    return pn.pane.HTML(f'<div class="tc-label">{labels.html_text(text)}</div>',
                        stylesheets=[_html.CSS], margin=(8, 10, 0, 10))


def heading(text: str) -> pn.pane.HTML:
    """Return a small label over a group of widgets."""
    return _heading(text)


def site_layer(view: Selection) -> dict[str, Any]:
    """Return the sites open in the view's period, as map points (cached, shared)."""
    return data.site_points(*view.key, view.filters.period)


def action_layer(view: Selection) -> dict[str, Any]:
    """Return the physical outreach actions of the view's period and kinds, as map points."""
    return data.action_points(*view.key, view.filters.period, view.filters.action_kinds)
