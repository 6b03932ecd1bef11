"""The workspace: one GeoPackage file holding reference layers, user layers and scenarios.

A workspace opens in QGIS as it is (standard GeoPackage, spatial indexes). Every write is a
transaction: the layers are written to a copy beside the file, flushed to disk, then the copy
replaces the file in one atomic rename. A crash or a kill in the middle of a write leaves the
previous state readable and intact; a lock keeps two writers apart.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import shutil
import sqlite3
import stat
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio

from territory._errors import InputError, Problem, WorkspaceError
from territory.io import geodata, keys
from territory.io._schema import SCHEMA, empty_layer, missing_columns

__all__ = [
    "DEFAULT_WORKSPACE",
    "SCHEMA_VERSION",
    "YOUTH_SHARE",
    "Workspace",
    "default_workspace_path",
]

SCHEMA_VERSION = 1
DEFAULT_WORKSPACE = Path("territoire.gpkg")
METADATA_TABLE = "metadata"
# How long a writer waits for another one to finish before it gives up.
LOCK_WAIT_S = 120.0
# Rows written to the file at a time: a layer of millions of rows is written in chunks.
WRITE_CHUNK_ROWS = 250_000
# The version of a layer that the last import replaced, kept for `territory undo`.
PREVIOUS_PREFIX = "previous_"
# Default youth share, used until the user imports INSEE's census counts by commune.
# About 10.6% of Nouvelle-Aquitaine's residents are aged 15-24 (INSEE, recensement 2017,
# population by five-year age band: 15-19 and 20-24). Unconfirmed approximation of the 16-25
# band the Missions Locales serve; import INSEE's P21_POP1524 to replace it.
YOUTH_SHARE = 0.106
YOUTH_SOURCE = (
    "estimation : population municipale 2017 × 10,6 % (part approximative des 15–24 ans, "
    "INSEE RP 2017) — à remplacer par P21_POP1524"
)


def default_workspace_path() -> Path:
    """Return ``$TERRITORY_WORKSPACE`` if set, else ``./territoire.gpkg``."""
    return Path(os.environ.get("TERRITORY_WORKSPACE", DEFAULT_WORKSPACE))


class Workspace:
    """A territory workspace: a GeoPackage file and its metadata table.

    Parameters
    ----------
    path
        The GeoPackage file. It must exist; use :meth:`create` to make one.

    Examples
    --------
    >>> ws = Workspace.create(tmp_path / "territoire.gpkg")
    >>> len(ws.read("communes")), ws.is_demo()
    (4293, False)
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise WorkspaceError(
                f"{self.path}: no workspace here; create one with `territory demo` "
                "or `Workspace.create()`"
            )
        _check_file(self.path)

    def __repr__(self) -> str:
        return f"Workspace({str(self.path)!r})"

    @classmethod
    def create(
        cls,
        path: Path | str,
        *,
        reference: Path = geodata.REGION_PATH,
        overwrite: bool = False,
    ) -> Workspace:
        """Create a workspace from the shipped reference base, with empty user layers.

        Communes get a ``youth`` estimate (population × :data:`YOUTH_SHARE`) whose source is
        written beside it in ``youth_source``.
        """
        path = Path(path)
        if path.exists() and not overwrite:
            raise WorkspaceError(f"{path}: a workspace exists already; pass overwrite=True")
        layers: dict[str, pd.DataFrame] = {
            name: geodata.read_reference(name, path=reference) for name in geodata.LAYERS
        }
        communes = layers["communes"]
        communes.insert(6, "youth", (communes["population"] * YOUTH_SHARE).round().astype(int))
        communes.insert(7, "youth_source", YOUTH_SOURCE)
        for name in SCHEMA:
            if name not in layers:
                layers[name] = empty_layer(name)
        manifest = geodata.read_manifest(reference)
        meta: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "created_at": _now(),
            "reference": {"file": reference.name, "sha256": manifest.get("sha256"),
                          "sources": manifest.get("sources"),
                          "population_vintage": manifest.get("population_vintage")},
            "youth": {"share": YOUTH_SHARE, "source": YOUTH_SOURCE},
            "layers": {name: {"demo": False, "source": "territory"} for name in layers},
            "demo": False,
        }
        for name in geodata.LAYERS:
            meta["layers"][name]["source"] = f"reference base {reference.name}"
        _write_new(path, layers, meta)
        return cls(path)

    # -- reading ---------------------------------------------------------------------------
    def layers(self) -> list[str]:
        """Return the names of the layers in the file (the metadata table excluded)."""
        with _reading(self.path):
            names = pyogrio.list_layers(self.path)[:, 0]
        return [str(n) for n in names
                if n != METADATA_TABLE and not str(n).startswith(PREVIOUS_PREFIX)]

    def read(self, layer: str, **kwargs: Any) -> gpd.GeoDataFrame | pd.DataFrame:
        """Read one layer; extra keywords go to :func:`pyogrio.read_dataframe`."""
        with _reading(self.path):
            if layer not in pyogrio.list_layers(self.path)[:, 0]:
                raise WorkspaceError(
                    f"{self.path}: no layer {layer!r}; the workspace has {self.layers()}"
                )
            return pyogrio.read_dataframe(self.path, layer=layer, **kwargs)

    def metadata(self) -> dict[str, Any]:
        """Return the metadata table as a dictionary (values decoded from JSON)."""
        with _reading(self.path):
            table = pyogrio.read_dataframe(self.path, layer=METADATA_TABLE)
            return {k: json.loads(v) for k, v in zip(table["key"], table["value"],
                                                     strict=True)}

    def is_demo(self, layer: str | None = None) -> bool:
        """Whether the workspace (or one layer of it) holds demo data."""
        meta = self.metadata()
        if layer is None:
            return bool(meta.get("demo")) or any(
                v.get("demo") for v in meta.get("layers", {}).values()
            )
        return bool(meta.get("layers", {}).get(layer, {}).get("demo"))

    def real_layers(self) -> list[str]:
        """Return the user layers that hold rows which are not demo data (imported data).

        Reference layers (communes, town halls…) are real by nature and not counted; an
        empty layer holds nothing to lose.
        """
        meta = self.metadata().get("layers", {})
        reference = set(geodata.LAYERS)
        with _reading(self.path):
            return [name for name in self.layers()
                    if name not in reference and not meta.get(name, {}).get("demo")
                    and pyogrio.read_info(self.path, layer=name)["features"] > 0]

    # -- writing ---------------------------------------------------------------------------
    def write(
        self,
        layers: Mapping[str, pd.DataFrame],
        *,
        demo: bool = False,
        source: str = "user",
        metadata: Mapping[str, Any] | None = None,
        layer_info: Mapping[str, Any] | None = None,
        keep_previous: bool = False,
    ) -> None:
        """Replace layers in one transaction: all of them are written, or none.

        Parameters
        ----------
        layers
            Layer name to frame. Contract layers are checked for their key columns.
        demo
            Mark these layers as demo data ("données fictives" on everything made from them).
        source
            Where the layers come from, recorded in the metadata.
        metadata
            Extra top-level metadata keys to set.
        layer_info
            Extra keys recorded in the metadata of each written layer (e.g. the imported
            file's checksum and row counts).
        keep_previous
            Keep the replaced version of each layer so that :meth:`undo` can restore it.
        """
        _check_contract(layers)
        # Everything the new version is made from is read under the lock: a write that
        # started earlier cannot be undone by this one (no lost update).
        with self.transaction() as staging:
            meta = self.metadata()
            old_info = {name: meta.get("layers", {}).get(name, {}) for name in layers}
            present = self.layers()
            previous = ({name: self.read(name) for name in layers if name in present}
                        if keep_previous else {})
            for name, frame in layers.items():
                meta.setdefault("layers", {})[name] = {
                    "demo": demo, "source": source, "written_at": _now(),
                    **_covered(frame), **(layer_info or {}),
                }
            meta["demo"] = any(v.get("demo") for v in meta["layers"].values())
            meta.update(metadata or {})
            if keep_previous:
                meta["undo"] = {"layers": list(layers), "previous": old_info}
            for name, frame in layers.items():
                _write_layer(staging, name, frame)
            for name, frame in previous.items():
                _write_layer(staging, PREVIOUS_PREFIX + name, frame)
            self._store_metadata(staging, meta)

    def undo(self) -> list[str]:
        """Restore the layers replaced by the last write made with ``keep_previous``.

        The undone version is kept in turn, so a second undo restores it (redo).

        Returns
        -------
        list of str
            The names of the restored layers.
        """
        with self.transaction() as staging:
            meta = self.metadata()
            undo = meta.get("undo")
            if not undo:
                raise WorkspaceError(
                    f"{self.path}: nothing to undo (no import has replaced a layer)")
            names = list(undo["layers"])
            current = {name: self.read(name) for name in names}
            restored = {name: self.read(PREVIOUS_PREFIX + name) for name in names}
            meta["undo"] = {"layers": names,
                            "previous": {n: meta["layers"].get(n, {}) for n in names}}
            for name in names:
                meta["layers"][name] = undo["previous"].get(name, {})
            meta["demo"] = any(v.get("demo") for v in meta["layers"].values())
            for name in names:
                _write_layer(staging, name, restored[name])
                _write_layer(staging, PREVIOUS_PREFIX + name, current[name])
            self._store_metadata(staging, meta)
        return names

    def rewrite(self, change: Callable[[dict[str, Any]], Mapping[str, pd.DataFrame]]) -> None:
        """Rewrite layers in place, in one transaction, their metadata and the undo kept.

        ``change`` is called under the lock with the metadata, which it may change, and
        returns the layers to write over (``previous_*`` ones included). The new file is
        vacuumed: nothing of what the layers held before stays in its free pages.
        """
        with self.transaction() as staging:
            meta = self.metadata()
            layers = change(meta)
            _check_contract(layers)
            for name, frame in layers.items():
                _write_layer(staging, name, frame)
            self._store_metadata(staging, meta, vacuum=True)

    def _store_metadata(self, staging: Path, meta: dict[str, Any], *,
                        vacuum: bool = False) -> None:
        """Write the metadata; a key that earlier versions kept in it goes to the key file.

        The file is then vacuumed, so that no free page of it keeps the key.
        """
        if keys.move_key_out(meta, self.path):
            vacuum = True
        _write_metadata(staging, meta)
        if vacuum:
            connection = sqlite3.connect(staging)
            try:
                connection.execute("VACUUM")
            finally:
                connection.close()

    @contextmanager
    def transaction(self) -> Iterator[Path]:
        """Yield a staging copy of the workspace; on success it atomically replaces the file.

        The copy has a name of its own (never one a killed writer may have left with its
        SQLite journal), is checked with SQLite's ``integrity_check`` before it replaces
        the file, and takes the file's mode and owner. A workspace that is a symbolic link
        stays one: its target is replaced. On any error (or a kill) the staging copy is
        discarded and the workspace is untouched.
        """
        target = self.path.resolve()
        if not os.access(target, os.W_OK):
            raise WorkspaceError(f"{self.path}: the workspace file is read-only; nothing was "
                                 "written. Make it writable, or work on a copy "
                                 "(--workspace COPY.gpkg)")
        with _locked(target):
            _remove_stale_staging(target)
            staging = _staging_name(target)
            try:
                try:
                    shutil.copyfile(target, staging)
                except OSError as error:
                    raise _cannot_write(target, error) from None
                yield staging
                _commit(staging, target)
            finally:
                _unlink_with_companions(staging)


_SQLITE_HEADER = b"SQLite format 3\x00"
_RESTORE = ("restore it from a copy, or move it away and create a new one (territory demo or "
            "territory init)")


def _check_file(path: Path) -> None:
    """Refuse, naming the file, what cannot be a workspace: a folder, an empty or cut file.

    Reads the SQLite header (a file shorter than the pages its header counts was cut short
    while copied or saved) and the names of the tables: a few hundred bytes, however large
    the workspace.
    """
    if path.is_dir():
        raise WorkspaceError(f"{path}: this is a folder, not a workspace; give the workspace "
                             "file (.gpkg) with --workspace, or create one in this folder "
                             f"with `territory demo --workspace {path / DEFAULT_WORKSPACE}`")
    try:
        size = path.stat().st_size
        with open(path, "rb") as stream:
            header = stream.read(100)
    except OSError as error:
        raise WorkspaceError(f"{path}: the workspace cannot be read ({error.strerror}); check "
                             "that you may read it") from None
    if size == 0:
        raise WorkspaceError(f"{path}: the workspace is empty (0 bytes): it was cut short "
                             f"while copied or saved; {_RESTORE}")
    if len(header) < 100 or not header.startswith(_SQLITE_HEADER):
        raise WorkspaceError(f"{path}: not a workspace (not a GeoPackage file); give the "
                             "workspace with --workspace, or create one with territory demo "
                             "or territory init")
    page_size = int.from_bytes(header[16:18], "big")
    # SQLite writes a page size of 65,536 as 1; the page count is valid when the header's
    # "version valid for" number matches its change counter.
    expected = (page_size if page_size != 1 else 65_536) * int.from_bytes(header[28:32], "big")
    if header[24:28] == header[92:96] and size < expected:
        raise WorkspaceError(f"{path}: the workspace is cut short ({size:,} bytes of the "
                             f"{expected:,} it holds): it was not copied or saved whole; "
                             + _RESTORE)
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            tables = {str(row[0]) for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
        finally:
            connection.close()
    except sqlite3.Error as error:
        raise WorkspaceError(f"{path}: the workspace cannot be read ({error}); it may be "
                             f"damaged: {_RESTORE}") from None
    if "gpkg_contents" not in tables or METADATA_TABLE not in tables:
        raise WorkspaceError(f"{path}: a GeoPackage, but not a territory workspace (it has no "
                             f"{METADATA_TABLE} table); give the workspace with --workspace, "
                             "or create one with territory demo or territory init")


@contextmanager
def _reading(path: Path) -> Iterator[None]:
    """Turn what GDAL or SQLite raise on a damaged workspace into a message naming it."""
    try:
        yield
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError,
            sqlite3.DatabaseError) as error:
        first = (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
        raise WorkspaceError(f"{path}: the workspace cannot be read ({first}); it may be "
                             f"damaged: {_RESTORE}") from None


def _covered(frame: pd.DataFrame) -> dict[str, list[str]]:
    """Return ``{"period": [first, last]}`` for a layer of dated rows (days or months)."""
    for column, cut in (("date", 10), ("month", 7)):
        if column in frame and len(frame):
            values = frame[column].dropna()
            if column == "date":
                values = pd.to_datetime(values, errors="coerce").dropna()
                values = values.dt.strftime("%Y-%m-%d")
            values = values.astype(str).str[:cut]
            if len(values):
                return {"period": [str(values.min()), str(values.max())]}
    return {}


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _check_contract(layers: Mapping[str, pd.DataFrame]) -> None:
    problems = [
        Problem(f"missing column(s) {missing}; the layer needs {list(SCHEMA[name]['columns'])}",
                file=name)
        for name, frame in layers.items()
        if name in SCHEMA and (missing := missing_columns(name, frame))
    ]
    if problems:
        raise InputError(problems)


def _write_layer(path: Path, name: str, frame: pd.DataFrame) -> None:
    spec = SCHEMA.get(name, {})
    kwargs: dict[str, Any] = {}
    if isinstance(frame, gpd.GeoDataFrame) and frame.crs is not None and not frame.crs.equals(
        geodata.CRS
    ):
        raise InputError(
            f"layer {name!r} is in {frame.crs.to_string()}, the workspace in {geodata.CRS}; "
            f"reproject it first with frame.to_crs({geodata.CRS!r})"
        )
    if isinstance(frame, gpd.GeoDataFrame) and spec.get("geometry"):
        kwargs["geometry_type"] = spec["geometry"]
        kwargs["promote_to_multi"] = spec["geometry"].startswith("Multi")
    # A large layer is written a chunk of rows at a time: the writer's copies (geometries as
    # WKB, texts encoded) then hold one chunk, not the whole layer.
    for start in range(0, max(len(frame), 1), WRITE_CHUNK_ROWS):
        pyogrio.write_dataframe(frame.iloc[start:start + WRITE_CHUNK_ROWS], path, layer=name,
                                driver="GPKG", append=start > 0, **kwargs)


def _write_metadata(path: Path, meta: Mapping[str, Any]) -> None:
    table = pd.DataFrame(
        {"key": list(meta), "value": [json.dumps(v, ensure_ascii=False) for v in meta.values()]}
    )
    pyogrio.write_dataframe(table, path, layer=METADATA_TABLE, driver="GPKG")


def _write_new(path: Path, layers: Mapping[str, pd.DataFrame], meta: Mapping[str, Any]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _cannot_write(path, error) from None
    target = path.resolve()
    with _locked(target):
        _remove_stale_staging(target)
        staging = _staging_name(target)
        try:
            for name, frame in layers.items():
                _write_layer(staging, name, frame)
            _write_metadata(staging, meta)
            _commit(staging, target)
        finally:
            _unlink_with_companions(staging)


# SQLite keeps a rollback journal (or a write-ahead log) beside a database while it writes;
# a journal left by a killed writer is "hot" and is rolled back into whatever file later
# bears that name.
_COMPANIONS = ("-journal", "-wal", "-shm")


def _staging_name(path: Path) -> Path:
    """Return a new, unused staging path beside ``path`` (unique per write, not per process)."""
    try:
        handle, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp.gpkg",
                                        dir=path.parent)
    except OSError as error:
        raise _cannot_write(path, error) from None
    os.close(handle)
    staging = Path(name)
    staging.unlink()
    for suffix in _COMPANIONS:
        Path(f"{staging}{suffix}").unlink(missing_ok=True)
    return staging


def _unlink_with_companions(path: Path) -> None:
    path.unlink(missing_ok=True)
    for suffix in _COMPANIONS:
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _remove_stale_staging(path: Path) -> None:
    """Remove copies left by a killed writer, and their journals (the lock proves none runs)."""
    for stale in path.parent.glob(f".{path.stem}.*.tmp.gpkg*"):
        stale.unlink(missing_ok=True)


def _check_integrity(staging: Path) -> None:
    """Refuse a staging copy that SQLite finds damaged, or that a journal still changes."""
    leftovers = [s for s in _COMPANIONS if Path(f"{staging}{s}").exists()]
    connection = sqlite3.connect(f"file:{staging}?mode=ro", uri=True)
    try:
        result = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as error:
        result = [str(error)]
    finally:
        connection.close()
    if result != ["ok"] or leftovers:
        raise WorkspaceError(
            f"{staging}: the new version of the workspace failed SQLite's integrity check "
            f"({'; '.join(result[:3]) or 'unfinished journal ' + ', '.join(leftovers)}); "
            "the workspace was left as it was — run the command again")


def _commit(staging: Path, path: Path) -> None:
    """Check and flush the staging file, give it the file's mode, then swap it in at once."""
    _check_integrity(staging)
    if path.exists():
        _copy_ownership(path, staging)
    with open(staging, "rb") as f:
        os.fsync(f.fileno())
    os.replace(staging, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _copy_ownership(source: Path, target: Path) -> None:
    """Give ``target`` the mode, owner and group of ``source`` (a private workspace stays so)."""
    status = source.stat()
    os.chmod(target, stat.S_IMODE(status.st_mode))
    if (status.st_uid, status.st_gid) != (target.stat().st_uid, target.stat().st_gid):
        # Only root may give a file away; the mode, at least, is kept.
        with contextlib.suppress(PermissionError):
            os.chown(target, status.st_uid, status.st_gid)


def _cannot_write(path: Path, error: OSError) -> WorkspaceError:
    """Return the error of a workspace whose folder cannot be written to (read-only, full)."""
    return WorkspaceError(f"{path}: cannot write in the folder {path.parent} "
                          f"({error.strerror or error}); nothing was written. Work on a copy in "
                          "a folder you may write to (--workspace COPY.gpkg), or get the right "
                          "to write in this one")


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    lock_path = path.with_name(f".{path.name}.lock")
    wait_s = LOCK_WAIT_S
    try:
        lock = open(lock_path, "w")  # noqa: SIM115 (closed by the `with` below)
    except OSError as error:
        raise _cannot_write(path, error) from None
    with lock:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WorkspaceError(
                        f"{path}: another territory command has been writing to this "
                        f"workspace for {wait_s:.0f} s; wait for it to finish, then try again"
                    ) from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
