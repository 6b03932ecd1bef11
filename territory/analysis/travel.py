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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = ["BUS_OVER_CAR", "DEFAULT_MODE", "MODES", "ROUTED_LAYER", "ROUTED_MODES",
           "TRANSIT_OVERHEAD_MIN", "Mode", "ModeName", "Routed", "point_keys", "routed_pairs"]

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
    short
        The mode in a few words, for a narrow selector.
    """

    name: ModeName
    label: str
    words: str
    speed_kmh: float | None
    overhead_min: float
    source: str
    short: str = ""


MODES: dict[str, Mode] = {
    "transit": Mode("transit", "transports en commun (estimation)",
                    "en transports en commun (estimation)", 20.0, TRANSIT_OVERHEAD_MIN,
                    _UNCONFIRMED + " : 10 min de marche et d'attente, puis la route à "
                    "20 km/h ; remplacée par les horaires (GTFS) quand ils sont importés",
                    "Transports en commun (est.)"),
    "walk": Mode("walk", "à pied", "à pied", 3.6, 0.0, _R5, "À pied"),
    "bike": Mode("bike", "à vélo", "à vélo", 12.0, 0.0, _R5, "À vélo"),
    "car": Mode("car", "en voiture", "en voiture", 50.0, 0.0, _UNCONFIRMED, "En voiture"),
    "mix": Mode("mix", "mixte (avec ou sans voiture)",
                "(temps moyen des jeunes avec et sans voiture)", None, 0.0,
                "moyenne des transports en commun (jeunes sans voiture) et de la voiture",
                "Mixte (avec, sans voiture)"),
}
"""The modes, the default first."""

DEFAULT_MODE: ModeName = "transit"


# -- routed times ---------------------------------------------------------------------------
ROUTED_LAYER = "travel_times"
"""The workspace table of routed minutes (``territory network build``)."""
ROUTED_MODES = ("walk", "bike", "car")
BUS_OVER_CAR = 50.0 / 20.0
"""Public transport on the road network: the car's routed minutes × 50 / 20 (the estimate's
bus at 20 km/h against the car's 50 km/h), after 10 minutes to the stop and waiting."""
_KEY = 10_000_000


def point_keys(xy: NDArray[np.float64]) -> NDArray[np.int64]:
    """Return one int64 key per Lambert-93 point, matched to the metre.

    Examples
    --------
    >>> point_keys(np.array([[417000.4, 6422000.6]])).tolist()
    [4170006422001]
    """
    points = np.rint(np.asarray(xy, dtype=float).reshape(-1, 2)).astype(np.int64)
    return points[:, 0] * _KEY + points[:, 1]


def routed_pairs(frame: pd.DataFrame, origin_codes: Sequence[str] | NDArray[np.str_],
                 targets_xy: NDArray[np.float64], mode: str) -> pd.DataFrame:
    """Return the stored minutes of one routed mode: ``row``, ``col``, ``minutes``.

    ``row`` is the origin's position in ``origin_codes``, ``col`` the target's in
    ``targets_xy``; pairs beyond the stored cutoff are absent.
    """
    stored = frame[frame["mode"].astype(str) == mode]
    rows = pd.DataFrame({"origin": np.asarray(origin_codes, dtype=str),
                         "row": np.arange(len(origin_codes))})
    cols = pd.DataFrame({"key": point_keys(targets_xy), "col": np.arange(len(targets_xy))})
    keys = (stored["dest_x"].to_numpy(dtype=np.int64) * _KEY
            + stored["dest_y"].to_numpy(dtype=np.int64))
    pairs = pd.DataFrame({"origin": stored["origin"].astype(str).to_numpy(), "key": keys,
                          "minutes": stored["minutes"].to_numpy(dtype=float)})
    found = pairs.merge(rows, on="origin").merge(cols, on="key")
    return found[["row", "col", "minutes"]].reset_index(drop=True)


@dataclass(frozen=True, eq=False)
class Routed:
    """Routed minutes from communes to destination points (``territory network build``).

    ``frame`` has the columns ``origin`` (code INSEE), ``dest_x``, ``dest_y`` (Lambert-93
    metres), ``mode`` (walk, bike, car) and ``minutes``, for the pairs within the stored
    cutoff. Public transport is estimated on it (10 min, then the car's routed minutes ×
    :data:`BUS_OVER_CAR`, or walking when quicker) and the mix averages it with the car.
    """

    frame: pd.DataFrame

    @classmethod
    def of(cls, layers: Mapping[str, pd.DataFrame]) -> Routed | None:
        """Return the routed minutes of a workspace's layers, None without them."""
        frame = layers.get(ROUTED_LAYER)
        return None if frame is None or frame.empty else cls(pd.DataFrame(frame))

    @property
    def cutoff_min(self) -> float:
        """The longest stored trip: beyond it, a pair is absent."""
        return float(self.frame["minutes"].max())

    def covers(self, targets_xy: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Return which points were routed (appear as a destination of some commune)."""
        keys = (self.frame["dest_x"].to_numpy(dtype=np.int64) * _KEY
                + self.frame["dest_y"].to_numpy(dtype=np.int64))
        return np.isin(point_keys(targets_xy), np.unique(keys))

    def pairs(self, origin_codes: Sequence[str] | NDArray[np.str_],
              targets_xy: NDArray[np.float64], *, mode: str,
              no_car_share: float | NDArray[np.float64]) -> pd.DataFrame:
        """Return ``row``, ``col``, ``minutes`` of the mode (transit and mix estimated).

        ``no_car_share`` is one share, or each origin's (for the mix).
        """
        if mode in ROUTED_MODES:
            return routed_pairs(self.frame, origin_codes, targets_xy, mode)
        car = routed_pairs(self.frame, origin_codes, targets_xy, "car")
        walk = routed_pairs(self.frame, origin_codes, targets_xy, "walk")
        bus = car.assign(minutes=TRANSIT_OVERHEAD_MIN + BUS_OVER_CAR * car["minutes"])
        transit = pd.DataFrame(pd.concat([bus, walk]).groupby(["row", "col"], as_index=False)
                               ["minutes"].min())
        if mode == "transit":
            return transit
        both = transit.merge(car, on=["row", "col"], suffixes=("_transit", "_car"))
        share = (np.asarray(no_car_share, dtype=np.float64)[both["row"].to_numpy()]
                 if np.ndim(no_car_share) else float(no_car_share))
        return both.assign(minutes=share * both["minutes_transit"]
                           + (1 - share) * both["minutes_car"])[["row", "col", "minutes"]]
