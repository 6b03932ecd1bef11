"""``territory serve``: the dashboards (planner and director views) in a browser.

Binds to 127.0.0.1 by default. Serving to other machines needs authentication: a basic-auth
file (a JSON object of user name → password: Panel's basic authentication), or OAuth
(Panel's ``--oauth-*`` options and a cookie secret); without one, a non-loopback address is
refused.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import socket
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from territory._errors import TerritoryError
from territory.cli._common import workspace_of

__all__ = ["register", "run"]


def register(subparsers: Any, parents: Sequence[argparse.ArgumentParser]) -> None:
    """Add the ``serve`` command to the command line's subparsers."""
    serve = subparsers.add_parser(
        "serve", parents=parents,
        help="serve the dashboards (planner and director views) in a browser")
    serve.add_argument("--port", type=int, default=5006, help="port (default 5006)")
    serve.add_argument("--address", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1, this machine only); "
                       "any other needs --basic-auth or OAuth")
    serve.add_argument("--basic-auth", metavar="FILE", default=None,
                       help='JSON file of users and passwords, {"claire": "..."}, required to '
                       "log in (Panel's basic authentication)")
    serve.add_argument("--cookie-secret", default=None,
                       help="secret that signs login cookies (default: random per start; "
                       "also read from $PANEL_COOKIE_SECRET)")
    serve.add_argument("--oauth-provider", default=None,
                       help="OAuth provider of Panel (e.g. github, azure, generic)")
    serve.add_argument("--oauth-key", default=None, help="OAuth client id")
    serve.add_argument("--oauth-secret", default=None, help="OAuth client secret")
    serve.add_argument("--num-procs", type=int, default=1, metavar="N",
                       help="processes answering the sessions, for a server shared by many "
                       "users (Panel's --num-procs; 0: one per core; default 1). Each reads "
                       "the workspace once and shares it between its sessions")
    serve.add_argument("--show", action="store_true", help="open a browser on the index page")
    serve.set_defaults(run=run)


def _oauth(args: argparse.Namespace) -> dict[str, Any]:
    if not args.oauth_provider:
        return {}
    from panel.auth import AUTH_PROVIDERS

    if args.oauth_provider not in AUTH_PROVIDERS:
        raise TerritoryError(f"--oauth-provider {args.oauth_provider}: not a provider Panel "
                             f"knows; expected one of {', '.join(sorted(AUTH_PROVIDERS))}")
    secret = args.cookie_secret or os.environ.get("PANEL_COOKIE_SECRET")
    if not (args.oauth_key and args.oauth_secret and secret):
        raise TerritoryError("--oauth-provider needs --oauth-key, --oauth-secret and "
                             "--cookie-secret (or $PANEL_COOKIE_SECRET)")
    return {"oauth_provider": args.oauth_provider, "oauth_key": args.oauth_key,
            "oauth_secret": args.oauth_secret, "cookie_secret": secret}


def _basic_auth(args: argparse.Namespace) -> str | None:
    if args.basic_auth is None:
        return None
    path = Path(args.basic_auth)
    try:
        users = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise TerritoryError(f"--basic-auth {path}: cannot read it as JSON ({error}); "
                             'expected {"user": "password", ...}') from None
    if not isinstance(users, dict) or not users or not all(
            isinstance(k, str) and isinstance(v, str) and v for k, v in users.items()):
        raise TerritoryError(f"--basic-auth {path}: expected a JSON object of user names to "
                             'non-empty passwords, {"user": "password", ...}')
    return str(path)


def _check_form(address: str, port: int) -> None:
    """Refuse a port out of range, and an IPv6 address.

    The dashboards' server (Bokeh) checks where pages come from by ``host:port``, which an
    IPv6 address cannot be written as: it serves IPv4 addresses and host names only.
    """
    if not 1 <= port <= 65_535:
        raise TerritoryError(f"--port {port}: expected a port from 1 to 65535 (default 5006)")
    try:
        version = ipaddress.ip_address(address.strip("[]")).version
    except ValueError:
        version = 4
    if version == 6:
        raise TerritoryError(
            f"--address {address}: an IPv6 address, which the dashboards' server (Bokeh) "
            "cannot serve; use 127.0.0.1 (or localhost) for this machine, 0.0.0.0 for every "
            "network, or this machine's IPv4 address")


def _check_listen(address: str, port: int) -> None:
    """Refuse, before the views are computed, an address and port the server cannot take."""
    try:
        family, kind, proto, _, where = socket.getaddrinfo(address, port, socket.AF_INET,
                                                           socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(where)
    except OSError as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise TerritoryError(f"--address {address} --port {port}: cannot listen there "
                             f"({reason}); choose another --port, or an address of this "
                             "machine (127.0.0.1 by default)") from None


def run(args: argparse.Namespace) -> None:
    """Serve the dashboards of the workspace until Ctrl+C."""
    # Panel is imported only by this command: `territory --help` stays fast.
    from territory.dashboards.server import check_address, serve

    _check_form(args.address, args.port)
    if args.num_procs < 0:
        raise TerritoryError(f"--num-procs {args.num_procs}: expected 0 (one process per core) "
                             "or a number of processes (default 1)")
    basic_auth, oauth = _basic_auth(args), _oauth(args)
    check_address(args.address, authenticated=bool(basic_auth or oauth))
    workspace = workspace_of(args).path
    _check_listen(args.address, args.port)
    if basic_auth and args.cookie_secret:
        oauth = {**oauth, "cookie_secret": args.cookie_secret}
    host = "127.0.0.1" if args.address in ("0.0.0.0", "::") else args.address
    print(f"Tableaux de bord de {workspace} : http://{host}:{args.port}/ "
          "(planification, direction) — Ctrl+C pour arrêter", flush=True)
    serve(workspace, port=args.port, address=args.address, basic_auth=basic_auth,
          oauth=oauth or None, show=args.show, num_procs=args.num_procs)
