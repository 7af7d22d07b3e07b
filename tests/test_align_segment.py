"""Sentence segmentation of Devanagari and romanized Hindi (lipyantar.align.segment)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lipyantar.align import Sentence, split_lines, split_sentences
from lipyantar.align.segment import split_paragraphs

CASES = [
    # (id, script, text, expected sentences)
    ("danda", "deva", "पहला वाक्य है। दूसरा वाक्य है।", ["पहला वाक्य है।", "दूसरा वाक्य है।"]),
    ("double-danda", "deva", "राम ने कहा॥ सीता ने सुना॥", ["राम ने कहा॥", "सीता ने सुना॥"]),
    ("ascii-pipe-danda", "deva", "वह गया | फिर आया |", ["वह गया |", "फिर आया |"]),
    ("question-exclaim", "deva", "क्या तुम आओगे? हाँ! ठीक है।", ["क्या तुम आओगे?", "हाँ!", "ठीक है।"]),
    ("mark-run", "roman", "kya?! haan.", ["kya?!", "haan."]),
    ("glued-danda", "deva", "की जाती है।यातायात सुविधा है।", ["की जाती है।", "यातायात सुविधा है।"]),
    (
        "glued-period",
        "roman",
        "kii jaati hai.yatayaat suvidha hai.",
        ["kii jaati hai.", "yatayaat suvidha hai."],
    ),
    ("glued-short", "roman", "mukhyalay hai.is software ko.", ["mukhyalay hai.", "is software ko."]),
    ("decimal-deva", "deva", "यह 1.5 किलो है। अगला।", ["यह 1.5 किलो है।", "अगला।"]),
    ("decimal-roman", "roman", "Price 2.85 lakh hai. Agla.", ["Price 2.85 lakh hai.", "Agla."]),
    ("date", "roman", "12.03.2020 ko aaye. Phir gaye.", ["12.03.2020 ko aaye.", "Phir gaye."]),
    (
        "initials-roman",
        "roman",
        "A. R. Rahman ne sangeet diya. Wah mahaan hai.",
        ["A. R. Rahman ne sangeet diya.", "Wah mahaan hai."],
    ),
    (
        "initials-dotted",
        "roman",
        "U.N. ki baithak hui. Phir sab gaye.",
        ["U.N. ki baithak hui.", "Phir sab gaye."],
    ),
    (
        "initials-deva",
        "deva",
        "बी. एस. क्रिस ने फैसला सुनाया। फिर सब गए।",
        ["बी. एस. क्रिस ने फैसला सुनाया।", "फिर सब गए।"],
    ),
    ("abbrev-sign", "deva", "बी॰ एस॰ क्रिस ने फैसला सुनाया।", ["बी॰ एस॰ क्रिस ने फैसला सुनाया।"]),
    ("dr-roman", "roman", "Dr. Sharma aaye. Ve thake the.", ["Dr. Sharma aaye.", "Ve thake the."]),
    ("dr-deva", "deva", "डॉ. शर्मा आए। वे थके थे।", ["डॉ. शर्मा आए।", "वे थके थे।"]),
    ("etc-mid", "roman", "aam, kela etc. sab mile. Phir gaye.", ["aam, kela etc. sab mile.", "Phir gaye."]),
    ("e.g.", "roman", "kuch phal e.g. aam achhe hain. Haan.", ["kuch phal e.g. aam achhe hain.", "Haan."]),
    ("deva-period-hai", "deva", "यह अच्छा है. वह भी अच्छा है.", ["यह अच्छा है.", "वह भी अच्छा है."]),
    ("ellipsis", "deva", "वह आया... और चला गया।", ["वह आया... और चला गया।"]),
    ("ellipsis-roman", "roman", "wo aaya... aur chala gaya.", ["wo aaya... aur chala gaya."]),
    ("ellipsis-char", "deva", "वह आया… और गया।", ["वह आया… और गया।"]),
    (
        "quote-inner",
        "deva",
        'उसने कहा "मैं आया। तुम जाओ।" फिर वह गया।',
        ['उसने कहा "मैं आया। तुम जाओ।"', "फिर वह गया।"],
    ),
    (
        "quote-curly",
        "roman",
        "usne kaha “main aaya. tum jao.” phir gaya.",
        ["usne kaha “main aaya. tum jao.”", "phir gaya."],
    ),
    ("bracket", "deva", "यह (देखें पृ. 5। अधिक) सही है। अगला।", ["यह (देखें पृ. 5। अधिक) सही है।", "अगला।"]),
    ("bracket-end", "roman", "Yah sahi hai (dekho neeche.) Agla.", ["Yah sahi hai (dekho neeche.)", "Agla."]),
    (
        "unbalanced-quote",
        "roman",
        'usne kaha "main aaya. Phir gaya.',
        ['usne kaha "main aaya.', "Phir gaya."],
    ),
    ("no-final-mark", "deva", "पहला वाक्य। दूसरा बिना चिह्न", ["पहला वाक्य।", "दूसरा बिना चिह्न"]),
    ("list-number", "roman", "1. pehla bindu hai.", ["1. pehla bindu hai."]),
    ("url", "roman", "dekho www.example.com par. Phir aao.", ["dekho www.example.com par.", "Phir aao."]),
    ("whitespace", "deva", "  पहला।   \t दूसरा।  ", ["पहला।", "दूसरा।"]),
]


@pytest.mark.parametrize(("script", "text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_split_sentences_edge_cases(script: str, text: str, expected: list[str]) -> None:
    assert [s.text for s in split_sentences(text, script=script)] == expected


def test_paragraphs_one_per_line() -> None:
    sentences = split_sentences("पहला। दूसरा।\nतीसरा।\n\nचौथा।\n", script="deva")
    assert [(s.text, s.index, s.paragraph) for s in sentences] == [
        ("पहला।", 0, 0),
        ("दूसरा।", 1, 0),
        ("तीसरा।", 2, 1),
        ("चौथा।", 3, 2),
    ]


def test_paragraphs_hard_wrapped_text_is_joined() -> None:
    text = "yah ek lamba\nvakya hai jo do\npanktiyon mein hai. Aur yah\ndoosra.\n\nNaya anuchchhed.\n"
    sentences = split_sentences(text, script="roman")
    assert [(s.text, s.paragraph) for s in sentences] == [
        ("yah ek lamba vakya hai jo do panktiyon mein hai.", 0),
        ("Aur yah doosra.", 0),
        ("Naya anuchchhed.", 1),
    ]


def test_split_paragraphs_modes() -> None:
    text = "a b\nc d.\n\ne f.\n"
    assert split_paragraphs(text, paragraphs="line") == ["a b", "c d.", "e f."]
    assert split_paragraphs(text, paragraphs="blank") == ["a b c d.", "e f."]
    with pytest.raises(ValueError, match="paragraphs"):
        split_paragraphs(text, paragraphs="nope")  # type: ignore[arg-type]


def test_split_sentences_bad_script() -> None:
    with pytest.raises(ValueError, match="script"):
        split_sentences("x.", script="latin")  # type: ignore[arg-type]


def test_bom_and_crlf() -> None:
    sentences = split_sentences("\ufeffपहला।\r\nदूसरा।\r\n", script="deva")
    assert [(s.text, s.paragraph) for s in sentences] == [("पहला।", 0), ("दूसरा।", 1)]


def test_empty_text() -> None:
    assert split_sentences("", script="deva") == []
    assert split_sentences(" \n\n \n", script="roman") == []
    assert split_lines("") == []


def test_split_lines_presplit() -> None:
    text = "\nपहला वाक्य। दूसरा भी।\nतीसरा\n\n\nचौथा\n   \nपाँचवाँ\n"
    sentences = split_lines(text)
    assert [(s.text, s.index, s.paragraph) for s in sentences] == [
        ("पहला वाक्य। दूसरा भी।", 0, 0),
        ("तीसरा", 1, 0),
        ("चौथा", 2, 1),
        ("पाँचवाँ", 3, 2),
    ]


def test_example_twin_sentence_counts(example_hindi: Path, example_roman: Path) -> None:
    deva = split_sentences(example_hindi.read_text(encoding="utf-8"), script="deva")
    roman = split_sentences(example_roman.read_text(encoding="utf-8"), script="roman")
    assert len(deva) == len(roman) == 25
    assert [s.paragraph for s in deva] == [s.paragraph for s in roman]
    assert deva[15].text.endswith("की जाती हैं।") and deva[16].text.startswith("यातायात")
    assert roman[15].text.endswith("kii jaati hai.") and roman[16].text.startswith("yatayaat")


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"text": "", "index": 0, "paragraph": 0}, ValueError),
        ({"text": "a\nb", "index": 0, "paragraph": 0}, ValueError),
        ({"text": "a", "index": -1, "paragraph": 0}, ValueError),
        ({"text": 5, "index": 0, "paragraph": 0}, TypeError),
    ],
)
def test_sentence_validation(kwargs: dict, error: type[Exception]) -> None:
    with pytest.raises(error):
        Sentence(**kwargs)


def test_lines_without_marks_stay_paragraphs() -> None:
    """Without blank lines every line is a paragraph, even when lines lack a final mark."""
    sentences = split_sentences("पहली पंक्ति\nदूसरी पंक्ति\nतीसरी।\n", script="deva")
    assert [(s.text, s.paragraph) for s in sentences] == [("पहली पंक्ति", 0), ("दूसरी पंक्ति", 1), ("तीसरी।", 2)]
