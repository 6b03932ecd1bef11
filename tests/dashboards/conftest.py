"""Fixtures of the dashboard tests: a demo workspace each test may write to, and its apps."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

# Bokeh 3.9 turns a DataFrame into table columns with `reset_index(inplace=True)`, which pandas
# 3.1 deprecates (Pandas4Warning): a third-party call, reached through Panel's Tabulator.
BOKEH_INPLACE = ("ignore:The inplace keyword in DataFrame.reset_index is deprecated"
                 ":pandas.errors.Pandas4Warning")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.filterwarnings(BOKEH_INPLACE))


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
