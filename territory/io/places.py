"""A file of places for planning: candidate sites, or other services already reaching youth.

``read_places("lieux.csv", workspace=...)`` reads the file as ``territory import sites`` does
(:func:`territory.io.import_file`): same formats, same column headers, same checks and the
same messages, every problem listed at once; it returns the points instead of writing them.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from territory._errors import InputError, Problem
from territory.io._columns import field_for, resolve_columns
from territory.io._import_points import build_places
from territory.io._places import Reference
from territory.io._problems import Findings, capped
from territory.io._readers import read_table
from territory.io.workspace import Workspace

__all__ = ["read_places"]

# The columns a file of places is read with: those of a sites file, and a capacity.
PLACES = "places"


def read_places(
    path: Path | str,
    *,
    workspace: Workspace | Path | str | None = None,
    within_region: bool = True,
) -> gpd.GeoDataFrame:
    r"""Read a file of places (candidate sites, other services) as points in Lambert-93.

    The file is read as a sites file is imported: CSV (``;`` or ``,``, UTF-8 or
    Windows-1252 as Excel saves it), XLSX, GeoJSON, GeoPackage or Shapefile; each row placed
    by its coordinates (longitude/latitude or Lambert-93 X/Y, swapped pairs refused) or at
    the town hall of its commune (``Code INSEE``). Kind, dates and Mission Locale are not
    required.

    Parameters
    ----------
    path
        The file of places.
    workspace
        The workspace whose communes and region the places are checked against; default
        (or a path where there is no workspace yet): the shipped region.
    within_region
        Refuse the places outside the region (default); false keeps them, for other services
        just across its border.

    Returns
    -------
    places
        One point per row (EPSG:2154): ``site_id``, ``name``, ``ml_code`` and ``capacity``
        when the file has them, ``code_insee``, ``commune`` and ``approximate`` (placed at the
        town hall).

    Raises
    ------
    InputError
        Every problem of the file, with its row and column; no place is read.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "lieux.csv"
    >>> _ = path.write_text("Nom;Longitude;Latitude\nSalle des fêtes;-0,5792;44,8378\n",
    ...                     encoding="cp1252")
    >>> read_places(path)[["name", "code_insee", "commune"]].to_dict("records")
    [{'name': 'Salle des fêtes', 'code_insee': '33063', 'commune': 'Bordeaux'}]
    """
    table = read_table(Path(path), is_header=_is_header)
    columns = resolve_columns(table.headers, kind=PLACES, file=table.file, mapping={})
    findings = Findings(table)
    findings.file_problems.extend(columns.problems)
    places = None
    if table.rows:
        places = build_places(findings, columns, _reference(workspace),
                              within_region=within_region)
    else:
        findings.whole_file("the file has a header but no data row; expected one row per "
                            "place below the header")
    problems = findings.all()
    if problems or places is None:
        heading = Problem(f"{len(problems)} problem{'s' if len(problems) > 1 else ''}; no "
                          "place was read", file=table.file)
        raise InputError([heading, *capped(problems)])
    return places


def _is_header(cell: str) -> bool:
    """Whether a cell names a column of a file of places (a header below title rows)."""
    return bool(cell) and field_for(PLACES, cell) not in (None, "ignored")


def _reference(workspace: Workspace | Path | str | None) -> Reference:
    if isinstance(workspace, Workspace):
        return Reference.load(workspace.read)
    return Reference.from_path(None if workspace is None else Path(workspace))
