"""The French the interface needs: month names, and grammar in names built from places.

Every view, export and report takes its month names from here.
"""

from __future__ import annotations

import datetime as dt

__all__ = ["MONTHS", "MONTHS_SHORT", "area_name", "month_year", "of"]

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre")
MONTHS_SHORT = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.",
                "oct.", "nov.", "déc.")

_VOWELS = tuple("AEIOUYÂÊÎÔÛÉÈËÏŒ")
# Metropolitan France has 13 regions: a base holding them all is called "France".
FRANCE_REGIONS = 13


def of(place: str) -> str:
    """Return ``place`` after the preposition "de", contracted as French requires.

    A leading vowel elides it (*d'Agnac*), the articles *Le* and *Les* contract with it (*du
    Bouscat*, *des Mathes*); *La* and *L'* do not (*de La Rochelle*, *de L'Isle-d'Espagnac*).
    A leading *H* is left alone, mute or aspirated alike (*de Hautefort*), since the name
    does not tell which.

    Examples
    --------
    >>> [of(p) for p in ("Bordeaux", "Angoulême", "Le Bouscat", "Les Herbiers", "La Rochelle")]
    ['de Bordeaux', "d'Angoulême", 'du Bouscat', 'des Herbiers', 'de La Rochelle']
    """
    if place.startswith("Le "):
        return "du " + place[3:]
    if place.startswith("Les "):
        return "des " + place[4:]
    if place.startswith(_VOWELS):
        return "d'" + place
    return "de " + place


def area_name(regions: list[str]) -> str:
    """Return the name of the area a reference base covers: its region, regions, or France.

    Examples
    --------
    >>> area_name(["Corse"]), area_name(["Corse", "Bretagne"])
    ('Corse', 'Bretagne / Corse')
    """
    if len(regions) == 1:
        return regions[0]
    return "France" if len(regions) >= FRANCE_REGIONS else " / ".join(sorted(regions))


def month_year(day: dt.date, *, short: bool = False) -> str:
    """Return the month of ``day`` in words: ``"mars 2020"`` (``"janv. 2021"`` when short).

    Examples
    --------
    >>> month_year(dt.date(2020, 3, 17)), month_year(dt.date(2021, 1, 4), short=True)
    ('mars 2020', 'janv. 2021')
    """
    return f"{(MONTHS_SHORT if short else MONTHS)[day.month - 1]} {day.year}"
