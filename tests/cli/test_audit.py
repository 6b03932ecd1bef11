"""``territory audit``: what a reader of every public table could learn, from the shell."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

pytestmark = pytest.mark.slow


def territory(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "territory", *map(str, args)],
                          capture_output=True, text=True, timeout=600, check=False)


def test_the_audit_says_which_small_counts_a_reader_narrows(demo_workspace_file: Path,
                                                           tmp_path: Path) -> None:
    out = tmp_path / "cellules.csv"
    result = territory("audit", "--workspace", demo_workspace_file, "--out", out)
    # Some counts of the demo keep fewer than 5 possible values: said, and exit 1.
    assert result.returncode == 1, result.stderr
    assert "Effectifs masqués « < 11 » audités" in result.stdout
    assert "Resserrés à moins de 5 valeurs possibles" in result.stdout
    cells = pd.read_csv(out, dtype={"zone": str})
    assert "true" not in cells.columns, "the audit's file holds no masked count"
    short = cells[cells["values"] < 5]
    assert len(short) and not short["safe"].any() and cells["safe"].mean() > 0.98
    for code in sorted(set(short.loc[short["space"] == "commune", "zone"]))[:3]:
        assert code in result.stdout


def test_the_audit_takes_the_periods_public_outputs_show(demo_workspace_file: Path) -> None:
    result = territory("audit", "--workspace", demo_workspace_file, "--period",
                       "2020-03:2020-05")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "whole record only" in result.stderr
