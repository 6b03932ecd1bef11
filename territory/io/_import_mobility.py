"""The share of young people without a car, by commune, for the ``mix`` travel mode.

A file with a code INSEE and a share per commune (``0,42``, ``42`` or ``42 %``) sets
``communes.no_car_share``; communes the file leaves out keep the regional default (31 %,
docs/methodology.md, "Travel modes"). Codes outside the region are counted, not reported as
errors. A commune given twice, by its code and by that of one of its communes déléguées or
associées, is reported: a share cannot be added up.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from territory.io._columns import Columns
from territory.io._context import (
    Built,
    Context,
    cell_values,
    good_rows,
    once_per_commune,
    read_codes,
    require,
    texts,
)
from territory.io._problems import Findings
from territory.io._values import BadValue, as_text, parse_number, shown

__all__ = ["build_mobility", "parse_share"]

WHAT = "a share of young people without a car (0,42, 42 or 42 %)"


def parse_share(raw: Any) -> float:
    """Read a share: ``0,42``, ``42`` or ``42 %`` are all 42 %.

    Examples
    --------
    >>> parse_share("0,42"), parse_share("42"), parse_share("42 %"), parse_share(1)
    (0.42, 0.42, 0.42, 1.0)
    """
    text = as_text(raw) if not isinstance(raw, int | float) else ""
    percent = text.endswith("%")
    value = parse_number(text.rstrip("%").strip() if percent else raw, what=WHAT)
    if percent or value > 1:
        value /= 100
    if not 0 <= value <= 1:
        raise BadValue(f"{shown(raw)} is not a share; expected {WHAT}, between 0 and 100 %")
    return round(value, 6)


def build_mobility(findings: Findings, columns: Columns, ctx: Context) -> Built:
    """Set ``communes.no_car_share`` for the communes of the file."""
    if not require(findings, columns, "mobility", ("code_insee", "no_car_share")):
        return Built({})
    read = read_codes(findings, columns.get("code_insee"), ctx.ref,
                      names=texts(findings, columns.get("commune_name")))
    codes, skipped = read.codes, read.outside
    values = cell_values(findings, columns.fields["no_car_share"], skipped, parse_share)
    once_per_commune(findings, columns, read, skipped)
    if findings.file_problems:
        return Built({})
    keep = good_rows(findings, skipped)
    update = {codes[i]: values[i] for i in keep if values[i] is not None}
    communes = ctx.read("communes").copy()
    current = (communes["no_car_share"].astype("float64") if "no_car_share" in communes
               else np.nan)
    found = communes["code_insee"].isin(list(update))
    communes["no_car_share"] = current
    if found.any():
        shares = communes.loc[found, "code_insee"].map(update).astype("float64")
        communes.loc[found, "no_car_share"] = shares.to_numpy()
    notes = [f"{int(found.sum())} commune(s) avec leur part de jeunes sans voiture ; les autres "
             "gardent la valeur régionale (31 %)"]
    return Built({"communes": communes}, skipped=skipped, notes=notes,
                 layer_info={"no_car_share_source": findings.table.file})
