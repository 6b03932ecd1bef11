"""The director's report: a PDF, PNG pages or one HTML file to hand out to funders.

:func:`build_report` computes the public figures of the region or of one Mission Locale
through :mod:`territory.analysis` (small counts masked) and draws each page with matplotlib
on simplified geometry: no browser, no tiles, the same workspace gives the same document.
:meth:`Report.write` saves it; the suffix chooses the format. :func:`public_communes` gives
the region's commune table masked as every report masks it, for another public output (the
standalone map).
"""

from territory.report._data import public_communes
from territory.report.build import build_report
from territory.report.document import FORMATS, Page, Report, Table

__all__ = ["FORMATS", "Page", "Report", "Table", "build_report", "public_communes"]
