"""Render a build's ``report.html`` to a PNG with headless Chromium, to check that it opens and shows plots.

Usage::

    python scripts/render_report.py out/example/report.html [-o report.png] [--width 1200] [--height 3000]

Needs a Chromium (or Chrome) binary on PATH (Debian: ``apt-get install chromium``); without one it says
so and exits 0 (nothing to check). Exits 1 when the browser fails or writes no image.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


def find_browser() -> str | None:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


def render(report: Path, png: Path, *, width: int, height: int, browser: str, timeout: float = 120.0) -> None:
    """Screenshot ``report`` into ``png``; raises RuntimeError when the browser fails."""
    with tempfile.TemporaryDirectory(prefix="render-report-") as profile:
        command = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            f"--screenshot={png.resolve()}",
            f"--window-size={width},{height}",
            report.resolve().as_uri(),
        ]
        proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    if proc.returncode != 0 or not png.exists() or png.stat().st_size == 0:
        raise RuntimeError(f"{Path(browser).name} failed (exit {proc.returncode}): {proc.stderr.strip()[-500:]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("report", type=Path, help="report.html of a build")
    parser.add_argument("-o", "--output", type=Path, help="PNG to write (default: next to the report)")
    parser.add_argument("--width", type=int, default=1200)
    parser.add_argument("--height", type=int, default=3000)
    args = parser.parse_args(argv)
    if not args.report.is_file():
        print(f"render_report: error: no such file: {args.report}", file=sys.stderr)
        return 1
    browser = find_browser()
    if browser is None:
        print("render_report: no chromium/chrome on PATH; skipped (apt-get install chromium)", file=sys.stderr)
        return 0
    png = args.output or args.report.with_suffix(".png")
    try:
        render(args.report, png, width=args.width, height=args.height, browser=browser)
    except (RuntimeError, subprocess.TimeoutExpired, OSError) as exc:
        print(f"render_report: error: {exc}", file=sys.stderr)
        return 1
    print(f"{png} ({png.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
