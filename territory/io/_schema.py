"""The workspace contract: key columns and geometry type of each layer.

See docs/architecture.md, "Workspace contract".

More columns are welcome in any layer; these are the ones the rest of the package relies on.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd

from territory._crs import LAMBERT93

_TEXT = "str"
_INT = "int64"
_FLOAT = "float64"
_BOOL = "bool"
_DATE = "datetime64[ms]"

SCHEMA: dict[str, dict[str, Any]] = {
    "communes": {
        "geometry": "MultiPolygon",
        "columns": {"code_insee": _TEXT, "nom": _TEXT, "dep_code": _TEXT, "epci_code": _TEXT,
                    "population": _INT, "youth": _INT, "youth_source": _TEXT},
    },
    "catchments": {
        "geometry": "MultiPolygon",
        "columns": {"ml_code": _TEXT, "ml_name": _TEXT, "in_consortium": _BOOL},
    },
    "catchment_members": {
        "geometry": None,
        "columns": {"ml_code": _TEXT, "code_insee": _TEXT, "share": _FLOAT},
    },
    "sites": {
        "geometry": "Point",
        "columns": {"site_id": _TEXT, "ml_code": _TEXT, "name": _TEXT, "kind": _TEXT,
                    "sessions_per_month": _FLOAT, "opened": _DATE, "closed": _DATE},
    },
    "actions": {
        "geometry": "Point",
        "columns": {"action_id": _TEXT, "ml_code": _TEXT, "kind": _TEXT, "date": _DATE,
                    "youth_met": _INT},
    },
    "contacts": {
        "geometry": None,
        "columns": {"contact_id": _TEXT, "date": _DATE, "ml_code": _TEXT, "action_id": _TEXT,
                    "code_insee": _TEXT, "stage": _TEXT},
    },
    "contact_counts": {
        "geometry": None,
        "columns": {"code_insee": _TEXT, "period": _TEXT, "repere": _INT, "mobilise": _INT,
                    "accompagne": _INT},
    },
    # Young people in first contact with an ML per commune and month (``YYYY-MM``), every
    # channel, from the ML information system: the impact study's outcome.
    "first_contacts": {
        "geometry": None,
        "columns": {"code_insee": _TEXT, "month": _TEXT, "repere": _INT, "mobilise": _INT,
                    "accompagne": _INT},
    },
    "scenarios": {
        "geometry": None,
        "columns": {"scenario_id": _TEXT, "name": _TEXT, "parameters": _TEXT,
                    "created_at": _DATE},
    },
    "scenario_sites": {
        "geometry": "Point",
        "columns": {"scenario_id": _TEXT, "site_id": _TEXT, "name": _TEXT, "ml_code": _TEXT},
    },
}

SITE_KINDS = ("siege", "antenne", "permanence", "partenaire")
ACTION_KINDS = ("maraude", "bus", "evenement", "partenaire", "numerique")
STAGES = ("repere", "mobilise", "accompagne")


def empty_layer(name: str) -> pd.DataFrame:
    """Return an empty frame with the contract's columns and dtypes for ``name``."""
    spec = SCHEMA[name]
    data = {col: pd.Series([], dtype=dtype) for col, dtype in spec["columns"].items()}
    if spec["geometry"] is None:
        return pd.DataFrame(data)
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries([], crs=LAMBERT93))


def missing_columns(name: str, frame: pd.DataFrame) -> list[str]:
    """Return the contract columns of ``name`` that ``frame`` lacks."""
    return [col for col in SCHEMA[name]["columns"] if col not in frame.columns]
