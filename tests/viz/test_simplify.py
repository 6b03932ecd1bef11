"""Coverage simplification: every polygon kept, valid, and shared borders still shared."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from territory._errors import InputError
from territory.io.geodata import read_reference
from territory.viz._simplify import TOLERANCE_M, simplify_coverage

CRS = "EPSG:2154"
X0, Y0 = 417_000.0, 6_421_000.0


def grid_squares(n: int = 3, *, side_m: float = 1000.0) -> list[shapely.Polygon]:
    """n × n squares of side ``side_m``, row by row from the south-west corner."""
    return [shapely.box(X0 + i * side_m, Y0 + j * side_m, X0 + (i + 1) * side_m,
                        Y0 + (j + 1) * side_m)
            for j in range(n) for i in range(n)]


def _pairs_and_overlap(geometry: gpd.GeoSeries) -> tuple[set[tuple[int, int]], float]:
    """Pairs of polygons that touch or overlap, and the total area they overlap by."""
    values = np.asarray(geometry.values, dtype=object)
    left, right = shapely.STRtree(values).query(values, predicate="intersects")
    keep = left < right
    overlap = shapely.area(shapely.intersection(values[left[keep]], values[right[keep]]))
    return set(zip(left[keep].tolist(), right[keep].tolist(), strict=True)), float(overlap.sum())


def _zigzag_pair(amplitude_m: float, teeth: int = 40) -> gpd.GeoSeries:
    """Two 1 km squares whose shared border zigzags by ``amplitude_m`` across x = X0 + 1000."""
    ys = np.linspace(Y0, Y0 + 1000, 2 * teeth + 1)
    xs = X0 + 1000 + np.where(np.arange(ys.size) % 2 == 1, amplitude_m, 0.0)
    border = list(zip(xs.tolist(), ys.tolist(), strict=True))
    west = shapely.Polygon([(X0, Y0), *border, (X0, Y0 + 1000)])
    east = shapely.Polygon([*border, (X0 + 2000, Y0 + 1000), (X0 + 2000, Y0)])
    return gpd.GeoSeries([west, east], crs=CRS)


def test_unit_squares_come_back_as_they_are() -> None:
    squares = gpd.GeoSeries(grid_squares(), crs=CRS)
    simplified = simplify_coverage(squares)
    assert simplified.geom_equals(squares).all()
    assert simplified.index.equals(squares.index)
    assert simplified.crs == squares.crs


def test_extra_vertices_on_shared_edges_are_dropped_on_both_sides() -> None:
    # Each square carries 9 extra collinear points per side: a shared edge has them twice.
    squares = gpd.GeoSeries(shapely.segmentize(grid_squares(), 100.0), crs=CRS)
    simplified = simplify_coverage(squares)
    assert (shapely.get_num_coordinates(simplified.values) == 5).all()
    assert simplified.area.tolist() == pytest.approx([1e6] * 9)
    pairs_before, _ = _pairs_and_overlap(squares)
    pairs_after, overlap = _pairs_and_overlap(simplified)
    assert pairs_after == pairs_before
    assert overlap == 0.0
    assert shapely.coverage_is_valid(simplified.values)


def test_a_zigzag_border_is_straightened_once_for_both_neighbours() -> None:
    pair = _zigzag_pair(amplitude_m=5.0)
    simplified = simplify_coverage(pair, tolerance_m=TOLERANCE_M)
    assert shapely.get_num_coordinates(simplified.values).max() < 10
    assert shapely.is_valid(simplified.values).all()
    # No sliver, no overlap: the two sides still make up the whole 2 km².
    assert shapely.intersection(*simplified.values).area == pytest.approx(0.0, abs=1e-6)
    assert shapely.union_all(simplified.values).area == pytest.approx(
        shapely.union_all(pair.values).area, rel=1e-3)
    assert shapely.intersects(*simplified.values)


def test_a_commune_smaller_than_the_tolerance_is_kept() -> None:
    tiny = shapely.box(X0 + 490, Y0 + 490, X0 + 510, Y0 + 510)  # 20 m × 20 m
    around = shapely.box(X0, Y0, X0 + 1000, Y0 + 1000).difference(tiny)
    simplified = simplify_coverage(gpd.GeoSeries([around, tiny], crs=CRS), tolerance_m=200)
    assert not simplified.is_empty.any()
    assert simplified.is_valid.all()
    assert simplified.iloc[1].area > 0


def test_missing_geometry_stays_missing_and_the_input_is_not_modified() -> None:
    squares = gpd.GeoSeries([*grid_squares(2), None], index=[10, 11, 12, 13, 14], crs=CRS)
    before = squares.copy()
    simplified = simplify_coverage(squares)
    assert simplified.index.tolist() == [10, 11, 12, 13, 14]
    assert simplified.iloc[4] is None
    assert squares.geom_equals(before).iloc[:4].all()


@pytest.mark.parametrize("crs", [None, "EPSG:4326"])
def test_a_crs_not_in_metres_is_refused(crs: str | None) -> None:
    squares = gpd.GeoSeries(grid_squares(), crs=crs)
    with pytest.raises(InputError, match="EPSG:2154"):
        simplify_coverage(squares)


def test_region_communes_all_kept_valid_and_still_neighbours(
    region_layers: dict[str, gpd.GeoDataFrame],
) -> None:
    communes = region_layers["communes"]
    simplified = simplify_coverage(communes.geometry)
    assert len(simplified) == len(communes) == 4293
    assert not simplified.is_empty.any()
    assert simplified.is_valid.all()
    assert set(simplified.geom_type) <= {"Polygon", "MultiPolygon"}
    pairs_before, overlap_before = _pairs_and_overlap(communes.geometry)
    pairs_after, overlap_after = _pairs_and_overlap(simplified)
    # Every pair of neighbours still touches, and no overlap opens between them.
    assert pairs_after == pairs_before
    assert overlap_before == overlap_after == 0.0
    assert simplified.area.sum() == pytest.approx(communes.area.sum(), rel=1e-4)
    assert shapely.get_num_coordinates(simplified.values).sum() <= shapely.get_num_coordinates(
        communes.geometry.values).sum()


def _holes(geometry: shapely.Geometry, *, min_area_m2: float) -> list[shapely.Polygon]:
    """The holes of a (multi)polygon larger than ``min_area_m2``."""
    rings = [ring for part in shapely.get_parts(geometry) for ring in part.interiors]
    return [hole for hole in map(shapely.Polygon, rings) if hole.area > min_area_m2]


def test_region_communes_simplified_leave_no_gap(
    region_layers: dict[str, gpd.GeoDataFrame],
) -> None:
    communes = region_layers["communes"]
    simplified = simplify_coverage(communes.geometry)
    assert shapely.coverage_is_valid(simplified.values)  # no overlap, borders shared
    assert shapely.coverage_is_valid(communes.geometry.values)
    region = read_reference("region").geometry.iloc[0]
    # The region's only holes are the enclaves of Hautes-Pyrénées in Pyrénées-Atlantiques:
    # Escaunets, Séron and Villenave-près-Béarn (19 km²), Gardères and Luquet (24 km²).
    enclaves = _holes(region, min_area_m2=1.0)
    assert sorted(round(h.area / 1e6) for h in enclaves) == [19, 24]
    holes = _holes(shapely.union_all(simplified.values), min_area_m2=1.0)
    assert len(holes) == len(enclaves)
    for hole in holes:
        assert max(shapely.intersection(hole, e).area for e in enclaves) > 0.99 * hole.area
