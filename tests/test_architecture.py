"""Data flows one way: io -> analysis/planning -> viz -> dashboards, cli, report."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import territory

PACKAGE = Path(territory.__file__).parent

# What each layer may never import (DESIGN.md, "Data flow").
FORBIDDEN = {
    "io": ("territory.analysis", "territory.planning", "territory.viz", "territory.report",
           "territory.cli", "territory.dashboards", "folium", "panel"),
    "analysis": ("territory.io", "territory.viz", "territory.report", "territory.cli",
                 "territory.dashboards", "folium", "panel", "pyogrio", "territory.scale", "dask",
                 "distributed", "dask_geopandas", "pyarrow"),
    "planning": ("territory.io", "territory.viz", "territory.report", "territory.cli",
                 "territory.dashboards", "folium", "panel", "pyogrio"),
    "viz": ("territory.io", "territory.cli", "territory.report", "territory.dashboards", "panel",
            "pyogrio"),
    # The distributed engine runs the analytics' steps; it draws and plans nothing.
    "scale": ("territory.viz", "territory.report", "territory.cli", "territory.planning",
              "territory.dashboards", "folium", "panel"),
}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", sorted(n for n in FORBIDDEN if (PACKAGE / n).is_dir()))
def test_layer_imports_flow_one_way(layer: str) -> None:
    offenders = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in sorted((PACKAGE / layer).rglob("*.py"))
        for name in _imports(path)
        if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN[layer])
    ]
    assert not offenders, offenders


def test_the_check_sees_imports() -> None:
    assert "territory.io.workspace" in _imports(PACKAGE / "cli.py")


def test_packages_declare_their_public_names() -> None:
    for init in PACKAGE.rglob("__init__.py"):
        tree = ast.parse(init.read_text())
        declared = [n for n in tree.body if isinstance(n, ast.Assign)
                    and any(getattr(t, "id", None) == "__all__" for t in n.targets)]
        assert declared or not init.read_text().strip(), f"{init} has no __all__"
