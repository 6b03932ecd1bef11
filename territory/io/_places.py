"""Places in a user's file: commune codes, coordinates, town halls, and the ML that covers them.

Commune codes are checked against the reference base of the workspace; a postal code given
instead is recognised and reported with the INSEE code to use. The code of a commune déléguée
or associée, or of a municipal arrondissement, is read as the commune it is part of (the
base's table ``codes_rattaches``), and the import says so. Coordinates are recognised as
longitude/latitude (WGS84) or Lambert-93 X/Y, checked to fall in the region, and returned in
Lambert-93.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from territory._crs import LAMBERT93, WGS84
from territory._errors import WorkspaceError
from territory._french import area_name
from territory.io import geodata
from territory.io._values import BadValue, as_text, normalise, parse_number, shown
from territory.sources import COMMUNE_CODES_VINTAGE

__all__ = [
    "Attached",
    "Code",
    "MlIndex",
    "Reference",
    "attached_note",
    "check_code",
    "classify_xy",
    "communes_of",
    "outside_region",
    "read_xy",
    "resolve_code",
    "to_lambert93",
    "town_halls",
]

# A place within this distance of the region's boundary still counts as in it: the boundary
# is generalised, and coastal outreach (beaches, harbours) sits on its edge.
REGION_TOLERANCE_M = 1000.0
# France's metropolitan departments and overseas ones, to tell a commune outside the region
# from a code that is no commune at all.
_DEPARTMENTS = ({f"{d:02d}" for d in range(1, 96)} - {"20"}) | {"2A", "2B"}
_OVERSEAS = {"971", "972", "973", "974", "975", "976"}
_LONLAT = ((-6.0, 10.0), (41.0, 52.0))
_L93 = ((50_000.0, 1_300_000.0), (6_000_000.0, 7_200_000.0))
_TO_L93 = Transformer.from_crs(WGS84, LAMBERT93, always_xy=True)
_EXAMPLE = "e.g. '33063' for Bordeaux"


@dataclass(frozen=True)
class Attached:
    """A code that is part of a commune: a commune déléguée or associée, or an arrondissement.

    Examples
    --------
    >>> str(Attached("17001", "Agonnay", "commune associée", "17397", "Saint-Savinien"))
    '17001 (Agonnay, commune associée) → 17397 Saint-Savinien'
    """

    code: str
    name: str
    kind: str
    parent: str
    parent_name: str

    def __str__(self) -> str:
        return f"{self.code} ({self.name}, {self.kind}) → {self.parent} {self.parent_name}"


class Code(NamedTuple):
    """A commune code read from a cell: the commune, whether the base holds it, and how."""

    code: str
    in_region: bool
    # Set when the cell gave a code that is part of this commune.
    attached: Attached | None = None


@dataclass
class Reference:
    """The reference data an import checks places against: communes, town halls, postcodes.

    ``attached`` holds the codes that are part of a commune (table ``codes_rattaches``).
    """

    communes: gpd.GeoDataFrame
    mairies: gpd.GeoDataFrame
    postal: dict[str, list[str]]
    region: Any
    region_name: str
    attached: dict[str, Attached] = field(default_factory=dict)
    checked: dict[tuple[Any, ...], Any] = field(default_factory=dict)

    @classmethod
    def load(cls, read: Any) -> Reference:
        """Load from a layer reader (``Workspace.read`` or :func:`geodata.read_reference`)."""
        communes = read("communes")
        postal: dict[str, list[str]] = {}
        postal_table = _table(read, "codes_postaux")
        for cp, code in zip(postal_table["code_postal"], postal_table["code_insee"],
                            strict=True):
            postal.setdefault(str(cp), []).append(str(code))
        attached_table = _table(read, "codes_rattaches")
        attached = {str(row.code): Attached(str(row.code), str(row.nom), str(row.kind),
                                            str(row.parent_code), str(row.parent_nom))
                    for row in attached_table.itertuples(index=False)}
        region = read("region")
        # A base of several regions (or of France) is checked against all of them.
        geometry = shapely.multipolygons(shapely.get_parts(region.geometry.to_numpy()))
        shapely.prepare(geometry)
        return cls(communes.set_index("code_insee", drop=False), read("mairies"), postal,
                   geometry, area_name(region["nom"].astype(str).tolist()), attached)

    @classmethod
    def from_path(cls, path: Path | None) -> Reference:
        """Load from a workspace file, or from the shipped base when there is none yet."""
        if path is not None and Path(path).exists():
            from territory.io.workspace import Workspace  # noqa: PLC0415 (no cycle at import)

            return cls.load(Workspace(path).read)
        return cls.load(geodata.read_reference)

    def name(self, code: str) -> str:
        """Return the name of a commune of the region."""
        return str(self.communes.at[code, "nom"])

    @property
    def departments(self) -> set[str]:
        """The département codes of the region."""
        return set(self.communes["dep_code"])


def _table(read: Any, layer: str) -> pd.DataFrame:
    """Read a reference table; a workspace made before the base held it reads the shipped one."""
    try:
        return read(layer)
    except WorkspaceError:
        return geodata.read_reference(layer)


def check_code(value: Any, ref: Reference, *, name_hint: str = "") -> tuple[str, bool]:
    """Return ``(code, in_region)`` for a commune code, or raise :class:`BadValue`.

    As :func:`resolve_code`, without saying whether the code was one attached to the commune.
    """
    code = resolve_code(value, ref, name_hint=name_hint)
    return code.code, code.in_region


def resolve_code(value: Any, ref: Reference, *, name_hint: str = "") -> Code:
    """Return the commune a code gives, whether the base holds it, and how; or raise BadValue.

    The code of a commune déléguée or associée, or of a municipal arrondissement, gives the
    commune it is part of (``attached`` then says which code it was). ``name_hint`` (the
    commune's name from the same row, if any) picks the right INSEE code when a postal code
    serves several communes. Answers are remembered per reference, since a file repeats the
    same codes on many rows.

    Examples
    --------
    >>> ref = Reference.from_path(None)
    >>> code = resolve_code("17001", ref)
    >>> code.code, code.in_region, str(code.attached)
    ('17397', True, '17001 (Agonnay, commune associée) → 17397 Saint-Savinien')
    >>> resolve_code("75101", ref)[:2]
    ('75056', False)
    """
    key = (type(value), value, name_hint)
    if key not in ref.checked:
        try:
            ref.checked[key] = _check_code(value, ref, name_hint=name_hint)
        except BadValue as bad:
            ref.checked[key] = bad
    answer = ref.checked[key]
    if isinstance(answer, BadValue):
        raise BadValue(str(answer))
    return Code(*answer)


def _check_code(value: Any, ref: Reference, *, name_hint: str) -> Code:
    text = _code_text(value, ref)
    if not text:
        raise BadValue(f"is empty; expected the commune's INSEE code (5 characters, {_EXAMPLE})")
    if text in ref.communes.index:
        return Code(text, True)
    attached = ref.attached.get(text)
    if attached is not None and text in ref.postal:
        attached = _attached_or_postal(value, attached, ref, name_hint)
    if attached is not None:
        return Code(attached.parent, attached.parent in ref.communes.index, attached)
    if text in ref.postal:
        raise BadValue(_postal_message(text, ref.postal[text], ref, name_hint))
    if len(text) != 5 or not text.isalnum():
        raise BadValue(f"{shown(value)} is not a commune code: expected 5 characters "
                       f"({_EXAMPLE})")
    department = text[:3] if text[:3] in _OVERSEAS else text[:2]
    if department in ref.departments:
        hint = _by_name(name_hint, ref)
        fix = f"use '{hint}' ({ref.name(hint)})" if hint else "check the code"
        raise BadValue(f"{shown(value)} is not a commune of {ref.region_name} (no such code in "
                       f"the reference base); {fix}")
    if department not in _DEPARTMENTS | _OVERSEAS:
        raise BadValue(f"{shown(value)} is not a commune code: no département "
                       f"{department!r} ({_EXAMPLE})")
    return Code(text, False)


def _code_text(value: Any, ref: Reference) -> str:
    text = as_text(value).upper().replace(" ", "")
    if text.isdigit() and len(text) == 4 and ("0" + text in ref.communes.index
                                              or "0" + text in ref.attached):
        text = "0" + text  # Excel drops the leading zero of 01004
    return text


def _attached_or_postal(value: Any, attached: Attached, ref: Reference,
                        name_hint: str) -> Attached | None:
    """Tell a code attached to a commune from the postal code it also is (None: postal).

    The row's commune name decides; without one, a code whose postal communes are all its
    parent means that commune either way, and any other is refused as ambiguous.
    """
    postal = ref.postal[attached.code]
    hint = normalise(name_hint)
    if hint and hint in (normalise(attached.name), normalise(attached.parent_name)):
        return attached
    if hint and _by_name(name_hint, ref, among=postal):
        return None
    if set(postal) == {attached.parent}:
        return attached
    listed = ", ".join(f"'{c}' ({ref.name(c)})" for c in postal[:6])
    listed += f" and {len(postal) - 6} others" if len(postal) > 6 else ""
    raise BadValue(f"{shown(value)} is both the INSEE code of {attached.name} ({attached.kind} "
                   f"of '{attached.parent}' {attached.parent_name}) and a postal code of "
                   f"{listed}; use '{attached.parent}' for {attached.parent_name}, or the "
                   "INSEE code of the commune meant (a `Commune` column with its name also "
                   "tells them apart)")


def _postal_message(postcode: str, codes: list[str], ref: Reference, name_hint: str) -> str:
    hint = _by_name(name_hint, ref, among=codes)
    if len(codes) == 1 or hint:
        code = hint or codes[0]
        return f"'{postcode}' is a postal code, not an INSEE code: use '{code}' ({ref.name(code)})"
    listed = ", ".join(f"'{c}' ({ref.name(c)})" for c in codes[:6])
    more = f" or {len(codes) - 6} others" if len(codes) > 6 else ""
    return (f"'{postcode}' is a postal code shared by {len(codes)} communes, not an INSEE "
            f"code: use the INSEE code of the commune, one of {listed}{more}")


def _by_name(name: str, ref: Reference, among: list[str] | None = None) -> str | None:
    key = normalise(name)
    if not key:
        return None
    names = ref.communes["nom"] if among is None else ref.communes.loc[among, "nom"]
    hits = [code for code, nom in names.items() if normalise(str(nom)) == key]
    return str(hits[0]) if len(hits) == 1 else None


def attached_note(counts: Mapping[Attached, int], ref: Reference, *,
                  unit: tuple[str, str] = ("ligne", "lignes")) -> str:
    """Say, in French, which codes were read as the commune they are part of, and how often.

    Examples
    --------
    >>> ref = Reference.from_path(None)
    >>> print(attached_note({ref.attached["75101"]: 1, ref.attached["17001"]: 3}, ref))
    codes rapportés à la commune dont ils font partie (INSEE, COG 2025) :
        17001 (Agonnay, commune associée) → 17397 Saint-Savinien : 3 lignes
        75101 (Paris 1er Arrondissement, arrondissement municipal) → 75056 Paris, hors \
région : 1 ligne
    """
    lines = [f"codes rapportés à la commune dont ils font partie (INSEE, COG "
             f"{COMMUNE_CODES_VINTAGE}) :"]
    for attached in sorted(counts, key=lambda a: a.code):
        where = "" if attached.parent in ref.communes.index else ", hors région"
        count = counts[attached]
        lines.append(f"    {attached}{where} : {count} {unit[0] if count <= 1 else unit[1]}")
    return "\n".join(lines)


# -- coordinates -------------------------------------------------------------------------------
def classify_xy(x: float, y: float) -> str:
    """Return 'lonlat', 'l93', 'latlon' (swapped), 'l93-swapped' or 'unknown'."""
    def inside(a: float, b: float, box: tuple[tuple[float, float], ...]) -> bool:
        return box[0][0] <= a <= box[0][1] and box[1][0] <= b <= box[1][1]

    if inside(x, y, _LONLAT):
        return "lonlat"
    if inside(x, y, _L93):
        return "l93"
    if inside(y, x, _LONLAT):
        return "latlon"
    if inside(y, x, _L93):
        return "l93-swapped"
    if abs(x) <= 180 and abs(y) <= 90:
        return "lonlat"
    return "unknown"


def read_xy(x_raw: Any, y_raw: Any) -> tuple[float, float]:
    """Read a coordinate pair (French decimals accepted)."""
    return (parse_number(x_raw, what="a longitude or Lambert-93 X"),
            parse_number(y_raw, what="a latitude or Lambert-93 Y"))


def to_lambert93(xy: np.ndarray, systems: list[str]) -> np.ndarray:
    """Return Lambert-93 coordinates of pairs recognised as 'lonlat' or 'l93'."""
    out = np.array(xy, dtype=float).reshape(-1, 2)
    lonlat = np.array([s == "lonlat" for s in systems], dtype=bool)
    if lonlat.any():
        out[lonlat, 0], out[lonlat, 1] = _TO_L93.transform(out[lonlat, 0], out[lonlat, 1])
    return out


def outside_region(points: np.ndarray, ref: Reference) -> np.ndarray:
    """Return, for each point, its distance (m) outside the region, 0 when inside."""
    near = shapely.dwithin(ref.region, points, REGION_TOLERANCE_M)
    distance = np.zeros(len(points))
    far = ~near
    if far.any():
        distance[far] = shapely.distance(ref.region, points[far])
    return distance


def communes_of(points: np.ndarray, ref: Reference) -> list[str]:
    """Return the code of the commune holding each point (the nearest on the coast)."""
    tree = shapely.STRtree(ref.communes.geometry.values)
    codes = ref.communes["code_insee"].to_numpy()
    found = [""] * len(points)
    inside = tree.query(points, predicate="within")
    for point_index, commune_index in zip(*inside, strict=True):
        found[point_index] = str(codes[commune_index])
    missing = [i for i, c in enumerate(found) if not c]
    if missing:
        nearest = tree.query_nearest(points[missing], max_distance=REGION_TOLERANCE_M * 2)
        for point_index, commune_index in zip(*nearest, strict=True):
            found[missing[point_index]] = found[missing[point_index]] or str(
                codes[commune_index])
    return found


def town_halls(codes: list[str], ref: Reference) -> np.ndarray:
    """Return the town-hall point of each commune code."""
    points = ref.mairies.set_index("code_insee").geometry
    return np.asarray(points.reindex(codes).to_numpy(), dtype=object)


# -- which Mission Locale covers a place ---------------------------------------------------------
@dataclass
class MlIndex:
    """The Missions Locales of the workspace, and which one covers each commune."""

    codes: set[str]
    by_commune: dict[str, str]

    @classmethod
    def from_layers(cls, catchments: pd.DataFrame | None,
                    members: pd.DataFrame | None) -> MlIndex:
        """Build from the ``catchments`` and ``catchment_members`` layers (may be empty)."""
        if catchments is None or members is None or catchments.empty:
            return cls(set(), {})
        ordered = members.assign(ml_code=members["ml_code"].astype(str),
                                 code_insee=members["code_insee"].astype(str))
        ordered = ordered.sort_values(["code_insee", "share", "ml_code"],
                                      ascending=[True, False, True])
        first = ordered.drop_duplicates("code_insee")
        return cls(set(catchments["ml_code"].astype(str)),
                   dict(zip(first["code_insee"], first["ml_code"], strict=True)))

    @property
    def empty(self) -> bool:
        """Whether the workspace has no catchments yet."""
        return not self.codes

    def known(self, code: str) -> bool:
        """Whether ``code`` is a Mission Locale of the workspace (any, if none is known)."""
        return self.empty or code in self.codes

    def listed(self) -> str:
        """Return the known codes, for a message."""
        codes = sorted(self.codes)
        more = f" and {len(codes) - 8} more" if len(codes) > 8 else ""
        return ", ".join(f"'{c}'" for c in codes[:8]) + more
