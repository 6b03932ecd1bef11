"""The headline figures of a territory: one function for every view that shows them.

The director's view, the report, the command line and the maps print the same few figures
for the region, a département or one Mission Locale: young people, NEET and invisible
estimates, young people reached and their funnel, the share within the threshold, sites and
outreach actions. :func:`headline` computes them from the commune indicator table, with the
period rule of :mod:`territory.analysis.period` and the one-ML shares of
:func:`~territory.analysis.zones.ml_shares`.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd

from territory.analysis.access import open_sites
from territory.analysis.period import PeriodLike, in_period
from territory.analysis.points import locate
from territory.analysis.suppression import suppress
from territory.analysis.zones import ml_shares, rates

__all__ = ["HEADLINE_SUMS", "headline", "headline_row", "public_headline", "selection_weights"]

# Figures that add up over communes (weighted by each commune's share of the selection).
HEADLINE_SUMS = ("youth", "neet_est", "invisible_est", "reached", "repere", "mobilise",
                 "accompagne", "covered_youth")


def selection_weights(communes: pd.DataFrame, members: pd.DataFrame | None, *,
                      ml_code: str | None = None, dep_code: str | None = None) -> pd.Series:
    """Return each commune's weight in a selection: its share of the ML, 1 or 0.

    No ML and no département select the whole area (weight 1 everywhere).

    Examples
    --------
    >>> communes = pd.DataFrame({"code_insee": ["a", "b"], "dep_code": ["23", "87"]})
    >>> members = pd.DataFrame({"ml_code": ["M1", "M1"], "code_insee": ["a", "b"],
    ...                         "share": [1.0, 0.5]})
    >>> selection_weights(communes, members, ml_code="M1", dep_code="87").tolist()
    [0.0, 0.5]
    """
    weights = pd.Series(1.0, index=communes.index, name="share")
    if ml_code:
        if members is None:
            members = pd.DataFrame(columns=["ml_code", "code_insee"])
        weights = ml_shares(communes, members, ml_code)
    if dep_code:
        weights = weights * (communes["dep_code"].astype(str) == dep_code).astype(float)
    return weights


def headline(table: pd.DataFrame, layers: Mapping[str, pd.DataFrame], *,
             ml_code: str | None = None, dep_code: str | None = None,
             period: PeriodLike = None) -> dict[str, float]:
    """Return the headline figures of a selection of ``table``'s communes.

    Parameters
    ----------
    table
        The commune indicator table (:func:`~territory.analysis.indicators.indicators` at
        commune level, raw: small counts are masked afterwards, by the view that publishes).
    layers
        The workspace layers: ``communes``, and when present ``catchment_members``,
        ``sites`` and ``actions``.
    ml_code, dep_code
        One Mission Locale (its communes weighted by their share), one département, or
        neither for the whole area.
    period
        The period of the table; sites in service on its last day and actions dated in it
        are counted (:mod:`territory.analysis.period`).

    Returns
    -------
    dict
        The sums of :data:`HEADLINE_SUMS`, ``covered_share`` (NaN without young people),
        ``communes`` (with a weight above 0), ``sites`` and ``actions``.
    """
    communes = layers["communes"]
    weights = selection_weights(communes, layers.get("catchment_members"), ml_code=ml_code,
                                dep_code=dep_code).to_numpy(dtype=float)
    figures = {col: float(np.nansum(table[col].to_numpy(dtype=float) * weights))
               for col in HEADLINE_SUMS if col in table}
    youth = figures.get("youth", 0.0)
    figures["covered_share"] = (figures.get("covered_youth", 0.0) / youth if youth > 0
                                else float("nan"))
    figures["communes"] = float((weights > 0).sum())
    sites, actions = layers.get("sites"), layers.get("actions")
    if sites is not None:
        sites = open_sites(sites, period=period)
    if actions is not None:
        actions = in_period(actions, period)
    figures["sites"] = float(_selected(sites, communes, ml_code, dep_code).sum())
    figures["actions"] = float(_selected(actions, communes, ml_code, dep_code).sum())
    return figures


def public_headline(figures: Mapping[str, float], *, threshold: int = 11,
                    name: str = "") -> pd.DataFrame:
    """Return headline figures as one public row: rates recomputed, small counts masked.

    Every view that publishes a territory's totals (the director's cards and funnel, the
    report's key figures) shows this row: a count of young people from 1 to
    ``threshold − 1`` is masked, and so is every figure computed from it — the invisible
    estimate (NEET × share − reached would give it back), the rate per 1,000 young people,
    the funnel's rates and the funnel's bar lengths.

    Parameters
    ----------
    figures
        Sums of :data:`HEADLINE_SUMS` (:func:`headline`, or a table's column sums).
    threshold
        The suppression threshold (11: counts of 10 or fewer, digiNEET).
    name
        The territory's name (``zone_name``).

    Examples
    --------
    >>> row = public_headline({"youth": 900.0, "neet_est": 116.1, "invisible_est": 38.0,
    ...                        "reached": 5.0, "repere": 5.0, "mobilise": 3.0,
    ...                        "accompagne": 1.0, "covered_youth": 450.0})
    >>> row[["reached_secret", "invisible_est_secret", "covered_share"]]
      reached_secret invisible_est_secret  covered_share
    0           < 11                    s            0.5
    """
    return suppress(headline_row(figures, name=name), threshold=threshold, groups=[])


def headline_row(figures: Mapping[str, float], *, name: str = "") -> pd.DataFrame:
    """Return headline figures as one unmasked row: the sums and their rates."""
    sums = {col: [float(figures[col])] for col in HEADLINE_SUMS if col in figures}
    row = pd.DataFrame({"zone_id": [""], "zone_name": [name], **sums})
    return pd.concat([row, rates(row)], axis=1)


def _selected(frame: pd.DataFrame | None, communes: pd.DataFrame, ml_code: str | None,
              dep_code: str | None) -> np.ndarray:
    """Mask of the rows of one ML (their ``ml_code``) in one département (their commune)."""
    if frame is None:
        return np.zeros(0, dtype=bool)
    keep = np.ones(len(frame), dtype=bool)
    if ml_code:
        keep &= (frame["ml_code"].astype(str) == ml_code).to_numpy()
    if dep_code:
        deps = communes.set_index("code_insee")["dep_code"].astype(str)
        keep &= (_commune_of(frame, communes).map(deps) == dep_code).to_numpy(
            dtype=bool, na_value=False)
    return keep


def _commune_of(frame: pd.DataFrame, communes: pd.DataFrame) -> pd.Series:
    """Return the commune of each row: its ``code_insee``, else the one its point lies in."""
    code = (frame["code_insee"] if "code_insee" in frame
            else pd.Series(pd.NA, index=frame.index, dtype=object))
    if isinstance(frame, gpd.GeoDataFrame) and isinstance(communes, gpd.GeoDataFrame):
        missing = code.isna() & ~frame.geometry.isna()
        if missing.any():
            code = code.astype(object)
            code[missing] = locate(frame[missing], communes)
    return code
