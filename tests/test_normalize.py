from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from translit import Normalizer, normalize


@pytest.mark.parametrize(
    ("text", "options", "expected"),
    [
        ("\u0958लम", {}, "\u0915\u093cलम"),  # precomposed क़ -> क + nukta (the NFC form)
        ("\u0915\u093cलम", {}, "\u0915\u093cलम"),
        ("\u0915\u093cलम", {"nukta": "composed"}, "\u0958लम"),
        ("\u095eर्क", {"nukta": "composed"}, "\u095eर्क"),
        ("क्\u200dष", {}, "क्ष"),  # ZWJ stripped by default
        ("क्\u200cष", {"zero_width": "keep"}, "क्\u200cष"),
        ("\ufeffनमस्ते", {}, "नमस्ते"),  # BOM
        ("एक\r\nदो\rतीन", {}, "एक\nदो\nतीन"),
        ("a\r\nb", {}, "a\nb"),
        ("राम आया|", {}, "राम आया।"),
        ("राम आया ||", {}, "राम आया ॥"),
        ("राम आया।।", {}, "राम आया॥"),
        ("a | b", {}, "a | b"),  # a pipe between Latin words is not a danda
        ("राम आया|", {"danda": "keep"}, "राम आया|"),
        ("सन १९५२", {"digits": "ascii"}, "सन 1952"),
        ("सन 1952", {"digits": "deva"}, "सन १९५२"),
        ("year 1952", {"digits": "deva"}, "year १९५२"),
        ("सन १९५२", {}, "सन १९५२"),
    ],
)
def test_normalize_table(text: str, options: dict[str, str], expected: str) -> None:
    assert normalize(text, **options) == expected


@pytest.mark.parametrize("option", ["nukta", "zero_width", "danda", "digits"])
def test_invalid_option_is_an_error(option: str) -> None:
    with pytest.raises(ValueError, match=option):
        Normalizer(**{option: "bogus"})


devanagari_text = st.text(
    alphabet=st.sampled_from([chr(c) for c in range(0x0900, 0x0980)] + ["\u200c", "\u200d", " ", "|", "a"]),
    max_size=40,
)


@given(devanagari_text)
def test_normalize_is_idempotent_and_nfc(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert "\u200c" not in once and "\u200d" not in once


@given(devanagari_text)
def test_composed_and_decomposed_nukta_agree(text: str) -> None:
    composed = normalize(text, nukta="composed")
    assert normalize(composed) == normalize(text)


def test_stripping_zero_width_joiners_keeps_nfc() -> None:
    # found by hypothesis: the ZWNJ kept two combining marks in non-canonical order apart
    text = "\u0951\u200c\u0952"
    out = normalize(text)
    assert unicodedata.is_normalized("NFC", out)
    assert normalize(normalize(text, nukta="composed")) == out
