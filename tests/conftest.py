"""Fixtures shared by the whole suite: a workspace of the shipped region, made once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from territory.io.workspace import Workspace


@pytest.fixture(scope="session")
def base_workspace_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A freshly created workspace of the region (reference layers, empty user layers)."""
    path = tmp_path_factory.mktemp("base") / "territoire.gpkg"
    Workspace.create(path)
    return path


@pytest.fixture
def workspace(base_workspace_file: Path, tmp_path: Path) -> Workspace:
    """A private copy of the region workspace that a test may write to."""
    path = tmp_path / "territoire.gpkg"
    shutil.copyfile(base_workspace_file, path)
    return Workspace(path)


@pytest.fixture(scope="session")
def demo_workspace_file(base_workspace_file: Path,
                        tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo workspace of the region (seed 2019), built once; tests must not write to it."""
    from territory.demo import build_demo

    path = tmp_path_factory.mktemp("demo-shared") / "territoire.gpkg"
    shutil.copyfile(base_workspace_file, path)
    build_demo(Workspace(path), seed=2019)
    return path
