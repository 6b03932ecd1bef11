"""Fictional young people reached by outreach: one row each, no name, no identifier.

A young person met at an action lives near it more often than far from it, and where more
young people live: the residence commune is drawn with odds of youth × exp(−d / λ), among
the communes of the Mission Locale's catchment and, much less often, just beyond it. Each
young person reaches a furthest stage of the funnel: repéré, mobilisé, accompagné.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from scipy.spatial import cKDTree
from scipy.spatial.distance import cdist

from territory.demo._calendar import PROGRAMME_END, activity_profile, programme_days
from territory.demo._catchments import Catchments
from territory.demo._reference import Region

__all__ = ["CONTACT_RATE", "DECAY_M", "DECAY_M_BY_KIND", "FUNNEL", "build_contacts"]

# Share of the young people met at an action who are recorded as contacts, drawn per
# Mission Locale (illustrative: about half).
CONTACT_RATE = (0.35, 0.55)
# Residence odds fall by a factor e every DECAY_M_BY_KIND metres (straight line) from a
# face-to-face action, by kind of action (illustrative: a street round meets the
# neighbourhood, an event draws from further away); online actions reach the whole
# catchment, with a scale of 25 km from the head office; walk-ins live within 8 km of it.
DECAY_M_BY_KIND = {"maraude": 5_000.0, "bus": 7_000.0, "partenaire": 9_000.0,
                   "evenement": 12_000.0}
DECAY_M = 8_000.0
ONLINE_DECAY_M = 25_000.0
# Communes up to 10 km beyond the catchment, at 5 % of the odds of a commune inside it.
SPILL_M = 10_000.0
SPILL_ODDS = 0.05
# Funnel, drawn per Mission Locale (illustrative: no published regional figure; the Meuse
# example in docs/methodology.md, "IN Système", mobilised 228 of 280): share of repérés
# mobilised, then share of mobilisés accompanied towards ordinary support.
FUNNEL = ((0.60, 0.70), (0.50, 0.65))
# Young people met otherwise (a friend, a walk-in), with no action: about 3 %.
WITHOUT_ACTION = 0.03


def build_contacts(
    region: Region,
    catchments: Catchments,
    actions: gpd.GeoDataFrame,
    *,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Generate the young people reached, one row each, from the actions.

    Parameters
    ----------
    region
        The communes (youth population, centres).
    catchments
        The catchments (members and shares).
    actions
        The ``actions`` layer.
    rng
        The random generator.

    Returns
    -------
    pandas.DataFrame
        The ``contacts`` layer: a pseudonymous ``contact_id``, first ``date``, ``ml_code``,
        ``action_id`` (empty when met otherwise), residence ``code_insee`` and ``stage``.
    """
    layer = catchments.layer
    main = pd.Index(region.code).get_indexer(layer["main_commune"])
    tree = cKDTree(region.anchor)
    frames = []
    for i, code in enumerate(layer["ml_code"]):
        own = actions[actions["ml_code"] == code]
        candidates, odds = _candidates(region, catchments, i, tree)
        met = _met_at_actions(own, main=region.anchor[main[i]], rng=rng)
        walk_in = _met_otherwise(len(met), main=region.anchor[main[i]], rng=rng)
        people = pd.concat([met, walk_in], ignore_index=True)
        lived = _residences(region, people, candidates, odds, rng=rng)
        people["code_insee"] = region.code[lived]
        people["stage"] = _stages(len(people), rng=rng)
        frames.append(people.assign(ml_code=code))
    return _finish(pd.concat(frames, ignore_index=True), rng=rng)


def _candidates(
    region: Region, catchments: Catchments, ml: int, tree: cKDTree
) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    """Return the communes where the Mission Locale's young people may live, and their odds."""
    mine = catchments.member_ml == ml
    inside = catchments.member_commune[mine]
    near = tree.query_ball_point(region.anchor[inside], r=SPILL_M)
    around = np.setdiff1d(np.unique(np.concatenate([np.asarray(n, dtype=np.intp)
                                                    for n in near])), inside)
    communes = np.concatenate([inside, around]).astype(np.intp)
    factor = np.concatenate([catchments.member_share[mine], np.full(len(around), SPILL_ODDS)])
    return communes, region.youth[communes] * factor


def _met_at_actions(
    actions: gpd.GeoDataFrame, *, main: NDArray[np.float64], rng: np.random.Generator
) -> pd.DataFrame:
    """Return one row per young person recorded at an action, with where it took place."""
    rate = rng.uniform(*CONTACT_RATE)
    count = rng.binomial(actions["youth_met"].to_numpy(), rate)
    rows = np.repeat(np.arange(len(actions)), count)
    geometry = np.asarray(actions.geometry.values)[rows]
    online = shapely.is_missing(geometry)
    origin = _coordinates(geometry, main)
    delay = (rng.geometric(0.5, len(rows)) - 1).astype("timedelta64[D]")
    date = np.minimum(actions["date"].to_numpy()[rows] + delay,
                      PROGRAMME_END.astype("datetime64[ms]"))
    return pd.DataFrame({
        "date": date.astype("datetime64[ms]"),
        "action_id": actions["action_id"].to_numpy()[rows],
        "x": origin[:, 0],
        "y": origin[:, 1],
        "decay_m": np.where(online, ONLINE_DECAY_M,
                            actions["kind"].map(DECAY_M_BY_KIND).fillna(DECAY_M)
                            .to_numpy(dtype=float)[rows]),
    })


def _coordinates(
    geometry: NDArray[np.object_], fallback: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Return the points' coordinates, ``fallback`` where there is no point."""
    xy = np.tile(fallback, (len(geometry), 1)).astype(float)
    present = ~shapely.is_missing(geometry)
    xy[present] = shapely.get_coordinates(geometry[present])
    return xy


def _met_otherwise(
    met: int, *, main: NDArray[np.float64], rng: np.random.Generator
) -> pd.DataFrame:
    """Return the young people who came without an action, living near the head office."""
    n = int(rng.binomial(met, WITHOUT_ACTION))
    days = programme_days()
    profile = activity_profile(days, online=False)
    date = rng.choice(days, size=n, p=profile / profile.sum()).astype("datetime64[ms]")
    return pd.DataFrame({
        "date": date,
        "action_id": np.full(n, "", dtype=object),
        "x": np.full(n, main[0]),
        "y": np.full(n, main[1]),
        "decay_m": np.full(n, DECAY_M),
    })


def _residences(
    region: Region, people: pd.DataFrame, candidates: NDArray[np.intp],
    odds: NDArray[np.float64], *, rng: np.random.Generator,
) -> NDArray[np.intp]:
    """Draw each young person's commune with odds ∝ youth × exp(−distance / decay)."""
    origin = people[["x", "y"]].to_numpy()
    decay = people["decay_m"].to_numpy()
    chosen = np.empty(len(people), dtype=np.intp)
    for start in range(0, len(people), 2_000):
        part = slice(start, start + 2_000)
        weight = odds[None, :] * np.exp(-cdist(origin[part], region.anchor[candidates])
                                        / decay[part, None])
        cumulative = np.cumsum(weight, axis=1)
        draw = rng.random(len(cumulative)) * cumulative[:, -1]
        pick = (cumulative < draw[:, None]).sum(axis=1)
        chosen[part] = candidates[np.minimum(pick, len(candidates) - 1)]
    return chosen


def _stages(n: int, *, rng: np.random.Generator) -> NDArray[np.str_]:
    """Draw the furthest stage each young person reached (rates drawn per Mission Locale)."""
    mobilised = rng.uniform(*FUNNEL[0])
    accompanied = rng.uniform(*FUNNEL[1])
    first, second = rng.random(n), rng.random(n)
    stage = np.where(first < mobilised, "mobilise", "repere")
    return np.where((first < mobilised) & (second < accompanied), "accompagne", stage)


def _finish(people: pd.DataFrame, *, rng: np.random.Generator) -> pd.DataFrame:
    """Sort, give each young person a pseudonymous identifier, keep the contract's columns."""
    people = people.sort_values(["ml_code", "date", "action_id"], kind="stable",
                                ignore_index=True)
    numbers = rng.choice(2**32, size=len(people), replace=False)
    return pd.DataFrame({
        "contact_id": [f"J{int(v):08x}" for v in numbers],
        "date": people["date"].astype("datetime64[ms]"),
        "ml_code": people["ml_code"].astype(str),
        "action_id": people["action_id"].astype(str),
        "code_insee": people["code_insee"].astype(str),
        "stage": people["stage"].astype(str),
    })
