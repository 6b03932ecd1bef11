"""The repository stands alone: citations resolve inside it, docs state the code's values.

Code, tests and the README cite ``docs/architecture.md`` and ``docs/methodology.md`` (with a
section name); nothing may cite a document that is not in the repository. The methodology's
table of defaults and its reference vintages are checked against the values in the code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import fields
from pathlib import Path

import pytest

import territory
from territory.analysis import Parameters
from territory.analysis.params import STEP_WEIGHTS
from territory.io.geodata import read_manifest
from territory.io.workspace import YOUTH_SHARE
from territory.report._method import REFERENCE_LABELS, source_rows
from territory.sources import (
    GEOMETRY_EDITION,
    GEOMETRY_VINTAGE,
    MAIRIES_VINTAGE,
    POPULATION_VINTAGE,
    REFERENCE_SOURCES,
)

ROOT = Path(territory.__file__).resolve().parent.parent
DOCS = ROOT / "docs"
THIS = Path(__file__).resolve()
# What is scanned: the package (not the browser files copied into it at build time, nor the
# binary base), the tests, the benchmarks, the base's build script, the docs and the READMEs.
SCANNED_DIRS = ("territory", "tests", "benchmarks", "geodata", "docs")
SCANNED_FILES = ("README.md", "dashboards/README.md")
SKIPPED_DIRS = ("territory/static", "territory/data", "__pycache__", "node_modules",
                "benchmarks/.pyraptor-venv")
TEXT_SUFFIXES = (".py", ".md", ".txt", ".toml", ".cfg", ".js", ".css", ".html", ".json")
# Documents that were never part of the repository, and any path into a folder beside it.
OUTSIDE_NAMES = ("DESIGN", "DOMAIN", "USERS", "STYLE")
OUTSIDE = re.compile(rf"\b(?:{'|'.join(OUTSIDE_NAMES)})\.md\b|(?<![\w.-])(?:\.\./)*shared/")
DOC_CITATION = re.compile(r"\bdocs/([\w-]+\.md)\b")
# A citation with its section: docs/NAME.md, "Section" (possibly across a comment's line).
SECTION_CITATION = re.compile(r'\bdocs/([\w-]+\.md),?(?:\s|#)*"([^"\n]+)"')
# Parameters whose default is a share, written as a percentage in the methodology.
SHARES = ("neet_rate", "invisible_share", "no_car_share", "YOUTH_SHARE")


def _scanned() -> Iterator[Path]:
    for folder in SCANNED_DIRS:
        for path in sorted((ROOT / folder).rglob("*")):
            relative = path.relative_to(ROOT).as_posix()
            if (path.is_file() and path.suffix in TEXT_SUFFIXES and path.resolve() != THIS
                    and not any(relative.startswith(s + "/") or f"/{s}/" in relative
                                for s in SKIPPED_DIRS)):
                yield path
    for name in SCANNED_FILES:
        if (ROOT / name).is_file():
            yield ROOT / name


def _headings(doc: str) -> set[str]:
    return {m[1].strip() for m in re.finditer(r"^#+\s+(.+)$", (DOCS / doc).read_text(), re.M)}


def _section(doc: str, title: str) -> str:
    text = (DOCS / doc).read_text()
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"docs/{doc} has no section {title!r}"
    return match[1]


def test_the_scan_sees_the_code() -> None:
    scanned = {p.relative_to(ROOT).as_posix() for p in _scanned()}
    assert {"territory/analysis/params.py", "tests/test_architecture.py", "README.md",
            "docs/methodology.md"} <= scanned
    assert not any(p.startswith(("territory/static/", "territory/data/")) for p in scanned)


def test_the_patterns_catch_outside_citations() -> None:
    for text in (f"({OUTSIDE_NAMES[0]}.md)", f"see {OUTSIDE_NAMES[1]}.md, x",
                 "``" + "shared/" + "X.md``", "../" + "shared/notes", "/opt/" + "shared/X"):
        assert OUTSIDE.search(text), text
    for text in ("docs/methodology.md", "shared between two MLs", "a shared_key/x"):
        assert not OUTSIDE.search(text), text
    cited = SECTION_CITATION.search('x (docs/methodology.md,\n# "IN Système").')
    assert cited is not None and cited.groups() == ("methodology.md", "IN Système")


def test_nothing_cites_a_document_outside_the_repository() -> None:
    offenders = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
                 for path in _scanned()
                 for number, line in enumerate(path.read_text().splitlines(), start=1)
                 if OUTSIDE.search(line)]
    assert not offenders, offenders


def test_every_cited_doc_exists_with_its_section() -> None:
    missing = []
    for path in _scanned():
        text = path.read_text()
        where = path.relative_to(ROOT)
        missing += [f"{where}: docs/{name}" for name in DOC_CITATION.findall(text)
                    if not (DOCS / name).is_file()]
        missing += [f"{where}: docs/{name}, {section!r}"
                    for name, section in SECTION_CITATION.findall(text)
                    if (DOCS / name).is_file() and section not in _headings(name)]
    assert not missing, missing


def _shown(name: str, value: object) -> str:
    """The value as the methodology writes it, as a regular expression."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return re.escape(value)
    if isinstance(value, Mapping) or value is None:
        assert not value, f"{name}: a non-empty default needs its own way of being shown"
        return "none"
    if isinstance(value, tuple):
        return re.escape(", ".join(f"{v:g}" for v in value))
    assert isinstance(value, int | float), name
    if name in SHARES:
        return re.escape(f"{value * 100:g}") + r"\s?%"
    return re.escape(f"{value:g}")


def _defaults_table() -> dict[str, str]:
    rows = {}
    for line in _section("methodology.md", "Defaults").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        name = re.match(r"`(\w+)`", cells[0]) if len(cells) >= 3 else None
        if name:
            rows[name[1]] = cells[1]
    return rows


def _code_defaults() -> dict[str, object]:
    defaults = Parameters()
    values = {f.name: getattr(defaults, f.name) for f in fields(Parameters)}
    values |= {"STEP_WEIGHTS": STEP_WEIGHTS, "YOUTH_SHARE": YOUTH_SHARE}
    return values


@pytest.mark.parametrize(("name", "value"), sorted(_code_defaults().items()))
def test_methodology_states_every_default_with_its_value(name: str, value: object) -> None:
    table = _defaults_table()
    assert name in table, f"docs/methodology.md, 'Defaults', has no row for `{name}`"
    # The cell starts with the value (then its unit or a remark).
    pattern = rf"`?{_shown(name, value)}`?(?![\w.]|,\s*\d)"
    assert re.match(pattern, table[name]), f"`{name}`: {table[name]!r} does not say {value!r}"


def test_methodology_states_the_reference_vintages() -> None:
    text = _section("methodology.md", "Reference data")
    for vintage in (GEOMETRY_VINTAGE, GEOMETRY_EDITION, POPULATION_VINTAGE, MAIRIES_VINTAGE):
        assert str(vintage) in text, vintage


def test_every_reference_source_has_a_vintage() -> None:
    # The methodology page of maps and reports prints these; none may be left unstated.
    rows = source_rows({}, "INSEE RP 2017")
    for (what, _, vintage), key in zip(rows, REFERENCE_LABELS, strict=False):
        assert vintage == REFERENCE_SOURCES[key]["vintage"], what
    assert read_manifest()["sources"] == REFERENCE_SOURCES
