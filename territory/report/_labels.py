"""Names on the report's maps, placed so that they do not cover one another.

Each name is tried at a few places around its point, nearest first, and takes the first where
its box (measured from the font, :func:`~territory.report._style.text_width`) covers no name,
marker or box already placed and stays inside the map. A name that must be shown (a commune of
the table) takes the place where it covers least; one that may be left out (a Mission Locale
on a crowded map) gives way to its short form, then to nothing. The result depends only on the
input, so the same map gets the same names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib import patheffects
from matplotlib.axes import Axes

from territory.report._style import INK, line_in, text_width

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in map units (metres)
HALO = [patheffects.withStroke(linewidth=2.4, foreground="white")]
# Offsets around a point, in label heights and widths: right, left, above, below, diagonals.
_AROUND = ((1, 0, "left"), (-1, 0, "right"), (0, 1, "center"), (0, -1, "center"),
           (1, 1, "left"), (1, -1, "left"), (-1, 1, "right"), (-1, -1, "right"))
_CENTRED = ((0.0, 0.0), (0.0, 1.0), (0.0, -1.0), (0.5, 0.0), (-0.5, 0.0), (0.0, 2.0),
            (0.0, -2.0))


@dataclass(frozen=True)
class Name:
    """A name to write at a point of the map.

    ``short`` is written instead when ``text`` finds no room (None: left out). A name
    ``around`` a point goes beside it (a commune's marker); otherwise it is centred on it (an
    area's name).
    """

    x: float
    y: float
    text: str
    size_pt: float
    bold: bool = False
    italic: bool = False
    required: bool = False
    around: bool = False
    short: str | None = None
    colour: str = INK


@dataclass(frozen=True)
class Placed:
    """Where a name was written: its text, anchor point, alignment and box."""

    name: Name
    text: str
    x: float
    y: float
    ha: str
    box: Box
    beside: bool = True


def spread(points: np.ndarray, min_distance: float, *, rounds: int = 200) -> np.ndarray:
    """Move points apart until no two are closer than ``min_distance`` (or rounds run out).

    Each overlapping pair is pushed apart along the line joining them, half the overlap each;
    the result depends only on the input, so the same map gets the same markers.

    Examples
    --------
    >>> spread(np.array([[0.0, 0.0], [1.0, 0.0]]), 3.0).round(1).tolist()
    [[-1.0, 0.0], [2.0, 0.0]]
    """
    moved = np.asarray(points, dtype=float).copy()
    if len(moved) < 2:
        return moved
    for _ in range(rounds):
        gap = moved[:, None, :] - moved[None, :, :]
        dist = np.hypot(gap[..., 0], gap[..., 1])
        np.fill_diagonal(dist, np.inf)
        if dist.min() >= min_distance * 0.999:
            break
        push = np.where(dist < min_distance, (min_distance - dist) / 2, 0.0)
        unit = gap / np.where(np.isfinite(dist) & (dist > 0), dist, 1.0)[..., None]
        moved += (unit * push[..., None]).sum(axis=1)
    return moved


def _overlap(box: Box, others: Sequence[Box]) -> float:
    if not others:
        return 0.0
    boxes = np.asarray(others)
    w = np.minimum(box[2], boxes[:, 2]) - np.maximum(box[0], boxes[:, 0])
    h = np.minimum(box[3], boxes[:, 3]) - np.maximum(box[1], boxes[:, 1])
    return float((np.clip(w, 0, None) * np.clip(h, 0, None)).sum())


def _box(x: float, y: float, ha: str, width: float, height: float) -> Box:
    left = {"left": x, "right": x - width, "center": x - width / 2}[ha]
    return (left, y - height / 2, left + width, y + height / 2)


def _inside(box: Box, extent: Sequence[float]) -> bool:
    return (box[0] >= extent[0] and box[2] <= extent[1] and box[1] >= extent[2]
            and box[3] <= extent[3])


def _candidates(name: Name, text: str, scale: float, gap_in: float
                ) -> list[tuple[float, float, str, Box, bool]]:
    lines = text.split("\n")
    width = max(text_width(line, name.size_pt, bold=name.bold) for line in lines) * scale
    height = len(lines) * line_in(name.size_pt) * scale
    found = []
    if name.around:
        for step in (1.0, 1.8, 2.6, 3.6, 5.0):
            for dx, dy, ha in _AROUND:
                x = name.x + dx * step * gap_in * scale
                y = name.y + dy * step * (gap_in * scale + height / 2)
                found.append((x, y, ha, _box(x, y, ha, width, height), step == 1.0))
    else:
        for across, up in _CENTRED:
            x, y = name.x + across * width, name.y + up * height
            found.append((x, y, "center", _box(x, y, "center", width, height), True))
    return found


def place(names: Sequence[Name], *, metres_per_inch: float, extent: Sequence[float],
          taken: Sequence[Box] = (), gap_in: float = 0.09) -> list[Placed]:
    """Return where each name goes, in the given order (the first get the best places).

    Parameters
    ----------
    names
        The names, most important first.
    metres_per_inch
        The map's scale, to turn the names' sizes in inches into metres.
    extent
        The map's ``(x0, x1, y0, y1)``: a name stays inside.
    taken
        Boxes already covered (markers, the scale bar).
    gap_in
        Distance between a point and the name beside it, in inches.
    """
    boxes, placed = list(taken), []
    # Around another name's point, a name would read as that point's: keep clear of it.
    near = 2.2 * gap_in * metres_per_inch
    points = [(n.x - near, n.y - near, n.x + near, n.y + near) if n.around else None
              for n in names]
    for i, name in enumerate(names):
        others = [p for j, p in enumerate(points) if p is not None and j != i]
        best: tuple[float, Placed] | None = None
        for text in (name.text, name.short):
            if text is None:
                continue
            for x, y, ha, box, beside in _candidates(name, text, metres_per_inch, gap_in):
                if not _inside(box, extent):
                    continue
                cover = _overlap(box, boxes) + _overlap(box, others)
                if best is None or cover < best[0]:
                    best = (cover, Placed(name, text, x, y, ha, box, beside))
                if cover == 0:
                    break
            if best is not None and best[0] == 0:
                break
        if best is None or (best[0] > 0 and not name.required):
            continue
        boxes.append(best[1].box)
        placed.append(best[1])
    return placed


def draw(ax: Axes, placed: Sequence[Placed]) -> None:
    """Write the placed names, with a thin line back to a point they had to leave."""
    for item in placed:
        name = item.name
        if name.around and not item.beside:
            cx = min(max(name.x, item.box[0]), item.box[2])
            cy = min(max(name.y, item.box[1]), item.box[3])
            ax.plot([name.x, cx], [name.y, cy], color=INK, linewidth=0.5, zorder=6)
        ax.text(item.x, item.y, item.text, fontsize=name.size_pt, ha=item.ha, va="center",
                color=name.colour, weight="bold" if name.bold else "normal",
                style="italic" if name.italic else "normal", linespacing=1.1,
                path_effects=HALO, zorder=7)
