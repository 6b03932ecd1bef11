"""The map classes and colours of the indicators: one classification for every view.

:func:`map_classes` classes an indicator column of a zone table; the report's map, the
dashboards' maps and the standalone map all colour with it and with :data:`INDICATORS`'
palettes, so that a commune has the same colour wherever a director or a planner looks.

- ``gap_score`` (indice de zone invisible): quintiles of the table's zones by ``gap_rank``
  (1 = least reached; ties already broken by the rank). The rank stays in public tables where
  the score is masked (:func:`territory.analysis.suppress`), so the raw table and its public
  copy give every zone the same class. The legend names the classes ("très élevé" …) without
  their bounds, which a public output must not print (a masked commune's class and the bounds
  would bracket its score).
- ``contacts_per_1000`` (jeunes atteints pour 1 000): zones nobody reached, then quartiles of
  the others (mapclassify ``Quantiles``).
- ``invisible_est``: quintiles (mapclassify ``Quantiles``).
- ``nearest_min`` (temps d'accès): fixed classes around the access threshold, so that "beyond
  the threshold" always reads the same.

A zone without a value (or whose value is masked) is in class -1 and drawn in
:data:`NO_VALUE_COLOUR`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from territory._errors import InputError
from territory.analysis import score_classes
from territory.viz.labels import format_number

__all__ = [
    "INDICATORS",
    "NO_VALUE_COLOUR",
    "SCORE_CLASS_LABELS",
    "Indicator",
    "MapClasses",
    "map_classes",
    "rank_quintile",
]


@dataclass(frozen=True)
class Indicator:
    """An indicator a map can show: its column, French label, unit and palette."""

    column: str
    label: str
    short: str
    decimals: int
    palette: tuple[str, ...]


# ColorBrewer sequential palettes, 5 classes, lightest first (Brewer & Harrower,
# colorbrewer2.org). Dark means "needs attention" for the score, travel time and the invisible,
# "well reached" for contacts. The score's "BuPu" is cool, so that the sites' warm markers
# (labels.SITE_KIND_COLOURS) stay readable on top of its darkest communes.
INDICATORS: dict[str, Indicator] = {
    "gap_score": Indicator("gap_score", "Indice de zone invisible (0–100)", "indice", 1,
                           ("#edf8fb", "#b3cde3", "#8c96c6", "#8856a7", "#810f7c")),
    "contacts_per_1000": Indicator(
        "contacts_per_1000", "Jeunes atteints pour 1 000 jeunes", "atteints pour 1 000", 1,
        ("#f0f9e8", "#bae4bc", "#7bccc4", "#43a2ca", "#0868ac")),
    "nearest_min": Indicator("nearest_min", "Temps d’accès au lieu le plus proche (min)",
                             "temps d’accès", 0,
                             ("#f1eef6", "#d7b5d8", "#df65b0", "#dd1c77", "#980043")),
    "invisible_est": Indicator("invisible_est", "Jeunes invisibles estimés", "invisibles estimés",
                               0, ("#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f")),
    "reach_gain": Indicator("reach_gain", "Gain d’une action à la mairie (par an)",
                            "atteints en plus par an", 1,
                            ("#ffffcc", "#c2e699", "#78c679", "#31a354", "#006837")),
}
NO_VALUE_COLOUR = "#dcdcdc"
SCORE_CLASS_LABELS = ("très faible : les 20 % les mieux atteintes", "faible", "moyen", "élevé",
                      "très élevé : les 20 % les moins atteintes")
_QUANTILES = 5


@dataclass(frozen=True, eq=False)
class MapClasses:
    """The classes of one indicator: each zone's class, and each class's colour and label.

    Attributes
    ----------
    column
        The classed column.
    classes
        Each zone's class on the table's index: 0 the lightest, -1 no value.
    colours
        Each class's colour, lightest first.
    labels
        Each class's legend words; they print no bound of a class that a public output must
        keep back (the score's).
    ranges
        Each class's values, ``"23,5 – 33,2"``, for the planner's workstation.
    """

    column: str
    classes: pd.Series
    colours: tuple[str, ...]
    labels: tuple[str, ...]
    ranges: tuple[str, ...]

    def zone_colours(self) -> list[str]:
        """Return each zone's fill colour (:data:`NO_VALUE_COLOUR` for class -1)."""
        palette = [*self.colours, NO_VALUE_COLOUR]
        return [palette[c] for c in self.classes.to_numpy()]

    def legend(self, *, ranges: bool) -> list[tuple[str, str]]:
        """Return the legend rows (colour, text), lightest first; with the values if asked."""
        texts = [f"{label} ({values})" if ranges and label != values else label
                 for label, values in zip(self.labels, self.ranges, strict=True)]
        return list(zip(self.colours, texts, strict=True))


def rank_quintile(rank: pd.Series, total: int) -> np.ndarray:
    """Return each zone's score class from its rank: 4 for the fifth least reached (rank 1 …).

    Examples
    --------
    >>> rank_quintile(pd.Series([1, 2, 5, 10]), 10).tolist()
    [4, 4, 2, 0]
    """
    values = rank.to_numpy(dtype=float)
    found = _QUANTILES - 1 - (values - 1) * _QUANTILES // max(total, 1)
    return np.where(np.isnan(values), -1, np.clip(found, 0, _QUANTILES - 1)).astype(np.int64)


def _span(values: pd.Series, classes: np.ndarray, k: int) -> tuple[str, ...]:
    out = []
    for c in range(k):
        chosen = values[(classes == c) & values.notna().to_numpy()]
        out.append("–" if chosen.empty else
                   f"{format_number(chosen.min(), decimals=1)} – "
                   f"{format_number(chosen.max(), decimals=1)}")
    return tuple(out)


def _score(table: pd.DataFrame, spec: Indicator) -> MapClasses:
    values = pd.to_numeric(table[spec.column]).astype(float)
    if "gap_rank" in table:
        rank = pd.to_numeric(table["gap_rank"]).astype(float)
    else:
        rank = values.rank(ascending=False, method="first")
    classes = rank_quintile(rank, int(rank.notna().sum()))
    return MapClasses(spec.column, pd.Series(classes, index=table.index), spec.palette,
                      SCORE_CLASS_LABELS, _span(values, classes, _QUANTILES))


def _quantiles(values: pd.Series, k: int) -> tuple[np.ndarray, tuple[str, ...]]:
    """Return mapclassify's quantile classes of the known values (-1 elsewhere) and labels."""
    with warnings.catch_warnings():
        # Few distinct values: mapclassify says it makes fewer classes, which is what we want.
        warnings.filterwarnings("ignore", message="Not enough unique values",
                                category=UserWarning)
        found = score_classes(values.to_frame("v"), "v", k=k, scheme="Quantiles")
    return found.classes.to_numpy(), found.labels


def _reach(table: pd.DataFrame, spec: Indicator) -> MapClasses:
    values = pd.to_numeric(table[spec.column]).astype(float)
    positive = values.where(values > 0)
    classes, labels = _quantiles(positive, _QUANTILES - 1)
    classes = np.where(classes >= 0, classes + 1, np.where(values == 0, 0, -1))
    zero = "0 : aucun jeune de plus" if spec.column == "reach_gain" else "0 : personne atteint"
    names = (zero, *labels)
    colours = spec.palette[:1] + spec.palette[len(spec.palette) - len(labels):]
    return MapClasses(spec.column, pd.Series(classes, index=table.index), colours, names,
                      names)


def _time(table: pd.DataFrame, spec: Indicator, threshold_min: float) -> MapClasses:
    values = pd.to_numeric(table[spec.column]).astype(float)
    bounds = [threshold_min / 3, 2 * threshold_min / 3, threshold_min, 1.5 * threshold_min]
    text = [format_number(b, decimals=0) for b in bounds]
    names = (f"moins de {text[0]} min", f"{text[0]} à {text[1]} min",
             f"{text[1]} à {text[2]} min (seuil)", f"{text[2]} à {text[3]} min",
             f"plus de {text[3]} min")
    classes = np.digitize(values.to_numpy(), bounds, right=True)
    classes = np.where(values.isna(), -1, classes)
    return MapClasses(spec.column, pd.Series(classes, index=table.index), spec.palette,
                      names, names)


def _plain(table: pd.DataFrame, spec: Indicator) -> MapClasses:
    values = pd.to_numeric(table[spec.column]).astype(float)
    classes, labels = _quantiles(values, _QUANTILES)
    colours = spec.palette[len(spec.palette) - len(labels):] if labels else ()
    return MapClasses(spec.column, pd.Series(classes, index=table.index), colours, labels,
                      labels)


def map_classes(table: pd.DataFrame, column: str, *,
                threshold_min: float = 30.0) -> MapClasses:
    """Return the classes and colours of an indicator of a zone table (see the module).

    Parameters
    ----------
    table
        One row per zone: the region's communes (classes are region-wide, so that an ML's
        communes keep the colours they have on the region's map), or the Missions Locales.
        The score needs ``gap_rank`` (or ``gap_score`` alone); masked values (NA) have no class,
        except the score's, read from the rank.
    column
        A key of :data:`INDICATORS`.
    threshold_min
        The access threshold (30 min by default, France Services), for travel-time classes.

    Returns
    -------
    classes
        Each zone's class, each class's colour, legend words and values.

    Examples
    --------
    >>> zones = pd.DataFrame({"gap_score": [60.0, 50.0, 40.0, 30.0, 20.0],
    ...                       "gap_rank": [1, 2, 3, 4, 5]})
    >>> found = map_classes(zones, "gap_score")
    >>> found.classes.tolist(), found.zone_colours()[0]
    ([4, 3, 2, 1, 0], '#810f7c')
    >>> map_classes(pd.DataFrame({"nearest_min": [5.0, 35.0]}), "nearest_min").classes.tolist()
    [0, 3]
    """
    if column not in INDICATORS:
        raise InputError(f"map_classes: column {column!r} has no map classes; expected one of "
                         f"{list(INDICATORS)}")
    spec = INDICATORS[column]
    if column == "gap_score":
        return _score(table, spec)
    if column == "nearest_min":
        return _time(table, spec, threshold_min)
    if column in ("contacts_per_1000", "reach_gain"):
        return _reach(table, spec)
    return _plain(table, spec)
