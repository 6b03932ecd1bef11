"""Places: coordinates recognised, communes at their town hall, the ML found from catchments."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import shapely

from territory._errors import Problem
from territory.io._places import Reference, check_code, classify_xy
from territory.io._values import BadValue
from territory.io.importing import ImportReport
from territory.io.workspace import Workspace


@pytest.mark.parametrize(("xy", "system"), [
    ((-0.58, 44.84), "lonlat"), ((44.84, -0.58), "latlon"),
    ((417_800, 6_422_000), "l93"), ((6_422_000, 417_800), "l93-swapped"),
    ((1000, 1000), "unknown"), ((13.4, 52.5), "lonlat"),
])
def test_coordinate_systems_are_recognised(xy: tuple[float, float], system: str) -> None:
    assert classify_xy(*xy) == system


@pytest.fixture(scope="module")
def ref(covered_workspace_file: Path) -> Reference:
    return Reference.from_path(covered_workspace_file)


@pytest.mark.parametrize(("raw", "hint", "fragment"), [
    ("33000", "", "'33000' is a postal code, not an INSEE code: use '33063' (Bordeaux)"),
    ("33570", "Lussac", "use '33261' (Lussac)"),
    ("33570", "", "shared by 8 communes"),
    ("33999", "Bordeaux", "not a commune of Nouvelle-Aquitaine (no such code in the reference "
     "base); use '33063' (Bordeaux)"),
    ("3306", "", "expected 5 characters"),
    ("", "", "is empty"),
])
def test_commune_codes(ref: Reference, raw: str, hint: str, fragment: str) -> None:
    with pytest.raises(BadValue, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        check_code(raw, ref, name_hint=hint)


def test_good_codes_inside_and_outside_the_region(ref: Reference) -> None:
    assert check_code("33063", ref) == ("33063", True)
    assert check_code(33063.0, ref) == ("33063", True)
    assert check_code(" 33063 ", ref) == ("33063", True)
    assert check_code("31555", ref) == ("31555", False)
    assert check_code("2A004", ref) == ("2A004", False)
    assert check_code("97101", ref) == ("97101", False)


def test_places_and_ml_from_the_catchments(
    covered: Workspace, write: Callable[..., Path], imported: Callable[..., ImportReport],
) -> None:
    path = write("actions.csv", (
        "Date;Type d'action;Jeunes;Code INSEE;X;Y;Code ML\n"
        "04/03/2021;Maraude;5;33063;;;\n"          # Bordeaux: ML-N, at the town hall
        "04/03/2021;Maraude;5;33550;;;\n"          # Villenave-d'Ornon: ML-S
        "04/03/2021;Maraude;5;33318;;;\n"          # Pessac, shared half and half: ML-N
        "04/03/2021;Bus;5;;417800;6422000;\n"      # a point in Bordeaux, Lambert-93
        "04/03/2021;Bus;5;33550;417800;6422000;\n"  # the point wins over the commune
        "04/03/2021;Bus;5;33063;;;ML-S\n"          # the given ML wins
        "04/03/2021;Action numérique;9;;;;ML-S\n"  # online: no place needed
    ))
    report = imported("actions", path, covered)
    assert report.imported == 7
    assert any("4 lieu(x) placé(s) à la mairie" in n for n in report.notes)
    actions = covered.read("actions")
    assert actions["ml_code"].tolist() == ["ML-N", "ML-S", "ML-N", "ML-N", "ML-N", "ML-S",
                                           "ML-S"]
    assert actions["code_insee"].tolist() == ["33063", "33550", "33318", "33063", "33063",
                                              "33063", ""]
    assert actions["approximate"].tolist() == [True, True, True, False, False, True, False]
    halls = covered.read("mairies").set_index("code_insee").geometry
    assert actions.geometry.iloc[0].equals(halls["33063"])
    assert actions.geometry.iloc[3].equals(shapely.Point(417800, 6422000))
    assert actions.geometry.iloc[6] is None


def test_swapped_columns_fixed_with_map(
    covered: Workspace, write: Callable[..., Path], refused: Callable[..., list[Problem]],
    problem: Callable[..., Problem], imported: Callable[..., ImportReport],
) -> None:
    path = write("sites.csv", "Nom;Type;Longitude;Latitude\nA;Antenne;44,84;-0,58\n"
                              "B;Antenne;44,80;-0,59\n")
    problems = refused("sites", path, covered)
    found = problem(problems, "are swapped", row=2)
    assert '--map "Longitude=y" --map "Latitude=x"' in found.message
    report = imported("sites", path, covered, mapping=["Longitude=latitude",
                                                       "Latitude=longitude"], dry_run=True)
    assert report.imported == 2


def test_coastal_point_within_tolerance_is_kept(
    covered: Workspace, write: Callable[..., Path], imported: Callable[..., ImportReport],
) -> None:
    communes = covered.read("communes").set_index("code_insee")
    lacanau = communes.geometry["33214"]
    x0, _, _, _ = lacanau.bounds
    sea = shapely.Point(x0 - 5000, lacanau.centroid.y)
    shore = shapely.shortest_line(lacanau, sea).coords[0]
    beach = shapely.Point(shore[0] - 300, shore[1])
    assert 0 < lacanau.distance(beach) <= 300
    path = write("actions.csv", f"Date;Type;Jeunes;X;Y\n01/07/2021;Maraude;8;{beach.x};"
                                f"{beach.y}\n")
    assert imported("actions", path, covered, dry_run=True).imported == 1
