"""``build``'s analysis of a document, each distinct sentence tagged once for both its detection and its counts
(:func:`lipyantar.corpora.analysis.detect_and_count`), gives exactly the detection and the counts of
:func:`detect_document` and :func:`document_counts`, which tag lines and sentences each on their own."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_corpora_fastpaths import TEXT, TEXTS

from lipyantar.corpora import analysis, counting
from lipyantar.corpora.analysis import detect_and_count
from lipyantar.corpora.counting import document_counts
from lipyantar.corpora.detect import detect_document
from lipyantar.corpora.loading import Document

EDGE_TEXTS = [
    # a URL that runs across a sentence mark: the line is tagged on its own
    "dekho www.abc.com/x?y=1 abhi. theek hai",
    "likho a.b@c.in? haan.",
    # no space after a sentence mark (two sentences, one token run)
    "jaati hai.yatayaat band hai? haan!nahi",
    "जाती है।यातायात बंद है|ठीक",
    # white space that the tokenizer reads as symbols, on a line of its own and inside one
    "kya haal\x1chai. theek\n\x1c\x1d\nnamaste",
    # a byte-order mark, carriage returns
    "\ufeffkya haal hai. theek hai\nnamaste",
    "kya haal hai.\r\ntheek hai\rnamaste",
    # hard-wrapped paragraphs (lines joined into sentences across line breaks)
    "this is a long\nsentence that goes on\nacross lines and\n\nthen another one\nthat also wraps around",
    # Latin text that detection finds mixed (its sentences are split again, for "auto")
    "kal main market gaya. I bought some vegetables there. phir ghar aaya aur khana banaya. It was very tasty.",
    "yaar the meeting was boring, phir hum log ghar chale gaye and watched a movie. Dr. Rao bhi aaye",
    "Please Liz ke liye video message banaye. Alarm create karo at 4 pm and 9 pm on tuesday",
    # the same sentences again and again, several in a line, in Latin, Devanagari and Arabic script
    "kya haal hai? theek hai. kya haal hai?\nkya haal hai? landfill gaya.\ntheek hai.",
    "क्या हाल है? ठीक है। क्या हाल है?\nठीक है।",
    "سلام دنیا۔ کیا حال ہے؟ سلام دنیا۔\nمرحبا بالعالم. مرحبا بالعالم.",
    "1. pehla 2. doosra. Dr. Sharma ne kaha \"main aaya.\" phir gaya.",
]


def _check(text: str) -> None:
    doc = Document("x", text, "UTF-8")
    detection, counts = detect_and_count(doc)
    assert counts.language == detection.language
    expected = detect_document(doc, paragraphs=False, lines=False)
    assert detection == expected
    assert detection.to_json() == expected.to_json()
    assert counts == document_counts(doc, language=expected.language)


@pytest.mark.parametrize("text", [t for t in TEXTS + EDGE_TEXTS if t.strip()])
def test_analysis_equals_detection_and_counts(text: str) -> None:
    _check(text)


def test_texts_cover_every_way() -> None:
    """The texts above reach each way through the analysis: a Latin text detected as mixed (its sentences
    split again), Devanagari, Arabic and other scripts, lines tagged on their own."""
    languages = {(d.document.script, d.language) for d in (detect_and_count(Document("x", t))[0] for t in EDGE_TEXTS)}
    assert {("Latin", "mixed"), ("Latin", "hi-Latn"), ("Latin", "en"), ("Devanagari", "hi")} <= languages
    assert any(script == "Arabic" for script, _language in languages)


@settings(max_examples=150, deadline=None)
@given(TEXT)
def test_analysis_equals_detection_and_counts_on_mixed_text(text: str) -> None:
    if text.strip():
        _check(text)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(["kya haal hai?", "the is he to.", "landfill International.", "क्या हाल है।", "www.x.in."]),
        min_size=1,
        max_size=12,
    ),
    st.lists(st.sampled_from([" ", "\n", "\n\n", ""]), min_size=12, max_size=12),
)
def test_repeated_sentences_in_lines(sentences: list[str], separators: list[str]) -> None:
    _check("".join(s + sep for s, sep in zip(sentences, separators, strict=False)))


@pytest.mark.parametrize("limit", [1, 2])
def test_small_sentence_memo(monkeypatch: pytest.MonkeyPatch, limit: int) -> None:
    """A sentence let go of by the memo is tagged again, with the same results."""
    monkeypatch.setattr(analysis, "SENTENCE_MEMO_LIMIT", limit)
    monkeypatch.setattr(counting, "SENTENCE_MEMO_LIMIT", limit)
    _check("kya haal hai? theek hai. kya haal hai?\nkya haal hai? theek hai.\n\nthe is he to. kya haal hai?")


def test_lines_made_of_sentences_are_not_tokenized_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each distinct sentence is tagged once, and a line of whole sentences not at all; a line that may
    hold a URL is tagged on its own."""
    from lipyantar.corpora import detect

    seen: list[str] = []
    original = detect._tag_line

    def counting_tag_line(line: str, model: object = None) -> object:
        seen.append(line)
        return original(line)

    monkeypatch.setattr(analysis, "_tag_line", counting_tag_line)
    _check("kya haal hai? theek hai. kya haal hai?\nkya haal hai? theek hai.\nsee www.x.in now.")
    assert seen == ["kya haal hai?", "theek hai.", "see www.x.in now.", "see www.x.in now."]
