"""``territory impact``: the reading, the files it writes, and clear refusals."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest


def _impact(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "territory", "impact", *args],
                          capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def by_catchment(demo_workspace_file: Path, tmp_path_factory: pytest.TempPathFactory,
                 ) -> tuple[subprocess.CompletedProcess[str], Path]:
    out = tmp_path_factory.mktemp("impact") / "impact.csv"
    done = _impact("--workspace", str(demo_workspace_file), "--level", "catchment",
                   "--out", str(out))
    return done, out


def test_the_command_prints_its_reading_and_writes_the_published_figures(by_catchment) -> None:
    done, out = by_catchment
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("[données fictives] ")
    assert "Période relevée : 2017-12 à 2021-11 (source : first_contacts)" in done.stdout
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["données"] for row in rows} == {"données fictives"}
    what = {row["what"] for row in rows}
    assert {"mois", "ml"} <= what
    # Each ML is one zone at this level: no ML has comparison zones of its own.
    assert all(row["note"] for row in rows if row["what"] == "ml")
    for row in rows:
        if row["att"]:
            assert float(row["low"]) <= float(row["att"]) <= float(row["high"])
            assert int(float(row["support"])) >= 11
        else:
            assert row["note"]


def test_the_chart_and_the_json_say_demo(demo_workspace_file: Path, tmp_path: Path) -> None:
    png, js = tmp_path / "impact.png", tmp_path / "impact.json"
    for out in (png, js):
        done = _impact("--workspace", str(demo_workspace_file), "--level", "catchment",
                       "--bootstrap", "199", "--out", str(out))
        assert done.returncode == 0, done.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    data = json.loads(js.read_text(encoding="utf-8"))
    assert data["données"] == "données fictives"
    assert data["niveau"] == "catchment" and data["tirages_bootstrap"] == 199
    assert "pour 1 000 jeunes" in data["lecture"]


@pytest.mark.parametrize(("args", "message"), [
    (["--out", "impact.xlsx"], "unknown format '.xlsx'"),
    (["--bootstrap", "10"], "at least 99 draws"),
    (["--out", "missing/impact.csv"], "there is no folder"),
])
def test_bad_options_are_refused_before_any_work(base_workspace_file: Path, tmp_path: Path,
                                                 args: list[str], message: str) -> None:
    fixed = [str(tmp_path / a) if a.endswith((".csv", ".xlsx")) else a for a in args]
    done = _impact("--workspace", str(base_workspace_file), *fixed)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr


def test_a_workspace_without_contacts_says_so(base_workspace_file: Path) -> None:
    done = _impact("--workspace", str(base_workspace_file))
    assert done.returncode == 2
    assert "no contacts" in done.stderr and "Traceback" not in done.stderr
