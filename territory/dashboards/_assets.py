"""Where the browser finds Leaflet and protomaps-leaflet: the package's copies, served.

Browser libraries come from the npm registry and are copied into the package data when the
package is built (never committed); the server publishes that folder under :data:`JS_ROUTE`,
so the dashboards need no network at all.
"""

from __future__ import annotations

from territory.viz import leaflet_dist

__all__ = ["JS_ROUTE", "LEAFLET_CSS_URL", "LEAFLET_ESM_URL", "PROTOMAPS_URL", "static_dirs"]

JS_ROUTE = "territoire-js"
LEAFLET_ESM_URL = f"/{JS_ROUTE}/leaflet/dist/leaflet-src.esm.js"
LEAFLET_CSS_URL = f"/{JS_ROUTE}/leaflet/dist/leaflet.css"
PROTOMAPS_URL = f"/{JS_ROUTE}/protomaps-leaflet/dist/protomaps-leaflet.js"


def static_dirs() -> dict[str, str]:
    """Return the folders the server publishes: route → directory.

    Raises
    ------
    TerritoryError
        If Leaflet is not installed, with the command that installs it.
    """
    node_modules = leaflet_dist().parent.parent
    return {JS_ROUTE: str(node_modules)}
