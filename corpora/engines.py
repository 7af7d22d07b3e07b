"""Execution engines: run a pure, picklable function over many items, results in input order.

``build`` runs its per-document-pair pipeline through :func:`ordered_map`, so the same code runs

* ``engine="local"``, ``jobs=1``: in this process;
* ``engine="local"``, ``jobs=N``: in ``N`` worker processes (``concurrent.futures``);
* ``engine="dask"``: on a Dask cluster (``pip install 'lipyantar[dask]'``): an existing scheduler
  (``scheduler="tcp://host:8786"``) or, without one, a ``LocalCluster`` of ``dask_workers`` processes
  started on the loopback interface for the duration of the run.

Results come back in input order whatever the engine, so outputs are byte-identical across engines. At
most ``window`` items are in flight at once, so memory stays bounded however many items there are.
The function must be a module-level (picklable) function of one argument; the same function can be
handed to Spark (``rdd.map(fn)``) or Ray (``ray.remote(fn)``) unchanged.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Literal, TypeVar

from translit.errors import LipyantarError

__all__ = ["ENGINES", "EngineError", "ordered_map"]

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")
Engine = Literal["local", "dask"]
ENGINES: tuple[str, ...] = ("local", "dask")


class EngineError(LipyantarError):
    """The requested engine cannot run (e.g. dask is not installed, or the scheduler is unreachable)."""


def ordered_map(
    fn: Callable[[T], R],
    items: Iterable[T],
    *,
    engine: Engine = "local",
    jobs: int = 1,
    scheduler: str | None = None,
    dask_workers: int = 2,
    window: int | None = None,
) -> Iterator[R]:
    """Yield ``fn(item)`` for every item, in input order, on the chosen engine."""
    if engine not in ENGINES:
        raise EngineError(f"unknown engine {engine!r}; valid engines: {', '.join(ENGINES)}")
    if jobs < 1:
        raise ValueError(f"jobs must be >= 1, not {jobs}")
    if engine == "dask":
        yield from _dask_map(fn, items, scheduler=scheduler, workers=dask_workers, window=window)
    elif jobs == 1:
        for item in items:
            yield fn(item)
    else:
        yield from _process_map(fn, items, jobs=jobs, window=window or 4 * jobs)


def _process_map(fn: Callable[[T], R], items: Iterable[T], *, jobs: int, window: int) -> Iterator[R]:
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        pending: deque[Future[R]] = deque()
        for item in items:
            pending.append(pool.submit(fn, item))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _dask_map(
    fn: Callable[[T], R], items: Iterable[T], *, scheduler: str | None, workers: int, window: int | None
) -> Iterator[R]:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise EngineError("the dask engine needs dask: pip install 'lipyantar[dask]'") from None
    cluster: Any = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="10s")
        else:
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                host="127.0.0.1",
                dashboard_address=None,
                processes=True,
                silence_logs=logging.ERROR,
            )
            client = Client(cluster)
    except OSError as exc:
        raise EngineError(f"cannot reach the Dask scheduler {scheduler or '(local cluster)'}: {exc}") from None
    try:
        limit = window or 4 * max(1, len(client.scheduler_info().get("workers", {})) or workers)
        log.info("dask engine: %s", client)
        pending: deque[Any] = deque()
        for item in items:
            pending.append(client.submit(fn, item, pure=False))
            if len(pending) >= limit:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
