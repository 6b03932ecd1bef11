"""French names for the fictional Missions Locales and their places."""

from __future__ import annotations

import numpy as np

from territory._french import of

__all__ = ["DEPARTEMENTS", "FICTIVE", "ml_name", "of"]

# How a département is named after "Mission Locale" (article and preposition included).
DEPARTEMENTS = {
    "16": "de la Charente",
    "17": "de la Charente-Maritime",
    "19": "de la Corrèze",
    "23": "de la Creuse",
    "24": "de la Dordogne",
    "33": "de la Gironde",
    "40": "des Landes",
    "47": "de Lot-et-Garonne",
    "64": "des Pyrénées-Atlantiques",
    "79": "des Deux-Sèvres",
    "86": "de la Vienne",
    "87": "de la Haute-Vienne",
}
FICTIVE = " (fictive)"
# Catchments are named after their largest commune: an agglomeration from 40,000 residents,
# a town from 10,000, else a rural "pays".
_URBAN_POPULATION = 40_000
_TOWN_POPULATION = 10_000
_TOWN_TEMPLATES = ("Mission Locale {of} et environs", "Mission Locale du Pays {of}")
_RURAL_TEMPLATES = (*_TOWN_TEMPLATES, "Mission Locale du Bassin {of}",
                    "Mission Locale rurale {of}")


def ml_name(
    town: str,
    *,
    population: int,
    communes: int,
    dep_code: str,
    whole_departement: bool,
    rng: np.random.Generator,
) -> str:
    """Return a plausible, clearly fictional name for a Mission Locale.

    Parameters
    ----------
    town
        The largest commune of the catchment.
    population
        That commune's population.
    communes
        Number of communes in the catchment.
    dep_code
        The département of the catchment.
    whole_departement
        Whether the catchment covers its whole département.
    rng
        Picks the pattern of rural names.

    Examples
    --------
    >>> ml_name("Bordeaux", population=254_436, communes=1, dep_code="33",
    ...         whole_departement=False, rng=np.random.default_rng(0))
    'Mission Locale de Bordeaux (fictive)'
    """
    if communes == 1:
        name = f"Mission Locale {of(town)}"
    elif whole_departement and dep_code in DEPARTEMENTS:
        name = f"Mission Locale {DEPARTEMENTS[dep_code]}"
    elif population >= _URBAN_POPULATION:
        name = f"Mission Locale de l'agglomération {of(town)}"
    else:
        templates = _TOWN_TEMPLATES if population >= _TOWN_POPULATION else _RURAL_TEMPLATES
        name = templates[int(rng.integers(len(templates)))].format(of=of(town))
    return name + FICTIVE
