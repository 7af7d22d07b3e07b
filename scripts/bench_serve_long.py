"""One long one-line request against ``lipyantar serve`` (issue 26): does the server stay up and answer?

A fresh server (``lipyantar serve --no-access-log`` on a free loopback port, its address space capped at
``--memory-cap`` GB so that a runaway cannot take the machine down) gets one ``/api/v1/convert`` request
of ``--words`` words on one line (the Dakshina dev sentences joined, or the shipped sample repeated;
``top_k`` 5), while this script asks ``/api/v1/health`` every 0.1 s. Printed: the request's status and
time, the slowest ``/health`` answer during it against the slowest of as many on the idle server before
(the baseline, same run), and the server's resident memory afterwards.

    python scripts/bench_serve_long.py [--words 19900] [--data /work/shared/data/dakshina-hi]
"""

from __future__ import annotations

import argparse
import json
import resource
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "data" / "dakshina_dev_sentences_sample.tsv"


def one_line(data: Path, words: int) -> str:
    source = data / "hi.sentences.dev.tsv"
    rows = (source if source.exists() else SAMPLE).read_text(encoding="utf-8").splitlines()
    romans = [r.split("\t")[1] for r in rows if "\t" in r]
    out: list[str] = []
    while len(out) < words:
        for sentence in romans:
            out.extend(sentence.split())
    return " ".join(out[:words])


def health(url: str) -> float:
    start = time.perf_counter()
    with urllib.request.urlopen(f"{url}/api/v1/health", timeout=30) as response:
        response.read()
    return time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--words", type=int, default=19_900, help="words on the line (the server's limit is 20,000)")
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "dakshina-hi")
    ap.add_argument("--memory-cap", type=float, default=6.0, help="the server's address space, GB")
    args = ap.parse_args()
    text = one_line(args.data, args.words)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    cap = int(args.memory_cap * (1 << 30))

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    server = subprocess.Popen(
        [sys.executable, "-m", "lipyantar", "serve", "--port", str(port), "--no-access-log"],
        stderr=subprocess.DEVNULL,
        preexec_fn=limit,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                health(url)
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline or server.poll() is not None:
                    print("the server did not start", file=sys.stderr)
                    return 1
                time.sleep(0.05)
        idle = [health(url) for _ in range(20)]
        result: dict[str, object] = {}

        def request() -> None:
            body = json.dumps({"text": text, "from": "roman", "to": "deva", "top_k": 5}).encode()
            req = urllib.request.Request(f"{url}/api/v1/convert", data=body, headers={"Content-Type": "application/json"})
            start = time.perf_counter()
            try:
                with urllib.request.urlopen(req, timeout=120) as response:
                    response.read()
                    result["status"] = response.status
            except urllib.error.HTTPError as exc:
                result["status"] = exc.code
            except (urllib.error.URLError, ConnectionError) as exc:
                result["status"] = f"no answer ({exc})"
            result["seconds"] = time.perf_counter() - start

        thread = threading.Thread(target=request)
        thread.start()
        during = []
        while thread.is_alive():
            during.append(health(url))
            time.sleep(0.1)
        thread.join()
        rss = int(Path(f"/proc/{server.pid}/status").read_text().split("VmRSS:")[1].split()[0]) / 1024
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"one line of {args.words:,} words, /api/v1/convert top_k 5: status {result['status']} in {result['seconds']:.2f} s")
    print(f"slowest /health: {max(during, default=0.0) * 1000:.1f} ms during it ({len(during)} asked), "
          f"{max(idle) * 1000:.1f} ms on the idle server before (baseline)")
    print(f"server resident memory afterwards: {rss:.0f} MB")
    return 0 if result.get("status") == 200 else 1


if __name__ == "__main__":
    raise SystemExit(main())
