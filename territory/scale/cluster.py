"""The Dask cluster a run uses: an existing one, or a local one sized to the machine.

Without a scheduler address, :func:`cluster` starts a ``distributed.LocalCluster`` of one
single-threaded worker process per CPU the process may use, each allowed an equal share of the
machine's memory, and stops it when the ``with`` block ends. With an address
(``tcp://host:8786``), it connects a ``Client`` to that scheduler and leaves its cluster
running afterwards.

A worker process that dies is replaced by its nanny and its tasks are run again elsewhere
(``distributed.scheduler.allowed-failures``, 3 by default); a task that kills workers more
often than that ends the run with :class:`~territory._errors.TerritoryError`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import warnings
from collections.abc import Iterator
from typing import Any

from distributed import Client, KilledWorker, LocalCluster
from distributed.diagnostics.progressbar import progress as dask_progress

from territory._errors import InputError, TerritoryError

__all__ = ["cluster", "compute", "machine_workers"]

CONNECT_TIMEOUT_S = 10


def machine_workers() -> int:
    """Return the number of CPUs this process may use (one worker each)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


@contextlib.contextmanager
def cluster(scheduler: str | None = None, *, n_workers: int | None = None,
            threads_per_worker: int = 1, memory_limit: str | int = "auto",
            processes: bool = True) -> Iterator[Client]:
    """Yield a Dask client: to ``scheduler``, or to a local cluster started for the block.

    Parameters
    ----------
    scheduler
        Address of an existing Dask scheduler (``tcp://10.0.0.5:8786``); None starts a local
        cluster and stops it afterwards.
    n_workers
        Local worker processes (default: one per CPU this process may use).
    threads_per_worker
        Threads of each local worker (default 1: the work holds the GIL in places).
    memory_limit
        Memory of each local worker (``"2GiB"``, bytes, or ``"auto"``: an equal share of the
        machine's memory). A worker going over it is restarted and its tasks run again.
    processes
        Local workers as processes (default) or as threads of this process.

    Examples
    --------
    >>> with cluster(n_workers=1, processes=False) as client:
    ...     client.submit(sum, [1, 2]).result()
    3
    """
    if scheduler is not None:
        with _connect(scheduler) as client:
            yield client
        return
    with LocalCluster(n_workers=n_workers or machine_workers(),
                      threads_per_worker=threads_per_worker, memory_limit=memory_limit,
                      processes=processes, dashboard_address=":0",
                      silence_logs=logging.ERROR) as local, Client(local) as client:
        yield client


def _connect(address: str) -> Client:
    try:
        return Client(address, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError, ValueError) as error:
        raise InputError(f"--scheduler {address}: no Dask scheduler answers there ({error}); "
                         "expected the address a running `dask scheduler` prints, e.g. "
                         "tcp://10.0.0.5:8786") from None


def compute(client: Client, collection: Any, *, progress: bool | None = None) -> Any:
    """Compute ``collection`` on ``client``, with a progress bar on a terminal.

    Parameters
    ----------
    collection
        A Dask collection or delayed value, or a list of them (submitted together, run
        side by side on the cluster; their results come back as a list).
    progress
        Show Dask's progress bar (on standard error); None shows it when standard error is
        a terminal.

    Raises
    ------
    TerritoryError
        When a task killed its workers more often than Dask allows (e.g. out of memory).
    """
    with warnings.catch_warnings():
        # The communes' polygons travel inside the graph on purpose (about 20 MB for France):
        # unlike scattered data, they survive the loss of a worker.
        warnings.filterwarnings("ignore", message="Sending large graph", category=UserWarning)
        several = isinstance(collection, list)
        # One submission each: a Dask DataFrame (an expression) and delayed values (a task
        # graph) do not go in one call without materialising the expression first.
        futures = [client.compute(item) for item in (collection if several else [collection])]
    if progress is None:
        progress = sys.stderr.isatty()
    try:
        if progress:
            with contextlib.redirect_stdout(sys.stderr):
                dask_progress(futures)
        results = client.gather(futures)
        return results if several else results[0]
    except KilledWorker as error:
        raise TerritoryError(f"Dask gave up on task {error.task!r}: its workers died "
                             f"repeatedly (last: {error.last_worker}); give the workers more "
                             "memory, or read smaller row groups") from None
    finally:
        for future in futures:
            future.release()
