"""The three modes: which OSM ways each one uses, at what speed, in which direction.

Sources are in docs/methodology.md, "Routed travel times".
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

__all__ = [
    "ACCESS_KMH",
    "BIKE_KMH",
    "CAR_KMH",
    "EXCLUDED",
    "MODES",
    "PYROSM_TYPE",
    "SPEED_KMH",
    "WALK_KMH",
    "car_speeds_kmh",
    "directions",
    "parse_maxspeed",
]

MODES = ("walk", "bike", "car")

#: Walking speed, km/h: the default ``walk_speed`` of r5r's ``travel_time_matrix`` (R5).
WALK_KMH = 3.6
#: Cycling speed, km/h: the default ``bike_speed`` of r5r's ``travel_time_matrix`` (R5).
BIKE_KMH = 12.0
#: Speed of walk and bike on every way of their network (car: per way, :data:`CAR_KMH`).
SPEED_KMH = {"walk": WALK_KMH, "bike": BIKE_KMH}

#: Speed from a point to the network node it is snapped to, in a straight line. Walk and
#: bike keep their own speed; a car's last metres (from the road to the door) are walked.
#: Unconfirmed convention.
ACCESS_KMH = {"walk": WALK_KMH, "bike": BIKE_KMH, "car": WALK_KMH}

#: Car speed by ``highway`` class when a way has no usable ``maxspeed`` tag, km/h: the French
#: speed limits (130 motorways, 110 dual carriageways, 80 rural roads, 50 in towns, 30 and
#: 20 in residential and shared zones) lowered for the classes that rarely reach them.
#: Unconfirmed convention; only these classes are drivable.
CAR_KMH: dict[str, float] = {
    "motorway": 120.0, "motorway_link": 60.0,
    "trunk": 100.0, "trunk_link": 50.0,
    "primary": 80.0, "primary_link": 50.0,
    "secondary": 70.0, "secondary_link": 50.0,
    "tertiary": 60.0, "tertiary_link": 40.0,
    "unclassified": 50.0, "road": 40.0,
    "residential": 30.0, "living_street": 20.0, "service": 20.0,
}

#: Classes left out of a mode's network on top of pyrosm's filter of its network type.
EXCLUDED: dict[str, frozenset[str]] = {
    "walk": frozenset({"motorway", "motorway_link", "trunk", "trunk_link"}),
    "bike": frozenset({"motorway", "motorway_link"}),
    "car": frozenset(),
}

#: pyrosm's network type read for each mode.
PYROSM_TYPE = {"walk": "walking", "bike": "cycling", "car": "driving"}

# Implicit maxspeed values of France (OSM wiki, "Key:maxspeed", FR:*).
_IMPLICIT_KMH = {"fr:urban": 50.0, "fr:rural": 80.0, "fr:motorway": 130.0, "fr:walk": 6.0,
                 "fr:zone30": 30.0, "fr:zone20": 20.0}
_NUMBER = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(mph|km/h|kmh|kph)?\s*$")
_MPH_KMH = 1.609344
_FORWARD = frozenset({"yes", "true", "1"})
_BACKWARD = frozenset({"-1", "reverse"})
_ROUNDABOUT = frozenset({"roundabout", "circular"})


def parse_maxspeed(value: object) -> float:
    """Return a ``maxspeed`` tag in km/h, or NaN when it is missing or not understood.

    Several values (``"50;30"``) give the lowest.

    Examples
    --------
    >>> parse_maxspeed("50"), parse_maxspeed("30 mph"), parse_maxspeed("FR:rural")
    (50.0, 48.28032, 80.0)
    >>> parse_maxspeed("50;30"), parse_maxspeed("none")
    (30.0, nan)
    """
    if not isinstance(value, str):
        return math.nan
    speeds = []
    for part in value.split(";"):
        key = part.strip().lower()
        if key in _IMPLICIT_KMH:
            speeds.append(_IMPLICIT_KMH[key])
        elif match := _NUMBER.match(key):
            number = float(match.group(1).replace(",", "."))
            speeds.append(number * _MPH_KMH if match.group(2) == "mph" else number)
    usable = [s for s in speeds if s > 0]
    return min(usable) if usable else math.nan


def car_speeds_kmh(highway: pd.Series, maxspeed: pd.Series | None) -> np.ndarray:
    """Return each way's car speed: its ``maxspeed`` when usable, else its class's default.

    Examples
    --------
    >>> car_speeds_kmh(pd.Series(["primary", "residential"]), pd.Series(["90", None]))
    array([90., 30.])
    """
    default = highway.map(CAR_KMH).to_numpy(dtype=float)
    if maxspeed is None:
        return default
    tagged = np.array([parse_maxspeed(v) for v in maxspeed], dtype=float)
    return np.where(np.isnan(tagged), default, tagged)


def directions(mode: str, edges: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Return whether each way may be travelled forward, and backward, in this mode.

    Walking goes both ways. Cars and bikes follow ``oneway`` (``-1``: against the drawing)
    and roundabouts; bikes also take ``oneway:bicycle=no`` (contraflow lanes).

    Examples
    --------
    >>> ways = pd.DataFrame({"oneway": ["yes", "-1", None],
    ...                      "oneway:bicycle": [None, None, None]})
    >>> [a.tolist() for a in directions("car", ways)]
    [[True, False, True], [False, True, True]]
    """
    n = len(edges)
    if mode == "walk":
        return np.ones(n, bool), np.ones(n, bool)
    oneway = _lower(edges, "oneway")
    junction = _lower(edges, "junction")
    forward_only = oneway.isin(_FORWARD) | junction.isin(_ROUNDABOUT)
    backward_only = oneway.isin(_BACKWARD)
    if mode == "bike":
        contraflow = _lower(edges, "oneway:bicycle") == "no"
        forward_only &= ~contraflow
        backward_only &= ~contraflow
    return (~backward_only).to_numpy(), (~forward_only).to_numpy()


def _lower(edges: pd.DataFrame, column: str) -> pd.Series:
    if column not in edges:
        return pd.Series("", index=edges.index, dtype=object)
    return edges[column].astype(object).where(edges[column].notna(), "").astype(str).str.lower()
