"""Routed travel minutes from an OpenStreetMap extract, kept in the workspace.

``build_network(workspace, "region.osm.pbf")`` routes every commune's origin to every
destination point (sites, outreach places, town halls, imported places) on foot, by bike and
by car, and stores the minutes within the cutoff; ``read_travel_times(workspace)`` gives them
back. ``build_transit(workspace, ["feed.zip"])`` adds public transport from GTFS timetables
over departure windows (RAPTOR, :mod:`territory.network.raptor`). Method and sources:
docs/methodology.md, "Routed travel times" and "Public transport timetables".
"""

from territory.network._modes import MODES
from territory.network.routing import build_travel_times
from territory.network.store import (
    NetworkSummary,
    TravelTimes,
    build_network,
    read_transit,
    read_travel_times,
)
from territory.network.transit import TransitOptions, TransitSummary, build_transit

__all__ = ["MODES", "NetworkSummary", "TransitOptions", "TransitSummary", "TravelTimes",
           "build_network", "build_transit", "build_travel_times", "read_transit",
           "read_travel_times"]
