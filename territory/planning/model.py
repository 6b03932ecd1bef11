"""The coverage model: demand points, sites, and the travel times between them.

A :class:`CoverageModel` holds what every planning question shares: figures per demand point
(young people, estimated invisible young people), the sites with their role, Mission Locale
and optional capacity, and the sparse travel minutes between them — only the pairs within
``cutoff_min``, found with a KD-tree, never a dense demand × sites matrix. Travel time follows
the analysis convention (straight-line distance × detour factor ÷ speed,
:meth:`territory.analysis.params.Parameters.travel_min`), or comes from a cost matrix the user
supplies.

Site roles are those of ArcGIS Location-Allocation: ``required`` (an existing site, always
open), ``candidate`` (may be chosen), ``competitor`` (another service already reaching young
people: the demand around it counts as reached, a new site gains nothing there), and
``chosen`` in results.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import InitVar, dataclass, field
from functools import cached_property
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree

from territory._errors import InputError, Problem
from territory.analysis import (
    Crosswalk,
    Parameters,
    TravelPairs,
    by_code,
    by_members,
    commune_origins,
)
from territory.analysis.params import DEFAULTS
from territory.analysis.travel import Routed
from territory.planning._state import csr
from territory.planning._validate import crs_problems, figure_problems, role_problems

__all__ = ["CANDIDATE", "CHOSEN", "COMPETITOR", "REQUIRED", "ROLES", "ROLE_LABELS",
           "CoverageModel"]

CANDIDATE, REQUIRED, COMPETITOR = "candidate", "required", "competitor"
CHOSEN = "chosen"
ROLES: tuple[str, ...] = (CANDIDATE, REQUIRED, COMPETITOR)
ROLE_LABELS: Mapping[str, str] = {CANDIDATE: "candidat", REQUIRED: "obligatoire",
                                  COMPETITOR: "concurrent", CHOSEN: "choisi"}
FIGURES: tuple[str, ...] = ("youth", "invisible_est")
# Travel times up to twice the threshold are kept for the distance objective; beyond that a
# young person's trip counts as the cutoff (a capped p-median). Convention, overridable.
CUTOFF_FACTOR = 2.0

IntArray = NDArray[np.intp]
FloatArray = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class CoverageModel:
    """Demand points, sites and the travel minutes between them (sparse).

    Build it with :meth:`from_geodataframe` or :meth:`from_cost_matrix`; it is read-only.

    Attributes
    ----------
    demand
        Figures per demand point (e.g. ``youth``, ``invisible_est``), on the demand's index.
    facilities
        ``role``, ``group`` (Mission Locale, or missing) and ``capacity`` (missing: none) of
        each site, plus any descriptive columns, on the sites' index.
    pairs
        Travel minutes of the demand × site pairs within ``cutoff_min`` (positions).
    threshold_min
        A demand point is covered by a site within this many minutes.
    cutoff_min
        Longest trip kept; the distance objective counts longer trips as this.
    zones
        Crosswalks from demand points to reporting zones (e.g. ``"ml"``, ``"departement"``).
    demand_xy
        Lambert-93 origin of each demand point, when built from points
        (:meth:`from_geodataframe`): :meth:`with_sites` then measures new places.
    params
        Travel mode, detour factor and speed of the travel times (:meth:`with_sites` uses
        them).
    routed, demand_codes
        Routed minutes (``territory network build``) and the demand points' codes INSEE:
        :meth:`with_sites` takes a new place's routed minutes when it was routed.
    demand_no_car
        Each demand point's share of young people without a car, for the ``mix`` mode (NaN:
        the default share).
    """

    demand: pd.DataFrame
    facilities: pd.DataFrame
    pairs: TravelPairs
    threshold_min: float
    cutoff_min: float
    zones: Mapping[str, Crosswalk] = field(default_factory=dict)
    demand_xy: FloatArray | None = None
    params: Parameters = DEFAULTS
    routed: Routed | None = None
    demand_codes: NDArray[np.str_] | None = None
    demand_no_car: FloatArray | None = None
    reach: sp.csr_array = field(init=False, repr=False)
    reach_t: sp.csr_array = field(init=False, repr=False)
    role: NDArray[np.str_] = field(init=False, repr=False)
    group: IntArray = field(init=False, repr=False)
    groups: pd.Index = field(init=False, repr=False)
    capacity: FloatArray = field(init=False, repr=False)
    site_zones: dict[str, IntArray] = field(init=False, repr=False)
    # The model this one adds sites to (:meth:`with_sites`): what is known of its sites is
    # kept, and only the new sites' columns are computed.
    extends: InitVar[CoverageModel | None] = None

    def __post_init__(self, extends: CoverageModel | None) -> None:
        setter = object.__setattr__
        setter(self, "site_zones", {})  # zone kind → zone position of each site (figures)
        if extends is not None and self._extend(extends):
            return
        inside = self.pairs.within(self.threshold_min)
        shape = (inside.n_origins, inside.n_targets)
        ones = np.ones(len(inside.origin))
        group, groups = pd.factorize(self.facilities["group"], sort=True)
        setter(self, "reach", csr(inside.origin, inside.target, ones, shape))
        setter(self, "reach_t", csr(inside.target, inside.origin, ones, shape[::-1]))
        setter(self, "role", self.facilities["role"].to_numpy(dtype=str))
        setter(self, "group", group.astype(np.intp))
        setter(self, "groups", pd.Index(groups, name="group"))
        setter(self, "capacity", pd.to_numeric(self.facilities["capacity"])
               .to_numpy(dtype=np.float64))

    def _extend(self, old: CoverageModel) -> bool:
        """Set the derived arrays from ``old``'s and the new sites' only; False if it cannot.

        The sites after ``old``'s are new, as are the pairs after ``old``'s: the reach
        matrices gain their columns (rows of the transpose) without sorting the old pairs
        again (France: 296,000 pairs within 30 min, sorted in 70 ms at each place added
        otherwise).
        """
        n_old, k = old.n_facilities, len(old.pairs.origin)
        added = self.facilities.iloc[n_old:]
        new_group = added["group"]
        known = new_group.isna() | new_group.isin(old.groups)
        if not bool(known.all()) or len(self.pairs.origin) < k:
            return False  # a new Mission Locale: its code sorts among the others
        new = TravelPairs(self.pairs.origin[k:], self.pairs.target[k:] - n_old,
                          self.pairs.minutes[k:], self.n_demand, len(added))
        inside = new.within(self.threshold_min)
        ones = np.ones(len(inside.origin))
        shape = (self.n_demand, len(added))
        setter = object.__setattr__
        setter(self, "reach", sp.hstack(
            [old.reach, csr(inside.origin, inside.target, ones, shape)], format="csr"))
        setter(self, "reach_t", sp.vstack(
            [old.reach_t, csr(inside.target, inside.origin, ones, shape[::-1])], format="csr"))
        setter(self, "role", np.concatenate([old.role, added["role"].to_numpy(dtype=str)]))
        codes = old.groups.get_indexer(pd.Index(new_group.astype("object")))
        setter(self, "group", np.concatenate([old.group, codes]).astype(np.intp))
        setter(self, "groups", old.groups)
        setter(self, "capacity", np.concatenate(
            [old.capacity, pd.to_numeric(added["capacity"]).to_numpy(dtype=np.float64)]))
        self.site_zones.update(old.site_zones)  # the new sites' zones are looked up on use
        return True

    def __repr__(self) -> str:
        roles = self.facilities["role"].value_counts().to_dict()
        return (f"CoverageModel({self.n_demand} demand points, {self.n_facilities} sites "
                f"{roles}, {self.reach.nnz} pairs within {self.threshold_min:g} min)")

    @property
    def n_demand(self) -> int:
        """Number of demand points."""
        return len(self.demand)

    @property
    def n_facilities(self) -> int:
        """Number of sites of every role."""
        return len(self.facilities)

    @property
    def always_open(self) -> NDArray[np.bool_]:
        """Required and competitor sites: open in every plan."""
        return self.role != CANDIDATE

    @cached_property
    def minutes(self) -> sp.csr_array:
        """Travel minutes within ``cutoff_min``, demand points × sites."""
        p = self.pairs
        return csr(p.origin, p.target, p.minutes, (p.n_origins, p.n_targets))

    @cached_property
    def minutes_t(self) -> sp.csr_array:
        """Travel minutes within ``cutoff_min``, sites × demand points."""
        p = self.pairs
        return csr(p.target, p.origin, p.minutes, (p.n_targets, p.n_origins))

    @cached_property
    def demand_tree(self) -> cKDTree:
        """KD-tree of the demand points' origins (:meth:`with_sites` measures new places)."""
        return cKDTree(self.demand_xy if self.demand_xy is not None else np.empty((0, 2)))

    @property
    def has_capacity(self) -> bool:
        """Whether some site has a capacity."""
        return bool(np.isfinite(self.capacity).any())

    # -- construction ----------------------------------------------------------------------
    @classmethod
    def from_pairs(cls, pairs: TravelPairs, demand: pd.DataFrame | pd.Series | ArrayLike, *,
                   facilities: pd.DataFrame | None = None, threshold_min: float = 30.0,
                   cutoff_min: float | None = None,
                   zones: Mapping[str, Crosswalk] | None = None,
                   demand_xy: FloatArray | None = None,
                   params: Parameters = DEFAULTS, routed: Routed | None = None,
                   demand_codes: NDArray[np.str_] | None = None,
                   demand_no_car: FloatArray | None = None) -> CoverageModel:
        """Build the model from sparse travel pairs (:class:`~territory.analysis.TravelPairs`).

        Examples
        --------
        >>> pairs = TravelPairs.from_points(np.array([[0.0, 0.0]]), np.array([[0.0, 0.0]]),
        ...                                 max_min=30)
        >>> CoverageModel.from_pairs(pairs, [5.0]).reach.nnz
        1
        """
        frame = _demand_frame(demand, pairs.n_origins)
        sites = _facility_frame(facilities, pairs.n_targets)
        cutoff = float(cutoff_min if cutoff_min is not None else pairs.minutes.max(initial=0.0))
        problems = figure_problems(frame) + role_problems(sites)
        if not threshold_min > 0:
            problems.append(Problem(f"`threshold_min` is {threshold_min!r}; expected a "
                                    "positive number of minutes", file="parameters"))
        if problems:
            raise InputError(problems)
        cutoff = max(cutoff, float(threshold_min))
        return cls(frame, sites, pairs.within(cutoff), float(threshold_min), cutoff,
                   dict(zones or {}), demand_xy, params, routed, demand_codes, demand_no_car)

    def with_sites(self, sites: pd.DataFrame, *, role: str = CANDIDATE) -> CoverageModel:
        """Return a new model with more sites: points in Lambert-93 (``x``, ``y`` columns).

        The travel minutes of the new sites follow the model's convention (its ``params``);
        the existing sites and pairs are kept as they are, so a plan of the new model
        covers what a plan of the old one covers. The model itself is not changed.

        Parameters
        ----------
        sites
            ``x``, ``y`` and optionally ``name``, ``group``, ``code_insee`` …, indexed by
            labels that are not already the model's.
        role
            Role of every new site (default ``candidate``).

        Returns
        -------
        model
            The model with the new sites after the old ones.

        Examples
        --------
        >>> demand = gpd.GeoDataFrame({"youth": [100, 40]}, crs=2154,
        ...                           geometry=gpd.points_from_xy([0, 30_000], [0, 0]))
        >>> sites = gpd.GeoDataFrame(geometry=gpd.points_from_xy([5_000], [0]), crs=2154)
        >>> model = CoverageModel.from_geodataframe(demand, sites)
        >>> more = model.with_sites(pd.DataFrame({"x": [29_000.0], "y": [0.0]}, index=["C1"]))
        >>> more.reach.toarray().tolist()
        [[1.0, 0.0], [0.0, 1.0]]
        """
        if self.demand_xy is None:
            raise InputError("the model has no demand points (built from a cost matrix); "
                             "build it with CoverageModel.from_geodataframe to add places")
        clash = sites.index[self.facilities.index.get_indexer(sites.index) >= 0]
        if len(clash) or sites.index.has_duplicates:
            raise InputError(f"site labels {list(clash[:5]) or 'repeated'} are already taken; "
                             "expected new, unique labels")
        xy = sites[["x", "y"]].to_numpy(dtype=np.float64)
        new = TravelPairs.from_points(self.demand_xy, xy, max_min=self.cutoff_min,
                                      params=self.params, routed=self.routed,
                                      origin_codes=self.demand_codes,
                                      origin_no_car=self.demand_no_car,
                                      origin_tree=self.demand_tree)
        added = _facility_frame(sites.assign(role=role), len(sites))
        problems = role_problems(added)  # the model's own sites were checked when it was built
        if problems:
            raise InputError(problems)
        old = self.pairs
        pairs = TravelPairs(np.concatenate([old.origin, new.origin]),
                            np.concatenate([old.target, new.target + old.n_targets]),
                            np.concatenate([old.minutes, new.minutes]),
                            old.n_origins, old.n_targets + new.n_targets)
        facilities = pd.concat([self.facilities, _like(added, self.facilities)])
        return CoverageModel(self.demand, facilities, pairs, self.threshold_min,
                             self.cutoff_min, self.zones, self.demand_xy, self.params,
                             self.routed, self.demand_codes, self.demand_no_car, self)

    @classmethod
    def from_cost_matrix(cls, cost_matrix: ArrayLike | sp.sparray | pd.DataFrame,
                         demand: pd.DataFrame | pd.Series | ArrayLike, *,
                         facilities: pd.DataFrame | None = None, threshold_min: float = 30.0,
                         cutoff_min: float | None = None,
                         zones: Mapping[str, Crosswalk] | None = None) -> CoverageModel:
        """Build the model from a demand × sites matrix of travel minutes.

        Parameters
        ----------
        cost_matrix
            Minutes from each demand point (rows) to each site (columns): a dense array, a
            DataFrame (its index and columns then label demand and sites), or a scipy sparse
            matrix whose absent entries mean "out of reach".
        demand
            Figures per demand point (DataFrame), or one weight per point.
        facilities
            ``role``, ``group`` and ``capacity`` per site (all optional); default: every
            site a candidate.
        threshold_min, cutoff_min, zones
            As in :class:`CoverageModel`; ``cutoff_min`` defaults to keeping every pair.

        Returns
        -------
        model
            The coverage model.

        Examples
        --------
        >>> model = CoverageModel.from_cost_matrix([[10, 40], [35, 5]], [100, 50])
        >>> model.reach.toarray().astype(int).tolist()
        [[1, 0], [0, 1]]
        """
        pairs, demand_index, site_index = _pairs_from_matrix(cost_matrix, cutoff_min)
        frame = _demand_frame(demand, pairs.n_origins)
        if demand_index is not None and not isinstance(demand, pd.DataFrame | pd.Series):
            frame.index = demand_index
        sites = facilities
        if sites is None and site_index is not None:
            sites = pd.DataFrame(index=site_index)
        return cls.from_pairs(pairs, frame, facilities=sites, threshold_min=threshold_min,
                              cutoff_min=cutoff_min, zones=zones)

    @classmethod
    def from_geodataframe(cls, demand: gpd.GeoDataFrame, facilities: gpd.GeoDataFrame, *,
                          figures: tuple[str, ...] = FIGURES,
                          mairies: gpd.GeoDataFrame | None = None,
                          members: pd.DataFrame | None = None,
                          threshold_min: float | None = None,
                          cutoff_min: float | None = None,
                          params: Parameters = DEFAULTS,
                          routed: Routed | None = None) -> CoverageModel:
        """Build the model from communes (or demand points) and sites in Lambert-93.

        Parameters
        ----------
        demand
            Demand points, or commune polygons whose origin is their town hall (``mairies``)
            else a point inside them (:func:`territory.analysis.commune_origins`). The
            ``figures`` columns present are kept (missing values count as 0).
        facilities
            Site points with optional ``role`` (:data:`ROLES`, default ``candidate``),
            ``group`` or ``ml_code`` (the Mission Locale, for budgets) and ``capacity``.
        figures
            Demand columns to keep (default ``youth`` and ``invisible_est``).
        mairies
            Town halls (``code_insee``, point), the communes' origins.
        members
            ``catchment_members`` (``ml_code``, ``code_insee``, ``share``): adds the zone
            ``"ml"``. A ``dep_code`` column in ``demand`` adds the zone ``"departement"``.
        threshold_min
            Coverage threshold; default ``params.threshold_min`` (30 min, France Services).
        cutoff_min
            Longest trip kept; default twice the threshold.
        params
            Travel mode, detour factor and speed of the travel-time estimate
            (:class:`~territory.analysis.params.Parameters`; public transport by default).
        routed
            Routed minutes (``territory network build``), used for the sites that were
            routed when ``demand`` has ``code_insee``.

        Returns
        -------
        model
            The coverage model, on the inputs' indexes.

        Examples
        --------
        >>> demand = gpd.GeoDataFrame({"youth": [100, 40]}, crs=2154,
        ...                           geometry=gpd.points_from_xy([0, 30_000], [0, 0]))
        >>> sites = gpd.GeoDataFrame(geometry=gpd.points_from_xy([5_000], [0]), crs=2154)
        >>> CoverageModel.from_geodataframe(demand, sites).reach.toarray().ravel().tolist()
        [1.0, 0.0]
        """
        problems = crs_problems({"demand": demand, "facilities": facilities})
        if problems:
            raise InputError(problems)
        threshold = float(threshold_min if threshold_min is not None else params.threshold_min)
        cutoff = float(cutoff_min if cutoff_min is not None else CUTOFF_FACTOR * threshold)
        origins = _origin_xy(demand, mairies)
        codes = (demand["code_insee"].astype(str).to_numpy() if "code_insee" in demand
                 else None)
        no_car = (pd.to_numeric(demand["no_car_share"], errors="coerce").to_numpy(dtype=float)
                  if "no_car_share" in demand else None)
        pairs = TravelPairs.from_points(origins, _point_xy(facilities), max_min=cutoff,
                                        params=params, routed=routed, origin_codes=codes,
                                        origin_no_car=no_car)
        kept = [c for c in figures if c in demand.columns]
        frame = pd.DataFrame({c: pd.to_numeric(demand[c]).astype("float64").fillna(0.0)
                              for c in kept}, index=demand.index)
        zones = _zones(demand, members)
        return cls.from_pairs(pairs, frame, facilities=_site_attributes(facilities),
                              threshold_min=threshold, cutoff_min=cutoff, zones=zones,
                              demand_xy=origins, params=params,
                              routed=routed if codes is not None else None,
                              demand_codes=codes, demand_no_car=no_car)


def _demand_frame(demand: Any, n: int) -> pd.DataFrame:
    if isinstance(demand, pd.DataFrame):
        frame = demand.copy()
    elif isinstance(demand, pd.Series):
        frame = demand.to_frame(demand.name if demand.name is not None else "weight")
    else:
        frame = pd.DataFrame({"weight": np.asarray(demand, dtype=np.float64).reshape(-1)})
    if len(frame) != n:
        raise InputError(f"demand has {len(frame)} rows but the travel times have {n} "
                         "origins; expected one demand row per origin (matrix row)")
    return frame


def _like(added: pd.DataFrame, facilities: pd.DataFrame) -> pd.DataFrame:
    """Return ``added`` with the string dtype of ``facilities``' text columns, where it is text.

    Concatenating an object column to a string one converts the whole column (France: 40,000
    sites, several milliseconds per column, for each place added). Only columns of text (or
    missing values) are converted: a number stays a number.
    """
    def text(values: pd.Series | pd.Index) -> bool:
        return values.dtype == object and all(isinstance(v, str) for v in values.dropna())

    for column in added.columns.intersection(facilities.columns):
        if pd.api.types.is_string_dtype(facilities[column].dtype) and text(added[column]):
            added[column] = added[column].astype(facilities[column].dtype)
    if pd.api.types.is_string_dtype(facilities.index.dtype) and text(added.index):
        added.index = added.index.astype(facilities.index.dtype)
    return added


def _facility_frame(facilities: pd.DataFrame | None, n: int) -> pd.DataFrame:
    sites = (pd.DataFrame(index=pd.RangeIndex(n)) if facilities is None
             else pd.DataFrame(facilities.drop(columns="geometry", errors="ignore")))
    if len(sites) != n:
        raise InputError(f"facilities has {len(sites)} rows but the travel times have {n} "
                         "targets; expected one row per site (matrix column)")
    sites["role"] = (sites["role"].astype("object").fillna(CANDIDATE) if "role" in sites
                     else CANDIDATE)
    if "group" not in sites:
        sites["group"] = sites.get("ml_code")
    sites["capacity"] = (pd.to_numeric(sites["capacity"]).astype("float64")
                         if "capacity" in sites else np.nan)
    return sites


def _pairs_from_matrix(matrix: Any, cutoff_min: float | None,
                       ) -> tuple[TravelPairs, pd.Index | None, pd.Index | None]:
    demand_index = site_index = None
    if isinstance(matrix, pd.DataFrame):
        demand_index, site_index = matrix.index, matrix.columns
        matrix = matrix.to_numpy(dtype=np.float64)
    if sp.issparse(matrix):
        coo = sp.coo_array(matrix)
        i, j, t = coo.row, coo.col, coo.data.astype(np.float64)
        n_i, n_j = coo.shape
    else:
        dense = np.asarray(matrix, dtype=np.float64)
        if dense.ndim != 2:
            raise InputError(f"cost matrix has shape {dense.shape}; expected 2 dimensions "
                             "(demand points × sites)")
        limit = np.inf if cutoff_min is None else cutoff_min
        i, j = np.nonzero(np.isfinite(dense) & (dense <= limit))
        t = dense[i, j]
        n_i, n_j = dense.shape
    if (t < 0).any() or np.isnan(t).any():
        raise InputError("cost matrix has negative or missing travel times; expected "
                         "minutes ≥ 0 (leave a pair out, or use inf, when out of reach)")
    pairs = TravelPairs(i.astype(np.intp), j.astype(np.intp), t, int(n_i), int(n_j))
    return pairs, demand_index, site_index


def _point_xy(frame: gpd.GeoDataFrame) -> FloatArray:
    geoms = frame.geometry.to_numpy()
    bad = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if bad.any():
        raise InputError([Problem("site without a point", file="facilities", row=int(i),
                                  column="geometry") for i in np.flatnonzero(bad)[:10]])
    if (shapely.get_type_id(geoms) == shapely.GeometryType.POINT).all():
        return np.asarray(shapely.get_coordinates(geoms), dtype=np.float64)
    return np.asarray(shapely.get_coordinates(shapely.centroid(geoms)), dtype=np.float64)


def _origin_xy(demand: gpd.GeoDataFrame, mairies: gpd.GeoDataFrame | None) -> FloatArray:
    if (demand.geom_type == "Point").all() or "code_insee" not in demand:
        return np.asarray(shapely.get_coordinates(shapely.point_on_surface(
            demand.geometry.to_numpy())), dtype=np.float64)
    origins = commune_origins(demand, mairies)
    return np.asarray(shapely.get_coordinates(origins.geometry.to_numpy()), dtype=np.float64)


def _site_attributes(facilities: gpd.GeoDataFrame) -> pd.DataFrame:
    frame = pd.DataFrame(facilities.drop(columns=facilities.geometry.name))
    xy = _point_xy(facilities)
    frame["x"], frame["y"] = xy[:, 0], xy[:, 1]
    return frame


def _zones(demand: pd.DataFrame, members: pd.DataFrame | None) -> dict[str, Crosswalk]:
    zones: dict[str, Crosswalk] = {}
    if members is not None and "code_insee" in demand:
        zones["ml"] = by_members(demand, members)
    if "dep_code" in demand:
        zones["departement"] = by_code(demand, "dep_code", label="département")
    return zones
