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

import contextlib
import gc
import logging
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from functools import partial
from typing import Any, Literal, TypeVar

from lipyantar.translit.errors import LipyantarError
from lipyantar.translit.signals import init_worker, stop_pool

from .defaults import ENGINES

__all__ = ["CONNECT_TIMEOUT", "ENGINES", "EngineError", "Session", "batches", "open_engine", "ordered_map"]

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")
Engine = Literal["local", "dask"]

#: How long to try to reach a Dask scheduler before giving up.
CONNECT_TIMEOUT = "10s"


class EngineError(LipyantarError):
    """The requested engine cannot run (e.g. dask is not installed, or the scheduler is unreachable)."""


class Session:
    """An open engine: :meth:`map` runs a function over items, results in input order. Open one with
    :func:`open_engine` to run several maps on the same worker pool or cluster."""

    def __init__(
        self,
        *,
        pool: ProcessPoolExecutor | None = None,
        client: Any = None,
        workers: int = 1,
        restart: Callable[[], ProcessPoolExecutor] | None = None,
    ) -> None:
        self._pool = pool
        self._client = client
        self.workers = workers
        self._restart = restart

    @property
    def forks(self) -> bool:
        """Whether :meth:`restart` can start workers with this process's state (local workers started by
        ``fork``)."""
        return self._pool is not None and self._restart is not None

    def restart(
        self, preload: Callable[[], contextlib.AbstractContextManager[object]] | None = None
    ) -> bool:
        """Replace the workers by new ones forked now (inside ``preload()``, see :func:`open_engine`), so
        that they start with what this process holds now; False (nothing done) unless :attr:`forks`.
        Call it between maps: the old workers finish their work first."""
        if self._pool is None or self._restart is None:
            return False
        old, self._pool = self._pool, None
        old.shutdown()
        self._pool = self._restart()
        _start_workers(self._pool, preload)
        return True

    def close(self, *, stop: bool = False) -> None:
        """Shut the workers down (``stop``: at once, cancelling queued work)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            if stop:
                stop_pool(pool)
            else:
                pool.shutdown()

    def map(
        self,
        fn: Callable[[T], R],
        items: Iterable[T],
        *,
        window: int | None = None,
        batch: int | None = None,
        weigh: Callable[[T], int] | None = None,
    ) -> Iterator[R]:
        """Yield ``fn(item)`` for every item, in input order, at most ``window`` items in flight.

        ``batch``: send the items to the workers in batches of consecutive items whose ``weigh`` (1 an
        item by default) adds up to at least ``batch`` (an item heavier than that goes alone), so that
        many small items do not each pay for a round trip to a worker; ``window`` then counts batches.
        Results are the same and in the same order with or without batches.
        """
        limit = window or 4 * self.workers
        if self._client is None and self._pool is None:
            for item in items:
                yield fn(item)
            return
        if batch is not None and batch > 1:
            for results in self.map(partial(_apply, fn), batches(items, batch, weigh), window=limit):
                yield from results
            return
        if self._client is not None:
            pending: deque[Any] = deque()
            for item in items:
                pending.append(self._client.submit(fn, item, pure=False))
                if len(pending) >= limit:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        elif self._pool is not None:
            futures: deque[Future[R]] = deque()
            for item in items:
                futures.append(self._pool.submit(fn, item))
                if len(futures) >= limit:
                    yield futures.popleft().result()
            while futures:
                yield futures.popleft().result()


def _apply(fn: Callable[[T], R], items: list[T]) -> list[R]:
    """``fn`` over a batch of items (run by a worker)."""
    return [fn(item) for item in items]


def batches(items: Iterable[T], size: int, weigh: Callable[[T], int] | None = None) -> Iterator[list[T]]:
    """Consecutive items in lists whose weights (``weigh``, 1 an item by default) add up to at least ``size``
    (the last one less), for a function that takes a batch of items at once."""
    current: list[T] = []
    total = 0
    for item in items:
        current.append(item)
        total += weigh(item) if weigh is not None else 1
        if total >= size:
            yield current
            current, total = [], 0
    if current:
        yield current


@contextlib.contextmanager
def open_engine(
    *,
    engine: Engine = "local",
    jobs: int = 1,
    scheduler: str | None = None,
    dask_workers: int = 2,
    preload: Callable[[], contextlib.AbstractContextManager[object]] | None = None,
) -> Iterator[Session]:
    """A :class:`Session` on the chosen engine (see the module docstring), closed at the end of the block.

    ``preload``: for local worker processes started by ``fork``, a context manager (made by calling it)
    that loads what the workers will read and not change (models, tables) into this process; the workers
    are started inside it, so they share those pages (copy-on-write) instead of each loading its own
    copy, and this process lets go of them when it ends. Results do not depend on it.

    Raises :class:`EngineError` when the engine cannot run (dask missing, scheduler unreachable).
    """
    if engine not in ENGINES:
        raise EngineError(f"unknown engine {engine!r}; valid engines: {', '.join(ENGINES)}")
    if jobs < 1:
        raise ValueError(f"jobs must be >= 1, not {jobs}")
    if dask_workers < 1:
        raise ValueError(f"dask_workers must be >= 1, not {dask_workers}")
    if engine == "dask":
        with _dask_session(scheduler=scheduler, workers=dask_workers) as session:
            yield session
    elif jobs == 1:
        yield Session()
    else:
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        forks = context.get_start_method() == "fork"

        def new_pool() -> ProcessPoolExecutor:
            # workers ignore Ctrl-C and die with this process; on any error or signal they are stopped at once
            return ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=init_worker)

        session = Session(pool=new_pool(), workers=jobs, restart=new_pool if forks else None)
        try:
            if preload is not None and forks:
                session.restart(preload)
            yield session
        except BaseException:
            session.close(stop=True)
            raise
        session.close()


def _start_workers(
    pool: ProcessPoolExecutor, preload: Callable[[], contextlib.AbstractContextManager[object]] | None
) -> None:
    """Fork the workers of ``pool`` now, inside ``preload()``, with the garbage collector's objects frozen
    (so neither the workers' collections nor this process's write to the pages they share)."""
    with preload() if preload is not None else contextlib.nullcontext():
        gc.freeze()
        try:
            pool.submit(int).result()  # a fork pool starts all its workers at the first task
        finally:
            gc.unfreeze()


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
    with open_engine(engine=engine, jobs=jobs, scheduler=scheduler, dask_workers=dask_workers) as session:
        yield from session.map(fn, items, window=window)


@contextlib.contextmanager
def _dask_session(*, scheduler: str | None, workers: int) -> Iterator[Session]:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise EngineError("the dask engine needs dask: pip install 'lipyantar[dask]'") from None
    import dask

    cluster: Any = None
    with contextlib.ExitStack() as restore:
        restore.enter_context(_dask_log_level())
        try:
            if scheduler:
                client = Client(scheduler, timeout=CONNECT_TIMEOUT)
            else:
                # no dashboard: no Bokeh pages, and the scheduler's HTTP server (which distributed starts
                # even without a dashboard, on port 8787 by default) gets no routes, an ephemeral loopback
                # port, and is stopped as soon as the cluster runs
                restore.enter_context(dask.config.set(_NO_HTTP))
                cluster = LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    host="127.0.0.1",
                    dashboard_address=None,
                    worker_dashboard_address=None,
                    scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"},
                    processes=True,
                    silence_logs=logging.ERROR,
                )
                client = Client(cluster)
                client.run_on_scheduler(_stop_http_server)
        except (OSError, ValueError, TypeError) as exc:
            if cluster is not None:
                cluster.close()
            where = scheduler or "(local cluster)"
            raise EngineError(f"cannot reach the Dask scheduler {where}: {exc or type(exc).__name__}") from None
        try:
            n = len(client.scheduler_info().get("workers", {})) or workers
            log.info("dask engine: %s", client)
            yield Session(client=client, workers=max(1, n))
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


_NO_HTTP: dict[str, list[str]] = {"distributed.scheduler.http.routes": [], "distributed.worker.http.routes": []}
#: the loggers of Dask and the libraries it logs through
_DASK_LOGGERS = ("distributed", "dask", "bokeh", "tornado")


@contextlib.contextmanager
def _dask_log_level() -> Iterator[None]:
    """Dask's loggers at the level of the root logger (WARNING by default, INFO with ``lipyantar -v``;
    distributed sets its own to INFO), restored afterwards."""
    level = max(logging.getLogger().getEffectiveLevel(), logging.DEBUG)
    saved = [(logger, logger.level) for logger in map(logging.getLogger, _DASK_LOGGERS)]
    for logger, _ in saved:
        logger.setLevel(level)
    try:
        yield
    finally:
        for logger, old in saved:
            logger.setLevel(old)


def _stop_http_server(dask_scheduler: Any) -> None:
    """Run on the scheduler: close its HTTP server (health and metrics pages; the dashboard is off)."""
    server = getattr(dask_scheduler, "http_server", None)
    if server is not None:
        server.stop()
    dask_scheduler.services.pop("dashboard", None)
