"""The Panel server of the dashboards: two views, one workspace, one app per browser session.

:func:`serve` publishes ``/planification`` (the planner) and ``/direction`` (the director),
and an index page at ``/``. Each browser session calls the view's function and gets its own
app; the workspace's layers and indicators are read and computed once and shared.

The server binds to 127.0.0.1. Serving to other machines requires authentication: a basic
auth file (Panel's ``basic_auth``) or OAuth (``oauth_provider``, ``cookie_secret``...).
"""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import panel as pn

from territory._errors import TerritoryError
from territory.dashboards import _assets, data
from territory.dashboards.director import DirectorApp
from territory.dashboards.planner import PlannerApp

__all__ = ["ROUTES", "apps", "check_address", "serve"]

ROUTES = ("planification", "direction")
INDEX = Path(__file__).parent / "index.html"


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
    """Read the workspace and compute the default views once, before the first visitor."""
    source = data.Source.of(workspace)
    PlannerApp(source)
    DirectorApp(source)


def serve(workspace: Path | str, *, port: int = 5006, address: str = "127.0.0.1",
          basic_auth: str | None = None, oauth: Mapping[str, Any] | None = None,
          show: bool = False, threaded: bool = True) -> Any:
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
    """
    check_address(address, authenticated=bool(basic_auth or oauth))
    routes = apps(workspace)
    warm(workspace)
    options: dict[str, Any] = dict(oauth or {})
    if basic_auth:
        options["basic_auth"] = basic_auth
        options.setdefault("cookie_secret", _cookie_secret())
    return pn.serve(routes, port=port, address=address, show=show, start=threaded,
                    static_dirs=_assets.static_dirs(), index=str(INDEX),
                    title={"planification": "Planification de l’aller-vers",
                           "direction": "Vue direction"},
                    websocket_origin=[f"{address}:{port}", f"localhost:{port}",
                                      f"127.0.0.1:{port}"],
                    **options)


def _cookie_secret() -> str:
    return secrets.token_urlsafe(32)
