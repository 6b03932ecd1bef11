"""The malformed corpus: files people really send, each refused with its file, row and column.

Every refused import leaves the workspace byte-for-byte unchanged (checked by ``refused``).
Row-level cases sit in one file per kind, one bad row per case, so that the test also shows
that every problem is listed at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import random
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from territory._errors import InputError, Problem
from territory.io.importing import ImportReport, import_file
from territory.io.workspace import Workspace

TODAY = dt.date(2025, 6, 1)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


ACTIONS_HEADER = "Date;Type d'action;Jeunes rencontrés;Code INSEE;Longitude;Latitude\n"
# (case, kind, file name, content, fragments of the message, column)
FILE_CASES: list[tuple[str, str, str, str | bytes, tuple[str, ...], str | None]] = [
    ("empty file", "actions", "vide.csv", b"", ("the file is empty",), None),
    ("blank lines only", "actions", "blanc.csv", "\n \n;;;\n", ("the file is empty",), None),
    ("header only", "actions", "entete.csv", ACTIONS_HEADER, ("header but no data row",),
     None),
    ("random bytes", "actions", "bruit.csv", random.Random(7).randbytes(4096),
     ("not a text (CSV) file",), None),
    ("random bytes named xlsx", "actions", "bruit.xlsx",
     b"PK\x03\x04" + random.Random(8).randbytes(512), ("damaged zip",), None),
    ("old Excel", "actions", "ancien.xls", b"\xd0\xcf\x11\xe0" + bytes(600),
     ("old Excel workbook (.xls)", "save it as CSV"), None),
    ("PDF", "actions", "tableau.pdf", b"%PDF-1.4\n" + bytes(100), ("PDF document",), None),
    ("OpenDocument", "actions", "tableau.ods",
     _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}),
     ("OpenDocument (LibreOffice)",), None),
    ("zip of something else", "sites", "archive.zip", _zip({"lisez-moi.txt": b"rien"}),
     ("neither a spreadsheet nor a shapefile",), None),
    ("broken GeoJSON", "sites", "sites.geojson", '{"type": "FeatureCollection", "feat',
     ("cannot be opened",), None),
    ("missing columns", "actions", "colonnes.csv", "Date;Lieu\n04/03/2021;Place\n",
     ("no column for `kind`", "`Date`, `Lieu`", "--map"), None),
    ("no header row", "actions", "sans-entete.csv",
     "04/03/2021;Maraude;5;33063\n05/03/2021;Bus;2;33522\n",
     ("no column for `date`", "`04/03/2021`"), None),
    ("duplicate columns", "actions", "doublon.csv",
     ACTIONS_HEADER.replace("Latitude", "Date") + "04/03/2021;Maraude;5;33063;;04/03/2021\n",
     ("`Date`, `Date (2)` all look like `date`",), None),
    ("longitude without latitude", "actions", "lon.csv",
     "Date;Type;Jeunes;Longitude\n04/03/2021;Maraude;5;-0,58\n",
     ("`Longitude` is given without its pair",), None),
    ("no place column", "actions", "nulle-part.csv",
     "Date;Type;Jeunes\n04/03/2021;Maraude;5\n", ("no column gives the place",), None),
    ("personal data by header", "contacts", "imilo.csv",
     "Identifiant;Nom;Prénom;Date;Code INSEE;Étape;Téléphone\n"
     "A1;Dupont;Jeanne;04/03/2021;33063;repéré;\n",
     ("personal data", "people's names", "--drop-personal"), "Nom"),
    ("personal data by content", "actions", "actions.csv",
     ACTIONS_HEADER.replace("\n", ";Remarque\n")
     + "04/03/2021;Maraude;5;33063;;;rappeler au 06 12 34 56 78\n"
     + "05/03/2021;Maraude;5;33063;;;écrire à jeanne.dupont@example.org\n",
     ("personal data", "phone numbers", "row 2", "06 ** ** ** 78"), "Remarque"),
    ("youth without a population column", "youth", "pop.csv", "CODGEO;LIBGEO\n33063;Bordeaux\n",
     ("no column of young people", "P21_POP1524", "--column"), None),
    ("catchments all outside the region", "catchments", "couverture.csv",
     "Code INSEE;Code ML\n31555;ML31\n75056;ML75\n",
     ("no commune of the file is in Nouvelle-Aquitaine",), "Code INSEE"),
]


@pytest.mark.parametrize("case", FILE_CASES, ids=[c[0] for c in FILE_CASES])
def test_file_level_problems(
    covered: Workspace, write: Callable[..., Path], refused: Callable[..., list[Problem]],
    problem: Callable[..., Problem],
    case: tuple[str, str, str, str | bytes, tuple[str, ...], str | None],
) -> None:
    _, kind, name, content, fragments, column = case
    path = write(name, content)
    problems = refused(kind, path, covered, today=TODAY)
    found = problem(problems, *fragments, column=column)
    assert found.file == name


def test_missing_file_and_unknown_kind(covered: Workspace, tmp_path: Path,
                                       refused: Callable[..., list[Problem]],
                                       problem: Callable[..., Problem]) -> None:
    problem(refused("actions", tmp_path / "absent.csv", covered), "no such file")
    problem(refused("visites", tmp_path / "absent.csv", covered), "unknown import 'visites'")


def test_bad_map_options(covered: Workspace, write: Callable[..., Path],
                         refused: Callable[..., list[Problem]],
                         problem: Callable[..., Problem]) -> None:
    path = write("actions.csv", "Jour;Type;Nombre;Code INSEE\n04/03/2021;Maraude;5;33063\n")
    problems = refused("actions", path, covered,
                       mapping=["Jour=date", "Nombre=jeunes", "Lieu=label", "sans-egal"])
    problem(problems, "'jeunes' is not a field of actions", "youth_met")
    problem(problems, "names a column 'lieu' that the file does not have")
    problem(problems, "is not source=target")


def test_actions_without_ml_and_without_catchments(
    workspace: Workspace, write: Callable[..., Path], refused: Callable[..., list[Problem]],
    problem: Callable[..., Problem],
) -> None:
    path = write("actions.csv", ACTIONS_HEADER + "04/03/2021;Maraude;5;33063;;\n")
    problem(refused("actions", path, workspace), "there is no `Code ML` column",
            "import the catchments first")


# -- row-level corpus: actions -----------------------------------------------------------------
# (case, cells after the header, fragments, column); the row number is the list position + 3.
ACTION_ROWS: list[tuple[str, str, tuple[str, ...], str]] = [
    ("impossible date", "A02;31/02/2021;Maraude;5;33063;;;",
     ("'31/02/2021' is not a date", "February 2021 has 28 days"), "Date"),
    ("month first", "A03;03/31/2021;Maraude;5;33063;;;", ("there is no month 31",), "Date"),
    ("not a date", "A04;hier;Maraude;5;33063;;;", ("'hier' is not a date", "dd/mm/yyyy"),
     "Date"),
    ("future date", "A05;12/05/2099;Maraude;5;33063;;;", ("is in the future",), "Date"),
    ("before 1982", "A06;12/05/1975;Maraude;5;33063;;;", ("before 1982",), "Date"),
    ("empty date", "A07;;Maraude;5;33063;;;", ("is empty",), "Date"),
    ("negative count", "A08;04/03/2021;Maraude;-3;33063;;;", ("'-3' is negative",),
     "Jeunes rencontrés"),
    ("fractional count", "A09;04/03/2021;Maraude;2,5;33063;;;", ("not a whole number",),
     "Jeunes rencontrés"),
    ("count in words", "A10;04/03/2021;Maraude;beaucoup;33063;;;", ("is not a number",),
     "Jeunes rencontrés"),
    ("unknown kind", "A11;04/03/2021;Atelier CV;5;33063;;;",
     ("'Atelier CV' is not a kind of action", "'bus / permanence mobile'"), "Type d'action"),
    ("postal code", "A12;04/03/2021;Maraude;5;33000;;;",
     ("'33000' is a postal code, not an INSEE code: use '33063' (Bordeaux)",), "Code INSEE"),
    ("shared postal code", "A13;04/03/2021;Maraude;5;33570;;;",
     ("'33570' is a postal code shared by 8 communes", "'33261' (Lussac)", "or 2 others"),
     "Code INSEE"),
    ("code too short", "A14;04/03/2021;Maraude;5;3306;;;",
     ("'3306' is not a commune code: expected 5 characters",), "Code INSEE"),
    ("unknown code of the region", "A15;04/03/2021;Maraude;5;33999;;;",
     ("'33999' is not a commune of Nouvelle-Aquitaine",), "Code INSEE"),
    ("commune of another region", "A16;04/03/2021;Maraude;5;31555;;;",
     ("'31555' is outside Nouvelle-Aquitaine",), "Code INSEE"),
    ("not a code", "A17;04/03/2021;Maraude;5;ABCDE;;;", ("no département 'AB'",), "Code INSEE"),
    ("swapped latitude and longitude", "A18;04/03/2021;Maraude;5;;44,8378;-0,5792;",
     ("(44.8378, -0.5792) are swapped", "latitude and longitude"), "Longitude`/`Latitude"),
    ("Lambert-93 among longitudes", "A19;04/03/2021;Maraude;5;;417800;6422000;",
     ("look like Lambert-93 X/Y", "every row in the same system"), "Longitude`/`Latitude"),
    ("unrecognised coordinates", "A20;04/03/2021;Maraude;5;;1000;1000;",
     ("neither longitude/latitude", "nor Lambert-93"), "Longitude`/`Latitude"),
    ("at sea", "A21;04/03/2021;Maraude;5;;-2,5;45,0;",
     ("is outside Nouvelle-Aquitaine", "at sea or in another region"), "Longitude`/`Latitude"),
    ("in another region", "A22;04/03/2021;Maraude;5;;1,4442;43,6047;",
     ("(1.4442, 43.6047) is outside Nouvelle-Aquitaine",), "Longitude`/`Latitude"),
    ("latitude missing", "A23;04/03/2021;Maraude;5;;-0,58;;",
     ("is empty; expected a latitude",), "Latitude"),
    ("no place", "A24;04/03/2021;Maraude;5;;;;", ("has no place",), ""),
    ("unknown ML", "A25;04/03/2021;Maraude;5;33063;;;ML-X",
     ("'ML-X' is not a Mission Locale of the workspace", "'ML-N', 'ML-S'"), "Code ML"),
    ("place in no catchment", "A26;04/03/2021;Maraude;5;40192;;;",
     ("commune 40192) is in no catchment",), "Code ML"),
    ("duplicate identifier", "A01;04/03/2021;Maraude;5;33063;;;",
     ("'A01' is already the identifier of row 2",), "Identifiant"),
    ("online action without ML", "A28;04/03/2021;Action numérique;40;;;;",
     ("no place to find its Mission Locale",), "Code ML"),
    ("value holding the separator", "A29;04/03/2021;Bus; permanence mobile;4;33063;;;",
     ("has 9 values where the header has 8 columns", "quotes"), ""),
]
GOOD_ACTION = "A01;04/03/2021;Maraude;5;33063;;;"
ACTION_HEADER = "Identifiant;Date;Type d'action;Jeunes rencontrés;Code INSEE;Longitude;Latitude;" \
    "Code ML\n"


def _actions_file(folder: Path) -> Path:
    lines = [GOOD_ACTION, "A30;05/03/2021;Bus;3;;-0,5792;44,8378;"]
    lines[1:1] = [cells for _, cells, _, _ in ACTION_ROWS]
    path = folder / "actions.csv"
    path.write_text(ACTION_HEADER + "\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


@pytest.fixture(scope="module")
def actions_problems(covered_workspace_file: Path,
                     tmp_path_factory: pytest.TempPathFactory) -> list[Problem]:
    """The problems of the actions corpus, found once for all its cases."""
    folder = tmp_path_factory.mktemp("corpus")
    workspace = folder / "territoire.gpkg"
    shutil.copyfile(covered_workspace_file, workspace)
    before = sha256(workspace)
    with pytest.raises(InputError) as caught:
        import_file("actions", _actions_file(folder), workspace=workspace, today=TODAY)
    assert sha256(workspace) == before
    return caught.value.problems


@pytest.mark.parametrize(("row", "fragments", "column"),
                         [(i + 3, c[2], c[3] or None) for i, c in enumerate(ACTION_ROWS)],
                         ids=[c[0] for c in ACTION_ROWS])
def test_action_rows(actions_problems: list[Problem], problem: Callable[..., Problem],
                     row: int, fragments: tuple[str, ...], column: str | None) -> None:
    found = problem(actions_problems, *fragments, row=row, column=column)
    assert found.file == "actions.csv"


def test_every_bad_row_is_listed_once_at_once(actions_problems: list[Problem]) -> None:
    heading, *rows = actions_problems
    assert heading.row is None and "nothing was imported" in heading.message
    assert {p.row for p in rows} == {i + 3 for i in range(len(ACTION_ROWS))}
    assert str(rows[0]).startswith("actions.csv:3: `Date`: '31/02/2021' is not a date")


def test_accept_partial_imports_the_good_rows_and_writes_the_rejects(
    covered: Workspace, write: Callable[..., Path], imported: Callable[..., ImportReport],
) -> None:
    path = _actions_file(covered.path.parent)
    report = imported("actions", path, covered, accept_partial=True, today=TODAY)
    assert (report.rows_read, report.imported, report.rejected) == (
        len(ACTION_ROWS) + 2, 2, len(ACTION_ROWS))
    assert report.rejects_file == path.with_name("actions.rejets.csv")
    assert f"({len(ACTION_ROWS)} rejetées" not in str(report)
    assert "rejetées (voir actions.rejets.csv)" in str(report)
    raw = report.rejects_file.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == ("Identifiant;Date;Type d'action;Jeunes rencontrés;Code INSEE;Longitude;"
                        "Latitude;Code ML;ligne;motif")
    assert len(lines) == len(ACTION_ROWS) + 1
    assert lines[1].startswith("A02;31/02/2021;Maraude;5;33063;;;;3;")
    assert "February 2021 has 28 days" in lines[1]
    actions = covered.read("actions")
    assert actions["action_id"].tolist() == ["A01", "A30"]
    assert actions["ml_code"].tolist() == ["ML-N", "ML-N"]


def test_all_rows_bad_with_accept_partial_is_refused(
    covered: Workspace, write: Callable[..., Path], refused: Callable[..., list[Problem]],
    problem: Callable[..., Problem],
) -> None:
    path = write("actions.csv", ACTIONS_HEADER + "31/02/2021;Maraude;5;33063;;\n")
    problems = refused("actions", path, covered, accept_partial=True)
    problem(problems, "February 2021 has 28 days", row=2)
    problem(problems, "no row can be imported")


# -- row-level corpus: sites, contacts, catchments, youth -----------------------------------------
SITE_FILE = (
    "Nom du site;Type;Code INSEE;Ouverture;Fermeture;Permanences par mois\n"
    "Siège;Siège;33063;01/01/2010;;\n"
    "Antenne;Antenne;33522;01/01/2021;01/01/2020;\n"
    "Permanence;Permanence;33522;;;-2\n"
    "Bus;Camionnette;33522;;;\n"
    ";Permanence;33522;;;4\n"
)
SITE_PROBLEMS = [
    (3, ("closes on 01/01/2020, before it opened on 01/01/2021",), "Fermeture"),
    (4, ("'-2' is negative", "sessions per month"), "Permanences par mois"),
    (5, ("'Camionnette' is not a kind of site", "'siège'"), "Type"),
    (6, ("is empty; expected the site's name",), "Nom du site"),
]
CONTACT_FILE = (
    "Identifiant;Date;Code INSEE;Étape\n"
    "J1;04/03/2021;33063;Repérée\n"
    ";04/03/2021;33063;Repéré\n"
    "J3;04/03/2099;33063;Repéré\n"
    "J4;04/03/2021;33000;Mobilisé\n"
    "J5;04/03/2021;33063;Perdu de vue\n"
    "J6;04/03/2021;40192;Accompagné\n"
)
CONTACT_PROBLEMS = [
    (3, ("is empty; expected the young person's i-Milo identifier",), "Identifiant"),
    (4, ("is in the future",), "Date"),
    (5, ("postal code", "'33063' (Bordeaux)"), "Code INSEE"),
    (6, ("'Perdu de vue' is not a stage of the funnel",), "Étape"),
    (7, ("has no Mission Locale", "no catchment"), None),
]
CATCHMENT_FILE = (
    "Code INSEE;Nom Commune;Code ML;Nom Officiel ML;Part\n"
    "33063;Bordeaux;ML1;Mission Locale de Bordeaux;\n"
    "33063;Bordeaux;ML1;Mission Locale de Bordeaux;\n"
    "33522;Talence;ML1;ML Bordeaux Sud;\n"
    "33318;Pessac;ML1;Mission Locale de Bordeaux;0,8\n"
    "33318;Pessac;ML2;Mission Locale Technowest;0,7\n"
    "33570;Lussac;ML2;Mission Locale Technowest;\n"
    "33550;Villenave-d'Ornon;;;\n"
    "33281;Mérignac;ML2;Mission Locale Technowest;deux\n"
)
CATCHMENT_PROBLEMS = [
    (3, ("commune '33063' is already listed for Mission Locale 'ML1' on row 2",), "Code INSEE"),
    (4, ("is named 'ML Bordeaux Sud' here and 'Mission Locale de Bordeaux' on row 2",),
     "Nom Officiel ML"),
    (5, ("the shares of commune '33318' add up to 1.50",), "Part"),
    (6, ("the shares of commune '33318' add up to 1.50",), "Part"),
    (7, ("'33570' is a postal code, not an INSEE code: use '33261' (Lussac)",), "Code INSEE"),
    (8, ("is empty; expected the Mission Locale's code",), "Code ML"),
    (9, ("'deux' is not a number",), "Part"),
]
YOUTH_FILE = (
    "CODGEO;LIBGEO;P21_POP1524\n"
    "33063;Bordeaux;60000\n"
    "33522;Talence;-5\n"
    "33063;Bordeaux;60000\n"
    "33000;Bordeaux;10\n"
    "33318;Pessac;beaucoup\n"
    "75056;Paris;300000\n"
)
YOUTH_PROBLEMS = [
    (3, ("'-5' is negative",), "P21_POP1524"),
    (4, ("commune '33063' is already on row 2",), "CODGEO"),
    (5, ("postal code",), "CODGEO"),
    (6, ("'beaucoup' is not a number",), "P21_POP1524"),
]


@pytest.mark.parametrize("case", [
    ("sites", SITE_FILE, SITE_PROBLEMS),
    ("contacts", CONTACT_FILE, CONTACT_PROBLEMS),
    ("catchments", CATCHMENT_FILE, CATCHMENT_PROBLEMS),
    ("youth", YOUTH_FILE, YOUTH_PROBLEMS),
], ids=["sites", "contacts", "catchments", "youth"])
def test_rows_of_other_kinds(
    covered: Workspace, write: Callable[..., Path], refused: Callable[..., list[Problem]],
    problem: Callable[..., Problem],
    case: tuple[str, str, list[tuple[int, tuple[str, ...], str | None]]],
) -> None:
    kind, content, expected = case
    problems = refused(kind, write(f"{kind}.csv", content), covered, today=TODAY)
    for row, fragments, column in expected:
        problem(problems, *fragments, row=row, column=column)
    assert {p.row for p in problems[1:]} == {row for row, _, _ in expected}


# -- GIS files ---------------------------------------------------------------------------------
def test_bad_polygons(covered: Workspace, tmp_path: Path,
                      refused: Callable[..., list[Problem]],
                      problem: Callable[..., Problem]) -> None:
    communes = covered.read("communes").set_index("code_insee")
    bordeaux = communes.geometry["33063"]
    bow_tie = shapely.Polygon([(417000, 6420000), (420000, 6423000), (420000, 6420000),
                               (417000, 6423000)])
    at_sea = shapely.box(250_000, 6_400_000, 260_000, 6_410_000)
    frame = gpd.GeoDataFrame(
        {"Code ML": ["ML1", "ML2", "ML3", "ML4", "ML5"]},
        geometry=[bordeaux, bow_tie, at_sea, shapely.Point(417000, 6420000), None],
        crs="EPSG:2154")
    path = tmp_path / "zones.gpkg"
    frame.to_file(path, layer="zones")
    problems = refused("catchments", path, covered)
    problem(problems, "is not a valid polygon", "Self-intersection", "Fix Geometries", row=2,
            column="geometry")
    problem(problems, "covers no commune of Nouvelle-Aquitaine", row=3, column="geometry")
    problem(problems, "is a Point; expected a polygon", row=4, column="geometry")
    problem(problems, "has no geometry", row=5, column="geometry")
    assert {p.row for p in problems[1:]} == {2, 3, 4, 5}


def test_gis_file_mixing_coordinate_systems(
    covered: Workspace, tmp_path: Path, refused: Callable[..., list[Problem]],
    problem: Callable[..., Problem],
) -> None:
    path = tmp_path / "sites.geojson"
    path.write_text(
        '{"type": "FeatureCollection", "features": ['
        '{"type": "Feature", "properties": {"Nom": "A", "Type": "Antenne", "Code ML": "ML-N"},'
        ' "geometry": {"type": "Point", "coordinates": [-0.5792, 44.8378]}},'
        '{"type": "Feature", "properties": {"Nom": "B", "Type": "Antenne", "Code ML": "ML-N"},'
        ' "geometry": {"type": "Point", "coordinates": [417800, 6422000]}},'
        '{"type": "Feature", "properties": {"Nom": "C", "Type": "Antenne", "Code ML": "ML-N"},'
        ' "geometry": {"type": "LineString", "coordinates": [[-0.5, 44.8], [-0.6, 44.9]]}}]}')
    problems = refused("sites", path, covered)
    problem(problems, "(417800, 6422000) do not fit the file's declared coordinate system",
            "mixes coordinate systems", row=2, column="geometry")
    problem(problems, "is a LineString; expected a point", row=3, column="geometry")


def test_shapefile_without_prj_and_unknown_coordinates(
    covered: Workspace, tmp_path: Path, refused: Callable[..., list[Problem]],
    problem: Callable[..., Problem],
) -> None:
    path = tmp_path / "sites.shp"
    with pytest.warns(UserWarning, match="crs"):
        gpd.GeoDataFrame({"Nom": ["A"], "Type": ["Antenne"]},
                         geometry=[shapely.Point(2_000_000, 3_000_000)]).to_file(path)
    problems = refused("sites", path, covered)
    problem(problems, "declares no coordinate system (.prj missing)", "add the .prj file")
