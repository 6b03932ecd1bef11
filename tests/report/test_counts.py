"""Reports of workspaces without contacts: counts kept per period, or nothing reached."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from territory.analysis.params import DEFAULTS
from territory.cli.report import LAYERS
from territory.io.workspace import Workspace
from territory.report import build_report
from territory.report._data import collect

from .conftest import DATE, ML, drawn_text, pdf_pages
from .test_cli import territory


def _layers(path: Path) -> dict[str, object]:
    workspace = Workspace(path)
    return {name: workspace.read(name) for name in LAYERS if name in workspace.layers()}


@pytest.mark.parametrize("ml_code", [None, ML])
def test_counts_give_the_headline_figures_of_the_contacts(
        counts_file: Path, demo_workspace_file: Path, ml_code: str | None) -> None:
    meta = Workspace(counts_file).metadata()
    counted, contacts = (collect(_layers(path), metadata=meta, ml_code=ml_code, period=None,
                                 params=DEFAULTS)
                         for path in (counts_file, demo_workspace_file))
    pd.testing.assert_frame_equal(counted.total, contacts.total, check_exact=True)
    pd.testing.assert_frame_equal(counted.catchments, contacts.catchments, check_exact=True)
    pages = drawn_text(build_report(_layers(counts_file), metadata=meta, ml_code=ml_code,
                                    date=DATE))
    assert any("comptes par période" in page and "pas de courbe" in page for page in pages)
    reached = f"{int(contacts.total.iloc[0]['reached']):,}".replace(",", " ")
    assert any(f"Sur toute la période : {reached} jeunes" in page for page in pages)


def test_no_contact_at_all_still_gives_a_report(workspace: Workspace, tmp_path: Path,
                                                demo_workspace_file: Path) -> None:
    demo = Workspace(demo_workspace_file)
    workspace.write({name: demo.read(name) for name in ("catchments", "catchment_members",
                                                        "sites", "actions")})
    out = tmp_path / "rapport.pdf"
    result = territory("report", "--workspace", workspace.path, "--out", out)
    assert result.returncode == 0, result.stderr
    pages = pdf_pages(out.read_bytes())
    assert "Jeunes atteints" in pages[1]
