"""pyproject.toml and environment.yml list the same dependencies (conda names where they differ).

A dependency is added to both together; the benchmarks' reference libraries (extra "bench")
are installed with pip and are not checked here.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import territory

ROOT = Path(territory.__file__).resolve().parent.parent
EXTRAS = ("dashboards", "dev", "network", "scale")
# PyPI name → conda-forge name, where they differ.
CONDA = {"h3": "h3-py", "matplotlib": "matplotlib-base", "osmium": "pyosmium"}


def _name(requirement: str) -> str:
    name = re.split(r"[\s<>=!~\[;]", requirement.strip(), maxsplit=1)[0].lower()
    return CONDA.get(name, name).replace("_", "-")


def _pyproject() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = list(project["dependencies"])
    for extra in EXTRAS:
        wanted += project["optional-dependencies"][extra]
    names = {_name(r) for r in wanted}
    if "dask" in names:  # dask[distributed] is two packages on conda-forge
        names.add("distributed")
    return names


def _environment() -> set[str]:
    names = set()
    for line in (ROOT / "environment.yml").read_text(encoding="utf-8").splitlines():
        found = re.match(r"\s+-\s+([A-Za-z0-9_.\-\[\]]+)", line)
        if found and not found.group(1).startswith("-"):
            names.add(_name(found.group(1)))
    return names


def test_every_dependency_is_in_both_files() -> None:
    missing = _pyproject() - _environment()
    assert not missing, f"in pyproject.toml, not in environment.yml: {sorted(missing)}"
