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

from territory.analysis import open_sites
from territory.dashboards import data
from territory.viz import workspace_map, write_html
from territory.viz.labels import DEMO_LABEL

__all__ = ["CSV_COLUMNS", "csv_table", "html_map", "public_table"]

CSV_COLUMNS = {
    "zone_id": "code", "zone_name": "nom", "youth": "jeunes (16-25 ans)",
    "neet_est": "NEET estimés", "invisible_est": "invisibles estimés",
    "reached": "jeunes atteints", "contacts_per_1000": "atteints pour 1 000 jeunes",
    "site_min": "minutes jusqu'au site le plus proche",
    "action_min": "minutes jusqu'à l'action la plus proche",
    "covered_share": "part des jeunes sous le seuil", "e2sfca": "E2SFCA",
    "gap_score": "indice de zone invisible", "gap_rank": "rang (1 = la moins atteinte)",
    "repere": "repérés", "mobilise": "mobilisés", "accompagne": "accompagnés",
}
SECRET_THRESHOLD = 11


def public_table(table: pd.DataFrame) -> pd.DataFrame:
    """Return the CSV columns of a public indicator table, masked cells as their flag.

    Numbers keep a decimal comma (French spreadsheets); a masked cell reads « < 11 » (a
    small count) or « s » (secret statistique: it would reveal one).

    Examples
    --------
    >>> from territory.analysis import suppress
    >>> t = suppress(pd.DataFrame({"zone_id": ["a", "b", "c"], "reached": [4, 30, 52]}))
    >>> public_table(t)["jeunes atteints"].tolist()
    ['< 11', 's', '52']
    """
    out = pd.DataFrame(index=table.index)
    for column, label in CSV_COLUMNS.items():
        if column not in table:
            continue
        values = table[column]
        if pd.api.types.is_numeric_dtype(values):
            decimals = 0 if column in ("reached", "repere", "mobilise", "accompagne",
                                       "gap_rank") else 3
            text = values.map(lambda v, d=decimals: "" if pd.isna(v) else
                              f"{float(v):.{d}f}".replace(".", ","))
        else:
            text = values.astype("object").where(values.notna(), "").astype(str)
        secret = table.get(f"{column}_secret")
        out[label] = text if secret is None else secret.where(secret.notna(), text)
    return out


def csv_table(table: pd.DataFrame, *, demo: bool) -> bytes:
    """Return a public indicator table as CSV bytes (``;``, UTF-8 with BOM for Excel)."""
    out = public_table(table)
    if demo:
        out.insert(0, "données", DEMO_LABEL)
    return out.to_csv(sep=";", index=False).encode("utf-8-sig")


def _public_actions(actions: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Actions without the small numbers of young people met (1 to 10)."""
    if "youth_met" not in actions:
        return actions
    met = pd.to_numeric(actions["youth_met"], errors="coerce").astype(float)
    small = (met > 0) & (met < SECRET_THRESHOLD)
    return actions.assign(youth_met=met.mask(small, np.nan))


def html_map(source: data.Source, filters: data.Filters, *, ml_code: str, title: str) -> bytes:
    """Return the standalone HTML map (territory.viz) of the region or one ML's catchment."""
    found = data.filtered_layers(source.path, source.version, filters)
    communes, catchments = found["communes"], found.get("catchments")
    sites, actions = found.get("sites"), found.get("actions")
    if sites is not None:
        sites = open_sites(sites, period=filters.period)
    if actions is not None:
        actions = _public_actions(data.in_period(actions, filters.period))
    if ml_code:
        weights = data.selection_weights(source.path, source.version, ml_code, "")
        communes = communes[weights > 0]
        catchments = None if catchments is None else catchments[
            catchments["ml_code"].astype(str) == ml_code]
        sites = None if sites is None else sites[sites["ml_code"].astype(str) == ml_code]
        actions = None if actions is None else actions[actions["ml_code"].astype(str) == ml_code]
    fmap = workspace_map(communes, catchments=catchments, sites=sites, actions=actions,
                         demo=data.info(source.path, source.version).demo, title=title)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "carte.html"
        write_html(fmap, path)
        return path.read_bytes()
