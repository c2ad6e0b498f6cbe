"""The scale-out seam: a ``concurrent.futures.Executor`` of local processes, or of a Dask cluster.

``make_executor(None, workers)`` gives local processes; ``make_executor("tcp://host:8786")`` connects to a Dask
scheduler; ``make_executor("dask-local", workers)`` starts a local Dask cluster (its dashboard shows progress).
Dask reruns the task of a killed worker by itself (up to ``DASK_RETRIES`` times); for local processes the
sweep resubmits the tasks of a broken pool.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

from lunarops.errors import InputError

DASK_RETRIES = 3


@contextmanager
def make_executor(scheduler: str | None = None, workers: int | None = None) -> Iterator[Executor]:
    """An executor for the given scheduler, closed on exit."""
    n_workers = workers or max(1, (os.cpu_count() or 1))
    if n_workers < 1:
        raise InputError(f"--workers must be at least 1, got {workers}")
    if scheduler in (None, "", "processes"):
        # spawn, not fork: the numba kernels start OpenMP threads, and forking a process that runs them is unsafe.
        with ProcessPoolExecutor(max_workers=n_workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            yield pool
        return
    if scheduler != "dask-local" and not str(scheduler).startswith(("tcp://", "tls://", "inproc://")):
        raise InputError(
            f"--scheduler {scheduler!r} is not understood; use 'processes', 'dask-local' or a Dask address tcp://host:8786"
        )
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise InputError("Dask is not installed: pip install 'lunarops[dask]'") from None
    cluster: Any = None
    try:
        if scheduler == "dask-local":
            cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None)
            client = Client(cluster)
        else:
            client = Client(scheduler, timeout="10s")
    except OSError as error:
        raise InputError(
            f"cannot reach the Dask scheduler {scheduler}: {error}; start it or check the address"
        ) from None
    try:
        yield client.get_executor(retries=DASK_RETRIES, pure=False)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
