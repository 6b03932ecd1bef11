"""The keys of the pseudonyms: kept out of the workspace, in the user's configuration folder.

A contact identifier is stored as its keyed hash (HMAC-SHA256, see ``pseudonymise``). Whoever
holds the key can hash every possible identifier and so read the pseudonyms back: the ten
million seven-digit identifiers take seconds. The key therefore never goes into the workspace:
it lives in one key file of the user (:func:`key_file`: ``$TERRITORY_KEY_FILE``, else
``$XDG_CONFIG_HOME/territory/keys.json``, else ``~/.config/territory/keys.json``), readable
by the user alone (mode 600, in a folder of mode 700). Whoever holds the workspace file alone
holds pseudonyms no one can reverse without the key file.

Each workspace gets a key of its own at its first import of contacts: two workspaces never
share pseudonyms, and a copy of a workspace (a backup) keeps using its key. The workspace's
metadata names its keys (``pseudonyms``: ``{"keys": [id, ...]}``) by an identifier derived
from each key, which tells nothing of the key but proves that the key file holds the right
one.

Rotation (:func:`rotate`) makes a new key and re-keys every pseudonym stored:
``J + HMAC(new, pseudonym)``, and the next imports hash an identifier through every key of
the workspace in turn, so that a young person stays linked from one import to the next. A
copy of the old key alone (a backup that went astray, a colleague who left) then reads
nothing of the workspace; the key file keeps the old key, which the next imports need.

A workspace written by earlier versions kept its key in its metadata: the next write moves
it to the key file and rewrites the file without it (:func:`move_key_out`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import hmac
import json
import os
import stat
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyogrio

from territory._errors import WorkspaceError
from territory.io._personal import new_key, pseudonymise

if TYPE_CHECKING:
    from territory.io.workspace import Workspace

__all__ = ["KEY_FILE_ENV", "LEGACY_METADATA", "METADATA", "KeyStatus", "Rotation", "key_file",
           "key_id", "key_status", "keys_of", "move_key_out", "move_key_out_of", "rotate",
           "save_keys", "start_new_key"]

KEY_FILE_ENV = "TERRITORY_KEY_FILE"
# The metadata entry naming a workspace's keys, and the one that held the key itself before.
METADATA = "pseudonyms"
LEGACY_METADATA = "pseudonym_key"
# The layers that hold pseudonyms: the contacts, and their version kept for `territory undo`.
PSEUDONYM_LAYERS = ("contacts", "previous_contacts")
_FILE_NAME = "keys.json"
_ABOUT = ("Keys of the pseudonyms of territory workspaces (HMAC-SHA256). Whoever holds this "
          "file and a workspace can recover the young people's identifiers: keep it private "
          "(mode 600), back it up apart from the workspaces, never send it with them.")
_LOCK_WAIT_S = 30.0
_ID_MESSAGE = b"territory pseudonym key id"


def key_file() -> Path:
    """Return the key file: ``$TERRITORY_KEY_FILE``, else in the XDG configuration folder."""
    given = os.environ.get(KEY_FILE_ENV)
    if given:
        return Path(given).expanduser()
    config = os.environ.get("XDG_CONFIG_HOME", "")
    if not os.path.isabs(config):  # unset, or relative: the XDG specification ignores it
        try:
            config = str(Path.home() / ".config")
        except RuntimeError:
            raise WorkspaceError(f"no home folder to keep the key of the pseudonyms in; set "
                                 f"{KEY_FILE_ENV} to a file of your own (e.g. "
                                 f"/path/to/{_FILE_NAME})") from None
    return Path(config) / "territory" / _FILE_NAME


def key_id(key: str) -> str:
    """Return the identifier of a key: derived from it, it tells nothing of it.

    Examples
    --------
    >>> key_id("00" * 32)
    '899daac848e35b8a'
    """
    return hmac.new(bytes.fromhex(key), _ID_MESSAGE, hashlib.sha256).hexdigest()[:16]


def keys_of(meta: Mapping[str, Any], workspace: Path) -> list[str]:
    """Return the keys of a workspace's pseudonyms, in the order they apply (none yet: []).

    Raises
    ------
    WorkspaceError
        The key file lacks one of them (lost, or another user's file), or cannot be read.
    """
    if meta.get(LEGACY_METADATA):
        return [str(meta[LEGACY_METADATA])]
    ids = [str(i) for i in (meta.get(METADATA) or {}).get("keys", [])]
    if not ids:
        return []
    path = key_file()
    stored = _read(path)
    missing = [i for i in ids if i not in stored]
    if missing:
        raise WorkspaceError(
            f"{workspace}: the key of its pseudonyms ({', '.join(missing)}) is not in the key "
            f"file {path}; restore that file from its backup (or point {KEY_FILE_ENV} to it). "
            "If the key is lost, start a new one with `territory key new`: the young people "
            "of the next imports will not be linked to those imported before")
    return [str(stored[i]["key"]) for i in ids]


def save_keys(keys: Sequence[str], *, workspace: Path) -> None:
    """Add keys to the key file (created private: mode 600, in a folder of mode 700)."""
    path = key_file()
    with _locked(path):
        stored = _read(path)
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        for key in keys:
            stored.setdefault(key_id(key), {"key": key, "created_at": now,
                                            "workspace": str(Path(workspace).resolve())})
        _write(path, stored)


def move_key_out(meta: dict[str, Any], workspace: Path) -> bool:
    """Move a key kept in the metadata (by earlier versions) to the key file.

    Returns whether one was moved: the caller then writes the metadata without it, and
    vacuums the file so that no free page keeps it.
    """
    key = meta.pop(LEGACY_METADATA, None)
    if not key:
        return False
    save_keys([str(key)], workspace=workspace)
    meta[METADATA] = {"keys": [key_id(str(key))]}
    return True


def move_key_out_of(workspace: Workspace) -> bool:
    """Move a key kept in a workspace's metadata to the key file now; return whether one was.

    For a file about to be copied (the copy ``territory demo --force`` keeps).
    """
    if not workspace.metadata().get(LEGACY_METADATA):
        return False
    workspace.rewrite(lambda meta: {})  # the write moves it out, then vacuums the file
    return True


@dataclass(frozen=True)
class Rotation:
    """What a rotation did: the keys now in use, and the pseudonyms re-keyed per layer."""

    workspace: Path
    key_file: Path
    keys: tuple[str, ...]
    rekeyed: dict[str, int]


def rotate(workspace: Workspace) -> Rotation:
    """Make a new key and re-key every pseudonym of the workspace with it, in one write.

    A stored pseudonym ``p`` becomes ``J + HMAC(new, p)``, which is what the next imports
    compute for the same young person (every key of the workspace applies in turn), so that
    young people stay linked across imports. The new key is saved in the key file before
    the workspace is written; the file is vacuumed, so that no free page keeps an old
    pseudonym.

    Raises
    ------
    WorkspaceError
        No key yet (no contacts were imported), or one is missing from the key file.
    """
    done: dict[str, Any] = {}

    def change(meta: dict[str, Any]) -> dict[str, pd.DataFrame]:
        keys = keys_of(meta, workspace.path)
        if not keys:
            raise WorkspaceError(
                f"{workspace.path}: no key to rotate: no contacts were imported into this "
                "workspace (demo contacts have no key); the key is made at the first import "
                "of contacts")
        fresh = new_key()
        move_key_out(meta, workspace.path)
        save_keys([fresh], workspace=workspace.path)
        ids = [*(meta.get(METADATA) or {}).get("keys", []), key_id(fresh)]
        meta[METADATA] = {**(meta.get(METADATA) or {}), "keys": ids,
                          "rotated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
        layers = {}
        for name in _present(workspace, PSEUDONYM_LAYERS):
            frame = workspace.read(name)
            frame["contact_id"] = pseudonymise(frame["contact_id"], fresh)
            layers[name] = frame
        done.update(keys=tuple(ids), rekeyed={n: len(f) for n, f in layers.items()})
        return layers

    workspace.rewrite(change)
    return Rotation(workspace.path, key_file(), done["keys"], done["rekeyed"])


def start_new_key(workspace: Workspace) -> Path:
    """Give a workspace whose key is lost a new one; return the key file.

    The pseudonyms stored stay as they are: the young people of the next imports are not
    linked to them.

    Raises
    ------
    WorkspaceError
        The workspace's keys are all in the key file (rotate them instead).
    """
    def change(meta: dict[str, Any]) -> dict[str, pd.DataFrame]:
        try:
            lost = not keys_of(meta, workspace.path)
        except WorkspaceError:  # a key missing from the key file: what this is for
            lost = True
        if not lost:
            raise WorkspaceError(
                f"{workspace.path}: its key is not lost (key file {key_file()}); to change "
                "it, use `territory key rotate`, which keeps young people linked across "
                "imports")
        meta.pop(LEGACY_METADATA, None)
        fresh = new_key()
        save_keys([fresh], workspace=workspace.path)
        meta[METADATA] = {"keys": [key_id(fresh)],
                          "new_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
        return {}

    workspace.rewrite(change)
    return key_file()


@dataclass(frozen=True)
class KeyStatus:
    """Where a workspace's keys are, and whether the key file holds them."""

    workspace: Path
    key_file: Path
    ids: tuple[str, ...]
    missing: tuple[str, ...]
    in_workspace: bool
    pseudonyms: int


def key_status(workspace: Workspace) -> KeyStatus:
    """Return where the keys of a workspace are (read only: nothing is written)."""
    meta = workspace.metadata()
    path = key_file()
    legacy = bool(meta.get(LEGACY_METADATA))
    ids = ([key_id(str(meta[LEGACY_METADATA]))] if legacy
           else [str(i) for i in (meta.get(METADATA) or {}).get("keys", [])])
    stored = _read(path) if ids and not legacy else {}
    contacts = sum(int(pyogrio.read_info(workspace.path, layer=n)["features"])
                   for n in _present(workspace, PSEUDONYM_LAYERS[:1]))
    return KeyStatus(workspace.path, path, tuple(ids),
                     tuple(i for i in ids if not legacy and i not in stored), legacy, contacts)


def _present(workspace: Workspace, names: Sequence[str]) -> list[str]:
    layers = {str(n) for n in pyogrio.list_layers(workspace.path)[:, 0]}
    return [n for n in names if n in layers]


def _read(path: Path) -> dict[str, dict[str, Any]]:
    """Return the keys of the key file by identifier ({} when there is no file yet)."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise WorkspaceError(f"{path}: the key file cannot be read ({error.strerror}); check "
                             f"the path, or point {KEY_FILE_ENV} to your key file") from None
    if not stat.S_ISREG(status.st_mode):
        raise WorkspaceError(f"{path}: not a key file (a folder?); point {KEY_FILE_ENV} to a "
                             f"file, e.g. {path / _FILE_NAME}")
    if status.st_mode & 0o077:
        raise WorkspaceError(
            f"{path}: the key file may be read by other users (mode "
            f"{stat.S_IMODE(status.st_mode):o}); make it yours alone with chmod 600 {path}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        keys = data["keys"]
        for kid, entry in keys.items():
            if key_id(str(entry["key"])) != kid:
                raise ValueError(f"key {kid} does not match its identifier")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise WorkspaceError(f"{path}: not a key file that can be read ({error}); restore it "
                             "from its backup") from None
    return dict(keys)


def _write(path: Path, keys: Mapping[str, Any]) -> None:
    """Write the key file whole, private from its first byte, and swap it in at once."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        staging = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        staging.unlink(missing_ok=True)
        handle = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump({"about": _ABOUT, "keys": dict(keys)}, stream, indent=1)
                stream.write("\n")
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(staging, 0o600)
            os.replace(staging, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                staging.unlink()
    except OSError as error:
        raise WorkspaceError(f"{path}: the key file cannot be written ({error.strerror}); "
                             f"nothing was written. Point {KEY_FILE_ENV} to a file in a folder "
                             "you may write to") from None


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Keep two commands from adding keys to the key file at the same time."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        lock = open(path.with_name(f".{path.name}.lock"), "w")  # noqa: SIM115 (closed below)
    except OSError as error:
        raise WorkspaceError(f"{path}: the key file cannot be written ({error.strerror}); "
                             f"point {KEY_FILE_ENV} to a file in a folder you may write "
                             "to") from None
    with lock:
        deadline = time.monotonic() + _LOCK_WAIT_S
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WorkspaceError(f"{path}: another territory command has been "
                                         "writing the key file for "
                                         f"{_LOCK_WAIT_S:.0f} s; try again") from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
