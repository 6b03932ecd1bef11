"""Fictional Mission Locale sites, all at real town halls.

Each Mission Locale has its head office (siège) in its most populous commune, a few antennas
in the next largest communes, part-time permanences in the town halls of smaller communes
spread over the catchment, and a partner's premises or two.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.spatial.distance import cdist

from territory.demo._calendar import random_dates
from territory.demo._catchments import Catchments
from territory.demo._names import FICTIVE, of
from territory.demo._reference import CRS, Region

__all__ = ["ANTENNA_SHARE", "SITES_TOTAL", "build_sites", "site_counts"]

# Sénat report r16-575 (2015 figures): Aquitaine 23 Missions Locales / 402 sites (73 antennas,
# 306 permanences), Limousin 6 / 142 (11, 125), Poitou-Charentes 14 / 266 (25, 227): 810 sites
# for 43 Missions Locales (about 19 each), of which 43 head offices, 109 antennas and 658
# part-time permanences.
SITES_TOTAL = 810
ANTENNA_SHARE = 109 / 810
# Partner premises hosting the Mission Locale: illustrative, about one per Mission Locale.
PARTNERS_PER_ML = 1.0
# Sessions (half-days) per month: a head office opens every working day, about 20 a month;
# the other values are illustrative.
SESSIONS_PER_MONTH = {
    "siege": (20.0,),
    "antenne": (8.0, 10.0, 12.0, 16.0, 20.0),
    "permanence": (1.0, 2.0, 2.0, 4.0),
    "partenaire": (1.0, 2.0),
}
# When each kind of site opened: Missions Locales were created from 1982 (ordonnance of
# 26 March 1982); antennas and permanences came later, some during the programme.
_OPENED = {
    "siege": ("1983-01-01", "1999-12-31"),
    "antenne": ("1990-01-01", "2018-12-31"),
    "permanence": ("2000-01-01", "2021-06-30"),
    "partenaire": ("2012-01-01", "2021-06-30"),
}
_CLOSED_SHARE = 0.06
_CLOSED_BY = "2021-11-30"
_PARTNERS = ("Centre social", "Maison France Services", "Point Information Jeunesse",
             "Médiathèque", "Foyer de jeunes travailleurs")


def site_counts(
    youth: NDArray[np.float64], communes: NDArray[np.int64], *, total: int = SITES_TOTAL
) -> NDArray[np.int64]:
    """Return the number of sites of each Mission Locale, about ``total`` in all.

    Half in proportion to youth population, half to the number of communes (permanences
    serve rural town halls), at least one and at most one per commune.

    Parameters
    ----------
    youth
        Youth population of each catchment.
    communes
        Number of communes of each catchment (the cap).
    total
        Sites wanted in the region (default 810, Sénat report r16-575, 2015 figures).

    Examples
    --------
    >>> site_counts(np.array([100.0, 100.0]), np.array([1, 40]), total=20).tolist()
    [1, 19]
    """
    share = 0.5 * youth / youth.sum() + 0.5 * communes / communes.sum()
    scale = 1.0
    counts = np.clip(np.round(total * share), 1, communes).astype(np.int64)
    while counts.sum() < total and np.any(counts < communes) and scale < 10:
        scale *= 1.01
        counts = np.clip(np.round(total * share * scale), 1, communes).astype(np.int64)
    return counts


def build_sites(
    region: Region, catchments: Catchments, *, rng: np.random.Generator,
    total: int = SITES_TOTAL,
) -> gpd.GeoDataFrame:
    """Place the sites of every Mission Locale at town halls of its catchment.

    Parameters
    ----------
    region
        The communes and their town halls.
    catchments
        The catchments (sites go to communes whose main Mission Locale it is).
    rng
        The random generator.
    total
        Sites wanted in the region (default 810, Sénat report r16-575, 2015 figures).

    Returns
    -------
    geopandas.GeoDataFrame
        The ``sites`` layer, one point per site on its town hall.
    """
    layer = catchments.layer
    counts = site_counts(layer["youth"].to_numpy(dtype=float),
                         np.bincount(catchments.primary, minlength=len(layer)), total=total)
    frames = []
    for i, (code, name) in enumerate(zip(layer["ml_code"], layer["ml_name"], strict=True)):
        communes = np.flatnonzero(catchments.primary == i)
        chosen, kinds = _choose_places(region, communes, int(counts[i]), rng=rng)
        frames.append(_site_rows(region, chosen, kinds, str(code), str(name), rng=rng))
    sites = pd.concat(frames, ignore_index=True)
    return gpd.GeoDataFrame(
        sites.drop(columns="commune"), geometry=region.mairie[sites["commune"].to_numpy()],
        crs=CRS,
    )


def _choose_places(
    region: Region, communes: NDArray[np.intp], n: int, *, rng: np.random.Generator
) -> tuple[NDArray[np.intp], list[str]]:
    """Pick the communes of the head office, antennas, permanences and partners."""
    by_size = communes[np.lexsort((region.code[communes], -region.population[communes]))]
    antennas = min(round(ANTENNA_SHARE * n), n - 1)
    partners = min(int(rng.poisson(PARTNERS_PER_ML)), n - 1 - antennas)
    permanences = n - 1 - antennas - partners
    taken = list(by_size[: 1 + antennas])
    rest = by_size[1 + antennas:]
    spread = _spread_out(region, np.array(taken), rest, permanences, rng=rng)
    rest = rest[~np.isin(rest, spread)]
    odds = region.population[rest] + 1.0
    partner = (rng.choice(rest, size=partners, replace=False, p=odds / odds.sum())
               if partners else rest[:0])
    kinds = (["siege"] + ["antenne"] * antennas + ["permanence"] * permanences
             + ["partenaire"] * partners)
    return np.concatenate([taken, spread, partner]).astype(np.intp), kinds


def _spread_out(
    region: Region, taken: NDArray[np.intp], candidates: NDArray[np.intp], n: int,
    *, rng: np.random.Generator,
) -> NDArray[np.intp]:
    """Pick ``n`` candidates one at a time, each far from the sites already placed.

    The score is the distance to the nearest site times a mild preference for larger
    communes, with a little seeded noise so that two seeds give two layouts.
    """
    xy = region.anchor
    nearest = cdist(xy[candidates], xy[taken]).min(axis=1)
    appeal = (region.youth[candidates] + 1.0) ** 0.35 * rng.lognormal(0.0, 0.3, len(candidates))
    picked: list[int] = []
    for _ in range(n):
        best = int(np.argmax(nearest * appeal))
        picked.append(int(candidates[best]))
        nearest = np.minimum(nearest, cdist(xy[candidates], xy[candidates[best], None])[:, 0])
        nearest[best] = -1.0
    return np.array(picked, dtype=np.intp)


def _site_rows(
    region: Region, communes: NDArray[np.intp], kinds: list[str], ml_code: str, ml_name: str,
    *, rng: np.random.Generator,
) -> pd.DataFrame:
    kind = np.array(kinds)
    sessions = np.array([rng.choice(SESSIONS_PER_MONTH[k]) for k in kinds], dtype=float)
    opened = np.empty(len(kinds), dtype="datetime64[ms]")
    for k, (first, last) in _OPENED.items():
        mask = kind == k
        opened[mask] = random_dates(first, last, int(mask.sum()), rng=rng)
    # A few permanences and partner sites closed, at least six months after they opened.
    earliest = opened + np.timedelta64(180, "D")
    closes = (np.isin(kind, ["permanence", "partenaire"])
              & (rng.random(len(kinds)) < _CLOSED_SHARE)
              & (earliest <= np.datetime64(_CLOSED_BY)))
    closed = np.full(len(kinds), np.datetime64("NaT"), dtype="datetime64[ms]")
    later = random_dates("2019-06-01", _CLOSED_BY, len(kinds), rng=rng)
    closed[closes] = np.maximum(later, earliest)[closes]
    return pd.DataFrame({
        "site_id": [f"{ml_code}-S{j + 1:02d}" for j in range(len(kinds))],
        "ml_code": ml_code,
        "name": [_site_name(region, c, k, ml_name, rng=rng)
                 for c, k in zip(communes, kinds, strict=True)],
        "kind": kind,
        "sessions_per_month": sessions,
        "opened": opened,
        "closed": closed,
        "code_insee": region.code[communes],
        "commune": communes,
    })


def _site_name(
    region: Region, commune: int, kind: str, ml_name: str, *, rng: np.random.Generator
) -> str:
    town = str(region.name[commune])
    if kind == "siege":
        return "Siège – " + ml_name.removesuffix(FICTIVE)
    if kind == "antenne":
        return f"Antenne {of(town)}"
    if kind == "permanence":
        return f"Permanence – Mairie {of(town)}"
    return f"Partenaire – {_PARTNERS[int(rng.integers(len(_PARTNERS)))]} {of(town)}"
