"""How an indicator colours the map: classes, palettes, hover texts and the legend.

Classes and palettes are those of every view (territory.viz.classes.map_classes): computed on
the region's table of the current filters, so that an ML's communes keep the colours they
have on the region's map and in the director's report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from territory.analysis import Parameters
from territory.dashboards._geo import legend_items
from territory.dashboards.map_component import Column, column
from territory.viz import labels
from territory.viz.classes import INDICATORS, NO_VALUE_COLOUR, Indicator, map_classes
from territory.viz.labels import html_text

__all__ = ["INDICATORS", "Indicator", "MapStyle", "map_style", "marker_legend",
           "ranked_positions", "selection_rank"]


@dataclass(frozen=True)
class MapStyle:
    """What the map needs to colour its zones: palette, class, value and rank of each.

    ``legend`` is HTML (its texts escaped), ``label`` text (the map writes it as text). The
    classes and values (NaN: none) are columns of one entry per zone; ``ranks`` the positions
    of the selection's zones, rank 1 first.
    """

    palette: list[str]
    classes: Column
    values: Column
    ranks: Column
    legend: str
    label: str
    decimals: int

    def map_params(self) -> dict[str, Any]:
        """Return the :class:`~territory.dashboards.CoverageMap` params of this style."""
        return {"palette": self.palette, "classes": self.classes, "values": self.values,
                "ranks": self.ranks, "rank_total": len(self.ranks),
                "value_label": self.label, "value_decimals": self.decimals}


def ranked_positions(table: pd.DataFrame, weights: np.ndarray) -> np.ndarray:
    """Return the positions of the selected communes by score, rank 1 (least reached) first.

    Examples
    --------
    >>> table = pd.DataFrame({"gap_score": [50.0, 80.0, 90.0], "invisible_est": [1, 2, 3]})
    >>> ranked_positions(table, np.array([1.0, 1.0, 0.0])).tolist()
    [1, 0]
    """
    chosen = weights > 0
    score = table["gap_score"].to_numpy(dtype=float)
    invisible = np.nan_to_num(table["invisible_est"].to_numpy(dtype=float))
    order = np.lexsort((-invisible, -np.nan_to_num(score, nan=-1.0)))
    return order[chosen[order]]


def selection_rank(table: pd.DataFrame, weights: np.ndarray) -> pd.Series:
    """Return the rank of each selected commune by score (1 = least reached; 0 outside)."""
    order = ranked_positions(table, weights)
    rank = np.zeros(len(table), dtype=np.int64)
    rank[order] = np.arange(1, len(order) + 1)
    return pd.Series(rank, index=table.index)


def map_style(table: pd.DataFrame, weights: np.ndarray, indicator: str, *,
              params: Parameters, territory: str) -> MapStyle:
    """Return the palette, classes, hover texts and legend of ``indicator``.

    Parameters
    ----------
    table
        Commune indicators of the region, in the communes layer's order.
    weights
        Each commune's share of the selection (0 outside): ranks are within the selection.
    indicator
        A key of :data:`INDICATORS`.
    params
        The access threshold (classes of travel time) and the travel mode (the legend says
        it).
    territory
        The selection's name, for the legend.
    """
    spec = INDICATORS[indicator]
    values = pd.to_numeric(table[spec.column]).to_numpy(dtype=float, na_value=np.nan)
    found = map_classes(table, spec.column, threshold_min=params.threshold_min)
    classes, palette = found.classes.to_numpy(), list(found.colours)
    rows = [*found.legend(ranges=True), (NO_VALUE_COLOUR, "pas de valeur")]
    title = (f"{spec.label} {params.travel_mode.words}" if spec.column == "nearest_min"
             else spec.label)
    legend = (f"<h4>{html_text(title)}</h4>{legend_items(rows)}"
              f'<div class="tm-note">{html_text(territory)} en couleur ; rang 1 = commune la '
              "moins atteinte</div>")
    return MapStyle(palette, column(classes, "int16"),
                    column(np.round(values, spec.decimals), "float64"),
                    column(ranked_positions(table, weights), "int32"), legend, spec.short,
                    spec.decimals)


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
