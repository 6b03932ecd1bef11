"""The Panel server of the dashboards: two views, one workspace, one app per browser session.

:func:`serve` publishes ``/planification`` (the planner) and ``/direction`` (the director),
and an index page at ``/``. Each browser session calls the view's function and gets its own
app; the workspace's layers and indicators are read and computed once and shared.

The server binds to 127.0.0.1. Serving to other machines requires authentication: a basic
auth file (Panel's ``basic_auth``) or OAuth (``oauth_provider``, ``cookie_secret``...).

Every response carries a Content-Security-Policy (:func:`content_security_policy`): only the
server's scripts and the page's own inline scripts, which carry the response's nonce, run.
A session's page is built on a worker thread (:class:`_BuiltOffTheLoop`), so that the
server's event loop keeps answering the other sessions and the static files meanwhile.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import errno
import ipaddress
import os
import re
import secrets
import signal
import threading
import weakref
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import panel as pn
from bokeh.application.application import SessionContext
from bokeh.document import Document
from panel.io.application import Application, build_applications
from panel.io.resources import LOCAL_DIST, patch_model_css
from panel.io.state import set_curdoc, state
from tornado.httputil import HTTPHeaders, HTTPServerRequest
from tornado.web import OutputTransform

from territory._errors import TerritoryError
from territory.dashboards import _assets, data, tiles
from territory.dashboards.director import DirectorApp
from territory.dashboards.planner import PlannerApp

__all__ = ["ROUTES", "apps", "cache_control", "check_address", "content_security_policy",
           "serve", "static_dirs"]

ROUTES = ("planification", "direction")
TITLES = {"planification": "Planification de l’aller-vers", "direction": "Vue direction"}
INDEX = Path(__file__).parent / "index.html"
# The OpenStreetMap background the map offers (coverage_map.js, TILES): its only outside source.
TILES = "https://tile.openstreetmap.org"


def is_loopback(address: str) -> bool:
    """Whether ``address`` only accepts connections from this machine.

    Examples
    --------
    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def check_address(address: str, *, authenticated: bool) -> None:
    """Refuse to serve beyond this machine without authentication.

    Raises
    ------
    TerritoryError
        If ``address`` is not a loopback address and no authentication is configured.
    """
    if not is_loopback(address) and not authenticated:
        raise TerritoryError(
            f"refus de servir sur {address} sans authentification : le tableau de bord montre "
            "des données sur des jeunes. Ajoutez --basic-auth FICHIER (ou OAuth avec "
            "--oauth-provider et --cookie-secret), ou servez sur 127.0.0.1. "
            f"(refusing to serve on {address} without authentication: pass --basic-auth FILE "
            "or OAuth options, or bind to 127.0.0.1)"
        )


def apps(workspace: Path | str) -> dict[str, Callable[[], pn.viewable.Viewable]]:
    """Return the route → session factory mapping: a new app per browser session.

    Every session reads the workspace version current when it opens; layers and indicators
    are cached per version and shared by the sessions.
    """
    path = Path(workspace)
    data.Source.of(path)  # fails early, with the path, if there is no workspace

    def planner() -> pn.viewable.Viewable:
        pn.state.curdoc.title = "Planification de l’aller-vers — territory"  # type: ignore[union-attr]
        return PlannerApp(data.Source.of(path)).__panel__()

    def director() -> pn.viewable.Viewable:
        pn.state.curdoc.title = "Couverture territoriale — territory"  # type: ignore[union-attr]
        return DirectorApp(data.Source.of(path)).__panel__()

    return {"planification": planner, "direction": director}


def warm(workspace: Path | str) -> None:
    """Read the workspace, write its tiles and compute the default views, before any visit."""
    source = data.Source.of(workspace)
    data.tile_set(source.path, source.version)
    PlannerApp(source).reach_model()  # the reach curves the planner's page words
    DirectorApp(source)


def content_security_policy(nonce: str) -> str:
    """Return the Content-Security-Policy of a response whose inline scripts carry ``nonce``.

    The strictest policy under which both views work whole (checked in Chromium: no
    violation while the maps draw and their tooltips, popups and legends open). Each source
    is there for a reason:

    - ``script-src 'self'``: Bokeh's, Panel's, Leaflet's and the map's scripts are files of
      this server; ``'nonce-…'``: the page's two inline scripts (Bokeh's embedding, which
      holds the session's token, so that no hash could name it in advance, and its log
      level). No other inline script runs, and no inline event handler (``onerror=``,
      ``onload=``): a name written into the page as markup by mistake stays inert;
      ``'unsafe-eval'``: Panel's page template (its sidebar and modal actions, a
      ``ReactiveHTML``) compiles its scripts with ``new Function``; ``blob:``: Panel's
      es-module-shims loads the map component, an ES module, from a ``blob:`` URL.
    - ``style-src 'unsafe-inline'``: Bokeh and Panel style their elements with ``<style>``
      elements and ``style`` attributes (styles run no script).
    - ``img-src``: the server's images, Bokeh's and Panel's icons (``data:``) and the
      OpenStreetMap tiles, when a user switches that background on.
    - Everything else (fonts, workers, manifests) from this server only (``default-src``).
    - ``connect-src 'self' blob:``: the session's websocket (same origin) and
      es-module-shims reading the component's ``blob:`` URL.
    - ``object-src 'none'``, ``base-uri 'self'``, ``form-action 'self'`` (the login form),
      ``frame-ancestors 'self'`` (no other site frames the dashboards).

    Examples
    --------
    >>> "script-src 'self' 'nonce-abc' 'unsafe-eval' blob:" in content_security_policy("abc")
    True
    """
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}' 'unsafe-eval' blob:",
        "style-src 'self' 'unsafe-inline'",
        f"img-src 'self' data: {TILES}",
        "connect-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ])


# A tile file's address names its content (a digest): a browser may keep it for good. The
# browser libraries' addresses do not name their version: kept a day, then checked again.
CACHE_TILES = "public, max-age=31536000, immutable"
CACHE_LIBRARIES = "public, max-age=86400"


def cache_control(path: str) -> str:
    """Return the ``Cache-Control`` of a response to ``path`` ('' for no such header).

    Examples
    --------
    >>> cache_control("/territoire-tuiles/0a1b/communes.pmtiles")
    'public, max-age=31536000, immutable'
    >>> cache_control("/planification")
    ''
    """
    if path.startswith(f"/{tiles.TILES_ROUTE}/"):
        return CACHE_TILES
    if path.startswith(f"/{_assets.JS_ROUTE}/"):
        return CACHE_LIBRARIES
    return ""


_SCRIPT_TAG = re.compile(rb"<script(?=[\s>])", re.IGNORECASE)
# Bokeh bundles the views never use, which Panel writes into every page: TeX (any HTML pane
# makes Panel ask for MathJax: 1.8 MB of script to parse before the map) and WebGL (the
# charts draw on a canvas). No text of the views is read as TeX: a name written $$…$$ stays
# text.
_UNUSED_BUNDLES = re.compile(
    rb'<script[^>]*\ssrc="[^"]*static/js/bokeh-(?:mathjax|gl)\.min\.js[^"]*"[^>]*>'
    rb"\s*</script>\s*")


class _SecurityHeaders(OutputTransform):
    """Give every response the Content-Security-Policy, and a view's scripts their nonce.

    A view's page also loses the script bundles it never uses (:data:`_UNUSED_BUNDLES`).

    Only the two views' pages get the nonce into their ``<script>`` elements: their HTML
    holds no text of the workspace nor of the request (names and figures travel over the
    session's websocket; tests/dashboards/test_hostile.py checks it), so that every script
    in it is the server's own. Any other page (the index, the login and error pages) runs
    no inline script: the nonce of its policy is in none of its elements.
    """

    def __init__(self, request: HTTPServerRequest) -> None:
        super().__init__(request)
        self._view = request.path.rstrip("/").rsplit("/", 1)[-1] in ROUTES
        self._cache = cache_control(request.path)

    def transform_first_chunk(self, status_code: int, headers: HTTPHeaders, chunk: bytes,
                              finishing: bool) -> tuple[int, HTTPHeaders, bytes]:
        nonce = secrets.token_urlsafe(18)
        if (self._view and finishing
                and headers.get("Content-Type", "").startswith("text/html")):
            chunk = _SCRIPT_TAG.sub(b'<script nonce="' + nonce.encode() + b'"',
                                    _UNUSED_BUNDLES.sub(b"", chunk))
            if "Content-Length" in headers:
                headers["Content-Length"] = str(len(chunk))
            headers.pop("Etag", None)  # the body differs at each response
        headers["Content-Security-Policy"] = content_security_policy(nonce)
        headers["X-Content-Type-Options"] = "nosniff"
        if self._cache and status_code in {200, 206, 304}:
            headers["Cache-Control"] = self._cache
        return status_code, headers, chunk


class _BuiltOffTheLoop(Application):
    """A view whose sessions' documents are built on a worker thread, off the event loop.

    Bokeh builds a new session's document (the view's app, then every Bokeh model of the
    page: about 0.3 s) on the server's event loop, which meanwhile answers nothing, not even
    a static file: under twenty sessions opening at once, a style sheet waited seconds.
    Bokeh awaits :meth:`on_session_created` before it initialises the document; the
    document is built there, on :data:`BUILDER`, one session at a time as on the loop, and
    :meth:`initialize_document` then finds it built. Panel notes the thread a document was
    built on (``hold`` and the callbacks behave by it): once built, the document is the
    loop's, as if built there.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._built: weakref.WeakSet[Document] = weakref.WeakSet()

    async def on_session_created(self, session_context: SessionContext) -> None:
        await super().on_session_created(session_context)
        loop = asyncio.get_running_loop()
        loop_thread = threading.get_ident()

        async def build(doc: Document) -> None:
            await loop.run_in_executor(BUILDER, super(_BuiltOffTheLoop, self)
                                       .initialize_document, doc)
            state._thread_id_[doc] = loop_thread
            _local_styles(doc)
            self._built.add(doc)

        await session_context.with_locked_document(build)

    def initialize_document(self, doc: Document) -> None:
        if doc in self._built:
            self._built.discard(doc)
            return
        super().initialize_document(doc)


def _local_styles(doc: Document) -> None:
    """Point the document's style sheets at this server, as Panel does when it writes a page.

    Panel names its style sheets on its CDN and rewrites them to the server's copies when it
    writes the session's page. With several processes (``--num-procs``), the page and the
    session's websocket may reach two processes: the second builds the session anew and
    never writes its page, so its style sheets would point at the CDN, which the
    Content-Security-Policy refuses (and an offline machine cannot reach).
    """
    with set_curdoc(doc):
        dist_url = f"{state.rel_path}/{LOCAL_DIST}" if state.rel_path else LOCAL_DIST
    doc._template_variables["dist_url"] = dist_url
    for root in doc.roots:
        patch_model_css(root, dist_url=dist_url)


# One thread builds the sessions' documents, one after the other (Python runs one thread at
# a time: more would not build faster, and the loop would get the interpreter less often).
BUILDER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="territory-session")


def _applications(routes: Mapping[str, Callable[[], pn.viewable.Viewable]],
                  server_id: str) -> dict[str, Application]:
    """Return Panel's applications of ``routes``, built off the event loop."""
    built = build_applications(dict(routes), title=TITLES, server_id=server_id)
    return {slug.lstrip("/"): _BuiltOffTheLoop(*app.handlers) for slug, app in built.items()}


def _end_with_parent() -> None:
    """Have the kernel stop this process when the process that forked it ends.

    With ``--num-procs``, the first process forks the others and waits: stopped alone (a
    ``kill``, a service manager that signals one process), it left them answering on the
    port, each holding the views' data. Linux only (``prctl``); elsewhere nothing changes.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent ended before this line
        os.kill(os.getpid(), signal.SIGTERM)


# prctl option: the signal a process gets when its parent ends (linux/prctl.h).
PR_SET_PDEATHSIG = 1


def serve(workspace: Path | str, *, port: int = 5006, address: str = "127.0.0.1",
          basic_auth: str | None = None, oauth: Mapping[str, Any] | None = None,
          show: bool = False, threaded: bool = True, num_procs: int = 1) -> Any:
    """Serve both views of ``workspace``; return the running server (blocking when threaded).

    Parameters
    ----------
    workspace
        The workspace GeoPackage.
    port, address
        Where to listen; only a loopback address without authentication.
    basic_auth
        A JSON file of user names to passwords (Panel's basic authentication).
    oauth
        Panel's OAuth options (``oauth_provider``, ``oauth_key``, ``oauth_secret``,
        ``cookie_secret``, ...).
    show
        Open a browser on the index page.
    threaded
        Start and block (False: return the server for tests and benchmarks).
    num_procs
        Processes answering the sessions (Bokeh's ``num_procs``; 0: one per core). The
        workspace is read, its tiles written and the default views computed once, here,
        before the processes are forked: each starts with them in memory (shared with the
        others until written to), then shares what it computes between its own sessions.
    """
    check_address(address, authenticated=bool(basic_auth or oauth))
    routes = apps(workspace)
    warm(workspace)
    options: dict[str, Any] = dict(oauth or {})
    if basic_auth:
        options["basic_auth"] = basic_auth
        options.setdefault("cookie_secret", _cookie_secret())
    server_id = secrets.token_hex(16)
    if num_procs != 1:
        os.register_at_fork(after_in_child=_end_with_parent)
    try:
        return pn.serve(_applications(routes, server_id), port=port, address=address,
                        show=show, start=threaded, static_dirs=static_dirs(workspace),
                        index=str(INDEX), title=TITLES, server_id=server_id,
                        transforms=[_SecurityHeaders],
                        websocket_origin=[f"{address}:{port}", f"localhost:{port}",
                                          f"127.0.0.1:{port}"],
                        num_procs=num_procs, **options)
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            raise
        # Free when checked, then taken while the views were computed.
        raise TerritoryError(f"--port {port}: another program took it while the views were "
                             "computed; choose another --port") from None


def static_dirs(workspace: Path | str) -> dict[str, str]:
    """Return the folders the server publishes: the browser libraries and the tiles."""
    folder = tiles.tiles_folder(workspace)
    folder.mkdir(parents=True, exist_ok=True)
    return {**_assets.static_dirs(), tiles.TILES_ROUTE: str(folder)}


def _cookie_secret() -> str:
    return secrets.token_urlsafe(32)
