"""Files as they come: CSV of any separator and encoding, XLSX, GeoJSON, GeoPackage, Shapefile."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
import shapely

from territory.io._readers import read_table
from territory.io.importing import ImportReport
from territory.io.workspace import Workspace

BORDEAUX_LONLAT = (-0.5792, 44.8378)
BORDEAUX_L93 = (417_800.0, 6_422_000.0)
ACTIONS = [
    ["Date", "Type d'action", "Jeunes rencontrés", "Code INSEE", "Longitude", "Latitude"],
    ["04/03/2021", "Maraude", "5", "33063", "", ""],
    ["05/03/2021", "Événement", "12", "", "-0,5792", "44,8378"],
    ["06/03/2021", "Maraude numérique", "30", "", "", ""],
]


def _csv(rows: list[list[str]], sep: str) -> str:
    def cell(value: str) -> str:
        return f'"{value}"' if sep in value else value

    return "".join(sep.join(cell(c) for c in row) + "\r\n" for row in rows)


@pytest.mark.parametrize(("sep", "encoding"), [
    (";", "utf-8-sig"), (";", "utf-8"), (";", "cp1252"), (";", "latin-1"),
    (",", "utf-8"), ("\t", "utf-8"), ("\t", "utf-16"),
])
def test_csv_any_separator_and_encoding(write: Callable[..., Path], sep: str,
                                        encoding: str) -> None:
    path = write("actions.csv", _csv(ACTIONS, sep), encoding=encoding)
    table = read_table(path)
    assert table.headers == ACTIONS[0]
    assert table.cells.to_numpy().tolist() == ACTIONS[1:]
    assert table.rows == [2, 3, 4]


def test_csv_import_end_to_end(covered: Workspace, write: Callable[..., Path],
                               imported: Callable[..., ImportReport]) -> None:
    rows = [r[:] for r in ACTIONS]
    rows[0].append("Code ML")
    for row in rows[1:]:
        row.append("ML-N")
    path = write("actions.csv", _csv(rows, ";"), encoding="cp1252")
    report = imported("actions", path, covered)
    assert (report.rows_read, report.imported, report.rejected) == (3, 3, 0)
    assert str(report).startswith("actions.csv : 3 lignes lues, 3 importées, 0 rejetée")
    actions = covered.read("actions")
    assert actions["kind"].tolist() == ["maraude", "evenement", "numerique"]
    assert actions["date"].tolist() == [pd.Timestamp(f"2021-03-0{d}") for d in (4, 5, 6)]
    assert actions["youth_met"].tolist() == [5, 12, 30]
    assert actions["approximate"].tolist() == [True, False, False]
    assert actions.geometry.iloc[2] is None
    assert actions.geometry.iloc[1].distance(shapely.Point(BORDEAUX_L93)) < 1000
    assert actions["code_insee"].tolist() == ["33063", "33063", ""]


def test_quoted_cells_keep_separators_and_line_breaks(write: Callable[..., Path]) -> None:
    path = write("actions.csv", 'Date,Type,Lieu\n04/03/2021,"Bus, permanence mobile",'
                 '"Place de la\nVictoire"\n05/03/2021,Maraude,Quais\n')
    table = read_table(path)
    assert table.cells["Type"].tolist() == ["Bus, permanence mobile", "Maraude"]
    assert table.rows == [2, 3]


def test_xlsx_first_sheet_with_a_title_above_the_header(
    covered: Workspace, tmp_path: Path, imported: Callable[..., ImportReport],
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Actions 2021"
    sheet.append(["Suivi des actions d'aller-vers — 2021"])
    sheet.append([])
    sheet.append(["Date", "Type d'action", "Nb jeunes", "Code INSEE", "Code ML"])
    sheet.append([dt.datetime(2021, 3, 4), "Maraude", 4, 33063, "ML-N"])
    sheet.append(["05/03/2021", "Bus", 2.0, "33522", "ML-S"])
    book.create_sheet("Notes").append(["rien"])
    path = tmp_path / "actions.xlsx"
    book.save(path)
    report = imported("actions", path, covered)
    assert report.imported == 2
    assert any("en-tête trouvé ligne 3" in n for n in report.notes)
    assert any("Notes" in n for n in report.notes)
    actions = covered.read("actions")
    assert actions["code_insee"].tolist() == ["33063", "33522"]
    assert actions["action_id"].tolist() == ["A00004", "A00005"]  # the sheet rows


def test_xlsx_rows_are_the_sheet_rows_and_sheet_can_be_chosen(
    covered: Workspace, tmp_path: Path, refused: Callable[..., list],
    problem: Callable[..., object],
) -> None:
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first.append(["rien"])
    sheet = book.create_sheet("Actions")
    sheet.append(["Date", "Type d'action", "Nb jeunes", "Code INSEE", "Code ML"])
    sheet.append([dt.datetime(2021, 3, 4), "Maraude", 4, 33063, "ML-N"])
    sheet.append([dt.datetime(2021, 3, 4), "Maraude", 4, 33000, "ML-N"])
    path = tmp_path / "actions.xlsx"
    book.save(path)
    problems = refused("actions", path, covered, sheet="Actions")
    problem(problems, "postal code", "'33063' (Bordeaux)", row=3, column="Code INSEE")
    problem(refused("actions", path, covered, sheet="Autre"), "no sheet 'Autre'", "Actions")


def _sites_frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"Nom": ["Antenne Bordeaux", "Permanence Talence"],
         "Type": ["Antenne", "Permanence"], "Code ML": ["ML-N", "ML-S"]},
        geometry=[shapely.Point(BORDEAUX_LONLAT), shapely.Point(-0.5886, 44.8064)],
        crs="EPSG:4326",
    )


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "shp", "zip"])
def test_gis_files(covered: Workspace, tmp_path: Path, imported: Callable[..., ImportReport],
                   fmt: str) -> None:
    frame = _sites_frame()
    if fmt == "geojson":
        path = tmp_path / "sites.geojson"
        frame.to_file(path)
    elif fmt == "gpkg":
        path = tmp_path / "sites.gpkg"
        frame.to_crs("EPSG:2154").to_file(path, layer="sites")
    else:
        shp = tmp_path / "sites.shp"
        frame.to_crs("EPSG:3857").to_file(shp)
        path = shp
        if fmt == "zip":
            path = tmp_path / "sites.zip"
            with zipfile.ZipFile(path, "w") as archive:
                for part in tmp_path.glob("sites.*"):
                    if part.suffix != ".zip":
                        archive.write(part, part.name)
    report = imported("sites", path, covered, dry_run=fmt != "geojson")
    assert report.imported == 2
    if fmt == "geojson":
        sites = covered.read("sites")
        assert sites["kind"].tolist() == ["antenne", "permanence"]
        assert sites.crs.to_epsg() == 2154
        assert sites.geometry.iloc[0].distance(shapely.Point(BORDEAUX_L93)) < 1000
        assert not sites["approximate"].any()


def test_geopackage_layer_chosen_with_sheet(
    covered: Workspace, tmp_path: Path, imported: Callable[..., ImportReport],
) -> None:
    path = tmp_path / "couches.gpkg"
    _sites_frame().iloc[:1].to_file(path, layer="autre")
    _sites_frame().to_file(path, layer="sites")
    assert imported("sites", path, covered, sheet="sites", dry_run=True).imported == 2


def test_shapefile_without_prj_in_lonlat_is_recognised(
    covered: Workspace, tmp_path: Path, imported: Callable[..., ImportReport],
) -> None:
    shp = tmp_path / "sites.shp"
    _sites_frame().to_file(shp)
    shp.with_suffix(".prj").unlink()
    report = imported("sites", shp, covered, dry_run=True)
    assert report.imported == 2
    assert any(".prj manquant" in n for n in report.notes)


def test_lambert93_columns_x_y(covered: Workspace, write: Callable[..., Path],
                               imported: Callable[..., ImportReport]) -> None:
    path = write("sites.csv", "Nom du site;Type;X;Y\nSiège;Siège;417800,5;6422000\n")
    report = imported("sites", path, covered)
    assert report.imported == 1
    site = covered.read("sites").iloc[0]
    assert (site["ml_code"], site["code_insee"], site["kind"]) == ("ML-N", "33063", "siege")
    assert site.geometry.x == pytest.approx(417800.5)
