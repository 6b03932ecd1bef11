"""Where the browser finds Leaflet: the package's copy, served by the Panel server.

Browser libraries come from the npm registry and are copied into the package data when the
package is built (never committed); the server publishes that folder under :data:`JS_ROUTE`,
so the dashboards need no network at all.
"""

from __future__ import annotations

from territory.viz import leaflet_dist

__all__ = ["JS_ROUTE", "LEAFLET_CSS_URL", "LEAFLET_ESM_URL", "static_dirs"]

JS_ROUTE = "territoire-js"
LEAFLET_ESM_URL = f"/{JS_ROUTE}/leaflet/dist/leaflet-src.esm.js"
LEAFLET_CSS_URL = f"/{JS_ROUTE}/leaflet/dist/leaflet.css"


def static_dirs() -> dict[str, str]:
    """Return the folders the server publishes: route → directory.

    Raises
    ------
    TerritoryError
        If Leaflet is not installed, with the command that installs it.
    """
    node_modules = leaflet_dist().parent.parent
    return {JS_ROUTE: str(node_modules)}
