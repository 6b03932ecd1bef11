"""Building the coverage model: the three constructors agree, inputs are left alone."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import shapely

from territory._errors import InputError
from territory.analysis import TravelPairs
from territory.planning import CoverageModel

from .conftest import TOY_MINUTES, toy_model


def test_dense_sparse_and_frame_matrices_agree() -> None:
    weights = [10.0, 20.0, 30.0, 40.0]
    dense = CoverageModel.from_cost_matrix(TOY_MINUTES, weights, threshold_min=30)
    i, j = np.nonzero(TOY_MINUTES <= 60)
    # Stored entries are travel times, zeros included; absent entries are out of reach.
    within = sp.csr_array((TOY_MINUTES[i, j], (i, j)), shape=TOY_MINUTES.shape)
    sparse = CoverageModel.from_cost_matrix(within, weights, threshold_min=30)
    frame = CoverageModel.from_cost_matrix(
        pd.DataFrame(TOY_MINUTES, index=list("ABCD"), columns=["s1", "s2", "s3"]), weights,
        threshold_min=30)
    for model in (sparse, frame):
        assert (model.reach.toarray() == dense.reach.toarray()).all()
    assert list(frame.demand.index) == list("ABCD")
    assert list(frame.facilities.index) == ["s1", "s2", "s3"]


def test_zero_minute_pairs_are_kept() -> None:
    model = CoverageModel.from_cost_matrix([[0.0, 50.0]], [5.0], threshold_min=30)
    assert model.reach.toarray().tolist() == [[1.0, 0.0]]
    assert model.minutes.toarray()[0, 0] == 0.0
    assert model.minutes.nnz == 2


def test_results_are_on_the_inputs_index(toy: CoverageModel) -> None:
    assert list(toy.demand.index) == ["A", "B", "C", "D"]
    assert list(toy.facilities.index) == ["s1", "s2", "s3"]
    assert toy.facilities["role"].tolist() == ["candidate"] * 3


def _places() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    demand = gpd.GeoDataFrame(
        {"code_insee": ["a", "b"], "youth": [100, 40], "invisible_est": [5.0, np.nan]},
        geometry=[shapely.box(0, 0, 2000, 2000), shapely.box(30_000, 0, 32_000, 2000)],
        index=pd.Index([7, 9]), crs=2154)
    sites = gpd.GeoDataFrame({"role": ["required", None], "ml_code": ["M1", "M2"]},
                             geometry=gpd.points_from_xy([1000, 31_000], [1000, 1000]),
                             index=pd.Index(["x", "y"]), crs=2154)
    return demand, sites


def test_from_geodataframe_uses_town_halls_and_never_mutates_inputs() -> None:
    demand, sites = _places()
    mairies = gpd.GeoDataFrame({"code_insee": ["a"]}, geometry=[shapely.Point(0, 0)],
                               crs=2154)
    before = (demand.copy(), sites.copy(), mairies.copy())
    model = CoverageModel.from_geodataframe(demand, sites, mairies=mairies)
    for frame, copy in zip((demand, sites, mairies), before, strict=True):
        pd.testing.assert_frame_equal(frame, copy)
    assert list(model.demand.index) == [7, 9]
    assert model.demand["invisible_est"].tolist() == [5.0, 0.0]
    assert model.demand_xy is not None
    assert model.demand_xy[0].tolist() == [0.0, 0.0]
    assert model.facilities["role"].tolist() == ["required", "candidate"]
    assert model.facilities["group"].tolist() == ["M1", "M2"]
    assert model.facilities[["x", "y"]].to_numpy().tolist() == [[1000, 1000], [31_000, 1000]]
    # 30 min = 30/60 × 50 km/h ÷ 1.3 ≈ 19.2 km in a straight line.
    assert model.reach.toarray().tolist() == [[1.0, 0.0], [0.0, 1.0]]


def test_crs_problems_are_listed_together() -> None:
    demand, sites = _places()
    with pytest.raises(InputError) as caught:
        CoverageModel.from_geodataframe(demand.to_crs(4326), sites.set_crs(None,
                                                                            allow_override=True))
    text = str(caught.value)
    assert "demand" in text and "EPSG:4326" in text and "to_crs" in text
    assert "facilities" in text and "no CRS" in text


def test_bad_weights_and_roles_are_listed_together() -> None:
    facilities = pd.DataFrame({"role": ["candidate", "boss", "required"],
                               "capacity": [1.0, -2.0, np.nan]})
    with pytest.raises(InputError) as caught:
        CoverageModel.from_cost_matrix(TOY_MINUTES, [1.0, -1.0, np.nan, 2.0],
                                       facilities=facilities, threshold_min=-5)
    assert len(caught.value.problems) == 4
    text = str(caught.value)
    assert "boss" in text and "capacity" in text and "threshold_min" in text


def test_shape_mismatch_names_both_sizes() -> None:
    with pytest.raises(InputError, match=r"3 rows .* 4 origins"):
        CoverageModel.from_cost_matrix(TOY_MINUTES, [1.0, 2.0, 3.0])


def test_from_pairs_takes_analysis_travel_pairs() -> None:
    pairs = TravelPairs.from_points(np.array([[0.0, 0.0], [50_000.0, 0.0]]),
                                    np.array([[1_000.0, 0.0]]), max_min=60)
    model = CoverageModel.from_pairs(pairs, [1.0, 1.0], threshold_min=30)
    assert model.reach.toarray().ravel().tolist() == [1.0, 0.0]
    assert model.cutoff_min == 30.0  # never below the threshold


def test_repr_counts_roles() -> None:
    model = toy_model(roles=("required", "candidate", "competitor"))
    assert "required" in repr(model) and "5 pairs within 30 min" in repr(model)
