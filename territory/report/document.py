"""The report as data: pages (figures) and the tables printed on them, and how to write it.

:class:`Report` keeps each page's :class:`~matplotlib.figure.Figure` and, beside it, the text
of every table drawn on it (:class:`Table`), so that the HTML export can carry the tables as
text and a test can read exactly what a page shows. :meth:`Report.write` picks the format
from the file's suffix.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from matplotlib.figure import Figure

from territory._errors import InputError
from territory.report import _writers

__all__ = ["FORMATS", "Page", "Report", "Table", "check_suffix"]

FORMATS: tuple[str, ...] = (".pdf", ".png", ".html")


def check_suffix(path: Path | str) -> str:
    """Return the report format of ``path`` (its lower-case suffix), or raise.

    Examples
    --------
    >>> check_suffix("rapport.PDF")
    '.pdf'
    """
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"{path}: cannot write a report as {suffix or 'a file without suffix'!r}; "
                         f"expected one of {', '.join(FORMATS)} (e.g. rapport.pdf)")
    return suffix


@dataclass(frozen=True)
class Table:
    """A table as printed: French column headers and cells already formatted as text.

    Parameters
    ----------
    title
        Caption above the table.
    columns
        Column headers.
    rows
        Cells as strings, one tuple per row.
    numeric
        Which columns hold numbers (right-aligned).
    counts
        Headers of the columns holding counts of young people derived from contacts, where
        small counts are masked ("< 11").
    widths
        Relative column widths on the page.
    note
        Text printed under the table (notes, masked-cell legend).
    total
        Whether the last row is a total (printed in bold under a rule).
    font_pt
        Size of the cells' text on the page (headers half a point smaller).
    """

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]
    counts: tuple[str, ...] = ()
    widths: tuple[float, ...] = ()
    note: str = ""
    total: bool = False
    font_pt: float = 8.5

    def column(self, header: str) -> list[str]:
        """Return the cells of one column, by header."""
        position = self.columns.index(header)
        return [row[position] for row in self.rows]


@dataclass(eq=False)
class Page:
    """One page: its title, its figure and the tables and text it shows."""

    title: str
    figure: Figure
    tables: tuple[Table, ...] = ()
    text: tuple[str, ...] = ()


@dataclass(eq=False)
class Report:
    """The director's report, ready to write as PDF, PNG pages or a self-contained HTML.

    Examples
    --------
    >>> from territory.io.workspace import Workspace
    >>> from territory.report import build_report
    >>> workspace = Workspace(demo_path)
    >>> layers = {name: workspace.read(name) for name in workspace.layers()}
    >>> report = build_report(layers, metadata=workspace.metadata(), ml_code="ML05")
    >>> [path.name for path in report.write(tmp_path / "rapport.pdf")]
    ['rapport.pdf']
    """

    title: str
    territory: str
    period: str
    date: dt.date
    demo: bool
    pages: list[Page] = field(default_factory=list)

    def write(self, path: Path | str) -> list[Path]:
        """Write the report; the suffix chooses the format.

        ``.pdf`` writes one PDF with vector maps; ``.html`` one self-contained page (every
        image inline, no external resource); ``.png`` one image per page, numbered from 1
        after the stem: ``rapport.png`` gives ``rapport-1.png``, ``rapport-2.png``, …

        Returns
        -------
        paths
            The files written.
        """
        path = Path(path)
        suffix = check_suffix(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".png":
            pages = _writers.png_pages(self)
            paths = [path.with_name(f"{path.stem}-{n}.png") for n in range(1, len(pages) + 1)]
            for target, data in zip(paths, pages, strict=True):
                target.write_bytes(data)
            return paths
        path.write_bytes(self.to_bytes(suffix))
        return [path]

    def to_bytes(self, suffix: str) -> bytes:
        """Return the report as one ``.pdf`` or ``.html`` file's bytes (for a download)."""
        if suffix == ".pdf":
            return _writers.pdf(self)
        if suffix == ".html":
            return _writers.html(self).encode("utf-8")
        raise InputError(f"to_bytes({suffix!r}): expected '.pdf' or '.html'; PNG pages come "
                         "from Report.png_pages()")

    def png_pages(self) -> list[bytes]:
        """Return each page as PNG bytes."""
        return _writers.png_pages(self)
