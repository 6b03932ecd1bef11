"""Planning instances small enough to solve by hand or by enumeration.

The toy: four demand points A, B, C, D weighing 10, 20, 30 and 40 (estimated invisible young
people) and three candidate sites, with travel minutes such that, at 30 minutes,

    s1 reaches A and B (30),   s2 reaches B and C (50),   s3 reaches D (40).

So one site: s2 (50); two: s2 + s3 (90); three: everything (100). Sites s2 and s3 belong to
Mission Locale G1, s1 to G2.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from territory.planning import CoverageModel

FAR = 90.0
TOY_MINUTES = np.array([
    #  s1    s2    s3
    [10.0, FAR, FAR],   # A
    [20.0, 25.0, FAR],  # B
    [FAR, 5.0, 55.0],   # C
    [FAR, FAR, 0.0],    # D
])


def toy_model(*, roles: tuple[str, str, str] = ("candidate",) * 3,
              capacity: tuple[float, float, float] | None = None) -> CoverageModel:
    demand = pd.DataFrame({"youth": [100.0, 200.0, 300.0, 400.0],
                           "invisible_est": [10.0, 20.0, 30.0, 40.0]},
                          index=pd.Index(["A", "B", "C", "D"], name="commune"))
    facilities = pd.DataFrame({"role": list(roles), "group": ["G2", "G1", "G1"],
                               "name": ["Mairie 1", "Mairie 2", "Mairie 3"]},
                              index=["s1", "s2", "s3"])
    if capacity is not None:
        facilities["capacity"] = capacity
    return CoverageModel.from_cost_matrix(TOY_MINUTES, demand, facilities=facilities,
                                          threshold_min=30.0, cutoff_min=60.0)


@pytest.fixture
def toy() -> CoverageModel:
    return toy_model()
