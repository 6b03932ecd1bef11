"""Tables drawn on a page: wrapped cells, numbers right-aligned, zebra rows, page breaks.

matplotlib's own table neither wraps text nor splits across pages; a report table needs both,
so cells are laid out here in inches from each row's measured height.
"""

from __future__ import annotations

from dataclasses import replace

from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from territory.report._style import (
    ACCENT_LIGHT,
    INK,
    MUTED,
    PAGE_IN,
    RULE,
    SMALL_PT,
    ZEBRA,
    content_box,
    fx,
    fy,
    line_in,
    new_page,
    page_title,
    wrap,
)
from territory.report.document import Page, Table

PAD_X = 0.06
PAD_Y = 0.04
TABLE_GAP_IN = 0.3
# Rows carried over so that no page ends a table with a lone row (or a lone total).
WIDOW_ROWS = 3


def _widths(table: Table, width: float) -> list[float]:
    weights = list(table.widths) or [1.0] * len(table.columns)
    return [width * w / sum(weights) for w in weights]


def _cells(cells: tuple[str, ...], widths: list[float], size: float, *,
           bold: bool = False) -> list[list[str]]:
    return [wrap(cell, w - 2 * PAD_X, size, bold=bold)
            for cell, w in zip(cells, widths, strict=True)]


def _height(lines: list[list[str]], size: float) -> float:
    return max(len(cell) for cell in lines) * line_in(size) + 2 * PAD_Y


def note_height(table: Table, width: float) -> float:
    """Height of the note under a table, in inches (0 without a note)."""
    return len(wrap(table.note, width, SMALL_PT)) * line_in(SMALL_PT) + 0.1 if table.note \
        else 0.0


def paginate(table: Table, *, width: float, height: float) -> list[Table]:
    """Split a table into parts that each fit ``height`` inches with its header repeated.

    The note goes under the last part; the title of the other parts says "(suite)".
    """
    widths, size = _widths(table, width), table.font_pt
    room = height - _header_height(table, widths) - _title_height(table)
    parts: list[list[tuple[str, ...]]] = [[]]
    used = 0.0
    for number, row in enumerate(table.rows):
        need = _height(_cells(row, widths, size), size)
        reserve = note_height(table, width) if number == len(table.rows) - 1 else 0.0
        if parts[-1] and used + need + reserve > room:
            parts.append([])
            used = 0.0
        parts[-1].append(row)
        used += need
    if len(parts) > 1 and len(parts[-1]) < WIDOW_ROWS:
        keep = len(parts[-2]) - (WIDOW_ROWS - len(parts[-1]))
        parts[-2], parts[-1] = parts[-2][:keep], parts[-2][keep:] + parts[-1]
    last = len(parts) - 1
    return [replace(table, rows=tuple(rows), title=table.title if i == 0 or not table.title
                    else f"{table.title} (suite)", note=table.note if i == last else "",
                    total=table.total and i == last)
            for i, rows in enumerate(parts)]


def _row(fig: Figure, cells: list[list[str]], *, top: float, left: float,
         widths: list[float], numeric: tuple[bool, ...], size: float, weight: str,
         fill: str | None) -> float:
    height = _height(cells, size)
    if fill:
        fig.add_artist(Rectangle((fx(left), fy(top + height)), fx(sum(widths)),
                                 height / PAGE_IN[1], transform=fig.transFigure,
                                 facecolor=fill, edgecolor="none"))
    x = left
    for lines, w, right in zip(cells, widths, numeric, strict=True):
        fig.text(fx(x + w - PAD_X if right else x + PAD_X), fy(top + PAD_Y), "\n".join(lines),
                 fontsize=size, weight=weight, color=INK, va="top",
                 ha="right" if right else "left", linespacing=1.3)
        x += w
    return height


def _rule(fig: Figure, *, left: float, top: float, width: float, points: float) -> None:
    fig.add_artist(Rectangle((fx(left), fy(top)), fx(width), points / 72 / PAGE_IN[1],
                             transform=fig.transFigure, facecolor=RULE, edgecolor="none"))


def draw_table(fig: Figure, table: Table, *, left: float, top: float, width: float) -> float:
    """Draw a table (and its title, if any) at (left, top) inches; return the height used."""
    widths, size = _widths(table, width), table.font_pt
    y = top
    if table.title:
        fig.text(fx(left), fy(top), table.title, fontsize=11, weight="bold", color=INK,
                 va="top")
        y += _title_height(table)
    y += _row(fig, _cells(table.columns, widths, size - 0.5, bold=True), top=y, left=left,
              widths=widths, numeric=table.numeric, size=size - 0.5, weight="bold",
              fill=ACCENT_LIGHT)
    for number, row in enumerate(table.rows):
        emphasis = table.total and number == len(table.rows) - 1
        if emphasis:
            _rule(fig, left=left, top=y, width=width, points=1.0)
        y += _row(fig, _cells(row, widths, size, bold=emphasis), top=y, left=left, widths=widths,
                  numeric=table.numeric, size=size, weight="bold" if emphasis else "normal",
                  fill=ZEBRA if number % 2 else None)
    _rule(fig, left=left, top=y, width=width, points=0.8)
    if table.note:
        lines = wrap(table.note, width, SMALL_PT)
        fig.text(fx(left), fy(y + 0.08), "\n".join(lines), fontsize=SMALL_PT, color=MUTED,
                 va="top", linespacing=1.3)
        y += note_height(table, width)
    return y - top


def _fits(table: Table, *, width: float, room: float) -> Table | None:
    """Return the first part of ``table`` that fits ``room``, or None to start a new page.

    A table is split only where at least four of its rows (or all of them) fit.
    """
    if _drawn_height(table, width) <= room:
        return table
    first = paginate(table, width=width, height=room)[0]
    enough = len(first.rows) >= min(4, len(table.rows))
    return first if enough and _drawn_height(first, width) <= room else None


def _title_height(table: Table) -> float:
    return line_in(11) + 0.1 if table.title else 0.0


def _header_height(table: Table, widths: list[float]) -> float:
    size = table.font_pt - 0.5
    return _height(_cells(table.columns, widths, size, bold=True), size)


def _drawn_height(table: Table, width: float) -> float:
    widths, size = _widths(table, width), table.font_pt
    last = len(table.rows) - 1
    rows = [_height(_cells(r, widths, size, bold=table.total and i == last), size)
            for i, r in enumerate(table.rows)]
    return (_title_height(table) + _header_height(table, widths) + sum(rows)
            + note_height(table, width))


def flow(tables: tuple[Table, ...], *, title: str, subtitle: str = "") -> list[Page]:
    """Lay tables out one after another on as many pages as they need.

    A table that does not fit the rest of a page continues on the next one, its header
    repeated and its title marked "(suite)". A table named like the page is drawn without
    its own title.
    """
    left, top, width, height = content_box()
    bottom = top + height
    pages: list[Page] = []
    drawn: list[Table] = []
    fig: Figure | None = None
    y = bottom
    for table in tables:
        rest = replace(table, title="") if table.title == title else table
        while rest.rows:
            part = _fits(rest, width=width, room=bottom - y) if fig is not None else None
            if fig is None or part is None:
                if fig is not None:
                    pages.append(Page(title, fig, tables=tuple(drawn)))
                fig, drawn = new_page(), []
                heading = f"{title} (suite)" if pages else title
                y = top + page_title(fig, heading, "" if pages else subtitle)
                part = paginate(rest, width=width, height=bottom - y)[0]
            y += draw_table(fig, part, left=left, top=y, width=width) + TABLE_GAP_IN
            drawn.append(replace(part, title=part.title or table.title))
            rest = replace(rest, rows=rest.rows[len(part.rows):],
                           title=f"{table.title} (suite)" if rest.title else "")
    if fig is not None:
        pages.append(Page(title, fig, tables=tuple(drawn)))
    return pages
