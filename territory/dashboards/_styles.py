"""How an indicator colours the map: classes, palettes, hover texts and the legend.

Classes are region-wide quantiles of the current filters (territory.analysis.score_classes),
so that an ML's communes keep the colours they have on the region's map; travel times use
fixed classes around the access threshold, so that "beyond the threshold" always reads the
same.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from territory.analysis import score_classes
from territory.dashboards._geo import legend_items
from territory.viz import labels
from territory.viz.labels import format_number, html_text

__all__ = ["INDICATORS", "Indicator", "MapStyle", "map_style", "marker_legend",
           "selection_rank"]


@dataclass(frozen=True)
class Indicator:
    """An indicator the map can show: its column, French label, unit and palette."""

    column: str
    label: str
    short: str
    decimals: int
    palette: tuple[str, ...]


# ColorBrewer sequential palettes, 5 classes (Brewer & Harrower, colorbrewer2.org): dark means
# "needs attention" for the score, travel time and the invisible, "well reached" for contacts.
INDICATORS: dict[str, Indicator] = {
    "gap_score": Indicator("gap_score", "Indice de zone invisible (0–100)", "indice", 1,
                           ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")),
    "contacts_per_1000": Indicator(
        "contacts_per_1000", "Jeunes atteints pour 1 000 jeunes", "atteints pour 1 000", 1,
        ("#f0f9e8", "#bae4bc", "#7bccc4", "#43a2ca", "#0868ac")),
    "nearest_min": Indicator("nearest_min", "Temps d’accès au lieu le plus proche (min)",
                             "temps d’accès", 0,
                             ("#f1eef6", "#d7b5d8", "#df65b0", "#dd1c77", "#980043")),
    "invisible_est": Indicator("invisible_est", "Jeunes invisibles estimés", "invisibles estimés",
                               0, ("#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f")),
}
NO_VALUE_COLOUR = "#dcdcdc"


@dataclass(frozen=True)
class MapStyle:
    """What the map needs to colour its zones: palette, class, value and rank of each."""

    palette: list[str]
    classes: list[int]
    values: list[float | None]
    ranks: list[int]
    legend: str
    label: str
    decimals: int

    def map_params(self) -> dict[str, Any]:
        """Return the :class:`~territory.dashboards.CoverageMap` params of this style."""
        return {"palette": self.palette, "classes": self.classes, "values": self.values,
                "ranks": self.ranks, "rank_total": int(sum(1 for r in self.ranks if r)),
                "value_label": self.label, "value_decimals": self.decimals}


def _time_classes(values: pd.Series, threshold_min: float) -> tuple[np.ndarray, list[str]]:
    bounds = [threshold_min / 3, 2 * threshold_min / 3, threshold_min, 1.5 * threshold_min]
    text = [format_number(b, decimals=0) for b in bounds]
    names = [f"moins de {text[0]} min", f"{text[0]} à {text[1]} min",
             f"{text[1]} à {text[2]} min (seuil)", f"{text[2]} à {text[3]} min",
             f"plus de {text[3]} min"]
    classes = np.digitize(values.to_numpy(dtype=float), bounds, right=True)
    return np.where(values.isna(), -1, classes), names


def selection_rank(table: pd.DataFrame, weights: np.ndarray) -> pd.Series:
    """Return the rank of each selected commune by score (1 = least reached; 0 outside)."""
    chosen = weights > 0
    score = table["gap_score"].to_numpy(dtype=float)
    invisible = np.nan_to_num(table["invisible_est"].to_numpy(dtype=float))
    order = np.lexsort((-invisible, -np.nan_to_num(score, nan=-1.0)))
    order = order[chosen[order]]
    rank = np.zeros(len(table), dtype=np.int64)
    rank[order] = np.arange(1, len(order) + 1)
    return pd.Series(rank, index=table.index)


def map_style(table: pd.DataFrame, weights: np.ndarray, indicator: str, *,
              threshold_min: float, territory: str) -> MapStyle:
    """Return the palette, classes, hover texts and legend of ``indicator``.

    Parameters
    ----------
    table
        Commune indicators of the region, in the communes layer's order.
    weights
        Each commune's share of the selection (0 outside): ranks are within the selection.
    indicator
        A key of :data:`INDICATORS`.
    threshold_min
        The access threshold (classes of travel time).
    territory
        The selection's name, for the legend.
    """
    spec = INDICATORS[indicator]
    values = pd.to_numeric(table[spec.column]).astype(float)
    if indicator == "nearest_min":
        classes, names = _time_classes(values, threshold_min)
    else:
        found = score_classes(table, spec.column, k=5, scheme="Quantiles")
        classes, names = found.classes.to_numpy(), list(found.labels)
    palette = list(spec.palette[-len(names):]) if names else []
    rounded = values.round(spec.decimals)
    shown: list[float | None] = [None if pd.isna(v) else float(v) for v in rounded.to_numpy()]
    rank = selection_rank(table, weights).to_numpy()
    rows = [*zip(palette, names, strict=True), (NO_VALUE_COLOUR, "pas de valeur")]
    legend = (f"<h4>{html_text(spec.label)}</h4>{legend_items(rows)}"
              f'<div class="tm-note">{html_text(territory)} en couleur ; rang 1 = commune la '
              "moins atteinte</div>")
    return MapStyle(palette, [int(c) for c in classes], shown, rank.tolist(), legend,
                    html_text(spec.short), spec.decimals)


def marker_legend(*, candidates: bool, proposals: bool) -> str:
    """Return the legend rows of the sites, actions and candidate sites."""
    def dots(names: dict[str, str], colours: dict[str, str]) -> str:
        return " ".join(f'<span class="tm-key"><i class="tm-dot" style="background:'
                        f'{colours[k]}"></i>{html_text(v)}</span>'
                        for k, v in names.items() if k != "numerique")

    rows = [f'<div class="tm-note"><b>Sites</b> : '
            f"{dots(labels.SITE_KIND_LABELS, labels.SITE_KIND_COLOURS)}</div>",
            f'<div class="tm-note"><b>Lieux d’aller-vers</b> (en zoomant) : '
            f"{dots(labels.ACTION_KIND_LABELS, labels.ACTION_KIND_COLOURS)}</div>"]
    if candidates:
        rows.append('<div class="tm-note"><i class="tm-dot" style="background:#00838f"></i>'
                    'lieu ajouté <i class="tm-ring"></i> communes gagnées</div>')
    if proposals:
        rows.append('<div class="tm-note"><i class="tm-dot" style="background:#fff;'
                    'border:2px solid #5b2c83"></i>lieu proposé</div>')
    return "".join(rows)
