"""Build hook: the browser files go into the package data when the package is built.

Leaflet and protomaps-leaflet come from the npm registry (``dashboards/package.json``, pinned
by its lock file) and the map component's sources live in ``dashboards/``. Neither is
committed inside the package: building a wheel or an editable install copies them to
``territory/static/``, so an installed ``territory`` draws its maps and serves its dashboards
with no checkout and no network.
Everything else about the package is declared in ``pyproject.toml``.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SOURCES = ROOT / "dashboards"
STATIC = ROOT / "territory" / "static"
# What the package needs of each npm package (paths inside node_modules/NAME).
NPM_FILES = {
    "leaflet": ("LICENSE", "dist/leaflet.js", "dist/leaflet.css", "dist/leaflet-src.esm.js",
                "dist/images/*.png"),
    # Draws the workspace's vector tiles (PMTiles) on canvas tiles of the Leaflet map.
    "protomaps-leaflet": ("LICENSE", "dist/protomaps-leaflet.js"),
}
# The browser component's own sources.
COMPONENT_FILES = ("coverage_map.js", "coverage_map.css")


def _npm_install() -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit(
            "territory: building the package needs Leaflet from the npm registry, and npm is "
            "not on this machine; install Node.js/npm, or run `npm ci --prefix dashboards` "
            "on a machine that has it, then build again")
    subprocess.run([npm, "ci", "--prefix", str(SOURCES), "--no-audit", "--no-fund",
                    "--loglevel=error"], check=True)


def bundle_browser_files() -> list[Path]:
    """Copy the npm packages' files and the component's sources to ``territory/static/``."""
    modules = SOURCES / "node_modules"
    if not all((modules / name / "package.json").is_file() for name in NPM_FILES):
        _npm_install()
    copied = []
    for name, patterns in NPM_FILES.items():
        for pattern in patterns:
            matches = sorted((modules / name).glob(pattern))
            if not matches:
                raise SystemExit(f"territory: {modules / name} has no {pattern}; "
                                 "run `npm ci --prefix dashboards` again")
            for source in matches:
                copied.append(_copy(source, STATIC / name / source.relative_to(modules / name)))
    for filename in COMPONENT_FILES:
        copied.append(_copy(SOURCES / filename, STATIC / filename))
    return copied


def _copy(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists() or target.read_bytes() != source.read_bytes():
        shutil.copyfile(source, target)
    return target


class BuildWithBrowserFiles(build_py):
    """``build_py`` that first bundles the browser files (wheel and editable builds alike)."""

    def run(self) -> None:
        """Bundle the browser files, then build as usual."""
        bundle_browser_files()
        super().run()


setup(cmdclass={"build_py": BuildWithBrowserFiles})
