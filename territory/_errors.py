"""The exception family of territory: every problem names its file, row and column."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["InputError", "Problem", "TerritoryError", "WorkspaceError"]


class TerritoryError(Exception):
    """Base class of every error territory raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One problem found in an input: where it is, what was found, how to fix it."""

    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = self.file or ""
        if self.row is not None:
            where += f":{self.row}"
        if self.column:
            where += f": `{self.column}`"
        return f"{where}: {self.message}" if where else self.message


class InputError(TerritoryError, ValueError):
    """Bad input: carries every problem found, so the user can fix them all at once."""

    def __init__(self, problems: Iterable[Problem] | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(problems)]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class WorkspaceError(TerritoryError, OSError):
    """The workspace file is missing, locked, or not a territory workspace."""
