"""Personal data: columns that must never reach the workspace, and pseudonymous identifiers.

A column is personal when its header names a person's name, social security number (NIR),
e-mail, phone number, a young person's address or birth date, or when its values look like
e-mail addresses, French phone numbers or NIRs (so that a renamed column is caught too).
Contact identifiers are replaced by a keyed hash (HMAC-SHA256) whose key is kept in the
workspace metadata: the same young person gets the same pseudonym at every import into that
workspace, and the raw identifier is never stored.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from territory.io._values import as_text, is_blank, normalise

__all__ = ["PersonalColumn", "find_personal", "new_key", "personal_message", "pseudonymise"]

SAMPLE_ROWS = 5000
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
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\d+])(?:(?:\+|00)33[\s.-]?(?:\(0\))?|0)[1-9](?:[\s.-]?\d{2}){4}"
                    r"(?!\d)")
_NIR = re.compile(r"(?<!\d)([1-478])\s?(\d{2})\s?(\d{2})\s?(\d{2}|2A|2B)\s?(\d{3})\s?"
                  r"(\d{3})(?:\s?(\d{2}))?(?!\d)", re.IGNORECASE)
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
    """Return the first value that looks like personal data: (what, row, masked example)."""
    for pos, raw in enumerate(values.iloc[:SAMPLE_ROWS].tolist()):
        if is_blank(raw) or not isinstance(raw, str):
            continue
        text = as_text(raw)
        if match := _EMAIL.search(text):
            return "email", rows[pos], _mask(match.group(0))
        if match := _PHONE.search(text):
            return "phone", rows[pos], _mask(match.group(0))
        if match := next((m for m in _NIR.finditer(text) if _is_nir(m)), None):
            return "nir", rows[pos], _mask(match.group(0))
    return None


def _is_nir(match: re.Match[str]) -> bool:
    month = int(match.group(3))
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


def pseudonymise(ids: Iterable[str], key: str) -> list[str]:
    """Replace identifiers by their keyed hash: the same id and key give the same pseudonym.

    Examples
    --------
    >>> a, b = pseudonymise(["123456", " 123456 "], "00" * 32)
    >>> a == b and len(a) == 21 and a.startswith("J")
    True
    """
    secret = bytes.fromhex(key)
    return ["J" + hmac.new(secret, as_text(i).encode(), hashlib.sha256).hexdigest()[
        :PSEUDONYM_LENGTH] for i in ids]
