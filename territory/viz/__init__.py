"""Maps of a workspace: a standalone folium map that draws offline, and the French labels.

:func:`workspace_map` draws the workspace's layers (EPSG:2154 frames, converted to WGS84 here
and nowhere else); :func:`write_html` writes the map as one HTML file with Leaflet inside.
:mod:`territory.viz.labels` holds the words and colours every view shares.
"""

from territory.viz.folium_map import workspace_map, write_html

__all__ = ["workspace_map", "write_html"]
