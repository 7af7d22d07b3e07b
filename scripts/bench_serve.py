"""Load test of ``lipyantar serve`` on loopback: requests/s and p50/p99 latency of ``/candidates`` (one
word a request: the as-you-type path) and ``/convert`` (20-word sentences), with 1 and 2 workers.

Every run starts a fresh server (``lipyantar serve --workers N --no-access-log`` on a free loopback port),
so the caches start cold; the words of ``/candidates`` are all distinct (Dakshina dev romanizations,
each asked once), so each answer is computed, not remembered. A small keep-alive HTTP/1.1 client
(asyncio; ``--connections`` connections for ``/candidates``, a throughput figure, and
``--convert-connections``, one per worker by default, for ``/convert``, a latency figure) sends a fixed
number of requests (``--requests``, ``--sentences``) and stops early at ``--max-seconds``. Then:

* every response is checked: status 200 and the same JSON as the library gives for the same input
  (``Transliterator("roman", "deva").candidates(...)``), computed in this process after the runs;
* the resident memory of the workers is sampled during the run (start, middle, end); each server then
  gets the same requests again ("warm": answers remembered per word type), where memory must stay flat
  (in the cold run it grows by what the bounded per-word caches keep);
* for comparison, the same inputs go through the command line (``lipyantar convert --jobs 1``), whose
  words/s is given with and without its start-up time.

Figures vary with the load of the machine: compare the rows of one run, not runs. The workers' CPU
time per request (from /proc) does not depend on what else runs, and bounds what the cores can do.

Usage::

    python scripts/bench_serve.py [--data /work/shared/data/dakshina-hi] [--requests 4000]
        [--sentences 600] [--connections 8] [--convert-connections 2] [--workers 1 2]
        [--endpoints candidates convert] [--max-seconds 60] [--json out.json]

Exits 1 when a response is wrong or a request failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = Path("/work/shared/data/dakshina-hi")
SAMPLE_LEXICON = ROOT / "tests" / "data" / "dakshina_dev_lexicon_sample.tsv"
SAMPLE_SENTENCES = ROOT / "tests" / "data" / "dakshina_dev_sentences_sample.tsv"
HOST = "127.0.0.1"  # loopback only


# ------------------------------------------------------------------------------------- inputs


def load_inputs(data: Path, n_words: int, n_sentences: int, sentence_words: int) -> tuple[list[str], list[str]]:
    """Distinct lowercase roman words (none of them in the sentences) and ``sentence_words``-word
    sentences of running romanized text."""
    lexicon = data / "hi.translit.sampled.dev.tsv"
    sentences = data / "hi.sentences.dev.tsv"
    if not lexicon.is_file() or not sentences.is_file():
        print(f"bench_serve: {data} has no Dakshina dev files; using the samples in tests/data", file=sys.stderr)
        lexicon, sentences = SAMPLE_LEXICON, SAMPLE_SENTENCES
    running: list[str] = []
    for line in sentences.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2:
            running.extend(parts[1].split())
    chunks = [" ".join(running[i : i + sentence_words]) for i in range(0, len(running) - sentence_words, sentence_words)]
    chunks = list(dict.fromkeys(chunks))[:n_sentences]
    in_sentences = {w.lower().strip(".,?!;:\"'()") for s in chunks for w in s.split()}
    words: dict[str, None] = {}
    for line in lexicon.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2:
            word = parts[1].strip().lower()
            if word.isascii() and word.isalpha() and word not in in_sentences:
                words[word] = None
    for word in running:  # more distinct words from the other sentences, when the lexicon runs out
        word = word.lower().strip(".,?!;:\"'()")
        if word.isascii() and word.isalpha() and word not in in_sentences:
            words[word] = None
    return list(words)[:n_words], chunks


# ------------------------------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def get(url: str, timeout: float = 5.0) -> Any:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.load(response)


class Server:
    def __init__(self, workers: int, log_dir: Path) -> None:
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.log = log_dir / f"serve-{workers}-{self.port}.log"
        with open(self.log, "wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "lipyantar", "-q", "serve", "--host", HOST, "--port", str(self.port),
                 "--workers", str(workers), "--no-access-log"],
                stdout=subprocess.DEVNULL,
                stderr=err,
            )
        self.pids: set[int] = set()
        deadline = time.monotonic() + 180
        while len(self.pids) < workers:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start: {self.log.read_text()[-2000:]}")
            try:
                self.pids.add(get(self.url + "/api/v1/health")["pid"])
            except OSError:
                time.sleep(0.2)

    def rss_mb(self) -> dict[int, float]:
        out = {}
        for pid in self.pids:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        out[pid] = int(line.split()[1]) / 1024
            except OSError:
                pass
        return out

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the workers have used so far."""
        total = 0
        for pid in self.pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
            except (OSError, IndexError, ValueError):
                pass
        return total / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()


# ------------------------------------------------------------------------------------- the client


@dataclass
class Run:
    endpoint: str
    workers: int
    phase: str = "cold"
    connections: int = 0
    requests: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    rss: list[dict[int, float]] = field(default_factory=list)
    bodies: dict[int, bytes] = field(default_factory=dict)
    stopped_early: bool = False
    #: CPU seconds the workers used during the run (load-independent, unlike the wall-clock figures)
    cpu_seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        lat = sorted(self.latencies)
        q = (lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000) if lat else (lambda p: float("nan"))
        start = sum(self.rss[0].values()) if self.rss else 0.0
        end = sum(self.rss[-1].values()) if self.rss else 0.0
        return {
            "endpoint": self.endpoint,
            "workers": self.workers,
            "phase": self.phase,
            "connections": self.connections,
            "requests": self.requests,
            "seconds": round(self.seconds, 2),
            "requests_per_s": round(self.requests / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(q(0.50), 2),
            "p99_ms": round(q(0.99), 2),
            "max_ms": round(lat[-1] * 1000, 2) if lat else float("nan"),
            "mean_ms": round(statistics.fmean(lat) * 1000, 2) if lat else float("nan"),
            "server_cpu_ms_per_request": round(self.cpu_seconds / self.requests * 1000, 3) if self.requests else None,
            "failures": self.failures,
            "rss_mb_start": round(start, 1),
            "rss_mb_mid": round(sum(self.rss[len(self.rss) // 2].values()), 1) if self.rss else 0.0,
            "rss_mb_end": round(end, 1),
            "stopped_early": self.stopped_early,
        }


def request_bytes(endpoint: str, item: str) -> bytes:
    if endpoint == "candidates":
        query = urllib.parse.urlencode({"word": item, "top_k": 5})
        return f"GET /api/v1/candidates?{query} HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode()
    body = json.dumps({"text": item, "from": "roman", "to": "deva"}, ensure_ascii=False).encode()
    head = (
        f"POST /api/v1/convert HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def drive(server: Server, run: Run, items: list[str], *, connections: int, max_seconds: float) -> None:
    payloads = [request_bytes(run.endpoint, item) for item in items]
    latencies: list[float] = [0.0] * len(payloads)
    done = [False] * len(payloads)
    queue = iter(range(len(payloads)))
    start = time.perf_counter()
    stop_at = start + max_seconds

    async def client() -> None:
        reader, writer = await asyncio.open_connection(HOST, server.port)
        try:
            for i in queue:
                if time.perf_counter() > stop_at:
                    run.stopped_early = True
                    return
                t0 = time.perf_counter()
                writer.write(payloads[i])
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                body = await reader.readexactly(length)
                latencies[i] = time.perf_counter() - t0
                done[i] = True
                if head[9:12] != b"200":
                    run.failures += 1
                run.bodies[i] = body
        finally:
            writer.close()

    async def sample_memory() -> None:
        while True:
            run.rss.append(server.rss_mb())
            await asyncio.sleep(0.5)

    sampler = asyncio.create_task(sample_memory())
    cpu = server.cpu_seconds()
    await asyncio.gather(*(client() for _ in range(connections)))
    run.seconds = time.perf_counter() - start
    run.cpu_seconds = server.cpu_seconds() - cpu
    sampler.cancel()
    run.rss.append(server.rss_mb())
    run.requests = sum(done)
    run.latencies = [lat for lat, ok in zip(latencies, done, strict=True) if ok]


def measure(
    endpoint: str, workers: int, items: list[str], args: argparse.Namespace, log_dir: Path, *, connections: int
) -> list[Run]:
    """A cold run (every input new to the server) and a warm one (the same inputs again, remembered)."""
    server = Server(workers, log_dir)
    try:
        # a few requests first: the converter is built on first use (not part of the figures)
        warm = ["namaste", "duniya", "kitaab"] if endpoint == "candidates" else ["yah ek vaakya hai"]
        for pid_round in range(4 * workers):
            for item in warm:
                request = request_bytes(endpoint, f"{item}{'a' * (pid_round % 3)}")
                with socket.create_connection((HOST, server.port)) as sock:
                    sock.sendall(request)
                    sock.recv(65536)
        runs = []
        for phase in ("cold", "warm"):
            run = Run(endpoint, workers, phase, connections)
            loop = _new_loop()
            try:
                loop.run_until_complete(
                    drive(server, run, items, connections=connections, max_seconds=args.max_seconds)
                )
            finally:
                loop.close()
            runs.append(run)
        return runs
    finally:
        server.stop()


def _new_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop

        return uvloop.new_event_loop()
    except ImportError:
        return asyncio.new_event_loop()


# ------------------------------------------------------------------------------------- checks


def check(runs: list[Run], words: list[str], sentences: list[str]) -> int:
    """Compare every response with the library's answer; returns the number of wrong ones."""
    from lipyantar.translit import Transliterator

    conv = Transliterator("roman", "deva")
    expected: dict[tuple[str, int], Any] = {}
    wrong = 0
    for run in runs:
        items = words if run.endpoint == "candidates" else sentences
        for i, body in run.bodies.items():
            key = (run.endpoint, i)
            if key not in expected:
                if run.endpoint == "candidates":
                    cands = [c.to_dict() for c in conv.candidates(items[i], top_k=5)]
                    expected[key] = {"word": items[i], "candidates": cands}
                else:
                    cands = [c.to_dict() for c in conv.candidates(items[i], top_k=1)]
                    expected[key] = {"records": [{"input": items[i], "candidates": cands}]}
            try:
                ok = json.loads(body) == expected[key]
            except ValueError:
                ok = False
            if not ok:
                wrong += 1
                if wrong <= 3:
                    print(f"bench_serve: wrong answer to {run.endpoint} {items[i]!r}: {body[:300]!r}", file=sys.stderr)
    return wrong


def cli_words_per_s(items: list[str], top_k: int, tmp: Path) -> dict[str, float]:
    """``lipyantar convert --jobs 1`` on the same inputs (one a line): words/s with and without start-up."""
    path = tmp / f"cli-input-{top_k}.txt"
    path.write_text("\n".join(items) + "\n", encoding="utf-8")
    empty = tmp / "one-word.txt"  # start-up: interpreter, imports, model load
    empty.write_text("namaste\n", encoding="utf-8")
    base = [sys.executable, "-m", "lipyantar", "convert", "--from", "roman", "--to", "deva", "--jobs", "1"]
    fmt = ["--format", "jsonl", "--top-k", str(top_k)] if top_k > 1 else []
    t0 = time.perf_counter()
    subprocess.run([*base, *fmt, str(empty)], check=True, stdout=subprocess.DEVNULL)
    startup = time.perf_counter() - t0
    t0 = time.perf_counter()
    subprocess.run([*base, *fmt, str(path)], check=True, stdout=subprocess.DEVNULL)
    total = time.perf_counter() - t0
    n = sum(len(item.split()) for item in items)
    return {
        "words": n,
        "seconds": round(total, 2),
        "startup_s": round(startup, 2),
        "words_per_s": round(n / total, 1),
        # start-up is measured on a one-word input; on short inputs the difference is noise
        "words_per_s_after_startup": round(n / (total - startup), 1) if total - startup > 0.2 else None,
    }


# ------------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the Dakshina Hindi folder")
    parser.add_argument("--requests", type=int, default=4000, help="/candidates requests per run (distinct words)")
    parser.add_argument("--sentences", type=int, default=600, help="/convert requests per run")
    parser.add_argument("--sentence-words", type=int, default=20)
    parser.add_argument("--connections", type=int, default=8, help="concurrent keep-alive connections (/candidates)")
    parser.add_argument(
        "--convert-connections", type=int, default=2,
        help="concurrent connections for /convert (a latency figure: one sentence in flight per worker)",
    )
    parser.add_argument("--endpoints", nargs="+", choices=["candidates", "convert"], default=["candidates", "convert"])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--max-seconds", type=float, default=60.0, help="longest run")
    parser.add_argument("--no-cli", action="store_true", help="skip the command-line comparison")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    if (
        not 1 <= args.requests <= 50_000
        or not 1 <= args.sentences <= 10_000
        or not 1 <= args.connections <= 256
        or not 1 <= args.convert_connections <= 256
    ):
        parser.error("--requests 1..50000, --sentences 1..10000, --connections 1..256")
    words, sentences = load_inputs(args.data, args.requests, args.sentences, args.sentence_words)
    print(
        f"{len(words)} distinct words for /candidates, {len(sentences)} sentences of {args.sentence_words} words "
        f"for /convert; {os.cpu_count()} cores",
        file=sys.stderr,
    )
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp_name:
        tmp = Path(tmp_name)
        for workers in args.workers:
            for endpoint, items in (("candidates", words), ("convert", sentences)):
                if endpoint not in args.endpoints:
                    continue
                conns = args.connections if endpoint == "candidates" else args.convert_connections
                for run in measure(endpoint, workers, items, args, tmp, connections=conns):
                    runs.append(run)
                    s = run.summary()
                    print(
                        f"{endpoint:>10} {run.phase} workers={workers} connections={conns}: {s['requests_per_s']:>7} req/s  "
                        f"p50 {s['p50_ms']} ms  p99 {s['p99_ms']} ms  server CPU {s['server_cpu_ms_per_request']} ms/req  "
                        f"({s['requests']} requests in {s['seconds']} s; "
                        f"RSS {s['rss_mb_start']} -> {s['rss_mb_mid']} -> {s['rss_mb_end']} MB)",
                        file=sys.stderr,
                    )
        cli = {}
        if not args.no_cli and "candidates" in args.endpoints:
            cli["candidates_top5"] = cli_words_per_s(words, 5, tmp)
        if not args.no_cli and "convert" in args.endpoints:
            cli["convert_sentences"] = cli_words_per_s(sentences, 1, tmp)
    wrong = check(runs, words, sentences)
    failures = sum(r.failures for r in runs) + sum(
        (len(words) if r.endpoint == "candidates" else len(sentences)) - r.requests for r in runs if not r.stopped_early
    )
    report = {
        "runs": [r.summary() for r in runs],
        "cli": cli,
        "responses_checked": sum(len(r.bodies) for r in runs),
        "wrong_responses": wrong,
        "failed_requests": failures,
    }
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 1 if wrong or failures else 0


if __name__ == "__main__":
    sys.exit(main())
