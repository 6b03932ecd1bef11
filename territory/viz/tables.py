"""The indicator table as a CSV file for a French spreadsheet: one exporter for every view.

``territory indicators --out FILE.csv`` and the director's downloads write their tables
with :func:`indicator_csv`: the same columns in the same order, French headers, decimal
commas, semicolons, UTF-8 with a byte-order mark (Excel opens it as it is), masked cells
as « < 11 » or « s », « données fictives » on every row made from demo data, and text that
a spreadsheet would run as a formula neutralised.
"""

from __future__ import annotations

import pandas as pd

from territory.viz.labels import DEMO_LABEL

__all__ = ["CSV_LABELS", "FORMULA_PREFIXES", "indicator_csv", "indicator_rows",
           "neutralise_formulas"]

# French headers of the indicator contract's columns; other columns keep their names.
CSV_LABELS = {
    "zone_id": "code", "zone_name": "nom", "youth": "jeunes (16-25 ans)",
    "neet_est": "NEET estimés", "invisible_est": "invisibles estimés",
    "reached": "jeunes atteints", "contacts_per_1000": "atteints pour 1 000 jeunes",
    "site_min": "minutes jusqu'au site le plus proche",
    "action_min": "minutes jusqu'à l'action la plus proche",
    "covered_share": "part des jeunes sous le seuil", "e2sfca": "E2SFCA",
    "gap_score": "indice de zone invisible", "gap_rank": "rang (1 = la moins atteinte)",
    "need_index": "composante besoin", "access_deficit": "composante accès",
    "reach_deficit": "composante atteinte", "nearest_min": "minutes jusqu'au lieu le plus proche",
    "covered_youth": "jeunes sous le seuil", "neet_rate": "taux de NEET",
    "repere": "repérés", "mobilise": "mobilisés", "accompagne": "accompagnés",
    "mobilise_rate": "part mobilisés", "accompagne_rate": "part accompagnés",
    "youth_source": "source des jeunes", "neet_source": "source du taux de NEET",
    "invisible_source": "source de la part d'invisibles", "apportionment": "répartition",
}
# Counts are written without decimals.
_WHOLE = {"reached", "repere", "mobilise", "accompagne", "gap_rank"}
# A cell a spreadsheet reads as a formula starts with one of these (OWASP, CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(values: pd.Series) -> pd.Series:
    """Prefix with an apostrophe the text cells a spreadsheet would run as formulas.

    Examples
    --------
    >>> neutralise_formulas(pd.Series(["=1+1", "Bordeaux", "@SUM(A1)", "-2"])).tolist()
    ["'=1+1", 'Bordeaux', "'@SUM(A1)", "'-2"]
    """
    text = values.astype("object").copy()
    risky = text.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_PREFIXES)).astype(bool)
    text[risky] = "'" + text[risky].astype(str)
    return text


def indicator_rows(table: pd.DataFrame, *, demo: bool, decimals: int = 3) -> pd.DataFrame:
    """Return the table as the exported text cells, with French headers.

    Examples
    --------
    >>> table = pd.DataFrame({"zone_id": ["a"], "zone_name": ["=cmd"], "reached": [4.0],
    ...                       "reached_secret": ["< 11"], "covered_share": [0.5]})
    >>> indicator_rows(table, demo=True).iloc[0].tolist()
    ['données fictives', 'a', "'=cmd", '< 11', '0,500']
    """
    frame = pd.DataFrame(table.drop(columns="geometry", errors="ignore"))
    out = pd.DataFrame(index=frame.index)
    if demo:
        out["données"] = DEMO_LABEL
    for column in frame.columns:
        if str(column).endswith("_secret"):
            continue
        values = frame[column]
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            places = 0 if column in _WHOLE else decimals
            text = values.map(lambda v, d=places: "" if pd.isna(v) else
                              f"{float(v):.{d}f}".replace(".", ","))
        else:
            text = neutralise_formulas(values.where(values.notna(), ""))
        secret = frame.get(f"{column}_secret")
        out[CSV_LABELS.get(str(column), str(column))] = (
            text if secret is None else secret.where(secret.notna(), text))
    return out


def indicator_csv(table: pd.DataFrame, *, demo: bool, decimals: int = 3) -> bytes:
    """Return the indicator table as CSV bytes for a French spreadsheet (see the module)."""
    rows = indicator_rows(table, demo=demo, decimals=decimals)
    return rows.to_csv(sep=";", index=False).encode("utf-8-sig")
