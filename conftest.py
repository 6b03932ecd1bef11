"""Fixtures of the whole run, tests and the package's docstring examples alike.

The region's workspace and the demo workspace are built once per run. The examples in the
package's docstrings find in their namespace a demo workspace (``demo_path``, a private copy)
and a folder to write into (``tmp_path``), so that they run as a user would type them. The
keys of the pseudonyms that tests make go to a key file of the run, never to the user's
configuration folder (``$TERRITORY_KEY_FILE``, which the commands run by tests inherit).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from territory.dashboards.tiles import TILES_DIR_ENV
from territory.io.keys import KEY_FILE_ENV
from territory.io.workspace import Workspace

# On CI, property tests draw the same examples on every run (no example database): a check
# of a change never fails on an example no one drew before it. Locally they explore.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

# Bokeh 3.9 turns a DataFrame into table columns with `reset_index(inplace=True)`, which pandas
# 3.1 deprecates (Pandas4Warning): a third-party call, reached through Panel's Tabulator in
# the dashboards' tests and examples (and those that open a dashboard), and nowhere else.
BOKEH_INPLACE = ("ignore:The inplace keyword in DataFrame.reset_index is deprecated"
                 ":pandas.errors.Pandas4Warning")
_DASHBOARDS = (Path(__file__).parent / "territory" / "dashboards",
               Path(__file__).parent / "tests" / "dashboards",
               Path(__file__).parent / "tests" / "test_one_truth.py",
               Path(__file__).parent / "tests" / "network" / "test_flow.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Let the dashboards' tests and examples meet Bokeh's deprecated call."""
    for item in items:
        path = Path(str(item.fspath))
        if any(place == path or place in path.parents for place in _DASHBOARDS):
            item.add_marker(pytest.mark.filterwarnings(BOKEH_INPLACE))


@pytest.fixture(scope="session", autouse=True)
def _run_key_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Keep the keys tests make in a folder of the run, not in ~/.config of the machine."""
    path = tmp_path_factory.mktemp("config") / "territory" / "keys.json"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(KEY_FILE_ENV, str(path))
        yield path


@pytest.fixture(scope="session", autouse=True)
def _shared_tiles(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Keep the map's vector tiles in one folder for the whole run (all workers).

    Tiles are named by their content: the many copies of the demo workspace that the tests
    serve share one set, written once instead of once per server.
    """
    root = tmp_path_factory.getbasetemp()
    path = (root.parent if root.name.startswith("popen-gw") else root) / "tiles"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(TILES_DIR_ENV, str(path))
        yield path


@pytest.fixture(scope="session")
def base_workspace_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A freshly created workspace of the region (reference layers, empty user layers)."""
    path = tmp_path_factory.mktemp("base") / "territoire.gpkg"
    Workspace.create(path)
    return path


@pytest.fixture(scope="session")
def demo_workspace_file(base_workspace_file: Path,
                        tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo workspace of the region (seed 2019), built once; tests must not write to it."""
    from territory.demo import build_demo

    path = tmp_path_factory.mktemp("demo-shared") / "territoire.gpkg"
    shutil.copyfile(base_workspace_file, path)
    build_demo(Workspace(path), seed=2019)
    return path


@pytest.fixture(autouse=True)
def _examples_namespace(request: pytest.FixtureRequest, doctest_namespace: dict[str, Any],
                        tmp_path: Path) -> None:
    """Give a docstring example a copy of the demo workspace and a folder of its own."""
    if not isinstance(request.node, pytest.DoctestItem):
        return
    doctest_namespace["tmp_path"] = tmp_path
    example = request.node.dtest
    if example is not None and "demo_path" in (example.docstring or ""):
        source = request.getfixturevalue("demo_workspace_file")
        doctest_namespace["demo_path"] = tmp_path / "territoire.gpkg"
        shutil.copyfile(source, doctest_namespace["demo_path"])
