"""``territory report`` as a user runs it: a real process, exit codes, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from territory.cli import main

from .conftest import ML, pdf_pages

pytestmark = pytest.mark.slow


def territory(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "territory", *map(str, args)],
                          capture_output=True, text=True, timeout=600, check=False)


def test_report_of_one_ml(report_workspace: Path, tmp_path: Path) -> None:
    out = tmp_path / "rapport.pdf"
    result = territory("report", "--workspace", report_workspace, "--out", out, "--ml", ML,
                       "--date", "2026-11-28")
    assert result.returncode == 0, result.stderr
    assert str(out) in result.stdout
    pages = pdf_pages(out.read_bytes())
    assert "Période : décembre 2019 – novembre 2021" in pages[0]
    assert "28 novembre 2026" in pages[0]


def test_a_report_shows_the_whole_record(report_workspace: Path, tmp_path: Path) -> None:
    # A report is public and shows communes: with one for January–June and one for the whole
    # record, the other months' small counts would be two tables' difference.
    result = territory("report", "--workspace", report_workspace, "--out",
                       tmp_path / "r.pdf", "--period", "2020-01:2020-06")
    assert result.returncode == 2
    assert "--period 2020-01:2020-06" in result.stderr and "2020" in result.stderr
    assert not (tmp_path / "r.pdf").exists() and "Traceback" not in result.stderr


def test_unknown_ml_exits_2_and_lists_the_known_ones(report_workspace: Path,
                                                     tmp_path: Path) -> None:
    result = territory("report", "--workspace", report_workspace, "--out",
                       tmp_path / "r.pdf", "--ml", "NOPE")
    assert result.returncode == 2
    assert "NOPE" in result.stderr and "expected one of" in result.stderr
    assert "'ML01'" in result.stderr and "'ML43'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(("args", "expected"), [
    (("--out", "rapport.docx"), "expected one of .pdf, .png, .html"),
    (("--out", "rapport.pdf", "--period", "2020"), "START:END"),
    (("--out", "rapport.pdf", "--period", "2021-01:2020-01"), "ends before it starts"),
    (("--out", "rapport.pdf", "--date", "demain"), "YYYY-MM-DD"),
    (("--out", "rapport.pdf", "--threshold-min", "0"), "threshold_min"),
])
def test_bad_input_exits_2_with_a_clear_message(report_workspace: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str],
                                                args: tuple[str, ...], expected: str) -> None:
    args = tuple(str(tmp_path / a) if a.startswith("rapport.") else a for a in args)
    assert main(["report", "--workspace", str(report_workspace), *args]) == 2
    assert expected in capsys.readouterr().err
    assert not list(tmp_path.iterdir())
