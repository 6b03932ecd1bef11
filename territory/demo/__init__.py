"""The demo territory: fictional Missions Locales on the real communes of the region.

:func:`build_demo` fills a workspace with 43 fictional catchments built from whole EPCI, their
sites at real town halls, two years of outreach actions (December 2019 to November 2021, the
2020 lockdowns included) and the young people they reached, without any personal data. Every
layer it writes is marked as demo data, and everything made from it says "données fictives".
"""

from territory.demo._build import DEFAULT_SEED, DemoSummary, build_demo, demo_layers

__all__ = ["DEFAULT_SEED", "DemoSummary", "build_demo", "demo_layers"]
