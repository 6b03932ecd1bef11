"""The browser files in the package data, and Leaflet inlined into standalone pages.

Browser libraries come from the npm registry (``dashboards/package.json``) and are never
committed: building the package (a wheel or the editable install of ``make setup``) copies
them with the map component's sources into ``territory/static/`` (see ``setup.py``). A written
map carries its own copy of Leaflet so that it draws with no network at all.
"""

from __future__ import annotations

import base64
import importlib.resources
import os
import re
from pathlib import Path

from territory._errors import TerritoryError

__all__ = [
    "JS_DIR_ENV",
    "LEAFLET_CSS_URL",
    "LEAFLET_JS_URL",
    "LEAFLET_VERSION",
    "browser_file",
    "external_references",
    "inline_leaflet",
    "leaflet_dist",
]

JS_DIR_ENV = "TERRITORY_JS_DIR"
# The package is installed as a folder, never zipped: the server publishes this one.
STATIC_DIR = Path(str(importlib.resources.files("territory") / "static"))
_BUILD_HINT = ("reinstall the package (`make setup`, or `pip install -e .` in a checkout): "
               "building it copies the browser files from npm into territory/static/")
# The version pinned in dashboards/package.json; the links below only serve a map shown
# before it is written (a notebook with internet); written pages inline the installed copy.
LEAFLET_VERSION = "1.9.4"
LEAFLET_JS_URL = f"https://cdn.jsdelivr.net/npm/leaflet@{LEAFLET_VERSION}/dist/leaflet.js"
LEAFLET_CSS_URL = f"https://cdn.jsdelivr.net/npm/leaflet@{LEAFLET_VERSION}/dist/leaflet.css"

_SCRIPT_LINK = re.compile(r'<script src="https?://[^"]*/leaflet\.js"></script>')
_CSS_LINK = re.compile(r'<link rel="stylesheet" href="https?://[^"]*/leaflet\.css"\s*/?>')
_CSS_IMAGE = re.compile(r"url\((images/[\w.-]+\.png)\)")
_SOURCE_MAP = re.compile(r"^//# sourceMappingURL=.*$", re.MULTILINE)
_QUOTED_URL = re.compile(r'\b(href|src)="(https?:)')
_EXTERNAL = re.compile(
    r"<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//[^\"'\s>]*",
    re.IGNORECASE,
)


def leaflet_dist() -> Path:
    """Return the ``leaflet/dist`` directory of the installed npm package.

    It is looked for in ``$TERRITORY_JS_DIR`` (a ``node_modules`` directory) if set, else in
    the package data (``territory/static``).

    Raises
    ------
    TerritoryError
        If Leaflet is not installed there, with the command that installs it.
    """
    js_dir = Path(os.environ.get(JS_DIR_ENV) or STATIC_DIR)
    dist = js_dir / "leaflet" / "dist"
    if not (dist / "leaflet.js").is_file() or not (dist / "leaflet.css").is_file():
        source = f"${JS_DIR_ENV}" if os.environ.get(JS_DIR_ENV) else "the package data"
        raise TerritoryError(
            f"Leaflet is not installed: {dist} has no leaflet.js/leaflet.css (looked in "
            f"{source}); {_BUILD_HINT}, or point ${JS_DIR_ENV} at a node_modules directory "
            f"that holds leaflet {LEAFLET_VERSION}"
        )
    return dist


def browser_file(name: str) -> Path:
    """Return a file of the browser component (``coverage_map.js``...) in the package data.

    Raises
    ------
    TerritoryError
        If the package was installed without its browser files.
    """
    path = STATIC_DIR / name
    if not path.is_file():
        raise TerritoryError(f"{path} is missing: {_BUILD_HINT}")
    return path


def _inline_images(css: str, dist: Path) -> str:
    """Replace Leaflet's relative image URLs with data URIs (they would not resolve)."""

    def data_uri(match: re.Match[str]) -> str:
        path = dist / match.group(1)
        if not path.is_file():
            return match.group(0)
        encoded = base64.b64encode(path.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{encoded})"

    return _CSS_IMAGE.sub(data_uri, css)


def _script_tag(js: str) -> str:
    # "</script" inside the code would end the element early. Leaflet's attribution link
    # (href="https://leafletjs.com", in a string literal) is written href=\"https://...: the
    # same string, and the page then holds no href="http... that reads like a resource.
    js = _QUOTED_URL.sub(r'\1=\\"\2', js)
    return "<script>" + js.replace("</script", "<\\/script") + "</script>"


def inline_leaflet(html: str) -> str:
    """Replace the page's links to Leaflet's JS and CSS with the installed files' content.

    Parameters
    ----------
    html
        A rendered page that links Leaflet from a CDN (as folium does).

    Returns
    -------
    str
        The page with Leaflet inlined: a ``<script>`` and a ``<style>`` element.

    Raises
    ------
    TerritoryError
        If Leaflet is not installed, or the page does not link it.
    """
    dist = leaflet_dist()
    js = _SOURCE_MAP.sub("", (dist / "leaflet.js").read_text(encoding="utf-8"))
    css = _inline_images((dist / "leaflet.css").read_text(encoding="utf-8"), dist)
    if not _SCRIPT_LINK.search(html) or not _CSS_LINK.search(html):
        raise TerritoryError("the page does not link Leaflet's leaflet.js and leaflet.css")
    # A function replacement keeps backslashes in the code as they are.
    html = _SCRIPT_LINK.sub(lambda _: _script_tag(js), html, count=1)
    return _CSS_LINK.sub(lambda _: "<style>" + css + "</style>", html, count=1)


def external_references(html: str) -> list[str]:
    """Return the ``<script src>`` and ``<link href>`` of a page that point to the network.

    Examples
    --------
    >>> external_references('<script src="https://x.org/a.js"></script><a href="https://x.org">')
    ['<script src="https://x.org/a.js']
    """
    return _EXTERNAL.findall(html)
