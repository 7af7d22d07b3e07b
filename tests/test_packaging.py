"""The built wheel: the front door, the model and the data licences are inside, and the metadata names
both licences and the console script. Built offline from this checkout (no build isolation, no
compiled kernels: ``LIPYANTAR_PURE_PYTHON=1`` at build time skips them)."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

#: the quick lane leaves this module out (pytest -m "not slow")
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    pytest.importorskip("setuptools", minversion="77")
    out = tmp_path_factory.mktemp("wheel")
    env = {**os.environ, "LIPYANTAR_PURE_PYTHON": "1", "PIP_NO_INDEX": "1"}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        env=env,
        capture_output=True,
    )
    (path,) = out.glob("lipyantar-*.whl")
    return zipfile.ZipFile(path)


def _dist_info(wheel: zipfile.ZipFile) -> str:
    (name,) = {n.split("/")[0] for n in wheel.namelist() if n.split("/")[0].endswith(".dist-info")}
    return name


@pytest.mark.parametrize("licence", ["LICENSE", "DATA_LICENSES.md", "scripts/data/cmudict/LICENSE"])
def test_wheel_carries_the_licences(wheel: zipfile.ZipFile, licence: str) -> None:
    path = f"{_dist_info(wheel)}/licenses/{licence}"
    assert wheel.read(path) == (ROOT / licence).read_bytes()


@pytest.mark.parametrize(
    "member",
    [
        "lipyantar/__init__.py",
        "lipyantar/__main__.py",
        "lipyantar/cli.py",
        "lipyantar/py.typed",
        "lipyantar/translit/learned/data/roman-default.lpm",
        "lipyantar/translit/data/langid.tables",
        "lipyantar/corpora/example/000_fe791b896c794821.txt",
    ],
)
def test_wheel_carries_the_package_and_its_data(wheel: zipfile.ZipFile, member: str) -> None:
    assert member in wheel.namelist()


def test_wheel_has_one_top_level_package(wheel: zipfile.ZipFile) -> None:
    """lipyantar installs one import package; its layers are lipyantar.translit, .align and .corpora
    (names that other projects on the package index own must not be top-level here)."""
    tops = {n.split("/")[0] for n in wheel.namelist()}
    assert tops == {"lipyantar", _dist_info(wheel)}
    for layer in ("translit", "align", "corpora"):
        assert f"lipyantar/{layer}/__init__.py" in wheel.namelist()


def test_wheel_metadata(wheel: zipfile.ZipFile) -> None:
    info = _dist_info(wheel)
    metadata = wheel.read(f"{info}/METADATA").decode()
    assert "License-Expression: MIT AND CC-BY-SA-4.0" in metadata
    assert "License-File: DATA_LICENSES.md" in metadata
    assert "Project-URL: Source," in metadata
    assert "Intended Audience :: Science/Research" in metadata
    assert "lipyantar = lipyantar.cli:main" in wheel.read(f"{info}/entry_points.txt").decode()
    assert not any(n.startswith(("tests/", "scripts/")) for n in wheel.namelist())


def test_wheel_stays_small(wheel: zipfile.ZipFile) -> None:
    assert Path(wheel.filename or "").stat().st_size <= 25 * 1024 * 1024
