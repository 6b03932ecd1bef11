"""The demo territory: fictional Missions Locales on the real communes of the region.

:func:`build_demo` fills a workspace with 43 fictional catchments built from whole EPCI, their
sites at real town halls, two years of outreach actions (December 2019 to November 2021, the
2020 lockdowns included) and the young people they reached, without any personal data. Every
layer it writes is marked as demo data, and everything made from it says "données fictives".
:func:`build_demo_transit` adds a fictional coach and train timetable (a GTFS feed written
beside the workspace) and its public-transport minutes.
"""

from territory.demo._build import DEFAULT_SEED, DemoSummary, build_demo, demo_layers
from territory.demo._transit import DemoFeed, build_demo_transit, demo_feed_path, write_demo_feed

__all__ = ["DEFAULT_SEED", "DemoFeed", "DemoSummary", "build_demo", "build_demo_transit",
           "demo_feed_path", "demo_layers", "write_demo_feed"]
