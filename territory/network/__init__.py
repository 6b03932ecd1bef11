"""Routed travel minutes from an OpenStreetMap extract, kept in the workspace.

``build_network(workspace, "region.osm.pbf")`` routes every commune's origin to every
destination point (sites, outreach places, town halls, imported places) on foot, by bike and
by car, and stores the minutes within the cutoff; ``read_travel_times(workspace)`` gives them
back. Method and sources: docs/methodology.md, "Routed travel times".
"""

from territory.network._modes import MODES
from territory.network.routing import build_travel_times
from territory.network.store import (
    NetworkSummary,
    TravelTimes,
    build_network,
    read_travel_times,
)

__all__ = ["MODES", "NetworkSummary", "TravelTimes", "build_network", "build_travel_times",
           "read_travel_times"]
