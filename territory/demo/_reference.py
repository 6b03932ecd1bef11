"""The real places the demo is built on: communes, their town halls, their neighbours."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from territory._crs import LAMBERT93
from territory._errors import InputError

__all__ = ["CRS", "Region", "region_from_layers"]

CRS = LAMBERT93
_COMMUNE_COLUMNS = ("code_insee", "nom", "dep_code", "epci_code", "population", "youth")
_MAIRIE_COLUMNS = ("code_insee",)


@dataclass(frozen=True)
class Region:
    """Communes of the region as aligned arrays (row ``i`` is the same commune everywhere).

    ``mairie`` is the town-hall point of the reference layer; ``anchor`` is that point when it
    lies inside the commune, else a point inside the commune, so that anything placed around
    it can be kept inside.
    """

    code: NDArray[np.str_]
    name: NDArray[np.str_]
    dep: NDArray[np.str_]
    epci: NDArray[np.str_]
    population: NDArray[np.int64]
    youth: NDArray[np.float64]
    geometry: NDArray[np.object_]
    mairie: NDArray[np.object_]
    anchor: NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.code)


def region_from_layers(communes: gpd.GeoDataFrame, mairies: gpd.GeoDataFrame) -> Region:
    """Check the two reference layers and align them on the communes' order.

    Raises
    ------
    InputError
        When a column is missing, a layer is not in Lambert-93 or a commune has no town hall.
    """
    _check(communes, "communes", _COMMUNE_COLUMNS)
    _check(mairies, "mairies", _MAIRIE_COLUMNS)
    town_halls = pd.DataFrame(mairies).set_index("code_insee")
    missing = sorted(set(communes["code_insee"]) - set(town_halls.index))
    if missing:
        raise InputError(
            f"layer `mairies` has no town hall for {len(missing)} commune(s), e.g. "
            f"{missing[:3]}; expected one point per commune of layer `communes`"
        )
    town_halls = town_halls.loc[communes["code_insee"].to_numpy()]
    geometry = np.asarray(communes.geometry.values, dtype=object)
    mairie = np.asarray(town_halls.geometry.values, dtype=object)
    inside = shapely.contains(geometry, mairie)
    anchor = np.where(inside, mairie, shapely.point_on_surface(geometry))
    return Region(
        code=communes["code_insee"].to_numpy(dtype=str),
        name=communes["nom"].to_numpy(dtype=str),
        dep=communes["dep_code"].to_numpy(dtype=str),
        epci=communes["epci_code"].to_numpy(dtype=str),
        population=communes["population"].to_numpy(dtype=np.int64),
        youth=communes["youth"].to_numpy(dtype=np.float64),
        geometry=geometry,
        mairie=mairie,
        anchor=shapely.get_coordinates(anchor),
    )


def _check(frame: gpd.GeoDataFrame, name: str, columns: tuple[str, ...]) -> None:
    missing = [col for col in columns if col not in frame.columns]
    if missing:
        raise InputError(f"layer `{name}` lacks column(s) {missing}; expected {list(columns)}")
    if frame.crs is None or not frame.crs.equals(CRS):
        got = "no CRS" if frame.crs is None else frame.crs.to_string()
        raise InputError(
            f"layer `{name}` is in {got}, expected {CRS}; reproject it with .to_crs({CRS!r})"
        )

