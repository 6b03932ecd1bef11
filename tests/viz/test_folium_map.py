"""The standalone map: checks on its input, what it says in French, and that it needs no network."""

from __future__ import annotations

import json
import re
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from territory._errors import InputError, TerritoryError
from territory.io._schema import empty_layer
from territory.viz import workspace_map, write_html
from territory.viz._assets import external_references, leaflet_dist


def _page(fmap: folium.Map, tmp_path: Path) -> str:
    path = tmp_path / "carte.html"
    size = write_html(fmap, path)
    assert size == path.stat().st_size > 0
    return path.read_text(encoding="utf-8")


@pytest.fixture
def grid_page(
    grid_communes: gpd.GeoDataFrame, grid_catchments: gpd.GeoDataFrame,
    grid_sites: gpd.GeoDataFrame, grid_actions: gpd.GeoDataFrame, tmp_path: Path,
) -> str:
    fmap = workspace_map(grid_communes, catchments=grid_catchments, sites=grid_sites,
                         actions=grid_actions, title="Grille d’essai")
    return _page(fmap, tmp_path)


# -- input checks ------------------------------------------------------------------------


def test_a_layer_in_another_crs_is_refused_naming_both_crs_and_the_fix(
    grid_communes: gpd.GeoDataFrame, grid_sites: gpd.GeoDataFrame,
) -> None:
    with pytest.raises(InputError) as error:
        workspace_map(grid_communes, sites=grid_sites.to_crs("EPSG:4326"))
    message = str(error.value)
    assert "sites" in message
    assert "EPSG:4326" in message
    assert "EPSG:2154" in message
    assert ".to_crs('EPSG:2154')" in message


def test_a_layer_without_crs_is_refused_with_the_fix(grid_communes: gpd.GeoDataFrame) -> None:
    with pytest.raises(InputError, match=r"communes.*no CRS.*EPSG:2154.*set_crs"):
        workspace_map(grid_communes.set_crs(None, allow_override=True))


def test_every_problem_is_listed_at_once(
    grid_communes: gpd.GeoDataFrame, grid_catchments: gpd.GeoDataFrame,
    grid_sites: gpd.GeoDataFrame,
) -> None:
    with pytest.raises(InputError) as error:
        workspace_map(grid_communes.to_crs("EPSG:3857"),
                      catchments=grid_catchments.drop(columns="ml_name"),
                      sites=grid_sites.set_crs(None, allow_override=True))
    assert len(error.value.problems) == 3
    assert {p.file for p in error.value.problems} == {"communes", "catchments", "sites"}
    assert "ml_name" in str(error.value)


def test_no_commune_no_map() -> None:
    with pytest.raises(InputError, match="no commune"):
        workspace_map(empty_layer("communes"))


def test_the_inputs_are_not_modified(
    grid_communes: gpd.GeoDataFrame, grid_catchments: gpd.GeoDataFrame,
    grid_sites: gpd.GeoDataFrame, grid_actions: gpd.GeoDataFrame,
) -> None:
    frames = [grid_communes, grid_catchments, grid_sites, grid_actions]
    copies = [frame.copy() for frame in frames]
    workspace_map(grid_communes, catchments=grid_catchments, sites=grid_sites,
                  actions=grid_actions)
    for frame, copy in zip(frames, copies, strict=True):
        assert frame.crs == copy.crs
        assert frame.equals(copy)


# -- what the map says ---------------------------------------------------------------------


def test_demo_map_says_donnees_fictives_on_its_face_and_in_its_title(
    grid_communes: gpd.GeoDataFrame, tmp_path: Path,
) -> None:
    page = _page(workspace_map(grid_communes, demo=True, title="Grille"), tmp_path)
    assert "<title>Grille — données fictives</title>" in page
    assert re.search(r'class="territory-banner"[^>]*>DONNÉES FICTIVES', page)


def test_real_map_does_not_say_donnees_fictives(grid_page: str) -> None:
    assert "données fictives" not in grid_page.lower()
    assert "territory-banner" not in re.sub(r"<style>.*?</style>", "", grid_page, flags=re.S)
    assert "<title>Grille d’essai</title>" in grid_page


def test_legend_is_in_french_and_counts_what_is_not_drawn(grid_page: str) -> None:
    for text in ("Légende", "Jeunes (16–25 ans) estimés par km²", "moins de 1",
                 "membre du consortium IN Système", "hors consortium IN Système",
                 "siège (1)", "antenne (1)", "permanence (1)", "partenaire (1)",
                 "point_info (1)", "maraude (1)", "bus / permanence mobile (1)",
                 "événement (1)", "structure partenaire (1)",
                 "2 actions numériques (sans lieu, non cartographiées)"):
        assert text in grid_page, text


def test_title_box_and_sources(grid_page: str) -> None:
    assert "Grille d’essai" in grid_page
    assert "9 communes · 2 Missions Locales · 5 sites · 6 actions d’aller-vers" in grid_page
    assert "IGN ADMIN EXPRESS" in grid_page
    assert "population municipale 2017" in grid_page
    assert "Licence Ouverte 2.0" in grid_page


def test_names_are_escaped_in_tooltips(grid_page: str) -> None:
    assert "Permanence <mairie>" not in grid_page
    assert "Permanence \\u0026lt;mairie\\u0026gt;" in grid_page


def test_empty_user_layers_are_left_off(grid_communes: gpd.GeoDataFrame, tmp_path: Path) -> None:
    fmap = workspace_map(grid_communes, catchments=empty_layer("catchments"),
                         sites=empty_layer("sites"),
                         actions=empty_layer("actions"))
    page = _page(fmap, tmp_path)
    assert "Jeunes (16–25 ans) estimés par km²" in page
    assert "Sites des Missions Locales" not in page
    assert "Territoires d’intervention des Missions Locales" not in page


def test_a_layer_of_online_actions_only_draws_no_dot(
    grid_communes: gpd.GeoDataFrame, grid_actions: gpd.GeoDataFrame, tmp_path: Path,
) -> None:
    online = grid_actions[grid_actions["kind"] == "numerique"]
    page = _page(workspace_map(grid_communes, actions=online), tmp_path)
    assert "2 actions numériques" in page
    assert "territoryActions" not in re.sub(r"createPane\([^)]*\)", "", page)


# -- offline ------------------------------------------------------------------------------


def test_written_page_loads_nothing_from_the_network(grid_page: str) -> None:
    assert external_references(grid_page) == []
    assert not re.search(r"<script[^>]+src=", grid_page)
    assert not re.search(r"<link[^>]+href=", grid_page)


def test_leaflet_is_inlined(grid_page: str) -> None:
    leaflet_js = (leaflet_dist() / "leaflet.js").read_text(encoding="utf-8")
    first_line = leaflet_js.splitlines()[0]
    assert first_line in grid_page
    assert ".leaflet-container" in grid_page
    assert "url(data:image/png;base64," in grid_page  # the layer-control icon


def test_missing_leaflet_says_how_to_install_it(
    grid_communes: gpd.GeoDataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TERRITORY_JS_DIR", str(tmp_path / "node_modules"))
    with pytest.raises(TerritoryError, match="make setup"):
        write_html(workspace_map(grid_communes), tmp_path / "carte.html")
    assert not (tmp_path / "carte.html").exists()


def test_leaflet_is_found_through_the_environment(
    grid_communes: gpd.GeoDataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TERRITORY_JS_DIR", str(leaflet_dist().parents[1]))
    assert write_html(workspace_map(grid_communes), tmp_path / "carte.html") > 0


def test_a_map_that_needs_other_libraries_is_not_written(tmp_path: Path) -> None:
    fmap = folium.Map(tiles=None)  # folium's defaults: jQuery, Bootstrap, icon fonts
    with pytest.raises(TerritoryError, match="network"):
        write_html(fmap, tmp_path / "carte.html")
    assert not (tmp_path / "carte.html").exists()


def test_external_references_finds_scripts_and_stylesheets_only() -> None:
    page = ('<script src="https://cdn.example/a.js"></script>'
            "<link rel='stylesheet' href='//cdn.example/b.css'>"
            '<a href="https://www.openstreetmap.org/copyright">OSM</a>'
            '<script>var url = "https://tile.example/{z}/{x}/{y}.png";</script>')
    assert len(external_references(page)) == 2


def test_region_map_stays_small(region_layers: dict[str, gpd.GeoDataFrame],
                                tmp_path: Path) -> None:
    communes = region_layers["communes"]
    size = write_html(workspace_map(communes), tmp_path / "communes.html")
    assert size < 5_000_000
    full = workspace_map(communes, catchments=region_layers["catchments"],
                         sites=region_layers["sites"], actions=region_layers["actions"],
                         demo=True)
    assert write_html(full, tmp_path / "full.html") < 6_000_000


def test_each_commune_knows_its_catchments(
    grid_communes: gpd.GeoDataFrame, grid_catchments: gpd.GeoDataFrame,
) -> None:
    from territory.viz._layers import commune_catchments

    # Rows run west to east: the two left columns are ML01 (position 0), the right one ML02.
    assert commune_catchments(grid_communes, grid_catchments) == [[0], [0], [1]] * 3
    # A commune shared by two Missions Locales lies in both catchments.
    shared = grid_catchments.copy()
    shared.loc[1, "geometry"] = shared.geometry.iloc[1].union(grid_communes.geometry.iloc[1])
    assert commune_catchments(grid_communes, shared)[1] == [0, 1]


# -- what colours the communes -------------------------------------------------------------


def _tables_and_communes(page: str) -> tuple[dict, list[dict]]:
    """The helpers' tables and the communes' feature properties, read in a written map."""
    decoder = json.JSONDecoder()
    start = page.index("var tables = ") + len("var tables = ")
    tables, _ = decoder.raw_decode(page, start)
    at = page.rfind("L.geoJson(", 0, page.index('className: "territory-commune"'))
    collection, _ = decoder.raw_decode(page, at + len("L.geoJson("))
    return tables, [f["properties"] for f in collection["features"]]


@pytest.fixture
def indicator_page(grid_communes: gpd.GeoDataFrame, grid_catchments: gpd.GeoDataFrame,
                   grid_indicators: pd.DataFrame, tmp_path: Path) -> str:
    fmap = workspace_map(grid_communes, catchments=grid_catchments, indicators=grid_indicators,
                         title="Grille d’essai")
    return _page(fmap, tmp_path)


def test_communes_can_be_coloured_by_score_reach_access_or_density(indicator_page: str) -> None:
    tables, communes = _tables_and_communes(indicator_page)
    labels = [c["label"] for c in tables["colourings"]]
    assert labels == ["Indice de zone invisible (0–100)", "Jeunes atteints pour 1 000 jeunes",
                      "Temps d’accès au lieu le plus proche (min)",
                      "Jeunes (16–25 ans) estimés par km²"]
    for label in labels:  # one base layer (radio button) and one legend section each
        assert f"{json.dumps(label)} :" in indicator_page, label
    assert indicator_page.count('class="territory-colouring"') == 4
    assert [c["q"][0] for c in communes] == [4, 4, 3, 3, 2, 2, 1, 1, 0]
    assert communes[4]["q"][2] == 3  # 41 min: beyond the threshold (30 to 45 min)
    assert communes[0]["q"][1] == -1  # masked: no class


def test_each_commune_is_drawn_once_whatever_colours_it(indicator_page: str) -> None:
    assert indicator_page.count('"c":"33905"') == 1
    assert indicator_page.count("L.geoJson(") == 2  # the communes and the catchments


def test_tooltips_say_the_dashboards_words_and_keep_masked_figures_masked(
        indicator_page: str) -> None:
    _, communes = _tables_and_communes(indicator_page)
    first, second, fifth = communes[0], communes[1], communes[4]
    assert first["v"][:2] == ["s", "s"] and first["r"] is None
    assert "< 11 jeunes atteints sur la période" in first["f"]
    assert "invisibles estimés : s" in first["f"]
    assert first["w"] == "presque personne atteint"
    assert second["r"] is None and "jeunes atteints sur la période : s" in second["f"]
    assert fifth["v"][0] == "50,0" and fifth["r"] == 5
    assert fifth["f"] == ("50 jeunes (16–25 ans) · ~2 invisibles estimés · 12 jeunes "
                          "atteints sur la période · lieu le plus proche à 41 min")
    assert "rang " in indicator_page and "territory-reasons" in indicator_page


def test_without_indicators_the_communes_show_youth_density(grid_page: str) -> None:
    tables, communes = _tables_and_communes(grid_page)
    assert [c["label"] for c in tables["colourings"]] == ["Jeunes (16–25 ans) estimés par km²"]
    assert communes[0]["v"] == ["10,0"]
    assert json.dumps("Fond OpenStreetMap (nécessite internet)") in grid_page


def test_an_indicator_table_missing_columns_is_refused(
        grid_communes: gpd.GeoDataFrame, grid_indicators: pd.DataFrame) -> None:
    with pytest.raises(InputError, match=r"indicators.*gap_rank.*territory.analysis"):
        workspace_map(grid_communes, indicators=grid_indicators.drop(columns="gap_rank"))


def test_the_indicator_layers_cost_little_more_than_the_density_map(
        region_layers: dict[str, gpd.GeoDataFrame], tmp_path: Path) -> None:
    communes = region_layers["communes"]
    rng = np.random.default_rng(2019)
    score = rng.uniform(0, 60, len(communes))
    reached = rng.integers(0, 40, len(communes)).astype(float)
    table = pd.DataFrame({
        "zone_id": communes["code_insee"], "zone_name": communes["nom"],
        "youth": communes["youth"].astype(float), "invisible_est": rng.uniform(0, 50,
                                                                                len(communes)),
        "reached": reached, "contacts_per_1000": reached, "nearest_min": rng.uniform(0, 60,
                                                                                      len(communes)),
        "covered_share": 1.0, "gap_score": score,
        "gap_rank": pd.Series(score).rank(ascending=False, method="first").astype(int),
        "reasons": "presque personne atteint ; loin de tout lieu d'accueil (41 min)"})
    plain = write_html(workspace_map(communes), tmp_path / "densite.html")
    rich = write_html(workspace_map(communes, indicators=table), tmp_path / "indices.html")
    assert rich < 1.35 * plain
