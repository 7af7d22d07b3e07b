"""Local worker processes of the engines: what they keep between items, and how they are let go."""

from __future__ import annotations

import gc
import itertools
import os
import time

import pytest

from lipyantar.corpora import engines

#: objects a worker keeps from one item to the next (a memo, as the pipeline's are)
_KEPT: list[object] = []


def _keep_and_count(k: int) -> tuple[int, int]:
    """Keep some new objects and tell the process and its frozen objects' count (``gc.get_freeze_count``)."""
    _KEPT.append([{"item": k, "words": [(str(j), j) for j in range(50)]}])
    return os.getpid(), gc.get_freeze_count()


def _pid(_: int) -> int:
    return os.getpid()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.skipif("fork" not in __import__("multiprocessing").get_all_start_methods(), reason="needs fork")
def test_a_worker_freezes_what_it_keeps_after_each_item() -> None:
    with engines.open_engine(jobs=2) as session:
        seen = list(session.map(_keep_and_count, range(12), window=1))
    assert _KEPT == []  # (kept in the workers, not here)
    by_worker: dict[int, list[int]] = {}
    for pid, frozen in seen:
        by_worker.setdefault(pid, []).append(frozen)
    assert os.getpid() not in by_worker
    for counts in by_worker.values():
        # what the worker kept from each item was frozen after it: the count grows item by item
        assert all(b > a for a, b in itertools.pairwise(counts)), counts


def test_the_same_results_in_this_process_and_in_workers() -> None:
    items = list(range(30))
    with engines.open_engine(jobs=1) as here, engines.open_engine(jobs=2) as there:
        assert list(here.map(abs, items)) == list(there.map(abs, items)) == items


def test_close_without_waiting_then_close_reaps_the_workers() -> None:
    with engines.open_engine(jobs=2) as session:
        pids = set(session.map(_pid, range(8), window=1))
        start = time.perf_counter()
        session.close(wait=False)  # returns at once; the workers exit meanwhile
        assert time.perf_counter() - start < 5
        assert list(session.map(abs, [-1, 2])) == [1, 2]  # closed: the work runs in this process
    # the end of the block waited for them
    assert pids and os.getpid() not in pids
    assert not any(_alive(pid) for pid in pids)
