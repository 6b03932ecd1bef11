"""Wrong input as it happens, every command: a message naming the file and exit 2, no traceback.

A damaged workspace (empty, cut short, a folder, another file), a folder that cannot be
written to, a file to write in a folder that does not exist, a CSV cell longer than Python's
reader takes, a damaged workbook, an address the server cannot take: each gives one message
naming what to fix, and leaves the workspace as it was.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import openpyxl
import pytest

from territory.cli import main
from territory.io import geodata

ACTIONS = ("Date;Type d'action;Jeunes rencontrés;Code INSEE;Code ML\n"
           "04/03/2021;Maraude;5;33063;ML01\n")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _territory(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str]:
    """Run the command line in this process; return its exit code and what it wrote on stderr."""
    code = main([str(a) for a in args])
    return code, capsys.readouterr().err


def _actions(folder: Path) -> Path:
    path = folder / "actions.csv"
    path.write_text(ACTIONS, encoding="utf-8")
    return path


# -- a workspace that cannot be read -----------------------------------------------------------
def _broken(kind: str, path: Path, source: Path) -> None:
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "cut short":
        path.write_bytes(source.read_bytes()[:100_000])
    elif kind == "cut near its end":
        data = source.read_bytes()
        path.write_bytes(data[:len(data) * 9 // 10])
    elif kind == "folder":
        path.mkdir()
    elif kind == "text":
        path.write_text("ceci n'est pas un espace de travail\n", encoding="utf-8")
    else:  # a GeoPackage that is not a workspace: the reference base
        shutil.copyfile(geodata.REGION_PATH, path)


BROKEN = {"empty": "empty (0 bytes)", "cut short": "cut short", "cut near its end": "cut short",
          "folder": "this is a folder", "text": "not a GeoPackage file",
          "reference base": "not a territory workspace"}
# Every command that reads a workspace, with the least it needs besides --workspace.
READERS: dict[str, list[str]] = {
    "map": ["map", "--out", "{tmp}/carte.html"],
    "report": ["report", "--out", "{tmp}/rapport.pdf"],
    "indicators": ["indicators", "--out", "{tmp}/table.csv"],
    "audit": ["audit"],
    "plan": ["plan", "--add", "1"],
    "reach": ["reach"],
    "undo": ["undo"],
    "import": ["import", "actions", "{tmp}/actions.csv"],
    "network show": ["network", "show"],
    "network build": ["network", "build", "--osm", "{tmp}/extrait.osm.pbf"],
    "serve": ["serve"],
    "demo": ["demo"],
}


@pytest.mark.parametrize("kind", list(BROKEN))
@pytest.mark.parametrize("command", list(READERS))
def test_a_damaged_workspace_is_named(command: str, kind: str, base_workspace_file: Path,
                                      tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workspace = tmp_path / "territoire.gpkg"
    _broken(kind, workspace, base_workspace_file)
    before = _sha(workspace) if workspace.is_file() else None
    _actions(tmp_path)
    args = [a.format(tmp=tmp_path) for a in READERS[command]]
    code, err = _territory(capsys, *args, "--workspace", workspace)
    assert code == 2, err
    assert "territoire.gpkg" in err and BROKEN[kind] in err
    assert "Traceback" not in err and len(err.splitlines()) == 1
    assert (_sha(workspace) if workspace.is_file() else None) == before


# -- a folder, or a file, that cannot be written -----------------------------------------------
def _root() -> bool:
    return os.geteuid() == 0


@pytest.fixture
def lock() -> Iterator[Callable[[Path], None]]:
    """Make a folder or a file read-only (for root, who writes anywhere: immutable)."""
    locked: list[Path] = []

    def _lock(path: Path) -> None:
        locked.append(path)
        path.chmod(0o555 if path.is_dir() else 0o444)
        if _root() and (shutil.which("chattr") is None or subprocess.run(
                ["chattr", "+i", str(path)], capture_output=True, check=False).returncode):
            pytest.skip("running as root, where only chattr makes a file read-only")

    yield _lock
    for path in reversed(locked):
        if _root() and shutil.which("chattr"):
            subprocess.run(["chattr", "-i", str(path)], capture_output=True, check=False)
        path.chmod(0o755 if path.is_dir() else 0o644)


def test_import_and_undo_in_a_read_only_folder(demo_workspace_file: Path, tmp_path: Path,
                                               lock: Callable[[Path], None],
                                               capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "partage"
    folder.mkdir()
    workspace = folder / "territoire.gpkg"
    shutil.copyfile(demo_workspace_file, workspace)
    source = _actions(tmp_path)
    assert _territory(capsys, "import", "actions", source, "--workspace", workspace)[0] == 0
    before, listing = _sha(workspace), sorted(folder.iterdir())
    lock(folder)
    for args in (["import", "actions", source], ["undo"]):
        source.write_text(ACTIONS.replace("5;", "6;"), encoding="utf-8")
        code, err = _territory(capsys, *args, "--workspace", workspace)
        assert code == 2, err
        assert f"cannot write in the folder {folder}" in err and "nothing was written" in err
        assert "Traceback" not in err
        assert _sha(workspace) == before and sorted(folder.iterdir()) == listing


@pytest.mark.parametrize("command", ["demo", "init", "import"])
def test_a_new_workspace_in_a_read_only_folder(command: str, tmp_path: Path,
                                               lock: Callable[[Path], None],
                                               capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "partage"
    folder.mkdir()
    lock(folder)
    args = ["import", "actions", _actions(tmp_path)] if command == "import" else [command]
    code, err = _territory(capsys, *args, "--workspace", folder / "territoire.gpkg")
    assert code == 2, err
    assert f"cannot write in the folder {folder}" in err and "Traceback" not in err
    assert list(folder.iterdir()) == []


# Every command that writes a file with --out, and the name it writes.
WRITERS: dict[str, tuple[list[str], str]] = {
    "map": (["map"], "carte.html"),
    "report pdf": (["report"], "rapport.pdf"),
    "report png": (["report"], "rapport.png"),
    "indicators csv": (["indicators"], "table.csv"),
    "indicators gpkg": (["indicators"], "table.gpkg"),
    "indicators json": (["indicators"], "table.json"),
    "audit": (["audit"], "intervalles.csv"),
    "geodata build": (["geodata", "build", "--region", "75"], "base.gpkg"),
}


def _writer_args(command: str, out: Path, workspace: Path) -> list[str | Path]:
    args, _ = WRITERS[command]
    workspace_args = [] if args[0] == "geodata" else ["--workspace", workspace]
    return [*args, "--out", out, *workspace_args]


@pytest.mark.parametrize("command", list(WRITERS))
def test_out_in_a_missing_folder(command: str, demo_workspace_file: Path, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sorties" / WRITERS[command][1]
    code, err = _territory(capsys, *_writer_args(command, out, demo_workspace_file))
    assert code == 2, err
    assert f"--out {out}: there is no folder {out.parent}" in err and "create it" in err
    assert "Traceback" not in err
    assert not out.parent.exists()


@pytest.mark.parametrize("command", list(WRITERS))
def test_out_in_a_read_only_folder(command: str, demo_workspace_file: Path, tmp_path: Path,
                                   lock: Callable[[Path], None],
                                   capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "partage"
    folder.mkdir()
    lock(folder)
    out = folder / WRITERS[command][1]
    code, err = _territory(capsys, *_writer_args(command, out, demo_workspace_file))
    assert code == 2, err
    assert f"--out {out}: you may not write in the folder {folder}" in err
    assert "Traceback" not in err and list(folder.iterdir()) == []


@pytest.mark.parametrize("command", ["map", "report pdf", "indicators csv", "indicators json"])
def test_out_over_a_read_only_file(command: str, demo_workspace_file: Path, tmp_path: Path,
                                   lock: Callable[[Path], None],
                                   capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / WRITERS[command][1]
    out.write_bytes(b"ancien")
    lock(out)
    code, err = _territory(capsys, *_writer_args(command, out, demo_workspace_file))
    assert code == 2, err
    assert f"--out {out}: the file cannot be written" in err and "Traceback" not in err
    assert out.read_bytes() == b"ancien"


# -- files that Python's readers choke on ------------------------------------------------------
def test_a_csv_cell_longer_than_the_reader_takes(demo_workspace_file: Path,
                                                 tmp_path: Path) -> None:
    # In a process of its own: Python's CSV field limit is one setting for the whole process.
    workspace = tmp_path / "territoire.gpkg"
    shutil.copyfile(demo_workspace_file, workspace)
    path = tmp_path / "actions.csv"
    path.write_text(ACTIONS + '05/03/2021;Maraude;"3;33063;ML01\n' + "x" * 140_000 + "\n"
                    + ACTIONS.splitlines()[1] + "\n", encoding="utf-8")
    before = _sha(workspace)
    done = subprocess.run([sys.executable, "-m", "territory", "import", "actions", str(path),
                           "--workspace", str(workspace)], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "actions.csv:3: a value is longer than 131,072 characters" in done.stderr
    assert "quote" in done.stderr
    assert _sha(workspace) == before


def _workbook() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Actions"
    sheet.append(["Date", "Type d'action", "Jeunes rencontrés", "Code INSEE", "Code ML"])
    # Rows enough that a workbook opens before its sheet's damage is reached.
    for row in range(2000):
        sheet.append([f"{row % 28 + 1:02d}/03/2021", "Maraude", row % 30, "33063", "ML01"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _rezipped(data: bytes, change: Callable[[str, bytes], bytes]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, change(info.filename, source.read(info)))
    return buffer.getvalue()


def _sheet_cut(data: bytes) -> bytes:
    return _rezipped(data, lambda name, raw: raw[:len(raw) * 2 // 3]
                     if name == "xl/worksheets/sheet1.xml" else raw)


def _sheet_damaged(data: bytes) -> bytes:
    """The sheet's compressed bytes overwritten in the middle: its checksum no longer holds."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    middle = start + info.compress_size // 2
    return data[:middle] + bytes(64) + data[middle + 64:]


XLSX_CASES: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "sheet cut short": (_sheet_cut, "the sheet 'Actions' cannot be read"),
    "sheet damaged": (_sheet_damaged, "cannot be"),
    "not a zip": (lambda data: os.urandom(2048), "not an Excel workbook"),
    "a CSV named .xlsx": (lambda data: ACTIONS.encode(), "rename it to .csv"),
}


@pytest.mark.parametrize("case", list(XLSX_CASES))
def test_a_damaged_workbook(case: str, demo_workspace_file: Path, tmp_path: Path,
                            capsys: pytest.CaptureFixture[str]) -> None:
    workspace = tmp_path / "territoire.gpkg"
    shutil.copyfile(demo_workspace_file, workspace)
    damage, expected = XLSX_CASES[case]
    path = tmp_path / "actions.xlsx"
    path.write_bytes(damage(_workbook()))
    before = _sha(workspace)
    code, err = _territory(capsys, "import", "actions", path, "--workspace", workspace)
    assert code == 2, err
    assert err.startswith("territory import: actions.xlsx: ") and expected in err
    assert "Traceback" not in err
    assert _sha(workspace) == before


# -- the dashboards' server --------------------------------------------------------------------
@pytest.mark.parametrize("address", ["::1", "[::1]", "::"])
def test_serve_on_an_ipv6_address(address: str, demo_workspace_file: Path, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    users = tmp_path / "users.json"
    users.write_text('{"claire": "secret"}', encoding="utf-8")
    code, err = _territory(capsys, "serve", "--workspace", demo_workspace_file, "--address",
                           address, "--basic-auth", users)
    assert code == 2, err
    assert f"--address {address}: an IPv6 address" in err and "127.0.0.1" in err
    assert "Traceback" not in err


def test_serve_with_a_negative_number_of_processes(demo_workspace_file: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _territory(capsys, "serve", "--workspace", demo_workspace_file,
                           "--num-procs", "-2")
    assert code == 2, err
    assert "--num-procs -2: expected 0 (one process per core)" in err
    assert "Traceback" not in err


def test_serve_with_an_unknown_oauth_provider(demo_workspace_file: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _territory(capsys, "serve", "--workspace", demo_workspace_file,
                           "--oauth-provider", "gitub", "--oauth-key", "id", "--oauth-secret",
                           "secret", "--cookie-secret", "cookie")
    assert code == 2, err
    assert "--oauth-provider gitub: not a provider Panel knows" in err and "github" in err
    assert "Traceback" not in err


def test_serve_on_a_port_taken(demo_workspace_file: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, err = _territory(capsys, "serve", "--workspace", demo_workspace_file, "--port",
                               port)
    assert code == 2, err
    assert f"--port {port}: cannot listen there" in err and "Traceback" not in err
