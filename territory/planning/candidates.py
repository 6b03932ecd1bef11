"""Where a new site could go, and the sites already there.

Candidates: every town hall of the region (the ``mairies`` layer), the user's own places,
and the centres of a hexagonal grid where no town hall is near (large rural communes, where
a town hall leaves whole valleys far away). Existing ML sites open today are ``required``;
another service's places the user imports are ``competitor``. :func:`planning_sites` puts
them in one table with, for each site, its commune, its département and its Mission Locale
(the catchment the commune belongs to, the largest share when it is shared).
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from territory._errors import InputError, Problem
from territory.analysis import PeriodLike, open_sites
from territory.planning._validate import CRS, crs_problems
from territory.planning.model import CANDIDATE, COMPETITOR, REQUIRED

__all__ = ["HEX_SPACING_M", "MAIRIE_FAR_M", "existing_sites", "hexagon_candidates",
           "planning_sites", "town_hall_candidates", "user_sites"]

# Grid step of the hexagon candidates, and how far from any town hall a centre must be to be
# kept: conventions (no published standard), overridable. 5 km is about 10 minutes by the
# default travel-time convention; 3 km leaves out places a town hall already stands for.
HEX_SPACING_M = 5_000.0
MAIRIE_FAR_M = 3_000.0
COLUMNS = ("site_id", "name", "role", "source", "code_insee", "ml_code", "capacity")


def town_hall_candidates(mairies: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Every town hall as a candidate (``site_id`` = ``mairie-<code_insee>``).

    Examples
    --------
    >>> mairies = gpd.GeoDataFrame({"code_insee": ["33063"], "nom": ["Mairie de Bordeaux"]},
    ...                            geometry=gpd.points_from_xy([417_000], [6_422_000]),
    ...                            crs=2154)
    >>> town_hall_candidates(mairies)["site_id"].tolist()
    ['mairie-33063']
    """
    _check({"mairies": mairies}, {"mairies": ("code_insee",)})
    names = mairies["nom"] if "nom" in mairies else "Mairie " + mairies["code_insee"]
    return gpd.GeoDataFrame({
        "site_id": "mairie-" + mairies["code_insee"].astype(str),
        "name": names.astype(str).to_numpy(), "role": CANDIDATE, "source": "mairie",
        "code_insee": mairies["code_insee"].astype(str).to_numpy(),
    }, geometry=mairies.geometry.to_numpy(), crs=mairies.crs, index=mairies.index)


def hexagon_candidates(communes: gpd.GeoDataFrame, mairies: gpd.GeoDataFrame, *,
                       spacing_m: float = HEX_SPACING_M,
                       far_m: float = MAIRIE_FAR_M) -> gpd.GeoDataFrame:
    """Centres of a hexagonal grid, inside the communes, farther than ``far_m`` from a town hall.

    Parameters
    ----------
    communes
        Commune polygons (``code_insee``, ``nom``), EPSG:2154.
    mairies
        Town-hall points, EPSG:2154.
    spacing_m
        Distance between neighbouring centres (default 5 km, a convention).
    far_m
        Keep centres farther than this from every town hall (default 3 km, a convention).

    Returns
    -------
    candidates
        ``site_id`` (``hex-<x km>-<y km>``), ``name``, ``code_insee`` of the commune it
        falls in.
    """
    _check({"communes": communes, "mairies": mairies}, {"communes": ("code_insee",)})
    xmin, ymin, xmax, ymax = communes.total_bounds
    rows = np.arange(ymin, ymax + spacing_m, spacing_m * np.sqrt(3) / 2)
    cols = np.arange(xmin, xmax + spacing_m, spacing_m)
    x = (cols[None, :] + (np.arange(len(rows)) % 2)[:, None] * spacing_m / 2).ravel()
    y = np.repeat(rows, len(cols))
    far = cKDTree(shapely.get_coordinates(mairies.geometry.to_numpy())).query(
        np.column_stack([x, y]))[0] > far_m
    points = shapely.points(x[far], y[far])
    inside, commune = communes.sindex.query(points, predicate="within")
    inside, first = np.unique(inside, return_index=True)
    commune = commune[first]
    names = (communes["nom"] if "nom" in communes else communes["code_insee"]).to_numpy()
    px, py = x[far][inside], y[far][inside]
    return gpd.GeoDataFrame({
        "site_id": [f"hex-{a / 1000:.1f}-{b / 1000:.1f}" for a, b in zip(px, py, strict=True)],
        "name": [f"Point de grille ({n})" for n in names[commune]], "role": CANDIDATE,
        "source": "hexagone", "code_insee": communes["code_insee"].to_numpy()[commune],
    }, geometry=points[inside], crs=communes.crs)


def existing_sites(sites: gpd.GeoDataFrame, *, period: PeriodLike = None) -> gpd.GeoDataFrame:
    """ML sites in service at the end of ``period`` (default: open today), as ``required``.

    The rule of every view (:func:`territory.analysis.open_sites`): a plan starts from the
    network the period's figures describe.

    Examples
    --------
    >>> sites = gpd.GeoDataFrame({"site_id": ["S1"], "ml_code": ["ML01"], "name": ["Siège"],
    ...                           "closed": pd.to_datetime([None])},
    ...                          geometry=gpd.points_from_xy([0], [0]), crs=2154)
    >>> existing_sites(sites)["role"].tolist()
    ['required']
    """
    _check({"sites": sites}, {"sites": ("site_id",)})
    found = open_sites(sites, period=period)
    frame = gpd.GeoDataFrame(found.drop(columns=[c for c in ("role", "source")
                                                 if c in found]))
    frame["role"], frame["source"] = REQUIRED, "site ML"
    return frame


def user_sites(places: gpd.GeoDataFrame, *, role: str = CANDIDATE,
               source: str = "fichier") -> gpd.GeoDataFrame:
    """Return the user's places as candidates (or competitors, ``role="competitor"``).

    ``site_id`` and ``name`` are kept when present (made up from the row otherwise); an
    optional ``capacity`` column is kept.
    """
    _check({source: places}, {})
    if role not in (CANDIDATE, COMPETITOR, REQUIRED):
        raise InputError(f"role is {role!r}; expected candidate, competitor or required")
    prefix = "autre" if role == COMPETITOR else "lieu"
    ids = (places["site_id"].astype(str) if "site_id" in places
           else pd.Series([f"{prefix}-{k + 1}" for k in range(len(places))], places.index))
    names = places["name"].astype(str) if "name" in places else ids
    frame = gpd.GeoDataFrame({"site_id": ids.to_numpy(), "name": names.to_numpy(),
                              "role": role, "source": source},
                             geometry=places.geometry.to_numpy(), crs=places.crs)
    for column in ("capacity", "code_insee", "ml_code"):
        if column in places:
            frame[column] = places[column].to_numpy()
    return frame


def planning_sites(parts: Sequence[gpd.GeoDataFrame], communes: gpd.GeoDataFrame, *,
                   members: pd.DataFrame | None = None) -> gpd.GeoDataFrame:
    """All sites in one table, indexed by a unique ``site_id``, each placed in its zones.

    Adds ``code_insee`` (from a spatial join where missing), ``dep_code`` and ``group``: the
    site's own ``ml_code`` when it has one (existing sites), else the Mission Locale whose
    catchment holds the commune (the largest share).
    """
    frames = [p.to_crs(CRS) if p.crs is not None and not p.crs.equals(CRS) else p
              for p in parts if len(p)]
    if not frames:
        raise InputError("no site at all: expected candidates (town halls, a file) or sites")
    sites = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=CRS)
    duplicated = sites["site_id"][sites["site_id"].duplicated()].unique()
    if len(duplicated):
        raise InputError([Problem(f"site id {d!r} appears more than once; expected unique "
                                  "ids across candidates, sites and competitors",
                                  column="site_id") for d in duplicated[:10]])
    sites["code_insee"] = _communes_of(sites, communes)
    codes = communes.set_index("code_insee")
    if "dep_code" in codes:
        sites["dep_code"] = sites["code_insee"].map(codes["dep_code"])
    own = sites["ml_code"] if "ml_code" in sites else pd.Series(None, index=sites.index)
    sites["group"] = own.astype("object").where(own.notna(),
                                                _catchment_of(sites["code_insee"], members))
    return sites.set_index("site_id", drop=False).rename_axis(None)


def _communes_of(sites: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> pd.Series:
    known = (sites["code_insee"].astype("object") if "code_insee" in sites
             else pd.Series(None, index=sites.index, dtype="object"))
    missing = known.isna().to_numpy()
    if missing.any():
        nearest = communes.sindex.nearest(sites.geometry.to_numpy()[missing],
                                          return_all=False)[1]
        known.iloc[np.flatnonzero(missing)] = communes["code_insee"].to_numpy()[nearest]
    return known


def _catchment_of(codes: pd.Series, members: pd.DataFrame | None) -> pd.Series:
    if members is None or members.empty:
        return pd.Series(None, index=codes.index, dtype="object")
    share = members["share"] if "share" in members else pd.Series(1.0, index=members.index)
    best = (members.assign(share=share.fillna(1.0))
            .sort_values(["code_insee", "share", "ml_code"], ascending=[True, False, True])
            .drop_duplicates("code_insee").set_index("code_insee")["ml_code"])
    return codes.map(best).astype("object")


def _check(frames: dict[str, pd.DataFrame], columns: dict[str, tuple[str, ...]]) -> None:
    problems = crs_problems(frames)
    problems += [Problem(f"missing column; the layer has {list(frame.columns)}", file=name,
                         column=col)
                 for name, frame in frames.items() for col in columns.get(name, ())
                 if col not in frame.columns]
    if problems:
        raise InputError(problems)
