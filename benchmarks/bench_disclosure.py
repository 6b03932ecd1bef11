"""Disclosure: what a reader of the public tables learns of small counts, before and after.

Inputs: the demo workspace of the region (seed 2019: 4,293 communes, 17,557 young people),
the whole record, threshold 11.

- Rank attack (:func:`territory.analysis.disclosure.rank_attack`): masked communes whose
  count a reader pins down from the published rank, with each table masked on its own and
  the true score's rank beside the masks (before), and with the public tables (after).
- Audit (:func:`territory.analysis.disclosure.Disclosure`, HiGHS): masked small counts left
  with fewer than 5 possible values, and with one, when the communes, EPCI, MLs, départements
  and region are read together: each table masked on its own (before) and masked together
  (:func:`territory.analysis.public_tables`, after). Seconds for each.
- Periods: the same audit with the public tables of the whole record and of each calendar
  year read together (a year's count at most the whole record's, the whole record's at most
  the sum of the years').
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pandas as pd

from territory.analysis import indicators, public_tables, suppress
from territory.analysis.disclosure import Disclosure, audit_public, rank_attack
from territory.analysis.indicators import _memberships
from territory.analysis.period import public_periods
from territory.analysis.suppression import with_public_score
from territory.demo import build_demo
from territory.io.workspace import Workspace

LEVELS = ("commune", "epci", "catchment", "departement")


def _recovered(bounds: pd.DataFrame, truth: pd.Series, masked: pd.Series) -> int:
    guess = ((bounds["lower"] + bounds["upper"]) / 2).round()
    return int((masked & (guess == truth) & (bounds["upper"] - bounds["lower"] < 1)).sum())


def _known(layers: dict, tables: dict, raw: dict, suffix: str = "",
           known: Disclosure | None = None) -> Disclosure:
    known = known or Disclosure()
    for level in LEVELS:
        known.table(tables[level], raw[level], space=level + suffix, output=level + suffix)
    communes, members = layers["communes"], layers["catchment_members"]
    known.sums("epci" + suffix, "commune" + suffix, pd.DataFrame(
        {"zone": communes["epci_code"], "part": communes["code_insee"]}))
    known.sums("departement" + suffix, "commune" + suffix, pd.DataFrame(
        {"zone": communes["dep_code"], "part": communes["code_insee"]}))
    known.sums("catchment" + suffix, "commune" + suffix, pd.DataFrame(
        {"zone": members["ml_code"], "part": members["code_insee"],
         "weight": members["share"]}))
    return known


def _say(name: str, audit: pd.DataFrame, seconds: float) -> None:
    print(f"{name}: {len(audit)} masked small counts, {(audit['values'] < 5).sum()} with "
          f"fewer than 5 possible values, {(audit['values'] == 1).sum()} with one "
          f"({seconds:.1f} s)")


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    workspace = Workspace.create(folder / "territoire.gpkg")
    build_demo(workspace, seed=2019)
    layers = {name: workspace.read(name) for name in workspace.layers()}
    raw = {level: pd.DataFrame(indicators(layers, level=level).drop(columns="geometry"))
           for level in LEVELS}
    truth = raw["commune"]["reached"].astype(float)

    before = {level: with_public_score(suppress(raw[level],
                                                memberships=_memberships(level, layers)))
              for level in LEVELS}
    ranked = suppress(raw["commune"], memberships=_memberships("commune", layers))
    masked = ranked["reached_secret"].notna()
    found = _recovered(rank_attack(ranked), truth, masked)
    print(f"rank attack, true rank beside the masks: {found} of {int(masked.sum())} masked "
          "communes pinned down")
    after = public_tables(layers)
    masked = after["commune"]["reached_secret"].notna()
    found = _recovered(rank_attack(after["commune"]), truth, masked)
    print(f"rank attack, public tables: {found} of {int(masked.sum())} (a guess at the "
          "middle of 1 to 10, right by chance)")

    start = time.perf_counter()
    _say("each table masked on its own", _known(layers, before, raw).audit(),
         time.perf_counter() - start)
    start = time.perf_counter()
    _say("tables masked together", audit_public(layers), time.perf_counter() - start)

    start = time.perf_counter()
    known = _known(layers, after, raw)
    years = [k for k in public_periods([layers["contacts"]["date"]]) if k]
    for year in years:
        period = (f"{year}-01", f"{year}-12")
        tables = public_tables(layers, period=period)
        raws = {level: pd.DataFrame(indicators(layers, level=level, period=period)
                                    .drop(columns="geometry")) for level in LEVELS}
        _known(layers, tables, raws, suffix=f"@{year}", known=known)
    for level in LEVELS:
        known.cover(level, [f"{level}@{year}" for year in years])
    _say("whole record and calendar years read together", known.audit(),
         time.perf_counter() - start)


if __name__ == "__main__":
    main()
