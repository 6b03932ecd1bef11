"""The distributed engine stays out of the pure analytics, and out of the views."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import territory

PACKAGE = Path(territory.__file__).parent
FORBIDDEN = {
    "analysis": ("dask", "distributed", "dask_geopandas", "pyarrow", "territory.scale"),
    "scale": ("territory.viz", "territory.report", "territory.cli", "territory.planning",
              "dashboards", "folium", "panel"),
}


def imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_does_not_import(layer: str) -> None:
    offenders = [f"{path.relative_to(PACKAGE)} imports {name}"
                 for path in sorted((PACKAGE / layer).rglob("*.py"))
                 for name in imports(path)
                 if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN[layer])]
    assert not offenders, offenders
