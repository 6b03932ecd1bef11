"""Two plans side by side."""

from __future__ import annotations

import pandas as pd
import pytest

from territory._errors import InputError
from territory.analysis import by_code
from territory.planning import CoverageModel, compare, plan_figures

from .conftest import toy_model


def _with_zones() -> CoverageModel:
    model = toy_model()
    codes = pd.DataFrame({"dep": ["33", "33", "40", "40"]})
    facilities = model.facilities.assign(dep_code=["33", "33", "40"])
    return CoverageModel(model.demand, facilities, model.pairs, model.threshold_min,
                         model.cutoff_min, {"departement": by_code(codes, "dep", label="dép")})


def test_region_and_zones_side_by_side() -> None:
    model = _with_zones()
    result = compare(plan_figures(model, ["s1"]), plan_figures(model, ["s2", "s3"]),
                     names=("Printemps", "Automne"))
    assert list(result.region.columns) == ["Printemps", "Automne", "difference"]
    assert result.region.loc["invisible_est_covered"].tolist() == [30.0, 90.0, 60.0]
    assert result.region.loc["new_sites"].tolist() == [1.0, 2.0, 1.0]
    deps = result.zones["departement"]
    assert deps.loc["33", ("invisible_est_covered", "Printemps")] == 30.0
    assert deps.loc["40", ("invisible_est_covered", "difference")] == 70.0
    assert deps.loc["40", ("new_sites", "Automne")] == 1.0


def test_names_must_differ() -> None:
    model = toy_model()
    with pytest.raises(InputError, match="two different names"):
        compare(plan_figures(model), plan_figures(model), names=("A", "A"))
