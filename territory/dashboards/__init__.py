"""The territory dashboards: a planner view and a director view, served by Panel.

:func:`~territory.dashboards.server.serve` starts the server (``territory serve``); each
browser session gets its own :class:`~territory.dashboards.planner.PlannerApp` or
:class:`~territory.dashboards.director.DirectorApp`, built on the layers of one workspace that
every session shares (read once, cached).

Panel is an optional dependency (the ``dashboards`` extra): importing this package does not
import it; the first use of one of the names below does, and says how to install it if it is
missing.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any

from territory._errors import TerritoryError

if TYPE_CHECKING:
    from territory.dashboards.director import DirectorApp
    from territory.dashboards.map_component import CoverageMap
    from territory.dashboards.planner import PlannerApp
    from territory.dashboards.selection import Selection
    from territory.dashboards.server import serve
    from territory.dashboards.state import PlannerState

__all__ = ["CoverageMap", "DirectorApp", "PlannerApp", "PlannerState", "Selection", "serve"]

_HOMES = {
    "CoverageMap": "territory.dashboards.map_component",
    "DirectorApp": "territory.dashboards.director",
    "PlannerApp": "territory.dashboards.planner",
    "PlannerState": "territory.dashboards.state",
    "Selection": "territory.dashboards.selection",
    "serve": "territory.dashboards.server",
}


def _require_panel() -> None:
    """Raise a clear error if Panel (the ``dashboards`` extra) is not installed."""
    if importlib.util.find_spec("panel") is None:
        raise TerritoryError("the dashboards need Panel: pip install 'territory[dashboards]'")


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'territory.dashboards' has no attribute {name!r}")
    _require_panel()
    return getattr(importlib.import_module(_HOMES[name]), name)
