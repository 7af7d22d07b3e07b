from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
EXAMPLE = ROOT / "corpora" / "example"


@pytest.fixture(scope="session")
def example_dir() -> Path:
    return EXAMPLE


@pytest.fixture(scope="session")
def example_hindi() -> Path:
    return next(EXAMPLE.glob("000_*.txt"))


@pytest.fixture(scope="session")
def example_roman() -> Path:
    return next(EXAMPLE.glob("001_*.txt"))


@pytest.fixture(scope="session")
def dev_sentences() -> list[tuple[str, str]]:
    """400 Dakshina dev sentence pairs (native, romanized), vendored in tests/data."""
    rows = []
    for line in (DATA / "dakshina_dev_sentences_sample.tsv").read_text(encoding="utf-8").splitlines():
        native, roman = line.split("\t")
        rows.append((native, roman))
    return rows
