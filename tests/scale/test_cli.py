"""`territory indicators --engine dask` as a user runs it: same file as the local engine."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def territory(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "territory", *map(str, args)],
                          capture_output=True, text=True, timeout=600, check=False)


def test_dask_engine_writes_the_local_engines_file(demo_workspace_file: Path,
                                                    tmp_path: Path) -> None:
    files = {}
    for engine in ("local", "dask"):
        files[engine] = tmp_path / f"{engine}.csv"
        result = territory("indicators", "--workspace", demo_workspace_file, "--level", "epci",
                           "--period", "2020-01:2021-06", "--engine", engine,
                           "--out", files[engine])
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
    assert files["dask"].read_bytes() == files["local"].read_bytes()


@pytest.mark.parametrize(("args", "message"), [
    (("--scheduler", "tcp://127.0.0.1:8786"), "--scheduler needs --engine dask"),
    (("--contacts-parquet", "x.parquet"), "--contacts-parquet needs --engine dask"),
    (("--engine", "dask", "--contacts-parquet", "missing"), "missing: no such file or folder"),
])
def test_engine_options_are_explained(demo_workspace_file: Path, tmp_path: Path,
                                      args: tuple[str, ...], message: str) -> None:
    result = territory("indicators", "--workspace", demo_workspace_file,
                       "--out", tmp_path / "x.csv",
                       *[str(tmp_path / a) if a == "missing" else a for a in args])
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
