from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lipyantar.translit import Token, tokenize


def kinds(text: str) -> list[tuple[str, str]]:
    return [(t.text, t.kind) for t in tokenize(text) if t.kind != "space"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("जाती है।यातायात", [("जाती", "deva"), ("है", "deva"), ("।", "punct"), ("यातायात", "deva")]),
        ("क़लम ज़िंदगी", [("क़लम", "deva"), ("ज़िंदगी", "deva")]),
        ("क्‍ष", [("क्‍ष", "deva")]),  # ZWJ inside a word
        ("don't stop", [("don't", "latin"), ("stop", "latin")]),
        ("ṛṣi", [("ṛṣi", "latin")]),
        ("1.5 १९१९ 3,000", [("1.5", "number"), ("१९१९", "number"), ("3,000", "number")]),
        ("see https://iom.int/a.", [("see", "latin"), ("https://iom.int/a", "url"), (".", "punct")]),
        ("www.example.org", [("www.example.org", "url")]),
        ("mail a.b@iom.int", [("mail", "latin"), ("a.b@iom.int", "email")]),
        ("سازمان", [("سازمان", "word")]),
        ("॥ $", [("॥", "punct"), ("$", "symbol")]),
        ("hai.yatayaat", [("hai", "latin"), (".", "punct"), ("yatayaat", "latin")]),
    ],
)
def test_tokenize_table(text: str, expected: list[tuple[str, str]]) -> None:
    assert kinds(text) == expected


@given(st.text(max_size=200))
def test_tokens_join_back_to_the_input(text: str) -> None:
    tokens = tokenize(text)
    assert "".join(t.text for t in tokens) == text
    assert all(t.text for t in tokens)
    pos = 0
    for t in tokens:
        assert t.start == pos
        pos = t.end


@given(st.text(alphabet=st.characters(min_codepoint=0x0900, max_codepoint=0x097F), max_size=60))
def test_devanagari_tokens_join_back(text: str) -> None:
    assert "".join(t.text for t in tokenize(text)) == text


@pytest.mark.parametrize(("text", "kind"), [("", "deva"), ("x", "nonsense")])
def test_token_validation(text: str, kind: str) -> None:
    with pytest.raises(ValueError):
        Token(text, kind, 0)  # type: ignore[arg-type]


def _spans(matches: object) -> list[tuple[str | None, int, int]]:
    return [(m.lastgroup, m.start(), m.end()) for m in matches]  # type: ignore[attr-defined]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from([*"ab Z.,:/@w1", "www.", "://", "http", "क", "ि", "।", "é", "\u200d", "\n", "-", "'"]),
        max_size=20,
    ).map("".join)
)
def test_token_matches_equal_the_full_pattern(text: str) -> None:
    from lipyantar.translit.tokenize import TOKEN_RE, token_matches

    assert _spans(token_matches(text)) == _spans(TOKEN_RE.finditer(text))


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.one_of(st.characters(max_codepoint=127), st.sampled_from(["don't", "a'", "'b", "1.5", "2,", ":3", "ab12"])),
        max_size=25,
    ).map("".join)
)
def test_ascii_text_gives_the_matches_of_the_full_pattern(text: str) -> None:
    """ASCII text is scanned with the standard library's ``re``: the same tokens as TOKEN_RE."""
    from lipyantar.translit.tokenize import TOKEN_RE, token_matches

    assert _spans(token_matches(text)) == _spans(TOKEN_RE.finditer(text))


def test_every_ascii_character_is_the_same_token_kind() -> None:
    from lipyantar.translit.tokenize import TOKEN_RE, token_matches

    for code in range(128):
        text = f"a{chr(code)}{chr(code)}b"
        assert [(m.lastgroup, m.group()) for m in token_matches(text)] == [
            (m.lastgroup, m.group()) for m in TOKEN_RE.finditer(text)
        ], repr(chr(code))


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.characters(blacklist_categories=("Cs",)),
            st.sampled_from(
                ["www.", "://", "a@b.in", " ", "\t", "\n", "\x0b", "\x1c", "\x85", "\u00a0", "\u2003", "\u200b",
                 "\u180e", "\u2028", "\ufeff", "क", "ि", "।", "०", "é", "\u0301", "ا", "don't", "1.5"]
            ),
        ),
        max_size=25,
    ).map("".join)
)
def test_solid_token_matches_are_the_matches_without_white_space(text: str) -> None:
    """What detection scans: every token but the white space, from patterns without a space alternative."""
    from lipyantar.translit.tokenize import solid_token_matches, token_matches

    assert _spans(solid_token_matches(text)) == [s for s in _spans(token_matches(text)) if s[0] != "space"]
    assert _spans(solid_token_matches(text.encode("ascii", "ignore").decode())) == [
        s for s in _spans(token_matches(text.encode("ascii", "ignore").decode())) if s[0] != "space"
    ]
