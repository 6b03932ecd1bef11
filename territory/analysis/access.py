"""Access: travel minutes from each commune to ML sites and outreach places.

A commune's origin is its town hall (``mairies`` layer), else a point inside its polygon.
Travel time is that of the chosen mode (:mod:`territory.analysis.travel`; public transport by
default): straight-line distance × detour factor ÷ the mode's speed, with the conventions of
:class:`~territory.analysis.params.Parameters`; a routed travel-time matrix can replace them
through :meth:`~territory.analysis.fca.TravelPairs.from_matrix`. Distances use KD-trees
(``scipy.spatial.cKDTree``) on Lambert-93 points, never a dense communes × places matrix.

Per commune: ``site_min`` (nearest ML site open in the period), ``action_min`` (nearest place
of a physical outreach action in the period), ``nearest_min`` (the smaller), ``covered``
(``nearest_min`` ≤ threshold, default 30 min, France Services standard) and ``e2sfca``
(sessions per month per 1,000 young people, see :mod:`territory.analysis.fca`).
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from territory.analysis._checks import PeriodLike, as_period, check_frame, check_layers
from territory.analysis.fca import TravelPairs, e2sfca
from territory.analysis.params import DEFAULTS, Parameters
from territory.analysis.period import sites_in_service
from territory.analysis.travel import Routed

__all__ = ["access", "commune_origins", "nearest_min", "no_car_shares", "open_sites",
           "outreach_places", "supply_points"]

ONLINE_KINDS = ("numerique",)
ORIGIN_MAIRIE = "mairie"
ORIGIN_INSIDE = "point intérieur de la commune"


def commune_origins(communes: gpd.GeoDataFrame,
                    mairies: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """Return each commune's origin point: its town hall, else a point inside its polygon.

    Examples
    --------
    >>> communes = gpd.GeoDataFrame({"code_insee": ["a"]},
    ...                             geometry=[shapely.box(0, 0, 1000, 1000)], crs=2154)
    >>> commune_origins(communes).geometry.iloc[0].wkt
    'POINT (500 500)'
    """
    check_frame(communes, "communes", ["code_insee"], spatial=True)
    points = np.full(len(communes), None, dtype=object)
    source = np.full(len(communes), ORIGIN_INSIDE, dtype=object)
    has = np.zeros(len(communes), dtype=bool)
    if mairies is not None and len(mairies):
        check_frame(mairies, "mairies", ["code_insee"], spatial=True)
        usable = mairies[~mairies.geometry.is_empty & mairies.geometry.notna()]
        by_code = usable.drop_duplicates("code_insee").set_index("code_insee").geometry
        found = communes["code_insee"].map(by_code)
        has = found.notna().to_numpy()
        points[has] = found[has].to_numpy()
        source[has] = ORIGIN_MAIRIE
    # A point inside the polygon only where there is no town hall (it costs a polygon's
    # worth of work per commune).
    points[~has] = shapely.point_on_surface(communes.geometry.to_numpy()[~has])
    return gpd.GeoDataFrame({"origin_source": source}, geometry=points,
                            index=communes.index, crs=communes.crs)


def no_car_shares(communes: pd.DataFrame) -> np.ndarray | None:
    """Return each commune's imported share of young people without a car (NaN: unknown).

    None when the communes hold no such column (``territory import mobility``).
    """
    if "no_car_share" not in communes:
        return None
    return pd.to_numeric(communes["no_car_share"], errors="coerce").to_numpy(dtype=float)


def open_sites(sites: gpd.GeoDataFrame, *, period: PeriodLike = None) -> gpd.GeoDataFrame:
    """Return the located sites in service on the period's last day (no period: not closed).

    The rule is :func:`territory.analysis.period.sites_in_service`, the same for every view.

    Examples
    --------
    >>> sites = gpd.GeoDataFrame({"opened": pd.to_datetime(["2018-01-01", "2018-01-01"]),
    ...                           "closed": pd.to_datetime([None, "2019-06-30"])},
    ...                          geometry=gpd.points_from_xy([0, 1], [0, 0]), crs=2154)
    >>> len(open_sites(sites)), len(open_sites(sites, period=("2019", "2019")))
    (1, 1)
    >>> len(open_sites(sites, period=("2018", "2018")))
    2
    """
    check_frame(sites, "sites", [], spatial=True)
    return sites[sites_in_service(sites, period) & _located(sites)]


def outreach_places(actions: gpd.GeoDataFrame, *,
                    period: PeriodLike = None) -> gpd.GeoDataFrame:
    """Return the physical outreach actions of ``period``: those with a place, not online.

    Examples
    --------
    >>> actions = gpd.GeoDataFrame({"kind": ["maraude", "numerique"],
    ...                             "date": pd.to_datetime(["2020-05-02", "2020-05-03"])},
    ...                            geometry=[shapely.Point(0, 0), None], crs=2154)
    >>> len(outreach_places(actions, period=("2020-05", "2020-05")))
    1
    """
    check_frame(actions, "actions", [], spatial=True)
    keep = _located(actions)
    if "kind" in actions:
        keep &= ~actions["kind"].isin(ONLINE_KINDS).to_numpy()
    if period and "date" in actions:
        keep &= as_period(period).contains(actions["date"])
    return actions[keep]


def _located(frame: gpd.GeoDataFrame) -> np.ndarray:
    geoms = frame.geometry.to_numpy()
    return ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))


def _xy(points: gpd.GeoSeries | gpd.GeoDataFrame) -> np.ndarray:
    return shapely.get_coordinates(points.geometry.to_numpy()).reshape(-1, 2)


def nearest_min(origins: gpd.GeoDataFrame, targets: gpd.GeoDataFrame, *,
                params: Parameters = DEFAULTS, routed: Routed | None = None,
                origin_codes: Sequence[str] | None = None,
                origin_no_car: np.ndarray | None = None,
                column: str = "minutes") -> pd.Series:
    """Return travel minutes from each origin to the nearest target (NaN without targets).

    Travel time in the mode of ``params`` (:meth:`~territory.analysis.Parameters.travel_min`:
    straight-line distance × detour ÷ the mode's speed; public transport by default).
    ``column`` ``minutes_high``: with timetables, the target reached soonest by nine
    departures in ten (the smallest of the targets' high percentiles), an upper bound of
    the high percentile of the nearest target's minutes.

    Examples
    --------
    >>> origins = gpd.GeoDataFrame(geometry=gpd.points_from_xy([0], [0]), crs=2154)
    >>> targets = gpd.GeoDataFrame(geometry=gpd.points_from_xy([5000, 20000], [0, 0]),
    ...                            crs=2154)
    >>> nearest_min(origins, targets, params=Parameters(mode="car")).round(2).tolist()
    [7.8]
    >>> nearest_min(origins, targets).round(2).tolist()  # public transport, the default
    [29.5]
    """
    if len(targets) == 0:
        return pd.Series(np.nan, index=origins.index, dtype="float64")
    xy = _xy(targets)
    distance_m, _ = cKDTree(xy).query(_xy(origins), k=1)
    # Travel time grows with distance whatever the share without a car: nearest is nearest.
    minutes = params.travel_min(distance_m, no_car=origin_no_car)
    if routed is not None and origin_codes is not None:
        minutes = _routed_nearest(routed, origin_codes, xy, minutes, params=params,
                                  origins_xy=_xy(origins), no_car=origin_no_car,
                                  column=column)
    return pd.Series(minutes, index=origins.index, dtype="float64")


def _routed_nearest(routed: Routed, origin_codes: Sequence[str], targets_xy: np.ndarray,
                    straight: np.ndarray, *, params: Parameters,
                    origins_xy: np.ndarray, no_car: np.ndarray | None,
                    column: str = "minutes") -> np.ndarray:
    """Return the nearest target's routed minutes; the estimate for targets never routed.

    An origin with no routed target within the stored cutoff is at least that far: its
    straight-line estimate, raised to the cutoff.
    """
    covered = routed.covers(targets_xy, params.mode, params.window)
    found = routed.pairs(origin_codes, targets_xy[covered], mode=params.mode,
                         no_car_share=params.shares(no_car),
                         window=params.window, column=column)
    best = np.full(len(origins_xy), np.inf)
    np.minimum.at(best, found["row"].to_numpy(dtype=np.intp), found["minutes"].to_numpy())
    if (~covered).any():
        distance_m, _ = cKDTree(targets_xy[~covered]).query(origins_xy, k=1)
        best = np.minimum(best, params.travel_min(distance_m, no_car=no_car))
    return np.where(np.isfinite(best), best, np.maximum(straight, routed.cutoff_min))


def _nearest_high(origins: gpd.GeoDataFrame, targets: Sequence[gpd.GeoDataFrame], *,
                  params: Parameters, routed: Routed | None,
                  origin_codes: Sequence[str]) -> pd.Series:
    """``nearest_min``'s high percentile with timetables (NaN in every other mode)."""
    if routed is None or not params.timetabled or params.mode != "transit":
        return pd.Series(np.nan, index=origins.index, dtype="float64")
    points = gpd.GeoDataFrame(geometry=np.concatenate([t.geometry.to_numpy() for t in targets]),
                              crs=origins.crs)
    return nearest_min(origins, points, params=params, routed=routed,
                       origin_codes=origin_codes, column="minutes_high")


def supply_points(sites: gpd.GeoDataFrame, places: gpd.GeoDataFrame, *, period: PeriodLike,
                  params: Parameters = DEFAULTS) -> tuple[np.ndarray, np.ndarray]:
    """Return the E2SFCA supply: points (x, y) and sessions per month of each.

    The open ``sites`` with their ``sessions_per_month``, then, when
    ``params.actions_as_sessions``, the outreach ``places`` of the period, each one session
    spread over the period's months.
    """
    xy = [_xy(sites)]
    sessions = [pd.to_numeric(sites.get("sessions_per_month", pd.Series(0.0, sites.index)))
                .fillna(0.0).to_numpy(dtype=np.float64)]
    if params.actions_as_sessions and len(places):
        months = as_period(period).months(places["date"]) if "date" in places else 1.0
        xy.append(_xy(places))
        sessions.append(np.full(len(places), 1.0 / months))
    return np.concatenate(xy), np.concatenate(sessions)


def access(
    communes: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    *,
    actions: gpd.GeoDataFrame | None = None,
    mairies: gpd.GeoDataFrame | None = None,
    period: PeriodLike = None,
    params: Parameters = DEFAULTS,
    routed: Routed | None = None,
) -> pd.DataFrame:
    """Return the access indicators of each commune.

    Parameters
    ----------
    communes
        Communes with ``code_insee`` and ``youth``, in EPSG:2154.
    sites
        ML sites (points, ``sessions_per_month``, ``opened``, ``closed``); those open in the
        period count (:func:`open_sites`).
    actions
        Outreach actions; the physical ones of the period are outreach places
        (:func:`outreach_places`), each counted as one session when
        ``params.actions_as_sessions``.
    mairies
        Town halls (``code_insee``, point), the communes' origins.
    period
        ``(start, end)``, both included; None for the whole record.
    params
        Threshold (default 30 min, France Services standard), travel mode (public
        transport by default), detour factor and speed, E2SFCA decay (Luo & Qi 2009).
    routed
        Routed minutes (``territory network build``): they replace the straight-line
        estimate for the places that were routed.

    Returns
    -------
    access
        ``origin_source``, ``site_min``, ``action_min``, ``nearest_min``,
        ``nearest_min_high`` (with timetables, the smallest of the places' 90th
        percentiles: for any place, one departure in ten takes that long or longer; NaN in
        other modes), ``covered`` and ``e2sfca`` (sessions per month per 1,000 young
        people), on the communes' index.

    Examples
    --------
    >>> communes = gpd.GeoDataFrame({"code_insee": ["a"], "youth": [100]},
    ...                             geometry=[shapely.box(0, 0, 1000, 1000)], crs=2154)
    >>> sites = gpd.GeoDataFrame({"sessions_per_month": [4.0]},
    ...                          geometry=gpd.points_from_xy([500], [10500]), crs=2154)
    >>> car = Parameters(mode="car")
    >>> access(communes, sites, params=car)[["site_min", "covered", "e2sfca"]].round(1)
       site_min  covered  e2sfca
    0      15.6     True    40.0
    """
    check_layers({"communes": communes, "sites": sites},
                 {"communes": (True, ("code_insee", "youth")), "sites": (True, ())})
    origins = commune_origins(communes, mairies)
    on = open_sites(sites, period=period)
    places = (outreach_places(actions, period=period) if actions is not None
              else sites.iloc[:0])
    codes = communes["code_insee"].astype(str).to_numpy()
    no_car = no_car_shares(communes)
    site_min = nearest_min(origins, on, params=params, routed=routed, origin_codes=codes,
                           origin_no_car=no_car)
    action_min = nearest_min(origins, places, params=params, routed=routed, origin_codes=codes,
                             origin_no_car=no_car)
    near = pd.Series(np.fmin(site_min.to_numpy(), action_min.to_numpy()), index=communes.index)
    near_high = _nearest_high(origins, [on, places], params=params, routed=routed,
                              origin_codes=codes)
    supply_xy, sessions = supply_points(on, places, period=period, params=params)
    pairs = TravelPairs.from_points(_xy(origins), supply_xy, max_min=params.threshold_min,
                                    params=params, routed=routed, origin_codes=codes,
                                    origin_no_car=no_car)
    youth = pd.to_numeric(communes["youth"]).astype("float64").fillna(0.0)
    score = e2sfca(youth, pd.Series(sessions), pairs, threshold_min=params.threshold_min,
                   decay=params.decay)
    return pd.DataFrame({
        "origin_source": origins["origin_source"],
        "site_min": site_min, "action_min": action_min, "nearest_min": near,
        "nearest_min_high": near_high,
        "covered": (near <= params.threshold_min).to_numpy(dtype=bool),
        "e2sfca": score,
    }, index=communes.index)
