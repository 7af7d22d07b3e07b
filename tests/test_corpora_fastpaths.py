"""The fast paths of the per-document analysis give the same results as the plain definitions.

Detection streams the lines and keeps counts (one tokenization a line, word evidence memoized per word
type, a two-language Viterbi without the generic loop); statistics tag each sentence once and count
characters per distinct character; twin discovery reduces each word type to its skeleton once;
paragraph line numbers are counted on, not from the start. Each is checked here against the definition
it replaces, written out plainly (the code before issue 30).
"""

from __future__ import annotations

import math
import random
import unicodedata
from collections import Counter
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lipyantar.align.script import ScriptShares, char_script, script_shares
from lipyantar.align.segment import split_sentences
from lipyantar.corpora import langid as langid_module
from lipyantar.corpora import twins as twins_module
from lipyantar.corpora.counting import _char_class, document_counts
from lipyantar.corpora.detect import TokenTag, UnitDetection, cmi, detect_text, tag_tokens
from lipyantar.corpora.langid import GROUPS, MIXED_MIN_TOKENS, MIXED_SHARE, WORD_CLIP, _viterbi, load_model
from lipyantar.corpora.loading import Document
from lipyantar.corpora.segment import Span, paragraphs
from lipyantar.corpora.twins import TwinProfile, skeleton
from lipyantar.translit.tokenize import Token, tokenize
from lipyantar.translit.wordlang import CharLM, load_tables

# ----------------------------------------------------------------------------- the definitions

_WORD_KINDS = ("deva", "latin", "word")


def _ref_token_script(text: str, kind: str) -> str:
    return char_script(text[0]) or "other" if kind in _WORD_KINDS else "none"


def _ref_classify(words: Sequence[str], group: str) -> tuple[str, str, float, tuple[str, ...]]:
    """LangIdModel.classify by its definition: summed clipped posteriors, the generic Viterbi."""
    model = load_model()
    langs = GROUPS[group]
    if not words:
        return "unknown", "unknown", 0.0, ()
    per_word = [model.word_posteriors(w, group) for w in words]
    totals = [0.0] * len(langs)
    for post in per_word:
        for i, lp in enumerate(post):
            totals[i] += max(lp, -WORD_CLIP)
    top = max(totals)
    norm = top + math.log(sum(math.exp(t - top) for t in totals))
    best = max(range(len(langs)), key=lambda i: (totals[i], -i))
    confidence = min(1.0, max(0.0, math.exp(totals[best] - norm)))
    tags = [langs[i] for i in _viterbi(per_word, best)]
    minority = len(tags) - tags.count(langs[best])
    mixed = minority >= MIXED_MIN_TOKENS and minority / len(tags) >= MIXED_SHARE
    return ("mixed" if mixed else langs[best]), langs[best], confidence, tuple(tags)


def _ref_tag_tokens(text: str) -> list[TokenTag]:
    tags = []
    offset = 0
    for number, line in enumerate(text.split("\n"), start=1):
        toks = [
            (t.text, t.kind, t.start + offset, _ref_token_script(t.text, t.kind))
            for t in tokenize(line)
            if t.kind != "space"
        ]
        offset += len(line) + 1
        languages: dict[int, str] = {}
        for group in GROUPS:
            indices = [i for i, tok in enumerate(toks) if tok[3] == group]
            if indices:
                decision = _ref_classify([toks[i][0] for i in indices], group)
                languages.update(zip(indices, decision[3], strict=True))
        for i, (tok, kind, start, script) in enumerate(toks):
            if i in languages:
                lang = languages[i]
            elif script == "Devanagari":
                lang = "hi"
            elif kind in _WORD_KINDS:
                lang = "unknown"
            else:
                lang = "univ"
            tags.append(TokenTag(tok, start, number, kind, script, lang))
    return tags


def _ref_shares(text: str) -> ScriptShares:
    counts = dict.fromkeys(("Devanagari", "Latin", "Arabic", "other"), 0)
    for ch in text:
        script = char_script(ch)
        if script is not None:
            counts[script] += 1
    return ScriptShares(*counts.values())


def _ref_decide(level: str, index: int, line: int, text: str, tags: Sequence[TokenTag]) -> UnitDetection:
    shares = _ref_shares(text)
    counts = Counter(t.language for t in tags)
    script = shares.dominant
    language, confidence = "unknown", 0.0
    if script == "Devanagari":
        language, confidence = "hi", shares.shares()["Devanagari"]
    elif script == "mixed":
        language, confidence = "mixed", 1.0 - max(shares.shares().values())
    elif script in GROUPS:
        _language, dominant, confidence, _tags = _ref_classify([t.text for t in tags if t.script == script], script)
        language = dominant
        if not any(counts.get(lang, 0) for lang in GROUPS[script]):
            language, confidence = "unknown", 0.0
        else:
            merged: Counter[str] = Counter()
            for lang, count in counts.items():
                if lang not in ("univ", "unknown"):
                    merged["hi" if lang == "hi-Latn" else lang] += count
            main = "hi" if dominant == "hi-Latn" else dominant
            minority = sum(merged.values()) - merged[main]
            if minority >= MIXED_MIN_TOKENS and minority / sum(merged.values()) >= MIXED_SHARE:
                language = "mixed"
    n_tokens = sum(1 for t in tags if t.kind in _WORD_KINDS or t.kind == "number")
    return UnitDetection(level, index, line, shares, language, min(1.0, confidence), n_tokens, dict(counts))


def _ref_paragraphs(text: str) -> list[Span]:
    import regex

    out: list[Span] = []
    pos = 0
    for piece in [*regex.finditer(r"\n[ \t\f\v\u00a0]*\n\s*", text), None]:
        end = piece.start() if piece is not None else len(text)
        block = text[pos:end]
        if block.strip():
            lead = len(block) - len(block.lstrip())
            out.append(Span(block.strip(), len(out), text.count("\n", 0, pos + lead) + 1))
        if piece is not None:
            pos = piece.end()
    return out


def _ref_detect(text: str) -> dict[str, object]:
    tags = _ref_tag_tokens(text)
    document = _ref_decide("document", 0, 1, text, tags)
    spans = _ref_paragraphs(text)
    bounds = [s.line for s in spans] + [text.count("\n") + 2]
    para = [
        _ref_decide("paragraph", s.index, s.line, s.text, [t for t in tags if s.line <= t.line < end])
        for s, end in zip(spans, bounds[1:], strict=True)
    ]
    lines = []
    for number, line_text in enumerate(text.split("\n"), start=1):
        if line_text.strip():
            inside = [t for t in tags if t.line == number]
            lines.append(_ref_decide("line", len(lines), number, line_text, inside))
    return {"document": document, "paragraphs": para, "lines": lines, "tokens": tags}


def _ref_characters(text: str) -> dict[str, dict[str, int]]:
    chars: dict[str, Counter[str]] = {}
    previous = "other"
    for ch in text:
        cls = _char_class(ch)
        if cls == "inherited":
            cls = previous if previous in ("Devanagari", "Latin", "Arabic") else "other"
        if cls is not None:
            chars.setdefault(cls, Counter())[ch] += 1
            previous = cls
    return {name: dict(c) for name, c in chars.items()}


def _ref_counts(text: str, language: str, presplit: bool) -> tuple[object, ...]:
    if presplit:
        sentences = [line.strip() for line in text.split("\n") if line.strip()]
    else:
        script = {"hi": "deva", "hi-Latn": "roman", "en": "roman"}.get(language, "auto")
        sentences = [s.text for s in split_sentences(text, script=script)]  # type: ignore[arg-type]
    lengths, types, token_languages, romanized, cmis = [], set(), Counter(), Counter(), []
    for sentence in sentences:
        words = [t.text for t in tokenize(sentence) if t.kind in ("deva", "latin", "word", "number")]
        if not words:
            continue
        lengths.append(len(words))
        types.update(w.lower() for w in words)
        tags = Counter(t.language for t in _ref_tag_tokens(sentence))
        token_languages.update(tags)
        if language == "hi-Latn":
            romanized.update({k: v for k, v in tags.items() if k in ("hi-Latn", "en")})
            cmis.append(cmi(tags))
    return (
        len(_ref_paragraphs(text)),
        tuple(lengths),
        frozenset(types),
        dict(token_languages),
        dict(romanized),
        tuple(cmis),
    )


def _ref_skeletons(text: str) -> list[str]:
    import regex

    from lipyantar.translit.rules import romanize_word

    out = []
    for tok in regex.findall(r"[\p{sc=Deva}\p{M}]+|\p{Latin}+|[0-9०-९]+", text):
        if regex.match(r"\p{sc=Deva}", tok):
            tok = romanize_word(tok) or tok
        key = skeleton(tok.translate(str.maketrans("०१२३४५६७८९", "0123456789")))
        if key:
            out.append(key)
    return out


# ----------------------------------------------------------------------------- the texts

TEXTS = [
    "",
    "\n\n",
    "नमस्ते दुनिया। क्या हाल है?",
    "kya haal hai bhai, sab theek? main landfill tak gaya tha.",
    "Please Liz ke liye video message banaye\nAlarm create karo at 4 pm and 9 pm on tuesday",
    "International Organization for Migration ne kaha ki log aksar yahan aate hain",
    "मैंने कहा hello और वो बोला kya haal hai.\n\nदूसरा अनुच्छेद यहाँ है।\nउसकी दूसरी पंक्ति।",
    "سلام دنیا کیا حال ہے\nمرحبا بالعالم في كل مكان",
    "Привет мир 日本 한국어 ᄀ",
    "visit http://x.org/a?b=1 or www.ex.com. mail a.b@c.in at 12:30, १९१९ या 1.5",
    "café e\u0301 ṛṣi don't ǅ ﬁ İ ß",  # Latin with a combining mark (script Inherited)
    "क\u0951 ख\u0952 \u0951\u0952 \u0300 कि\u0952 ा ्",  # Devanagari stress signs, marks without a letter
    "\u0301 at the start, then  \t\u00a0\u2003 odd spaces\r\nand a CR\x0c\x1c",
    "  \n  indented first paragraph\n\n\n   second\n \n third after a line of spaces",
    "the is he to the is he to",  # words of both languages: the line decides
]

_PIECES = [
    "नमस्ते", "दुनिया", "क्या", "है", "।", "॥", "kya", "haal", "hai", "the", "is", "landfill", "International",
    "سلام", "دنیا", "ہے", "مرحبا", "Привет", "http://x.org/a", "www.ex.com.", "a.b@c.in", "1.5", "१९१९",
    "don't", "ṛṣi", "e\u0301", "\u0951", "\u0300", "क\u0951", "\u200d", ",", ".", "?", "\"", "(", ")", "😀",
    "ा", "्", "Dr.", "U.N.", "ई-मेल",
]
_SEPARATORS = [" ", " ", " ", "", "\n", "\n\n", "  ", "\t", "\n \n"]
TEXT = st.lists(st.tuples(st.sampled_from(_PIECES), st.sampled_from(_SEPARATORS)), max_size=40).map(
    lambda parts: "".join(p + s for p, s in parts)
)


# ----------------------------------------------------------------------------- the checks


def _check_detect(text: str) -> None:
    ref = _ref_detect(text)
    got = detect_text(text, paragraphs=True, lines=True, tokens=True)
    assert got.document == ref["document"]
    assert list(got.paragraphs) == ref["paragraphs"]
    assert list(got.lines) == ref["lines"]
    assert list(got.tokens) == ref["tokens"]
    assert tag_tokens(text) == ref["tokens"]
    # the build's call: the document level only
    assert detect_text(text, paragraphs=False, lines=False).document == ref["document"]


@pytest.mark.parametrize("text", TEXTS)
def test_detection_matches_the_definition(text: str) -> None:
    _check_detect(text)


@settings(max_examples=60, deadline=None)
@given(TEXT)
def test_detection_matches_the_definition_on_mixed_text(text: str) -> None:
    _check_detect(text)


def _check_counts(text: str) -> None:
    for language in ("hi", "hi-Latn", "en", "mixed"):
        for presplit in (False, True):
            got = document_counts(Document("x", text, "UTF-8"), language=language, presplit=presplit)
            assert (
                got.paragraphs,
                got.lengths,
                got.types,
                got.token_languages,
                got.romanized,
                got.cmis,
            ) == _ref_counts(text, language, presplit)
            ref_chars = _ref_characters(text)
            assert got.characters == ref_chars
            # the characters in the order they first appear, as counting in text order gives
            assert [list(table) for table in got.characters.values()] == [
                list(ref_chars[name]) for name in got.characters
            ]


@pytest.mark.parametrize("text", TEXTS)
def test_document_counts_match_the_definition(text: str) -> None:
    _check_counts(text)


@settings(max_examples=40, deadline=None)
@given(TEXT)
def test_document_counts_match_the_definition_on_mixed_text(text: str) -> None:
    _check_counts(text)


@pytest.mark.parametrize("limit", [1, 2, 50_000])
def test_document_counts_of_repeated_sentences_match_the_definition(monkeypatch: pytest.MonkeyPatch, limit: int) -> None:
    """A sentence that comes again is counted from the memo (whatever its size) as if tagged again."""
    from lipyantar.corpora import counting

    monkeypatch.setattr(counting, "SENTENCE_MEMO_LIMIT", limit)
    sentences = ["yeh the is he to.", "kya haal hai?", "नमस्ते दुनिया।", "landfill International is.", "१९१९ या 1.5!"]
    text = " ".join(sentences[k] for k in (0, 1, 0, 2, 3, 1, 0, 4, 2, 2, 3)) + "\n\n" + " ".join(sentences[::-1])
    _check_counts(text)


@settings(max_examples=60, deadline=None)
@given(TEXT)
def test_script_shares_and_paragraphs_match_the_definition(text: str) -> None:
    assert script_shares(text) == _ref_shares(text)
    assert paragraphs(text) == _ref_paragraphs(text)


@pytest.mark.parametrize("text", TEXTS)
def test_skeletons_match_the_definition(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(twins_module, "_SKELETONS", {})
    first = twins_module._skeletons(text)
    assert first == _ref_skeletons(text)
    assert twins_module._skeletons(text) == first  # from the memo
    monkeypatch.setattr(twins_module, "_SKELETONS", {})
    monkeypatch.setattr(twins_module, "SKELETON_MEMO_LIMIT", 2)  # started afresh again and again
    assert twins_module._skeletons(text) == first
    assert len(twins_module._SKELETONS) <= 2


def _ref_profile(words: Sequence[str]) -> tuple[object, ...]:
    out: list[object] = [len(words)]
    for n in (2, 3):
        counts = Counter(twins_module._gram_key(tuple(words[i : i + n])) for i in range(len(words) - n + 1))
        keys = sorted(counts)
        out += [keys, [counts[k] for k in keys], sum(counts.values())]
    return tuple(out)


def _profile(profile: TwinProfile) -> tuple[object, ...]:
    return (
        profile.words,
        list(profile.bigram_keys),
        list(profile.bigram_counts),
        profile.bigram_total,
        list(profile.trigram_keys),
        list(profile.trigram_counts),
        profile.trigram_total,
    )


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 65_536])
def test_twin_profile_read_in_chunks_matches_the_definition(chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(twins_module, "SKELETON_CHUNK", chunk)
    for text in [*TEXTS, " ".join(["ghar", "jaana", "hai"] * 7 + ["नमस्ते"] * 3)]:
        assert _profile(TwinProfile.of_text(text)) == _ref_profile(_ref_skeletons(text))
        assert _profile(TwinProfile.of(_ref_skeletons(text))) == _ref_profile(_ref_skeletons(text))


def test_twin_profile_counts_each_ngram() -> None:
    words = ["ab", "kd", "ab", "kd", "ab", "kd", "x"]
    profile = TwinProfile.of(words)
    bi = dict(zip(profile.bigram_keys, profile.bigram_counts, strict=True))
    tri = dict(zip(profile.trigram_keys, profile.trigram_counts, strict=True))
    key = twins_module._gram_key
    assert bi == {key(("ab", "kd")): 3, key(("kd", "ab")): 2, key(("kd", "x")): 1}
    assert tri == {key(("ab", "kd", "ab")): 2, key(("kd", "ab", "kd")): 2, key(("ab", "kd", "x")): 1}
    assert (profile.words, profile.bigram_total, profile.trigram_total) == (7, 6, 5)
    assert list(profile.bigram_keys) == sorted(bi)


# ----------------------------------------------------------------------------- langid


def _random_posteriors(rng: random.Random, n: int, k: int) -> list[tuple[float, ...]]:
    # few distinct values, so that ties between paths and between languages happen
    values = [0.0, -0.5, -1.0, -2.0, -3.0, -6.0, -7.5, -20.0]
    return [tuple(rng.choice(values) for _ in range(k)) for _ in range(n)]


@pytest.mark.parametrize("seed", range(40))
def test_two_language_viterbi_matches_the_generic_one(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(50):
        per_word = _random_posteriors(rng, rng.randint(1, 12), 2)
        clipped = [tuple(max(lp, -WORD_CLIP) for lp in post) for post in per_word]
        for prior in (0, 1):
            assert langid_module._viterbi_clipped(clipped, prior) == _viterbi(per_word, prior)


def test_three_language_viterbi_matches_the_generic_one() -> None:
    rng = random.Random(5)
    for _ in range(200):
        per_word = _random_posteriors(rng, rng.randint(1, 8), 3)
        clipped = [tuple(max(lp, -WORD_CLIP) for lp in post) for post in per_word]
        prior = rng.randrange(3)
        assert langid_module._viterbi_clipped(clipped, prior) == _viterbi(per_word, prior)


@pytest.mark.parametrize(
    ("words", "group"),
    [
        ("kya haal hai bhai the is he to landfill International Organization".split(), "Latin"),
        ("the is he to".split(), "Latin"),
        ("International Organization for Migration".split(), "Latin"),
        (["Hai", "HAI", "hai", "don’t", "don't"], "Latin"),
        ("سلام دنیا کیا حال ہے مرحبا في كل مكان".split(), "Arabic"),
        ([], "Latin"),
    ],
)
def test_classify_matches_the_definition(words: list[str], group: str, monkeypatch: pytest.MonkeyPatch) -> None:
    model = load_model()
    for limit in (langid_module.CLIPPED_MEMO_LIMIT, 1):  # a memo that is started afresh at every word
        monkeypatch.setattr(langid_module, "CLIPPED_MEMO_LIMIT", limit)
        monkeypatch.setattr(model, "_clipped", {g: {} for g in GROUPS})
        decision = model.classify(words, group)
        assert (decision.language, decision.dominant, decision.confidence, decision.token_languages) == (
            _ref_classify(words, group)
        )
        tags, clipped = model.tag_words(words, group)
        assert tuple(tags) == decision.token_languages
        assert clipped == [tuple(max(lp, -WORD_CLIP) for lp in model.word_posteriors(w, group)) for w in words]
        assert len(model._clipped[group]) <= max(limit, 1)


def test_char_lm_memo_gives_the_same_log_probabilities(monkeypatch: pytest.MonkeyPatch) -> None:
    tables = load_tables()
    lm = tables.char_lm("en")
    fresh = CharLM(lm.counts, lm.order)

    def plain(word: str) -> float:
        padded = "<" + word + ">"
        return sum(
            math.log(fresh._prob(padded[max(0, i - fresh.order + 1) : i], padded[i])) for i in range(1, len(padded))
        )

    words = ["hello", "hai", "landfill", "a", "", "xyzzyq", "hello", "naïve"]
    assert [fresh.logprob_python(w) for w in words] == [plain(w) for w in words]
    assert [fresh.logprob_python(w) for w in words] == [plain(w) for w in words]  # from the memo
    from lipyantar.translit import wordlang

    monkeypatch.setattr(wordlang, "NGRAM_MEMO_LIMIT", 3)
    small = CharLM(lm.counts, lm.order)
    assert [small.logprob_python(w) for w in words] == [plain(w) for w in words]
    assert len(small._logprobs) <= 3


# ----------------------------------------------------------------------------- tokens


@pytest.mark.parametrize("text", TEXTS)
def test_tokens_are_the_checked_tokens(text: str) -> None:
    tokens = tokenize(text)
    assert tokens == [Token(t.text, t.kind, t.start) for t in tokens]
    assert "".join(t.text for t in tokens) == text


def test_character_classes_of_marks_follow_their_letter() -> None:
    text = "\u0301a\u0301 \u0301क\u0951\u0951 1\u0951 ب\u0651"
    counts = document_counts(Document("x", text, "UTF-8"), language="hi").characters
    assert counts["other"] == {"\u0301": 1, "\u0951": 1}  # at the start, after a digit
    assert counts["Latin"] == {"a": 1, "\u0301": 2}  # after the letter, and after a space then the mark
    assert counts["Devanagari"] == {"क": 1, "\u0951": 2}
    assert counts["digit"] == {"1": 1}
    assert unicodedata.category("\u0651") == "Mn" and "\u0651" in counts["Arabic"]


def test_released_caches_are_made_again_with_the_same_results() -> None:
    from lipyantar.corpora.pipeline import DocumentTask, analyse_document, release_analysis_caches

    task = DocumentTask("x.txt", text="मैंने कहा hello और वो बोला kya haal hai.\n\nदूसरा अनुच्छेद यहाँ है।")
    first = analyse_document(task)
    model = load_model()
    assert twins_module._SKELETONS and any(model._clipped.values())
    release_analysis_caches()
    assert not twins_module._SKELETONS
    assert load_model() is not model  # the model is loaded again, its memos empty
    again = analyse_document(task)
    assert again.detection == first.detection and again.counts == first.counts
    assert _profile(again.twin.profile) == _profile(first.twin.profile)  # type: ignore[union-attr]
