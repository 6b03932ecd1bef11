"""The package's rules (docs/architecture.md, "Code rules"), checked on its imports.

Data flows one way: io -> analysis/planning -> viz -> dashboards, cli, report. A module
whose name starts with an underscore is private to its package: only the modules of that
package (and of its subpackages) import it or its names.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import territory

PACKAGE = Path(territory.__file__).parent

# What each layer may never import (docs/architecture.md, "Code rules").
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


def _imported_names(path: Path) -> set[str]:
    """Every dotted name a module imports, ``from a import b`` counting as ``a.b``."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _package_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1])


def _private_owner(name: str) -> str | None:
    """The package that owns the first private part of ``name`` (None: all public)."""
    parts = name.split(".")
    for i, part in enumerate(parts):
        if part.startswith("_") and not part.startswith("__"):
            return ".".join(parts[:i])
    return None


def private_imports(path: Path) -> list[str]:
    """The private modules or names of another package that ``path`` imports."""
    package = _package_of(path)
    found = []
    for name in sorted(_imported_names(path)):
        owner = _private_owner(name) if name.startswith("territory") else None
        if owner is not None and package != owner and not package.startswith(owner + "."):
            found.append(f"{path.relative_to(PACKAGE.parent)} imports {name}")
    return found


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
    assert "territory.io.workspace" in _imports(PACKAGE / "io" / "importing.py")


def test_private_modules_stay_in_their_package() -> None:
    offenders = [hit for path in sorted(PACKAGE.rglob("*.py")) for hit in private_imports(path)]
    assert not offenders, offenders


def test_the_private_check_sees_a_foreign_private_import(tmp_path: Path) -> None:
    inside = PACKAGE / "analysis" / "access.py"
    assert not private_imports(inside)  # its own package's _checks is allowed
    assert _private_owner("territory.io._schema.empty_layer") == "territory.io"
    assert _private_owner("territory._errors.InputError") == "territory"
    assert _private_owner("territory.io.workspace") is None
    assert _package_of(PACKAGE / "scale" / "engine.py") == "territory.scale"


def test_packages_declare_their_public_names() -> None:
    for init in PACKAGE.rglob("__init__.py"):
        tree = ast.parse(init.read_text())
        declared = [n for n in tree.body if isinstance(n, ast.Assign)
                    and any(getattr(t, "id", None) == "__all__" for t in n.targets)]
        assert declared or not init.read_text().strip(), f"{init} has no __all__"
