"""Bilan d'impact: the study on the region's panel, and the estimator against two others.

Input: the demo workspace of the region (seed 2019): 4,293 communes × 48 months
(December 2017 – November 2021), treatment from the month an outreach place comes within
reach (learned from the contacts), young people in first contact per 1,000.

- The whole study (:func:`territory.analysis.impact.impact`: reach learned from the contacts,
  the region with 999 bootstrap draws clustered by ML, the consortium comparison, each ML by
  quarters) — the goal is under 30 s on this machine.
- The estimator alone on the same panel, three libraries in one run: ``moderndid`` (chosen:
  Callaway & Sant'Anna, not yet treated as controls, multiplier bootstrap clustered by ML),
  ``csdid`` (the same estimator) and ``pyfixest``'s saturated event study (Sun & Abraham
  2021, cohort × event-time interactions, standard errors clustered by ML, no bootstrap):
  seconds, ratio to ``moderndid``, and the largest gap between their event-study estimates
  (Sun & Abraham's controls are the never-treated zones: it is compared with ``moderndid``
  run with those controls).
"""

from __future__ import annotations

import contextlib
import io
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from territory.analysis.impact import build_panel, impact, learned_reach
from territory.analysis.params import DEFAULTS
from territory.demo import build_demo
from territory.io.workspace import Workspace

EVENTS = range(-12, 24)


def _layers() -> dict[str, pd.DataFrame]:
    folder = Path(tempfile.mkdtemp())
    workspace = Workspace.create(folder / "territoire.gpkg")
    build_demo(workspace, seed=2019)
    return {name: workspace.read(name) for name in workspace.layers()}


def _moderndid(data: pd.DataFrame, control: str = "notyettreated",
               ) -> tuple[float, pd.Series]:
    import moderndid as md  # noqa: PLC0415 (timed with the first call)

    start = time.perf_counter()
    gt = md.att_gt(data=data, yname="per_1000", tname="month", idname="zone_id",
                   gname="cohort", control_group=control, clustervars=["cluster"],
                   boot=True, biters=999, est_method="reg", random_state=2019)
    dynamic = md.aggte(gt, type="dynamic", min_e=min(EVENTS), max_e=max(EVENTS))
    seconds = time.perf_counter() - start
    return seconds, pd.Series(np.asarray(dynamic.att_by_event),
                              index=np.asarray(dynamic.event_times, dtype=int))


def _csdid(data: pd.DataFrame) -> tuple[float, pd.Series] | str:
    try:
        from csdid.att_gt import ATTgt  # noqa: PLC0415 (extra "bench")
    except ImportError as error:
        return f"not installed ({error})"
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):  # csdid prints its tables
        fit = ATTgt(yname="per_1000", gname="cohort", idname="zone_id", tname="month", data=data,
                    control_group="notyettreated", clustervar="cluster").fit(
                        est_method="reg", bstrap=True)
        fit.aggte(typec="dynamic", min_e=min(EVENTS), max_e=max(EVENTS))
    seconds = time.perf_counter() - start
    table = fit.atte
    return seconds, pd.Series(np.asarray(table["att_egt"], dtype=float),
                              index=np.asarray(table["egt"], dtype=int))


def _pyfixest(data: pd.DataFrame) -> tuple[float, pd.Series] | str:
    try:
        import pyfixest as pf  # noqa: PLC0415 (extra "bench")
    except ImportError as error:
        return f"not installed ({error})"
    start = time.perf_counter()
    fit = pf.event_study(data=data, yname="per_1000", idname="zone_id", tname="month",
                         gname="cohort", estimator="saturated", cluster="cluster")
    effects = fit.aggregate()
    seconds = time.perf_counter() - start
    index = pd.Index(effects.index).astype(float).astype(int)
    return seconds, pd.Series(effects["Estimate"].to_numpy(dtype=float), index=index)


def main() -> None:
    """Print the study's time and the three libraries' times, ratios and agreement."""
    warnings.simplefilter("ignore")
    layers = _layers()
    start = time.perf_counter()
    study = impact(layers)
    whole = time.perf_counter() - start
    print(f"whole study (reach, region 999 draws, consortium, 43 MLs): {whole:.1f} s — "
          f"{study.words()}")
    panel = build_panel(layers, params=DEFAULTS, reach_min=learned_reach(layers))
    data = panel.frame[panel.frame["cohort"] != 1].copy()
    data["zone_id"] = pd.factorize(data["zone"])[0] + 1
    print(f"panel: {data['zone'].nunique()} zones × {data['month'].nunique()} months "
          f"= {len(data)} rows, {data.loc[data['cohort'] > 0, 'cohort'].nunique()} cohorts")
    base_s, base = _moderndid(data)
    print(f"moderndid (Callaway & Sant'Anna, clustered bootstrap 999): {base_s:.1f} s")
    # Sun & Abraham compare with the never-treated zones: so does moderndid for that line.
    never_s, never = _moderndid(data, control="nevertreated")
    print(f"moderndid, never-treated controls: {never_s:.1f} s")
    for name, run, reference in (("csdid (Callaway & Sant'Anna)", _csdid, base),
                                 ("pyfixest saturated (Sun & Abraham), against moderndid "
                                  "with never-treated controls", _pyfixest, never)):
        found = run(data)
        if isinstance(found, str):
            print(f"{name}: {found}")
            continue
        seconds, effects = found
        # Before treatment, CS's "varying" base compares each month with the one before it
        # and Sun & Abraham with month −1: only the months after are the same quantity.
        common = reference.index.intersection(effects.index)
        after = common[common >= 0]
        gap = (float((reference[after] - effects[after]).abs().max()) if len(after)
               else np.nan)
        print(f"{name}: {seconds:.1f} s, ×{seconds / base_s:.1f} moderndid's; largest gap "
              f"between event-study estimates over the {len(after)} months after: {gap:.4f}")


if __name__ == "__main__":
    main()
