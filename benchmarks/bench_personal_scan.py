"""Looking for personal data in every row: a 1,000,000-row column, vectorised against a loop.

An import refuses a column whose values look like e-mail addresses, phone numbers or social
security numbers (NIR), wherever they are in the file. territory runs its patterns over the
whole column at once (:func:`territory.io._personal.find_personal`: pandas ``str.contains``,
in Arrow's RE2 engine); the reference reads each cell in Python with the same patterns, as
the check did when it read only the first 5,000 rows. Three columns as imports hold them:
identifiers (Arrow strings, all distinct), dates (one copy of each distinct value) and notes
with accents. One personal value sits at the last row, so that both read everything.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa

from territory.io._personal import find_personal
from territory.io._values import as_text, is_blank

ROWS = 1_000_000
REPEAT = 3
_TEXT = pd.StringDtype("pyarrow")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\d+])(?:(?:\+|00)33[\s.-]?(?:\(0\))?|0)[1-9](?:[\s.-]?\d{2}){4}"
                    r"(?!\d)")
_NIR = re.compile(r"(?<!\d)([1-478])\s?(\d{2})\s?(\d{2})\s?(\d{2}|2A|2B)\s?(\d{3})\s?"
                  r"(\d{3})(?:\s?(\d{2}))?(?!\d)", re.IGNORECASE)


def _cell_by_cell(values: pd.Series) -> int | None:
    """The reference: each cell read in Python, as the former check read its 5,000 rows."""
    for pos, raw in enumerate(values.tolist()):
        if is_blank(raw) or not isinstance(raw, str):
            continue
        text = as_text(raw)
        if _EMAIL.search(text) or _PHONE.search(text):
            return pos
        if any(1 <= int(m.group(3)) <= 12 or 20 <= int(m.group(3)) <= 42
               or 50 <= int(m.group(3)) <= 99 for m in _NIR.finditer(text)):
            return pos
    return None


def _columns() -> dict[str, pd.Series]:
    last = "joindre au 06 12 34 56 78"

    def arrow(texts: list[str]) -> pd.Series:
        return pd.Series(pd.array(pa.array(texts, type=pa.large_string()), dtype=_TEXT))

    ids = [f"X{i:07d}" for i in range(ROWS - 1)] + [last]
    dates = np.array([f"{d % 28 + 1:02d}/{d % 12 + 1:02d}/2021" for d in range(ROWS - 1)]
                     + [last], dtype=object)
    notes = [f"Rencontré à la gare n°{i}, suivi prévu" for i in range(ROWS - 1)] + [last]
    return {"identifiers (Arrow strings, distinct)": arrow(ids),
            "dates (shared values)": pd.Series(dates),
            "notes with accents (Arrow strings)": arrow(notes)}


def _median_s(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    rows = list(range(2, ROWS + 2))
    find_personal(pd.DataFrame({"x": ["warm-up"]}), [2], kind="actions", known=set())
    print(f"personal data in a column of {ROWS:,} rows (one phone number, last row)")
    for name, column in _columns().items():
        cells = pd.DataFrame({"Info": column})
        found = find_personal(cells, rows, kind="actions", known=set())
        assert [c.example_row for c in found] == [ROWS + 1], found
        assert _cell_by_cell(column) == ROWS - 1
        ours = _median_s(lambda c=cells: find_personal(c, rows, kind="actions", known=set()),
                         REPEAT)
        loop = _median_s(lambda c=column: _cell_by_cell(c), 1)
        print(f"  {name:40s} territory {ours:6.3f} s   cell by cell {loop:6.2f} s   "
              f"ratio {ours / loop:.2f}")


if __name__ == "__main__":
    main()
