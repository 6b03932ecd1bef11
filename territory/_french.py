"""French grammar the interface needs in names built from place names."""

from __future__ import annotations

__all__ = ["of"]

_VOWELS = tuple("AEIOUYÂÊÎÔÛÉÈËÏŒ")


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
