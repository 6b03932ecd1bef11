"""Fictional outreach ("aller-vers") actions over the programme's two years.

Each Mission Locale picks the places it goes to: town halls and centres of communes of its
catchment, more often the populous ones and those near the few zones it chose to focus on,
while one or two populous zones are left out, so that the maps show uncovered zones. Members
of the consortium run many more actions than the others. Dates follow the rhythm of the work
and the 2020 lockdowns.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from scipy.spatial.distance import cdist

from territory.demo._calendar import activity_profile, programme_days
from territory.demo._catchments import Catchments
from territory.demo._reference import CRS, Region

__all__ = ["ACTIONS_PER_MEMBER", "KIND_MIX", "build_actions"]

# Actions of a consortium member over the two years, for a catchment of average youth
# population (illustrative: about one and a half a week); a Mission Locale outside the
# consortium runs a small fraction of that.
ACTIONS_PER_MEMBER = 140.0
NON_MEMBER_FACTOR = 0.15
# Share of each kind of action in an ordinary week (illustrative), and the mean number of
# young people met at one (illustrative).
KIND_MIX = {"maraude": 0.32, "bus": 0.12, "evenement": 0.20, "partenaire": 0.26,
            "numerique": 0.10}
YOUTH_MET = {"maraude": 5.0, "bus": 6.0, "evenement": 14.0, "partenaire": 4.0,
             "numerique": 8.0}
# Street work and events happen around the town hall, within a few hundred metres; a bus
# parks on the town-hall square.
JITTER_M = 300.0
_JITTERED = ("maraude", "evenement", "partenaire")
# Focus zones draw outreach within about 10 km; a zone left out spans 6 km around its centre
# (all illustrative).
_FOCUS_M = 10_000.0
_BLIND_M = 6_000.0
_EVENTS = ("Forum de l'emploi", "Tournoi sportif", "Stand au marché", "Salon de l'orientation",
           "Fête locale", "Journée portes ouvertes")
_PARTNER_PLACES = ("centre social", "médiathèque", "club de prévention",
                   "foyer de jeunes travailleurs", "centre commercial", "club sportif")
_NETWORKS = ("Instagram", "Snapchat", "Facebook", "Discord", "TikTok")


def build_actions(
    region: Region,
    catchments: Catchments,
    *,
    rng: np.random.Generator,
    per_member: float = ACTIONS_PER_MEMBER,
) -> gpd.GeoDataFrame:
    """Generate the outreach actions of every Mission Locale.

    Parameters
    ----------
    region
        The communes and their town halls.
    catchments
        The catchments and which Missions Locales belong to the consortium.
    rng
        The random generator.
    per_member
        Expected actions of a consortium member of average youth population over the two
        years (illustrative; no published figure).

    Returns
    -------
    geopandas.GeoDataFrame
        The ``actions`` layer; online actions have no geometry and an empty ``code_insee``.
    """
    days = programme_days()
    profiles = np.vstack([activity_profile(days, online=kind == "numerique") for kind in KIND_MIX])
    layer = catchments.layer
    youth = layer["youth"].to_numpy(dtype=float)
    expected = per_member * np.sqrt(youth / youth.mean())
    expected = np.where(catchments.in_consortium, expected, expected * NON_MEMBER_FACTOR)
    main = pd.Index(region.code).get_indexer(layer["main_commune"])
    frames = []
    for i, code in enumerate(layer["ml_code"]):
        kinds, dates = _kinds_and_dates(profiles, days, int(rng.poisson(expected[i])), rng=rng)
        communes = catchments.member_commune[catchments.member_ml == i]
        places, odds = _outreach_places(region, communes, int(main[i]),
                                        member=bool(catchments.in_consortium[i]), rng=rng)
        where = np.where(kinds == "numerique", -1, rng.choice(places, size=len(kinds), p=odds))
        frames.append(_action_rows(region, str(code), kinds, dates, where, rng=rng))
    actions = pd.concat(frames, ignore_index=True)
    geometry = actions.pop("geometry").to_numpy()
    return gpd.GeoDataFrame(actions, geometry=geometry, crs=CRS)


def _kinds_and_dates(
    profiles: NDArray[np.float64], days: NDArray[np.datetime64], n: int,
    *, rng: np.random.Generator,
) -> tuple[NDArray[np.str_], NDArray[np.datetime64]]:
    """Draw each action's kind and day; each Mission Locale has its own mix of kinds."""
    mix = np.array(list(KIND_MIX.values())) * rng.gamma(6.0, 1 / 6.0, len(KIND_MIX))
    rates = (mix[:, None] * profiles).ravel()
    cells = rng.choice(rates.size, size=n, p=rates / rates.sum())
    kind, day = np.divmod(cells, len(days))
    order = np.lexsort((kind, day))
    kinds = np.array(list(KIND_MIX))[kind[order]]
    return kinds, days[day[order]].astype("datetime64[ms]")


def _outreach_places(
    region: Region, communes: NDArray[np.intp], main: int, *, member: bool,
    rng: np.random.Generator,
) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    """Choose where a Mission Locale goes, and how often (the odds of each place).

    The head office's commune is always one of the places. Populous communes draw more; so
    do those near one to three focus zones. One or two populous zones away from the head
    office are left out. Members go to more places.
    """
    youth = region.youth[communes]
    xy = region.anchor[communes]
    home = int(np.flatnonzero(communes == main)[0])
    focus = rng.choice(len(communes), size=min(len(communes), 1 + int(rng.poisson(1.0))),
                       replace=False, p=(youth + 1) / (youth + 1).sum())
    weight = (youth + 1) ** 0.6 * (1 + 4 * np.exp(-cdist(xy, xy[focus]).min(axis=1) / _FOCUS_M))
    weight = weight * _left_out(xy, youth, home, rng=rng)
    places = 3 + round(1.5 * np.sqrt(len(communes)))
    others = np.where(np.arange(len(communes)) == home, 0.0, weight)
    more = min(int(np.count_nonzero(others)), (places if member else -(-places // 2)) - 1)
    chosen = [home]
    if more > 0:
        chosen += rng.choice(len(communes), size=more, replace=False,
                             p=others / others.sum()).tolist()
    return communes[chosen], weight[chosen] / weight[chosen].sum()


def _left_out(
    xy: NDArray[np.float64], youth: NDArray[np.float64], home: int,
    *, rng: np.random.Generator,
) -> NDArray[np.float64]:
    """Return 0 for communes in the zones the Mission Locale never goes to, else 1.

    A zone left out is centred on one of the catchment's 15 most populous communes at least
    12 km from the head office; a catchment of 60 communes or more leaves out two.
    """
    keep = np.ones(len(youth))
    if len(youth) < 8:
        return keep
    ranked = np.argsort(-youth, kind="stable")[:15]
    away = ranked[np.hypot(*(xy[ranked] - xy[home]).T) >= 2 * _BLIND_M]
    if len(away) == 0:
        return keep
    blind = rng.choice(away, size=min(len(away), 1 + int(len(youth) >= 60)), replace=False)
    keep[cdist(xy, xy[blind]).min(axis=1) < _BLIND_M] = 0.0
    keep[home] = 1.0
    return keep


def _action_rows(
    region: Region, ml_code: str, kinds: NDArray[np.str_], dates: NDArray[np.datetime64],
    where: NDArray[np.intp], *, rng: np.random.Generator,
) -> pd.DataFrame:
    online = where < 0
    met = rng.poisson(np.array([YOUTH_MET[k] for k in kinds])).astype(np.int64)
    return pd.DataFrame({
        "action_id": [f"{ml_code}-A{j + 1:04d}" for j in range(len(kinds))],
        "ml_code": ml_code,
        "kind": kinds,
        "date": dates,
        "youth_met": met,
        "code_insee": np.where(online, "", region.code[where]),
        "commune": np.where(online, "", region.name[where]),
        "label": [_label(str(k), str(region.name[c]) if c >= 0 else "", rng=rng)
                  for k, c in zip(kinds, where, strict=True)],
        "geometry": _points(region, kinds, where, rng=rng),
    })


def _points(
    region: Region, kinds: NDArray[np.str_], where: NDArray[np.intp],
    *, rng: np.random.Generator,
) -> NDArray[np.object_]:
    """Place each action at its town hall, jittered for street work, kept inside the commune."""
    xy = region.anchor[np.maximum(where, 0)]
    radius = JITTER_M * np.sqrt(rng.random(len(kinds))) * np.isin(kinds, _JITTERED)
    angle = rng.uniform(0, 2 * np.pi, len(kinds))
    moved = np.round(xy + radius[:, None] * np.c_[np.cos(angle), np.sin(angle)], 2)
    inside = shapely.contains_xy(region.geometry[np.maximum(where, 0)], moved[:, 0], moved[:, 1])
    final = np.where(inside[:, None], moved, xy)
    points = shapely.points(final)
    points[where < 0] = None
    return np.asarray(points, dtype=object)


def _label(kind: str, town: str, *, rng: np.random.Generator) -> str:
    if kind == "maraude":
        return f"Maraude – {town}"
    if kind == "bus":
        return f"Bus – permanence mobile – {town}"
    if kind == "evenement":
        return f"{_EVENTS[int(rng.integers(len(_EVENTS)))]} – {town}"
    if kind == "partenaire":
        place = _PARTNER_PLACES[int(rng.integers(len(_PARTNER_PLACES)))]
        return f"Structure partenaire ({place}) – {town}"
    return f"Maraude numérique – {_NETWORKS[int(rng.integers(len(_NETWORKS)))]}"
