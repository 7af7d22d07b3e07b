"""The packaged scheme maps (``translit/data/scheme-maps.json``) are those the installed indic-transliteration
makes, and :func:`lipyantar.translit.schememap.compiled_fn` converts as ``sanscript.transliterate`` does
with them, both ways, for every standard scheme; converting to a standard scheme does not load the library."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from indic_transliteration import sanscript

from lipyantar.translit import schememap, standard
from lipyantar.translit.schemes import SCHEMES

DATA = Path(__file__).parent / "data"
PAIRS = [
    pair
    for scheme in SCHEMES.values()
    if scheme.kind == "standard" and scheme.sanscript is not None
    for pair in (("devanagari", scheme.sanscript), (scheme.sanscript, "devanagari"))
]


def _reference(src: str, dst: str):  # type: ignore[no-untyped-def]
    scheme_map = sanscript.SchemeMap(standard._scheme(src), standard._scheme(dst))
    return lambda text: sanscript.transliterate(text, scheme_map=scheme_map)


def _sentences() -> list[str]:
    rows = (DATA / "dakshina_dev_sentences_sample.tsv").read_text(encoding="utf-8").splitlines()
    return [row.split("\t")[0] for row in rows if row]


def test_the_packaged_maps_are_the_installed_librarys() -> None:
    packaged = json.loads(schememap.MAPS_PATH.read_text(encoding="utf-8"))
    made = standard.scheme_maps_document()
    assert packaged == json.loads(json.dumps(made)), "run python scripts/scheme_maps.py"
    assert sorted(packaged["maps"]) == sorted(f"{s}>{d}" for s, d in PAIRS)


@pytest.mark.parametrize(("src", "dst"), PAIRS, ids=[f"{s}>{d}" for s, d in PAIRS])
def test_running_text_converts_as_the_library_does(src: str, dst: str) -> None:
    ours, theirs = schememap.compiled_fn(src, dst), _reference(src, dst)
    assert ours is not None
    sentences = _sentences()
    assert any("\u0900" <= ch <= "\u097f" for ch in "".join(sentences))
    if src != "devanagari":  # the Latin spelling of the same text, and shouted
        to_latin = schememap.compiled_fn("devanagari", src)
        assert to_latin is not None
        sentences = [to_latin(s) for s in sentences]
        sentences += [s.upper() for s in sentences[:20]] + ["om", "oM", "OM namaH", "Om. oṃ", "a.a {} ^n"]
    for text in sentences:
        assert ours(text) == theirs(text), text


_DEVANAGARI = st.text(
    alphabet=st.one_of(st.characters(min_codepoint=0x0900, max_codepoint=0x097F), st.sampled_from(" .,|-1a\u200c\u200d")),
    max_size=20,
)
_LATIN = st.text(
    alphabet=st.one_of(
        st.sampled_from("aAiIuUeEoOkKgGcCjJtTdDnNpPbBmMyrlvwsSzhHRLqfx.^~_'`{}|:;- 0123456789"),
        st.sampled_from("āīūṛṝḷḹēōṃṁḥṅñṭḍṇśṣm̐ḻṟ\u0301\u0300"),
    ),
    max_size=20,
)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(PAIRS), st.data())
def test_any_text_converts_as_the_library_does(pair: tuple[str, str], data: st.DataObject) -> None:
    src, dst = pair
    text = data.draw(_DEVANAGARI if src == "devanagari" else _LATIN)
    ours = schememap.compiled_fn(src, dst)
    assert ours is not None
    assert ours(text) == _reference(src, dst)(text)


def test_a_pair_without_a_map_has_no_compiled_function() -> None:
    assert schememap.compiled_fn("devanagari", "no-such-scheme") is None


def test_converting_to_and_from_a_standard_scheme_does_not_load_the_library() -> None:
    code = (
        "import sys\n"
        "from lipyantar.translit import transliterate\n"
        "out = transliterate('वेस्टइंडीज़ की टीम ने कॉलेज में 12 रन बनाए। ऩ', 'deva', 'itrans')\n"
        "back = transliterate(out, 'itrans', 'deva')\n"
        "print(transliterate('संस्कृतम् ॐ', 'deva', 'iast'))\n"
        "print(any(m.startswith('indic_transliteration') for m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    iast, loaded = done.stdout.splitlines()
    assert iast == "saṃskṛtam oṃ"
    assert loaded == "False"
