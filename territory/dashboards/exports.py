"""What the director takes away: the standalone HTML map and CSV tables, small counts masked.

Every export is public: counts of young people from 1 to 10 are masked (« < 11 ») and so is
whatever would let one recompute them (territory.analysis.suppress); the map leaves out the
number of young people met at each action. Files made from demo data say "données fictives".
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from territory.analysis import headline, in_period, open_sites
from territory.dashboards import data
from territory.report import public_communes
from territory.viz import workspace_map, write_html
from territory.viz.tables import indicator_csv, indicator_rows

__all__ = ["csv_table", "html_map", "public_table"]

SECRET_THRESHOLD = 11


def public_table(table: pd.DataFrame) -> pd.DataFrame:
    """Return a public indicator table as the text cells its CSV holds (masked as flagged).

    Examples
    --------
    >>> from territory.analysis import suppress
    >>> t = suppress(pd.DataFrame({"zone_id": ["a", "b", "c"], "reached": [4, 30, 52]}))
    >>> public_table(t)["jeunes atteints"].tolist()
    ['< 11', 's', '52']
    """
    return indicator_rows(table, demo=False)


def csv_table(table: pd.DataFrame, *, demo: bool) -> bytes:
    """Return a public indicator table as CSV bytes: the file ``territory indicators`` writes."""
    return indicator_csv(table, demo=demo)


def _public_actions(actions: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Actions without the small numbers of young people met (1 to 10)."""
    if "youth_met" not in actions:
        return actions
    met = pd.to_numeric(actions["youth_met"], errors="coerce").astype(float)
    small = (met > 0) & (met < SECRET_THRESHOLD)
    return actions.assign(youth_met=met.mask(small, np.nan))


def html_map(source: data.Source, filters: data.Filters, *, ml_code: str, title: str) -> bytes:
    """Return the standalone HTML map (territory.viz) of the region or one ML's catchment.

    The map ``territory map`` writes for the same filters: coloured by the public score,
    reach and access, with the headline figures of the views.
    """
    found = data.filtered_layers(source.path, source.version, filters)
    params = filters.params
    figures = headline(data.commune_indicators(source, filters), found,
                       ml_code=ml_code or None, period=filters.period)
    public = (public_communes(found, period=filters.period, params=params)
              if "catchment_members" in found else None)
    communes, catchments = found["communes"], found.get("catchments")
    sites, actions = found.get("sites"), found.get("actions")
    if sites is not None:
        sites = open_sites(sites, period=filters.period)
    if actions is not None:
        actions = _public_actions(in_period(actions, filters.period))
    if ml_code:
        weights = data.selection_weights(source.path, source.version, ml_code, "")
        communes = communes[weights > 0]
        catchments = None if catchments is None else catchments[
            catchments["ml_code"].astype(str) == ml_code]
        sites = None if sites is None else sites[sites["ml_code"].astype(str) == ml_code]
        actions = None if actions is None else actions[actions["ml_code"].astype(str) == ml_code]
    fmap = workspace_map(communes, catchments=catchments, sites=sites, actions=actions,
                         demo=data.info(source.path, source.version).demo, title=title,
                         figures=figures, indicators=public,
                         threshold_min=params.threshold_min,
                         access=f"temps d’accès {params.travel_mode.words}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "carte.html"
        write_html(fmap, path)
        return path.read_bytes()
