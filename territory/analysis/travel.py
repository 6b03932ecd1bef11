"""How young people travel: the modes of access, their speeds and their sources.

Without network data, a trip's minutes are a straight line's metres × a detour factor ÷ the
mode's speed, plus a fixed time for the public-transport estimate (walking to the stop and
waiting). Every mode is therefore linear in the straight-line distance,
``minutes = overhead + metres × per_metre``, which keeps one KD-tree radius per threshold
(:meth:`territory.analysis.params.Parameters.reach_m`). Routed times from an OpenStreetMap
extract replace these estimates where the workspace has them (``territory network build``).

Values and sources (docs/methodology.md, "Travel modes"):

- ``walk`` (à pied): 3.6 km/h, and ``bike`` (à vélo): 12 km/h — the defaults of R5, the
  field's reference routing engine for accessibility studies (r5r ``travel_time_matrix``).
- ``transit`` (transports en commun, estimation): 10 minutes to walk to a stop and wait, then
  the road at 20 km/h door to door. An unconfirmed convention until the timetables (GTFS) are
  read.
- ``car`` (voiture): 50 km/h on the road. An unconfirmed convention; the France Services
  30-minute target is a time by road.
- ``mix`` (mixte): each young person's time is the public-transport estimate for the share
  without a car and the car's for the others, averaged with that share. Default share 31 %:
  the complement of the 69 % of rural young people who depend on a car (Chemins d'avenirs
  2024) — a reading of that figure, not a measure: replace it with your own.

The default mode is ``transit``: young people neither in work nor training are the least
likely to have a car or a licence, and mobility is the first barrier the Missions Locales
name (GREF Bretagne; Chemins d'avenirs 2024). Access by car alone hides the barrier that
defines them; the other modes stay one option away.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["DEFAULT_MODE", "MODES", "TRANSIT_OVERHEAD_MIN", "Mode", "ModeName"]

ModeName = Literal["walk", "bike", "transit", "car", "mix"]

_R5 = "R5 / r5r, vitesse par défaut de travel_time_matrix"
_UNCONFIRMED = "convention non confirmée, modifiable"
TRANSIT_OVERHEAD_MIN = 10.0


@dataclass(frozen=True)
class Mode:
    """One way of travelling: its speed, fixed time, words and source.

    Attributes
    ----------
    name
        ``walk``, ``bike``, ``transit``, ``car`` or ``mix``.
    label
        The mode in French, as a selector lists it (« à pied »).
    words
        What follows « à moins de 30 min » in a figure's label (« à pied »).
    speed_kmh
        Speed on the road (straight line × detour), None for the mix.
    overhead_min
        Fixed minutes of every trip (walk to the stop and wait, for public transport).
    source
        Where the speed comes from, in French.
    """

    name: ModeName
    label: str
    words: str
    speed_kmh: float | None
    overhead_min: float
    source: str


MODES: dict[str, Mode] = {
    "transit": Mode("transit", "transports en commun (estimation)",
                    "en transports en commun (estimation)", 20.0, TRANSIT_OVERHEAD_MIN,
                    _UNCONFIRMED + " : 10 min de marche et d'attente, puis la route à "
                    "20 km/h ; remplacée par les horaires (GTFS) quand ils sont importés"),
    "walk": Mode("walk", "à pied", "à pied", 3.6, 0.0, _R5),
    "bike": Mode("bike", "à vélo", "à vélo", 12.0, 0.0, _R5),
    "car": Mode("car", "en voiture", "en voiture", 50.0, 0.0, _UNCONFIRMED),
    "mix": Mode("mix", "mixte (avec ou sans voiture)",
                "(temps moyen des jeunes avec et sans voiture)", None, 0.0,
                "moyenne des transports en commun (jeunes sans voiture) et de la voiture"),
}
"""The modes, the default first."""

DEFAULT_MODE: ModeName = "transit"
