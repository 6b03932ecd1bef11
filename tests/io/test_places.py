"""`read_places`: a file of places read as a sites file is imported, points in Lambert-93."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from territory._errors import InputError, Problem
from territory.io import read_places

BORDEAUX_L93 = shapely.Point(417_800.0, 6_422_000.0)


Write = Callable[..., Path]


@pytest.fixture
def write(tmp_path: Path) -> Write:
    def _write(text: str, name: str = "lieux.csv", encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding=encoding)
        return path

    return _write


def _problems(path: Path) -> list[Problem]:
    with pytest.raises(InputError) as caught:
        read_places(path)
    return caught.value.problems


def test_a_csv_from_excel_reads_as_points_in_lambert93(write: Write) -> None:
    path = write("Identifiant;Nom du site;Longitude;Latitude;Capacité\n"
                 "L1;Salle des fêtes;-0,5792;44,8378;12,5\n"
                 "L2;Mairie d'Agen;;;\n", encoding="cp1252")
    with pytest.raises(InputError, match=r"lieux\.csv:3: has no place; expected `Longitude`"):
        read_places(path)
    path = write(path.read_text(encoding="cp1252").replace(";;;", ";0,6163;44,2033;"),
                 encoding="cp1252")
    places = read_places(path)
    assert places.crs.to_epsg() == 2154
    assert places["site_id"].tolist() == ["L1", "L2"]
    assert places["name"].tolist() == ["Salle des fêtes", "Mairie d'Agen"]
    assert places["code_insee"].tolist() == ["33063", "47001"]
    assert places.geometry.iloc[0].distance(BORDEAUX_L93) < 1000
    assert places["capacity"].iloc[0] == 12.5 and places["capacity"].isna().iloc[1]
    assert not places["approximate"].any()


def test_a_commune_code_alone_places_the_town_hall(write: Write) -> None:
    places = read_places(write("name,Code INSEE\nPermanence,33063\n"))
    assert places["code_insee"].tolist() == ["33063"]
    assert places["approximate"].tolist() == [True]
    assert places.geometry.iloc[0].distance(BORDEAUX_L93) < 3000


def test_every_problem_is_listed_with_row_and_column(write: Write) -> None:
    problems = _problems(write("name;lon;lat;capacity\nA;44,84;-0,58;3\nB;-0,58;44,84;-2\n"
                               "C;2,35;48,85;1\n"))
    assert str(problems[0]) == "lieux.csv: 3 problems; no place was read"
    by_row = {p.row: p for p in problems[1:]}
    assert "are swapped" in by_row[2].message and by_row[2].column == "lon`/`lat"
    assert "is negative" in by_row[3].message and by_row[3].column == "capacity"
    assert "outside Nouvelle-Aquitaine" in by_row[4].message


def test_other_services_across_the_border_may_be_kept(write: Write) -> None:
    path = write("name;lon;lat\nMission Locale de Tours;0,6848;47,3941\n")
    assert "outside" in _problems(path)[1].message
    places = read_places(path, within_region=False)
    assert len(places) == 1 and places["code_insee"].tolist() == [""]


def test_a_gis_file_is_read_too(tmp_path: Path) -> None:
    path = tmp_path / "lieux.geojson"
    gpd.GeoDataFrame({"nom": ["Salle"]}, geometry=[shapely.Point(-0.5792, 44.8378)],
                     crs=4326).to_file(path)
    places = read_places(path)
    assert places["name"].tolist() == ["Salle"]
    assert places.geometry.iloc[0].distance(BORDEAUX_L93) < 1000


@pytest.mark.parametrize(("text", "fragment"), [
    ("name;lon;lat\n", "no data row"),
    ("name;ville\nA;Bordeaux\n", "no column gives the place"),
])
def test_a_file_without_places_is_refused(write: Write, text: str, fragment: str) -> None:
    assert any(fragment in p.message for p in _problems(write(text)))
