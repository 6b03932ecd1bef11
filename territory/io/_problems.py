"""Collect every problem of an import, per row, then list them capped for huge files."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from territory._errors import Problem
from territory.io._readers import Table
from territory.io._values import BadValue

__all__ = ["MAX_LISTED", "Findings", "capped"]

MAX_LISTED = 50


class Findings:
    """The problems found in one table: about the whole file, or about one of its rows."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.file_problems: list[Problem] = []
        self.by_row: dict[int, list[Problem]] = {
            pos: list(found) for pos, found in table.row_problems.items()
        }

    def whole_file(self, message: str, *, column: str | None = None) -> None:
        """Record a problem about the whole file."""
        self.file_problems.append(self.table.problem(message, column=column))

    def row(self, pos: int, message: str, *, column: str | None = None) -> None:
        """Record a problem about row ``pos`` (0-based position in the table)."""
        self.by_row.setdefault(pos, []).append(
            self.table.problem(message, row=self.table.rows[pos], column=column))

    def parse(self, column: str | None, parse: Callable[[Any], Any]) -> list[Any]:
        """Parse every cell of ``column``; bad cells are recorded and read as None."""
        if column is None:
            return [None] * len(self.table.rows)
        values: list[Any] = []
        seen: dict[tuple[type, Any], tuple[bool, Any]] = {}
        for pos, raw in enumerate(self.table.cells[column].tolist()):
            key = (type(raw), raw)
            if key not in seen:
                try:
                    seen[key] = (True, parse(raw))
                except BadValue as bad:
                    seen[key] = (False, str(bad))
            ok, value = seen[key]
            if not ok:
                self.row(pos, value, column=column)
            values.append(value if ok else None)
        return values

    @property
    def bad_rows(self) -> set[int]:
        """Positions of the rows that have at least one problem."""
        return {pos for pos, found in self.by_row.items() if found}

    def all(self) -> list[Problem]:
        """Every problem: the file's first, then row by row."""
        rows = [p for pos in sorted(self.by_row) for p in self.by_row[pos]]
        return [*self.file_problems, *rows]

    def reasons(self, pos: int) -> str:
        """Return the problems of one row, for the rejects file."""
        return " ; ".join(
            (f"`{p.column}` : " if p.column else "") + p.message for p in self.by_row[pos]
        )


def capped(problems: Iterable[Problem], *, limit: int = MAX_LISTED) -> list[Problem]:
    """Keep the first ``limit`` problems and sum up the rest by column."""
    problems = list(problems)
    if len(problems) <= limit:
        return problems
    rest = problems[limit:]
    by_column = Counter(f"`{p.column}`" if p.column else "the file" for p in rest)
    detail = ", ".join(f"{n} in {c}" for c, n in by_column.most_common())
    first = problems[0]
    return [*problems[:limit],
            Problem(f"… and {len(rest)} more problems of the same kind ({detail}); "
                    f"{len(problems)} in all", file=first.file)]
