"""Fixtures shared by the tests (the workspaces of the region and the demo: ../conftest.py)."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
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


# -- public tables: no sum gives a small count back -----------------------------------------
_COUNTS = ("reached", "repere", "mobilise", "accompagne")


def _lone_masked(tables: Mapping[str, pd.DataFrame], communes: pd.DataFrame,
                members: pd.DataFrame | None = None) -> list[tuple[str, str, str]]:
    """Return the sums (level, zone, column) whose masked cells, total included, number one.

    A sum with one masked cell gives it back: the total less the published parts.
    """
    public = tables["commune"].set_index("zone_id")
    groups = {
        "epci": communes.set_index("code_insee")["epci_code"],
        "departement": communes.set_index("code_insee")["dep_code"],
        "region": pd.Series("", index=communes["code_insee"]),
    }
    found = []
    for level, key in groups.items():
        if level not in tables:
            continue
        totals = tables[level].set_index("zone_id")
        for column in _COUNTS:
            masked = public[column].isna().groupby(key.reindex(public.index)).sum()
            for zone, count in masked.items():
                total = totals[column].get(zone, 0.0)
                if count + int(pd.isna(total)) == 1:
                    found.append((level, str(zone), column))
    if members is not None and "catchment" in tables:
        totals = tables["catchment"].set_index("zone_id")
        for column in _COUNTS:
            flags = public[column].isna().reindex(members["code_insee"]).to_numpy()
            masked = pd.Series(flags, index=members.index).groupby(members["ml_code"]).sum()
            for zone, count in masked.items():
                if count + int(pd.isna(totals[column].get(zone, 0.0))) == 1:
                    found.append(("catchment", str(zone), column))
    return found


@pytest.fixture
def lone_masked():
    """The sums (level, zone, column) of public tables whose masked cells number one."""
    return _lone_masked
