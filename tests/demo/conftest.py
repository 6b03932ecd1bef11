"""Fixtures of the demo tests: one demo workspace of the whole region, built once."""

from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from territory.demo import DemoSummary, build_demo, demo_layers
from territory.io.workspace import Workspace

SEED = 2019


@pytest.fixture(scope="session")
def demo_workspace(
    base_workspace_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Workspace, DemoSummary]:
    """A region workspace filled by ``build_demo`` (seed 2019), shared read-only."""
    path = tmp_path_factory.mktemp("demo") / "territoire.gpkg"
    shutil.copyfile(base_workspace_file, path)
    workspace = Workspace(path)
    return workspace, build_demo(workspace, seed=SEED)


@pytest.fixture(scope="session")
def workspace_layers(demo_workspace: tuple[Workspace, DemoSummary]) -> dict[str, pd.DataFrame]:
    """Every layer of the demo workspace, as read back from the file."""
    workspace, _ = demo_workspace
    names = ("communes", "mairies", "catchments", "catchment_members", "sites", "actions",
             "contacts")
    return {name: workspace.read(name) for name in names}


@pytest.fixture(scope="session")
def reference(base_workspace_file: Path) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The reference layers the demo is generated from: communes and town halls."""
    workspace = Workspace(base_workspace_file)
    return workspace.read("communes"), workspace.read("mairies")


@pytest.fixture(scope="session")
def memory_layers(
    reference: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame],
) -> dict[str, pd.DataFrame]:
    """The demo layers of seed 2019 as generated, before any write."""
    return demo_layers(*reference, seed=SEED)


@pytest.fixture(scope="session")
def commune_graph(workspace_layers: dict[str, pd.DataFrame]) -> sparse.csr_array:
    """Neighbours of each commune, written independently of the generator.

    Two communes of the same département are neighbours within 50 m of each other; each
    island group (Ré, Oléron, Aix) is joined to the nearest commune outside it.
    """
    communes = workspace_layers["communes"]
    geometry = communes.geometry.to_numpy()
    dep = communes["dep_code"].to_numpy()
    left, right = communes.sindex.query(geometry, predicate="dwithin", distance=50)
    keep = (left != right) & (dep[left] == dep[right])
    rows, cols = list(left[keep]), list(right[keep])
    n = len(communes)
    graph = sparse.coo_array((np.ones(len(rows)), (rows, cols)), shape=(n, n)).tocsr()
    for code in np.unique(dep):
        nodes = np.flatnonzero(dep == code)
        _, labels = connected_components(graph[nodes][:, nodes], directed=False)
        main = np.argmax(np.bincount(labels))
        for piece in set(labels.tolist()) - {main}:
            inside, outside = nodes[labels == piece], nodes[labels != piece]
            gaps = shapely.distance(geometry[inside][:, None], geometry[outside][None, :])
            i, j = np.unravel_index(np.argmin(gaps), gaps.shape)
            rows += [inside[i], outside[j]]
            cols += [outside[j], inside[i]]
    return sparse.coo_array((np.ones(len(rows)), (rows, cols)), shape=(n, n)).tocsr()
