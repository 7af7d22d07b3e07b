"""Progress bars of the command line: `tqdm <https://tqdm.github.io/>`_ bars on stderr, in units a
person reads (lines, sentences, documents, word pairs), with the rate, the elapsed time and, when the
total is known, the time left.

A bar is drawn only when stderr is a terminal, unless the command's ``--progress`` asks for one (a log
file then gets the bar's carriage-return updates) or ``--no-progress`` forbids it; ``lipyantar -q``
silences it too. Library functions never draw anything: they take a callback (``progress(stage,
done, total)`` in :func:`lipyantar.corpora.build_corpus`) and the command binds it to a bar here.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

import click

__all__ = [
    "ProgressBar",
    "StageBars",
    "progress_bar",
    "progress_option",
    "quiet",
    "show_progress",
]

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

#: What every bar looks like: ``convert: 45%|████▌     | 45012/100000 lines [00:11<00:13, 4091.52 lines/s]``
_FORMAT = "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} {unit} [{elapsed}<{remaining}, {speed}]"
#: ... and without a total (stdin): ``convert: 45012 lines [00:11, 4091.52 lines/s]``
_FORMAT_NO_TOTAL = "{desc}: {n_fmt} {unit} [{elapsed}, {speed}]"
#: ... and for one long step (``build: model``), the time it has taken so far: ``build: model [00:12]``
_FORMAT_ONE_STEP = "{desc}: {n_fmt}/{total_fmt} {unit} [{elapsed}]"


def progress_option(func: F) -> F:
    """The ``--progress/--no-progress`` option of a command (None when neither is given)."""
    return click.option(
        "--progress/--no-progress",
        default=None,
        help="Progress bar on stderr [default: only when stderr is a terminal, never with -q].",
    )(func)


def quiet() -> bool:
    """True when the command line was given ``lipyantar -q``."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx and ctx.find_root().params.get("quiet"))


def show_progress(flag: bool | None) -> bool:
    """Whether to draw a bar: ``--progress``/``--no-progress`` when given, else only on a terminal and
    not with ``-q``."""
    if flag is not None:
        return flag
    if quiet():
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed stderr
        return False


def _terminal_size() -> tuple[int, int] | None:
    """None when tqdm can follow the terminal's size; 80 × 24 when the terminal does not say (a pty
    whose size was never set reports 0 × 0, and tqdm would then draw nothing)."""
    try:
        size = os.get_terminal_size(sys.stderr.fileno())
    except (AttributeError, ValueError, OSError):
        return 80, 24
    return None if size.columns > 0 and size.lines > 0 else (80, 24)


def _speed(rate: float | None, unit: str) -> str:
    """``4091.52 lines/s``, or for slow work the time per unit: ``3.75 s/step``."""
    if not rate:
        return f"? {unit}/s"
    if rate >= 1:
        return f"{rate:.2f} {unit}/s"
    one = unit[:-1] if unit.endswith("s") else unit
    return f"{1 / rate:.2f} s/{one}"


_TQDM: Any = None


def _tqdm_class() -> Any:
    """tqdm with a ``{speed}`` field in its format (imported on first use: ``--help`` stays fast)."""
    global _TQDM
    if _TQDM is None:
        from tqdm import tqdm

        class _Bar(tqdm):
            @property
            def format_dict(self) -> dict[str, Any]:
                d = super().format_dict
                rate = d.get("rate")
                if rate is None and d.get("elapsed"):
                    rate = d["n"] / d["elapsed"]
                d["speed"] = _speed(rate, d.get("unit", ""))
                return d

        _TQDM = _Bar
    return _TQDM


class ProgressBar:
    """A tqdm bar on stderr, or nothing (``enabled=False``): the same calls either way."""

    def __init__(self, desc: str, *, unit: str, total: int | None = None, enabled: bool = True) -> None:
        self._bar: Any = None
        self._ticker: threading.Thread | None = None
        self._stop = threading.Event()
        if enabled:
            size = _terminal_size()
            self._bar = _tqdm_class()(
                total=total,
                desc=desc,
                unit=unit,
                file=sys.stderr,
                dynamic_ncols=size is None,
                ncols=size and size[0],
                nrows=size and size[1],
                mininterval=0.2,
                smoothing=0.1,
                leave=True,
                bar_format=_FORMAT_ONE_STEP if total == 1 else _FORMAT if total is not None else _FORMAT_NO_TOTAL,
            )
            if total == 1:  # nothing else moves the bar while the one step runs: keep its clock going
                self._ticker = threading.Thread(target=self._tick, name="progress-clock", daemon=True)
                self._ticker.start()

    def _tick(self) -> None:
        while not self._stop.wait(1.0):
            bar = self._bar
            if bar is not None:
                bar.refresh()

    @property
    def enabled(self) -> bool:
        return self._bar is not None

    def update(self, n: int = 1) -> None:
        if self._bar is not None and n:
            self._bar.update(n)

    def set_total(self, total: int) -> None:
        """Set (or correct) the total, e.g. once it is known."""
        if self._bar is not None:
            self._bar.total = total
            self._bar.bar_format = _FORMAT
            self._bar.refresh()

    def set_description(self, desc: str) -> None:
        if self._bar is not None:
            self._bar.set_description_str(desc, refresh=True)

    def track(self, items: Iterable[T], *, weight: Callable[[T], int] | None = None) -> Iterator[T]:
        """Yield ``items``, advancing the bar by 1 (or ``weight(item)``) after each."""
        for item in items:
            yield item
            self.update(1 if weight is None else weight(item))

    def close(self) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
            self._ticker = None
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def progress_bar(desc: str, *, unit: str, total: int | None = None, enabled: bool = True) -> ProgressBar:
    """A :class:`ProgressBar` (use it as a context manager so that the bar is closed)."""
    return ProgressBar(desc, unit=unit, total=total, enabled=enabled)


class StageBars:
    """A ``progress(stage, done, total)`` callback that draws one bar per stage, one line each: the bar
    of a stage is closed (and stays on screen) when the next stage starts.

    ``units`` names the unit of each stage (``{"detect": "documents", ...}``); unknown stages count
    ``steps``.
    """

    def __init__(self, units: dict[str, str], *, prefix: str = "") -> None:
        self._units = units
        self._prefix = prefix
        self._stage: str | None = None
        self._bar: ProgressBar | None = None
        self._done = 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self._stage or self._bar is None:
            self.close()
            self._stage = stage
            self._bar = ProgressBar(
                f"{self._prefix}{stage}", unit=self._units.get(stage, "steps"), total=total
            )
            self._done = 0
        if done > self._done:
            self._bar.update(done - self._done)
            self._done = done
        if total and done >= total:
            self.close()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
