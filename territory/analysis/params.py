"""The parameters of every indicator, each with its public source.

Sources and values are listed in docs/methodology.md, "Defaults".

:class:`Parameters` gathers the defaults the analysis uses: NEET rate, invisible share, access
threshold, travel-time conventions, E2SFCA distance decay, score weights and the small-count
threshold. :meth:`Parameters.sources` returns them as rows (label, value, source, in French) so
that a map or a report can print its methodology page. Values marked *convention non
confirmée* have no published source: they are defaults a user must be able to override.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import pandas as pd

from territory._errors import InputError, Problem
from territory.analysis.travel import (
    DEFAULT_MODE,
    MODES,
    WINDOWS,
    Mode,
    ModeName,
    timetabled,
)

__all__ = ["DECAYS", "DEFAULTS", "STEP_WEIGHTS", "Parameters"]

Decay = Literal["step", "gaussian", "none"]
DECAYS: tuple[str, ...] = ("step", "gaussian", "none")
# Luo & Qi (2009) weight the three 10-minute travel zones of a 30-minute catchment 1, 0.68
# and 0.22; the steps here are those of the threshold's thirds, so 30 min gives their zones.
STEP_WEIGHTS: tuple[float, float, float] = (1.0, 0.68, 0.22)

_NEET_SOURCE = "Dares Analyses n° 2020-006 (données 2018)"
_UNCONFIRMED = "convention non confirmée, modifiable"


def _pct(value: float) -> str:
    return f"{value * 100:.1f} %".replace(".", ",")


def _num(value: float) -> str:
    return f"{value:g}".replace(".", ",")


@dataclass(frozen=True)
class Parameters:
    """The defaults of every indicator, each with its source.

    Parameters
    ----------
    neet_rate
        Share of 16–25 year olds neither in employment, education nor training: 12.9 %
        (963,000 NEETs aged 16–25 in France in 2018; Dares Analyses 2020-006,
        docs/methodology.md, "NEET and invisible estimates").
    neet_rate_by_zone
        Local NEET rates that replace ``neet_rate``, keyed by ``code_insee``, ``epci_code`` or
        ``dep_code`` (the most specific key wins), e.g. a département's rate from INSEE or an
        ML's own figures.
    invisible_share
        Share of NEETs in contact with no public employment service: 37 % = 100 % − 63 %
        (Dares Analyses 2020-006, 2018; docs/methodology.md, "NEET and invisible estimates").
    threshold_min
        Access threshold in minutes: a service within 30 minutes of every resident, the France
        Services standard (docs/methodology.md, "Access"; no ML-specific threshold is
        published, and none for a trip on foot, by bike or by bus: the same 30 minutes).
    mode
        How young people travel (:mod:`territory.analysis.travel`): ``transit`` (default:
        NEET youth are the least likely to have a car), ``walk``, ``bike``, ``car`` or
        ``mix``.
    window
        The departure window of public transport from the timetables (``weekday_am``,
        ``weekday_pm``, ``saturday``: :data:`territory.analysis.travel.WINDOWS`), for
        ``transit`` and ``mix`` in a workspace built with ``territory network build --gtfs``;
        None: the estimate.
    detour_factor
        Road distance ÷ straight-line distance: 1.3. Unconfirmed convention (no published
        source, docs/methodology.md, "Access"); replace it with a routed travel-time matrix
        when one is available.
    speed_kmh
        The mode's speed, to override its default (3.6 km/h on foot and 12 by bike, R5's
        defaults; 20 for the public-transport estimate and 50 by car, unconfirmed
        conventions); for the mix, the car's.
    no_car_share
        Share of young people without a car, for the ``mix`` mode: 31 %, the complement of the
        69 % of rural young people who depend on a car (Chemins d'avenirs 2024; a reading of
        that figure, replace it with your own).
    decay
        E2SFCA distance decay (Luo & Qi 2009, *Health & Place* 15(4):1100–1107): ``"step"``
        weighs the threshold's thirds 1, 0.68 and 0.22 (their 0–10, 10–20, 20–30 min zones);
        ``"gaussian"`` is the smooth curve through the same end point (weight 0.22 at the
        threshold); ``"none"`` is the plain 2SFCA (Luo & Wang 2003).
    actions_as_sessions
        Count each physical outreach action of the period as one session of supply, beside the
        sites' ``sessions_per_month``. Unconfirmed convention.
    weight_need, weight_access, weight_reach
        Weights of the gap score's three components (0.4, 0.3, 0.3). Unconfirmed convention:
        no published weighting exists for an "invisible-zone" index.
    suppression_threshold
        Counts from 1 to ``suppression_threshold − 1`` are masked in public outputs: 11, i.e.
        counts of 10 or fewer are shown as "< 11" (digiNEET barometer;
        docs/methodology.md, "Statistical secrecy").

    Examples
    --------
    >>> Parameters().neet_rate
    0.129
    >>> Parameters(mode="car", speed_kmh=40).travel_min(10_000)
    19.5
    >>> float(Parameters().travel_min(10_000))  # public transport: 10 min, then 20 km/h
    49.0
    >>> round(float(Parameters().travel_min(500)), 1)  # on foot when it is quicker
    10.8
    """

    neet_rate: float = 0.129
    neet_rate_by_zone: Mapping[str, float] = field(default_factory=dict)
    invisible_share: float = 0.37
    threshold_min: float = 30.0
    mode: ModeName = DEFAULT_MODE
    window: str | None = None
    detour_factor: float = 1.3
    speed_kmh: float | None = None
    no_car_share: float = 0.31
    decay: Decay = "step"
    actions_as_sessions: bool = True
    weight_need: float = 0.4
    weight_access: float = 0.3
    weight_reach: float = 0.3
    suppression_threshold: int = 11

    def __post_init__(self) -> None:
        object.__setattr__(self, "neet_rate_by_zone",
                           MappingProxyType(dict(self.neet_rate_by_zone)))
        problems = self._problems()
        if problems:
            raise InputError([Problem(p, file="parameters") for p in problems])

    def __hash__(self) -> int:
        values = self.as_dict()
        values["neet_rate_by_zone"] = tuple(sorted(self.neet_rate_by_zone.items()))
        return hash(tuple(values.items()))

    def _problems(self) -> list[str]:
        problems = [f"`{name}` is {value!r}; expected a share between 0 and 1"
                    for name, value in (("neet_rate", self.neet_rate),
                                        ("invisible_share", self.invisible_share),
                                        ("no_car_share", self.no_car_share),
                                        *((f"neet_rate_by_zone[{k!r}]", v)
                                          for k, v in self.neet_rate_by_zone.items()))
                    if not 0 <= value <= 1]
        problems += [f"`{name}` is {value!r}; expected a positive number"
                     for name, value in (("threshold_min", self.threshold_min),
                                         ("detour_factor", self.detour_factor),
                                         ("speed_kmh", 1.0 if self.speed_kmh is None
                                          else self.speed_kmh))
                     if not value > 0]
        if self.mode not in MODES:
            problems.append(f"`mode` is {self.mode!r}; expected one of {list(MODES)}")
        if self.window is not None and self.window not in WINDOWS:
            problems.append(f"`window` is {self.window!r}; expected one of {list(WINDOWS)}")
        if self.decay not in DECAYS:
            problems.append(f"`decay` is {self.decay!r}; expected one of {list(DECAYS)}")
        if min(self.weights) < 0 or sum(self.weights) <= 0:
            problems.append(f"score weights are {self.weights}; expected non-negative "
                            "weights with a positive sum")
        return problems

    @property
    def weights(self) -> tuple[float, float, float]:
        """The score weights (need, access, reach)."""
        return (self.weight_need, self.weight_access, self.weight_reach)

    @property
    def travel_mode(self) -> Mode:
        """The travel mode (:data:`territory.analysis.travel.MODES`).

        Public transport from the timetables when a window is set.
        """
        if self.timetabled:
            return timetabled(self.mode, str(self.window))
        return MODES[self.mode]

    @property
    def timetabled(self) -> bool:
        """Whether public transport comes from the timetables (a window is set)."""
        return self.window is not None and self.mode in ("transit", "mix")

    def _speed(self, mode: Mode) -> float:
        if self.speed_kmh and (self.mode == mode.name or (self.mode == "mix"
                                                          and mode.name == "car")):
            return float(self.speed_kmh)
        return float(mode.speed_kmh or 1.0)

    def _per_m(self, mode: Mode) -> float:
        return self.detour_factor / self._speed(mode) * 60 / 1000

    def _mode_min(self, mode: Mode, distance_m: Any) -> Any:
        if mode.name == "transit":
            # On foot when it is quicker than walking to a stop and waiting.
            return np.minimum(distance_m * self._per_m(MODES["walk"]),
                              mode.overhead_min + distance_m * self._per_m(mode))
        return mode.overhead_min + distance_m * self._per_m(mode)

    def travel_min(self, distance_m: Any, no_car: Any = None) -> Any:
        """Return the minutes of straight-line metres in the chosen mode.

        Metres × detour ÷ speed; by public transport, the quicker of walking and of 10 min
        (to the stop, waiting) plus the bus; for the mix, the average of public transport
        (share without a car) and the car. ``no_car`` gives the share of each trip's origin
        (a commune's own, imported with ``territory import mobility``; NaN: the default).

        Examples
        --------
        >>> mix = Parameters(mode="mix")
        >>> [round(float(m), 1) for m in mix.travel_min(np.array([10_000.0] * 2),
        ...                                              no_car=np.array([np.nan, 1.0]))]
        [26.0, 49.0]
        """
        if self.mode == "mix":
            share = self.shares(no_car)
            return (share * self._mode_min(MODES["transit"], distance_m)
                    + (1 - share) * self._mode_min(MODES["car"], distance_m))
        return self._mode_min(self.travel_mode, distance_m)

    def shares(self, no_car: Any = None) -> Any:
        """Return the shares without a car: ``no_car`` where known, else ``no_car_share``."""
        if no_car is None:
            return self.no_car_share
        values = np.asarray(no_car, dtype=np.float64)
        return np.where(np.isnan(values), self.no_car_share, values)

    def reach_m(self, max_min: float) -> float:
        """Straight-line metres reached within ``max_min`` (travel time grows with distance).

        Examples
        --------
        >>> round(Parameters(mode="bike").reach_m(30))
        4615
        >>> round(Parameters().reach_m(30))  # 10 min, then 20 min by bus at 20 km/h
        5128
        """
        if max_min <= 0:
            return 0.0
        low, high = 0.0, max_min / 60 * 200_000.0
        for _ in range(60):
            mid = (low + high) / 2
            low, high = (mid, high) if float(self.travel_min(mid)) <= max_min else (low, mid)
        return low

    @property
    def radius_m(self) -> float:
        """Straight-line distance reached within ``threshold_min``, in metres."""
        return self.reach_m(self.threshold_min)

    def within(self, threshold_min: float | None = None) -> str:
        """Say in French what "covered" means: « à moins de 30 min à vélo ».

        Examples
        --------
        >>> Parameters(mode="walk").within()
        'à moins de 30 min à pied'
        """
        minutes = self.threshold_min if threshold_min is None else threshold_min
        return f"à moins de {_num(minutes)} min {self.travel_mode.words}"

    def replace(self, **changes: Any) -> Parameters:
        """Return a copy with some parameters changed.

        Examples
        --------
        >>> Parameters().replace(threshold_min=20).threshold_min
        20
        """
        return replace(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        """Return the parameters as plain values (for metadata and JSON)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values["neet_rate_by_zone"] = dict(self.neet_rate_by_zone)
        return values

    def sources(self, *, youth_source: str | None = None, routed: bool = False,
                feeds: str | None = None) -> pd.DataFrame:
        """Return the methodology rows: ``label``, ``value`` and ``source``, in French.

        Parameters
        ----------
        youth_source
            Where the youth counts come from (the communes' ``youth_source``), added as the
            first row when given.
        routed
            Whether routed minutes from an OpenStreetMap extract replace the straight-line
            estimate (``territory network build``): a row says so.
        feeds
            The GTFS feeds the timetabled minutes come from, their validity and the day used
            (:meth:`territory.analysis.travel.Routed.feeds_text`): a row says so when a window
            is set.

        Returns
        -------
        sources
            One row per parameter, ready to print on a methodology page.

        Examples
        --------
        >>> Parameters().sources().loc[0, "value"]
        '12,9 %'
        """
        rows = [
            ("Taux de NEET (16–25 ans)", _pct(self.neet_rate), _NEET_SOURCE
             + " : 963 000 NEET de 16–25 ans, 12,9 % de la classe d'âge"),
            ("Part des NEET invisibles (sans contact avec le service public de l'emploi)",
             _pct(self.invisible_share), _NEET_SOURCE + " : 63 % en contact, donc 37 % sans"),
            ("Seuil d'accès", f"{_num(self.threshold_min)} min",
             "Norme France Services : un service à moins de 30 minutes ; aucun seuil propre "
             "aux Missions Locales n'est publié"),
            ("Mode de déplacement", self.travel_mode.label,
             "par défaut les transports en commun : les NEET sont les moins motorisés "
             "(GREF Bretagne ; Chemins d'avenirs 2024)" if self.mode == DEFAULT_MODE
             else "choisi par l'utilisateur (par défaut : transports en commun)"),
            *self._speed_rows(),
            ("Facteur de détour (route / vol d'oiseau)", _num(self.detour_factor),
             _UNCONFIRMED),
            ("Décroissance E2SFCA", _decay_label(self.decay),
             "Luo & Qi (2009), Health & Place 15(4) : 1100–1107"),
            ("Actions physiques comptées comme séances", "oui" if self.actions_as_sessions
             else "non", _UNCONFIRMED),
            ("Pondérations de l'indice de zone invisible (besoin, accès, atteinte)",
             " / ".join(_num(w) for w in self.weights), _UNCONFIRMED),
            ("Secret statistique", f"effectifs de 1 à {self.suppression_threshold - 1} "
             f"affichés « < {self.suppression_threshold} »",
             "Baromètre digiNEET : effectifs de 10 ou moins masqués"),
        ]
        if self.neet_rate_by_zone:
            rows.insert(1, ("Taux de NEET locaux", f"{len(self.neet_rate_by_zone)} zone(s)",
                            "fournis par l'utilisateur"))
        if routed:
            rows.insert(4, ("Temps de trajet", "routés sur OpenStreetMap",
                            "territory network build : à pied, à vélo et en voiture sur le "
                            "réseau ; " + ("transports en commun sur les horaires"
                                           if self.timetabled else
                                           "transports en commun estimés sur le réseau "
                                           "routier (10 min puis 2,5 fois le temps en "
                                           "voiture, ou à pied si c'est plus court)")
                            + " ; vol d'oiseau pour les lieux non routés"))
        if self.timetabled:
            rows.insert(4, ("Horaires de transports en commun", WINDOWS[str(self.window)].label,
                            (feeds or "horaires GTFS") + " ; médiane des temps de trajet "
                            "pour un départ à chaque minute de la fenêtre (marche, attente, "
                            "correspondances comprises)"))
        if youth_source:
            rows.insert(0, ("Jeunes (16–25 ans)", "par commune", youth_source))
        return pd.DataFrame(rows, columns=["label", "value", "source"])

    def _speed_rows(self) -> list[tuple[str, str, str]]:
        modes = [MODES["transit"], MODES["car"]] if self.mode == "mix" else [self.travel_mode]
        if self.timetabled:
            modes = [MODES["car"]] if self.mode == "mix" else []
        rows = []
        for mode in modes:
            speed = self._speed(mode) if (self.mode != "mix" or mode.name == "car") \
                else float(mode.speed_kmh or 1.0)
            source = _UNCONFIRMED if self.speed_kmh and mode.speed_kmh else mode.source
            rows.append((f"Vitesse — {mode.label}", f"{_num(speed)} km/h", source))
        if self.mode == "mix":
            rows.append(("Part des jeunes sans voiture", _pct(self.no_car_share),
                         "complément des 69 % de jeunes ruraux dépendants de la voiture "
                         "(Chemins d'avenirs 2024) ; lecture de ce chiffre, modifiable"))
        return rows


def _decay_label(decay: str) -> str:
    if decay == "step":
        return "paliers 1 / 0,68 / 0,22 par tiers du seuil"
    if decay == "gaussian":
        return "gaussienne (poids 0,22 au seuil)"
    return "aucune (2SFCA)"


DEFAULTS = Parameters()
"""The documented defaults (frozen: safe to share as a default argument)."""
