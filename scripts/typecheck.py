#!/usr/bin/env python3
"""Type-check the package as it is installed: ``lipyantar`` with its layers ``lipyantar.translit``,
``lipyantar.align`` and ``lipyantar.corpora``.

The layers live in the repository's top-level folders (setuptools' package-dir), which mypy cannot map
to their import names; this script lays out the installed package as symbolic links in a scratch
directory and runs ``mypy -p lipyantar`` on it with the settings of ``pyproject.toml`` (``[tool.mypy]``).
Error paths are given relative to the repository. CI runs it; exits with mypy's status.

Usage::

    python scripts/typecheck.py [extra mypy options]
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = {"translit": "translit", "align": "align", "corpora": "corpora"}


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="lipyantar-typecheck-") as tmp:
        package = Path(tmp) / "lipyantar"
        package.mkdir()
        for entry in (ROOT / "lipyantar").iterdir():
            if entry.name != "__pycache__":
                (package / entry.name).symlink_to(entry)
        for name, folder in LAYERS.items():
            (package / name).symlink_to(ROOT / folder, target_is_directory=True)
        command = [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
                   "--cache-dir", str(Path(tmp) / ".mypy_cache"), "-p", "lipyantar", *argv]
        done = subprocess.run(command, cwd=tmp, capture_output=True, text=True)
        out = done.stdout
        for name, folder in LAYERS.items():  # lipyantar/translit/x.py -> translit/x.py, as in the checkout
            out = out.replace(f"lipyantar/{name}/", f"{folder}/")
        sys.stdout.write(out)
        sys.stderr.write(done.stderr)
        return done.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
