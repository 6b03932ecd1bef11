"""Archives that would expand beyond what territory reads are refused before anything is read.

A zip archive's directory says how large each member is once expanded; an archive whose
members add up to more than ``MAX_EXPANDED_BYTES``, or holding a member that would expand
more than ``MAX_RATIO`` times, is refused from its directory alone (exit 2, the workspace
unchanged), nothing extracted.
"""

from __future__ import annotations

import functools
import hashlib
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from territory._errors import InputError
from territory.cli import main
from territory.io import _readers
from territory.io.workspace import Workspace

MIB = 2**20


@functools.cache
def _zeros_deflated(mebibytes: int) -> bytes:
    """Raw deflate of ``mebibytes`` MiB of zeros, built from one compressed MiB repeated."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(bytes(MIB)) + compressor.flush(zlib.Z_FULL_FLUSH)
    # A full flush ends on a byte boundary with an empty history: the block stands alone.
    return block * mebibytes + zlib.compressobj(9, zlib.DEFLATED, -15).flush()


@functools.cache
def _crc_of_zeros(mebibytes: int) -> int:
    crc = 0
    zeros = bytes(MIB)
    for _ in range(mebibytes):
        crc = zlib.crc32(zeros, crc)
    return crc


def zip_of_zeros(path: Path, members: dict[str, int]) -> Path:
    """Write a zip archive whose members are ``MiB`` of zeros each, deflated (honest sizes)."""
    local, central = bytearray(), bytearray()
    for name, mebibytes in members.items():
        data, crc, size = _zeros_deflated(mebibytes), _crc_of_zeros(mebibytes), mebibytes * MIB
        encoded = name.encode()
        offset = len(local)
        local += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data),
                             size, len(encoded), 0) + encoded + data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc,
                               len(data), size, len(encoded), 0, 0, 0, 0, 0,
                               offset) + encoded
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central),
                      len(local), 0)
    path.write_bytes(bytes(local + central + end))
    return path


def test_the_helper_writes_an_honest_archive(tmp_path: Path) -> None:
    path = zip_of_zeros(tmp_path / "zeros.zip", {"a.bin": 2, "b.bin": 1})
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        assert [i.file_size for i in archive.infolist()] == [2 * MIB, MIB]
        assert archive.read("b.bin") == bytes(MIB)


# (name, members and their MiB, what the message says)
BOMBS = [
    ("one member 1,000 times its size", {"communes.shp": 64, "communes.dbf": 1},
     "'communes.shp' in this archive would expand 1,0"),
    ("members adding up beyond the limit", {f"part{i}.shp": 30 for i in range(20)},
     "would expand to 600.0 MB (its 20 member(s) added up), more than the 512.0 MB"),
    ("a workbook's sheet", {"[Content_Types].xml": 1, "xl/worksheets/sheet1.xml": 40},
     "'xl/worksheets/sheet1.xml' in this archive would expand"),
]


@pytest.mark.parametrize(("members", "expected"), [b[1:] for b in BOMBS],
                         ids=[b[0] for b in BOMBS])
def test_an_archive_that_would_expand_too_much_is_refused_unread(
        members: dict[str, int], expected: str, *, covered: Workspace, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    suffix = ".xlsx" if any(n.startswith("xl/") for n in members) else ".zip"
    path = zip_of_zeros(tmp_path / f"territoires{suffix}", members)
    assert path.stat().st_size < 1.5 * MIB

    def extracted(*args: object, **kwargs: object) -> None:
        raise AssertionError("a member of the archive was read")

    monkeypatch.setattr(zipfile.ZipFile, "open", extracted)
    monkeypatch.setattr(_readers, "_read_gis", extracted)
    monkeypatch.setattr(_readers, "_read_xlsx", extracted)
    before = hashlib.sha256(covered.path.read_bytes()).hexdigest()
    code = main(["import", "catchments", str(path), "--workspace", str(covered.path)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith(f"territory import: {path.name}: ") and expected in err
    assert "nothing was extracted" in err and "Traceback" not in err
    assert hashlib.sha256(covered.path.read_bytes()).hexdigest() == before


def test_a_small_member_may_compress_very_well(tmp_path: Path) -> None:
    """Below the floor, a member's ratio is not held against it (a DBF padded with spaces)."""
    path = zip_of_zeros(tmp_path / "zeros.zip", {"lisez-moi.txt": 8})
    with pytest.raises(InputError, match="neither a spreadsheet nor a shapefile"):
        _readers.read_table(path)


def test_the_readme_states_the_limits() -> None:
    readme = (Path(_readers.__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    assert f"more than {_readers.MAX_EXPANDED_BYTES // MIB} MB in all" in readme
    assert (f"(over {_readers.RATIO_FLOOR_BYTES // MIB} MB) more than {_readers.MAX_RATIO} "
            "times") in readme
