"""The per-word English/Hindi decision of ``--english keep`` (lipyantar.translit.learned.codemix) and the
rule spelling of English pronunciations it uses (lipyantar.translit.learned.english)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from lipyantar.cli import main
from lipyantar.translit.errors import ModelError
from lipyantar.translit.learned import codemix
from lipyantar.translit.learned.codemix import CONTEXT_FEATURES, TOKEN_FEATURES, CodeMix, CodeMixWeights
from lipyantar.translit.learned.english import encode_phones, loose_spelling, spell_pronunciation
from lipyantar.translit.learned.model import default_model


@pytest.mark.parametrize(
    ("phones", "deva"),
    [
        ("M AH N TH", "मंथ"),  # a nasal before a consonant: anusvara
        ("W IY K S", "वीक्स"),  # a final cluster with virama inside, none at the end
        ("AH L AA R M", "अलार्म"),  # an initial vowel is a letter, later ones signs
        ("T R AE F IH K", "ट्रैफिक"),
        ("K AE M P AH S", "कैंपस"),
        ("W AO T ER", "वॉटर"),
        ("S IH NG IH NG", "सिंगिंग"),
        ("V IH D IY OW", "विडीयो"),  # a glide after i before the next vowel
        # /ər/ after the first syllable before one consonant and a vowel: र and a new syllable
        ("IH N T ER N EH T", "इंटरनेट"),
        ("S AE T ER D EY", "सैटरडे"),
        # in the first syllable, or before two consonants, or at the end: a cluster
        ("P ER S AH N", "पर्सन"),
        ("M AA D ER N", "माडर्न"),
        ("IH N T ER V Y UW", "इंटर्व्यू"),
    ],
)
def test_spell_pronunciation(phones: str, deva: str) -> None:
    assert spell_pronunciation(encode_phones(phones.split())) == deva


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("वीक्स", "विक्स", True),
        ("ऑफिस", "ऑफ़िस", True),
        ("मंथ", "मन्थ", True),
        ("सेट", "सैट", True),
        ("बंद", "बैंड", False),
        ("थे", "द", False),
    ],
)
def test_loose_spelling(a: str, b: str, same: bool) -> None:
    assert (loose_spelling(a) == loose_spelling(b)) is same


def _weights(**changes: object) -> CodeMixWeights:
    fields = {"token": (0.0,) * len(TOKEN_FEATURES), "context": (0.0,) * len(CONTEXT_FEATURES), "threshold": 0.5}
    fields.update(changes)
    return CodeMixWeights(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"token": (0.0,) * 3}, "token has 3 weights"),
        ({"context": (0.0,) * (len(CONTEXT_FEATURES) - 1) + (float("nan"),)}, "not a finite number"),
        ({"threshold": 1.0}, "not within"),
        ({"threshold": 0.0}, "not within"),
    ],
)
def test_weights_are_validated(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ModelError, match=message):
        _weights(**changes)


def test_weights_round_trip_and_header() -> None:
    weights = _weights(token=tuple(float(i) for i in range(len(TOKEN_FEATURES))), threshold=0.3)
    assert CodeMixWeights.from_json(weights.to_json()) == weights
    data = json.loads(weights.to_json())
    data["version"] = codemix.VERSION + 1
    with pytest.raises(ModelError, match="version"):
        CodeMixWeights.from_json(json.dumps(data), source="w.json")
    data["version"] = codemix.VERSION
    data["token_features"] = data["token_features"][::-1]
    with pytest.raises(ModelError, match="features"):
        CodeMixWeights.from_json(json.dumps(data))
    with pytest.raises(ModelError, match="not JSON"):
        CodeMixWeights.from_json("{", source="w.json")


def test_refine_weights_round_trip_and_are_validated() -> None:
    refine = tuple(float(i) / 10 for i in range(len(CONTEXT_FEATURES)))
    weights = _weights(refine=refine)
    assert CodeMixWeights.from_json(weights.to_json()) == weights
    assert "refine" not in json.loads(_weights().to_json())  # two stages: the file as before
    with pytest.raises(ModelError, match="refine has 2 weights"):
        _weights(refine=(0.0, 1.0))


def test_refine_stage_reads_the_second_stage_of_the_neighbours(mix: CodeMix) -> None:
    """With a third stage, a word's probability comes from its context features recomputed over the
    second stage's probabilities (the neighbours' decisions, iterated once)."""
    words = "kal office mein meeting hai".split()
    base = mix.weights
    refine = tuple(float(i % 5 - 2) / 7 for i in range(len(CONTEXT_FEATURES)))
    three = CodeMix(mix.model, CodeMixWeights(base.token, base.context, base.threshold, {}, refine), mix.tables)
    token = mix.token_features(words)
    first = [codemix._sigmoid(codemix._dot(base.token, f)) for f in token]
    second = mix.probabilities(words)
    assert second == [codemix._sigmoid(codemix._dot(base.context, f)) for f in mix.context_features(words, token, first)]
    again = mix.context_features(words, token, second)
    assert three.probabilities(words) == pytest.approx([codemix._sigmoid(codemix._dot(refine, f)) for f in again])
    assert three.probabilities(words) != pytest.approx(second)


def test_packaged_weights_load() -> None:
    weights = codemix.load_weights()
    assert len(weights.token) == len(TOKEN_FEATURES) and 0 < weights.threshold < 1
    assert weights.training.get("sentences", 0) > 0


@pytest.fixture(scope="module")
def mix() -> CodeMix:
    return CodeMix(default_model())


@pytest.mark.parametrize(
    ("sentence", "kept"),
    [
        ("yeh gaana bahut accha hai", "-----"),
        ("please send me the report by monday", "+++++++"),
        ("kal office mein meeting hai", "-+-+-"),
        ("alarm band kar do", "+---"),
        ("play the song on spotify", "+++++"),
    ],
)
def test_keep_decisions(mix: CodeMix, sentence: str, kept: str) -> None:
    assert "".join("+" if k else "-" for k in mix.keep(sentence.split())) == kept


def test_context_decides_a_homograph(mix: CodeMix) -> None:
    """``the`` is थे among Hindi words and English among English ones."""
    hindi = mix.probabilities("kal hum wahan the aur bahut khush the".split())
    english = mix.probabilities("where is the nearest coffee shop".split())
    assert hindi[3] < mix.weights.threshold <= english[2]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.from_regex(r"[A-Za-z]{1,12}", fullmatch=True), max_size=12))
def test_probabilities_are_probabilities(mix: CodeMix, words: list[str]) -> None:
    probs = mix.probabilities(words)
    assert len(probs) == len(words) and all(0.0 <= p <= 1.0 for p in probs)
    assert probs == mix.probabilities(words)  # memoized features give the same answer


def test_cli_english_keep() -> None:
    result = CliRunner().invoke(
        main, ["convert", "--from", "roman", "--to", "deva", "--english", "keep"], input="mujhe next week ki meeting yaad dilana\n"
    )
    assert result.exit_code == 0, result.output
    words = result.output.split()
    assert words[1:3] == ["next", "week"] and words[4] == "meeting"
    assert all("\u0900" <= w[0] <= "\u097f" for w in (words[0], words[3], words[5], words[6]))


def test_a_number_before_a_word_is_evidence(mix: CodeMix) -> None:
    """``am`` typed after a time is English; without the number its neighbours leave it in doubt."""
    words = "subah am ka alarm laga do".split()
    flags = [i == 1 for i in range(len(words))]
    with_number = mix.probabilities(words, after_number=flags)
    assert with_number[1] >= mix.weights.threshold > mix.probabilities(words)[1]
    assert with_number[0] < mix.weights.threshold  # subah stays Hindi
    with pytest.raises(ValueError, match="after_number"):
        mix.probabilities(words, after_number=[True])


def test_a_name_says_nothing_about_its_neighbours(mix: CodeMix) -> None:
    """A word capitalized inside the sentence (a name) counts as neither language for the words around it."""
    words = "kal hum Goa me the".split()
    token = mix.token_features(words)
    first = [0.9] * len(words)
    context = mix.context_features(words, token, first)
    left, right = CONTEXT_FEATURES.index("left"), CONTEXT_FEATURES.index("right")
    assert context[3][left] == 0.0 and context[1][right] == 0.0  # beside Goa
    assert context[4][left] == pytest.approx(0.4)  # beside me


def test_capitals_say_nothing_in_a_sentence_in_capitals(mix: CodeMix) -> None:
    shouted = mix.probabilities("KAL SHAAM KO MILTE HAI".split())
    assert shouted == mix.probabilities("kal shaam ko milte hai".split())
    assert not any(mix.keep("KAL SHAAM KO MILTE HAI".split()))
    assert mix.keep("ki IPL final kab hai".split())[1]  # an acronym among lower-case words


@pytest.mark.parametrize(
    ("text", "kept", "converted"),
    [
        ("kal subah 6:30 am ka alarm laga do", ["am", "alarm"], ["subah", "laga"]),  # a time after a number
        ("mera 5th floor pe office hai", ["th", "floor"], ["mera", "hai"]),  # an ordinal (5th: "th" a word)
        ("Rahul ne kaha ki IPL final kab hai", ["IPL"], ["kaha", "kab"]),  # an acronym
    ],
)
def test_cli_english_keep_classes(text: str, kept: list[str], converted: list[str]) -> None:
    result = CliRunner().invoke(main, ["convert", "--from", "roman", "--to", "deva", "--english", "keep"], input=text + "\n")
    assert result.exit_code == 0, result.output
    out = result.output.replace("5th", "5 th").split()
    assert all(w in out for w in kept), out
    assert not any(w in out for w in converted), out


@pytest.mark.parametrize(
    ("tokens", "indexes", "flags"),
    [
        (["6:30", " ", "am"], [2], [True]),
        (["5", "th"], [1], [True]),
        (["at", " ", "6", ",", " ", "am"], [0, 5], [False, False]),  # punctuation between: not after it
        (["kal", " ", "am"], [0, 2], [False, False]),
    ],
)
def test_after_number(tokens: list[str], indexes: list[int], flags: list[bool]) -> None:
    from lipyantar.translit.transliterate import _after_number

    assert _after_number(tokens, indexes) == flags


@pytest.mark.parametrize(
    ("tokens", "indexes", "keep", "whole"),
    [
        (["e", "-", "mail"], [0, 2], [False, True], [True, True]),
        (["x", "\u2010", "ray", " ", "karo"], [0, 2, 4], [True, False, False], [True, True, False]),
        (["ghar", "-", "ghar"], [0, 2], [False, False], [False, False]),
        (["a", "-", "b", "-", "c"], [0, 2, 4], [False, False, True], [True, True, True]),
        (["e", " ", "-", " ", "mail"], [0, 4], [False, True], [False, True]),  # spaced: two words
        (["e", ",", "mail"], [0, 2], [False, True], [False, True]),
        ([], [], [], []),
    ],
)
def test_whole_compounds(tokens: list[str], indexes: list[int], keep: list[bool], whole: list[bool]) -> None:
    from lipyantar.translit.transliterate import _whole_compounds

    assert _whole_compounds(keep, tokens, indexes) == whole


def _train_codemix():  # type: ignore[no-untyped-def]
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "scripts" / "train_codemix.py"
    spec = importlib.util.spec_from_file_location("train_codemix", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_training_labels_loanwords_among_common_words() -> None:
    """A common native word typed in English spelling is Hindi (``the`` थे, ``k`` के), unless it is a
    loanword by both signs and long enough (``party`` पार्टी); a rarer one is English when it is a
    loanword by either sign and left out of the loss when neither says so (``band`` बंद)."""
    train = _train_codemix()
    synth = train.Synthesizer.__new__(train.Synthesizer)
    sound = {("party", "पार्टी"), ("k", "के"), ("alarm", "अलार्म")}

    class Mix:
        def spelled_by_sound(self, roman: str, deva: str) -> bool:
            return (roman, deva) in sound

    rules = {"पार्टी": "parti", "थे": "the", "के": "ke", "अलार्म": "alarm", "बंद": "band", "ट्रैफिक": "traifik"}
    synth.english = {"party", "the", "k", "alarm", "band", "traffic"}
    synth.common = {"पार्टी", "थे", "के"}
    synth.rules, synth.mix, synth.loan_letters, synth._labels = rules.__getitem__, Mix(), 4, {}
    synth.homograph_weight = 0.0
    assert synth.label("पार्टी", "party") == ("en", 1.0)
    assert synth.label("थे", "the") == ("hi", 1.0)
    assert synth.label("के", "k") == ("hi", 1.0)  # short: a casual spelling of a common word
    assert synth.label("अलार्म", "alarm") == ("en", 1.0)
    assert synth.label("ट्रैफिक", "traffic") == ("en", 1.0)
    assert synth.label("बंद", "band") == ("hi", 0.0)
    assert synth.label("कल", "kal") == ("hi", 1.0)  # not an English word
    synth.loan_letters, synth._labels = 6, {}
    assert synth.label("पार्टी", "party") == ("hi", 1.0)
    synth.homograph_weight, synth._labels = 0.5, {}  # --homograph-weight: band for बंद counts, as Hindi
    assert synth.label("बंद", "band") == ("hi", 0.5)
    assert synth.label("अलार्म", "alarm") == ("en", 1.0)


def test_homograph_insertions_are_hindi_words_spelled_by_rule() -> None:
    """``--homographs`` draws English words that are the rule spelling of a Hindi word not among the
    most frequent, or one edit from it (band बंद, car कर), not loanwords spelled by sound (alarm अलार्म),
    not the most frequent Hindi words (main मैं), not words typed for Hindi too rarely (sun) or far from
    the rule spelling (care केयर)."""
    train = _train_codemix()
    synth = train.Synthesizer.__new__(train.Synthesizer)
    readings = {"band": "बंद", "alarm": "अलार्म", "main": "मैं", "sun": "सुन", "car": "कर", "care": "केयर"}
    rules = {"बंद": "band", "अलार्म": "alarm", "मैं": "main", "सुन": "sun", "कर": "kar", "केयर": "keyar"}

    class Mix:
        def reading(self, roman: str) -> str:
            return readings[roman]

        def spelled_by_sound(self, roman: str, deva: str) -> bool:
            return roman == "alarm"

    synth.single_words = list(readings)
    synth.single_weights = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    synth.homograph_words, synth.homograph_weights = [], []
    synth.mix, synth.rules, synth.function = Mix(), rules.__getitem__, {"मैं"}
    synth.find_homographs({"band": 5000, "alarm": 5000, "main": 9000, "sun": 10, "car": 3000, "care": 2000}, 1000)
    assert (synth.homograph_words, synth.homograph_weights) == (["band", "car"], [1.0, 5.0])


def test_training_romanizes_without_loanword_spellings_by_default() -> None:
    """The synthetic data's words that the train lexicon lacks are romanized with the model's English
    loanword spellings off (they spell some Hindi words as English ones: पाँच punch), unless asked."""
    train = _train_codemix()
    model = default_model()
    plain = train.spelling_model(model, loan_spellings=False)
    assert plain.params.d2r.loanwords is False and model.params.d2r.loanwords is True
    assert train.spelling_model(model, loan_spellings=True) is model
    assert plain.romanize("पाँच") != "punch"


def test_threshold_choice_balances_the_error_budgets(capsys: pytest.CaptureFixture[str]) -> None:
    """The threshold (0.20-0.90, steps of 0.01) minimizes the worse of the two shares of the error
    budgets: 6 points of English words, 1.5 of Hindi words, so a Hindi error costs four English ones."""
    train = _train_codemix()
    # one English word of 31 lost (3.2 points: 0.54 of its budget) against one Hindi word of 2 (33 budgets)
    scored = [([0.6, 0.3, 0.65], [True, False, False])] + [([0.9], [True])] * 30
    threshold, english, hindi = train.choose_threshold(scored)
    assert threshold == pytest.approx(0.66) and english == pytest.approx(30 / 31) and hindi == 1.0
    # the first of equal thresholds
    threshold, english, hindi = train.choose_threshold([([0.6, 0.95, 0.3, 0.7], [True, True, False, False])])
    assert threshold == pytest.approx(0.71) and (english, hindi) == (0.5, 1.0)
    assert "threshold 0.50: English kept 100.0%, Hindi 50.0%" in capsys.readouterr().out


def test_training_stops_without_real_queries_to_choose_on(tmp_path: Path) -> None:
    train = _train_codemix()
    with pytest.raises(SystemExit) as stop:
        train.main(["--choose", str(tmp_path / "missing.tsv"), "-o", str(tmp_path / "out.json")])
    assert stop.value.code == 2 and not (tmp_path / "out.json").exists()


@pytest.mark.parametrize(
    ("sentence", "flags"),
    [
        ("alarm set karo", [0.0, 1.0, 0.0]),  # the word before a form of करना
        ("meeting cancel kar do", [0.0, 1.0, 0.0, 0.0]),
        ("reminder set kijiye", [0.0, 1.0, 0.0]),
        ("uski kitaab ki baat", [0.0, 0.0, 0.0, 0.0]),  # की, a postposition, is not one
        ("5 karod rupaye", [0.0, 0.0, 0.0]),
    ],
)
def test_before_light_verb(mix: CodeMix, sentence: str, flags: list[float]) -> None:
    words = sentence.split()
    token = mix.token_features(words)
    first = [0.5] * len(words)
    feature = CONTEXT_FEATURES.index("before_light_verb")
    assert [row[feature] for row in mix.context_features(words, token, first)] == flags


@pytest.mark.parametrize(
    ("sentence", "feature", "flags"),
    [
        ("kitna hot hone wala hai", "before_helper_verb", [0.0, 1.0, 0.0, 0.0, 0.0]),  # before होना
        ("meeting cancel ho gaya", "before_helper_verb", [0.0, 1.0, 1.0, 0.0]),
        ("usko reply de do", "before_give_take", [0.0, 1.0, 1.0, 0.0]),  # before देना
        ("ticket book kar lo", "before_give_take", [0.0, 0.0, 1.0, 0.0]),  # before लेना
        ("Napa me events", "left_name", [0.0, 0.0, 0.0]),  # the first word is not a name by its capital
        ("aaj Napa me events", "left_name", [0.0, 0.0, 1.0, 0.0]),
        ("aaj the Walmart tak", "right_name", [0.0, 1.0, 0.0, 0.0]),
        ("aaj the Walmart tak", "short_x_right_name", [0.0, 1.0, 0.0, 0.0]),
        ("kaha the RCB ka match", "short_x_right_name", [0.0, 1.0, 0.0, 0.0, 0.0]),  # an acronym is one too
        ("remind me to call", "short_x_function_next", [0.0, 1.0, 0.0, 0.0]),  # "to" is a frequent English word
        ("yahan me traffic hai", "short_x_function_next", [0.0, 0.0, 0.0, 0.0]),
        ("yahan me traffic hai", "short_x_content_next", [0.0, 1.0, 0.0, 0.0]),  # a surely English word after it
        ("yahan me traffic hai", "short_x_content_before", [0.0, 0.0, 0.0, 1.0]),  # "yahan" is not sure English
    ],
)
def test_neighbour_features(mix: CodeMix, sentence: str, feature: str, flags: list[float]) -> None:
    words = sentence.split()
    token = mix.token_features(words)
    first = [0.9 if w in {"traffic", "call", "events", "match"} else 0.1 for w in words]
    index = CONTEXT_FEATURES.index(feature)
    assert [row[index] for row in mix.context_features(words, token, first)] == flags


def test_after_number_features(mix: CodeMix) -> None:
    """What follows a number is read less by its neighbours: the flag times their mean lean, and times
    being at most three letters long ("9 am ko" against "5 minute pehle")."""
    words = "kal am ko minute pehle".split()
    token = mix.token_features(words)
    first = [0.1, 0.5, 0.1, 0.9, 0.1]
    rows = mix.context_features(words, token, first, [False, True, False, True, False])
    near, short = CONTEXT_FEATURES.index("after_number_x_neighbours"), CONTEXT_FEATURES.index("after_number_x_short")
    assert [row[near] for row in rows] == pytest.approx([0.0, -0.4, 0.0, -0.4, 0.0])
    assert [row[short] for row in rows] == [0.0, 1.0, 0.0, 0.0, 0.0]
    assert all(row[near] == row[short] == 0.0 for row in mix.context_features(words, token, first))


@pytest.mark.parametrize(
    ("word", "loan"),
    [("party", True), ("computer", True), ("school", True), ("ki", False), ("me", False), ("bus", False), ("kitaab", False)],
)
def test_loan_shape(mix: CodeMix, word: str, loan: bool) -> None:
    """``loan_shape`` is ``sound_x_english`` for a word of at least four letters: a loanword typed in its
    English spelling, not a short Hindi word whose reading sounds like an English word (ki की)."""
    features = mix.token_features([word])[0]
    shape, sound = TOKEN_FEATURES.index("loan_shape"), TOKEN_FEATURES.index("sound_x_english")
    assert (features[shape] > 0) is loan
    assert features[shape] == (features[sound] if len(word) >= 4 else 0.0)


def test_neighbour_x_english(mix: CodeMix) -> None:
    """A word next to a surely English word gets its own English frequency as the feature; next to a
    surely Hindi one, the negative of it times that word's lean; a name next to it says nothing."""
    words = ["video", "message", "bhejo"]
    token = mix.token_features(words)
    rows = mix.context_features(words, token, [0.9, 0.9, 0.1])
    index = CONTEXT_FEATURES.index("neighbour_x_english")
    english = TOKEN_FEATURES.index("english_lexicon")
    assert rows[0][index] == pytest.approx(0.4 * token[0][english]) and token[0][english] > 0
    assert rows[2][index] == pytest.approx(0.4 * token[2][english])


def _bench_hinglish():  # type: ignore[no-untyped-def]
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "scripts" / "bench_hinglish.py"
    spec = importlib.util.spec_from_file_location("bench_hinglish", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_hinglish"] = module  # for its dataclass
    spec.loader.exec_module(module)
    return module


def test_bench_one_way_words_leave_out_the_labels_noise(tmp_path: Path) -> None:
    """The benchmark's Hinglish-TOP shares over the words its train split labels one way only: a word
    labelled both ways (the rarer label at least twice and 10% of its tokens) is left out of them."""
    bench = _bench_hinglish()
    rows = [
        ("remind me to call", "mujhe call karne ke liye remind karo"),  # call, remind: English
        ("what is in the box", "box me kya hai"),  # box English; me Hindi
        ("what is in the car", "car me kya hai"),
        ("send it to me", "me ko bhejo"),  # me English (the heuristic's noise)
        ("send it to me", "me ko bhejo"),
        ("where is the party", "party kaha hai"),
    ] + [("how is it", "time kaisa hai")] * 19  # time Hindi 19 times ...
    rows.append(("what time is it", "time kya hai"))  # ... and English once: under 2, one way
    train_path = tmp_path / "train.tsv"
    train_path.write_text(
        "en_query\tcs_query\ten_parse\tcs_parse\tdomain\n" + "".join(f"{en}\t{cs}\t\t\tx\n" for en, cs in rows),
        encoding="utf-8",
    )
    sentences = bench.read_top(train_path)
    assert bench.mixed_label_types(sentences) == {"me"}
    assert bench.mixed_label_types(sentences, least=1, share=0.0) == {"me", "time"}
    test = [bench.Sentence("me box party", ("me", "box", "party"), ("hi", "en", "en"), ("", "", ""))]
    scores = bench.score_keep(test, ["में box पार्टी"], None, {"me"})
    assert scores["english+names kept %"] == 50.0 and scores["hindi to devanagari %"] == 100.0
    assert scores["en+name one-way (n=2) %"] == 50.0
    assert scores["hi one-way (n=0) %"] != scores["hi one-way (n=0) %"]  # none: nan
    assert "en+name one-way (n=2) %" not in bench.score_keep(test, ["में box पार्टी"])
