"""Demand: young people, estimated NEETs and estimated "invisible" NEETs per commune.

For a commune with ``youth`` young people (16–25 band as documented in ``youth_source``),
a NEET rate ``r`` and an invisible share ``s`` (NEETs in contact with no public employment
service), and ``reached`` distinct young people the Missions Locales contacted there::

    neet_est      = youth × r
    invisible_est = max(0, neet_est × s − reached)

Defaults: r = 12.9 % and s = 37 % (Dares Analyses 2020-006, 16–25 year olds, 2018), both
overridable (:class:`~territory.analysis.params.Parameters`), r also per zone. Each estimate
carries its source in a ``*_source`` column.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from territory.analysis._checks import check_frame
from territory.analysis.params import DEFAULTS, Parameters

__all__ = ["demand", "neet_rates"]

_NEET_DEFAULT = "Dares Analyses n° 2020-006 (2018) : {rate} des 16–25 ans"
_NEET_LOCAL = "taux local fourni par l'utilisateur ({key})"
_INVISIBLE = ("NEET estimés × {share} sans contact avec le service public de l'emploi "
              "(Dares Analyses n° 2020-006, 2018), moins les jeunes déjà atteints")


def _pct(value: float) -> str:
    return f"{value * 100:.1f} %".replace(".", ",")


def neet_rates(communes: pd.DataFrame, *, params: Parameters = DEFAULTS) -> pd.DataFrame:
    """Return each commune's NEET rate and its source.

    A rate in ``params.neet_rate_by_zone`` keyed by the commune's ``code_insee`` wins over one
    keyed by its ``epci_code``, which wins over its ``dep_code``; otherwise the national
    default applies (12.9 %, Dares Analyses 2020-006, 16–25 year olds, 2018).

    Parameters
    ----------
    communes
        The communes layer (``code_insee``; ``epci_code`` and ``dep_code`` when present).
    params
        The parameters; ``neet_rate`` and ``neet_rate_by_zone`` are used.

    Returns
    -------
    rates
        ``neet_rate`` and ``neet_source``, on the communes' index.

    Examples
    --------
    >>> communes = pd.DataFrame({"code_insee": ["33063", "40192"], "dep_code": ["33", "40"]})
    >>> neet_rates(communes, params=Parameters(neet_rate_by_zone={"40": 0.15}))["neet_rate"]
    0    0.129
    1    0.150
    Name: neet_rate, dtype: float64
    """
    check_frame(communes, "communes", ["code_insee"], spatial=False)
    rate = pd.Series(params.neet_rate, index=communes.index, dtype="float64")
    source = pd.Series(_NEET_DEFAULT.format(rate=_pct(params.neet_rate)),
                       index=communes.index, dtype="object")
    overrides = pd.Series(dict(params.neet_rate_by_zone), dtype="float64")
    for key in ("dep_code", "epci_code", "code_insee"):
        if key not in communes.columns or overrides.empty:
            continue
        local = communes[key].map(overrides)
        found = local.notna().to_numpy()
        rate[found] = local[found].astype("float64")
        source[found] = _NEET_LOCAL.format(key=key)
    return pd.DataFrame({"neet_rate": rate, "neet_source": source})


def demand(
    communes: pd.DataFrame,
    *,
    reached: pd.Series | None = None,
    params: Parameters = DEFAULTS,
) -> pd.DataFrame:
    """Return youth, estimated NEETs and estimated invisible NEETs per commune.

    Parameters
    ----------
    communes
        The communes layer: ``code_insee``, ``youth`` and ``youth_source`` (the census band
        used); ``epci_code`` and ``dep_code`` for local NEET rates.
    reached
        Distinct young people already contacted, per commune, on the communes' index
        (missing means 0). See :func:`territory.analysis.contacts.reached`.
    params
        NEET rate (default 12.9 %, Dares Analyses 2020-006, 16–25, 2018), local rates,
        invisible share (default 37 %, same source).

    Returns
    -------
    demand
        ``youth``, ``youth_source``, ``neet_rate``, ``neet_est``, ``neet_source``,
        ``invisible_est`` and ``invisible_source``, on the communes' index.

    Examples
    --------
    >>> communes = pd.DataFrame({"code_insee": ["33063"], "youth": [1000],
    ...                          "youth_source": ["INSEE RP"]})
    >>> demand(communes, reached=pd.Series([20]))[["neet_est", "invisible_est"]]
       neet_est  invisible_est
    0     129.0          27.73
    """
    check_frame(communes, "communes", ["code_insee", "youth"], spatial=False)
    youth = pd.to_numeric(communes["youth"]).astype("float64").fillna(0.0)
    rates = neet_rates(communes, params=params)
    neet = youth * rates["neet_rate"]
    got = (reached.reindex(communes.index) if reached is not None
           else pd.Series(0.0, index=communes.index))
    invisible = np.maximum(0.0, neet * params.invisible_share - got.fillna(0).astype(float))
    youth_source = (communes["youth_source"].astype("object") if "youth_source" in communes
                    else pd.Series("non précisée", index=communes.index, dtype="object"))
    return pd.DataFrame({
        "youth": youth,
        "youth_source": youth_source,
        "neet_rate": rates["neet_rate"],
        "neet_est": neet,
        "neet_source": rates["neet_source"],
        "invisible_est": invisible,
        "invisible_source": _INVISIBLE.format(share=_pct(params.invisible_share)),
    }, index=communes.index)
