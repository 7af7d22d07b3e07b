"""A time budget that long conversions honour from the inside.

The server gives each request a budget of seconds (``lipyantar serve --time-budget``). Between lines it
can check the budget itself, but one line may be a whole paragraph of thousands of words; so the
conversion code calls :func:`checkpoint` between units of its own work (a word, a sentence), and
:func:`time_budget` installs, for the current thread, the check that it runs there. Without a budget
a checkpoint costs one attribute lookup.

>>> from lipyantar.translit.budget import checkpoint, time_budget
>>> def over() -> None:
...     raise TimeoutError("over budget")
>>> with time_budget(over):
...     checkpoint()
Traceback (most recent call last):
...
TimeoutError: over budget
>>> checkpoint()  # no budget here: nothing happens
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["checkpoint", "time_budget"]

_local = threading.local()


def checkpoint() -> None:
    """Run the current thread's budget check, if one is installed (it raises when the budget is spent)."""
    check = getattr(_local, "check", None)
    if check is not None:
        check()


@contextmanager
def time_budget(check: Callable[[], None]) -> Iterator[None]:
    """Within the block, :func:`checkpoint` calls ``check`` on this thread (nested budgets: the inner one)."""
    previous = getattr(_local, "check", None)
    _local.check = check
    try:
        yield
    finally:
        _local.check = previous
