"""Fixtures of the report tests: one demo workspace, its layers, reports built once."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

import pandas as pd
import pypdf
import pytest

from territory.cli.report import LAYERS
from territory.demo import build_demo
from territory.io.workspace import Workspace
from territory.report import Report, build_report

DATE = dt.date(2026, 11, 28)
ML = "ML28"  # a whole département: masked months in its series, shared communes nearby
SMALL_ML = "ML36"  # so few contacts that its own monthly curve cannot be published


def normalise(text: str) -> str:
    """Text as a reader sees it: no-break and narrow no-break spaces as plain spaces."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def pdf_pages(data: bytes) -> list[str]:
    """The text of each page of a PDF, normalised."""
    return [normalise(page.extract_text()) for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def drawn_text(report: Report) -> list[str]:
    """The text drawn on each page, read from the figures (no file written), normalised."""
    return ["\n".join(normalise(t.get_text()) for t in [*page.figure.texts,
                                                        *(t for ax in page.figure.axes
                                                          for t in ax.texts)])
            for page in report.pages]


@pytest.fixture(scope="session")
def report_workspace(base_workspace_file: Path, tmp_path_factory: pytest.TempPathFactory
                     ) -> Path:
    """A demo workspace of the region (seed 2019), shared read-only."""
    path = tmp_path_factory.mktemp("report") / "territoire.gpkg"
    shutil.copyfile(base_workspace_file, path)
    build_demo(Workspace(path), seed=2019)
    return path


@pytest.fixture(scope="session")
def layers(report_workspace: Path) -> dict[str, pd.DataFrame]:
    workspace = Workspace(report_workspace)
    return {name: workspace.read(name) for name in LAYERS if name in workspace.layers()}


@pytest.fixture(scope="session")
def metadata(report_workspace: Path) -> dict:
    return Workspace(report_workspace).metadata()


@pytest.fixture(scope="session")
def region_report(layers, metadata) -> Report:
    return build_report(layers, metadata=metadata, date=DATE)


@pytest.fixture(scope="session")
def region_pdf(region_report: Report) -> list[str]:
    return pdf_pages(region_report.to_bytes(".pdf"))


@pytest.fixture(scope="session")
def ml_report(layers, metadata) -> Report:
    return build_report(layers, metadata=metadata, ml_code=ML, date=DATE)


@pytest.fixture(scope="session")
def ml_pdf_bytes(ml_report: Report) -> bytes:
    return ml_report.to_bytes(".pdf")


@pytest.fixture(scope="session")
def ml_pdf(ml_pdf_bytes: bytes) -> list[str]:
    return pdf_pages(ml_pdf_bytes)


@pytest.fixture(scope="session")
def small_report(layers, metadata) -> Report:
    return build_report(layers, metadata=metadata, ml_code=SMALL_ML, date=DATE)
