"""Young people by commune from INSEE's census files (``CODGEO``, ``P21_POP1524``...).

INSEE's files are often national: codes outside the region are counted, not reported as
errors; communes of the region missing from the file keep their estimate. A file in the
geography of an earlier year gives a commune merged since by the codes of its former communes
(now communes déléguées or associées): their young people are added up.
"""

from __future__ import annotations

import re
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
from territory.io._values import LARGEST_COUNT, BadValue, normalise, parse_number, shown

__all__ = ["POPULATION_COLUMN", "build_youth", "population_column"]

POPULATION_COLUMN = re.compile(r"P(\d{2})_POP(\d{2})(\d{2})", re.IGNORECASE)
# docs/methodology.md, "Young people": P21_POP1524 ("activité des résidents" base) is nearest
# to the 16-25 band the Missions Locales serve; P21_POP1529 (population-structure base) comes
# next.
PREFERRED_BANDS = ("1524", "1529")


def build_youth(findings: Findings, columns: Columns, ctx: Context) -> Built:
    """Replace ``communes.youth`` for the communes of the file; say where the counts come from."""
    require(findings, columns, "youth", ("code_insee",))
    chosen = population_column(findings, columns, ctx.column)
    read = read_codes(findings, columns.get("code_insee"), ctx.ref,
                      names=texts(findings, columns.get("commune_name")))
    codes, skipped = read.codes, read.outside
    values = cell_values(findings, chosen[0] if chosen else None, skipped, _youth)
    once_per_commune(findings, columns, read, skipped, attached_add_up=True)
    if findings.file_problems or chosen is None:
        return Built({})
    keep = good_rows(findings, skipped)
    communes = ctx.read("communes")
    header, source = chosen
    update: dict[str, int] = {}
    for i in keep:
        value = values[i]
        if value is not None:
            update[codes[i]] = update.get(codes[i], 0) + value
    found = communes["code_insee"].isin(list(update))
    communes = communes.copy()
    if found.any():
        youth = communes["youth"].astype("int64").to_numpy(copy=True)
        youth[found.to_numpy()] = communes.loc[found, "code_insee"].map(update).to_numpy()
        communes["youth"] = youth
        communes.loc[found, "youth_source"] = source
    others = [h for h in findings.table.headers
              if h != header and POPULATION_COLUMN.fullmatch(h.strip())]
    notes = [f"colonne utilisée : {header} — {source}" + (
        f" (autres : {', '.join(others)} ; choisir avec --column)" if others else "")]
    if (~found).any():
        notes.append(f"{int((~found).sum())} commune(s) de la région absente(s) du fichier "
                     "gardent leur estimation")
    return Built({"communes": communes}, skipped=skipped, notes=notes,
                 layer_info={"youth_source": source, "youth_column": header})


def population_column(findings: Findings, columns: Columns,
                      wanted: str | None) -> tuple[str, str] | None:
    """Return (header, source) of the column of young people to use, or None (reported)."""
    headers = findings.table.headers
    file = findings.table.file
    if wanted is not None:
        match = [h for h in headers if normalise(h) == normalise(wanted)]
        if not match:
            findings.whole_file(f"--column {wanted!r}: the file has no such column; its columns "
                                f"are {', '.join(f'`{h}`' for h in headers[:20])}")
            return None
        return match[0], _source(match[0], file)
    if columns.get("youth"):
        header = columns.fields["youth"]
        return header, _source(header, file)
    candidates = [h for h in headers if POPULATION_COLUMN.fullmatch(h.strip())]
    if not candidates:
        findings.whole_file("no column of young people; expected an INSEE column such as "
                            "`P21_POP1524` or `P21_POP1529`, or choose one with --column NAME")
        return None
    best = min(candidates, key=_rank)
    return best, _source(best, file)


def _rank(header: str) -> tuple[int, int]:
    match = POPULATION_COLUMN.fullmatch(header.strip())
    assert match is not None
    band = match.group(2) + match.group(3)
    order = PREFERRED_BANDS.index(band) if band in PREFERRED_BANDS else len(PREFERRED_BANDS)
    return order, -int(match.group(1))


def _source(header: str, file: str) -> str:
    match = POPULATION_COLUMN.fullmatch(header.strip())
    if not match:
        return f"{file}, colonne {header}"
    year, low, high = match.groups()
    return f"INSEE, recensement 20{year}, {header.strip().upper()} ({low}–{high} ans)"


def _youth(raw: Any) -> int:
    value = parse_number(raw, what="a number of young people")
    if value < 0 or np.isnan(value):
        raise BadValue(f"{shown(raw)} is negative; expected a number of young people, "
                       "0 or more")
    if value > LARGEST_COUNT:
        raise BadValue(f"{shown(raw)} is more young people than live in France; expected the "
                       "commune's number of young people (e.g. 60034 for Bordeaux)")
    return int(np.floor(value + 0.5))
