"""Fixtures of the dashboard tests: a demo workspace each test may write to, a browser."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, for one test module."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


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
