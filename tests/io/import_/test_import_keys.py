"""The key of the pseudonyms stays out of the workspace: whoever holds the file alone reads none.

Contact identifiers are seven-digit i-Milo numbers: whoever holds the key hashes all ten
million of them in seconds and reads every pseudonym back. These tests play that attacker on
a small range of identifiers.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd
import pytest

from territory._errors import WorkspaceError
from territory.io._personal import pseudonymise
from territory.io.importing import ImportReport, import_file
from territory.io.keys import KEY_FILE_ENV, key_file, key_id, rotate, start_new_key
from territory.io.workspace import Workspace

# The identifiers an attacker tries: a small range, as the ten million would take seconds.
ID_RANGE = range(4_200_000, 4_201_000)
HEADER = "Identifiant;Date;Code INSEE;Étape\n"


def contacts_csv(ids: Iterable[int | str], day: str = "04/03/2021") -> str:
    return HEADER + "".join(f"{i};{day};33063;repéré\n" for i in ids)


def stored_keys() -> dict[str, str]:
    """The key file's keys by identifier."""
    data = json.loads(key_file().read_text(encoding="utf-8"))
    return {kid: entry["key"] for kid, entry in data["keys"].items()}


def every_key(workspace: Workspace) -> list[str]:
    """Every key of a workspace's pseudonyms, wherever it is kept."""
    meta = workspace.metadata()
    legacy = [meta["pseudonym_key"]] if "pseudonym_key" in meta else []
    return legacy + (list(stored_keys().values()) if key_file().exists() else [])


def hashed(ids: Iterable[str], chain: list[str]) -> list[str]:
    """The attacker's own HMAC-SHA256 of each identifier, through each key in turn."""
    out = []
    for identifier in ids:
        text = identifier
        for key in chain:
            text = "J" + hmac.new(bytes.fromhex(key), text.encode(),
                                  hashlib.sha256).hexdigest()[:20]
        out.append(text)
    return out


def reversed_ids(pseudonyms: Iterable[str], chains: Iterable[list[str]]) -> set[int]:
    """The identifiers of ID_RANGE whose pseudonym under one of ``chains`` is stored."""
    wanted = set(pseudonyms)
    ids = [str(i) for i in ID_RANGE]
    found = {int(i) for chain in chains
             for i, p in zip(ids, hashed(ids, chain), strict=True) if p in wanted}
    unkeyed = {int(i) for i in ids
               if "J" + hashlib.sha256(i.encode()).hexdigest()[:20] in wanted}
    return found | unkeyed


def keys_in(raw: bytes) -> list[str]:
    """Every run of 64 hexadecimal digits of a file: what a key written in it would be."""
    return sorted({m.decode().lower() for m in re.findall(
        rb"(?<![0-9a-fA-F])[0-9a-fA-F]{64}(?![0-9a-fA-F])", raw)})


@pytest.fixture(autouse=True)
def _own_key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A key file of the test's own, so that it sees the keys it makes and no other."""
    monkeypatch.setenv(KEY_FILE_ENV, str(tmp_path / "config" / "territory" / "keys.json"))


@pytest.fixture
def people(covered: Workspace, write: Callable[..., Path],
           imported: Callable[..., ImportReport]) -> list[int]:
    """300 young people of ID_RANGE imported into the workspace; their identifiers."""
    ids = list(ID_RANGE)[::3][:300]
    imported("contacts", write("contacts.csv", contacts_csv(ids)), covered)
    return ids


def test_the_key_stays_out_of_the_workspace(covered: Workspace, people: list[int]) -> None:
    (key,) = every_key(covered)
    raw = covered.path.read_bytes()
    assert key.encode() not in raw and key.upper().encode() not in raw
    assert bytes.fromhex(key) not in raw
    meta = covered.metadata()
    assert "pseudonym_key" not in meta and meta["pseudonyms"] == {"keys": [key_id(key)]}
    assert stored_keys() == {key_id(key): key}
    assert stat.S_IMODE(key_file().stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file().parent.stat().st_mode) == 0o700
    assert str(key_file()) == os.environ[KEY_FILE_ENV]


def test_an_attacker_with_the_workspace_alone_recovers_no_identifier(
    covered: Workspace, people: list[int],
) -> None:
    pseudonyms = covered.read("contacts")["contact_id"]
    raw = covered.path.read_bytes()
    candidates = [[k] for k in keys_in(raw)]
    assert candidates  # the file's checksums, at least, are tried
    assert reversed_ids(pseudonyms, candidates) == set()
    # The key in hand, every one comes back: the protection is the key file's.
    assert reversed_ids(pseudonyms, [every_key(covered)]) == set(people)


def _legacy(workspace: Workspace, key: str) -> None:
    """Make the file as earlier versions left it: the key in its metadata, and in free pages."""
    connection = sqlite3.connect(workspace.path)
    try:
        connection.execute("PRAGMA secure_delete = OFF")
        connection.execute("INSERT INTO metadata (key, value) VALUES (?, ?)",
                           ("pseudonym_key", json.dumps(key)))
        connection.execute("CREATE TABLE older_metadata (value TEXT)")
        connection.executemany("INSERT INTO older_metadata VALUES (?)",
                               [(json.dumps(key) + " " * 2000,)] * 5)
        connection.commit()
        connection.execute("DROP TABLE older_metadata")
        connection.commit()
    finally:
        connection.close()


def test_a_workspace_that_kept_its_key_loses_it_at_the_next_write(
    covered: Workspace, write: Callable[..., Path], imported: Callable[..., ImportReport],
) -> None:
    key = "5a" * 32
    old = pd.DataFrame({"contact_id": pseudonymise(["4200007", "4200008"], key),
                        "date": pd.to_datetime(["2021-03-04"] * 2), "ml_code": "ML-N",
                        "action_id": "", "code_insee": "33063", "stage": "repere"})
    covered.write({"contacts": old})
    _legacy(covered, key)
    assert covered.metadata()["pseudonym_key"] == key
    assert key.encode() in covered.path.read_bytes()

    # Any write moves it out: here an import of actions.
    imported("actions", write("actions.csv", "Date;Type d'action;Jeunes rencontrés;Code INSEE\n"
                                             "04/03/2021;Maraude;5;33063\n"), covered)
    meta = covered.metadata()
    assert "pseudonym_key" not in meta and meta["pseudonyms"] == {"keys": [key_id(key)]}
    assert stored_keys() == {key_id(key): key}
    assert key.encode() not in covered.path.read_bytes()
    # The young people imported with the old key keep their pseudonym.
    imported("contacts", write("c.csv", contacts_csv([4200008])), covered)
    assert covered.read("contacts")["contact_id"].tolist() == [old["contact_id"][1]]


def test_rotation_rekeys_every_pseudonym_and_keeps_young_people_linked(
    covered: Workspace, people: list[int], write: Callable[..., Path],
    imported: Callable[..., ImportReport],
) -> None:
    (old_key,) = stored_keys().values()
    before = covered.read("contacts")["contact_id"].tolist()
    done = rotate(covered)
    assert done.rekeyed == {"contacts": 300, "previous_contacts": 0}
    after = covered.read("contacts")["contact_id"].tolist()
    assert after == pseudonymise(before, [k for k in stored_keys().values() if k != old_key])
    raw = covered.path.read_bytes()
    assert not any(p.encode() in raw for p in before)  # no free page keeps them
    assert covered.metadata()["pseudonyms"]["keys"] == list(done.keys) == list(stored_keys())
    # A copy of the old key alone reads nothing; the key file still reads everything.
    assert reversed_ids(after, [[old_key]]) == set()
    assert reversed_ids(after, [list(stored_keys().values())]) == set(people)
    # The next import gives a young person the pseudonym they have.
    imported("contacts", write("next.csv", contacts_csv([people[5]], "06/03/2021")), covered)
    assert covered.read("contacts")["contact_id"].tolist() == [after[5]]


def test_a_lost_key_is_named_and_a_new_one_can_be_started(
    covered: Workspace, people: list[int], write: Callable[..., Path],
    imported: Callable[..., ImportReport],
) -> None:
    first = covered.read("contacts")["contact_id"].iloc[0]
    kid = covered.metadata()["pseudonyms"]["keys"][0]
    key_file().rename(key_file().with_name("lost.json"))
    path = write("next.csv", contacts_csv(people[:1]))
    before = covered.path.read_bytes()
    with pytest.raises(WorkspaceError) as caught:
        import_file("contacts", path, workspace=covered)
    message = str(caught.value)
    for fragment in (str(covered.path), kid, str(key_file()), "backup",
                     "territory key new", "not be linked"):
        assert fragment in message, message
    assert covered.path.read_bytes() == before
    with pytest.raises(WorkspaceError, match=r"no key to rotate|not in the key file"):
        rotate(covered)

    start_new_key(covered)
    imported("contacts", path, covered)
    again = covered.read("contacts")["contact_id"].iloc[0]
    assert again != first and len(again) == 21
    with pytest.raises(WorkspaceError, match=r"not lost.*territory key rotate"):
        start_new_key(covered)


def test_a_key_file_others_may_read_is_refused(
    covered: Workspace, people: list[int], write: Callable[..., Path],
) -> None:
    key_file().chmod(0o644)
    with pytest.raises(WorkspaceError, match=r"may be read by other users \(mode 644\).*"
                                             r"chmod 600"):
        import_file("contacts", write("next.csv", contacts_csv(people[:1])), workspace=covered)


def test_a_dry_run_keeps_no_key(covered: Workspace, write: Callable[..., Path],
                                imported: Callable[..., ImportReport]) -> None:
    before = key_file().read_bytes() if key_file().exists() else None
    imported("contacts", write("c.csv", contacts_csv([4200001])), covered, dry_run=True)
    assert (key_file().read_bytes() if key_file().exists() else None) == before
    assert "pseudonyms" not in covered.metadata()


def test_the_key_file_is_where_the_user_keeps_configuration(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    monkeypatch.setenv(KEY_FILE_ENV, str(tmp_path / "mine.json"))
    assert key_file() == tmp_path / "mine.json"
    monkeypatch.delenv(KEY_FILE_ENV)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert key_file() == tmp_path / "xdg" / "territory" / "keys.json"
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/config")  # ignored, as XDG says
    assert key_file() == tmp_path / "home" / ".config" / "territory" / "keys.json"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    assert key_file() == tmp_path / "home" / ".config" / "territory" / "keys.json"


def territory(*args: str | Path, env: dict[str, str] | None = None
              ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "territory", *map(str, args)],
                          capture_output=True, text=True, timeout=300, check=False, env=env)


def test_key_commands(covered: Workspace, write: Callable[..., Path]) -> None:
    result = territory("key", "show", "--workspace", covered.path)
    assert result.returncode == 0, result.stderr
    assert "aucune clé" in result.stdout and str(key_file()) in result.stdout
    result = territory("key", "rotate", "--workspace", covered.path)
    assert result.returncode == 2 and "no key to rotate" in result.stderr
    assert "Traceback" not in result.stderr

    path = write("c.csv", contacts_csv([4200001, 4200002]))
    result = territory("import", "contacts", path, "--workspace", covered.path)
    assert result.returncode == 0, result.stderr
    assert "la clé est gardée hors de l'espace de travail" in result.stdout
    kid = covered.metadata()["pseudonyms"]["keys"][0]
    result = territory("key", "show", "--workspace", covered.path)
    assert f"clé(s) : {kid} — présente(s) dans le fichier" in result.stdout
    assert "pseudonymes dans l'espace de travail : 2" in result.stdout

    result = territory("key", "rotate", "--workspace", covered.path)
    assert result.returncode == 0, result.stderr
    assert "2 dans contacts" in result.stdout and str(key_file()) in result.stdout
    result = territory("key", "new", "--workspace", covered.path)
    assert result.returncode == 2 and "not lost" in result.stderr
    assert "Traceback" not in result.stderr


def test_commands_keep_keys_in_the_users_configuration_folder_only(
    covered: Workspace, write: Callable[..., Path], tmp_path: Path,
) -> None:
    """As on a fresh machine (CI runs as root): the demo writes no key; an import, one."""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in (KEY_FILE_ENV, "XDG_CONFIG_HOME")}
    env["HOME"] = str(home)
    result = territory("demo", "--workspace", tmp_path / "demo.gpkg", env=env)
    assert result.returncode == 0, result.stderr
    assert not (home / ".config").exists()

    path = write("c.csv", contacts_csv([4200001]))
    result = territory("import", "contacts", path, "--workspace", covered.path, env=env)
    assert result.returncode == 0, result.stderr
    keys = home / ".config" / "territory" / "keys.json"
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600
    assert stat.S_IMODE(keys.parent.stat().st_mode) == 0o700
    (entry,) = json.loads(keys.read_text(encoding="utf-8"))["keys"].values()
    assert entry["key"].encode() not in covered.path.read_bytes()
    assert not key_file().exists()  # the run's key file was not used


def test_the_copy_the_demo_keeps_holds_no_key(covered: Workspace) -> None:
    key = "6b" * 32
    _legacy(covered, key)
    result = territory("demo", "--force", "--workspace", covered.path)
    assert result.returncode == 0, result.stderr
    (kept,) = covered.path.parent.glob("covered.avant-demo-*.gpkg")
    assert key.encode() not in kept.read_bytes()
    assert Workspace(kept).metadata()["pseudonyms"] == {"keys": [key_id(key)]}
    assert stored_keys() == {key_id(key): key}
