"""Scale-out: the indicators of France's 35,000 communes on a Dask cluster.

``territory indicators --engine dask [--scheduler ADDRESS]`` runs the heavy steps as Dask
partitions, on a local cluster sized to the machine or on an existing one: reading, placing
and counting contacts (``dask-geopandas`` partitions of points); access (nearest site and
outreach place, E2SFCA) and the communes' shares of H3 hexagons, on spatial partitions of the
communes (:mod:`territory.scale.access`). It gives the same table as the single-machine
engine, value for value. Contacts may be the workspace's layer or partitioned Parquet files
(``code_insee`` tables or GeoParquet points) that need not fit in memory; only per-commune
counts come back, and :func:`count_periods` gives what a workspace keeps of them (the
``contact_counts`` layer written by ``territory import contacts FILE.parquet``).

Planning (``territory.planning``) stays on one machine at national scale: its sparse coverage
model holds communes × candidate sites within the threshold, not contacts.

Needs the ``scale`` extra: ``pip install 'territory[scale]'``.
"""

from territory.scale.cluster import cluster, compute, machine_workers
from territory.scale.engine import (
    ContactSource,
    as_people,
    commune_contacts,
    count_periods,
    indicators,
)
from territory.scale.parquet import ContactFiles, contact_files

__all__ = [
    "ContactFiles",
    "ContactSource",
    "as_people",
    "cluster",
    "commune_contacts",
    "compute",
    "contact_files",
    "count_periods",
    "indicators",
    "machine_workers",
]
