"""territory: where the "invisible" young people are least reached, for the Missions Locales.

The package flows one way: :mod:`territory.io` (files and the GeoPackage workspace) feeds
:mod:`territory.analysis` and :mod:`territory.planning` (pure functions on GeoDataFrames),
which feed :mod:`territory.viz` (maps), the dashboards, the report and the command line.
"""

from territory._errors import InputError, Problem, TerritoryError, WorkspaceError

__version__ = "0.1.0"

__all__ = ["InputError", "Problem", "TerritoryError", "WorkspaceError", "__version__"]
