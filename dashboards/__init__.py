"""The territory dashboards: a planner view and a director view, served by Panel.

:func:`~dashboards.server.serve` starts the server (``territory serve``); each browser
session gets its own :class:`~dashboards.planner.PlannerApp` or
:class:`~dashboards.director.DirectorApp`, built on the layers of one workspace that every
session shares (read once, cached).
"""

from dashboards.director import DirectorApp
from dashboards.map_component import CoverageMap
from dashboards.planner import PlannerApp
from dashboards.server import serve

__all__ = ["CoverageMap", "DirectorApp", "PlannerApp", "serve"]
