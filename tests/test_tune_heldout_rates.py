"""The casual-typing rates that ``scripts/tune_heldout.py`` types its held-out sentences with."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "tune_heldout.py"


@pytest.fixture(scope="module")
def tune_heldout() -> ModuleType:
    spec = importlib.util.spec_from_file_location("tune_heldout", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _queries(tmp_path: Path, rows: list[tuple[str, str]]) -> Path:
    path = tmp_path / "train.tsv"
    lines = ["en_query\tcs_query\ten_parse\tcs_parse\tdomain"] + [f"{en}\t{cs}\t-\t-\tx" for en, cs in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("rows", "rate", "words"),
    [
        # mein (में) typed whole once, without its nasal twice
        ([("what is at home", "ghar mein kya hai"), ("at home", "ghar mei"), ("home", "mei ghar")], 2 / 3, 3),
        # nahi is also the lexicon's romanization of नहीं: the shorter form does not say a nasal was left out
        ([("no", "nahi"), ("no", "nahin")], 0.0, 0),
        # a word of the English original is English, not Hindi typed casually
        ([("play mei songs", "mei songs play karo")], 0.0, 0),
    ],
)
def test_the_nasal_drop_rate_of_real_queries(
    tune_heldout: ModuleType, tmp_path: Path, rows: list[tuple[str, str]], rate: float, words: int
) -> None:
    got_rate, got_words = tune_heldout.hinglish_top_nasal_drop(_queries(tmp_path, rows))
    assert got_words == words
    assert got_rate == pytest.approx(rate)


@pytest.mark.parametrize(
    ("word", "english", "conventions"),
    [
        ("weeks", True, False),  # an English word, no name convention
        ("rekha", False, True),  # final consonant + a
        ("sunny", True, True),  # English and final consonant + y, doubled n
        ("kal", False, False),  # romanized Hindi, no convention
    ],
)
def test_word_classes(tune_heldout: ModuleType, word: str, english: bool, conventions: bool) -> None:
    from lipyantar.translit.learned import default_model

    classes = tune_heldout.word_classes(default_model(), [word])
    assert (word in classes["english"], word in classes["conventions"]) == (english, conventions)


@pytest.mark.parametrize(
    ("before", "after", "changes"),
    [
        # nothing changed
        ({"a": "अ", "b": "ब"}, {"a": "अ", "b": "ब"}, {"changed": 0, "net_neutral": 0, "net_lexicon": 0}),
        # fixed away from a lexicon word: the split's artifact
        ({"a": "लक", "b": "ब"}, {"a": "अ", "b": "ब"}, {"changed": 1, "net_neutral": 0, "net_lexicon": 1}),
        # fixed between two words outside the lexicon: a gain on its merits
        ({"a": "आ", "b": "ब"}, {"a": "अ", "b": "ब"}, {"changed": 1, "net_neutral": 1, "net_lexicon": 0}),
        # broken towards a lexicon word, and one fixed on its merits
        (
            {"a": "आ", "b": "ब"},
            {"a": "अ", "b": "लक"},
            {"changed": 2, "net_neutral": 1, "net_lexicon": -1},
        ),
        # a wrong answer for another wrong one
        ({"a": "आ", "b": "ब"}, {"a": "ऐ", "b": "ब"}, {"changed": 1, "net_neutral": 0, "net_lexicon": 0}),
    ],
)
def test_lexicon_changes(
    tune_heldout: ModuleType, before: dict[str, str], after: dict[str, str], changes: dict[str, int]
) -> None:
    gold = {"a": {"अ"}, "b": {"ब"}}
    assert tune_heldout.lexicon_changes(gold, before, after, {"लक"}) == changes
