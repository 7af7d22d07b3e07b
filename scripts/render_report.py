"""Render a build's ``report.html`` to a PNG with headless Chromium, to check that it opens and shows plots.

Usage::

    python scripts/render_report.py out/example/report.html [-o report.png] [--width 1200] [--height 3000]
    python scripts/render_report.py out/example/report.html --check-exports [--export-dir DIR]

Needs a Chromium (or Chrome) binary on PATH (Debian: ``apt-get install chromium``); without one it says
so and exits 0 (nothing to check). Exits 1 when the browser fails or writes no image.

``--check-exports`` opens the report at ``#selftest``, where the page's own export script draws the PNG
of every plot; it prints one line per plot (PNG bytes and size, SVG length), saves the PNGs into
``--export-dir`` (default: ``<report>-exports/``) and exits 1 when a plot's PNG is empty or missing.
"""

from __future__ import annotations

import argparse
import base64
import html
import re
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


_BROWSER_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def check_exports(report: Path, outdir: Path, *, browser: str, timeout: float = 120.0) -> list[str]:
    """Run the report's export self-test; returns its lines (one per plot) and writes the PNGs into
    ``outdir``. Raises RuntimeError when the browser fails or a plot has no PNG."""
    with tempfile.TemporaryDirectory(prefix="render-report-") as profile:
        command = [
            browser,
            *_BROWSER_FLAGS,
            f"--user-data-dir={profile}",
            "--virtual-time-budget=15000",
            "--dump-dom",
            report.resolve().as_uri() + "#selftest",
        ]
        proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    found = re.search(r'<pre id="selftest"( data-done="1")?>(.*?)</pre>', proc.stdout, re.S)
    if proc.returncode != 0 or found is None:
        raise RuntimeError(f"{Path(browser).name} failed (exit {proc.returncode}): {proc.stderr.strip()[-500:]}")
    lines = [line for line in html.unescape(found.group(2)).splitlines() if line.strip()]
    plots = set(re.findall(r'<svg class="plot" data-plot="([^"]+)"', report.read_text(encoding="utf-8")))
    images = re.findall(r'<img class="selftest-png" data-plot="([^"]+)" src="data:image/png;base64,([^"]+)"', proc.stdout)
    outdir.mkdir(parents=True, exist_ok=True)
    for name, data in images:
        (outdir / f"{name}.png").write_bytes(base64.b64decode(data))
    missing = sorted(plots - {name for name, _ in images})
    if not found.group(1) or missing or any(" png 0 bytes" in line for line in lines):
        raise RuntimeError(f"plots without a PNG export: {', '.join(missing) or '(see above)'}\n" + "\n".join(lines))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("report", type=Path, help="report.html of a build")
    parser.add_argument("-o", "--output", type=Path, help="PNG to write (default: next to the report)")
    parser.add_argument("--width", type=int, default=1200)
    parser.add_argument("--height", type=int, default=3000)
    parser.add_argument("--check-exports", action="store_true", help="check every plot's PNG/SVG export")
    parser.add_argument("--export-dir", type=Path, help="where --check-exports saves the PNGs")
    args = parser.parse_args(argv)
    if not args.report.is_file():
        print(f"render_report: error: no such file: {args.report}", file=sys.stderr)
        return 1
    browser = find_browser()
    if browser is None:
        print("render_report: no chromium/chrome on PATH; skipped (apt-get install chromium)", file=sys.stderr)
        return 0
    if args.check_exports:
        outdir = args.export_dir or args.report.with_name(args.report.stem + "-exports")
        try:
            for line in check_exports(args.report, outdir, browser=browser):
                print(line)
        except (RuntimeError, subprocess.TimeoutExpired, OSError) as exc:
            print(f"render_report: error: {exc}", file=sys.stderr)
            return 1
        print(f"PNGs written to {outdir}")
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
