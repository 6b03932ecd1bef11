"""The figures of a plan: covered young people and invisible young people, region and zones.

For every demand figure (``youth``, ``invisible_est``): the total, the part within the
threshold of an open site (required, competitor or chosen) and that share, for the region
and for each reporting zone of the model (per Mission Locale through ``catchment_members``
shares, per département), plus the number of sites. :func:`plan_figures` recomputes them
from scratch; :class:`~territory.planning.Plan` keeps them up to date incrementally.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray

from territory._errors import InputError
from territory.planning.model import CoverageModel

__all__ = ["Figures", "plan_figures", "positions_of"]

FloatArray = NDArray[np.float64]
# The facilities column that places a site in each kind of reporting zone.
ZONE_SITE_COLUMN: Mapping[str, str] = {"ml": "group", "departement": "dep_code"}


@dataclass(frozen=True)
class Figures:
    """Covered figures of a plan.

    Attributes
    ----------
    region
        ``sites`` (open ML sites: required and chosen), ``new_sites``, then for each figure
        ``f``: ``f`` (total), ``f_covered`` and ``f_share`` (covered ÷ total).
    zones
        Per reporting zone (e.g. ``"ml"``, ``"departement"``): one row per zone with the same
        figure columns.
    """

    region: pd.Series
    zones: Mapping[str, pd.DataFrame]


def positions_of(model: CoverageModel, sites: Iterable[Hashable]) -> NDArray[np.intp]:
    """Row positions of site labels in the model's facilities; unknown labels raise.

    Examples
    --------
    >>> model = CoverageModel.from_cost_matrix([[10, 40]], [1.0])
    >>> positions_of(model, [1]).tolist()
    [1]
    """
    labels = list(sites)
    found = model.facilities.index.get_indexer(pd.Index(labels)) if labels else np.empty(0)
    unknown = [label for label, pos in zip(labels, found, strict=True) if pos < 0]
    if unknown:
        raise InputError(f"site(s) {unknown} are not among the model's sites (e.g. "
                         f"{list(model.facilities.index[:3])})")
    return np.asarray(found, dtype=np.intp)


def zone_matrix(model: CoverageModel, name: str) -> sp.csr_array:
    """Demand points × zones, each link weighted by the crosswalk's share."""
    walk = model.zones[name]
    return sp.csr_array((walk.weight, (walk.row, walk.zone)),
                        shape=(model.n_demand, len(walk.zones)))


def table(totals: FloatArray, covered: FloatArray, columns: list[str],
          index: pd.Index | None = None, *,
          first: dict[str, FloatArray] | None = None) -> pd.DataFrame:
    """Figure columns ``f``, ``f_covered`` and ``f_share`` from totals and covered sums.

    ``first`` holds columns to put before them (e.g. site counts).
    """
    data: dict[str, FloatArray] = dict(first or {})
    for k, name in enumerate(columns):
        total, done = totals[..., k], covered[..., k]
        data[name] = total
        data[f"{name}_covered"] = done
        data[f"{name}_share"] = np.divide(done, total, out=np.full_like(done, np.nan),
                                          where=total > 0)
    return pd.DataFrame({k: np.atleast_1d(v) for k, v in data.items()}, index=index)


def plan_figures(model: CoverageModel, chosen: Iterable[Hashable] = (), *,
                 closed: Iterable[Hashable] = ()) -> Figures:
    """Return the figures of the plan that opens ``chosen`` besides the always-open sites.

    ``closed`` lists required sites the plan closes.

    Examples
    --------
    >>> model = CoverageModel.from_cost_matrix([[10, 40], [35, 5]], [100, 50])
    >>> plan_figures(model, [0]).region["weight_covered"]
    np.float64(100.0)
    """
    positions = positions_of(model, chosen)
    shut = positions_of(model, closed)
    open_ = model.always_open.copy()
    open_[shut] = False
    open_[positions] = True
    covered = np.asarray(model.reach @ open_.astype(np.float64) > 0)
    values = model.demand.to_numpy(dtype=np.float64)
    columns = [str(c) for c in model.demand.columns]
    done = values * covered[:, None]
    region = table(values.sum(axis=0), done.sum(axis=0), columns).iloc[0]
    ml_open = (model.role == "required") & open_
    ml_open[positions] = True
    ml_sites = int(ml_open.sum())
    region = pd.concat([pd.Series({"sites": float(ml_sites),
                                   "new_sites": float(len(set(positions.tolist())))}),
                        region])
    new = np.zeros(model.n_facilities, dtype=bool)
    new[positions] = True
    zones = {}
    for name, walk in model.zones.items():
        links = zone_matrix(model, name).T
        counts = site_counts(site_zones(model, name), len(walk.zones), ml_open, new)
        zones[name] = table(links @ values, links @ done, columns, walk.zones, first=counts)
    return Figures(region, zones)


def site_zones(model: CoverageModel, name: str) -> NDArray[np.intp]:
    """Zone position of each site for the zone kind ``name`` (-1: unknown).

    Kept with the model (``model.site_zones``); a model with sites added
    (:meth:`CoverageModel.with_sites`) looks up its new sites only.
    """
    known = model.site_zones.get(name)
    if known is not None and len(known) == model.n_facilities:
        return known
    column = ZONE_SITE_COLUMN.get(name)
    if column is None or column not in model.facilities:
        found = np.full(model.n_facilities, -1, dtype=np.intp)
    else:
        start = 0 if known is None else len(known)
        values = pd.Index(model.facilities[column].iloc[start:].astype("object"))
        more = np.asarray(model.zones[name].zones.get_indexer(values), dtype=np.intp)
        found = more if known is None else np.concatenate([known, more])
    model.site_zones[name] = found
    return found


def site_counts(where: NDArray[np.intp], n_zones: int, ml_open: NDArray[np.bool_],
                new: NDArray[np.bool_]) -> dict[str, FloatArray]:
    """Open ML sites and new sites per zone, from each site's zone position."""
    ok = where >= 0
    return {"sites": np.bincount(where[ok & ml_open], minlength=n_zones).astype(float),
            "new_sites": np.bincount(where[ok & new], minlength=n_zones).astype(float)}
