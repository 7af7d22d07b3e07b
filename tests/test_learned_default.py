"""The shipped default model: accuracy on the vendored Dakshina dev sample, context, adaptation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from lipyantar.align.twin import pairs_from_twin
from lipyantar.model_cli import learn_command
from lipyantar.translit.learned.charalign import normalize_deva, normalize_roman
from lipyantar.translit.learned.cli import evaluate
from lipyantar.translit.learned.learn import adapt, read_pairs
from lipyantar.translit.learned.model import LearnedModel, default_model
from lipyantar.translit.transliterate import Transliterator

#: the quick lane leaves this module out (pytest -m "not slow")
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
EXAMPLE = ROOT / "corpora" / "example"


@pytest.fixture(scope="module")
def model() -> LearnedModel:
    return default_model()


@pytest.fixture(scope="module")
def twin_texts() -> tuple[str, str]:
    deva = next(EXAMPLE.glob("000_*.txt")).read_text(encoding="utf-8")
    roman = next(EXAMPLE.glob("001_*.txt")).read_text(encoding="utf-8")
    return deva, roman


@pytest.fixture(scope="module")
def adapted(model: LearnedModel, twin_texts: tuple[str, str]) -> LearnedModel:
    deva, roman = twin_texts
    return adapt(model, pairs_from_twin(deva, roman, model), native_text=[deva])


def test_default_model_is_cached_and_describes_itself(model: LearnedModel) -> None:
    assert default_model() is model
    assert model.meta.get("name") == "roman-default"
    assert "CC BY-SA" in model.meta.get("license", "")


def test_dev_sample_roman_to_deva(model: LearnedModel) -> None:
    pairs = read_pairs(DATA / "dakshina_dev_lexicon_sample.tsv")
    result = evaluate(model, pairs, direction="roman2deva")
    assert result.words == len(pairs)
    assert result.top1 >= 0.50
    assert result.top5 >= 0.75
    assert result.cer <= 0.16


def test_dev_sample_deva_to_roman(model: LearnedModel) -> None:
    pairs = read_pairs(DATA / "dakshina_dev_lexicon_sample.tsv")
    result = evaluate(model, pairs, direction="deva2roman")
    assert result.top1 >= 0.68
    assert result.top5 >= 0.88


@pytest.mark.parametrize(
    ("roman", "deva"),
    [
        ("namaste", "नमस्ते"),
        ("bharat", "भारत"),
        ("kitaab", "किताब"),
        ("europe", "यूरोप"),
        ("Ribosome", "राइबोसोम"),
        ("hindi", "हिंदी"),
        ("Sarkar", "सरकार"),
    ],
)
def test_common_words_roman_to_deva(model: LearnedModel, roman: str, deva: str) -> None:
    assert normalize_deva(deva) in [d for d, _ in model.devanagarize_topk(roman, 3)]


@pytest.mark.parametrize(
    ("deva", "romans"),
    [("है", {"hai", "he"}), ("नमस्ते", {"namaste"}), ("भारत", {"bharat"}), ("किताब", {"kitab", "kitaab"})],
)
def test_common_words_deva_to_roman(model: LearnedModel, deva: str, romans: set[str]) -> None:
    assert model.romanize(deva) in romans


def _wer(hyp: list[str], ref: list[str]) -> int:
    prev = list(range(len(ref) + 1))
    for i, h in enumerate(hyp, 1):
        cur = [i]
        for j, r in enumerate(ref, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (h != r)))
        prev = cur
    return prev[-1]


def test_sentences_with_context_beat_words_alone(model: LearnedModel) -> None:
    rows = [
        line.split("\t")
        for line in (DATA / "dakshina_dev_sentences_sample.tsv").read_text(encoding="utf-8").splitlines()
    ][:40]
    errors_ctx = errors_word = total = 0
    for native, roman in rows:
        words = [w for w in roman.split() if normalize_roman(w) and w.strip(".,;:!?()'\"").isalpha()]
        words = [w.strip(".,;:!?()'\"") for w in words]
        ref = [normalize_deva(w.strip("।,;:!?()'\"")) for w in native.split()]
        ref = [w for w in ref if w and not w.isascii() and not any(c.isdigit() for c in w)]
        ctx = model.devanagarize_words(words)
        assert len(ctx) == len(words)
        alone = [model.devanagarize(w) for w in words]
        errors_ctx += _wer(ctx, ref)
        errors_word += _wer(alone, ref)
        total += len(ref)
    assert errors_ctx / total <= 0.22
    assert errors_ctx <= errors_word


@pytest.mark.parametrize(("deva", "roman"), [("है", "he"), ("में", "main"), ("की", "kii"), ("का", "kaa")])
def test_adapted_model_reproduces_twin_habits(
    model: LearnedModel, adapted: LearnedModel, deva: str, roman: str
) -> None:
    assert adapted.romanize(deva) == roman
    assert adapted.devanagarize(roman) == deva


def test_adaptation_generalizes_to_held_out_paragraph(
    model: LearnedModel, twin_texts: tuple[str, str]
) -> None:
    deva, roman = twin_texts
    deva_pars = [p for p in deva.splitlines() if p.strip()]
    roman_pars = [p for p in roman.splitlines() if p.strip()]
    held_out = 2
    train_d = "\n".join(p for i, p in enumerate(deva_pars) if i != held_out)
    train_r = "\n".join(p for i, p in enumerate(roman_pars) if i != held_out)
    tuned = adapt(model, pairs_from_twin(train_d, train_r, model))
    pairs = pairs_from_twin(deva_pars[held_out], roman_pars[held_out], model)
    base_ok = sum(c for d, r, c in pairs if model.romanize(d) == r)
    tuned_ok = sum(c for d, r, c in pairs if tuned.romanize(d) == r)
    assert tuned_ok > base_ok


def test_learn_command_with_twin(tmp_path: Path) -> None:
    deva = next(EXAMPLE.glob("000_*.txt"))
    roman = next(EXAMPLE.glob("001_*.txt"))
    out = tmp_path / "twin.lpm"
    result = CliRunner().invoke(learn_command, ["--twin", str(deva), str(roman), "-o", str(out)])
    assert result.exit_code == 0, result.output
    tuned = LearnedModel.load(out)
    assert tuned.romanize("है") == "he"


def test_devanagarize_sentences_equals_one_sentence_at_a_time(model: LearnedModel, dev_sentences) -> None:
    sentences = [roman.split() for _, roman in dev_sentences[:80]] + [[], ["Ribosome", "ribosome"]]
    alone = [model.with_params().devanagarize_words(words) for words in sentences]
    fresh = model.with_params()  # nothing decoded yet: the batch decodes every word itself
    assert fresh.devanagarize_sentences(sentences) == alone
    assert fresh.devanagarize_sentences(sentences[:5]) == alone[:5]  # now from its cache
    assert fresh.devanagarize_sentences([]) == []


def test_transliterate_many_equals_transliterate(model: LearnedModel, dev_sentences) -> None:
    texts = [roman for _, roman in dev_sentences[:60]] + ["", "Hello. kya haal hai?\nDr. Rao aaye.", "१२ 3.5 www.x.in"]
    one = Transliterator("roman", "deva", model=model, digits="deva")
    many = Transliterator("roman", "deva", model=model.with_params(), digits="deva")
    assert many.transliterate_many(texts) == [one.transliterate(t) for t in texts]
    assert many.transliterate_many(iter(texts[:3])) == [one.transliterate(t) for t in texts[:3]]


def test_cli_one_word_lines_equal_the_api(model: LearnedModel) -> None:
    """A one-word line gets the API's answers: the single best in text, the top-k list in jsonl."""
    from lipyantar.cli import main

    words = sorted({normalize_roman(r) for _, r, _ in read_pairs(DATA / "dakshina_dev_lexicon_sample.tsv")})[:120]
    words += ["aasma", "adabi", "aape", "aaoo", "kal"]
    text = "".join(f"{w}\n" for w in words)
    runner = CliRunner()
    out = runner.invoke(main, ["convert", "-f", "roman", "-t", "deva"], input=text, catch_exceptions=False)
    assert out.exit_code == 0
    assert out.output.splitlines() == [model.devanagarize(w) for w in words]
    out = runner.invoke(
        main, ["convert", "-f", "roman", "-t", "deva", "--format", "jsonl", "--top-k", "5"], input=text
    )
    assert out.exit_code == 0
    got = [[c["text"] for c in json.loads(line)["candidates"]] for line in out.output.splitlines()]
    assert got == [[d for d, _ in model.devanagarize_topk(w, 5)] for w in words]
    # with punctuation around it, a lone word is still a word
    assert Transliterator("roman", "deva", model=model)("aasma?") == model.devanagarize("aasma") + "?"



@pytest.mark.parametrize(
    "text",
    [
        "mujhe next week ki meeting ke baare mein batana hai",
        "mujhe office jaana hai aur computer chahiye",  # lone loanwords among Hindi words
    ],
)
def test_english_keep_leaves_english_words_in_latin(model: LearnedModel, text: str) -> None:
    keep = Transliterator("roman", "deva", model=model, english="keep")(text)
    plain = Transliterator("roman", "deva", model=model)(text)
    english = [w for w in text.split() if w in ("next", "week", "meeting", "office", "laptop", "computer")]
    assert all(w in keep.split() for w in english)
    assert "मुझे" in keep.split() and ("है" in keep.split() or "हैं" in keep.split())  # Hindi words are converted
    assert plain.isascii() is False and not any(w.isascii() for w in plain.split())
    # only the English words differ
    pairs = list(zip(text.split(), keep.split(), plain.split(), strict=True))
    assert all(k == (w if w in english else p) for w, k, p in pairs)
    assert model.is_english("office", model.devanagarize("office"))
    assert not model.is_english("se", "से")  # a common Hindi word, whatever its English sound
    with pytest.raises(ValueError, match="english"):
        Transliterator("roman", "deva", model=model, english="drop")  # type: ignore[arg-type]
    from lipyantar.cli import main

    out = CliRunner().invoke(main, ["convert", "-f", "roman", "-t", "deva", "--english", "keep"], input=text + "\n")
    assert out.exit_code == 0 and out.output == keep + "\n"
    # detecting the scheme keeps the choice
    assert Transliterator("auto", "deva", model=model, english="keep")(text) == keep


@pytest.mark.parametrize(
    ("text", "whole"),
    [
        ("mera e-mail check karo", "e-mail"),  # the decision reads e as Hindi, mail as English: kept whole
        ("ghar-ghar jaakar dekho", "घर-घर"),
        ("dhire-dhire chalo", "धीरे-धीरे"),
    ],
)
def test_english_keep_decides_a_hyphenated_word_as_one(model: LearnedModel, text: str, whole: str) -> None:
    out = Transliterator("roman", "deva", model=model, english="keep")(text)
    assert whole in out.split()
    for word in out.split():  # no compound in two scripts
        parts = [p for p in word.split("-") if p]
        assert len({p.isascii() for p in parts}) <= 1, out


def test_context_as_evidence_keeps_the_common_reading(model: LearnedModel) -> None:
    """With sentence.pmi (the n-gram model adds only log P(w | context) / P(w); how common a word is comes
    from the broader unigram prior), a word that the Wikipedia n-gram model knows mostly in another
    sense (काल 'era') or not at all (कॉल) keeps its common reading, and context still decides where
    it informs (महाभारत काल)."""
    evidence = model.with_params(
        {"sentence.pmi": 1.0, "sentence.w_prior": 1.8, "sentence.w_oov_prior": 0.0, "sentence.oov_logprob": -3.0}
    )
    assert evidence.devanagarize_words("main kal office nahi aaunga".split())[1] == "कल"
    assert evidence.devanagarize_words("please mujhe call karo".split())[2] == "कॉल"
    assert evidence.devanagarize_words("mahabharat kal ki katha".split())[1] == "काल"


@pytest.mark.parametrize("text", ["e-mail", "mera naam rahul hai", "kal office jaana hai", "T-shirt"])
def test_candidates_of_several_words_are_best_first(model: LearnedModel, text: str) -> None:
    """The sentence-context best goes first, and scores and probabilities never rise down the list
    (the context-free scores alone may rank another text first: e-mail's ई-मेल, with context, against
    ई-मैल, without)."""
    to_deva = Transliterator("roman", "deva", model=model)
    cands = to_deva.candidates(text, top_k=5)
    assert cands[0].text == to_deva(text)
    assert [c.score for c in cands] == sorted((c.score for c in cands), reverse=True)
    assert [c.prob for c in cands] == sorted((c.prob for c in cands), reverse=True)
    assert len({c.text for c in cands}) == len(cands)


def test_a_long_devanagari_word_is_romanized_in_pieces(model: LearnedModel) -> None:
    """Past MAX_DEVA_CHARS a "word" is romanized piece by piece (the search over the whole took a few KB
    a character), has one candidate, and is not cached."""
    from lipyantar.translit.learned.model import MAX_DEVA_CHARS, syllable_pieces

    word = "कमलनयनहिंदुस्तान" * 40
    assert len(word) > MAX_DEVA_CHARS
    pieces = syllable_pieces(word)
    assert len(pieces) > 1 and all(len(p) <= MAX_DEVA_CHARS for p in pieces)
    expected = "".join(model.romanize_topk(p, 1)[0][0] for p in pieces)
    assert model.romanize(word) == expected
    assert [text for text, _ in model.romanize_topk(word, 5)] == [expected]
    assert [c.text for c in model.romanize_candidates(word, 5)] == [expected]
    assert word not in model._best_cache and (word, 5) not in model._d2r_cache
    assert Transliterator("deva", "roman").transliterate(f"{word} है") == f"{expected} {model.romanize('है')}"


def test_a_devanagari_word_of_the_longest_length_is_searched_whole(model: LearnedModel) -> None:
    from lipyantar.translit.learned.model import MAX_DEVA_CHARS

    word = ("कमलनयन" * 50)[:MAX_DEVA_CHARS]
    assert model.romanize_topk(word, 3) == model._romanize_search(word, 3)
    assert len(model.romanize_topk(word, 3)) == 3
