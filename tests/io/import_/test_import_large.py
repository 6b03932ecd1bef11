"""Large files are read a chunk of rows at a time: the table is the same whatever the chunks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from territory.io import _readers
from territory.io._readers import Table, read_table
from territory.io._values import as_text, is_blank

LINES = [
    "Suivi des actions 2021",               # a title above the header
    "",
    "Date;Type d'action;Jeunes rencontrés;Code INSEE;Lieu",
    "04/03/2021;Maraude;5;33063;Place A",
    "05/03/2021;Bus;3;33522",              # short: padded
    "",                                     # blank: skipped, its number kept by the others
    "06/03/2021;Maraude;2;33318;Place C;",  # one empty cell too many, as in every row below
    '07/03/2021;Événement;12;33063;"Salle ; bleue"',
    "08/03/2021;Maraude;1;33063;Place E;en trop",  # a value beyond the header
    *[f"{9 + i:02d}/03/2021;Maraude;{i};33063;Lieu {i};" for i in range(12)],
]


def _snapshot(table: Table) -> tuple[object, ...]:
    cells = [[None if is_blank(c) else c for c in row]
             for row in table.cells.to_numpy().tolist()]
    problems = {pos: [str(p) for p in found] for pos, found in table.row_problems.items()}
    return table.headers, cells, table.rows, problems, table.notes


@pytest.mark.parametrize("chunk", [1, 2, 3, 7])
def test_the_chunks_do_not_change_the_table(chunk: int, write: Callable[..., Path],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    path = write("actions.csv", "\r\n".join(LINES) + "\r\n", encoding="cp1252")

    def is_header(cell: str) -> bool:
        return cell == "Date"

    whole = read_table(path, is_header=is_header)
    monkeypatch.setattr(_readers, "CHUNK_ROWS", chunk)
    assert _snapshot(read_table(path, is_header=is_header)) == _snapshot(whole)
    assert whole.rows == [4, 5, 7, 8, 9, *range(10, 22)]
    assert is_blank(whole.cells.iloc[1].tolist()[-1])  # padded
    assert whole.cells.iloc[3].tolist()[-1] == "Salle ; bleue"
    assert [table_row for table_row in whole.row_problems] == [4]
    assert "en-tête trouvé ligne 3" in " ".join(whole.notes)


def test_repeated_values_are_kept_once(write: Callable[..., Path]) -> None:
    rows = [f"{d % 28 + 1:02d}/03/2021;Maraude;{d};3306{d % 3}" for d in range(400)]
    table = read_table(write("a.csv", "Date;Type;Jeunes;Code INSEE\n" + "\n".join(rows)))
    kinds = table.cells["Type"].tolist()
    assert len({id(k) for k in kinds}) == 1
    assert len({id(d) for d in table.cells["Date"].tolist()}) == 28
    assert table.cells["Jeunes"].tolist() == [str(d) for d in range(400)]


@given(st.text())
def test_text_is_kept_as_it_is_when_already_tidy(text: str) -> None:
    shown = as_text(text)
    assert shown == " ".join(text.split())
    if shown == text:
        assert shown is text  # one copy, however many rows hold it
