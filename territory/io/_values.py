"""Cell values as people type them: French dates and decimals, synonyms, yes/no.

Each parser returns the clean value or raises :class:`BadValue` whose message says what was
found, what was expected and how to fix it; the caller adds the file, row and column.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

__all__ = [
    "LARGEST_COUNT",
    "BadValue",
    "as_text",
    "is_blank",
    "normalise",
    "parse_bool",
    "parse_choice",
    "parse_count",
    "parse_date",
    "parse_number",
    "parse_share",
    "shown",
]

# Excel stores dates as days since 1899-12-30; 20000-80000 is 1954-2119.
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_EXCEL_SERIALS = (20_000, 80_000)
_MONTHS_FR = {
    "janvier": 1, "janv": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "avril": 4,
    "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8, "septembre": 9,
    "sept": 9, "octobre": 10, "oct": 10, "novembre": 11, "nov": 11, "decembre": 12, "dec": 12,
}
_MONTH_NAMES = ("", "January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")
_ISO = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
                  r"(?:Z|[+-]\d{2}:?\d{2})?)?")
_DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?:[ T]\d{1,2}[:h]\d{2}"
                        r"(?::\d{2})?)?")
_WORDS = re.compile(r"(\d{1,2})(?:er)? ([a-z]+)\.? (\d{4})")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
# More people than live in France: a typing mistake (and beyond what a layer's integers hold).
LARGEST_COUNT = 10**9
# Text already as shown: words apart by single spaces (kept as it is, not copied).
_TIDY = re.compile(r"\S+(?: \S+)*")
_DATE_EXPECTED = "expected a date as dd/mm/yyyy (e.g. 31/03/2021) or yyyy-mm-dd"
_TRUE = {"oui", "o", "yes", "y", "true", "vrai", "1", "x", "ok"}
_FALSE = {"non", "n", "no", "false", "faux", "0", "-"}


class BadValue(ValueError):  # noqa: N818 (a value, not an error condition of the program)
    """A cell that cannot be read; the message says what was found and what was expected."""


def is_blank(value: Any) -> bool:
    """Whether a cell is empty (None, NaN, or only spaces)."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def as_text(value: Any) -> str:
    """Return a cell as the text a person sees (``33063`` rather than ``33063.0``)."""
    if is_blank(value):
        text = ""
    elif isinstance(value, bool):
        text = "oui" if value else "non"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, dt.datetime):
        text = value.strftime("%d/%m/%Y" if value.time() == dt.time(0) else "%d/%m/%Y %H:%M")
    elif isinstance(value, dt.date):
        text = value.strftime("%d/%m/%Y")
    else:
        text = str(value)
        if not _TIDY.fullmatch(text):
            text = " ".join(text.split())
    return text


def shown(value: Any) -> str:
    """Return a cell quoted for a message, shortened when long."""
    text = as_text(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")


def normalise(text: str) -> str:
    """Lower-case, strip accents and punctuation: ``"Type d'action"`` -> ``"type d action"``."""
    text = text.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


def parse_date(value: Any) -> dt.date:
    """Read a date written dd/mm/yyyy, yyyy-mm-dd, '4 mars 2021', or stored by Excel."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _excel_serial(value)
    return _date_from_text(as_text(value))


def _date_from_text(text: str) -> dt.date:
    if not text:
        raise BadValue(f"is empty; {_DATE_EXPECTED}")
    if match := _ISO.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
        return _checked_date(text, year, month, day, iso=True)
    if match := _DAY_FIRST.fullmatch(text):
        day, month, year = (int(g) for g in match.groups())
        year = _full_year(year) if len(match.group(3)) == 2 else year
        return _checked_date(text, year, month, day, iso=False)
    if (match := _WORDS.fullmatch(normalise(text))) and match.group(2) in _MONTHS_FR:
        return _checked_date(text, int(match.group(3)), _MONTHS_FR[match.group(2)],
                             int(match.group(1)), iso=False)
    if _NUMBER.fullmatch(text):
        return _excel_serial(float(text))
    raise BadValue(f"{shown(text)} is not a date; {_DATE_EXPECTED}")


def _excel_serial(number: float) -> dt.date:
    if _EXCEL_SERIALS[0] <= number <= _EXCEL_SERIALS[1]:
        return _EXCEL_EPOCH + dt.timedelta(days=int(number))
    raise BadValue(f"{shown(number)} is a number, not a date; {_DATE_EXPECTED}")


def _full_year(year: int) -> int:
    this_year = dt.date.today().year % 100
    return 2000 + year if year <= this_year else 1900 + year


def _checked_date(text: str, year: int, month: int, day: int, *, iso: bool) -> dt.date:
    shape = "yyyy-mm-dd" if iso else "dd/mm/yyyy, day first"
    if not 1 <= month <= 12:
        hint = ("" if iso or day > 12 or month > 31
                else f"; did you mean {month:02d}/{day:02d}/{year}?")
        raise BadValue(f"{text!r} is not a date: there is no month {month} "
                       f"(expected {shape}){hint}")
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise BadValue(f"{text!r} is not a date: {_MONTH_NAMES[month]} {year} has {last} "
                       f"days; expected {shape}")
    return dt.date(year, month, day)


def parse_number(value: Any, *, what: str = "a number") -> float:
    """Read a number written the French way (``2,5``, ``1 234,5``) or the English way."""
    if isinstance(value, bool):
        raise BadValue(f"{shown(value)} is not {what}")
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:  # an integer of hundreds of digits
            number = math.inf
        if math.isnan(number):
            raise BadValue(f"is empty; expected {what}")
        return _finite(number, value, what)
    text = as_text(value)
    if not text:
        raise BadValue(f"is empty; expected {what}")
    compact = re.sub(r"[\s\u00a0\u202f']", "", text)
    if "," in compact and "." in compact:
        decimal = "," if compact.rfind(",") > compact.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        compact = compact.replace(thousands, "").replace(decimal, ".")
    else:
        compact = compact.replace(",", ".")
    if not _NUMBER.fullmatch(compact):
        raise BadValue(f"{shown(text)} is not a number; expected {what} (e.g. 12 or 2,5)")
    return _finite(float(compact), text, what)


def _finite(number: float, raw: Any, what: str) -> float:
    if math.isinf(number):
        raise BadValue(f"{shown(raw)} is too large to be {what}; expected {what} (e.g. 12 "
                       "or 2,5)")
    return number


def parse_count(value: Any, *, what: str = "a count") -> int:
    """Read a whole number of 0 or more."""
    number = parse_number(value, what=what)
    if number < 0:
        raise BadValue(f"{shown(value)} is negative; expected {what}, 0 or more")
    if not number.is_integer():
        raise BadValue(f"{shown(value)} is not a whole number; expected {what}")
    if number > LARGEST_COUNT:
        largest = f"{LARGEST_COUNT:,}".replace(",", " ")
        raise BadValue(f"{shown(value)} is too large; expected {what}, at most {largest}")
    return int(number)


def parse_share(value: Any) -> float:
    """Read a share between 0 and 1, also written as a percentage (``50 %``)."""
    text = as_text(value)
    percent = text.endswith("%")
    number = parse_number(text.rstrip("% ") if percent else value,
                          what="a share between 0 and 1")
    if percent or number > 1:
        number /= 100
    if not 0 < number <= 1:
        raise BadValue(f"{shown(value)} is not a share; expected a number above 0 and at most "
                       "1 (or a percentage, e.g. 50 %)")
    return number


def parse_bool(value: Any) -> bool:
    """Read oui/non, yes/no, vrai/faux, 1/0, x; an empty cell is *no*."""
    if isinstance(value, bool):
        return value
    key = normalise(as_text(value))
    if not key or key in _FALSE:
        return False
    if key in _TRUE:
        return True
    raise BadValue(f"{shown(value)} is neither yes nor no; expected 'oui' or 'non'")


def parse_choice(
    value: Any,
    synonyms: Mapping[str, str],
    *,
    keywords: tuple[tuple[tuple[str, ...], str], ...] = (),
    what: str,
    labels: Mapping[str, str],
) -> str:
    """Map a label as people write it (``"Bus / permanence mobile"``) to a contract value.

    ``synonyms`` maps normalised labels to values; ``keywords`` are tried next, in order: the
    first whose words all appear in the label wins. ``labels`` are the French labels shown in
    the message when nothing matches.
    """
    key = normalise(as_text(value))
    if not key:
        raise BadValue(f"is empty; expected {what}: {_listed(labels)}")
    if key in synonyms:
        return synonyms[key]
    words = set(key.split())
    for needed, result in keywords:
        if all(any(w == n or w.startswith(n) for w in words) for n in needed):
            return result
    raise BadValue(f"{shown(value)} is not {what}; expected one of {_listed(labels)}")


def _listed(labels: Mapping[str, str]) -> str:
    return ", ".join(f"'{label}'" for label in labels.values())
