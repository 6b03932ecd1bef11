"""The standalone map of a workspace: one HTML file that draws with no network.

The map shows the communes, the Missions Locales' catchments, their sites and their outreach
actions, each in a layer the user can switch off, with a legend in French. Given the commune
indicators, the communes can be coloured by the invisible-zone score, young people reached per
1,000 or access time, with the classes, colours and tooltips of the dashboards; else (and
always as a last choice) by youth density. Leaflet is the only browser library it needs, and
:func:`write_html` copies it into the page, so the file opens anywhere, offline, as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd

from territory._errors import TerritoryError
from territory.viz import _assets, _colourings, _layers, _overlays, _points, labels
from territory.viz._frames import check_indicators, check_layers, is_drawable
from territory.viz._geojson import web_bounds
from territory.viz.labels import html_text

__all__ = ["DEFAULT_TITLE", "workspace_map", "write_html"]

DEFAULT_TITLE = "Missions Locales de Nouvelle-Aquitaine"


def _base_map(communes: gpd.GeoDataFrame, *, page_title: str, demo: bool) -> folium.Map:
    """Return an empty map fitted to the communes, linking Leaflet and nothing else."""
    fmap = folium.Map(tiles=None, zoom_control=False, zoom_snap=0.25, zoom_delta=0.5)
    # Only Leaflet: folium's jQuery, Bootstrap and icon fonts serve nothing drawn here.
    fmap.default_js = [("leaflet", _assets.LEAFLET_JS_URL)]
    fmap.default_css = [("leaflet_css", _assets.LEAFLET_CSS_URL)]
    fmap.get_root().title = html_text(page_title)  # type: ignore[attr-defined]
    top_px = 20 + (_overlays.BANNER_HEIGHT_PX if demo else 0)
    fmap.fit_bounds(web_bounds(communes.geometry), padding_top_left=(20, top_px),
                    padding_bottom_right=(20, 20))
    return fmap


def _add_background(fmap: folium.Map) -> None:
    """Add an OpenStreetMap background, off: it shows only with internet."""
    folium.TileLayer("OpenStreetMap", name="Fond OpenStreetMap (nécessite internet)",
                     overlay=True, show=False).add_to(fmap)


def _ml_names(catchments: gpd.GeoDataFrame | None) -> dict[str, str]:
    if not is_drawable(catchments):
        return {}
    return dict(zip(catchments["ml_code"].astype(str), catchments["ml_name"].astype(str),
                    strict=True))


def _count_by_ml(frame: gpd.GeoDataFrame | None) -> dict[str, int]:
    if not is_drawable(frame):
        return {}
    return {str(k): int(v) for k, v in frame["ml_code"].astype(str).value_counts().items()}


def _placed(frame: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
    """Return the rows that have a place on the map, or None if there are none."""
    if not is_drawable(frame):
        return None
    placed = frame[~(frame.geometry.isna() | frame.geometry.is_empty)]
    return placed if len(placed) else None


def _unplaced_counts(actions: gpd.GeoDataFrame | None) -> tuple[int, int]:
    """Return (online actions, other actions without a place)."""
    if not is_drawable(actions):
        return 0, 0
    unplaced = actions.geometry.isna() | actions.geometry.is_empty
    online = actions["kind"].astype(str) == "numerique"
    return int((unplaced & online).sum()), int((unplaced & ~online).sum())


def _subtitle(communes: gpd.GeoDataFrame, catchments: gpd.GeoDataFrame | None,
              sites: gpd.GeoDataFrame | None, actions: gpd.GeoDataFrame | None,
              figures: Mapping[str, float] | None) -> str:
    """Say what the map holds; with ``figures``, the headline figures every view prints."""
    parts = [labels.format_count(len(communes), "commune")]
    if is_drawable(catchments):
        parts.append(labels.format_count(len(catchments), "Mission Locale",
                                         "Missions Locales"))
    for frame, key, word, words in (
            (sites, "sites", "site", "sites"),
            (actions, "actions", "action d’aller-vers", "actions d’aller-vers")):
        count = figures[key] if figures is not None else (
            len(frame) if is_drawable(frame) else 0)
        if count:
            parts.append(labels.format_count(round(count), word, words))
    youth = (figures["youth"] if figures is not None
             else pd.to_numeric(communes["youth"], errors="coerce").sum())
    parts.append(f"{labels.format_number(youth)} {labels.YOUTH_LABEL}")
    return " · ".join(parts)


def _legend(items: list[_colourings.Colouring], catchments: gpd.GeoDataFrame | None,
            sites: gpd.GeoDataFrame | None,
            actions: gpd.GeoDataFrame | None) -> _overlays.Legend:
    placed_sites, placed_actions = _placed(sites), _placed(actions)
    online, unplaced = _unplaced_counts(actions)
    return _overlays.Legend(
        colourings=[(item.label, item.legend) for item in items],
        consortium=(sorted({v is True for v in catchments["in_consortium"]})
                    if is_drawable(catchments) else ()),
        site_counts=({} if placed_sites is None else
                     _points.kind_counts(placed_sites, list(labels.SITE_KIND_LABELS))),
        action_counts=({} if placed_actions is None else
                       _points.kind_counts(placed_actions, list(labels.ACTION_KIND_LABELS))),
        online_actions=online,
        unplaced_actions=unplaced,
    )


def _add_layers(fmap: folium.Map, communes: gpd.GeoDataFrame,
                catchments: gpd.GeoDataFrame | None, sites: gpd.GeoDataFrame | None,
                actions: gpd.GeoDataFrame | None, *, population_label: str,
                items: list[_colourings.Colouring], notes: _colourings.Notes | None) -> None:
    _layers.add_panes(fmap)
    helpers = _layers.add_helpers(fmap, population_label=population_label)
    _layers.colour_by(fmap, items)
    ml_names = _ml_names(catchments)
    positions = None
    if is_drawable(catchments):
        helpers.tables["mls"] = catchments["ml_name"].astype(str).tolist()
        positions = _layers.commune_catchments(communes, catchments)
    _layers.add_communes(fmap, communes, helpers=helpers, items=items, notes=notes,
                         catchment_positions=positions)
    if is_drawable(catchments):
        _layers.add_catchments(fmap, catchments, site_counts=_count_by_ml(sites),
                               action_counts=_count_by_ml(actions))
        _layers.add_catchment_names(fmap, catchments)
    dots = []
    if (placed := _placed(sites)) is not None:
        dots += _points.add_sites(fmap, placed, ml_names=ml_names)
    if (placed := _placed(actions)) is not None:
        dots += _points.add_actions(fmap, placed, ml_names=ml_names)
    _points.add_dot_sizes(fmap, dots)


def workspace_map(
    communes: gpd.GeoDataFrame,
    *,
    catchments: gpd.GeoDataFrame | None = None,
    sites: gpd.GeoDataFrame | None = None,
    actions: gpd.GeoDataFrame | None = None,
    demo: bool = False,
    title: str = DEFAULT_TITLE,
    population_label: str = labels.POPULATION_LABEL,
    figures: Mapping[str, float] | None = None,
    indicators: pd.DataFrame | None = None,
    threshold_min: float = 30.0,
    access: str = "",
    timetable: str = "",
) -> folium.Map:
    """Draw a workspace's layers on one interactive map, labelled in French.

    Communes have a tooltip each and are coloured, as the user chooses in the layer control,
    by the invisible-zone score, young people reached per 1,000 or access time (given
    ``indicators``: the classes and colours of the report and the dashboards,
    :func:`territory.viz.classes.map_classes`), or by estimated young people per km² (fixed
    classes, :data:`~territory.viz.labels.YOUTH_DENSITY_BREAKS`). The communes are drawn
    once, whatever colours them. Catchments are outlined (solid for IN Système consortium
    members, dashed otherwise) and named; sites and actions are dots coloured by kind, one
    layer per kind. Online actions have no place: the legend counts them. No tile layer is
    needed: an OpenStreetMap background can be switched on, and shows only with internet.

    Parameters
    ----------
    communes
        The ``communes`` layer in EPSG:2154 (at least one row).
    catchments, sites, actions
        The workspace layers of the same names in EPSG:2154; missing or empty ones are left
        off the map and the legend.
    demo
        Whether the layers are demo data: "données fictives" is then written across the top
        of the map and in the page title.
    title
        The territory's name, shown in the title box.
    population_label
        What the population figure is, with its vintage, as the tooltips say it.
    figures
        The headline figures of the territory shown
        (:func:`territory.analysis.headline`): the title box then gives its young people,
        sites and actions as the dashboard and the report do. Without them, the rows drawn
        are counted.
    indicators
        The commune indicators of the whole region (classes are region-wide, so that an ML's
        communes keep their colours), one row per ``zone_id`` (INSEE code). A map to hand
        out takes the public table, :func:`territory.report.public_communes`: a masked
        figure shows its mask (« < 11 », « s ») and no rank. None: youth density only.
    threshold_min
        The access threshold, for the classes of access time (30 min, France Services).
    access
        How access times were measured, in French (the travel mode, e.g. « accès en
        transports en commun (estimation) »), added under the title.
    timetable
        The timetables the access times come from, in French (feeds and validity,
        :meth:`territory.analysis.travel.Routed.feeds_source`), added to the sources line.

    Returns
    -------
    folium.Map
        The map; write it with :func:`write_html` to get a file that works offline.

    Raises
    ------
    InputError
        If a layer misses a column or is not in EPSG:2154 (every problem listed).

    Examples
    --------
    >>> from territory.io.workspace import Workspace
    >>> ws = Workspace(demo_path)
    >>> fmap = workspace_map(ws.read("communes"), sites=ws.read("sites"))
    >>> write_html(fmap, tmp_path / "carte.html") > 1_000_000
    True
    """
    check_layers({"communes": communes, "catchments": catchments, "sites": sites,
                  "actions": actions})
    check_indicators(indicators)
    page_title = f"{title} — {labels.DEMO_LABEL}" if demo else title
    fmap = _base_map(communes, page_title=page_title, demo=demo)
    _overlays.add_style(fmap, demo=demo)
    subtitle = _subtitle(communes, catchments, sites, actions, figures)
    _overlays.add_title(fmap, title, f"{subtitle} · {access}" if access else subtitle)
    _overlays.add_controls(fmap, timetable=timetable)
    items = _colourings.colourings(communes, indicators, threshold_min=threshold_min)
    notes = None if indicators is None else _colourings.commune_notes(communes, indicators)
    _add_layers(fmap, communes, catchments, sites, actions, population_label=population_label,
                items=items, notes=notes)
    _add_background(fmap)
    folium.LayerControl(collapsed=False, position="topright").add_to(fmap)
    _overlays.add_legend(fmap, _legend(items, catchments, sites, actions))
    if demo:
        _overlays.add_banner(fmap)
    return fmap


def write_html(fmap: folium.Map, path: Path) -> int:
    """Write the map as one HTML file with Leaflet inside it, so that it needs no network.

    Parameters
    ----------
    fmap
        A map from :func:`workspace_map` (any folium map that only needs Leaflet).
    path
        The file to write.

    Returns
    -------
    int
        The file's size in bytes.

    Raises
    ------
    TerritoryError
        If Leaflet is not installed (run ``make setup``), or if the page would still load a
        script or stylesheet from the network.
    """
    page = _assets.inline_leaflet(fmap.get_root().render())
    remaining = _assets.external_references(page)
    if remaining:
        raise TerritoryError(
            f"{path}: the map would load {remaining} from the network and not draw offline; "
            "build it with workspace_map(), which needs only Leaflet"
        )
    path = Path(path)
    path.write_text(page, encoding="utf-8")
    return path.stat().st_size
