"""Maps of a workspace: a standalone folium map that draws offline, and the French labels.

:func:`workspace_map` draws the workspace's layers (EPSG:2154 frames, converted to WGS84 here
and nowhere else); :func:`write_html` writes the map as one HTML file with Leaflet inside.
:mod:`territory.viz.labels` holds the words and colours every view shares.
"""

from territory.viz._assets import browser_file, leaflet_dist
from territory.viz._geojson import WEB_CRS, feature_collection
from territory.viz._layers import short_ml_name
from territory.viz._simplify import simplify_coverage
from territory.viz.folium_map import workspace_map, write_html

__all__ = ["WEB_CRS", "browser_file", "feature_collection", "leaflet_dist", "short_ml_name",
           "simplify_coverage", "workspace_map", "write_html"]
