"""The scheme registry: names, the aliases users bring from indic-transliteration and Aksharamukha,
and the command line accepting both."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from lipyantar.cli import main
from lipyantar.translit import transliterate
from lipyantar.translit.errors import UnknownSchemeError
from lipyantar.translit.schemes import ALIASES, SCHEMES, Scheme, canonical_name, get_scheme, scheme_names


@pytest.mark.parametrize(
    ("given", "name"),
    [
        ("deva", "deva"),
        ("devanagari", "deva"),
        ("Devanagari", "deva"),
        ("DEVANAGARI", "deva"),
        ("harvard-kyoto", "hk"),
        ("Harvard_Kyoto", "hk"),
        ("harvard kyoto", "hk"),
        ("HK", "hk"),
        ("iso15919", "iso"),
        ("ISO 15919", "iso"),
        ("IAST", "iast"),
        ("Itrans", "itrans"),
        ("roman_rules", "roman-rules"),
        (" slp1 ", "slp1"),
        ("hinglish", "roman"),
    ],
)
def test_names_and_aliases(given: str, name: str) -> None:
    assert canonical_name(given) == name
    assert get_scheme(given) is SCHEMES[name]


@pytest.mark.parametrize("bad", ["", "deva nagari", "kyoto", "hindi", "latin"])
def test_unknown_names_list_the_valid_ones(bad: str) -> None:
    with pytest.raises(UnknownSchemeError, match="valid schemes: deva, hk, iast"):
        get_scheme(bad)


def test_aliases_are_unique_and_not_names() -> None:
    aliases = [a for s in SCHEMES.values() for a in s.aliases]
    assert len(aliases) == len(set(aliases)) == len(ALIASES)
    assert not set(aliases) & set(SCHEMES)
    assert scheme_names(aliases=True) == (*SCHEMES, *ALIASES)


def test_alias_must_be_a_lookup_key() -> None:
    with pytest.raises(ValueError, match="lowercase"):
        Scheme("x", "latin", "rules", "d", aliases=("Harvard_Kyoto",))


def test_api_accepts_aliases() -> None:
    assert transliterate("नमस्ते", "devanagari", "harvard-kyoto") == transliterate("नमस्ते", "deva", "hk")


@pytest.mark.parametrize(("src", "dst"), [("Devanagari", "Harvard_Kyoto"), ("devanagari", "iso15919")])
def test_cli_accepts_aliases(src: str, dst: str) -> None:
    result = CliRunner().invoke(main, ["convert", "--from", src, "--to", dst], input="नमस्ते\n")
    assert result.exit_code == 0, result.output
    expected = transliterate("नमस्ते", canonical_name(src), canonical_name(dst))
    assert result.output == expected + "\n"


def test_cli_unknown_scheme_exits_2_listing_names() -> None:
    result = CliRunner().invoke(main, ["convert", "--from", "kyoto", "--to", "deva"], input="x\n")
    assert result.exit_code == 2
    assert "'kyoto' is not one of 'auto', 'deva', 'iast'" in result.output  # --from also takes auto
    result = CliRunner().invoke(main, ["convert", "--from", "deva", "--to", "kyoto"], input="x\n")
    assert result.exit_code == 2
    assert "'kyoto' is not one of 'deva', 'iast'" in result.output  # --to does not
