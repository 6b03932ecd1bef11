"""What can colour the standalone map's communes, and what their tooltips say.

Each colouring (the invisible-zone score, young people reached per 1,000, access time, youth
density) gives every commune a class and the figure its tooltip shows, with the classes and
palettes of every other view (:func:`territory.viz.classes.map_classes`) and the words of the
dashboards (:mod:`territory.viz.explain`). The communes are drawn once: switching colouring
only restyles them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from territory.analysis import gap_reasons
from territory.viz import labels
from territory.viz.classes import INDICATORS, NO_VALUE_COLOUR, map_classes
from territory.viz.explain import UNKNOWN, commune_facts, masked, value_text

__all__ = ["MAP_INDICATORS", "Colouring", "Notes", "colourings", "commune_notes"]

# What the map can colour its communes by, the first shown on opening.
MAP_INDICATORS = ("gap_score", "contacts_per_1000", "nearest_min")
DENSITY = "density"
_NO_VALUE = "masqué (secret statistique) ou sans valeur"


@dataclass(frozen=True)
class Colouring:
    """One way to colour the communes: its name, legend, and each commune's class and figure."""

    key: str
    label: str
    short: str
    colours: tuple[str, ...]
    legend: tuple[tuple[str, str], ...]
    classes: list[int]
    values: list[str]
    ranked: bool


@dataclass(frozen=True)
class Notes:
    """Each commune's rank (None where it is not published), figures and reasons."""

    ranks: list[int | None]
    facts: list[str]
    reasons: list[str]
    total: int


def _youth_per_km2(communes: gpd.GeoDataFrame) -> np.ndarray:
    if "area_km2" in communes.columns:
        area_km2 = pd.to_numeric(communes["area_km2"], errors="coerce").to_numpy(dtype=float)
    else:
        area_km2 = communes.geometry.area.to_numpy() / 1e6
    youth = pd.to_numeric(communes["youth"], errors="coerce").to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return youth / area_km2


def _density(communes: gpd.GeoDataFrame) -> Colouring:
    density = _youth_per_km2(communes)
    title = labels.YOUTH_DENSITY_LABEL[0].upper() + labels.YOUTH_DENSITY_LABEL[1:]
    values = [UNKNOWN if not np.isfinite(d) else labels.format_number(d, decimals=1)
              for d in density]
    legend = tuple(zip(labels.YOUTH_DENSITY_COLOURS, labels.density_class_labels(),
                       strict=True))
    return Colouring(DENSITY, title, "jeunes par km²", tuple(labels.YOUTH_DENSITY_COLOURS),
                     legend, labels.youth_density_class(density).tolist(), values, False)


def _aligned(table: pd.DataFrame, codes: pd.Series) -> pd.DataFrame:
    return table.set_index(table["zone_id"].astype(str)).reindex(codes.astype(str))


def _indicator(table: pd.DataFrame, rows: list[dict], codes: pd.Series, column: str, *,
               threshold_min: float) -> Colouring:
    spec = INDICATORS[column]
    found = map_classes(table, column, threshold_min=threshold_min)
    by_code = pd.Series(found.classes.to_numpy(), index=table["zone_id"].astype(str))
    classes = by_code.reindex(codes.astype(str)).fillna(-1).astype(int).tolist()
    legend = found.legend(ranges=False)
    if -1 in classes:
        legend.append((NO_VALUE_COLOUR, _NO_VALUE))
    return Colouring(column, spec.label, spec.short, found.colours, tuple(legend), classes,
                     [value_text(row, column) for row in rows], True)


def colourings(communes: gpd.GeoDataFrame, table: pd.DataFrame | None, *,
               threshold_min: float) -> list[Colouring]:
    """Return the map's colourings: the indicators of ``table`` if given, then youth density."""
    if table is None:
        return [_density(communes)]
    codes = communes["code_insee"]
    rows = _aligned(table, codes).to_dict("records")
    return [*(_indicator(table, rows, codes, column, threshold_min=threshold_min)
              for column in MAP_INDICATORS), _density(communes)]


def _published_rank(row: dict) -> int | None:
    """Return the rank of a commune whose score is published (None otherwise).

    The rank of a commune whose score is masked, beside the published scores of the communes
    ranked just above and below it, would bound its score, hence its count.
    """
    rank, score = row.get("gap_rank"), row.get("gap_score")
    if masked(row, "gap_score") or rank is None or pd.isna(rank) or pd.isna(score):
        return None
    return int(rank)


def commune_notes(communes: gpd.GeoDataFrame, table: pd.DataFrame) -> Notes:
    """Return each commune's published rank, figures and reasons, as its tooltip says them."""
    reasons = (table["reasons"] if "reasons" in table else gap_reasons(table)).fillna("")
    rows = _aligned(table.assign(reasons=reasons), communes["code_insee"]).to_dict("records")
    return Notes(ranks=[_published_rank(row) for row in rows],
                 facts=[commune_facts(row) if isinstance(row.get("zone_name"), str) else ""
                        for row in rows],
                 reasons=[str(row.get("reasons") or "") for row in rows],
                 total=len(table))


def rank_total(notes: Notes | None) -> int:
    """Return the number of communes ranks are out of (0 without indicators)."""
    return 0 if notes is None else notes.total


def columns(items: Sequence[Colouring], attribute: str) -> list[list]:
    """Return, per commune, the list of one attribute over the colourings (``classes`` …)."""
    return [list(values) for values in zip(*(getattr(c, attribute) for c in items),
                                           strict=True)]
