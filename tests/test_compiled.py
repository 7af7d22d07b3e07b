"""The compiled kernels are optional: a missing one is warned about once, with the fix, unless the
pure-Python code was chosen (LIPYANTAR_PURE_PYTHON=1)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def test_missing_kernels_warn_once_with_the_fix(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import importlib

    from lipyantar.translit import compiled

    def missing(name: str) -> None:
        raise ImportError(f"No module named {name!r}")

    monkeypatch.setattr(compiled, "_warned", False)
    monkeypatch.delenv("LIPYANTAR_PURE_PYTHON", raising=False)
    monkeypatch.setattr(importlib, "import_module", missing)
    with caplog.at_level("DEBUG", logger="lipyantar.translit.compiled"):
        assert compiled.load_extension("learned._fastlm") is None
        assert compiled.load_extension("_fastrules") is None
        assert compiled.load_extension("_fastwordlang") is None
        assert compiled.load_extension("_fastalign", package="lipyantar.align") is None
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1
    assert (
        "pip install -e ." in warnings[0].getMessage()
        and "LIPYANTAR_PURE_PYTHON=1" in warnings[0].getMessage()
    )


def test_no_warning_when_pure_python_is_chosen(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from lipyantar.translit import compiled

    monkeypatch.setattr(compiled, "_warned", False)
    monkeypatch.setenv("LIPYANTAR_PURE_PYTHON", "1")
    with caplog.at_level("DEBUG", logger="lipyantar.translit.compiled"):
        assert compiled.load_extension("learned._fastlm") is None
    assert not [r for r in caplog.records if r.levelname == "WARNING"]


def test_running_from_a_checkout_without_kernels_warns(tmp_path: Path) -> None:
    """Python started in a source tree that has no compiled kernels says so, once, on stderr."""
    import shutil
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    # the checkout's layout as Python sees it without an install: lipyantar/ holding its layers
    ignore = shutil.ignore_patterns("*.so", "*.pyd", "__pycache__")
    shutil.copytree(root / "lipyantar", tmp_path / "lipyantar", ignore=ignore)
    for layer in ("translit", "align", "corpora"):
        shutil.copytree(root / layer, tmp_path / "lipyantar" / layer, ignore=ignore)
    env = {k: v for k, v in os.environ.items() if k != "LIPYANTAR_PURE_PYTHON"}
    proc = subprocess.run(
        [sys.executable, "-c", "import lipyantar.translit.rules, lipyantar.translit.learned.langmodel"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert proc.stderr.count("compiled kernels are not built") == 1, proc.stderr


@pytest.mark.parametrize(
    "first",
    [
        "lipyantar.translit.metrics",
        "lipyantar.align.similarity",
        "lipyantar.align",
        "lipyantar.corpora",
        "lipyantar",
        "lipyantar.cli",
        "lipyantar.translit",
    ],
)
def test_kernels_load_whichever_module_is_imported_first(first: str, tmp_path: Path) -> None:
    """No import order leaves a kernel unloaded (an import cycle through a package ``__init__`` once
    made ``lipyantar.translit.metrics`` fall back to Python when ``align`` was imported first)."""
    import subprocess
    import sys

    pytest.importorskip("lipyantar.translit.learned._fastlm")
    pytest.importorskip("lipyantar.translit._fastrules")
    pytest.importorskip("lipyantar.align._fastalign")
    pytest.importorskip("lipyantar.translit._fastwordlang")
    env = {k: v for k, v in os.environ.items() if k != "LIPYANTAR_PURE_PYTHON"}
    code = (
        f"import {first}\n"
        "import lipyantar.translit.metrics, lipyantar.translit.rules, lipyantar.translit.learned.langmodel as lm\n"
        "import lipyantar.align.words, lipyantar.translit.wordlang\n"
        "assert lipyantar.translit.metrics._FAST_EDIT is not None, 'metrics'\n"
        "assert lm.FAST is not None, 'langmodel'\n"
        "assert lipyantar.translit.rules.FAST is not None, 'rules'\n"
        "assert lipyantar.align.words.FAST is not None, 'align'\n"
        "assert lipyantar.translit.wordlang.FAST is not None, 'wordlang'\n"
    )
    # run outside the checkout, so that the installed package is imported (not the source tree)
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0 and not proc.stderr, proc.stderr
