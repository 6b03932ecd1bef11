"""Writers: PDF (vector), PNG pages, and one self-contained HTML file.

Every writer gives the same bytes for the same report: no creation date in the PDF, no
software stamp in the PNG, images inlined in the HTML.
"""

from __future__ import annotations

import base64
import io
from typing import TYPE_CHECKING

from matplotlib.backends.backend_pdf import PdfPages

from territory.report._style import style
from territory.viz.labels import DEMO_LABEL, html_text

if TYPE_CHECKING:
    from territory.report.document import Report, Table

PNG_DPI = 150
HTML_DPI = 110
_PDF_METADATA = {"CreationDate": None, "Creator": "territory", "Producer": None}


def pdf(report: Report) -> bytes:
    """Return the report as a PDF (maps stay vectors)."""
    buffer = io.BytesIO()
    metadata = {**_PDF_METADATA, "Title": report.title, "Subject": report.territory}
    with style(), PdfPages(buffer, metadata=metadata) as document:
        for page in report.pages:
            document.savefig(page.figure)
    return buffer.getvalue()


def _png(report: Report, dpi: int) -> list[bytes]:
    images = []
    with style():
        for page in report.pages:
            buffer = io.BytesIO()
            page.figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
            images.append(buffer.getvalue())
    return images


def png_pages(report: Report) -> list[bytes]:
    """Return one PNG image per page (A4 at 150 dpi: 1753 × 1240 pixels)."""
    return _png(report, PNG_DPI)


_CSS = """
body { font-family: 'DejaVu Sans', Verdana, sans-serif; color: #1f2a36; background: #eef1f4;
       margin: 0; }
header, main { max-width: 1200px; margin: 0 auto; padding: 0 16px; }
header h1 { font-size: 1.6em; margin: 24px 0 4px; }
header p { color: #5f6b78; margin: 4px 0; }
.demo { color: #c0392b; border: 2px solid #c0392b; display: inline-block; padding: 2px 8px;
        font-weight: bold; background: white; }
section { background: white; margin: 20px 0; padding: 12px 16px; border: 1px solid #c9d1d9; }
section h2 { font-size: 1.2em; margin: 4px 0 10px; }
img { width: 100%; height: auto; display: block; }
details { margin-top: 10px; }
table { border-collapse: collapse; font-size: 0.85em; margin: 8px 0; }
caption { text-align: left; font-weight: bold; padding: 4px 0; }
th, td { border-bottom: 1px solid #c9d1d9; padding: 3px 8px; vertical-align: top; }
th { background: #d6e6f2; text-align: left; }
td.n { text-align: right; white-space: nowrap; }
p.note { color: #5f6b78; font-size: 0.85em; }
"""


def _html_table(table: Table) -> str:
    head = "".join(f"<th>{html_text(c)}</th>" for c in table.columns)
    body = "".join(
        "<tr>" + "".join(f'<td class="n">{html_text(cell)}</td>' if numeric
                         else f"<td>{html_text(cell)}</td>"
                         for cell, numeric in zip(row, table.numeric, strict=True)) + "</tr>"
        for row in table.rows)
    note = f'<p class="note">{html_text(table.note)}</p>' if table.note else ""
    return (f"<table><caption>{html_text(table.title)}</caption><thead><tr>{head}</tr>"
            f"</thead><tbody>{body}</tbody></table>{note}")


def html(report: Report) -> str:
    """Return the report as one HTML page: each page as an inline image, tables as text."""
    demo = f'<p><span class="demo">{html_text(DEMO_LABEL.upper())}</span></p>' if report.demo \
        else ""
    sections = []
    for number, (page, image) in enumerate(zip(report.pages, _png(report, HTML_DPI),
                                               strict=True), start=1):
        data = base64.b64encode(image).decode("ascii")
        texts = "".join(f"<p>{html_text(t)}</p>" for t in page.text)
        tables = "".join(_html_table(t) for t in page.tables)
        details = (f"<details><summary>Contenu de la page en texte</summary>{texts}{tables}"
                   "</details>") if texts or tables else ""
        mark = f' <span class="demo">{html_text(DEMO_LABEL)}</span>' if report.demo else ""
        sections.append(
            f'<section id="page-{number}"><h2>{number}. {html_text(page.title)}{mark}</h2>'
            f'<img alt="{html_text(page.title)}" src="data:image/png;base64,{data}">'
            f"{details}</section>")
    return (
        '<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html_text(report.title)}</title><style>{_CSS}</style></head><body>"
        f"<header><h1>{html_text(report.title)}</h1>"
        f"<p>{html_text(report.territory)} — {html_text(report.period)}</p>{demo}</header>"
        f"<main>{''.join(sections)}</main></body></html>\n")
