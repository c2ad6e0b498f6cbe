"""The scale-out seam: a ``concurrent.futures.Executor`` of local processes, or of a Dask cluster.

``make_executor(None, workers)`` gives local processes; ``make_executor("tcp://host:8786")`` connects to a Dask
scheduler; ``make_executor("dask-local", workers)`` starts a local Dask cluster (its dashboard shows progress).
Dask reruns the task of a killed worker by itself (up to ``DASK_RETRIES`` times); for local processes the
sweep resubmits the tasks of a broken pool.

Local worker processes ignore SIGINT (a Ctrl-C reaches the whole process group: the parent decides, and
:func:`stop_workers` ends them) and die with their parent: on Linux the kernel sends them SIGTERM when it ends
(``PR_SET_PDEATHSIG``), elsewhere a thread of theirs watches the parent process id.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
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
        pool = ProcessPoolExecutor(
            max_workers=n_workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(os.getpid(),),
        )
        try:
            yield pool
        except BaseException:  # interrupted (Ctrl-C, SIGTERM) or failed: queued tasks are not waited for
            stop_workers(pool)
            raise
        pool.shutdown(wait=True)
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
        executor = client.get_executor(retries=DASK_RETRIES, pure=False)
        try:
            yield executor
        except BaseException:
            stop_workers(executor)
            raise
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def stop_workers(executor: Executor) -> None:
    """Cancel the queued tasks of ``executor`` and end the running ones now (their results are lost; finished
    tasks keep theirs). Local worker processes are sent SIGTERM, then SIGKILL after 5 s."""
    processes = list((getattr(executor, "_processes", None) or {}).values())  # shutdown() forgets them
    if isinstance(executor, ProcessPoolExecutor):
        executor.shutdown(wait=False, cancel_futures=True)
    else:  # a Dask ClientExecutor: shutdown(wait=False) cancels its futures, queued and running
        executor.shutdown(wait=False)
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            process.terminate()
    deadline = time.monotonic() + 5.0
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join(1.0)


def _init_worker(parent_pid: int) -> None:
    """In each local worker: leave Ctrl-C to the parent, and die with it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            import ctypes

            pr_set_pdeathsig = 1
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(signal.SIGTERM), 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent ended before the line above
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent_pid,), name="lunarops-parent-watch", daemon=True).start()


def _watch_parent(parent_pid: int) -> None:
    """End this worker when its parent is gone (reparented), for platforms without PR_SET_PDEATHSIG."""
    while os.getppid() == parent_pid:
        time.sleep(1.0)
    os._exit(1)
