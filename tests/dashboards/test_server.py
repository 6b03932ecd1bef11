"""The server's guard rails and the `territory serve` command line, without serving."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from territory._errors import TerritoryError
from territory.cli import main
from territory.dashboards.server import apps, check_address, is_loopback


@pytest.mark.parametrize(("address", "expected"), [
    ("127.0.0.1", True), ("127.0.0.2", True), ("::1", True), ("localhost", True),
    ("0.0.0.0", False), ("192.168.1.10", False), ("example.org", False)])
def test_loopback_addresses(address: str, expected: bool) -> None:
    assert is_loopback(address) is expected


def test_a_public_address_needs_authentication() -> None:
    with pytest.raises(TerritoryError, match="sans authentification"):
        check_address("0.0.0.0", authenticated=False)
    check_address("0.0.0.0", authenticated=True)
    check_address("127.0.0.1", authenticated=False)


def test_serve_refuses_a_public_address_without_auth(dash_file: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["serve", "--workspace", str(dash_file), "--address", "0.0.0.0"])
    assert code == 2
    error = capsys.readouterr().err
    assert "refus de servir sur 0.0.0.0" in error and "--basic-auth" in error


@pytest.mark.parametrize("content", ["not json", "[]", '{"claire": ""}'])
def test_serve_checks_the_basic_auth_file(tmp_path: Path, dash_file: Path, content: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    users = tmp_path / "users.json"
    users.write_text(content, encoding="utf-8")
    code = main(["serve", "--workspace", str(dash_file), "--basic-auth", str(users)])
    assert code == 2
    assert "--basic-auth" in capsys.readouterr().err


def test_oauth_needs_its_key_secret_and_cookie_secret(dash_file: Path,
                                                      capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PANEL_COOKIE_SECRET", raising=False)
    code = main(["serve", "--workspace", str(dash_file), "--oauth-provider", "github"])
    assert code == 2
    assert "--oauth-key" in capsys.readouterr().err


def test_a_missing_workspace_is_named(tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["serve", "--workspace", str(tmp_path / "absent.gpkg")])
    assert code == 2
    assert "absent.gpkg" in capsys.readouterr().err


def test_each_session_gets_a_new_app(dash_file: Path) -> None:
    routes = apps(dash_file)
    assert set(routes) == {"planification", "direction"}
    assert json.dumps(sorted(routes)) == '["direction", "planification"]'
