"""Fixtures shared by the tests (the workspaces of the region and the demo: ../conftest.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from territory.analysis import period_key, stage_counts, young_people
from territory.io._schema import empty_layer
from territory.io.workspace import Workspace

COUNTED = (None, ("2020-01", "2020-12"))


@pytest.fixture
def workspace(base_workspace_file: Path, tmp_path: Path) -> Workspace:
    """A private copy of the region workspace that a test may write to."""
    path = tmp_path / "territoire.gpkg"
    shutil.copyfile(base_workspace_file, path)
    return Workspace(path)


@pytest.fixture(scope="session")
def counts_file(demo_workspace_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo workspace keeping counts per period instead of contacts.

    As ``territory import contacts FILE.parquet`` leaves it: young people per commune for the
    whole record and for 2020 (layer ``contact_counts``), and no contact.
    """
    path = tmp_path_factory.mktemp("counts") / "territoire.gpkg"
    shutil.copyfile(demo_workspace_file, path)
    workspace = Workspace(path)
    contacts = workspace.read("contacts")
    counts = pd.concat([
        stage_counts(young_people(contacts, period=period), by="code_insee")
        .reset_index().assign(period=period_key(period)) for period in COUNTED])
    workspace.write({"contact_counts": counts[["code_insee", "period", "repere", "mobilise",
                                               "accompagne"]],
                     "contacts": empty_layer("contacts")})
    return path
