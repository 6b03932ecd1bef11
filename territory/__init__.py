"""territory: where the "invisible" young people are least reached, for the Missions Locales.

The package flows one way: :mod:`territory.io` (files and the GeoPackage workspace) feeds
:mod:`territory.analysis` and :mod:`territory.planning` (pure functions on GeoDataFrames),
which feed :mod:`territory.viz` (maps), :mod:`territory.dashboards`, :mod:`territory.report`
and :mod:`territory.cli`.

A module whose name starts with an underscore (``territory.io._readers``) is private to its
package: only the modules of that package and of its subpackages import it; everything else
goes through the package's public names, listed in its ``__all__``. The architecture test
(``tests/test_architecture.py``) checks both rules; ``docs/architecture.md`` explains them.
"""

from territory._errors import InputError, Problem, TerritoryError, WorkspaceError

__version__ = "0.1.0"

__all__ = ["InputError", "Problem", "TerritoryError", "WorkspaceError", "__version__"]
