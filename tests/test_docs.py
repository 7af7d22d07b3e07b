"""The docs cannot drift: the README's ``pycon`` blocks and every docstring example run as doctests.

Each README block runs on its own (fresh globals) in a scratch directory where ``corpora/example`` is the
shipped example corpus, so the blocks' relative paths work and whatever they write stays out of the
checkout. The docstring examples are collected from every module of the installed ``lipyantar`` package
(modules whose optional dependencies are missing are skipped, with the reason).
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import lipyantar

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
EXAMPLE = ROOT / "corpora" / "example"
LAYERS = ("translit", "align", "corpora")
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

_BLOCK = re.compile(r"^```pycon\n(.*?)^```", re.M | re.S)


def _readme_blocks() -> list[tuple[int, str]]:
    text = README.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start()) + 2, m.group(1)) for m in _BLOCK.finditer(text)]


def _run(test: doctest.DocTest) -> str:
    """Run one doctest; the report of its failures ('' when it passed)."""
    out: list[str] = []
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    runner.run(test, out=out.append)
    return "".join(out)


def test_readme_has_doctest_blocks() -> None:
    # the quickstart and the learning walk-through are both pycon blocks, so both are checked below
    blocks = _readme_blocks()
    assert len(blocks) >= 2
    assert all(">>> " in block for _, block in blocks)


@pytest.mark.parametrize(("lineno", "block"), _readme_blocks(), ids=lambda v: f"line{v}" if isinstance(v, int) else "")
def test_readme_block(lineno: int, block: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "corpora").mkdir()
    (tmp_path / "corpora" / "example").symlink_to(EXAMPLE, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    test = doctest.DocTestParser().get_doctest(block, {}, f"README.md:{lineno}", str(README), lineno - 1)
    assert test.examples, f"README.md:{lineno}: a pycon block without examples"
    report = _run(test)
    assert not report, report


def _modules() -> list[str]:
    # the layers are packages of their own folders (setuptools' package-dir), not under lipyantar.__path__
    names = {lipyantar.__name__}
    for package in (lipyantar, *(importlib.import_module(f"lipyantar.{layer}") for layer in LAYERS)):
        names.add(package.__name__)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{package.__name__}."):
            names.add(info.name)
    return sorted(name for name in names if not name.endswith("__main__"))


def _docstring_tests() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for name in _modules():
        try:
            module = importlib.import_module(name)
        except ImportError:  # an optional extra (FastAPI, dask) not installed: its module has no examples here
            continue
        for test in doctest.DocTestFinder(exclude_empty=True).find(module, name):
            if test.examples and (test.filename or "").endswith(".py"):
                found.append((name, test.name))
    return found


_DOCSTRING_TESTS = _docstring_tests()


def test_docstring_examples_are_collected() -> None:
    # the walk finds the package's examples (transliterate's, the layers' module docs, ...)
    names = {test for _, test in _DOCSTRING_TESTS}
    assert "lipyantar.translit.transliterate.transliterate" in names
    assert "lipyantar.align.twin.pairs_from_twin" in names


@pytest.mark.parametrize(("module", "name"), _DOCSTRING_TESTS, ids=[t for _, t in _DOCSTRING_TESTS])
def test_docstring_example(module: str, name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    tests = [t for t in doctest.DocTestFinder().find(importlib.import_module(module), module) if t.name == name]
    assert len(tests) == 1
    report = _run(tests[0])
    assert not report, report
