"""``--from auto``: detecting Devanagari, a standard scheme by its marks, or informal romanization."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from conftest import EXAMPLE

from lipyantar.cli import main
from lipyantar.translit import Transliterator, transliterate
from lipyantar.translit.autodetect import SchemeGuess, detect_scheme

STANDARD = ["iast", "iso", "itrans", "hk", "velthuis", "slp1", "wx", "optitrans"]


@pytest.fixture(scope="module")
def dev_text(dev_sentences: list[tuple[str, str]]) -> str:
    return "\n".join(native for native, _ in dev_sentences)


@pytest.mark.parametrize("scheme", STANDARD)
def test_standard_schemes_of_dev_sentences(dev_text: str, scheme: str) -> None:
    guess = detect_scheme(transliterate(dev_text, "deva", scheme))
    assert guess.scheme == scheme, guess.reason


def test_devanagari_and_informal_roman(dev_sentences: list[tuple[str, str]], dev_text: str) -> None:
    assert detect_scheme(dev_text).scheme == "deva"
    guess = detect_scheme("\n".join(roman for _, roman in dev_sentences))
    assert guess.scheme == "roman" and "informal" in guess.reason


@pytest.mark.parametrize(
    ("text", "scheme"),
    [
        ("yah sangathan antarrashtriya sanstha hai.", "roman"),
        ("Bharat mein IOM ka daftar Delhi mein hai", "roman"),  # capitals of names and acronyms
        ("yaha saṃgaṭhana aṃtararāṣṭrīya saṃsthā hai", "iast"),
        ("yaha saṁgaṭhana aṁtararāṣṭrīya saṁsthā hai", "iso"),
        ("kr̥ṣi", "iso"),
        ("yaha saMgaThana aMtararAShTrIya saMsthA hai", "itrans"),
        ("यह IOM का दफ़्तर है", "deva"),
        ("1952 — 2024", "deva"),
        ("", "deva"),
    ],
)
def test_short_texts(text: str, scheme: str) -> None:
    guess = detect_scheme(text)
    assert guess.scheme == scheme, guess.reason
    assert guess.reason


def test_guess_validates() -> None:
    with pytest.raises(ValueError):
        SchemeGuess("klingon", "?")


def test_api_accepts_auto() -> None:
    text = "yaha saṃgaṭhana hai"
    assert transliterate(text, "auto", "deva") == transliterate(text, "iast", "deva")
    tr = Transliterator("auto", "iast")
    assert repr(tr) == "Transliterator('auto', 'iast')"
    assert tr("नमस्ते") == "namaste" and tr.last_guess is not None and tr.last_guess.scheme == "deva"
    assert tr.transliterate_many(["saMgaThana", "rAma"]) == ["saṃgaṭhana", "rāma"]
    assert tr.last_guess.scheme in ("hk", "itrans", "optitrans")
    assert [c.text for c in tr.candidates("नमस्ते", top_k=2)] == ["namaste"]


def test_cli_says_what_it_chose() -> None:
    roman = next(EXAMPLE.glob("001_*.txt"))
    runner = CliRunner()
    auto = runner.invoke(main, ["convert", "--from", "auto", "--to", "deva", "-j", "1", str(roman)])
    assert auto.exit_code == 0, auto.output
    assert auto.stderr.startswith("lipyantar: --from auto: roman (")
    explicit = runner.invoke(main, ["convert", "--from", "roman", "--to", "deva", "-j", "1", str(roman)])
    assert auto.stdout == explicit.stdout
    quiet = runner.invoke(main, ["-q", "convert", "--from", "auto", "--to", "deva", "-j", "1", str(roman)])
    assert quiet.stderr == "" and quiet.stdout == explicit.stdout


def test_cli_auto_on_stdin() -> None:
    hk = transliterate((next(EXAMPLE.glob("000_*.txt"))).read_text(encoding="utf-8"), "deva", "hk")
    result = CliRunner().invoke(main, ["convert", "--from", "AUTO", "--to", "iast"], input=hk)
    assert result.exit_code == 0, result.output
    assert "--from auto: hk" in result.stderr
    assert result.stdout == CliRunner().invoke(main, ["convert", "--from", "hk", "--to", "iast"], input=hk).stdout
