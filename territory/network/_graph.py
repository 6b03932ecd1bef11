"""One mode's road graph, read from an OpenStreetMap extract with pyrosm.

Nodes are projected to Lambert-93 and each edge weighs its travel seconds; only the largest
connected component is kept (strongly connected where ways are one-way), so that every kept
node reaches every other.
"""

from __future__ import annotations

import gc
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Transformer
from scipy.sparse import csr_array
from scipy.sparse.csgraph import connected_components

from territory._crs import LAMBERT93, WGS84
from territory._errors import InputError, Problem
from territory.network._modes import (
    CAR_KMH,
    EXCLUDED,
    PYROSM_TYPE,
    SPEED_KMH,
    car_speeds_kmh,
    directions,
)
from territory.network._optional import optional

__all__ = ["ModeGraph", "read_graph"]

# The tags a mode needs; pyrosm leaves the others out (memory).
TAGS = ["highway", "maxspeed", "oneway", "junction", "oneway:bicycle"]


@dataclass(frozen=True, eq=False)
class ModeGraph:
    """A directed road graph: node positions (Lambert-93 m), edges and their seconds."""

    mode: str
    x: np.ndarray
    y: np.ndarray
    tail: np.ndarray
    head: np.ndarray
    seconds: np.ndarray
    max_kmh: float

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.x)

    def matrix(self, *, reverse: bool = False) -> csr_array:
        """Return the graph as a sparse matrix of seconds (transposed when ``reverse``)."""
        rows, cols = (self.head, self.tail) if reverse else (self.tail, self.head)
        return csr_array((self.seconds, (rows, cols)), shape=(self.n_nodes, self.n_nodes))


def read_ways(osm_path: Path, mode: str) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """Return pyrosm's nodes and segments of ``mode``'s network, or None when it has none."""
    pyrosm = optional("pyrosm")
    try:
        osm = pyrosm.OSM(str(osm_path))
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Could not find any")
            nodes, edges = osm.get_network(network_type=PYROSM_TYPE[mode], nodes=True,
                                           tags_to_keep=TAGS)
    except (pyrosm.exceptions.PBFException, ValueError, OSError) as error:
        raise InputError([Problem(
            f"not a readable OpenStreetMap extract ({error}); give an .osm.pbf file, e.g. "
            "Geofabrik's extract of the region (nouvelle-aquitaine-latest.osm.pbf)",
            file=str(osm_path))]) from None
    del osm
    if edges is None or nodes is None or not len(edges):
        return None
    return pd.DataFrame(nodes[["id", "lon", "lat"]]), pd.DataFrame(edges.drop(columns=[
        c for c in ("geometry", "tags", "timestamp", "version", "visible", "osm_type")
        if c in edges]))


def read_graph(osm_path: Path, mode: str) -> ModeGraph | None:
    """Return ``mode``'s largest connected graph in the extract, or None when it has no way."""
    ways = read_ways(osm_path, mode)
    if ways is None:
        return None
    nodes, edges = ways
    keep = ~edges["highway"].isin(EXCLUDED[mode])
    if mode == "car":
        keep &= edges["highway"].isin(list(CAR_KMH))
    edges = edges[keep & (edges["u"] != edges["v"])]
    if not len(edges):
        return None
    to_l93 = Transformer.from_crs(WGS84, LAMBERT93, always_xy=True)
    x, y = to_l93.transform(nodes["lon"].to_numpy(float), nodes["lat"].to_numpy(float))
    position = pd.Index(nodes["id"].to_numpy())
    u = position.get_indexer(edges["u"].to_numpy())
    v = position.get_indexer(edges["v"].to_numpy())
    found = (u >= 0) & (v >= 0)
    edges, u, v = edges[found], u[found], v[found]
    kmh = (car_speeds_kmh(edges["highway"], edges.get("maxspeed")) if mode == "car"
           else np.full(len(edges), SPEED_KMH[mode]))
    seconds = np.hypot(x[u] - x[v], y[u] - y[v]) / (kmh / 3.6)
    forward, backward = directions(mode, edges)
    edges_s = (np.concatenate([u[forward], v[backward]]),
               np.concatenate([v[forward], u[backward]]),
               np.concatenate([seconds[forward], seconds[backward]]))
    graph = _largest_component(mode, np.asarray(x), np.asarray(y), edges_s,
                               max_kmh=float(np.max(kmh)))
    del nodes, edges
    gc.collect()
    return graph


def _largest_component(mode: str, x: np.ndarray, y: np.ndarray,
                       edges: tuple[np.ndarray, np.ndarray, np.ndarray], *,
                       max_kmh: float) -> ModeGraph:
    tail, head, seconds = edges
    # Two segments between the same nodes: keep the faster (a sparse matrix would add them).
    order = np.lexsort((seconds, head, tail))
    tail, head, seconds = tail[order], head[order], seconds[order]
    first = np.r_[True, (tail[1:] != tail[:-1]) | (head[1:] != head[:-1])]
    tail, head, seconds = tail[first], head[first], seconds[first]
    n = len(x)
    links = csr_array((np.ones(len(tail)), (tail, head)), shape=(n, n))
    _, labels = connected_components(links, directed=True,
                                     connection="weak" if mode == "walk" else "strong")
    used = np.zeros(n, bool)
    used[tail] = used[head] = True
    largest = np.bincount(labels[used]).argmax()
    kept = labels == largest
    new = np.cumsum(kept) - 1
    inside = kept[tail] & kept[head]
    return ModeGraph(mode, x[kept], y[kept], new[tail[inside]], new[head[inside]],
                     seconds[inside], max_kmh)


def no_road(osm_path: Path) -> InputError:
    """Return the error of an extract with no way any mode can use."""
    return InputError([Problem(
        "no road in this OpenStreetMap extract (no way with a highway tag usable on foot, by "
        "bike or by car); give the extract of the region the workspace covers, e.g. "
        "Geofabrik's nouvelle-aquitaine-latest.osm.pbf", file=str(osm_path))])
