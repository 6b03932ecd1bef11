"""The report as files: PDF, one PNG per page, one self-contained HTML; always the same."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from matplotlib.figure import Figure
from PIL import Image

from territory import InputError
from territory.report import FORMATS, Page, Report, build_report

from .conftest import DATE, SMALL_ML, pdf_pages

pytestmark = pytest.mark.slow


def tiny_report() -> Report:
    """Two pages with one word each: the writers' behaviour without the cost of real pages."""
    pages = []
    for word in ("un", "deux"):
        figure = Figure(figsize=(297 / 25.4, 210 / 25.4))
        figure.text(0.5, 0.5, word)
        pages.append(Page(word, figure))
    return Report(title="Essai", territory="Essai", period="2020", date=dt.date(2026, 1, 1),
                  demo=True, pages=pages)


def test_two_builds_give_the_same_document(small_report, layers, metadata) -> None:
    again = build_report(layers, metadata=metadata, ml_code=SMALL_ML, date=DATE)
    first, second = small_report.to_bytes(".pdf"), again.to_bytes(".pdf")
    assert pdf_pages(first) == pdf_pages(second)
    assert first == second
    assert small_report.png_pages() == again.png_pages()


def test_pdf_keeps_the_maps_as_vectors(ml_pdf_bytes) -> None:
    assert ml_pdf_bytes.startswith(b"%PDF")
    assert b"/Subtype /Image" not in ml_pdf_bytes
    assert b"CreationDate" not in ml_pdf_bytes


def test_png_writes_one_image_per_page(tmp_path: Path) -> None:
    paths = tiny_report().write(tmp_path / "rapport.png")
    assert [p.name for p in paths] == ["rapport-1.png", "rapport-2.png"]
    with Image.open(paths[0]) as image:
        assert image.size == (1753, 1240)  # A4 at 150 dpi


def test_html_is_self_contained(small_report, tmp_path: Path) -> None:
    [path] = small_report.write(tmp_path / "rapport.html")
    html = path.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert html.count('src="data:image/png;base64,') == len(small_report.pages)
    assert html.count("<section") == len(small_report.pages)
    sections = html.split("<section")[1:]
    assert all("données fictives" in section for section in sections)
    assert "<table>" in html and "Méthodologie et sources" in html


def test_unknown_suffix_names_the_formats(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"\.docx.*\.pdf, \.png, \.html"):
        tiny_report().write(tmp_path / "rapport.docx")
    assert FORMATS == (".pdf", ".png", ".html")
    assert not list(tmp_path.iterdir())
