"""Reach: learning the curves, planning N = 10 outreach places for the region, what-ifs.

Inputs: the demo workspace of the region (seed 2019: 4,293 communes and town halls, 5,174
actions, 17,557 young people), public transport (the default mode).

- Curves: :func:`territory.analysis.reach.reach_curves` with its 200 bootstrap draws.
- Plan: :func:`territory.planning.reach.plan_reach`, N = 10 monthly maraudes over the region's
  4,293 town halls, with its proven bound and gap. The reference is the same greedy written
  as one would with NumPy alone, on the dense places × communes matrix of the same chances
  (no swaps): same first choice, time ratio dense / sparse.
- What-if: the planner's « une maraude mensuelle ici » for 50 communes of an ML with three
  places in the plan, median and 95th percentile in milliseconds (goal: under 50 ms).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from territory.analysis import Parameters
from territory.analysis.reach import reach_curves
from territory.dashboards import PlannerApp
from territory.demo import build_demo
from territory.io.workspace import Workspace
from territory.planning.reach import plan_reach, reach_model

N_PLACES = 10


def _dense_greedy(p: np.ndarray, remaining: np.ndarray, n: int) -> tuple[list[int], float]:
    survival = np.ones(p.shape[1])
    chosen: list[int] = []
    for _ in range(n):
        gains = p @ (remaining * survival)
        gains[chosen] = -np.inf
        best = int(np.argmax(gains))
        chosen.append(best)
        survival *= 1 - p[best]
    return chosen, float(remaining @ (1 - survival))


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    workspace = Workspace.create(folder / "territoire.gpkg")
    build_demo(workspace, seed=2019)
    layers = {name: workspace.read(name) for name in workspace.layers()}
    params = Parameters()

    start = time.perf_counter()
    curves = reach_curves(layers, params=params)
    curves_s = time.perf_counter() - start
    print(f"curves: {curves_s:.2f} s ({len(curves)} kinds, 200 bootstrap draws)")

    start = time.perf_counter()
    model = reach_model(layers, params=params, curves=curves)
    model_s = time.perf_counter() - start
    start = time.perf_counter()
    plan = plan_reach(model, N_PLACES)
    plan_s = time.perf_counter() - start
    print(f"model: {model_s:.2f} s ({len(model.places)} places, {model.p.nnz} pairs); "
          f"plan N={N_PLACES}: {plan_s:.3f} s, value {plan.value:.1f} young people a year, "
          f"bound {plan.bound:.1f}, gap {100 * plan.gap:.2f} %")

    dense = model.p.toarray()
    start = time.perf_counter()
    chosen, value = _dense_greedy(dense, model.remaining, N_PLACES)
    dense_s = time.perf_counter() - start
    start = time.perf_counter()
    greedy = plan_reach(model, N_PLACES, swaps=False)
    sparse_s = time.perf_counter() - start
    same = chosen[0] == int(greedy.sites["position"].iloc[0])
    print(f"greedy without swaps: sparse {sparse_s:.3f} s, dense NumPy {dense_s:.3f} s "
          f"(ratio {dense_s / sparse_s:.1f}); values {greedy.value:.2f} / {value:.2f}; "
          f"same first place: {same}")

    app = PlannerApp(workspace.path, ml="ML12")
    table, weights = app.table_and_weights()
    codes = table.loc[weights > 0, "zone_id"].astype(str).tolist()[:50]
    for code in codes[:3]:
        app.add_mairie(code)
    app.reach_whatif(codes[3])  # the selection's model, built once and cached
    times = []
    for code in codes[3:]:
        start = time.perf_counter()
        app.reach_whatif(code)
        times.append(1000 * (time.perf_counter() - start))
    p95 = float(np.percentile(times, 95))
    print(f"what-if (3 places in the plan): median {statistics.median(times):.1f} ms, "
          f"95th percentile {p95:.1f} ms over {len(times)} communes (goal < 50 ms)")


if __name__ == "__main__":
    main()
