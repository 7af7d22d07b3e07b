"""The user lexicon (issue 29): reading and checking it, its entries outranking the learned model both
ways (top-1, top-k order and probs, sentences decoded with them), the converters' memos, ``convert
--lexicon`` and ``serve --lexicon``."""

from __future__ import annotations

import json
import math
import pickle
import socket
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lipyantar.cli import main
from lipyantar.translit import Transliterator, transliterate
from lipyantar.translit.errors import InputError, UnsupportedConversionError
from lipyantar.translit.learned.charalign import normalize_deva
from lipyantar.translit.learned.decoder import sentence_viterbi_python
from lipyantar.translit.learned.langmodel import WordLM
from lipyantar.translit.learned.learn import read_pairs
from lipyantar.translit.learned.lexicon import LEXICON_MASS, UserLexicon, iter_pairs
from lipyantar.translit.learned.model import default_model

DATA = Path(__file__).parent / "data"
NUKTA = "\u093c"


@pytest.fixture(scope="module")
def model() -> Any:
    return default_model()


def second_best(model: Any, word: str) -> str:
    """A spelling of ``word`` that the model does not put first (its second candidate)."""
    cands = model.devanagarize_topk(word, 5)
    assert len(cands) >= 2
    return cands[1][0]


def write(tmp_path: Path, text: str | bytes, name: str = "lex.tsv") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


# -- reading and checking --------------------------------------------------------------------------
def test_read_orders_by_count_sums_repeats_and_round_trips(tmp_path: Path) -> None:
    path = write(tmp_path, "\ufeff# mine\r\nमेन\tmain\t1\r\nमैं\tmain\t2\r\n\r\nमेन\tMain\t3\r\nराहुल\tRahul\r\n")
    lex = UserLexicon.read(path)
    assert len(lex) == 4
    # मेन: 1 + 3 (the same pair, whatever the case of the roman), before मैं: 2
    assert lex.devanagari("MAIN") == (("मेन", 4.0), ("मैं", 2.0))
    assert lex.devanagari("rahul") == (("राहुल", 1.0),)
    assert lex.romanizations("राहुल") == (("Rahul", 1.0),)
    assert lex.devanagari("ghar") == ()
    out = tmp_path / "out.tsv"
    lex.write(out)
    assert UserLexicon.read(out).entries == lex.entries
    assert out.read_text(encoding="utf-8").splitlines()[0] == "मेन\tmain\t1"
    again = pickle.loads(pickle.dumps(lex))
    assert again == lex and hash(again) == hash(lex) and again.devanagari("main") == lex.devanagari("main")


def test_equal_counts_keep_file_order() -> None:
    lex = UserLexicon((("मेन", "main", 1), ("मैं", "main", 1)))
    assert [d for d, _ in lex.devanagari("main")] == ["मेन", "मैं"]


def test_nukta_and_zero_width_forms_match_each_other() -> None:
    composed = "\u095b\u093f\u0902\u0926\u0917\u0940"  # ज़िंदगी with U+095B
    decomposed = "\u091c" + NUKTA + "\u093f\u0902\u0926\u0917\u0940"
    lex = UserLexicon(((composed, "zindagi", 1),))
    assert lex.romanizations(decomposed) == (("zindagi", 1.0),)
    assert lex.romanizations("\u091c" + NUKTA + "\u093f\u0902\u200d\u0926\u0917\u0940") == (("zindagi", 1.0),)
    assert lex.devanagari("Zindagi") == ((decomposed, 1.0),)  # written in the model's normal form


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("क\tka\nख\n", 2, "the roman column is missing"),
        ("क\tka\t1\textra\n", 1, "4 columns"),
        ("\tka\n", 1, "the native word is empty"),
        ("क\t \n", 1, "the roman word is empty"),
        ("क\tka\tmany\n", 1, "bad count 'many'"),
        ("क\tka\t0\n", 1, "bad count '0'"),
        ("क\tka\t-2\n", 1, "bad count '-2'"),
        ("# x\nक\tka\tnan\n", 2, "bad count 'nan'"),
        ("क\tka\tinf\n", 1, "bad count 'inf'"),
        ("hello\tka\n", 1, "not one Devanagari word"),
        ("क ख\tka\n", 1, "not one Devanagari word"),
        ("क\tka kha\n", 1, "not one Latin word"),
        ("क\t123\n", 1, "not one Latin word"),
    ],
)
def test_bad_lines_name_the_file_the_line_and_the_fault(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as info:
        UserLexicon.read(path)
    assert info.value.line == line
    assert info.value.source == str(path)
    assert message in str(info.value)
    assert str(info.value).startswith(f"{path}, line {line}: ")


def test_learn_reads_through_the_same_reader(tmp_path: Path) -> None:
    path = write(tmp_path, "क\tka\t2\nख\tkha\n")
    assert read_pairs(path) == [pair for _, pair in iter_pairs(path)] == [("क", "ka", 2.0), ("ख", "kha", 1.0)]
    with pytest.raises(InputError, match="line 1: expected native<TAB>roman"):
        read_pairs(write(tmp_path, "क\n"))


def test_non_utf8_is_refused_with_its_place(tmp_path: Path) -> None:
    path = write(tmp_path, b"\xe0\xa4\x95\tka\n\xff\tx\n")
    with pytest.raises(InputError) as info:
        UserLexicon.read(path)
    assert info.value.line == 2 and info.value.offset is not None
    assert "invalid UTF-8" in str(info.value) and "--errors" not in str(info.value)


@pytest.mark.parametrize(
    "entries", [(("hello", "ka", 1),), (("क", "", 1),), (("क", "ka", 0),), (("क", "ka", math.nan),), (("क", "ka"),)]
)
def test_bad_entries_are_refused(entries: Any) -> None:
    with pytest.raises(InputError, match="entry 1"):
        UserLexicon(entries)


# -- roman → Devanagari -----------------------------------------------------------------------------
def test_an_entry_outranks_the_model_in_any_case(model: Any) -> None:
    alt = second_best(model, "ghar")
    plain = Transliterator("roman", "deva")
    conv = Transliterator("roman", "deva", lexicon=UserLexicon(((alt, "ghar", 1),)))
    assert plain("ghar") != alt
    assert conv("ghar") == alt
    assert conv("GHAR") == alt
    assert conv.transliterate_many(["Ghar", "mera ghar."]) == [alt, plain("mera") + " " + alt + "।"]
    assert conv("ghar").split()[0] == alt


def test_topk_entries_first_by_count_with_their_probs(model: Any) -> None:
    a, b = second_best(model, "main"), model.devanagarize_topk("main", 5)[2][0]
    conv = Transliterator("roman", "deva", lexicon=UserLexicon(((b, "main", 1), (a, "main", 3))))
    cands = conv.candidates("main", top_k=6)
    assert [c.text for c in cands[:2]] == [a, b]
    assert cands[0].prob == pytest.approx(LEXICON_MASS * 3 / 4)
    assert cands[1].prob == pytest.approx(LEXICON_MASS * 1 / 4)
    rest = cands[2:]
    assert rest and {c.text for c in rest}.isdisjoint({a, b})
    assert sum(c.prob for c in rest) <= 1 - LEXICON_MASS + 1e-9
    # the model's own order among the rest, and best first throughout
    model_order = [c.text for c in Transliterator("roman", "deva").candidates("main", top_k=8) if c.text not in (a, b)]
    assert [c.text for c in rest] == model_order[: len(rest)]
    assert [c.score for c in cands] == sorted((c.score for c in cands), reverse=True)
    assert [c.prob for c in cands] == sorted((c.prob for c in cands), reverse=True)
    assert all(c.score <= 0 for c in cands)


def test_many_entries_still_all_come_before_the_model() -> None:
    natives = ["कमल", "कमला", "कमाल", "कमलं", "कामल", "कमील", "कुमल"]
    counts = [100, 1, 1, 1, 1, 1, 1]
    conv = Transliterator("roman", "deva", lexicon=UserLexicon(tuple(zip(natives, ["kamal"] * 7, counts, strict=True))))
    cands = conv.candidates("kamal", top_k=12)
    assert [c.text for c in cands[:7]] == natives
    assert all(c.prob < cands[6].prob for c in cands[7:])


def test_a_sentence_is_decoded_with_the_lexicon_word_in_context(model: Any) -> None:
    words = ["Warhead", "par", "ek", "ton", "tak", "ka", "parmanu", "hathiyar"]
    alt = second_best(model, "ek")
    conv = Transliterator("roman", "deva", lexicon=UserLexicon(((alt, "ek", 1),)))
    out = conv(" ".join(words)).split(" ")
    assert out[2] == alt
    # the reference: the pure-Python sentence decoder with the lexicon word's one spelling in its column
    columns = [
        ((alt,), ((0.0, model.wordlm.ids.get(alt, WordLM.UNK)),)) if w == "ek" else model._word_column(w) for w in words
    ]
    p = model.params
    picks = sentence_viterbi_python(
        model.wordlm.lm, [c[1] for c in columns], w_ctx=p.sentence.w_ctx, beam=p.sentence.beam
    )
    assert out == [col[0][i] for col, i in zip(columns, picks, strict=True)]
    # several words: the sentence's choice is the first candidate
    assert conv.candidates(" ".join(words), top_k=3)[0].text == " ".join(out)


def test_memos_do_not_mix_converters_with_and_without_a_lexicon(model: Any) -> None:
    alt = second_best(model, "duniya")
    lex = UserLexicon(((alt, "duniya", 1),))
    plain_before = Transliterator("roman", "deva")("yah duniya")
    with_lex = Transliterator("roman", "deva", lexicon=lex)
    assert with_lex("yah duniya").endswith(alt)
    assert with_lex.candidates("duniya", top_k=3)[0].text == alt
    plain = Transliterator("roman", "deva")  # the same default model, its caches warm
    assert plain("yah duniya") == plain_before
    assert plain.candidates("duniya", top_k=3)[0].text != alt
    assert model.devanagarize("duniya") != alt


def test_english_keep_does_not_keep_a_lexicon_word() -> None:
    keep = Transliterator("roman", "deva", english="keep")
    assert "office" in keep("kal office mein meeting hai")
    conv = Transliterator("roman", "deva", english="keep", lexicon=UserLexicon((("ऑफ़िस", "office", 1),)))
    assert "office" not in conv("kal office mein meeting hai")
    assert normalize_deva("ऑफ़िस") in conv("kal office mein meeting hai")


# -- Devanagari → roman ------------------------------------------------------------------------------
def test_deva_to_roman_uses_the_entry_as_spelled() -> None:
    lex = UserLexicon((("दिल्ली", "Dilli", 2), ("दिल्ली", "dehli", 1), ("\u095bिंदगी", "zindgi", 1)))
    conv = Transliterator("deva", "roman", lexicon=lex)
    assert conv("मैं दिल्ली गया।") == Transliterator("deva", "roman")("मैं") + " Dilli " + Transliterator("deva", "roman")("गया।")
    assert conv("ज" + NUKTA + "िंदगी") == "zindgi"
    cands = conv.candidates("दिल्ली", top_k=5)
    assert [c.text for c in cands[:2]] == ["Dilli", "dehli"]
    assert cands[0].prob == pytest.approx(LEXICON_MASS * 2 / 3)
    assert "dilli" not in [c.text for c in cands]  # the model's spelling of an entry, in another case: not again
    assert [c.score for c in cands] == sorted((c.score for c in cands), reverse=True)


def test_other_chains_through_roman_use_it_too() -> None:
    lex = UserLexicon((("राहुल", "Rahul", 1),))
    assert Transliterator("roman", "iast", lexicon=lex)("rahul") == transliterate("राहुल", "deva", "iast")
    assert Transliterator("iast", "roman", lexicon=lex)("rāhula") == "Rahul"
    assert Transliterator("auto", "roman", lexicon=lex)("राहुल") == "Rahul"
    assert Transliterator("auto", "deva", lexicon=lex)("rahul") == "राहुल"


def test_a_lexicon_needs_the_roman_scheme() -> None:
    with pytest.raises(UnsupportedConversionError, match="'roman'"):
        Transliterator("deva", "iast", lexicon=UserLexicon((("क", "ka", 1),)))


def test_one_shot_reads_a_file_and_again_when_it_changes(tmp_path: Path, model: Any) -> None:
    alt = second_best(model, "pani")
    path = write(tmp_path, f"{alt}\tpani\n")
    assert transliterate("pani", "roman", "deva", lexicon=path) == alt
    assert transliterate("pani", "roman", "deva") != alt
    path.write_text(f"{alt}\tpaani\n", encoding="utf-8")
    assert transliterate("pani", "roman", "deva", lexicon=str(path)) != alt
    assert transliterate("paani", "roman", "deva", lexicon=str(path)) == alt


_LETTERS = "कखगचजटडतदनपबमयरलवसह"
_SIGNS = ["", "ा", "ि", "ी", "ु", "ू", "े", "ै", "ो", "ं", "्र"]
deva_words = st.lists(st.tuples(st.sampled_from(_LETTERS), st.sampled_from(_SIGNS)), min_size=1, max_size=5).map(
    lambda parts: "".join(c + s for c, s in parts)
)
roman_words = st.from_regex(r"[A-Za-z]{1,12}", fullmatch=True)
context = st.lists(st.sampled_from(["mera", "ghar", "yah", "hai", "bahut", "accha"]), max_size=3)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(native=deva_words, roman=roman_words, count=st.floats(0.5, 100), left=context, right=context)
def test_any_entry_converts_to_its_lexicon_form(
    native: str, roman: str, count: float, left: list[str], right: list[str]
) -> None:
    lex = UserLexicon(((native, roman, count),))
    to_deva = Transliterator("roman", "deva", lexicon=lex)
    assert to_deva(roman) == normalize_deva(native)
    assert to_deva(" ".join([*left, roman, *right])).split(" ")[len(left)] == normalize_deva(native)
    assert to_deva.candidates(roman, top_k=3)[0].text == normalize_deva(native)
    to_roman = Transliterator("deva", "roman", lexicon=lex)
    assert to_roman(native) == roman
    assert to_roman.candidates(native, top_k=3)[0].text == roman


# -- convert --lexicon -------------------------------------------------------------------------------
def test_convert_lexicon_both_directions(tmp_path: Path, model: Any) -> None:
    alt = second_best(model, "ghar")
    lex = write(tmp_path, f"{alt}\tghar\t2\nदिल्ली\tDilli\n")
    runner = CliRunner()
    plain = runner.invoke(main, ["convert", "--from", "roman", "--to", "deva"], input="mera ghar\n")
    result = runner.invoke(main, ["convert", "--from", "roman", "--to", "deva", "--lexicon", str(lex)], input="mera ghar\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == [plain.stdout.split()[0], alt]
    jobs = runner.invoke(
        main, ["convert", "-f", "roman", "-t", "deva", "-j", "2", "--lexicon", str(lex)], input="mera ghar\n" * 3
    )
    assert jobs.stdout == result.stdout * 3
    result = runner.invoke(main, ["convert", "--from", "deva", "--to", "roman", "--lexicon", str(lex)], input="दिल्ली\n")
    assert result.exit_code == 0 and result.stdout == "Dilli\n"
    result = runner.invoke(
        main,
        ["convert", "-f", "roman", "-t", "deva", "--lexicon", str(lex), "--format", "jsonl", "--top-k", "3"],
        input="ghar\n",
    )
    cands = json.loads(result.stdout)["candidates"]
    assert cands[0]["text"] == alt and cands[0]["prob"] == pytest.approx(LEXICON_MASS)
    assert cands[1]["prob"] <= 1 - LEXICON_MASS


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("क\n", "line 1: expected native<TAB>roman[<TAB>count]: no tab, the roman column is missing"),
        ("क\tka\tlots\n", "line 1: bad count 'lots'"),
        ("क\tka\n\tkha\n", "line 2: expected native<TAB>roman[<TAB>count]: the native word is empty"),
        (b"\xe0\xa4\x95\tka\n\xe0\tx\n", "line 2, byte 7: invalid UTF-8"),
    ],
)
def test_convert_with_a_bad_lexicon_is_one_clear_error(tmp_path: Path, content: str | bytes, message: str) -> None:
    lex = write(tmp_path, content)
    out = tmp_path / "out.txt"
    result = CliRunner().invoke(
        main, ["convert", "-f", "roman", "-t", "deva", "--lexicon", str(lex), "-o", str(out)], input="ghar\n"
    )
    assert result.exit_code == 1
    assert f"{lex}, {message}" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_convert_lexicon_needs_roman_and_is_never_the_output(tmp_path: Path) -> None:
    lex = write(tmp_path, "क\tka\n")
    result = CliRunner().invoke(main, ["convert", "-f", "deva", "-t", "iast", "--lexicon", str(lex)], input="क\n")
    assert result.exit_code == 2 and "--lexicon applies to the learned 'roman' scheme" in result.output
    result = CliRunner().invoke(main, ["convert", "-f", "deva", "-t", "roman", "--lexicon", str(lex), "-o", str(lex)], input="क\n")
    assert result.exit_code != 0
    assert lex.read_text(encoding="utf-8") == "क\tka\n"
    missing = CliRunner().invoke(main, ["convert", "-f", "deva", "-t", "roman", "--lexicon", str(tmp_path / "no.tsv")], input="क\n")
    assert missing.exit_code == 1 and "no.tsv" in missing.output


# -- serve --lexicon ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def lexicon_server(tmp_path_factory: pytest.TempPathFactory, serve_service: Any) -> Any:
    from conftest import LiveServer

    from lipyantar.serve.app import create_app
    from lipyantar.serve.config import ServerConfig

    model = serve_service.model
    alt = model.devanagarize_topk("ghar", 5)[1][0]
    path = tmp_path_factory.mktemp("lex") / "lex.tsv"
    path.write_text(f"{alt}\tghar\t3\nघड़\tghar\t1\nदिल्ली\tDilli\n", encoding="utf-8")
    config = ServerConfig(lexicon=str(path))
    server = LiveServer(create_app(config, service=serve_service.with_config(config)))
    server.alt = alt
    server.lexicon_path = path
    yield server
    server.stop()


def _post(server: Any, path: str, payload: object) -> tuple[int, Any]:
    import urllib.error
    import urllib.request

    req = urllib.request.Request(
        server.url + path, data=json.dumps(payload).encode(), method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def _get(server: Any, path: str) -> Any:
    import urllib.request

    with urllib.request.urlopen(server.url + path, timeout=60) as response:
        return json.loads(response.read())


def test_serve_lexicon_overrides_convert_and_candidates(lexicon_server: Any, live_server: Any) -> None:
    alt = lexicon_server.alt
    status, body = _post(lexicon_server, "/api/v1/convert", {"text": "mera ghar\nGhar", "from": "roman", "to": "deva"})
    assert status == 200, body
    texts = [r["candidates"][0]["text"] for r in body["records"]]
    assert texts[0].split()[1] == alt and texts[1] == alt
    status, body = _post(lexicon_server, "/api/v1/convert", {"text": "दिल्ली", "from": "deva", "to": "roman"})
    assert status == 200 and body["records"][0]["candidates"][0]["text"] == "Dilli"
    cands = _get(lexicon_server, "/api/v1/candidates?word=ghar&top_k=5")["candidates"]
    assert [c["text"] for c in cands[:2]] == [alt, normalize_deva("घड़")]
    assert cands[0]["prob"] == pytest.approx(LEXICON_MASS * 3 / 4) and cands[1]["prob"] == pytest.approx(LEXICON_MASS / 4)
    health = _get(lexicon_server, "/api/v1/health")
    assert health["lexicon"] == {"source": str(lexicon_server.lexicon_path), "entries": 3}
    # the server without a lexicon (the same model and process) answers as the model does
    status, body = _post(live_server, "/api/v1/convert", {"text": "Ghar", "from": "roman", "to": "deva"})
    assert body["records"][0]["candidates"][0]["text"] != alt
    assert _get(live_server, "/api/v1/health")["lexicon"] is None
    assert _get(live_server, "/api/v1/candidates?word=ghar&top_k=5")["candidates"][0]["text"] != alt


def test_serve_with_a_bad_lexicon_is_a_clean_error(tmp_path: Path) -> None:
    pytest.importorskip("fastapi")
    pytest.importorskip("uvicorn")
    bad = write(tmp_path, "क\tka\t-1\n")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = CliRunner().invoke(main, ["serve", "--port", str(port), "--lexicon", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}, line 1: bad count '-1'" in result.output
    assert "Traceback" not in result.output


def test_serve_help_documents_the_lexicon() -> None:
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert "--lexicon" in result.output and "native<TAB>roman[<TAB>count]" in result.output
