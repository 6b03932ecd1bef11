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

import pandas as pd

from territory._errors import InputError, Problem

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
        published).
    detour_factor
        Road distance ÷ straight-line distance: 1.3. Unconfirmed convention (no published
        source, docs/methodology.md, "Access"); replace it with a routed travel-time matrix
        when one is available.
    speed_kmh
        Mean road speed: 50 km/h. Unconfirmed convention (no published source,
        docs/methodology.md, "Access").
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
    >>> Parameters(speed_kmh=40).travel_min(10_000)
    19.5
    """

    neet_rate: float = 0.129
    neet_rate_by_zone: Mapping[str, float] = field(default_factory=dict)
    invisible_share: float = 0.37
    threshold_min: float = 30.0
    detour_factor: float = 1.3
    speed_kmh: float = 50.0
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
                                        *((f"neet_rate_by_zone[{k!r}]", v)
                                          for k, v in self.neet_rate_by_zone.items()))
                    if not 0 <= value <= 1]
        problems += [f"`{name}` is {value!r}; expected a positive number"
                     for name, value in (("threshold_min", self.threshold_min),
                                         ("detour_factor", self.detour_factor),
                                         ("speed_kmh", self.speed_kmh))
                     if not value > 0]
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
    def radius_m(self) -> float:
        """Straight-line distance reached within ``threshold_min``, in metres."""
        return self.threshold_min / 60 * self.speed_kmh * 1000 / self.detour_factor

    def travel_min(self, distance_m: Any) -> Any:
        """Return travel minutes for straight-line metres: distance × detour ÷ speed."""
        return distance_m / 1000 * self.detour_factor / self.speed_kmh * 60

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

    def sources(self, *, youth_source: str | None = None) -> pd.DataFrame:
        """Return the methodology rows: ``label``, ``value`` and ``source``, in French.

        Parameters
        ----------
        youth_source
            Where the youth counts come from (the communes' ``youth_source``), added as the
            first row when given.

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
            ("Facteur de détour (route / vol d'oiseau)", _num(self.detour_factor),
             _UNCONFIRMED),
            ("Vitesse moyenne", f"{_num(self.speed_kmh)} km/h", _UNCONFIRMED),
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
        if youth_source:
            rows.insert(0, ("Jeunes (16–25 ans)", "par commune", youth_source))
        return pd.DataFrame(rows, columns=["label", "value", "source"])


def _decay_label(decay: str) -> str:
    if decay == "step":
        return "paliers 1 / 0,68 / 0,22 par tiers du seuil"
    if decay == "gaussian":
        return "gaussienne (poids 0,22 au seuil)"
    return "aucune (2SFCA)"


DEFAULTS = Parameters()
"""The documented defaults (frozen: safe to share as a default argument)."""
