"""What every import builder receives (the workspace's reference data) and returns (layers)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from territory.io._columns import Columns, missing_column
from territory.io._places import Attached, MlIndex, Reference, attached_note, resolve_code
from territory.io._problems import Findings
from territory.io._values import BadValue, as_text, is_blank, parse_date, shown
from territory.io.workspace import Workspace

T = TypeVar("T")

__all__ = ["Built", "CommuneCodes", "Context", "as_dates", "cell_values", "checked_date",
           "commune_codes", "good_rows", "once_per_commune", "read_codes", "require", "texts"]

# The first Missions Locales opened in 1982 (ordonnance du 26 mars 1982): an earlier date is
# a typing mistake.
EARLIEST = dt.date(1982, 1, 1)


@dataclass
class Context:
    """The workspace an import checks against, read lazily."""

    workspace: Workspace
    today: dt.date
    column: str | None = None

    @cached_property
    def ref(self) -> Reference:
        """Communes, town halls, postal codes and region of the workspace."""
        return Reference.load(self.workspace.read)

    @cached_property
    def ml(self) -> MlIndex:
        """The Missions Locales of the workspace and the communes they cover."""
        return MlIndex.from_layers(
            self.workspace.read("catchments", columns=["ml_code"], read_geometry=False),
            self.workspace.read("catchment_members"))

    def read(self, layer: str) -> Any:
        """Read a layer of the workspace."""
        return self.workspace.read(layer)


@dataclass
class Built:
    """The layers an import would write, made of the good rows only."""

    layers: dict[str, pd.DataFrame]
    skipped: set[int] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    layer_info: dict[str, Any] = field(default_factory=dict)


def require(findings: Findings, columns: Columns, kind: str, names: tuple[str, ...]) -> bool:
    """Report each required field no header holds; return whether all are there."""
    missing = [n for n in names if columns.get(n) is None]
    for name in missing:
        findings.file_problems.append(missing_column(kind, name, file=findings.table.file,
                                                     headers=findings.table.headers))
    return not missing


def texts(findings: Findings, column: str | None) -> list[str]:
    """Return the cells of a column as text ('' where empty or absent)."""
    if column is None:
        return [""] * len(findings.table.rows)
    return [as_text(v) for v in findings.table.cells[column].tolist()]


@dataclass
class CommuneCodes:
    """The commune of each row of a file, as :func:`read_codes` read it."""

    # Each row's commune code ('' where absent or wrong).
    codes: list[str]
    # The rows whose commune the reference base does not hold (outside the region).
    outside: set[int] = field(default_factory=set)
    # The rows whose code is part of their commune (commune déléguée or associée,
    # municipal arrondissement), with that code.
    attached: dict[int, Attached] = field(default_factory=dict)

    def given(self, pos: int) -> str:
        """Return the code as the row gave it (the attached code, else the commune's)."""
        attached = self.attached.get(pos)
        return attached.code if attached is not None else self.codes[pos]


def read_codes(findings: Findings, column: str | None, ref: Reference, *,
               names: list[str] | None = None, blank_ok: bool = False) -> CommuneCodes:
    """Read the commune code of each row: the one place every import reads them.

    A wrong code (a postal code, an unknown commune) is reported on its row and cell; an
    empty one too, unless ``blank_ok``. ``names`` (the commune's name on each row) tells a
    postal code's communes apart. The code of a commune déléguée or associée, or of a
    municipal arrondissement, gives the commune it is part of, and the import's report lists
    each such code with its commune and number of rows. A commune the base does not hold is
    in ``outside``: each import treats it as it treats any commune outside the region.
    """
    read = CommuneCodes([""] * len(findings.table.rows))
    if column is None:
        return read
    for pos, raw in enumerate(findings.table.cells[column].tolist()):
        if blank_ok and is_blank(raw):
            continue
        try:
            code = resolve_code(raw, ref, name_hint=names[pos] if names else "")
        except BadValue as bad:
            findings.row(pos, str(bad), column=column)
            continue
        read.codes[pos] = code.code
        if not code.in_region:
            read.outside.add(pos)
        if code.attached is not None:
            read.attached[pos] = code.attached
    if read.attached:
        findings.table.notes.append(attached_note(Counter(read.attached.values()), ref))
    return read


def commune_codes(findings: Findings, columns: Columns,
                  ctx: Context) -> tuple[list[str], set[int]]:
    """Return each row's INSEE code ('' where absent or wrong), and the rows outside the region.

    Read by :func:`read_codes`: a wrong code is reported on its row and cell.
    """
    read = read_codes(findings, columns.get("code_insee"), ctx.ref,
                      names=texts(findings, columns.get("commune_name")))
    return read.codes, read.outside


def checked_date(today: dt.date, *, future: bool = False) -> Any:
    """Return a date parser that refuses dates in the future (unless allowed) or before 1982."""
    def parse(raw: Any) -> dt.date:
        value = parse_date(raw)
        if not future and value > today:
            raise BadValue(f"{shown(raw)} is in the future (today is {today:%d/%m/%Y}); "
                           "expected the date it took place")
        if value < EARLIEST:
            raise BadValue(f"{shown(raw)} is before 1982, when the first Missions Locales "
                           "opened; check the year")
        return value

    return parse


def cell_values(findings: Findings, column: str | None, skipped: set[int],
                parse: Callable[[Any], T]) -> list[T | None]:
    """Return each row's cell read by ``parse`` (None where skipped); report what fails."""
    values: list[T | None] = [None] * len(findings.table.rows)
    if column is None:
        return values
    for pos, raw in enumerate(findings.table.cells[column].tolist()):
        if pos in skipped:
            continue
        try:
            values[pos] = parse(raw)
        except BadValue as bad:
            findings.row(pos, str(bad), column=column)
    return values


def once_per_commune(findings: Findings, columns: Columns, read: CommuneCodes,
                     skipped: set[int], *, attached_add_up: bool = False) -> None:
    """Report every row whose commune an earlier row already gave.

    With ``attached_add_up``, rows that give one commune by different codes (the commune's
    and those attached to it, as in a file made before a merger) are not repeats: the import
    adds them up. Otherwise the repeat says which code gave the commune.
    """
    by_commune: dict[str, int] = {}
    by_given: dict[tuple[str, str], int] = {}
    for pos, code in enumerate(read.codes):
        if not code or pos in skipped:
            continue
        given = (code, read.given(pos))
        earlier = by_given.get(given) if attached_add_up else by_commune.get(code)
        by_commune.setdefault(code, pos)
        by_given.setdefault(given, pos)
        if earlier is None:
            continue
        through = dict.fromkeys(read.attached[p] for p in (earlier, pos) if p in read.attached)
        how = "".join(f" ({a.code} is {a.name}, {a.kind} of {a.parent_name})" for a in through)
        findings.row(pos, f"commune '{code}' is already on row {findings.table.rows[earlier]}"
                     f"{how}; expected each commune once", column=columns.get("code_insee"))


def good_rows(findings: Findings, skipped: set[int] | None = None) -> np.ndarray:
    """Positions of the rows to import: no problem, not skipped."""
    bad = findings.bad_rows | (skipped or set())
    return np.array([p for p in range(len(findings.table.rows)) if p not in bad], dtype=int)


def as_dates(values: list[Any]) -> pd.Series:
    """Dates (or None) as the contract's datetime64[ms] column."""
    return pd.Series(pd.to_datetime(pd.Series(values, dtype=object)), dtype="datetime64[ms]")
