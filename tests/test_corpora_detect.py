"""Script shares, language identification, detection per unit and token, CMI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lipyantar.align.script import ScriptShares, script_shares
from lipyantar.corpora.detect import DocumentDetection, cmi, detect_text, read_jsonl, tag_tokens
from lipyantar.corpora.langid import GROUPS, GroupDecision, LangIdModel, fold_word, load_model
from lipyantar.corpora.loading import load_corpus
from lipyantar.translit.errors import InputError, ModelError

DATA = Path(__file__).resolve().parent / "data"


# ------------------------------------------------------------------------------------ scripts


@pytest.mark.parametrize(
    ("text", "counts", "dominant"),
    [
        ("घर", (2, 0, 0, 0), "Devanagari"),  # matras and marks are not letters: घ र
        ("किताब", (3, 0, 0, 0), "Devanagari"),  # क त ब (ि ा are marks)
        ("ghar", (0, 4, 0, 0), "Latin"),
        ("خانه", (0, 0, 4, 0), "Arabic"),
        ("дом", (0, 0, 0, 3), "other"),
        ("घर ghar", (2, 4, 0, 0), "mixed"),  # Latin 4/6 = 67 % < 75 %
        ("घर gharbahar", (2, 9, 0, 0), "Latin"),  # 9/11 = 82 %
        ("123 ... !", (0, 0, 0, 0), "none"),
        ("", (0, 0, 0, 0), "none"),
    ],
)
def test_script_shares(text: str, counts: tuple[int, int, int, int], dominant: str) -> None:
    shares = script_shares(text)
    assert (shares.devanagari, shares.latin, shares.arabic, shares.other) == counts
    assert shares.dominant == dominant
    if shares.letters:
        assert sum(shares.shares().values()) == pytest.approx(1.0)
    assert ScriptShares.from_dict(shares.to_dict()) == shares


def test_script_shares_validation() -> None:
    with pytest.raises(ValueError):
        ScriptShares(-1, 0, 0, 0)


# ------------------------------------------------------------------------------------ langid


@pytest.mark.parametrize(
    ("word", "folded"),
    [("Hai", "hai"), ("don’t", "don't"), ("ṛṣi", "rsi"), ("كِتَابٌ", "كتاب"), ("می\u200cشود", "میشود")],
)
def test_fold_word(word: str, folded: str) -> None:
    assert fold_word(word) == folded


@pytest.mark.parametrize(
    ("text", "group", "language"),
    [
        ("main kal office nahi jaunga kyunki meri tabiyat theek nahi hai", "Latin", "hi-Latn"),
        ("yah sangathan antarrashtriya sanstha hai", "Latin", "hi-Latn"),
        ("I will not go to the office tomorrow because I am not feeling well", "Latin", "en"),
        ("The organization was established in 1951", "Latin", "en"),
        ("یہ ایک بین الاقوامی تنظیم ہے جو مہاجرین کی مدد کرتی ہے", "Arabic", "ur"),
        ("این سازمان یک نهاد بین‌المللی است که به مهاجران کمک می‌کند", "Arabic", "fa"),
        ("هذه المنظمة هي وكالة دولية تساعد المهاجرين في جميع أنحاء العالم", "Arabic", "ar"),
    ],
)
def test_classify_sentences(text: str, group: str, language: str) -> None:
    decision = load_model().classify(text.split(), group)
    assert decision.dominant == language
    assert decision.language == language
    assert decision.confidence > 0.99
    assert len(decision.token_languages) == len(text.split())


def test_classify_is_deterministic_and_empty_is_unknown() -> None:
    model = load_model()
    words = "yaar this movie was ekdum bakwas time waste ho gaya".split()
    assert model.classify(words, "Latin") == model.classify(words, "Latin")
    empty = model.classify([], "Latin")
    assert (empty.language, empty.dominant, empty.confidence) == ("unknown", "unknown", 0.0)
    with pytest.raises(ValueError):
        model.classify(["x"], "Cyrillic")


def test_code_mixed_sentence_is_mixed_with_token_tags() -> None:
    words = "yaar this movie was ekdum bakwas time waste ho gaya".split()
    decision = load_model().classify(words, "Latin")
    assert decision.language == "mixed"
    tags = dict(zip(words, decision.token_languages, strict=True))
    assert tags["movie"] == "en" and tags["waste"] == "en"
    assert tags["ekdum"] == "hi-Latn" and tags["gaya"] == "hi-Latn"


@pytest.mark.parametrize(
    ("text", "english"),
    [
        ("wo log the jo ghar gaye the", set()),  # "the" is also थे: it follows its Hindi neighbours
        ("vah ghar me he", set()),  # "he" is also है
        ("kachra phir kshetriya landfill tak le jaya jata hai", {"landfill"}),
        ("he is in the garden", {"he", "is", "in", "the", "garden"}),
    ],
)
def test_token_tags_follow_context(text: str, english: set[str]) -> None:
    words = text.split()
    decision = load_model().classify(words, "Latin")
    assert {w for w, t in zip(words, decision.token_languages, strict=True) if t == "en"} == english


def test_english_run_inside_hindi_keeps_its_language() -> None:
    words = "is shahar mein International Organization for Migration ka daftar hai".split()
    tags = dict(zip(words, load_model().classify(words, "Latin").token_languages, strict=True))
    assert all(tags[w] == "en" for w in ("International", "Organization", "for", "Migration"))
    assert all(tags[w] == "hi-Latn" for w in ("shahar", "ka", "daftar", "hai"))


def _held_out() -> list[tuple[str, str]]:
    rows = []
    for line in (DATA / "dakshina_dev_sentences_sample.tsv").read_text(encoding="utf-8").splitlines():
        roman = line.split("\t")[1]
        if len(roman.split()) >= 3:
            rows.append((roman, "hi-Latn"))
    for line in (DATA / "corpora" / "english_botchan_sample.txt").read_text(encoding="utf-8").splitlines():
        rows.append((line, "en"))
    return rows


def test_langid_accuracy_on_held_out_samples() -> None:
    """Held-out romanized Hindi (Dakshina dev sample) vs English (Botchan sample): the 98 % bar."""
    from lipyantar.translit.tokenize import tokenize

    model = load_model()
    rows = _held_out()
    correct = {"hi-Latn": 0, "en": 0}
    total = {"hi-Latn": 0, "en": 0}
    for text, label in rows:
        words = [t.text for t in tokenize(text) if t.kind == "latin"]
        total[label] += 1
        correct[label] += model.classify(words, "Latin").dominant == label
    assert total["hi-Latn"] >= 350 and total["en"] == 150
    assert sum(correct.values()) / sum(total.values()) >= 0.98
    assert correct["en"] / total["en"] >= 0.98


def test_group_decision_validation() -> None:
    with pytest.raises(ValueError):
        GroupDecision("Latin", "fa", "fa", 1.0, ())
    with pytest.raises(ValueError):
        GroupDecision("Latin", "en", "en", 1.5, ())
    assert set(GROUPS) == {"Latin", "Arabic"}


def test_bad_model_data_is_a_model_error() -> None:
    with pytest.raises(ModelError):
        LangIdModel({"format": "something-else", "version": 1})
    with pytest.raises(ModelError):
        LangIdModel({"format": "lipyantar-langid", "version": 1, "order": 5, "languages": {}})


# ------------------------------------------------------------------------------------ CMI


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({}, 0.0),
        ({"univ": 5}, 0.0),  # n == u
        ({"hi-Latn": 10}, 0.0),
        ({"hi-Latn": 5, "en": 5}, 50.0),
        ({"hi-Latn": 6, "en": 2, "univ": 4}, 25.0),  # 100 * (1 - 6 / (12 - 4))
        ({"hi": 3, "hi-Latn": 3, "en": 2}, 25.0),  # both Hindi tags count as one language
        ({"hi-Latn": 4, "en": 3, "fa": 1, "unknown": 2}, 50.0),  # 100 * (1 - 4/8)
    ],
)
def test_cmi_formula(counts: dict[str, int], expected: float) -> None:
    assert cmi(counts) == pytest.approx(expected)


def test_cmi_rejects_negative_counts() -> None:
    with pytest.raises(ValueError):
        cmi({"en": -1})


# ------------------------------------------------------------------------------------ detection


@pytest.mark.parametrize(
    ("prefix", "language", "script"),
    [("000", "hi", "Devanagari"), ("001", "hi-Latn", "Latin"), ("002", "en", "Latin"), ("003", "fa", "Arabic"),
     ("004", "en", "Latin")],
)  # fmt: skip
def test_example_corpus_documents(example_dir: Path, prefix: str, language: str, script: str) -> None:
    from lipyantar.corpora.detect import detect_document

    doc = next(d for d in load_corpus([example_dir]).documents if Path(d.source).name.startswith(prefix))
    det = detect_document(doc)
    assert det.language == language
    assert det.document.script == script
    assert det.document.confidence > 0.9


def test_example_romanized_twin_has_some_english_tokens(example_roman: Path) -> None:
    det = detect_text(example_roman.read_text(encoding="utf-8"), lines=False, paragraphs=False)
    counts = det.document.language_counts
    assert counts["hi-Latn"] > 5 * counts["en"] > 0  # "International Oorganistion for Migration", ...
    assert 0.0 < det.document.cmi < 20.0


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("यह घर है और वह स्कूल है", "hi"),
        ("yaar this movie was ekdum bakwas, time waste ho gaya", "mixed"),
        ("घर ghar", "mixed"),  # two scripts, none with 75 %
        ("Привет, как дела?", "unknown"),
        ("12345 !!!", "unknown"),
        ("", "unknown"),
    ],
)
def test_detect_text_languages(text: str, language: str) -> None:
    assert detect_text(text).language == language


def test_detect_levels_and_token_tags() -> None:
    text = "yah ghar hai aur vah school hai\n\nThe house is big and the school is old.\nयह घर है। 42"
    det = detect_text(text, tokens=True)
    assert [p.language for p in det.paragraphs] == ["hi-Latn", "en"]  # hi: 3 of 12 tokens < 30 %
    assert [(ln.line, ln.language) for ln in det.lines] == [(1, "hi-Latn"), (3, "en"), (4, "hi")]
    tags = {t.text: t.language for t in det.tokens}
    assert tags["ghar"] == "hi-Latn" and tags["house"] == "en" and tags["घर"] == "hi"
    assert tags["42"] == "univ" and tags["।"] == "univ"
    first = det.tokens[0]
    assert (first.text, first.start, first.line, first.script) == ("yah", 0, 1, "Latin")
    assert all(text[t.start : t.start + len(t.text)] == t.text for t in det.tokens)


def test_tag_tokens_skips_spaces() -> None:
    assert [t.text for t in tag_tokens("a  b\nc")] == ["a", "b", "c"]


def test_detection_json_round_trip() -> None:
    det = detect_text("yah ghar hai\nThe house is big.", source="x.txt", tokens=True)
    line = det.to_json()
    assert json.loads(line)["language"] == det.language
    (back,) = read_jsonl([line, ""])
    assert back.to_dict() == det.to_dict()
    assert len(back.tokens) == len(det.tokens) > 0
    assert DocumentDetection.from_dict(det.to_dict()).to_dict() == det.to_dict()


@pytest.mark.parametrize("line", ['{"source": "x"}', "[" * 100_000, '{"a": ' * 100_000])
def test_read_jsonl_bad_record_names_the_line(line: str) -> None:
    with pytest.raises(InputError) as info:
        read_jsonl(["", line])
    assert info.value.line == 2
