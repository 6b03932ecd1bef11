"""Personal data: columns that must never reach the workspace, and pseudonymous identifiers.

A column is personal when its header names a person's name, social security number (NIR),
e-mail, phone number, a young person's address or birth date, or when its values look like
e-mail addresses, French phone numbers or NIRs (so that a renamed column is caught too).
Contact identifiers are replaced by a keyed hash (HMAC-SHA256) whose key is kept out of the
workspace, in the user's key file (:mod:`territory.io.keys`): the same young person gets the
same pseudonym at every import into that workspace, and the raw identifier is never stored.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from territory.io._values import as_text, normalise

__all__ = ["PersonalColumn", "find_personal", "new_key", "personal_message", "pseudonymise"]

PSEUDONYM_LENGTH = 20
_NAME_HEADERS = {
    "nom", "name", "prenom", "prenoms", "nom prenom", "prenom nom", "nom et prenom",
    "nom complet", "full name", "first name", "last name", "firstname", "lastname", "surname",
    "nom de famille", "nom d usage", "nom de naissance", "patronyme", "identite",
    "nom du jeune", "nom jeune", "civilite nom prenom",
}
_NAME_OWNERS = {"jeune", "beneficiaire", "usager", "contact", "referent", "conseiller",
                "conseillere", "personne", "famille", "naissance", "usage", "pere", "mere",
                "tuteur", "parent"}
_NIR_HEADERS = {"nir", "nss", "secu", "num secu", "numero secu", "n secu",
                "numero de securite sociale", "n de securite sociale", "securite sociale",
                "numero securite sociale", "no securite sociale", "social security number",
                "insee person number"}
_EMAIL_HEADERS = {"email", "e mail", "mail", "courriel", "adresse mail", "adresse e mail",
                  "adresse electronique", "mel", "adresse courriel"}
_PHONE_WORDS = {"telephone", "tel", "portable", "phone", "gsm", "mobile", "tel portable",
                "telephone portable", "numero de telephone", "cellulaire"}
_ADDRESS_WORDS = {"adresse", "address", "rue", "voie", "domicile", "residence adresse",
                  "complement d adresse", "lieu dit", "numero de rue"}
_BIRTH_WORDS = {"date de naissance", "naissance", "ddn", "date naissance", "birth date",
                "date of birth", "ne le", "nee le", "ne e le"}
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\d+])(?:(?:\+|00)33[\s.-]?(?:\(0\))?|0)[1-9](?:[\s.-]?\d{2}){4}"
                    r"(?!\d)")
_NIR = re.compile(r"(?<!\d)[1-478]\s?\d{2}\s?(\d{2})\s?(?:\d{2}|2A|2B)\s?\d{3}\s?\d{3}"
                  r"(?:\s?\d{2})?(?!\d)", re.IGNORECASE)
_TEXT = pd.StringDtype("pyarrow")
WHAT = {
    "name": "people's names",
    "nir": "social security numbers (NIR)",
    "email": "e-mail addresses",
    "phone": "phone numbers",
    "address": "young people's addresses",
    "birth": "dates of birth",
}


@dataclass(frozen=True)
class PersonalColumn:
    """A column holding personal data, and how it was recognised."""

    header: str
    what: str
    by_content: bool
    example_row: int | None = None
    example: str = ""


def find_personal(cells: pd.DataFrame, rows: list[int], *, kind: str,
                  known: set[str]) -> list[PersonalColumn]:
    """Return the personal-data columns of a table.

    ``known`` are headers matched to a contract field by their name (``Nom du site`` for
    sites); their header is not held against them, but their content is still checked.
    """
    found: list[PersonalColumn] = []
    for header in cells.columns:
        by_header = None if header in known else _by_header(str(header), kind=kind)
        if by_header:
            found.append(PersonalColumn(str(header), by_header, by_content=False))
            continue
        hit = _by_content(cells[header], rows)
        if hit:
            what, row, example = hit
            found.append(PersonalColumn(str(header), what, True, row, example))
    return found


def _by_header(header: str, *, kind: str) -> str | None:
    key = normalise(header)
    words = set(key.split())
    contacts = kind == "contacts"
    tests = (
        ("name", key in _NAME_HEADERS or "prenom" in words
         or (key.startswith("nom ") and bool(words & _NAME_OWNERS))),
        ("nir", key in _NIR_HEADERS or "nir" in words or "securite sociale" in key),
        ("email", key in _EMAIL_HEADERS or bool(words & {"email", "courriel"})
         or key.startswith("e mail")),
        ("phone", key in _PHONE_WORDS
         or bool(words & {"telephone", "tel", "portable", "phone", "gsm"})),
        ("birth", contacts and (key in _BIRTH_WORDS or "naissance" in words)),
        ("address", contacts and (key in _ADDRESS_WORDS
                                  or bool(words & {"adresse", "address", "rue"}))),
    )
    return next((what for what, hit in tests if hit), None)


def _by_content(values: pd.Series, rows: list[int]) -> tuple[str, int, str] | None:
    """Return the first value that looks like personal data: (what, row, masked example).

    Every row of the column is read: the patterns run over the whole column at once (over
    each distinct value once, in a column of shared values), never cell by cell in Python.
    An e-mail at row 6,001 of a file is found as surely as one at row 2. Cells that are not
    text (numbers, dates of a spreadsheet) are not read.
    """
    text, codes = _texts(values)
    if not len(text):
        return None
    hits = [text.str.contains(scan, na=False).to_numpy(dtype=bool) for scan in _scans()]
    found = hits[0] | hits[1] | hits[2]
    if codes is not None:  # back from distinct values to the rows that hold them
        found = np.append(found, False)[codes]
    for pos in found.nonzero()[0]:
        hit = _first_match(as_text(values.iloc[int(pos)]))
        if hit:
            return hit[0], rows[int(pos)], _mask(hit[1])
    return None


def _first_match(text: str) -> tuple[str, str] | None:
    """Return what a text holds (e-mail, phone, NIR, in this order) and where it is."""
    if match := _EMAIL.search(text):
        return "email", match.group()
    if match := _PHONE.search(text):
        return "phone", match.group()
    nirs = (_NIR.match(text, start) for start in range(len(text)))
    if match := next((m for m in nirs if m and _is_nir(m)), None):
        return "nir", match.group()
    return None


def _texts(values: pd.Series) -> tuple[pd.Series, np.ndarray | None]:
    """Return the text cells of a column as Arrow strings, any other cell missing.

    A column of Arrow strings is returned as it is. Any other column is returned as its
    distinct values, with the position of each row's value among them (-1: an empty cell).
    """
    if isinstance(values.dtype, pd.StringDtype):
        return values.astype(_TEXT).reset_index(drop=True), None
    codes, distinct = pd.factorize(values.to_numpy(dtype=object))  # empty cells: -1
    if pd.api.types.infer_dtype(distinct, skipna=True) not in ("string", "empty"):
        distinct = np.array([v if isinstance(v, str) else None for v in distinct],
                            dtype=object)
    return pd.Series(pd.array(distinct, dtype=_TEXT)), codes


@functools.cache
def _scans() -> tuple[re.Pattern[str], ...]:
    r"""Return the patterns above as Arrow's regex engine (RE2) runs them over a column.

    On a cell as read, each matches when its pattern above matches the cell's text as
    :func:`as_text` shows it (runs of spaces made one), and the NIR's when the month is
    valid (a month in digits other than 0-9 is checked afterwards, by :func:`_is_nir`).
    RE2 knows no look-around, and reads ``\d``, ``\w`` and ``\s`` as ASCII only: a
    look-behind becomes the character before (or the start), a look-ahead the one after (or
    the end), and the three classes are spelled out, character for character, as Python's
    ``re`` reads them. pandas then runs them in RE2, in C++, whatever the text.
    """
    # Every Unicode code point, in order (1,114,112 characters).
    every = np.arange(sys.maxunicode + 1, dtype="<u4").tobytes().decode("utf-32-le",
                                                                        "surrogatepass")
    d, w, s = (_spelled_out(category, every) for category in (r"\d", r"\w", r"\s"))
    digit, other, sep = f"[{d}]", f"[^{d}]", f"(?:[{s}]+|[.-])"
    # A NIR's month: 01-12, 20-42 or 50-99, or any two digits not both ASCII (checked after).
    far = "[" + _spelled_out(r"(?:(?![0-9])\d)", every) + "]"
    month = (f"(?:0[1-9]|1[0-2]|[23]{digit}|4[0-2]|[5-9]{digit}|{far}{digit}|"
             f"{digit}{far})")
    email = f"[{w}.+\\-]+@[{w}\\-]+(?:\\.[{w}\\-]+)+"
    phone = (f"(?:^|[^{d}+])(?:(?:\\+|00)33{sep}?(?:\\(0\\))?|0)[1-9]"
             f"(?:{sep}?{digit}{{2}}){{4}}(?:{other}|\\Z)")
    gap = f"[{s}]*"
    nir = (f"(?:^|{other})[1-478]{gap}{digit}{{2}}{gap}{month}{gap}(?:{digit}{{2}}|2[AaBb])"
           f"{gap}{digit}{{3}}{gap}{digit}{{3}}(?:{gap}{digit}{{2}})?(?:{other}|\\Z)")
    return re.compile(email), re.compile(phone), re.compile(nir)


def _spelled_out(category: str, every: str) -> str:
    """Return the characters of ``every`` that ``re`` reads as ``category``, as a class."""
    spans = []
    for match in re.finditer(f"{category}+", every):
        first, last = _in_class(match.group()[0]), _in_class(match.group()[-1])
        spans.append(first if first == last else f"{first}-{last}")
    return "".join(spans)


def _in_class(char: str) -> str:
    return "\\" + char if char in "\\]^-[" else char


def _is_nir(match: re.Match[str]) -> bool:
    month = int(match.group(1))  # 20-42 and 50-99: births registered without a month
    return 1 <= month <= 12 or 20 <= month <= 42 or 50 <= month <= 99


def _mask(text: str) -> str:
    """Show the shape of a value without the value itself."""
    if len(text) <= 4:
        return "*" * len(text)
    return text[:2] + re.sub(r"[^\s@.]", "*", text[2:-2]) + text[-2:]


def personal_message(column: PersonalColumn) -> str:
    """Return what is wrong with a personal column, and the two ways out."""
    how = (f"its values look like {WHAT[column.what]} (row {column.example_row}: "
           f"'{column.example}')" if column.by_content
           else f"its header says it holds {WHAT[column.what]}")
    if column.what == "nir":
        fix = ("the workspace never stores them, not even pseudonymised; export the i-Milo "
               "identifier instead, or import with --drop-personal to leave the column out")
    else:
        fix = ("the workspace never stores personal data; remove the column, or import with "
               "--drop-personal to leave it out")
    return f"personal data: {how}; {fix}"


def new_key() -> str:
    """Return a new random pseudonymisation key (hex)."""
    return secrets.token_hex(32)


def pseudonymise(ids: Iterable[object], keys: str | Sequence[str]) -> list[str]:
    """Replace identifiers by their keyed hash: the same id and keys give the same pseudonym.

    With several keys (a workspace whose key was rotated), each applies in turn to the
    pseudonym the one before gave: ``J + HMAC(k2, J + HMAC(k1, id))``.

    Examples
    --------
    >>> a, b = pseudonymise(["123456", " 123456 "], "00" * 32)
    >>> a == b and len(a) == 21 and a.startswith("J")
    True
    >>> pseudonymise(pseudonymise(["123456"], "00" * 32), "11" * 32) == pseudonymise(
    ...     ["123456"], ["00" * 32, "11" * 32])
    True
    """
    chain = [bytes.fromhex(k) for k in ([keys] if isinstance(keys, str) else keys)]
    if not chain:
        raise ValueError("no key to pseudonymise with")
    pseudonyms = []
    for value in ids:
        text = as_text(value)
        for secret in chain:
            text = "J" + hmac.new(secret, text.encode(), hashlib.sha256).hexdigest()[
                :PSEUDONYM_LENGTH]
        pseudonyms.append(text)
    return pseudonyms
