"""Fixtures of the dashboard tests: a demo workspace each test may write to, and its apps."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def dash_file(demo_workspace_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo workspace for one test module (saving a scenario writes to it)."""
    path = tmp_path_factory.mktemp("dash") / "territoire.gpkg"
    shutil.copyfile(demo_workspace_file, path)
    return path


@pytest.fixture
def own_file(demo_workspace_file: Path, tmp_path: Path) -> Path:
    """A private copy of the demo workspace for one test."""
    path = tmp_path / "territoire.gpkg"
    shutil.copyfile(demo_workspace_file, path)
    return path
