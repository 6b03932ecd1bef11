"""The Dask engine: contacts counted per commune on a cluster, then the indicators.

The heavy step of a national run is the contacts: tens of millions of rows, possibly points
to place in communes first. :func:`commune_contacts` does it on a Dask cluster, partition by
partition (:mod:`territory.scale.partitions`): each row group of points (a ``dask-geopandas``
partition, optionally shuffled along a Hilbert curve first) is assigned to the communes its
bounding box meets with the single-machine engine's :func:`~territory.analysis.locate`; each
young person is then counted once, in the commune of their latest contact, through a shuffle
on ``contact_id``. What comes back is one row per
commune, exact integer counts.

:func:`indicators` hands those counts to :func:`territory.analysis.indicators`, which does the
commune-level work (demand, access to sites and outreach places with E2SFCA, aggregation to
the level, score, secrecy) on one machine: it is linear in the number of communes (about
35,000 for France) and takes seconds, and done in one place it gives the same floating-point
sums as the single-machine engine, so both engines give the same table, value for value.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import dask
import dask.dataframe as dd
import dask_geopandas  # noqa: F401  (registers GeoDataFrame partitions with dask)
import geopandas as gpd
import numpy as np
import pandas as pd
from distributed import Client

from territory._crs import LAMBERT93
from territory._errors import InputError
from territory.analysis import FUNNEL, Parameters, check_layers, period_key
from territory.analysis import indicators as local_indicators
from territory.analysis.params import DEFAULTS
from territory.analysis.period import PeriodLike, as_period
from territory.analysis.travel import Routed
from territory.analysis.zones import parse_level
from territory.scale.access import access_graph, commune_partitions, hexagons_graph
from territory.scale.cluster import cluster, compute
from territory.scale.parquet import ContactFiles, contact_files, empty_piece, read_piece
from territory.scale.partitions import (
    COUNT_COLUMNS,
    assign_communes,
    combine,
    commune_counts,
    empty_counts,
    empty_people,
    hilbert_key,
    in_period,
    order_rows,
    overlap_zones,
    with_order,
)

__all__ = ["ContactSource", "as_people", "commune_contacts", "count_periods", "indicators"]

ContactSource = pd.DataFrame | ContactFiles | str | Path
# Rows per partition of an in-memory contacts layer.
ROWS_PER_PARTITION = 1_000_000
# Communes per partition at least (France: about 35,000 communes, so 7 partitions or more).
COMMUNES_PER_PARTITION = 5_000
_NO_SITES = gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=LAMBERT93))
HILBERT_LEVEL = 16
# The date given to the young people handed to the analysis when the period is open.
_ANY_DATE = pd.Timestamp("2000-01-01")


def _hilbert_divisions(communes: gpd.GeoDataFrame, parts: int) -> list[int]:
    """Hilbert distances splitting the communes' youth (or population) into equal parts.

    Contacts follow where young people live, so the partitions get similar numbers of points
    without a pass over the data to measure them.
    """
    weight_column = "youth" if "youth" in communes else "population"
    weight = (pd.to_numeric(communes[weight_column]).fillna(0).to_numpy(dtype=float)
              if weight_column in communes else np.ones(len(communes)))
    distance = communes.geometry.hilbert_distance(total_bounds=communes.total_bounds,
                                                  level=HILBERT_LEVEL).to_numpy()
    order = np.argsort(distance, kind="stable")
    share = np.cumsum(weight[order]) / max(weight.sum(), 1.0)
    cuts = distance[order][np.searchsorted(share, np.arange(1, parts) / parts)
                           .clip(0, len(order) - 1)]
    last = 2 ** (2 * HILBERT_LEVEL)
    return sorted({0, *(int(c) for c in cuts if 0 < c < last), last})


def _points_to_rows(points: dd.DataFrame, communes: gpd.GeoDataFrame, files: ContactFiles, *,
                    period: PeriodLike, spatial: bool) -> dd.DataFrame:
    if period:
        points = points.map_partitions(in_period, period=period, meta=empty_piece(files))
    if spatial and points.npartitions > 1:
        key = points.map_partitions(hilbert_key, total_bounds=communes.total_bounds,
                                    level=HILBERT_LEVEL, meta=("_hilbert", "int64"))
        points = points.assign(_hilbert=key).set_index(
            "_hilbert", divisions=_hilbert_divisions(communes, points.npartitions),
            sorted=False)
    # In the graph, not scattered: a worker that dies loses scattered data for good, while
    # graph data is sent again to whichever worker reruns the task.
    polygons = dask.delayed(communes[["code_insee", communes.geometry.name]], pure=True)
    overlaps = dask.delayed(overlap_zones(communes), pure=True)
    placed = assign_communes(empty_piece(files), communes.iloc[:0])
    located = points.map_partitions(assign_communes, polygons, overlaps, meta=placed)
    return located.map_partitions(order_rows, period=period, sources=files.files,
                                  meta=order_rows(placed, sources=files.files))


def _rows(contacts: ContactSource, communes: gpd.GeoDataFrame, *, period: PeriodLike,
          spatial: bool, npartitions: int | None) -> dd.DataFrame:
    """Return the contacts of ``period`` as a Dask frame of :func:`order_rows` rows."""
    if isinstance(contacts, pd.DataFrame):
        check_layers({"contacts": contacts}, {"contacts": (False, ("contact_id", "date",
                                                                  "code_insee"))})
        columns = [c for c in ("contact_id", "date", "code_insee", "stage") if c in contacts]
        frame = with_order(pd.DataFrame(contacts[columns]).reset_index(drop=True), part=0)
        parts = npartitions or max(1, -(-len(frame) // ROWS_PER_PARTITION))
        ddf = dd.from_pandas(frame, npartitions=parts, sort=False)
        return ddf.map_partitions(order_rows, period=period, meta=order_rows(frame.iloc[:0]))
    files = contacts if isinstance(contacts, ContactFiles) else contact_files(contacts)
    pieces = dd.from_map(read_piece, files.pieces, files=files, meta=empty_piece(files),
                         enforce_metadata=False, label="read-contacts")
    if files.points:
        return _points_to_rows(pieces, communes, files, period=period, spatial=spatial)
    return pieces.map_partitions(order_rows, period=period, sources=files.files,
                                 meta=order_rows(empty_piece(files), sources=files.files))


def _final_counts(people: pd.DataFrame) -> pd.DataFrame:
    return commune_counts(combine(people))


def commune_contacts(
    contacts: ContactSource,
    communes: gpd.GeoDataFrame,
    *,
    client: Client,
    period: PeriodLike = None,
    spatial: bool = False,
    npartitions: int | None = None,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Return the young people reached per commune, computed on a Dask cluster.

    Parameters
    ----------
    contacts
        The workspace's contacts layer (``code_insee``), or Parquet files
        (:func:`~territory.scale.parquet.contact_files`): ``code_insee`` tables or GeoParquet
        points.
    communes
        Commune polygons with ``code_insee``, in EPSG:2154 (points are placed in them).
    client
        The Dask client (:func:`~territory.scale.cluster.cluster`).
    period
        ``(start, end)``, both included; None for the whole record.
    spatial
        Shuffle the points along a Hilbert curve (partition boundaries balanced by the
        communes' youth) before placing them in communes, so that each partition meets few
        communes. Off by default: every partition is already tested only against the
        communes its bounding box meets, and on the national benchmark the shuffle of every
        point cost more than it saved (10^7 points on two workers: 230–310 s with it, 204 s
        without, and a third more memory).
    npartitions
        Partitions of an in-memory layer (default: one per million rows).
    progress
        Show Dask's progress bar; None shows it on a terminal.

    Returns
    -------
    counts
        Indexed by ``code_insee`` (sorted; codes of communes not in ``communes`` included),
        ``repere`` (every young person reached: ``reached``), ``mobilise``, ``accompagne``.
    """
    check_layers({"communes": communes}, {"communes": (True, ("code_insee",))})
    as_period(period)
    total = _contacts_graph(contacts, communes, period=period, spatial=spatial,
                            npartitions=npartitions)
    return _counts_table(compute(client, total, progress=progress))


def count_periods(
    contacts: ContactSource,
    communes: gpd.GeoDataFrame,
    *,
    client: Client,
    periods: Sequence[PeriodLike] = (None,),
    spatial: bool = False,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Return the ``contact_counts`` layer: young people reached per commune and period.

    What a workspace keeps of contacts too many to hold (:func:`commune_contacts` for each
    period, run side by side): one row per commune and period with at least one young
    person, no identifier. :func:`territory.analysis.indicators` reads it when the workspace
    has no ``contacts`` layer, for the periods counted.

    Parameters
    ----------
    periods
        The periods to count, each ``(start, end)`` (both included) or None for the whole
        record (the default: only the whole record).

    Returns
    -------
    counts
        ``code_insee``, ``period`` (:func:`territory.analysis.period_key`), ``repere``,
        ``mobilise``, ``accompagne``.
    """
    check_layers({"communes": communes}, {"communes": (True, ("code_insee",))})
    keys = [period_key(period) for period in periods]
    if len(set(keys)) < len(keys):
        raise InputError(f"periods {keys}: a period is given twice; expected each once")
    graphs = [_contacts_graph(contacts, communes, period=period, spatial=spatial,
                              npartitions=None) for period in periods]
    frames = []
    for key, table in zip(keys, compute(client, graphs, progress=progress), strict=True):
        counts = _counts_table(table)
        counts = counts[counts["repere"] > 0].reset_index()
        frames.append(counts.assign(period=key)[["code_insee", "period", *COUNT_COLUMNS]])
    return pd.concat(frames, ignore_index=True)


def _contacts_graph(contacts: ContactSource, communes: gpd.GeoDataFrame, *,
                    period: PeriodLike, spatial: bool, npartitions: int | None) -> dd.DataFrame:
    rows = _rows(contacts, communes, period=period, spatial=spatial, npartitions=npartitions)
    people = rows.map_partitions(combine, meta=empty_people())
    if people.npartitions > 1:
        people = people.shuffle("contact_id")
    counts = people.map_partitions(_final_counts, meta=empty_counts())
    return counts.groupby("code_insee").sum(split_every=8)


def _counts_table(table: pd.DataFrame) -> pd.DataFrame:
    table = pd.DataFrame(table).reindex(columns=list(COUNT_COLUMNS)).astype("int64")
    table.index = pd.Index(table.index.to_numpy(dtype=object), name="code_insee")
    return table.sort_index()


def as_people(counts: pd.DataFrame, *, period: PeriodLike = None) -> pd.DataFrame:
    """Return one contacts row per young person counted in ``counts``, dated in ``period``.

    This is the form in which :func:`territory.analysis.indicators` takes contacts: it counts
    these rows back to ``counts`` exactly. Its size is the number of young people, not of
    contacts.

    Examples
    --------
    >>> counts = pd.DataFrame({"repere": [3], "mobilise": [1], "accompagne": [0]},
    ...                       index=pd.Index(["33063"], name="code_insee"))
    >>> as_people(counts)["stage"].tolist()
    ['mobilise', 'repere', 'repere']
    """
    reached, mobilised, supported = (counts[c].to_numpy(dtype=np.int64) for c in COUNT_COLUMNS)
    blocks = np.stack([supported, mobilised - supported, reached - mobilised], axis=1).ravel()
    levels = np.tile(np.array(list(FUNNEL)[::-1], dtype=object), len(counts))
    span = as_period(period)
    date = span.start if span.start is not None else (
        span.stop - pd.Timedelta(days=1) if span.stop is not None else _ANY_DATE)
    total = int(reached.sum())
    return pd.DataFrame({
        "contact_id": np.arange(total, dtype=np.int64),
        "date": pd.Series(np.full(total, date), dtype="datetime64[ns]"),
        "code_insee": np.repeat(counts.index.to_numpy(dtype=object), reached),
        "stage": np.repeat(levels, blocks),
    })


@contextlib.contextmanager
def _client(client: Client | None, scheduler: str | None) -> Iterator[Client]:
    if client is not None:
        yield client
        return
    with cluster(scheduler) as started:
        yield started


def _partition_count(client: Client, communes: gpd.GeoDataFrame,
                     npartitions: int | None) -> int:
    if npartitions is not None:
        return npartitions
    workers = len(client.scheduler_info().get("workers", {})) or 1
    return max(2 * workers, -(-len(communes) // COMMUNES_PER_PARTITION))


def indicators(
    layers: Mapping[str, pd.DataFrame],
    *,
    level: str = "commune",
    period: PeriodLike = None,
    threshold_min: float | None = None,
    params: Parameters = DEFAULTS,
    public: bool = False,
    contacts: ContactSource | None = None,
    client: Client | None = None,
    scheduler: str | None = None,
    spatial: bool = False,
    progress: bool | None = None,
    npartitions: int | None = None,
) -> gpd.GeoDataFrame:
    """Return :func:`territory.analysis.indicators`'s table, its heavy steps run on Dask.

    Three steps run on the cluster, in one computation: the contacts counted per commune
    (:func:`commune_contacts`); access per commune (nearest site and outreach place,
    E2SFCA; :func:`~territory.scale.access.access_graph`) on spatial partitions of the
    communes; and for an ``h3`` level, the communes' shares of area in each hexagon
    (:func:`~territory.scale.access.hexagons_graph`). Demand, aggregation to the level, the
    score and secrecy then run on one machine: they are a few vectorised operations per zone.

    Parameters
    ----------
    layers
        Workspace layers by name, as for :func:`territory.analysis.indicators`.
    level, period, threshold_min, params, public
        As for :func:`territory.analysis.indicators`.
    contacts
        Where the contacts are: Parquet files or a folder of them
        (:func:`~territory.scale.parquet.contact_files`); None takes ``layers["contacts"]``.
    client
        A Dask client to use; None connects to ``scheduler``, or starts a local cluster
        sized to the machine for the call and stops it afterwards.
    scheduler
        Address of an existing Dask scheduler (``tcp://host:8786``).
    spatial, progress
        As for :func:`commune_contacts`.
    npartitions
        Partitions of the communes, and of an in-memory contacts layer (default: two per
        worker, and at least one per 5,000 communes; one per million contacts).

    Returns
    -------
    indicators
        The same table as the single-machine engine: same rows, same values, same ``attrs``.
    """
    if threshold_min is not None:
        params = params.replace(threshold_min=threshold_min)
    if "communes" not in layers:
        raise InputError("layers: no `communes` layer; expected at least the communes")
    check_layers(layers, {"communes": (True, ("code_insee", "youth"))})
    kind, resolution = parse_level(level)
    as_period(period)
    communes = layers["communes"]
    source = layers.get("contacts") if contacts is None else contacts
    if isinstance(source, str | Path):
        source = contact_files(source)
    if isinstance(source, pd.DataFrame) and source.empty:
        source = None
    with _client(client, scheduler) as running:
        parts = commune_partitions(communes, _partition_count(running, communes, npartitions))
        graphs: dict[str, Any] = {}
        # Routed minutes are lookups in the stored table: the local access() below makes
        # them, so that both engines give the same figures.
        if Routed.of(layers) is None:
            graphs["access"] = access_graph(
                communes, parts, layers.get("sites", _NO_SITES), actions=layers.get("actions"),
                mairies=layers.get("mairies"), period=period, params=params)
        if kind == "h3":
            graphs["hexagons"] = hexagons_graph(communes, parts, resolution or 7)
        if source is not None:
            graphs["contacts"] = _contacts_graph(source, communes, period=period,
                                                 spatial=spatial, npartitions=npartitions)
        done = dict(zip(graphs, compute(running, list(graphs.values()), progress=progress),
                        strict=True)) if graphs else {}
    with_people = dict(layers)
    with_people.pop("contacts", None)
    if "contacts" in done:
        with_people["contacts"] = as_people(_counts_table(done["contacts"]), period=period)
    return local_indicators(with_people, level=level, period=period, params=params,
                            public=public, access_table=done.get("access"),
                            hexagons=done.get("hexagons"))
