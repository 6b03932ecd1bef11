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
- ``transit`` (transports en commun): from the timetables when the workspace has them
  (``territory network build --gtfs``), over a departure window (:data:`WINDOWS`: weekday
  7–9 h, weekday 17–19 h, Saturday 10–12 h), the median of the minute-by-minute trip times;
  otherwise an estimate, 10 minutes to walk to a stop and wait, then the road at 20 km/h
  door to door (an unconfirmed convention).
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

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = ["BUS_OVER_CAR", "DEFAULT_MODE", "DEFAULT_WINDOW", "FEEDS_LAYER", "MODES", "ROUTED_LAYER",
           "ROUTED_MODES", "TRANSIT_OVERHEAD_MIN", "WINDOWS", "Mode", "ModeName", "Routed",
           "Window", "point_keys", "routed_pairs", "split_travel", "timetabled", "travel_key"]

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


@dataclass(frozen=True)
class Window:
    """A departure window of public transport: which day, from when to when.

    Attributes
    ----------
    name
        ``weekday_am``, ``weekday_pm`` or ``saturday``.
    label
        The window in French (« semaine 7 h–9 h »).
    saturday
        Whether the window is on the Saturday (else the weekday) of the feeds.
    start_s, end_s
        The window, in seconds after midnight (end excluded).
    """

    name: str
    label: str
    saturday: bool
    start_s: int
    end_s: int


WINDOWS: dict[str, Window] = {
    "weekday_am": Window("weekday_am", "semaine 7 h–9 h", False, 7 * 3600, 9 * 3600),
    "weekday_pm": Window("weekday_pm", "semaine 17 h–19 h", False, 17 * 3600, 19 * 3600),
    "saturday": Window("saturday", "samedi 10 h–12 h", True, 10 * 3600, 12 * 3600),
}
"""The departure windows of timetabled public transport: the morning and evening of a
weekday, and Saturday late morning (the hours the IN Système call asked for beside office
hours; docs/methodology.md, "Public transport timetables")."""


DEFAULT_WINDOW = "weekday_am"
"""The window used when a workspace has timetables and none is asked for."""


def travel_key(mode: str, window: str | None) -> str:
    """Return one string for a mode and its window (``transit@weekday_am``), for caches.

    Examples
    --------
    >>> travel_key("transit", "saturday"), travel_key("car", "saturday")
    ('transit@saturday', 'car')
    """
    return f"{mode}@{window}" if window and mode in ("transit", "mix") else mode


def split_travel(key: str) -> tuple[str, str | None]:
    """Return the mode and window of a :func:`travel_key`.

    Examples
    --------
    >>> split_travel("mix@weekday_pm"), split_travel("walk")
    (('mix', 'weekday_pm'), ('walk', None))
    """
    mode, _, window = key.partition("@")
    return mode, window or None


def timetabled(label: str, window: str) -> Mode:
    """Return public transport from the timetables over ``window``, its words and source.

    Examples
    --------
    >>> timetabled("transit", "saturday").words
    'en transports en commun (samedi 10 h–12 h)'
    """
    frame = WINDOWS[window].label
    if label == "mix":
        return Mode("mix", f"mixte (avec ou sans voiture ; transports en commun {frame})",
                    f"(temps moyen des jeunes avec et sans voiture ; transports en commun "
                    f"{frame})", None, 0.0,
                    "moyenne des transports en commun (horaires GTFS, jeunes sans voiture) et "
                    "de la voiture", f"Mixte ({frame})")
    return Mode("transit", f"transports en commun ({frame})", f"en transports en commun "
                f"({frame})", 20.0, TRANSIT_OVERHEAD_MIN,
                f"horaires GTFS (territory network build --gtfs) : médiane des départs de "
                f"chaque minute, {frame} ; estimation (10 min puis 20 km/h) pour les lieux "
                "hors des horaires", f"Transports en commun ({frame})")


# -- routed times ---------------------------------------------------------------------------
ROUTED_LAYER = "travel_times"
"""The workspace table of routed minutes (``territory network build``)."""
ROUTED_MODES = ("walk", "bike", "car")
FEEDS_LAYER = "transit_feeds"
"""The workspace table of the GTFS feeds the timetabled minutes come from."""
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
                 targets_xy: NDArray[np.float64], mode: str, *,
                 column: str = "minutes") -> pd.DataFrame:
    """Return the stored minutes of one routed mode: ``row``, ``col``, ``minutes``.

    ``row`` is the origin's position in ``origin_codes``, ``col`` the target's in
    ``targets_xy``; pairs beyond the stored cutoff are absent. ``column``: the stored
    column read into ``minutes`` (``minutes_high`` for the timetables' high percentile,
    absent pairs beyond the cutoff too).
    """
    stored = frame[frame["mode"].astype(str) == mode]
    rows = pd.DataFrame({"origin": np.asarray(origin_codes, dtype=str),
                         "row": np.arange(len(origin_codes))})
    cols = pd.DataFrame({"key": point_keys(targets_xy), "col": np.arange(len(targets_xy))})
    keys = (stored["dest_x"].to_numpy(dtype=np.int64) * _KEY
            + stored["dest_y"].to_numpy(dtype=np.int64))
    pairs = pd.DataFrame({"origin": stored["origin"].astype(str).to_numpy(), "key": keys,
                          "minutes": stored[column].to_numpy(dtype=float)})
    if column != "minutes":
        pairs = pairs[pairs["minutes"].notna()]
    found = pairs.merge(rows, on="origin").merge(cols, on="key")
    return found[["row", "col", "minutes"]].reset_index(drop=True)


@dataclass(frozen=True, eq=False)
class Routed:
    """Routed minutes from communes to destination points (``territory network build``).

    ``frame`` has the columns ``origin`` (code INSEE), ``dest_x``, ``dest_y`` (Lambert-93
    metres), ``mode`` (walk, bike, car; transit from the timetables), ``window`` (the
    departure window of transit rows, empty otherwise), ``minutes`` (transit: the median
    over the window) and ``minutes_high`` (transit: the window's high percentile), for the
    pairs within the stored cutoff. Without timetables, public transport is estimated on the
    road network (10 min, then the car's routed minutes × :data:`BUS_OVER_CAR`, or walking
    when quicker); the mix averages public transport with the car.
    ``feeds`` lists the GTFS feeds of the timetabled rows (file, agencies, validity, dates).
    """

    frame: pd.DataFrame
    feeds: pd.DataFrame | None = None

    @classmethod
    def of(cls, layers: Mapping[str, pd.DataFrame]) -> Routed | None:
        """Return the routed minutes of a workspace's layers, None without them."""
        frame = layers.get(ROUTED_LAYER)
        if frame is None or frame.empty:
            return None
        frame = pd.DataFrame(frame)
        if "window" not in frame:
            frame = frame.assign(window="")
        elif frame["window"].isna().any():
            frame["window"] = frame["window"].fillna("")
        feeds = layers.get(FEEDS_LAYER)
        return cls(frame, None if feeds is None or feeds.empty else pd.DataFrame(feeds))

    @property
    def cutoff_min(self) -> float:
        """The longest stored trip: beyond it, a pair is absent."""
        return float(self.frame["minutes"].max())

    @property
    def windows(self) -> tuple[str, ...]:
        """The departure windows with timetabled public transport, in :data:`WINDOWS` order."""
        present = set(self.frame.loc[self.frame["mode"] == "transit", "window"])
        return tuple(w for w in WINDOWS if w in present)

    @property
    def on_roads(self) -> bool:
        """Whether the minutes on foot, by bike or by car were routed (OSM extract)."""
        return bool(self.frame["mode"].isin(ROUTED_MODES).any())

    def feeds_text(self) -> str | None:
        """Say in French which feeds the timetabled minutes come from (None without).

        The feeds, their validity, the days read, the walking legs and the rides.

        Examples
        --------
        >>> feeds = pd.DataFrame({"file": ["car.zip"], "agencies": ["Car régional"],
        ...     "start": ["2026-09-01"], "end": ["2026-12-31"], "weekday": ["2026-09-08"],
        ...     "saturday": ["2026-09-12"], "walk": ["en ligne droite"], "max_rides": [3]})
        >>> Routed(pd.DataFrame(), feeds).feeds_text()  # doctest: +NORMALIZE_WHITESPACE
        'car.zip (Car régional), valable du 01/09/2026 au 31/12/2026 ; horaires du mardi
        08/09/2026 et du samedi 12/09/2026 ; marche en ligne droite ; 3 véhicules au plus'
        """
        feeds = self.feeds_source()
        if feeds is None or self.feeds is None:
            return None
        first = self.feeds.iloc[0]
        days = f"horaires du {_weekday(first['weekday'])} {_fr_date(first['weekday'])}"
        if first.get("saturday"):
            days += f" et du samedi {_fr_date(first['saturday'])}"
        text = (f"{feeds} ; {days} ; marche {first['walk']} ; {int(first['max_rides'])} "
                "véhicules au plus")
        if int(first.get("no_stop", 0) or 0):
            text += (f" ; {_count(int(first['no_stop']))} communes sur "
                     f"{_count(int(first['communes']))} sans arrêt à moins de "
                     f"{float(first['access_min']):g} min à pied (la marche seule)")
        return text

    def feeds_source(self) -> str | None:
        """Name the feeds and their validity in French (None without timetables).

        Examples
        --------
        >>> feeds = pd.DataFrame({"file": ["car.zip"], "agencies": ["Car régional"],
        ...     "start": ["2026-09-01"], "end": ["2026-12-31"]})
        >>> Routed(pd.DataFrame(), feeds).feeds_source()
        'car.zip (Car régional), valable du 01/09/2026 au 31/12/2026'
        """
        if self.feeds is None or self.feeds.empty:
            return None
        return "; ".join(
            f"{row['file']} ({row['agencies'] or 'réseau sans nom'}), valable du "
            f"{_fr_date(row['start'])} au {_fr_date(row['end'])}"
            for _, row in self.feeds.iterrows())

    def _rows(self, mode: str, window: str | None = None) -> pd.DataFrame:
        frame = self.frame
        return frame[(frame["mode"] == mode) & (frame["window"] == (window or ""))]

    def covers(self, targets_xy: NDArray[np.float64], mode: str = "car",
               window: str | None = None) -> NDArray[np.bool_]:
        """Return which points have routed minutes in ``mode`` (and ``window``).

        Public transport over a window needs the timetabled rows (and the mix, the car's as
        well); without a window it is estimated from the car's routed minutes.
        """
        needed = []
        if mode in ROUTED_MODES:
            needed.append(self._rows(mode))
        elif window and mode in ("transit", "mix"):
            needed.append(self._rows("transit", window))
            if mode == "mix":
                needed.append(self._rows("car"))
        else:
            needed.append(self._rows("car"))
        found = np.ones(len(np.asarray(targets_xy).reshape(-1, 2)), dtype=bool)
        for rows in needed:
            keys = (rows["dest_x"].to_numpy(dtype=np.int64) * _KEY
                    + rows["dest_y"].to_numpy(dtype=np.int64))
            found &= np.isin(point_keys(targets_xy), np.unique(keys))
        return found

    def pairs(self, origin_codes: Sequence[str] | NDArray[np.str_],
              targets_xy: NDArray[np.float64], *, mode: str,
              no_car_share: float | NDArray[np.float64],
              window: str | None = None, column: str = "minutes") -> pd.DataFrame:
        """Return ``row``, ``col``, ``minutes`` of the mode.

        Public transport and the mix are estimated on the road network without a window.
        ``no_car_share`` is one share, or each origin's (for the mix). ``column``
        ``minutes_high``: the timetables' high percentile instead of the median (public
        transport over a window only).
        """
        if column != "minutes":
            if mode != "transit" or not window:
                raise ValueError(f"{column!r} is stored for public transport over a window "
                                 f"only, not for {mode!r} without one")
            return routed_pairs(self._rows("transit", window), origin_codes, targets_xy,
                                "transit", column=column)
        if mode in ROUTED_MODES:
            return routed_pairs(self._rows(mode), origin_codes, targets_xy, mode)
        car = routed_pairs(self._rows("car"), origin_codes, targets_xy, "car")
        if window:
            transit = routed_pairs(self._rows("transit", window), origin_codes, targets_xy,
                                   "transit")
        else:
            walk = routed_pairs(self._rows("walk"), origin_codes, targets_xy, "walk")
            bus = car.assign(minutes=TRANSIT_OVERHEAD_MIN + BUS_OVER_CAR * car["minutes"])
            transit = pd.DataFrame(pd.concat([bus, walk]).groupby(["row", "col"],
                                                                   as_index=False)
                                   ["minutes"].min())
        if mode == "transit":
            return transit
        both = transit.merge(car, on=["row", "col"], suffixes=("_transit", "_car"))
        share = (np.asarray(no_car_share, dtype=np.float64)[both["row"].to_numpy()]
                 if np.ndim(no_car_share) else float(no_car_share))
        return both.assign(minutes=share * both["minutes_transit"]
                           + (1 - share) * both["minutes_car"])[["row", "col", "minutes"]]


_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def _fr_date(value: object) -> str:
    """Return an ISO date as DD/MM/YYYY."""
    text = str(value)
    return f"{text[8:10]}/{text[5:7]}/{text[:4]}" if len(text) >= 10 else text


def _weekday(value: object) -> str:
    return _DAYS[dt.date.fromisoformat(str(value)[:10]).weekday()]


def _count(value: int) -> str:
    """Return a count in French (thin space between thousands)."""
    return f"{value:,}".replace(",", "\u202f")
