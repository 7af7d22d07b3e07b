#!/usr/bin/env python3
"""Where the wall time of ``lipyantar build -j N`` goes: a timeline of the main process and its workers.

Runs ``build_corpus`` in this process (``--no-model`` unless ``--model``) with the per-item functions of
its engine maps wrapped so that every process logs, for each call, its start and end (wall clock) and its
CPU time: ``analyse_documents`` (detection batches), ``_score_part`` (twin scoring parts), each batch of
``align_task`` (twin pairs), the forks of the workers and the stages the build reports. Worker processes
are started by ``fork`` and inherit the wrappers. It prints, per stage and per process, when the first
and the last item ran, the time busy, the CPU time and the idle time between items, the tail (how long
the first process to finish waited for the last) and the gaps between stages, when only the main
process works. Figures are wall-clock: on a loaded machine they mean little (the CPU columns less so),
and the wrappers cost a little. The last line estimates the wall time on an idle machine from the CPU
times alone (see ``_estimate``): compare it between ``-j 1`` and ``-j 2`` or two trees when the machine is
busy.

Usage::

    python scripts/timeline_build.py CORPUS_DIR [-j 2] [--model] [--raw]

``bench_build.py --keep DIR`` leaves a corpus in ``DIR/small-corpus``.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import os
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

T0 = time.time()
ROOT = Path(__file__).resolve().parent.parent
_LOG: list[str] = []  # the directory of the per-process logs (set in main, inherited by the workers)


def _record(kind: str, name: str, start: float, end: float, cpu: float = 0.0, n: int = 0) -> None:
    with open(os.path.join(_LOG[0], f"{os.getpid()}.log"), "a", encoding="utf-8") as fh:
        fh.write(f"{os.getpid()}\t{kind}\t{name}\t{start:.4f}\t{end:.4f}\t{cpu:.4f}\t{n}\n")


def _timed(module: Any, name: str, kind: str, size: Callable[[Any], int] | None = None) -> Any:
    """Replace ``module.name`` by a wrapper that records each call (picklable by the same name)."""
    real = getattr(module, name)

    @functools.wraps(real)
    def wrapper(*args: Any) -> Any:
        start, cpu = time.time(), time.process_time()
        try:
            return real(*args)
        finally:
            n = size(args[-1]) if size is not None else 0
            _record(
                kind,
                getattr(args[0], "__name__", name) if kind == "batch" else name,
                start,
                time.time(),
                time.process_time() - cpu,
                n,
            )

    wrapper.__module__, wrapper.__qualname__ = real.__module__, real.__qualname__
    setattr(module, name, wrapper)
    return wrapper


def _instrument(jobs: int) -> None:
    import lipyantar.corpora.build as build
    import lipyantar.corpora.engines as engines
    import lipyantar.corpora.pipeline as pipeline
    import lipyantar.corpora.twins as twins

    build.analyse_documents = _timed(pipeline, "analyse_documents", "item", len)  # type: ignore[attr-defined]
    _timed(twins, "_score_part", "item", lambda part: part[1] - part[0])
    _timed(engines, "_apply", "batch", len)  # the batches of align_task sent to workers
    if jobs == 1:  # no batches in this process: each pair
        build.align_task = _timed(pipeline, "align_task", "item")  # type: ignore[attr-defined]
    real_start = engines._start_workers

    def start_workers(pool: Any, preload: Any) -> None:
        start = time.time()
        real_start(pool, preload)
        _record("main", "fork workers", start, time.time())

    engines._start_workers = start_workers  # type: ignore[assignment]


class _CpuSampler:
    """This process's CPU time (all its threads) sampled every ``period`` seconds by a thread, so that its
    CPU within any span of wall time can be read back (:meth:`cpu_between`)."""

    def __init__(self, period: float = 0.005) -> None:
        import threading

        self.samples: list[tuple[float, float]] = [(time.time(), time.process_time())]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(period,), daemon=True)
        self._thread.start()

    def _run(self, period: float) -> None:
        while not self._stop.wait(period):
            self.samples.append((time.time(), time.process_time()))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self.samples.append((time.time(), time.process_time()))

    def cpu_at(self, when: float) -> float:
        """The CPU time at wall time ``when`` (interpolated between samples)."""
        import bisect

        k = bisect.bisect_left(self.samples, (when, -1.0))
        if k <= 0:
            return self.samples[0][1]
        if k >= len(self.samples):
            return self.samples[-1][1]
        (t0, c0), (t1, c1) = self.samples[k - 1], self.samples[k]
        return c0 + (c1 - c0) * ((when - t0) / (t1 - t0) if t1 > t0 else 0.0)

    def cpu_between(self, start: float, end: float) -> float:
        return max(0.0, self.cpu_at(end) - self.cpu_at(start))


def _estimate(rows: list[tuple[int, str, str, float, float, float, int]], sampler: _CpuSampler, me: int) -> None:
    """A wall time for an idle machine worked out from CPU times (wall-clock figures mean little on a loaded
    machine): the main process's CPU outside the stages' windows (the time from a stage's first item to its
    last, in any process) counts whole, and each window counts as its busiest process's CPU or the CPU of
    all the processes in it (the main one's included) shared by the cores, whichever is more. Start-up
    before this process's first sample (the interpreter, the first imports) is not in it."""
    cores = os.cpu_count() or 1
    windows: dict[str, list[float]] = {}
    cpus: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for pid, kind, name, a, b, c, _n in rows:
        if kind in ("item", "batch"):
            w = windows.setdefault(name, [a, b])
            w[0], w[1] = min(w[0], a), max(w[1], b)
            cpus[name][pid] += c
    spans = sorted((a, b, name) for name, (a, b) in windows.items())
    total_main = sampler.samples[-1][1] - sampler.samples[0][1]
    inside = 0.0
    estimate = 0.0
    for a, b, name in spans:
        main = sampler.cpu_between(a + T0, b + T0)
        others = {pid: c for pid, c in cpus[name].items() if pid != me}
        inside += main
        if not others:
            estimate += main
            continue
        estimate += max(max(others.values()), (sum(others.values()) + main) / cores)
    serial = total_main - inside
    estimate += serial
    print(
        f"\nidle-machine estimate from CPU times: {estimate:.3f} s (main process outside the stages' windows "
        f"{serial:.3f} s CPU; {cores} cores)"
    )


def _report(log_dir: Path, end: float, cpu: float, sampler: _CpuSampler | None = None) -> None:
    rows = []
    for path in log_dir.glob("*.log"):
        for line in path.read_text(encoding="utf-8").splitlines():
            pid, kind, name, a, b, c, n = line.split("\t")
            rows.append((int(pid), kind, name, float(a) - T0, float(b) - T0, float(c), int(n)))
    me = os.getpid()
    print(f"{'main process':<28} {'from s':>7} {'to s':>7} {'wall s':>7} {'CPU s':>6}")
    for _pid, _kind, name, a, b, c, _n in sorted((r for r in rows if r[1] == "main"), key=lambda r: r[3]):
        print(f"  {name:<26} {a:>7.3f} {b:>7.3f} {b - a:>7.3f} {c:>6.3f}")
    print(f"  {'whole run':<26} {0.0:>7.3f} {end - T0:>7.3f} {end - T0:>7.3f} {cpu:>6.3f}")
    stages: dict[str, dict[int, list[tuple[float, float, float, int]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for pid, kind, name, a, b, c, n in rows:
        if kind in ("item", "batch"):
            stages[name][pid].append((a, b, c, n))
    print(
        f"\n{'stage':<18} {'process':>8} {'items':>5} {'size':>7} {'first':>7} {'last':>7} {'busy':>6} {'CPU':>6} {'idle':>6}"
    )
    bounds = []
    for name, by_pid in sorted(stages.items(), key=lambda kv: min(x[0] for v in kv[1].values() for x in v)):
        ends = []
        for pid, calls in sorted(by_pid.items()):
            calls.sort()
            busy = sum(b - a for a, b, _, _ in calls)
            idle = sum(max(0.0, nxt[0] - cur[1]) for cur, nxt in itertools.pairwise(calls))
            who = "main" if pid == me else str(pid)
            print(
                f"{name:<18} {who:>8} {len(calls):>5} {sum(x[3] for x in calls):>7} {calls[0][0]:>7.3f} "
                f"{calls[-1][1]:>7.3f} {busy:>6.3f} {sum(x[2] for x in calls):>6.3f} {idle:>6.3f}"
            )
            ends.append(calls[-1][1])
        first = min(x[0] for v in by_pid.values() for x in v)
        bounds.append((name, first, max(ends)))
        print(
            f"{'':<18} {'tail':>8} {max(ends) - min(ends):>7.3f} (the last process's lead over the first to finish)"
        )
    print("\nonly the main process works (gaps between the stages' items):")
    last = 0.0
    for name, first, stop in bounds:
        print(f"  before {name:<20} {first - last:>7.3f} s")
        last = stop
    print(f"  {'after the last stage':<27} {end - T0 - last:>7.3f} s")
    if sampler is not None:
        _estimate(rows, sampler, me)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("-j", "--jobs", type=int, default=2)
    parser.add_argument("--model", action="store_true", help="also learn the adapted model")
    parser.add_argument(
        "--raw", action="store_true", help="print where the per-process logs are, and keep them"
    )
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    start = time.time()
    sampler = _CpuSampler()
    from lipyantar.corpora.build import BuildOptions, build_corpus

    with tempfile.TemporaryDirectory(prefix="timeline-") as tmp:
        log_dir = Path(tempfile.mkdtemp(prefix="timeline-log-")) if args.raw else Path(tmp) / "log"
        log_dir.mkdir(exist_ok=True)
        _LOG.append(str(log_dir))
        _record("main", "imports", start, time.time())
        _instrument(args.jobs)
        last: list[Any] = [None, 0.0, 0.0]

        def progress(stage: str, done: int, total: int) -> None:
            if stage != last[0]:
                if last[0] is not None:
                    _record("main", f"stage {last[0]}", last[1], time.time(), time.process_time() - last[2])
                last[:] = [stage, time.time(), time.process_time()]

        options = BuildOptions(jobs=args.jobs, force=True, model=args.model)
        build_corpus([args.corpus], Path(tmp) / "out", options=options, progress=progress)
        _record("main", f"stage {last[0]}", last[1], time.time(), time.process_time() - last[2])
        end = time.time()
        sampler.stop()
        print(
            f"build -j {args.jobs} of {args.corpus}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
        )
        _report(log_dir, end, time.process_time(), sampler)
        if args.raw:
            print(f"\nper-process logs: {log_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
