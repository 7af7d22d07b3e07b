"""Streaming, optionally parallel conversion of many lines, in input order.

:func:`convert_lines` is what ``lipyantar convert`` runs: it reads lines lazily, converts them in chunks
(in worker processes when ``jobs > 1``), and yields the formatted output in exactly the input order, so
the output of ``--jobs N`` is byte-identical to ``--jobs 1``. At most ``4 × jobs`` chunks are in flight,
so memory stays bounded however long the input is.
"""

from __future__ import annotations

import itertools
import json
import os
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from .normalize import Normalizer
from .transliterate import MAX_TOP_K, Transliterator

if TYPE_CHECKING:
    from concurrent.futures import Future

    from .learned.lexicon import UserLexicon

__all__ = ["ConvertJob", "convert_lines", "default_jobs"]

OutputFormat = Literal["text", "tsv", "jsonl"]


@dataclass(frozen=True)
class ConvertJob:
    """A picklable description of a conversion: everything a worker process needs to rebuild it."""

    src: str
    dst: str
    fmt: OutputFormat = "text"
    top_k: int = 1
    model: str | None = None
    nukta: str = "decomposed"
    zero_width: str = "strip"
    digits: str = "auto"
    keep_period: bool = False
    english: str = "transliterate"
    #: the user lexicon (:class:`~lipyantar.translit.learned.lexicon.UserLexicon`; it pickles), or None
    lexicon: UserLexicon | None = None

    def __post_init__(self) -> None:
        if self.fmt not in ("text", "tsv", "jsonl"):
            raise ValueError(f"fmt must be 'text', 'tsv' or 'jsonl', not {self.fmt!r}")
        if not 1 <= self.top_k <= MAX_TOP_K:
            raise ValueError(f"top_k must be between 1 and {MAX_TOP_K}, not {self.top_k}")
        if self.fmt == "text" and self.top_k != 1:
            raise ValueError("top_k > 1 needs the 'tsv' or 'jsonl' format")

    def build(self) -> Transliterator:
        normalizer = Normalizer(nukta=self.nukta, zero_width=self.zero_width)  # type: ignore[arg-type]
        return Transliterator(
            self.src,
            self.dst,
            model=self.model,
            normalizer=normalizer,
            digits=self.digits,  # type: ignore[arg-type]
            keep_period=self.keep_period,
            english=self.english,  # type: ignore[arg-type]
            lexicon=self.lexicon,
        )


def format_line(conv: Transliterator, line: str, *, fmt: OutputFormat, top_k: int) -> str:
    """The output record of one input line, newline included."""
    if fmt == "text":
        return conv.transliterate(line) + "\n"
    if fmt == "tsv":
        if top_k == 1:
            return f"{line}\t{conv.transliterate(line)}\n"
        return "\t".join([line, *(c.text for c in conv.candidates(line, top_k=top_k))]) + "\n"
    cands = conv.candidates(line, top_k=top_k)
    return json.dumps({"input": line, "candidates": [c.to_dict() for c in cands]}, ensure_ascii=False) + "\n"


def format_chunk(conv: Transliterator, lines: list[str], *, fmt: OutputFormat, top_k: int) -> str:
    """The output records of ``lines`` (``format_line`` of each, joined); single-best output converts
    the lines as one batch (:meth:`Transliterator.transliterate_many`: the same text, faster)."""
    if fmt == "jsonl" or top_k != 1:
        return "".join(format_line(conv, line, fmt=fmt, top_k=top_k) for line in lines)
    outs = conv.transliterate_many(lines)
    if fmt == "text":
        return "".join(out + "\n" for out in outs)
    return "".join(f"{line}\t{out}\n" for line, out in zip(lines, outs, strict=True))


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


_worker: tuple[Transliterator, ConvertJob] | None = None
#: the parent's converter and job while its pool runs: a forked worker of the same job takes it over
#: (with what it has loaded and memoized); a spawned one builds its own
_inherited: tuple[Transliterator, ConvertJob] | None = None


def _init_worker(job: ConvertJob) -> None:
    global _worker
    from .signals import init_worker

    init_worker()
    inherited = _inherited
    _worker = inherited if inherited is not None and inherited[1] == job else (job.build(), job)


def _convert_chunk(lines: list[str]) -> str:
    if _worker is None:  # pragma: no cover - the pool initializer always runs first
        raise RuntimeError("worker not initialized")
    conv, job = _worker
    return format_chunk(conv, lines, fmt=job.fmt, top_k=job.top_k)


def _chunks(lines: Iterable[str], size: int) -> Iterator[list[str]]:
    it = iter(lines)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


def convert_lines(
    lines: Iterable[str],
    job: ConvertJob,
    *,
    jobs: int = 1,
    chunk_lines: int = 500,
    converter: Transliterator | None = None,
    parallel_after: float = 0.0,
) -> Iterator[str]:
    """Yield the formatted output of ``lines`` (one string per chunk), in input order.

    With ``jobs == 1`` (or input of at most ``jobs`` chunks) the work happens in this process, with
    ``converter`` if given. Otherwise this process converts the first chunk (which loads what the
    conversion needs, a learned model's components, and memoizes the input's frequent words once),
    then ``jobs`` worker processes the rest: forked, each takes over this process's converter with all
    that (shared copy-on-write); spawned, each builds its own. With ``parallel_after`` seconds, this
    process goes on converting chunks for that long first, and starts the workers only for input that
    lasts longer: a pool costs its processes' start and the words each of them converts again, which a
    short input does not win back (``lipyantar convert`` without ``--jobs``). When the caller stops early
    (an error, a signal, closing the generator) the workers are stopped at once
    (:func:`lipyantar.translit.signals.stop_pool`).
    """
    if jobs < 1:
        raise ValueError(f"jobs must be >= 1, not {jobs}")
    if chunk_lines < 1:
        raise ValueError(f"chunk_lines must be >= 1, not {chunk_lines}")
    chunks = _chunks(lines, chunk_lines)
    first = next(chunks, None)
    if first is None:
        return
    conv = converter if converter is not None else job.build()
    deadline = time.monotonic() + parallel_after
    # the output of the last chunk converted here, not yet yielded
    held = format_chunk(conv, first, fmt=job.fmt, top_k=job.top_k)
    while jobs > 1 and time.monotonic() < deadline:  # short so far: on in this process
        following = next(chunks, None)
        if following is None:
            break
        yield held
        held = format_chunk(conv, following, fmt=job.fmt, top_k=job.top_k)
    ahead = list(itertools.islice(chunks, jobs)) if jobs > 1 else []
    if len(ahead) < jobs:  # serial: one core asked for, or too little input left to give each worker some
        yield held
        for chunk in itertools.chain(ahead, chunks):
            yield format_chunk(conv, chunk, fmt=job.fmt, top_k=job.top_k)
        return
    # the pool's modules, imported only for parallel work
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from .signals import stop_pool

    # fork shares the loaded code (and model) copy-on-write; spawn where there is no fork
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    global _inherited
    _inherited = (conv, job)
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init_worker, initargs=(job,))
    try:
        pending: deque[Future[str]] = deque()
        rest = itertools.chain(ahead, chunks)
        # the workers start on their chunks before the held output is written (a reader that
        # is slow to read must not hold them back)
        for chunk in itertools.islice(rest, 4 * jobs - 1):
            pending.append(pool.submit(_convert_chunk, chunk))
        yield held
        for chunk in rest:
            pending.append(pool.submit(_convert_chunk, chunk))
            if len(pending) >= 4 * jobs:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    except BaseException:  # an error, a signal, or the reader stopped: do not wait for the work in flight
        stop_pool(pool)
        raise
    finally:
        _inherited = None
    pool.shutdown()
