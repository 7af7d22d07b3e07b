"""English words in romanized Hindi: pronunciations, the phoneme ↔ Devanagari model, its use in decoding."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lipyantar.translit.errors import InputError
from lipyantar.translit.learned.english import (
    LETTER_NAMES,
    PHONEMES,
    EnglishModel,
    _packed_get,
    encode_phones,
    read_cmudict,
    spell_letters,
    train_english,
)
from lipyantar.translit.learned.learn import adapt, read_pairs, train
from lipyantar.translit.learned.model import LearnedModel, default_model

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def prons() -> dict[str, tuple[str, ...]]:
    return read_cmudict(DATA / "cmudict_sample.dict")


@pytest.fixture(scope="module")
def lexicon() -> list[tuple[str, str, float]]:
    return read_pairs(DATA / "dakshina_dev_lexicon_sample.tsv")


@pytest.fixture(scope="module")
def model(lexicon: list[tuple[str, str, float]], prons: dict[str, tuple[str, ...]]) -> LearnedModel:
    return train(lexicon, em_iterations=2, pronunciations=prons)


def test_phonemes_are_coded_one_character_each_without_stress() -> None:
    assert len(PHONEMES) == 39 and len({encode_phones([p]) for p in PHONEMES}) == 39
    assert encode_phones(["HH", "AY2", "P"]) == encode_phones(["hh", "AY", "P0"])
    assert len(encode_phones(["HH", "AY2", "P"])) == 3
    with pytest.raises(ValueError, match="QQ"):
        encode_phones(["K", "QQ"])


def test_read_cmudict(tmp_path: Path) -> None:
    text = "abbe AE1 B IY0\nabbe(2) AE0 B EY1\nabbe(3) AE0 B EY1\nd'artagnan D AH0 R # foreign\na. EY1\n\n"
    path = tmp_path / "dict.txt"
    path.write_text(text, encoding="utf-8")
    prons = read_cmudict(path)
    assert prons == {"abbe": (encode_phones(["AE", "B", "IY"]), encode_phones(["AE", "B", "EY"]))}
    assert read_cmudict(path, max_prons=1)["abbe"] == (encode_phones(["AE", "B", "IY"]),)
    gz = tmp_path / "dict.txt.gz"
    gz.write_bytes(gzip.compress(text.encode()))
    assert read_cmudict(gz) == prons


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [("abbe AE1 B\nlonely\n", 2, "without a pronunciation"), ("ok OW1\nbad B XX1\n", 2, "XX1")],
)
def test_read_cmudict_names_the_bad_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = tmp_path / "bad.dict"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message) as info:
        read_cmudict(path)
    assert info.value.line == line


def test_read_cmudict_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        read_cmudict(tmp_path / "missing.dict")


def test_english_model_spells_its_training_words(
    lexicon: list[tuple[str, str, float]], prons: dict[str, tuple[str, ...]]
) -> None:
    english = train_english(lexicon, prons, noise_fraction=0.0)
    assert english is not None
    trained = [(d, r) for d, r, _ in lexicon if r in prons]
    assert len(trained) > 50
    found = sum(d in english.candidates(r, k=10, beam=24) for d, r in trained)
    assert found / len(trained) > 0.8  # a model of its training pairs proposes most of them
    deva, roman = trained[0]
    assert english.can_spell(roman, deva, beam=16)
    assert english.candidates("notanenglishwordatall", k=5, beam=8) == {}
    assert not english.can_spell("notanenglishwordatall", deva, beam=16)


def test_english_model_needs_a_table() -> None:
    with pytest.raises(ValueError):
        EnglishModel(train_english([("कमल", "kamal", 1.0)], {"kamal": ("x",)}).joint)  # type: ignore[union-attr]


def test_no_english_model_without_pronounced_pairs(lexicon: list[tuple[str, str, float]]) -> None:
    assert train_english(lexicon, {}) is None
    assert train(lexicon[:50], em_iterations=1).english is None


def test_english_candidates_are_scored_with_the_others(model: LearnedModel) -> None:
    english = model.english
    assert english is not None
    fresh = [w for w in sorted(english.prons) if w not in model.memory.r2d]
    roman = next(w for w in fresh if english.candidates(w, k=10, beam=24))
    proposed = english.candidates(
        roman, k=model.params.search.topk.english_k, beam=model.params.english.beam
    )
    ranked = dict(model._channel(roman))
    spellable = [d for d in proposed if model.charlm.check_and_score(d)[0]]
    assert spellable and all(d in ranked for d in spellable)
    off = dict(model.with_params({"search.topk.english_k": 0})._channel(roman))
    for deva in spellable:  # the proposals get the bonus
        if deva in off:
            assert ranked[deva] > off[deva]


def test_attested_romanizations_are_not_read_as_english(model: LearnedModel) -> None:
    english = model.english
    assert english is not None
    known = [w for w in sorted(english.prons) if w in model.memory.r2d]
    assert known
    off = model.with_params({"search.topk.english_k": 0})
    for roman in known:  # the memory knows them as Hindi: no English candidates, no English features
        assert model._channel(roman) == off._channel(roman)


def test_english_component_survives_save_load_and_adaptation(
    model: LearnedModel, lexicon: list[tuple[str, str, float]], tmp_path: Path
) -> None:
    path = tmp_path / "m.lpm"
    model.save(path)
    loaded = LearnedModel.load(path)
    assert isinstance(loaded.english, EnglishModel)
    assert loaded.english.tables() == model.english.tables()  # type: ignore[union-attr]
    assert loaded.english.prons == model.english.prons  # type: ignore[union-attr]
    assert loaded.to_arrays() == model.to_arrays()
    for _, roman, _ in lexicon[:40]:  # (the file stores log-probabilities in single precision)
        got, want = loaded.devanagarize_topk(roman, 5), model.devanagarize_topk(roman, 5)
        assert [d for d, _ in got] == [d for d, _ in want]
        assert all(abs(a - b) < 1e-4 for (_, a), (_, b) in zip(got, want, strict=True))
    adapted = adapt(model, lexicon[:30])
    assert adapted.english is model.english


def test_shipped_model_knows_english_words() -> None:
    english = default_model().english
    assert english is not None and len(english.prons) > 100_000
    assert english.pronunciations("football") and not english.pronunciations("xqzv")


@pytest.mark.parametrize(
    ("roman", "deva"),
    [("ngo", "एनजीओ"), ("NHS", "एनएचएस"), ("tv", "टीवी"), ("w3c", "डब्ल्यूसी"), ("", ""), ("xyz", "एक्सवाईजेड")],
)
def test_spell_letters(roman: str, deva: str) -> None:
    assert spell_letters(roman) == deva


def test_every_letter_has_a_name() -> None:
    assert sorted(LETTER_NAMES) == list("abcdefghijklmnopqrstuvwxyz")


@pytest.fixture(scope="module")
def shipped() -> LearnedModel:
    return default_model()


def test_unknown_short_words_may_be_acronyms(shipped: LearnedModel) -> None:
    odd = [w for w in ("nhs", "bjp", "tkdl", "mhrd", "ncp") if w not in shipped.memory.r2d]
    assert odd
    off = shipped.with_params({"search.topk.acronym_max": 0})
    for roman in odd:  # consonant strings are improbable Hindi romanizations: the reading is proposed
        ranked = dict(shipped._channel(roman))
        assert spell_letters(roman) in ranked
        assert ranked[spell_letters(roman)] > dict(off._channel(roman)).get(spell_letters(roman), -1e9)
    long = "abcdefghij"
    assert spell_letters(long) not in dict(shipped._channel(long))  # longer than the search's acronym_max
    # sentence decoding proposes no letter readings (search.context.acronym_max 0), unless asked to
    on = shipped.with_params({"search.context.acronym_max": 6})
    missing = 0
    for roman in odd:
        plain = dict(shipped._channel(roman, "context")).get(spell_letters(roman))
        missing += plain is None
        assert dict(on._channel(roman, "context"))[spell_letters(roman)] > (plain or -1e9)
    assert missing


@pytest.mark.parametrize("kind", ["topk", "top1", "context"])
def test_final_virama_penalty(shipped: LearnedModel, kind: str) -> None:
    """A candidate that ends in a virama (the joint model's विसंगर् for विसंगर) loses exactly
    ``r2d.final_virama``; every other candidate keeps its score."""
    plain = shipped.with_params({"r2d.final_virama": 0.0})
    penalized = shipped.with_params({"r2d.final_virama": 2.5})
    compared = 0
    for roman in ("visangar", "strip", "mesh", "kitab", "darpan"):
        before, after = dict(plain._channel(roman, kind)), dict(penalized._channel(roman, kind))
        for deva in before.keys() & after.keys():
            final = deva.endswith("\u094d")
            compared += final
            assert after[deva] == pytest.approx(before[deva] - (2.5 if final else 0.0), abs=1e-9)
        # nothing new ends in a virama; such a candidate may only drop out of the list
        assert not {d for d in after.keys() - before.keys() if d.endswith("\u094d")}
    if kind == "topk":
        assert compared  # the words above do have such candidates


def test_unspellable_english_proposals_offset(shipped: LearnedModel) -> None:
    """An English proposal that no graphone path of the input spells scores as the worst candidate so far
    plus ``english.unspellable``: lowering the offset lowers exactly those candidates by the difference."""
    roman = "hosiery"  # longer than the search's acronym_max: no letter reading, whose floor would move too
    assert roman not in shipped.memory.r2d and shipped.english is not None
    p = shipped.params
    proposals = shipped.english.candidates(roman, k=p.search.topk.english_k, beam=p.english.beam)
    spelled = shipped.joint.forced_scores(roman, list(proposals), beam=p.r2d.forced_beam)
    searched = {d for d, _ in shipped.joint.decode(roman, to_roman=False, k=p.search.topk.nbest)}
    unspellable = {d for d, s in zip(proposals, spelled, strict=True) if s is None and d not in searched}
    assert unspellable and len(unspellable) < len(proposals)
    high = shipped.with_params({"english.unspellable": 0.0, "search.topk.marg_top": 100, "r2d.rules_top": 100})
    low = shipped.with_params({"english.unspellable": -4.0, "search.topk.marg_top": 100, "r2d.rules_top": 100})
    a, b = dict(high._channel(roman)), dict(low._channel(roman))
    assert a.keys() == b.keys()
    for deva in a:
        shift = 4.0 if deva in unspellable else 0.0
        assert b[deva] == pytest.approx(a[deva] - shift, abs=1e-9), deva


def test_attested_short_words_are_not_read_as_acronyms(shipped: LearnedModel) -> None:
    off = shipped.with_params({"search.topk.acronym_max": 0})
    for roman in ("se", "ki", "hai", "ka"):
        assert roman in shipped.memory.r2d
        assert shipped._channel(roman) == off._channel(roman)


@pytest.mark.slow
def test_learn_command_with_pronunciations(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from lipyantar.model_cli import learn_command

    runner = CliRunner()
    out = tmp_path / "m.lpm"
    lexicon = str(DATA / "dakshina_dev_lexicon_sample.tsv")
    args = [lexicon, "--base", "none", "-o", str(out), "--pronunciations", str(DATA / "cmudict_sample.dict")]
    result = runner.invoke(learn_command, args)
    assert result.exit_code == 0, result.output
    assert LearnedModel.load(out).english is not None
    result = runner.invoke(
        learn_command, [lexicon, "-o", str(out), "--pronunciations", str(DATA / "cmudict_sample.dict")]
    )
    assert result.exit_code != 0 and "--base none" in result.output
    bad = tmp_path / "bad.dict"
    bad.write_text("word ZZ1\n", encoding="utf-8")
    result = runner.invoke(
        learn_command, [lexicon, "--base", "none", "-o", str(out), "--pronunciations", str(bad)]
    )
    assert result.exit_code != 0 and "line 1" in result.output and "Traceback" not in result.output


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.text(st.characters(blacklist_characters="\t\n", blacklist_categories=("Cs",)), max_size=6),
        st.text(st.characters(blacklist_characters="\n", blacklist_categories=("Cs",)), max_size=5),
        max_size=30,
    ),
    st.lists(st.text(st.characters(blacklist_characters="\t\n", blacklist_categories=("Cs",)), max_size=6), max_size=10),
)
def test_the_packed_table_is_searched_as_the_dict(table: dict[str, str], probes: list[str]) -> None:
    """The binary search over the packed pronunciation lines finds exactly what the dict holds."""
    packed = "".join(f"{w}\t{c}\n" for w, c in sorted(table.items())).encode("utf-8")
    for word in [*table, *probes]:
        assert _packed_get(packed, word.encode("utf-8")) == table.get(word)
