"""Column headers as people write them, matched to the workspace contract's fields.

Headers match without regard to case, accents and punctuation (``Type d'action``,
``TYPE D ACTION`` and ``type_d_action`` are one header); ``--map source=target`` names any
other header.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from territory._errors import Problem
from territory.io._values import normalise

__all__ = ["FIELDS", "Columns", "field_for", "missing_column", "parse_mapping", "resolve_columns"]

_CODE_INSEE = ("code insee", "codgeo", "insee", "code commune", "code commune insee",
               "code insee commune", "code insee de la commune", "depcom", "cog",
               "code geographique", "com")
_ML_CODE = ("code ml", "ml", "code mission locale", "id ml", "identifiant ml", "ml code",
            "code structure", "code de la ml", "code de la mission locale")
_ML_NAME = ("nom officiel ml", "nom ml", "mission locale", "nom de la mission locale",
            "nom mission locale", "ml name", "libelle ml", "nom de la ml", "raison sociale ml")
_COMMUNE = ("nom commune", "commune", "libelle commune", "nom de la commune", "libgeo",
            "ville", "localite")
_X = ("x", "longitude", "lon", "lng", "long", "coord x", "coordonnee x", "x l93",
      "x lambert 93", "lambert x", "xl93", "x lambert")
_Y = ("y", "latitude", "lat", "coord y", "coordonnee y", "y l93", "y lambert 93", "lambert y",
      "yl93", "y lambert")

# For each import kind: field -> (what it is, headers people use). The first header is shown
# in messages as the example.
FIELDS: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {
    "catchments": {
        "code_insee": ("the commune's INSEE code", ("Code INSEE", *_CODE_INSEE)),
        "ml_code": ("the Mission Locale's code", ("Code ML", *_ML_CODE)),
        "ml_name": ("the Mission Locale's name", ("Nom Officiel ML", *_ML_NAME)),
        "commune_name": ("the commune's name", ("Nom Commune", *_COMMUNE)),
        "shared": ("whether the commune is on several MLs",
                   ("Commune présente sur plusieurs ML", "plusieurs ml", "commune partagee",
                    "partagee")),
        "share": ("the commune's share (0-1)",
                  ("share", "part", "quote part", "quotepart", "part de la commune")),
        "in_consortium": ("membership of the IN Système consortium",
                          ("in_consortium", "consortium", "in systeme", "membre du consortium",
                           "membre in systeme")),
        "ignored": ("", ("Adresse ML", "Code Postal ML", "Ville ML", "adresse de la ml",
                         "cp ml")),
    },
    "sites": {
        "site_id": ("the site's identifier", ("site_id", "id site", "identifiant", "id",
                                              "code site", "identifiant du site")),
        "ml_code": ("the Mission Locale's code", ("Code ML", *_ML_CODE)),
        "name": ("the site's name", ("Nom du site", "nom", "site", "libelle", "intitule",
                                     "nom site", "name", "libelle du site")),
        "kind": ("the kind of site", ("Type", "type de site", "type site", "categorie",
                                      "nature", "kind", "type de lieu")),
        "sessions_per_month": ("sessions per month",
                               ("sessions_per_month", "sessions par mois", "permanences par mois",
                                "frequence mensuelle", "nb permanences par mois",
                                "nombre de permanences par mois", "jours par mois",
                                "demi journees par mois", "frequence")),
        "opened": ("the opening date", ("opened", "ouverture", "date d ouverture",
                                        "date ouverture", "ouvert le", "debut", "date debut")),
        "closed": ("the closing date", ("closed", "fermeture", "date de fermeture",
                                        "date fermeture", "ferme le", "fin", "date fin")),
        "code_insee": ("the commune's INSEE code", ("Code INSEE", *_CODE_INSEE)),
        "commune_name": ("the commune's name", ("Commune", *_COMMUNE)),
        "x": ("the longitude or Lambert-93 X", ("Longitude", *_X)),
        "y": ("the latitude or Lambert-93 Y", ("Latitude", *_Y)),
        "ignored": ("", ("adresse", "adresse du site", "code postal", "cp")),
    },
    "actions": {
        "action_id": ("the action's identifier",
                      ("action_id", "id action", "identifiant", "id", "n action",
                       "numero action", "numero d action", "identifiant action")),
        "ml_code": ("the Mission Locale's code", ("Code ML", *_ML_CODE)),
        "kind": ("the kind of action", ("Type d'action", "type", "type action",
                                        "type de l action", "nature", "categorie", "modalite",
                                        "kind", "type d intervention")),
        "date": ("the date of the action", ("Date", "date de l action", "date action", "jour",
                                            "date de l intervention", "le")),
        "youth_met": ("the number of young people met",
                      ("Jeunes rencontrés", "youth_met", "nombre de jeunes", "nb jeunes",
                       "nb de jeunes", "nb de jeunes rencontres", "nombre de jeunes rencontres",
                       "jeunes", "nb jeunes rencontres", "participants", "nb participants",
                       "nombre de participants", "effectif", "public touche")),
        "label": ("the place or label", ("Lieu", "label", "libelle", "intitule",
                                         "nom de l action", "lieu de l action", "place")),
        "code_insee": ("the commune's INSEE code", ("Code INSEE", *_CODE_INSEE)),
        "commune_name": ("the commune's name", ("Commune", *_COMMUNE)),
        "x": ("the longitude or Lambert-93 X", ("Longitude", *_X)),
        "y": ("the latitude or Lambert-93 Y", ("Latitude", *_Y)),
        "ignored": ("", ("adresse", "adresse du lieu", "code postal", "cp")),
    },
    "contacts": {
        "contact_id": ("the young person's identifier",
                       ("Identifiant", "contact_id", "id", "id jeune", "identifiant jeune",
                        "identifiant du jeune", "identifiant i milo", "id i milo", "id milo",
                        "numero de dossier", "n dossier", "dossier", "identifiant unique")),
        "date": ("the date of the contact", ("Date", "date de contact", "date du contact",
                                             "date premier contact", "date de premier contact",
                                             "date de reperage", "date du reperage")),
        "ml_code": ("the Mission Locale's code", ("Code ML", *_ML_CODE)),
        "action_id": ("the action's identifier", ("action_id", "action", "id action",
                                                  "identifiant action", "n action",
                                                  "identifiant de l action")),
        "code_insee": ("the INSEE code of the commune of residence",
                       ("Code INSEE", *_CODE_INSEE, "code insee residence",
                        "code insee de residence", "insee residence", "code commune residence",
                        "code commune de residence", "commune de residence code insee")),
        "stage": ("the stage reached", ("Étape", "stage", "etape", "stade", "statut", "etat",
                                        "etape du parcours", "etape atteinte")),
    },
    "youth": {
        "code_insee": ("the commune's INSEE code", ("CODGEO", "Code INSEE", *_CODE_INSEE)),
        "commune_name": ("the commune's name", ("LIBGEO", *_COMMUNE)),
        "youth": ("the number of young people", ("youth",)),
    },
}
FIELDS["mobility"] = {
    "code_insee": ("the commune's INSEE code", ("CODGEO", "Code INSEE", *_CODE_INSEE)),
    "commune_name": ("the commune's name", ("LIBGEO", *_COMMUNE)),
    "no_car_share": ("the share of young people without a car",
                     ("Part sans voiture", "no_car_share", "part des jeunes sans voiture",
                      "jeunes sans voiture", "sans voiture", "part sans vehicule",
                      "sans vehicule", "part non motorises", "non motorises")),
}
# A file of places for planning (candidate sites, other services): a sites file, whose
# places may say how many young people they can take in.
FIELDS["places"] = {
    **FIELDS["sites"],
    "capacity": ("the number of young people the place can take in",
                 ("capacity", "capacité", "capacité d'accueil", "nombre de places")),
}
# Targets accepted by --map besides the field names.
_ALIASES = {"longitude": "x", "latitude": "y", "lon": "x", "lat": "y"}


@dataclass
class Columns:
    """Which header of the file holds each field, and what could not be matched."""

    fields: dict[str, str] = field(default_factory=dict)
    matched_by_name: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)

    def get(self, name: str) -> str | None:
        """Return the header holding field ``name``, or None."""
        return self.fields.get(name)


def field_for(kind: str, header: str) -> str | None:
    """Return the field a header names for an import kind, or None."""
    key = normalise(header)
    for name, (_, headers) in FIELDS[kind].items():
        if key == normalise(name) or key in {normalise(h) for h in headers}:
            return name
    return None


def parse_mapping(pairs: Sequence[str], *, kind: str, file: str) -> tuple[dict[str, str],
                                                                          list[Problem]]:
    """Read ``--map source=target`` options; return {normalised source: field} and problems."""
    mapping: dict[str, str] = {}
    problems: list[Problem] = []
    allowed = [f for f in FIELDS[kind] if f != "ignored"]
    for pair in pairs:
        source, sep, target = pair.rpartition("=")
        target = _ALIASES.get(target.strip().lower(), target.strip())
        if not sep or not source.strip():
            problems.append(Problem(f"--map {pair!r} is not source=target; expected e.g. "
                                    f"--map \"Type d'action=kind\"", file=file))
        elif target not in allowed:
            problems.append(Problem(f"--map {pair!r}: {target!r} is not a field of {kind}; "
                                    f"expected one of {allowed}", file=file))
        else:
            mapping[normalise(source)] = target
    return mapping, problems


def resolve_columns(
    headers: Sequence[str],
    *,
    kind: str,
    file: str,
    mapping: Mapping[str, str],
) -> Columns:
    """Match each header to a field: ``--map`` first, then the headers people use."""
    columns = Columns()
    candidates: dict[str, list[str]] = {}
    for header in headers:
        target = mapping.get(normalise(header))
        by_name = target is None
        target = target or field_for(kind, _base(header))
        if target is None or target == "ignored":
            if target is None:
                columns.unused.append(header)
            continue
        candidates.setdefault(target, []).append(header)
        if by_name:
            columns.matched_by_name.add(header)
    for source in set(mapping) - {normalise(h) for h in headers}:
        columns.problems.append(Problem(
            f"--map names a column {source!r} that the file does not have; its columns are "
            f"{_quoted(headers)}", file=file))
    for name, found in candidates.items():
        explicit = [h for h in found if h not in columns.matched_by_name]
        chosen = explicit or found
        if len(chosen) > 1:
            columns.problems.append(Problem(
                f"columns {_quoted(chosen)} all look like `{name}` ({FIELDS[kind][name][0]}); "
                f"keep one, or say which with --map \"{chosen[0]}={name}\"", file=file))
        columns.fields[name] = chosen[0]
        columns.unused.extend(h for h in found if h != chosen[0])
    return columns


def _base(header: str) -> str:
    """``Date (2)``, a duplicate header, matches like ``Date``."""
    head, _, tail = header.rpartition(" (")
    return head if head and tail.rstrip(")").isdigit() else header


def missing_column(kind: str, name: str, *, file: str, headers: Sequence[str]) -> Problem:
    """Return the problem of a required field that no header holds."""
    what, examples = FIELDS[kind][name]
    shown = ", ".join(f"`{h}`" for h in examples[:3])
    return Problem(
        f"no column for `{name}` ({what}); expected a header such as {shown}. The file has "
        f"{_quoted(headers)}; name yours with --map \"YOUR HEADER={name}\"", file=file)


def _quoted(headers: Sequence[str]) -> str:
    shown = [f"`{h}`" for h in headers[:15]]
    more = f" and {len(headers) - 15} more" if len(headers) > 15 else ""
    return ", ".join(shown) + more if shown else "no column"
